//! `COMMAND --flag value ... [-- WORDS...]` parsing (no dependencies; every flag takes one value;
//! whatever follows `--` is kept as is, for `measure`'s command line).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::Result;

/// A command, its `--flag value` pairs and the words after `--`.
#[derive(Debug)]
pub(crate) struct Args {
    /// The sub-command.
    pub(crate) command: String,
    flags: HashMap<String, String>,
    /// Everything after a `--` word, unparsed.
    pub(crate) rest: Vec<String>,
}

impl Args {
    /// Parses `COMMAND (--flag value)* [-- WORDS...]`.
    pub(crate) fn parse(mut raw: impl Iterator<Item = String>) -> Result<Self> {
        let command = raw.next().ok_or(
            "usage: offerkit-bench <overhead|gen-batch|fanout|load|measure> [--flag value]... [-- COMMAND...]",
        )?;
        let mut flags = HashMap::new();
        while let Some(flag) = raw.next() {
            if flag == "--" {
                return Ok(Self {
                    command,
                    flags,
                    rest: raw.collect(),
                });
            }
            let name = flag
                .strip_prefix("--")
                .ok_or_else(|| format!("expected a --flag, got `{flag}`"))?;
            let value = raw
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            flags.insert(name.to_owned(), value);
        }
        Ok(Self {
            command,
            flags,
            rest: Vec::new(),
        })
    }

    /// An optional flag.
    pub(crate) fn optional(&self, name: &str) -> Option<String> {
        self.flags.get(name).cloned()
    }

    /// A required flag.
    pub(crate) fn string(&self, name: &str) -> Result<String> {
        self.optional(name)
            .ok_or_else(|| format!("--{name} is required"))
    }

    /// A required path flag.
    pub(crate) fn path(&self, name: &str) -> Result<PathBuf> {
        self.string(name).map(PathBuf::from)
    }

    /// A number flag with a default.
    pub(crate) fn u64(&self, name: &str, default: u64) -> Result<u64> {
        match self.flags.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|e| format!("--{name} {v}: not a number: {e}")),
        }
    }

    /// A count flag with a default.
    pub(crate) fn usize(&self, name: &str, default: usize) -> Result<usize> {
        let n = self.u64(name, default as u64)?;
        usize::try_from(n).map_err(|e| format!("--{name} {n}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags_and_defaults() {
        let args = Args::parse(
            ["load", "--url", "http://127.0.0.1:1/x", "--seconds", "3"]
                .into_iter()
                .map(String::from),
        )
        .expect("parses");
        assert_eq!(args.command, "load");
        assert_eq!(args.u64("seconds", 10), Ok(3));
        assert_eq!(args.usize("connections", 64), Ok(64));
        assert!(args.string("missing").is_err());
    }

    #[test]
    fn keeps_the_words_after_a_double_dash() {
        let args = Args::parse(
            [
                "measure", "--report", "r.json", "--", "prog", "--flag", "--",
            ]
            .into_iter()
            .map(String::from),
        )
        .expect("parses");
        assert_eq!(args.string("report"), Ok("r.json".to_owned()));
        assert_eq!(args.rest, ["prog", "--flag", "--"]);
    }

    #[test]
    fn rejects_a_flag_without_value() {
        assert!(Args::parse(["load", "--url"].into_iter().map(String::from)).is_err());
    }
}
