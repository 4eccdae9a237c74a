//! Batch input as CSV: a header row naming target fields (the JSONL field names), then one target
//! per row, each row one physical line so that line numbers (the journal's, the errors') are the
//! file's own.
//!
//! - Cells are separated by commas and trimmed; a cell may be quoted (`"a, b"`, `""` for a quote
//!   inside). A quoted cell cannot hold a line break: the row is invalid, with that reason.
//! - A blank cell is an absent field, so one file can mix vendors (`offerType` blank on the
//!   Appcharge rows). A row may stop early (the missing cells are blank) but not run long.
//! - List fields (`lineItems`) hold their items separated by `;` (`0;2`).
//! - Blank lines and lines starting with `#` are skipped, before the header too.

use offerkit::Target;
use serde_json::{Map, Value};

use super::input::{Parsed, RawLine};

/// Fields whose value is a list, written `a;b;c` in one cell.
const LIST_FIELDS: &[&str] = &["lineItems"];

/// The separator of a list field's items.
const ITEM_SEPARATOR: char = ';';

/// Columns every header must name.
const REQUIRED_COLUMNS: [&str; 2] = ["vendor", "action"];

/// The header row: its line and the field each column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeader {
    line: usize,
    columns: Vec<String>,
}

impl CsvHeader {
    /// Reads the header from `line`; the error says what is wrong with it.
    pub fn parse(line: &RawLine) -> Result<CsvHeader, String> {
        let text = line.text.as_ref().map_err(ToString::to_string)?;
        let columns = cells(text)?;
        for (i, name) in columns.iter().enumerate() {
            if name.is_empty() {
                return Err(format!("column {} has no name", i + 1));
            }
            if let Some(first) = columns[..i].iter().position(|c| c == name) {
                return Err(format!(
                    "column {} `{name}` repeats column {} (a list field holds its items in one \
                     cell, separated by `{ITEM_SEPARATOR}`)",
                    i + 1,
                    first + 1
                ));
            }
        }
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .into_iter()
            .filter(|c| !columns.iter().any(|name| name == c))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the header must name the columns {} (found: {}); cells are separated by commas",
                REQUIRED_COLUMNS.map(|c| format!("`{c}`")).join(" and "),
                columns.join(" | ")
            ));
        }
        Ok(CsvHeader {
            line: line.number,
            columns,
        })
    }

    /// The line the header is on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Parses one row: the header itself, blank lines and comments are skipped.
    pub fn row(&self, line: &RawLine) -> Parsed {
        let text = match &line.text {
            Ok(text) => text,
            Err(problem) => return Parsed::Invalid(problem.to_string()),
        };
        let trimmed = text.trim();
        if line.number == self.line || trimmed.is_empty() || trimmed.starts_with('#') {
            return Parsed::Skip;
        }
        match self.target(text) {
            Ok(target) => Parsed::Target(Box::new(target)),
            Err(error) => Parsed::Invalid(error),
        }
    }

    fn target(&self, text: &str) -> Result<Target, String> {
        let cells = cells(text)?;
        if cells.len() > self.columns.len()
            && cells[self.columns.len()..].iter().any(|c| !c.is_empty())
        {
            return Err(format!(
                "the row has {} cells and the header names {} columns",
                cells.len(),
                self.columns.len()
            ));
        }
        let mut object = Map::new();
        for (index, (name, cell)) in self.columns.iter().zip(cells).enumerate() {
            if cell.is_empty() {
                continue;
            }
            let value = if LIST_FIELDS.contains(&name.as_str()) {
                list(&cell).map_err(|e| self.at(index, name, &e))?
            } else {
                Value::String(cell)
            };
            object.insert(name.clone(), value);
        }
        Target::from_value(Value::Object(object)).map_err(|e| match e.field() {
            Some(field) => {
                let base = field.split('[').next().unwrap_or(field);
                match self.columns.iter().position(|c| c == base) {
                    Some(index) => self.at(index, field, e.message()),
                    None => format!(
                        "column `{field}`: {} (the header has no such column)",
                        e.message()
                    ),
                }
            }
            None => e.message().to_owned(),
        })
    }

    /// An error about the cell of column `index` (0-based; shown 1-based, with its name).
    fn at(&self, index: usize, name: &str, message: &str) -> String {
        format!("column {} `{name}`: {message}", index + 1)
    }
}

