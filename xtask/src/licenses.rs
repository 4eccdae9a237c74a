//! The dependency tree's licences against an allow-list (`cargo xtask licenses`; also a tidy test).
//!
//! Every package `cargo metadata` resolves from the lockfile (every dependency kind; all platforms for
//! `cargo xtask licenses`, which lets cargo download what it lacks, and this machine's platform for the
//! offline tidy test, which reads only what the build here downloaded) must have
//! an SPDX licence expression that the allow-list satisfies: `A OR B` needs one side, `A AND B` both, and
//! `A WITH exception` needs `A` and an allowed exception. The legacy `A/B` spelling reads as `A OR B`. A
//! package with no expression (only a `license-file`) must be listed in [`LICENSE_FILE_ONLY`] with the
//! licence its file states. Security advisories are not checked here: that needs the RustSec database
//! (cargo-audit / cargo-deny), which this offline check does not fetch.

use crate::metadata::{Metadata, Package};

/// Licences a dependency may be used under. MPL-2.0 and copyleft licences are not on it: none is in the tree
/// today, and adding one is a decision to take (and note here), not a side effect of a dependency bump.
pub const ALLOWED: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    // ICU4X (through url/idna) and unicode-ident's data.
    "Unicode-3.0",
    "Zlib",
    // webpki-roots: the Mozilla root certificates as data.
    "CDLA-Permissive-2.0",
];

/// Licence exceptions (`WITH ...`) that only grant more permissions.
pub const ALLOWED_EXCEPTIONS: &[&str] = &["LLVM-exception"];

/// Packages that declare only a `license-file`: (name, the licence that file states, who pulls it in).
pub const LICENSE_FILE_ONLY: &[(&str, &str, &str)] = &[(
    "stringmetrics",
    "Apache-2.0",
    "httpmock (dev-dependency only); its LICENSE is the Apache License 2.0",
)];

/// One token of an SPDX expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    Word(&'a str),
}

fn tokens(expression: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for word in expression.split_whitespace() {
        let mut rest = word;
        while let Some(stripped) = rest.strip_prefix('(') {
            out.push(Token::Open);
            rest = stripped;
        }
        let mut closes = 0;
        while let Some(stripped) = rest.strip_suffix(')') {
            closes += 1;
            rest = stripped;
        }
        // Legacy `MIT/Apache-2.0`: a slash between ids means OR.
        for (i, part) in rest.split('/').enumerate() {
            if i > 0 {
                out.push(Token::Word("OR"));
            }
            if !part.is_empty() {
                out.push(Token::Word(part));
            }
        }
        out.extend(std::iter::repeat_n(Token::Close, closes));
    }
    out
}

/// A recursive-descent reading of an SPDX expression, answering whether the allow-list satisfies it.
struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn or_expr(&mut self) -> Result<bool, String> {
        let mut ok = self.and_expr()?;
        while self.peek() == Some(&Token::Word("OR")) {
            self.at += 1;
            ok |= self.and_expr()?;
        }
        Ok(ok)
    }

    fn and_expr(&mut self) -> Result<bool, String> {
        let mut ok = self.atom()?;
        while self.peek() == Some(&Token::Word("AND")) {
            self.at += 1;
            ok &= self.atom()?;
        }
        Ok(ok)
    }

    fn atom(&mut self) -> Result<bool, String> {
        match self.next() {
            Some(Token::Open) => {
                let ok = self.or_expr()?;
                match self.next() {
                    Some(Token::Close) => Ok(ok),
                    _ => Err("unbalanced `(`".to_owned()),
                }
            }
            Some(Token::Word(word)) if !matches!(word, "AND" | "OR" | "WITH") => {
                let id = word.strip_suffix('+').unwrap_or(word);
                let mut ok = ALLOWED.contains(&id);
                if self.peek() == Some(&Token::Word("WITH")) {
                    self.at += 1;
                    match self.next() {
                        Some(Token::Word(exception)) => {
                            ok &= ALLOWED_EXCEPTIONS.contains(&exception);
                        }
                        _ => return Err("`WITH` without an exception".to_owned()),
                    }
                }
                Ok(ok)
            }
            Some(other) => Err(format!("unexpected {other:?}")),
            None => Err("the expression ends too early".to_owned()),
        }
    }
}

/// Whether the allow-list satisfies the SPDX `expression`; an error for an expression that cannot be read.
pub fn allowed(expression: &str) -> Result<bool, String> {
    let mut parser = Parser {
        tokens: tokens(expression),
        at: 0,
    };
    let ok = parser.or_expr()?;
    match parser.peek() {
        None => Ok(ok),
        Some(extra) => Err(format!("unexpected {extra:?} after a complete expression")),
    }
}

