//! Figure 3: sandbox throughput vs WireMock and Prism serving the same `GET /v2/offer/{id}` with
//! the same body, each started as its own process and loaded by `offerkit-bench load` (64
//! keep-alive connections, unrecorded warm-up, then the measured seconds). Also the time from
//! spawn to the first 2xx answer. WireMock runs from the npm `wiremock` package's jar on java
//! (`--no-request-journal`, its fastest setting); Prism is `@stoplight/prism-cli mock` on a tiny
//! OpenAPI document whose example is the body. Both are installed with npm into
//! `target/bench/node`; when that or a server fails, its row says why.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::procs::{Server, free_port, get, run_json};
use super::report::Row;
use super::{Ctx, ms};

const OFFER: &str = "bench-offer";
const TOKEN: (&str, &str) = ("x-publisher-token", "bench-publisher-token");
const TARGET: f64 = 3.0;
const CONNECTIONS: usize = 64;

/// One server's result.
struct Served {
    name: &'static str,
    rps: f64,
    summary: String,
    raw: Value,
}

/// Runs the figure.
pub fn run(ctx: &Ctx) -> (Vec<Row>, Value) {
    let mut raw = serde_json::Map::new();
    let dir = match ctx.dir("throughput") {
        Ok(d) => d,
        Err(e) => {
            return (
                vec![Row::unavailable("3 sandbox throughput", ">= 3x", &e)],
                json!({"error": e}),
            );
        }
    };
    let sandbox = sandbox(ctx, &dir);
    let (body, sandbox) = match sandbox {
        Ok((body, served)) => (body, served),
        Err(e) => {
            return (
                vec![Row::unavailable("3 sandbox throughput", ">= 3x", &e)],
                json!({"error": e}),
            );
        }
    };
    raw.insert("sandbox".into(), sandbox.raw.clone());
    let npm = npm_install(ctx);
    let mut others = Vec::new();
    let mut rows = Vec::new();
    for (name, result) in [
        (
            "WireMock",
            npm.clone()
                .and_then(|node| wiremock(ctx, &dir, &node, &body)),
        ),
        (
            "Prism",
            npm.clone().and_then(|node| prism(ctx, &dir, &node, &body)),
        ),
    ] {
        match result {
            Ok(served) => {
                raw.insert(name.to_lowercase(), served.raw.clone());
                rows.push(Row {
                    figure: format!("3 {name} under the same load (reference)"),
                    offerkit: "-".to_owned(),
                    baseline: served.summary.clone(),
                    ratio: Some(sandbox.rps / served.rps),
                    target: "-".to_owned(),
                    pass: None,
                });
                others.push(served);
            }
            Err(e) => {
                raw.insert(name.to_lowercase(), json!({"error": e}));
                rows.push(Row::unavailable(
                    &format!("3 {name} under the same load"),
                    "-",
                    &e,
                ));
            }
        }
    }
    let faster = others.iter().max_by(|a, b| a.rps.total_cmp(&b.rps));
    let main = Row {
        figure: format!(
            "3 sandbox throughput: GET /v2/offer/{{id}}, {CONNECTIONS} connections, {} s",
            seconds(ctx)
        ),
        offerkit: sandbox.summary.clone(),
        baseline: faster.map_or("unavailable (see rows below)".to_owned(), |f| {
            format!("{}: {}", f.name, f.summary)
        }),
        ratio: faster.map(|f| sandbox.rps / f.rps),
        target: format!(">= {TARGET}x the faster"),
        pass: faster.map(|f| sandbox.rps / f.rps >= TARGET),
    };
    rows.insert(0, main);
    (rows, Value::Object(raw))
}

fn seconds(ctx: &Ctx) -> u64 {
    if ctx.quick { 3 } else { 10 }
}

/// Loads `port` + the offer path and returns the result.
fn load(
    ctx: &Ctx,
    name: &'static str,
    port: u16,
    first_answer: Duration,
) -> Result<Served, String> {
    let mut command = ctx.bench();
    command.args([
        "load",
        "--url",
        &format!("http://127.0.0.1:{port}/v2/offer/{OFFER}"),
        "--header",
        &format!("{}:{}", TOKEN.0, TOKEN.1),
        "--connections",
        &CONNECTIONS.to_string(),
        "--seconds",
        &seconds(ctx).to_string(),
        "--warmup",
        if ctx.quick { "1" } else { "2" },
    ]);
    let mut v = run_json(command)?;
    let f = |k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let rps = f("rps");
    let summary = format!(
        "{rps:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, first answer {:.0} ms, {} errors",
        f("p50_ms"),
        f("p99_ms"),
        ms(first_answer),
        v.get("errors").and_then(Value::as_u64).unwrap_or(0)
    );
    if let Some(obj) = v.as_object_mut() {
        obj.insert("first_answer_ms".into(), json!(ms(first_answer)));
    }
    Ok(Served {
        name,
        rps,
        summary,
        raw: v,
    })
}

