//! `offerkit doctor` as a process, the cause chain of a network error, and `-vv` / `RUST_LOG`
//! spans without secrets.

use offerkit_sandbox::{ClientCredential, Sandbox, SandboxConfig};
use serde_json::Value;

use crate::cli_support::{ClosedPort, TempDir, offerkit_with, sandbox_env};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (format!("OFFERKIT_{k}"), (*v).to_owned()))
        .collect()
}

fn vendor<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["vendors"]
        .as_array()
        .and_then(|vs| vs.iter().find(|v| v["vendor"] == id))
        .unwrap_or_else(|| panic!("no {id} in {report}"))
}

#[tokio::test]
async fn every_vendor_passes_against_the_sandbox_and_no_value_is_shown() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let vars = sandbox_env(&sandbox);
    let scratch = TempDir::new("doctor");
    let dir = scratch.path().to_path_buf();
    let run = offerkit_with(&vars, &dir, &["doctor", "--json"]).await;
    assert_eq!(run.code, 0, "{run:?}");
    let report = run.json();
    assert_eq!(report["ok"], true);
    for id in [
        "partner-center-ingestion",
        "partner-center-orders",
        "adobe",
        "appcharge",
    ] {
        let v = vendor(&report, id);
        assert_eq!(v["status"], "ok", "{v}");
        assert_eq!(v["token"]["status"], "passed", "{v}");
        let secret = v["keys"]
            .as_array()
            .and_then(|ks| ks.iter().find(|k| k["secret"] == true))
            .unwrap_or_else(|| panic!("{v}"));
        assert_eq!(secret["set"], true);
        assert_eq!(secret["source"], "env");
    }
    assert_eq!(vendor(&report, "adobe")["read"]["status"], "passed");
    assert_eq!(vendor(&report, "appcharge")["read"]["status"], "passed");
    assert_eq!(
        vendor(&report, "partner-center-ingestion")["read"]["status"],
        "passed"
    );
    // Orders reads the partner's customers, the one read that needs no customer id.
    let orders = &vendor(&report, "partner-center-orders")["read"];
    assert_eq!(orders["status"], "passed", "{orders}");
    assert_eq!(sandbox.count("GET", "/v1/customers"), 1);
    // The token step really fetched tokens (Azure AD twice, Adobe IMS once).
    assert_eq!(sandbox.count("POST", "/e2e-tenant/oauth2/token"), 2);
    assert_eq!(sandbox.count("POST", "/ims/token/v3"), 1);

    let readable = offerkit_with(&vars, &dir, &["doctor"]).await;
    assert_eq!(readable.code, 0, "{readable:?}");
    for (name, value) in &vars {
        if name.ends_with("SECRET") || name.ends_with("TOKEN") {
            assert!(
                !readable.stdout.contains(value.as_str()),
                "{name} shown: {}",
                readable.stdout
            );
            assert!(
                !run.stdout.contains(value.as_str()),
                "{name} shown in --json"
            );
        }
    }
    assert!(readable.stdout.contains("adobe: ok"), "{}", readable.stdout);
    assert!(
        readable
            .stdout
            .contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN (env)"),
        "{}",
        readable.stdout
    );
    assert!(
        readable.stdout.contains("static publisher token"),
        "{}",
        readable.stdout
    );
}

