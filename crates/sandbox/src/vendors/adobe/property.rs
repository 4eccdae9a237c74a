//! The Offer Library list's `property` filter, as Adobe documents it on the list pages ("List
//! personalized offers", "List fallback offers"): "The properties are grouped by AND operation",
//! repeated (`property=A&property=B`) or comma-separated (`property=A,B`), each `[!]field[op]value`
//! with `op` in `==, !=, <=, >=, <, >, ~`, "supporting regular expressions"; a bare `field` (the
//! page's example `property=description`).
//!
//! Assumptions (not documented): a bare `field` means "has the field" and `!field` "has not"; `~`
//! is a case-sensitive regular expression that must match the whole text (the example `id~.*1234.*`
//! wraps its text in `.*`); `<`, `>`, `<=`, `>=` compare numbers when both sides are numbers, text
//! otherwise; `field` may be dotted (`rank.priority`), as `orderBy` paths are.

use regex::Regex;
use serde_json::Value;

/// One parsed expression.
#[derive(Debug)]
pub(crate) struct Property {
    path: Vec<String>,
    test: Test,
}

#[derive(Debug)]
enum Test {
    Exists(bool),
    Compare(Cmp, String),
    Regex(Regex),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
}

/// Every expression of every `property` parameter, or why one is not an expression.
pub(crate) fn parse_all<'a>(params: impl Iterator<Item = &'a str>) -> Result<Vec<Property>, String> {
    params
        .flat_map(|p| p.split(','))
        .filter(|e| !e.trim().is_empty())
        .map(parse)
        .collect()
}

fn parse(expr: &str) -> Result<Property, String> {
    const OPS: [(&str, Option<Cmp>); 7] = [
        ("==", Some(Cmp::Eq)),
        ("!=", Some(Cmp::Ne)),
        ("<=", Some(Cmp::Le)),
        (">=", Some(Cmp::Ge)),
        ("<", Some(Cmp::Lt)),
        (">", Some(Cmp::Gt)),
        ("~", None),
    ];
    let at = expr
        .char_indices()
        .skip(1)
        .find(|(_, c)| "=!<>~".contains(*c))
        .map(|(i, _)| i);
    let Some(at) = at else {
        let (negated, field) = match expr.strip_prefix('!') {
            Some(field) => (true, field),
            None => (false, expr),
        };
        return Ok(Property {
            path: path_of(field, expr)?,
            test: Test::Exists(!negated),
        });
    };
    let (field, rest) = expr.split_at(at);
    let Some((op, cmp)) = OPS.iter().find(|(op, _)| rest.starts_with(op)) else {
        return Err(format!(
            "property `{expr}`: unknown operator at `{rest}` (use ==, !=, <=, >=, <, > or ~)"
        ));
    };
    let value = &rest[op.len()..];
    let test = match cmp {
        Some(cmp) => Test::Compare(*cmp, value.to_owned()),
        None => Test::Regex(
            Regex::new(&format!("^(?:{value})$"))
                .map_err(|e| format!("property `{expr}`: not a regular expression: {e}"))?,
        ),
    };
    Ok(Property {
        path: path_of(field, expr)?,
        test,
    })
}

fn path_of(field: &str, expr: &str) -> Result<Vec<String>, String> {
    let path: Vec<String> = field.split('.').map(str::to_owned).collect();
    if path.iter().any(|s| s.is_empty()) {
        return Err(format!("property `{expr}`: the field `{field}` is not a (dotted) name"));
    }
    Ok(path)
}

impl Property {
    /// Whether `offer` passes.
    pub(crate) fn matches(&self, offer: &Value) -> bool {
        let found = self
            .path
            .iter()
            .try_fold(offer, |v, key| v.get(key.as_str()));
        match (&self.test, found) {
            (Test::Exists(wanted), found) => found.is_some() == *wanted,
            (Test::Compare(Cmp::Ne, value), found) => found.is_none_or(|f| !equal(f, value)),
            (_, None) => false,
            (Test::Compare(Cmp::Eq, value), Some(f)) => equal(f, value),
            (Test::Compare(cmp, value), Some(f)) => {
                let Some(order) = order(f, value) else {
                    return false;
                };
                match cmp {
                    Cmp::Le => order.is_le(),
                    Cmp::Ge => order.is_ge(),
                    Cmp::Lt => order.is_lt(),
                    _ => order.is_gt(),
                }
            }
            (Test::Regex(re), Some(f)) => text(f).is_some_and(|t| re.is_match(&t)),
        }
    }
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}

fn equal(found: &Value, value: &str) -> bool {
    order(found, value).is_some_and(|o| o.is_eq())
}

fn order(found: &Value, value: &str) -> Option<std::cmp::Ordering> {
    let t = text(found)?;
    match (t.parse::<f64>(), value.parse::<f64>()) {
        (Ok(a), Ok(b)) if found.is_number() => a.partial_cmp(&b),
        _ => Some(t.as_str().cmp(value)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn passes(params: &[&str], offer: &Value) -> bool {
        parse_all(params.iter().copied())
            .expect("parse")
            .iter()
            .all(|p| p.matches(offer))
    }

    #[test]
    fn documented_forms() {
        let offer = json!({"id": "perso1234x", "name": "Summer", "status": "draft",
                           "rank": {"priority": 5}, "description": "d"});
        assert!(passes(&["name!=abc", "id~.*1234.*", "description"], &offer));
        assert!(passes(&["name!=abc,id~.*1234.*,description"], &offer));
        assert!(!passes(&["id~1234"], &offer), "~ matches the whole text");
        assert!(passes(&["status==draft"], &offer));
        assert!(!passes(&["status==Draft"], &offer));
        assert!(passes(&["rank.priority>=5", "rank.priority<10"], &offer));
        assert!(!passes(&["rank.priority>5"], &offer));
        assert!(passes(&["!missing"], &offer));
        assert!(!passes(&["missing"], &offer));
        assert!(passes(&["missing!=x"], &offer));
        assert!(!passes(&["missing==x"], &offer));
    }

    #[test]
    fn bad_expressions_are_refused() {
        for bad in ["name=abc", "name~(", ".x==1", "a..b==1"] {
            assert!(parse_all([bad].into_iter()).is_err(), "{bad}");
        }
    }
}