/// The trimmed cells of one line. A line with an unclosed quote is refused: its cell would go on
/// past the line's end, and rows are one line each.
fn cells(text: &str) -> Result<Vec<String>, String> {
    if text.matches('"').count() % 2 == 1 {
        return Err(
            "a quote is not closed on this line (a cell cannot hold a line break: one row per \
             line; a quote inside a quoted cell is written twice, `\"\"`)"
                .to_owned(),
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(_) => Ok(record.iter().map(str::to_owned).collect()),
        Err(e) => Err(format!("not valid CSV: {e}")),
    }
}

/// A list cell: items separated by `;`, each a number (line items).
fn list(cell: &str) -> Result<Value, String> {
    let mut items = Vec::new();
    for item in cell.split(ITEM_SEPARATOR).map(str::trim) {
        if item.is_empty() {
            continue;
        }
        let number: u32 = item.parse().map_err(|_| {
            format!(
                "`{item}` is not a line item number (items are separated by `{ITEM_SEPARATOR}`)"
            )
        })?;
        items.push(Value::from(number));
    }
    Ok(Value::Array(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(number: usize, text: &str) -> RawLine {
        RawLine {
            number,
            offset: 0,
            text: Ok(text.to_owned()),
        }
    }

    fn header(text: &str) -> CsvHeader {
        CsvHeader::parse(&raw(1, text)).expect("header")
    }

    fn invalid(parsed: Parsed) -> String {
        match parsed {
            Parsed::Invalid(error) => error,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    fn target(parsed: Parsed) -> Target {
        match parsed {
            Parsed::Target(target) => *target,
            other => panic!("expected a target, got {other:?}"),
        }
    }

    #[test]
    fn rows_are_the_targets_their_json_lines_would_be() {
        let h = header(
            "vendor, action, publisherOfferId, customerTenantId, orderId, lineItems, offerId, offerType",
        );
        let cases = [
            (
                "appcharge,delete,special-offer-1,,,,,",
                r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"special-offer-1"}"#,
            ),
            (
                r#"partner-center-orders,cancel,,"c:1","o, 2"," 2; 0 ",,"#,
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c:1","orderId":"o, 2","lineItems":[0,2]}"#,
            ),
            (
                "adobe,delete,,,,,o1,fallback",
                r#"{"vendor":"adobe","action":"delete","offerId":"o1","offerType":"fallback"}"#,
            ),
            // A row may stop early: the cells it lacks are blank.
            (
                "appcharge,delete,p2",
                r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"p2"}"#,
            ),
            (
                r#"appcharge,delete,"say ""hi""""#,
                r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"say \"hi\""}"#,
            ),
        ];
        for (row, json) in cases {
            let from_csv = target(h.row(&raw(2, row)));
            let from_json = Target::from_json(json).expect(json);
            assert_eq!(from_csv.key(), from_json.key(), "{row}");
            assert_eq!(from_csv, from_json, "{row}");
        }
    }

    #[test]
    fn errors_name_the_column() {
        let h = header("vendor,action,publisherOfferId,lineItems,orderId,customerTenantId");
        let empty = invalid(h.row(&raw(2, "appcharge,delete,")));
        assert_eq!(empty, "column 3 `publisherOfferId`: is required");
        let dots = invalid(h.row(&raw(2, "appcharge,delete,..")));
        assert!(dots.starts_with("column 3 `publisherOfferId`: "), "{dots}");
        let items = invalid(h.row(&raw(2, "partner-center-orders,cancel,,1;x,o,c")));
        assert!(
            items.starts_with("column 4 `lineItems`: `x` is not a line item number"),
            "{items}"
        );
        let vendor = invalid(h.row(&raw(2, "acme,delete,p")));
        assert!(
            vendor.starts_with("column 1 `vendor`: unknown vendor `acme`"),
            "{vendor}"
        );
        let unknown = invalid(h.row(&raw(2, "appcharge,delete,p,,o")));
        assert!(
            unknown.starts_with("column 5 `orderId`: unknown field"),
            "{unknown}"
        );
        let long = invalid(h.row(&raw(2, "appcharge,delete,p,,,,extra")));
        assert!(
            long.contains("7 cells") && long.contains("6 columns"),
            "{long}"
        );
        let no_column = header("vendor,action");
        let missing = invalid(no_column.row(&raw(2, "appcharge,delete")));
        assert!(
            missing.contains("the header has no such column"),
            "{missing}"
        );
        let newline = invalid(h.row(&raw(2, "appcharge,delete,\"two")));
        assert!(newline.contains("line break"), "{newline}");
    }

    #[test]
    fn headers_are_checked() {
        for (text, wanted) in [
            ("vendor,action,,x", "column 3 has no name"),
            (
                "vendor,action,lineItems,lineItems",
                "column 4 `lineItems` repeats column 3",
            ),
            (
                "vendor;action;publisherOfferId",
                "must name the columns `vendor` and `action`",
            ),
            ("vendor,\"action", "quote is not closed"),
        ] {
            let err = CsvHeader::parse(&raw(1, text)).expect_err(text);
            assert!(err.contains(wanted), "{text}: {err}");
        }
    }

    #[test]
    fn the_header_blanks_and_comments_are_skipped() {
        let h = header("vendor,action,publisherOfferId");
        for (number, text) in [
            (1, "vendor,action,publisherOfferId"),
            (2, "  "),
            (3, "# note,x"),
        ] {
            assert!(matches!(h.row(&raw(number, text)), Parsed::Skip), "{text}");
        }
        assert!(
            matches!(h.row(&raw(4, ",,")), Parsed::Invalid(_)),
            "an empty row is no target"
        );
    }
}
