//! Batch input: one [`Target`] per line, each checked on its own, with line numbers.

use std::collections::HashMap;

use offerkit::Target;

/// One non-blank, non-comment input line after validation.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A valid target, first of its key.
    Valid {
        /// 1-based line number.
        line: usize,
        /// The target.
        target: Target,
    },
    /// A line that is not a valid target.
    Invalid {
        /// 1-based line number.
        line: usize,
        /// Why, naming the field.
        error: String,
    },
    /// A valid target whose key already appeared on an earlier line; never run twice.
    Duplicate {
        /// 1-based line number.
        line: usize,
        /// The earlier line with the same key.
        first_line: usize,
        /// The shared key.
        key: String,
    },
}

impl Entry {
    /// The line number.
    pub fn line(&self) -> usize {
        match self {
            Entry::Valid { line, .. }
            | Entry::Invalid { line, .. }
            | Entry::Duplicate { line, .. } => *line,
        }
    }
}

/// Parses every line of `text`. Blank lines and lines starting with `#` are skipped;
/// a bad line becomes [`Entry::Invalid`] and does not stop the others.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match Target::from_json(trimmed) {
            Err(error) => entries.push(Entry::Invalid {
                line,
                error: error.to_string(),
            }),
            Ok(target) => {
                let key = target.key();
                match first_seen.get(&key) {
                    Some(&first_line) => entries.push(Entry::Duplicate {
                        line,
                        first_line,
                        key,
                    }),
                    None => {
                        first_seen.insert(key, line);
                        entries.push(Entry::Valid { line, target });
                    }
                }
            }
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_with_numbers_and_others_kept() {
        let text = concat!(
            "{\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"a\"}\n",
            "\n",
            "# a comment\n",
            "{\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"\"}\n",
            "{not json\n",
            "{\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"a\"}\n",
            "{\"vendor\":\"adobe\",\"action\":\"delete\",\"offerId\":\"x\",\"offerType\":\"fallback\"}",
        );
        let entries = parse(text);
        let lines: Vec<usize> = entries.iter().map(Entry::line).collect();
        assert_eq!(lines, [1, 4, 5, 6, 7]);
        assert!(matches!(&entries[0], Entry::Valid { .. }));
        match &entries[1] {
            Entry::Invalid { error, .. } => {
                assert_eq!(error, "field `publisherOfferId`: must not be empty")
            }
            other => panic!("{other:?}"),
        }
        match &entries[2] {
            Entry::Invalid { error, .. } => assert!(error.starts_with("not valid JSON")),
            other => panic!("{other:?}"),
        }
        match &entries[3] {
            Entry::Duplicate {
                first_line, key, ..
            } => {
                assert_eq!(*first_line, 1);
                assert_eq!(key, "appcharge:delete:a");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&entries[4], Entry::Valid { line: 7, .. }));
    }
}