/// The problem with one package's licence, if any (`None`: allowed).
pub fn problem(package: &Package) -> Option<String> {
    let who = format!("{} {}", package.name, package.version);
    let Some(expression) = package.license.as_deref() else {
        return match LICENSE_FILE_ONLY
            .iter()
            .find(|(name, _, _)| *name == package.name)
        {
            Some((_, stated, _)) if allowed(stated) == Ok(true) => None,
            Some((_, stated, _)) => Some(format!("{who}: listed as `{stated}`, not allowed")),
            None => Some(format!(
                "{who}: no licence expression (license-file: {}); read its licence and add it to \
                 LICENSE_FILE_ONLY in xtask/src/licenses.rs, or drop the dependency",
                package
                    .license_file
                    .as_deref()
                    .map_or("none".into(), |p| p.display().to_string())
            )),
        };
    };
    match allowed(expression) {
        Ok(true) => None,
        Ok(false) => Some(format!(
            "{who}: `{expression}` is not satisfied by the allow-list ({})",
            ALLOWED.join(", ")
        )),
        Err(e) => Some(format!("{who}: cannot read `{expression}`: {e}")),
    }
}

/// Every problem in the resolved dependency tree (third-party packages only; the workspace's own crates are
/// checked by the tidy metadata test).
pub fn problems(resolved: &Metadata) -> Vec<String> {
    resolved
        .packages
        .iter()
        .filter(|p| p.source.is_some())
        .filter_map(problem)
        .collect()
}

/// `cargo xtask licenses`: checks the tree, prints a one-line summary or every problem.
pub fn run() -> Result<(), String> {
    let resolved = Metadata::load_resolved_all_platforms(&crate::metadata::workspace_root())?;
    let problems = problems(&resolved);
    let third_party = resolved
        .packages
        .iter()
        .filter(|p| p.source.is_some())
        .count();
    if problems.is_empty() {
        eprintln!(
            "licences: all {third_party} third-party packages allowed ({}). Advisories are not checked \
             (no RustSec database offline).",
            ALLOWED.join(", ")
        );
        Ok(())
    } else {
        Err(format!(
            "licences not allowed:\n  {}",
            problems.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spdx_expressions() {
        for ok in [
            "MIT",
            "MIT OR Apache-2.0",
            "Apache-2.0 OR LGPL-2.1-or-later OR MIT",
            "MIT/Apache-2.0",
            "Apache-2.0 / MIT",
            "(MIT OR Apache-2.0) AND Unicode-3.0",
            "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
            "Apache-2.0 AND ISC",
            "Unlicense OR MIT",
            "CDLA-Permissive-2.0",
        ] {
            assert_eq!(allowed(ok), Ok(true), "{ok}");
        }
        for not in [
            "GPL-3.0-only",
            "MPL-2.0",
            "MIT AND GPL-2.0",
            "(MIT OR Apache-2.0) AND LGPL-2.1",
            "GPL-2.0 WITH LLVM-exception",
            "Apache-2.0 WITH Classpath-exception-2.0",
        ] {
            assert_eq!(allowed(not), Ok(false), "{not}");
        }
        for broken in [
            "",
            "MIT OR",
            "(MIT",
            "MIT)",
            "MIT Apache-2.0",
            "MIT WITH",
            "AND MIT",
        ] {
            assert!(allowed(broken).is_err(), "{broken:?}");
        }
    }

    fn package(name: &str, license: Option<&str>) -> Package {
        let json = serde_json::json!({
            "name": name, "version": "1.0.0", "manifest_path": "/r/Cargo.toml", "publish": null,
            "description": null, "license": license, "repository": null, "readme": null,
            "rust_version": null, "source": "registry+https://github.com/rust-lang/crates.io-index",
            "license_file": "LICENSE"
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn names_the_crate_that_fails() {
        let gpl = problem(&package("copyleft", Some("GPL-3.0-only"))).unwrap();
        assert!(
            gpl.starts_with("copyleft 1.0.0:") && gpl.contains("GPL-3.0-only"),
            "{gpl}"
        );
        let unknown = problem(&package("mystery", None)).unwrap();
        assert!(
            unknown.contains("mystery 1.0.0") && unknown.contains("LICENSE_FILE_ONLY"),
            "{unknown}"
        );
        assert_eq!(problem(&package("stringmetrics", None)), None);
        assert_eq!(problem(&package("fine", Some("MIT OR Apache-2.0"))), None);
    }
}
