//! Loading the JSON Schema files in `specs/`.

use std::path::Path;

use serde_json::{Map, Value};

/// One spec file.
pub struct Spec {
    /// File name, e.g. `appcharge.schema.json`.
    pub file: String,
    /// Output module name (`x-rust-module`), e.g. `appcharge`.
    pub module: String,
    /// Cargo feature gating the module (`x-cargo-feature`), if any.
    pub feature: Option<String>,
    /// Hand-written module the spec only describes (`x-hand-written`); nothing is generated for it.
    pub hand_written: bool,
    /// Generate duplicate-key tolerant `Deserialize` impls for every record (`x-tolerate-duplicate-keys`).
    pub tolerate_duplicate_keys: bool,
    /// `title` and `description` of the file, for the module docs.
    pub title: String,
    /// File description.
    pub description: String,
    /// The `$defs`, in file order.
    pub defs: Map<String, Value>,
}

/// Loads every `*.schema.json` in `dir`, sorted by file name.
pub fn load_all(dir: &Path) -> Result<Vec<Spec>, String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".schema.json"))
        .collect();
    names.sort();
    names.iter().map(|name| load(dir, name)).collect()
}

/// Loads one spec file of `dir`.
pub fn load(dir: &Path, file: &str) -> Result<Spec, String> {
    let text = std::fs::read_to_string(dir.join(file))
        .map_err(|e| format!("reading {}: {e}", dir.join(file).display()))?;
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| format!("specs/{file} is not JSON: {e}"))?;
    let str_of = |key: &str| doc.get(key).and_then(Value::as_str).map(str::to_owned);
    let module =
        str_of("x-rust-module").ok_or_else(|| format!("specs/{file}: missing x-rust-module"))?;
    let defs = doc
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| format!("specs/{file}: missing $defs"))?;
    Ok(Spec {
        file: file.to_owned(),
        module,
        feature: str_of("x-cargo-feature"),
        hand_written: doc
            .get("x-hand-written")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        tolerate_duplicate_keys: doc
            .get("x-tolerate-duplicate-keys")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        title: str_of("title").unwrap_or_default(),
        description: str_of("description").unwrap_or_default(),
        defs,
    })
}