#[tokio::test]
async fn a_closed_port_is_named_a_network_failure_at_the_api_and_at_the_token_endpoint() {
    let closed = ClosedPort::new();
    let url = format!("http://127.0.0.1:{}", closed.port);
    let vars = env(&[
        ("APPCHARGE_URL", &url),
        ("APPCHARGE_PUBLISHER_TOKEN", "closed-port-publisher-token"),
        ("ORDERS_AUTHORITY", &url),
        ("ORDERS_TENANT_ID", "t"),
        ("ORDERS_CLIENT_ID", "c"),
        ("ORDERS_CLIENT_SECRET", "closed-port-client-secret"),
    ]);
    let run = offerkit_with(&vars, TempDir::new("doctor").path(), &["doctor", "--json"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    assert_eq!(report["ok"], false);
    let read = &vendor(&report, "appcharge")["read"];
    assert_eq!(read["status"], "failed", "{read}");
    assert_eq!(read["error"]["kind"], "transport");
    let detail = read["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("Connection refused"),
        "the cause chain is printed: {detail}"
    );
    assert!(
        read["fix"]
            .as_str()
            .is_some_and(|f| f.contains("OFFERKIT_APPCHARGE_URL")),
        "{read}"
    );
    // At the token endpoint: a network error, not "check your client secret".
    let token = &vendor(&report, "partner-center-orders")["token"];
    assert_eq!(token["status"], "failed", "{token}");
    assert_eq!(token["error"]["kind"], "transport", "{token}");
    let fix = token["fix"].as_str().unwrap_or_default();
    assert!(
        fix.starts_with("network") && fix.contains("OFFERKIT_ORDERS_AUTHORITY"),
        "{fix}"
    );
    let detail = token["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("Connection refused") && !detail.contains("client secret"),
        "{detail}"
    );
    // Unconfigured vendors are no failure.
    assert_eq!(vendor(&report, "adobe")["status"], "not-configured");
    assert!(!run.stdout.contains("closed-port-client-secret"));

    // The same chain in a single command's readable error, once.
    let single = offerkit_with(
        &vars,
        TempDir::new("doctor").path(),
        &["appcharge", "get", "--publisher-offer-id", "a:b..c"],
    )
    .await;
    assert_eq!(single.code, 1, "{single:?}");
    assert!(
        single
            .stderr
            .contains("tcp connect error: Connection refused"),
        "{}",
        single.stderr
    );
    assert_eq!(
        single.stderr.matches("Connection refused").count(),
        1,
        "{}",
        single.stderr
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_at_the_token_step_with_the_secret_to_fix() {
    let sandbox = Sandbox::start_with(SandboxConfig {
        clients: Some(vec![ClientCredential {
            client_id: "e2e-client".into(),
            client_secret: "e2e-secret".into(),
        }]),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let mut vars = sandbox_env(&sandbox);
    for (name, value) in &mut vars {
        if name == "OFFERKIT_ADOBE_CLIENT_SECRET" || name == "OFFERKIT_INGESTION_CLIENT_SECRET" {
            *value = "wrong-secret-0123456789".to_owned();
        }
    }
    let run = offerkit_with(&vars, TempDir::new("doctor").path(), &["doctor", "--json"]).await;
    assert_eq!(run.code, 1, "{run:?}");
    let report = run.json();
    for (id, key) in [
        ("adobe", "OFFERKIT_ADOBE_CLIENT_SECRET"),
        (
            "partner-center-ingestion",
            "OFFERKIT_INGESTION_CLIENT_SECRET",
        ),
    ] {
        let v = vendor(&report, id);
        assert_eq!(v["status"], "failed", "{v}");
        assert_eq!(v["token"]["error"]["kind"], "auth", "{v}");
        assert!(
            v["token"]["fix"].as_str().is_some_and(|f| f.contains(key)),
            "{v}"
        );
        assert_eq!(v["read"]["status"], "skipped", "{v}");
    }
    // The right secrets still work.
    assert_eq!(vendor(&report, "partner-center-orders")["status"], "ok");
    assert!(!run.stdout.contains("wrong-secret-0123456789"));
}

#[tokio::test]
async fn missing_keys_name_the_variable_and_an_unconfigured_vendor_fails_only_when_named() {
    let scratch = TempDir::new("doctor");
    let dir = scratch.path().to_path_buf();
    let vars = env(&[("ADOBE_CLIENT_ID", "only-the-id")]);
    let run = offerkit_with(&vars, &dir, &["doctor"]).await;
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.contains("adobe: failed"), "{}", run.stdout);
    assert!(
        run.stdout.contains("OFFERKIT_ADOBE_CLIENT_SECRET"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("appcharge: not configured"),
        "{}",
        run.stdout
    );

    let nothing = offerkit_with(&[], &dir, &["doctor"]).await;
    assert_eq!(nothing.code, 0, "{nothing:?}");
    assert!(
        nothing.stdout.contains("no vendor is configured"),
        "{}",
        nothing.stdout
    );

    let named = offerkit_with(&[], &dir, &["doctor", "--vendor", "appcharge", "--json"]).await;
    assert_eq!(named.code, 2, "{named:?}");
    let report = named.json();
    assert_eq!(report["vendors"].as_array().map(Vec::len), Some(1));
    let fix = report["vendors"][0]["token"]["fix"]
        .as_str()
        .unwrap_or_default();
    assert!(fix.contains("OFFERKIT_APPCHARGE_PUBLISHER_TOKEN"), "{fix}");

    let bad = offerkit_with(&[], &dir, &["doctor", "--vendor", "acme"]).await;
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("unknown vendor `acme`"),
        "{}",
        bad.stderr
    );
}

#[tokio::test]
async fn verbose_runs_show_request_spans_and_never_a_secret() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let vars = sandbox_env(&sandbox);
    let scratch = TempDir::new("doctor");
    let dir = scratch.path().to_path_buf();
    let secrets: Vec<String> = vars
        .iter()
        .filter(|(k, _)| k.ends_with("SECRET") || k.ends_with("TOKEN"))
        .map(|(_, v)| v.clone())
        .collect();
    let quiet = offerkit_with(&vars, &dir, &["doctor"]).await;
    assert_eq!(quiet.code, 0, "{quiet:?}");
    assert!(
        !quiet.stderr.contains("offerkit.request"),
        "no spans by default: {}",
        quiet.stderr
    );

    let mut traced = vars.clone();
    traced.push(("RUST_LOG".to_owned(), "trace".to_owned()));
    for (env, args) in [
        (&vars, &["-vv", "doctor"][..]),
        (
            &vars,
            &["-v", "adobe", "list", "--offer-type", "personalized"][..],
        ),
        (&traced, &["doctor"][..]),
    ] {
        let run = offerkit_with(env, &dir, args).await;
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains("offerkit.request"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("operation=\"token\""),
            "{args:?}: {}",
            run.stderr
        );
        for secret in &secrets {
            assert!(
                !run.stderr.contains(secret.as_str()),
                "{args:?} printed a secret"
            );
        }
        // The sandbox issues JWT-shaped tokens: none may appear.
        assert!(
            !run.stderr.contains("eyJ"),
            "{args:?} printed a token: {}",
            run.stderr
        );
    }
}

#[tokio::test]
async fn a_single_ingestion_command_prints_a_line_per_poll_on_stderr() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    sandbox
        .seed(&serde_json::json!({"ingestion": {"privateOffers": [
            {"id": "private-offer/draft:a..b", "name": "draft", "privateOfferType": "customerPromotion", "state": "draft"}
        ]}}))
        .expect("seed");
    let run = offerkit_with(
        &sandbox_env(&sandbox),
        TempDir::new("doctor").path(),
        &["--json", "ingestion", "delete", "--offer-id", "draft:a..b"],
    )
    .await;
    assert_eq!(run.code, 0, "{run:?}");
    let out = run.json(); // stdout stays the outcome alone
    assert_eq!(out["status"], "retracted", "{out}");
    let job = out["job"]["id"].as_str().expect("job id").to_owned();
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("offerkit: job "))
        .collect();
    assert!(
        lines
            .first()
            .is_some_and(|l| l.contains(&format!("job {job}: submitted; first poll at "))),
        "{}",
        run.stderr
    );
    assert!(
        lines.iter().all(|l| l.contains(" UTC (in ")),
        "{}",
        run.stderr
    );
    // One line before each poll: as many as the status calls the sandbox answered.
    let polls = sandbox.count(
        "GET",
        &format!("/rp/product-ingestion/configure/{job}/status"),
    );
    assert!(polls >= 1);
    assert_eq!(lines.len() as u64, polls, "{}", run.stderr);
}

#[tokio::test]
async fn the_readme_and_help_name_every_key_of_the_one_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split("## Using it for real")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("a \"Using it for real\" section");
    let help = offerkit_with(&[], TempDir::new("doctor").path(), &["--help"]).await;
    assert_eq!(help.code, 0, "{help:?}");
    for key in offerkit::CONFIG_KEYS {
        let name = key.env_name();
        assert!(help.stdout.contains(&name), "--help lacks {name}");
        if matches!(key.scope, offerkit::KeyScope::Vendor(_)) {
            assert!(
                section.contains(&name),
                "README \"Using it for real\" lacks {name}"
            );
        }
    }
    for vendor in offerkit::Vendor::ALL {
        assert!(
            section.contains(&format!("offerkit doctor --vendor {}", vendor.id())),
            "README lacks the doctor line of {vendor}"
        );
    }
}