/// The sandbox (release `offerkit sandbox serve`, seeded with one offer); returns the served body too.
fn sandbox(ctx: &Ctx, dir: &Path) -> Result<(String, Served), String> {
    let seed = dir.join("seed.json");
    let doc = json!({"appcharge": {"offers": [{"publisherOfferId": OFFER, "name": "Bench Offer", "type": "SpecialOffer", "active": true}]}});
    std::fs::write(&seed, doc.to_string()).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let mut command = Command::new(ctx.cli());
    command
        .args(["sandbox", "serve", "--port", &port.to_string(), "--seed"])
        .arg(&seed);
    let mut server = Server::spawn(command, &dir.join("sandbox.log"))?;
    let path = format!("/v2/offer/{OFFER}");
    let first = server
        .wait_ready(port, &path, Some(TOKEN), Duration::from_secs(60))
        .map_err(|e| format!("sandbox: {e}"))?;
    let (_, body) = get(port, &path, Some(TOKEN))?;
    let served = load(ctx, "sandbox", port, first)?;
    drop(server);
    Ok((body, served))
}

/// `npm install` of both packages into `target/bench/node` (skipped when already there).
fn npm_install(ctx: &Ctx) -> Result<PathBuf, String> {
    let node = ctx.dir("node")?;
    let have = |p: &str| node.join("node_modules").join(p).exists();
    if have("wiremock/package.json") && have("@stoplight/prism-cli/package.json") {
        return Ok(node);
    }
    eprintln!(
        "bench: npm install wiremock @stoplight/prism-cli into {}",
        node.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&node)
        .args(["wiremock", "@stoplight/prism-cli"])
        .status()
        .map_err(|e| format!("npm unavailable: {e}"))?;
    if status.success() {
        Ok(node)
    } else {
        Err(format!("npm install failed ({status})"))
    }
}

fn wiremock(ctx: &Ctx, dir: &Path, node: &Path, body: &str) -> Result<Served, String> {
    let build = node.join("node_modules/wiremock/build");
    let jar = std::fs::read_dir(&build)
        .map_err(|e| format!("{}: {e}", build.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "jar"))
        .ok_or("no WireMock jar in the npm package")?;
    let root = dir.join("wiremock");
    std::fs::create_dir_all(root.join("mappings")).map_err(|e| e.to_string())?;
    let mapping = json!({
        "request": {"method": "GET", "url": format!("/v2/offer/{OFFER}")},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": body},
    });
    std::fs::write(root.join("mappings/offer.json"), mapping.to_string())
        .map_err(|e| e.to_string())?;
    let port = free_port()?;
    let mut command = Command::new("java");
    command
        .arg("-jar")
        .arg(&jar)
        .args([
            "--port",
            &port.to_string(),
            "--bind-address",
            "127.0.0.1",
            "--disable-banner",
            "--no-request-journal",
            "--container-threads",
            "200",
            "--root-dir",
        ])
        .arg(&root);
    let mut server = Server::spawn(command, &dir.join("wiremock.log"))?;
    let first = server
        .wait_ready(
            port,
            &format!("/v2/offer/{OFFER}"),
            Some(TOKEN),
            Duration::from_secs(120),
        )
        .map_err(|e| format!("WireMock: {e}"))?;
    load(ctx, "WireMock", port, first)
}

fn prism(ctx: &Ctx, dir: &Path, node: &Path, body: &str) -> Result<Served, String> {
    let example: Value = serde_json::from_str(body).map_err(|e| format!("sandbox body: {e}"))?;
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": "Appcharge offer (bench stub)", "version": "1"},
        "paths": {"/v2/offer/{publisherOfferId}": {"get": {
            "operationId": "getOffer",
            "parameters": [{"name": "publisherOfferId", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the offer", "content": {"application/json": {"example": example}}}}
        }}}
    });
    let spec_path = dir.join("prism-openapi.json");
    std::fs::write(&spec_path, spec.to_string()).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let mut command = Command::new(node.join("node_modules/.bin/prism"));
    command
        .arg("mock")
        .arg(&spec_path)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()]);
    let mut server = Server::spawn(command, &dir.join("prism.log"))?;
    let first = server
        .wait_ready(
            port,
            &format!("/v2/offer/{OFFER}"),
            Some(TOKEN),
            Duration::from_secs(120),
        )
        .map_err(|e| format!("Prism: {e}"))?;
    load(ctx, "Prism", port, first)
}
