//! `cargo xtask codegen`: generates the models' record types from the JSON Schema files in `specs/`,
//! and from the same specs the sandbox's known-field lists and OpenAPI schemas (`codegen/sandbox.rs`).
//!
//! Every `specs/*.schema.json` (except hand-written ones marked `"x-hand-written": true`, such as
//! `lenient.schema.json`) becomes `crates/models/src/generated/<x-rust-module>.rs`; `generated/mod.rs` lists
//! them behind their cargo features. The output is formatted with `rustfmt` so `cargo fmt --check` agrees.
//!
//! With `--check` nothing is written: the files are regenerated in memory and compared (newlines
//! normalised), and the task fails naming every file that differs (rust-analyzer's `ensure_file_contents`).

mod emit;
mod sandbox;
mod spec;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Directory of the specs, relative to the workspace root.
const SPECS_DIR: &str = "specs";
/// Directory of the generated models, relative to the workspace root.
const OUT_DIR: &str = "crates/models/src/generated";
/// Directory of the sandbox's generated files, relative to the workspace root.
const SANDBOX_OUT_DIR: &str = "crates/sandbox/src/generated";
/// The sandbox's own API (control API, token requests), in the same JSON Schema dialect as `specs/`.
const SANDBOX_SPEC: (&str, &str) = ("crates/sandbox", "sandbox.schema.json");

/// Regenerates the models; with `check`, compares in memory and fails naming the files that differ.
pub fn run(check: bool) -> Result<(), String> {
    let root = workspace_root();
    let files = generate(&root)?;
    let mut stale = Vec::new();
    for (path, contents) in &files {
        let current = std::fs::read_to_string(path)
            .ok()
            .map(|s| normalize_newlines(&s));
        if current.as_deref() == Some(contents.as_str()) {
            continue;
        }
        let shown = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        if check {
            stale.push(shown);
        } else {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("creating {}: {e}", dir.display()))?;
            }
            std::fs::write(path, contents).map_err(|e| format!("writing {shown}: {e}"))?;
            eprintln!("updated {shown}");
        }
    }
    // Generated files that no spec produces any more.
    let wanted: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    let mut generated = rust_files(&root.join(OUT_DIR))?;
    generated.extend(rust_files(&root.join(SANDBOX_OUT_DIR))?);
    for path in generated {
        if !wanted.contains(&&path) {
            let shown = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            if check {
                stale.push(format!("{shown} (no spec generates it)"));
            } else {
                std::fs::remove_file(&path).map_err(|e| format!("removing {shown}: {e}"))?;
                eprintln!("removed {shown}");
            }
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "generated files are out of date:\n  {}\nrun `cargo xtask codegen` and commit the result",
            stale.join("\n  ")
        ))
    }
}

/// Every generated file: its absolute path and formatted contents.
fn generate(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let specs = spec::load_all(&root.join(SPECS_DIR))?;
    let mut files = Vec::new();
    let mut modules = Vec::new();
    for spec in specs.iter().filter(|s| !s.hand_written) {
        let text = emit::module(spec, &specs)?;
        let path = root.join(OUT_DIR).join(format!("{}.rs", spec.module));
        files.push((path, rustfmt(root, &text)?));
        modules.push((spec.module.clone(), spec.feature.clone()));
    }
    files.push((
        root.join(OUT_DIR).join("mod.rs"),
        rustfmt(root, &emit::mod_rs(&modules))?,
    ));
    let sandbox_dir = root.join(SANDBOX_OUT_DIR);
    files.push((
        sandbox_dir.join("fields.rs"),
        rustfmt(root, &sandbox::fields_rs(&specs))?,
    ));
    files.push((
        sandbox_dir.join("mod.rs"),
        rustfmt(root, &sandbox::mod_rs())?,
    ));
    let mut all = specs;
    all.push(spec::load(&root.join(SANDBOX_SPEC.0), SANDBOX_SPEC.1)?);
    files.push((
        sandbox_dir.join("openapi_schemas.json"),
        sandbox::openapi_schemas(&all)?,
    ));
    Ok(files)
}

/// The generated files (`.rs`, `.json`) in `dir`.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("listing {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "rs" || e == "json") {
            out.push(path);
        }
    }
    Ok(out)
}

/// Formats Rust source text with `rustfmt --edition 2024`, reading stdin and writing stdout.
fn rustfmt(root: &Path, text: &str) -> Result<String, String> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut child = Command::new(rustfmt)
        .args(["--edition", "2024", "--emit", "stdout"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("rustfmt has no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("waiting for rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout)
        .map(|s| normalize_newlines(&s))
        .map_err(|e| format!("rustfmt output is not UTF-8: {e}"))
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

#[cfg(test)]
mod tests {
    /// `cargo test` catches drift between `specs/` and the committed generated files.
    #[test]
    fn generated_models_are_up_to_date() {
        if let Err(message) = super::run(true) {
            panic!("{message}");
        }
    }

    #[test]
    fn snake_case_names() {
        use super::emit::snake_case;
        assert_eq!(snake_case("jobId"), "job_id");
        assert_eq!(snake_case("deliveryURL"), "delivery_url");
        assert_eq!(snake_case("$schema"), "schema");
        assert_eq!(snake_case("error-chain"), "error_chain");
        assert_eq!(snake_case("@nextLink"), "next_link");
        assert_eq!(snake_case("eTag"), "e_tag");
        assert_eq!(snake_case("type"), "r#type");
    }
}
