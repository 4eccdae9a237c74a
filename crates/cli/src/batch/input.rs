//! Batch input: the file (or stdin, spooled to a temporary file), read line by line and never
//! whole, each line checked on its own and numbered.
//!
//! A line is bytes up to `\n` (a trailing `\r` is dropped). A UTF-8 byte-order mark before the
//! first line is ignored. A line that is not UTF-8, or longer than [`MAX_LINE_BYTES`], is invalid
//! on its own: the others still run. Blank lines and lines starting with `#` are skipped.
//!
//! Each line is one target in the input's [`InputFormat`]: a JSON object (JSONL), or a CSV row
//! under a header row (see [`super::csv_rows`]). [`Input::parse`] reads a line either way.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use offerkit::{Error, ErrorKind, Target};

use super::csv_rows::CsvHeader;

/// The longest input line read (1 MiB); a longer line is invalid without being held in memory.
/// Real targets are a few hundred bytes, and ids are at most 1,024 bytes each.
pub const MAX_LINE_BYTES: usize = 1 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How the input's lines hold targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// One JSON object per line.
    Jsonl,
    /// A header row naming the target fields, then one target per row (one row per line).
    Csv,
}

impl InputFormat {
    /// The format of a file by its name: CSV for a name ending in `.csv` (any case), JSONL
    /// otherwise (stdin too).
    pub fn of_path(path: &Path) -> InputFormat {
        let csv = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("csv"));
        if csv {
            InputFormat::Csv
        } else {
            InputFormat::Jsonl
        }
    }
}

/// What the lines are read as: JSONL, or CSV under its header (`None` while the input has no
/// header row: nothing but blank lines and comments).
#[derive(Debug, Clone)]
enum Reading {
    Jsonl,
    Csv(Option<CsvHeader>),
}

/// The batch input: a file, or stdin copied to a temporary file first (the batch reads its input
/// twice: once to check and index it, once to run it).
#[derive(Debug)]
pub struct Input {
    path: PathBuf,
    name: String,
    reading: Reading,
    /// Keeps the spooled stdin alive (deleted on drop).
    _spool: Option<tempfile::TempPath>,
}

impl Input {
    /// Opens `arg` in the format its name says ([`InputFormat::of_path`]); `-` reads all of
    /// stdin into a temporary file first.
    pub fn open(arg: &Path) -> Result<Input, Error> {
        Input::open_as(arg, None)
    }

    /// Opens `arg` as `format` (`None`: by its name). A CSV input's header row is read here: a
    /// bad header is an error of the whole input.
    pub fn open_as(arg: &Path, format: Option<InputFormat>) -> Result<Input, Error> {
        let format = format.unwrap_or_else(|| InputFormat::of_path(arg));
        let input = Input::open_jsonl(arg)?;
        input.read_as(format)
    }

    fn open_jsonl(arg: &Path) -> Result<Input, Error> {
        if arg == Path::new("-") {
            return Input::spool(&mut std::io::stdin().lock());
        }
        let mut file = File::open(arg).map_err(|e| input_error(arg, &e))?;
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        if !regular {
            // A named pipe or a process substitution (`<(…)`) can be read only once.
            let mut spooled = Input::spool(&mut file)?;
            spooled.name = arg.display().to_string();
            return Ok(spooled);
        }
        let name = std::fs::canonicalize(arg)
            .unwrap_or_else(|_| arg.to_owned())
            .display()
            .to_string();
        Ok(Input {
            path: arg.to_owned(),
            name,
            reading: Reading::Jsonl,
            _spool: None,
        })
    }

    /// This input read as `format` (for CSV, its header row found and checked).
    pub fn read_as(mut self, format: InputFormat) -> Result<Input, Error> {
        self.reading = match format {
            InputFormat::Jsonl => Reading::Jsonl,
            InputFormat::Csv => Reading::Csv(self.csv_header()?),
        };
        Ok(self)
    }

    /// The first line that is neither blank nor a comment, read as the CSV header.
    fn csv_header(&self) -> Result<Option<CsvHeader>, Error> {
        for line in self.lines()? {
            let line = line?;
            if matches!(&line.text, Ok(text) if text.trim().is_empty() || text.trim().starts_with('#'))
            {
                continue;
            }
            return CsvHeader::parse(&line).map(Some).map_err(|why| {
                Error::new(
                    ErrorKind::Input,
                    format!("{}: line {}: CSV header: {why}", self.name, line.number),
                )
            });
        }
        Ok(None)
    }

    /// The input's format.
    pub fn format(&self) -> InputFormat {
        match self.reading {
            Reading::Jsonl => InputFormat::Jsonl,
            Reading::Csv(_) => InputFormat::Csv,
        }
    }

    /// Parses one of this input's lines (any line, read in order or again).
    pub fn parse(&self, line: &RawLine) -> Parsed {
        match &self.reading {
            Reading::Jsonl => parse_line(line),
            Reading::Csv(Some(header)) => header.row(line),
            // No header: every line is blank or a comment.
            Reading::Csv(None) => Parsed::Skip,
        }
    }

    /// Copies `reader` into a temporary file (for stdin and pipes).
    pub fn spool(reader: &mut dyn Read) -> Result<Input, Error> {
        let io =
            |e: std::io::Error| Error::new(ErrorKind::Input, format!("cannot read the input: {e}"));
        let mut file = tempfile::NamedTempFile::new().map_err(io)?;
        std::io::copy(reader, &mut file).map_err(io)?;
        file.as_file().sync_data().map_err(io)?;
        let path = file.into_temp_path();
        Ok(Input {
            path: path.to_path_buf(),
            name: "<stdin>".to_owned(),
            reading: Reading::Jsonl,
            _spool: Some(path),
        })
    }

    /// Copies `reader` into a temporary file named `name` in messages and in the journal (what
    /// `offerkit apply` runs: the plan's targets, named by the plan).
    pub fn spool_named(reader: &mut dyn Read, name: impl Into<String>) -> Result<Input, Error> {
        let mut input = Input::spool(reader)?;
        input.name = name.into();
        Ok(input)
    }

    /// How the input is named in messages and in the journal header: the canonical path, or
    /// `<stdin>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file read (the spooled copy for stdin).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lines, from the start.
    pub fn lines(&self) -> Result<Lines<BufReader<File>>, Error> {
        let file = File::open(&self.path).map_err(|e| input_error(&self.path, &e))?;
        Ok(Lines::new(BufReader::with_capacity(64 * 1024, file)))
    }

    /// Reads line `number` again (1-based), starting from the checkpoint at or before it.
    pub fn reread(&self, checkpoints: &Checkpoints, number: usize) -> Result<RawLine, Error> {
        let (offset, first) = checkpoints.before(number);
        let mut file = File::open(&self.path).map_err(|e| input_error(&self.path, &e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| input_error(&self.path, &e))?;
        let mut lines = Lines::new(BufReader::new(file));
        lines.number = first - 1;
        lines.at_start = first == 1;
        loop {
            match lines.next() {
                Some(Ok(line)) if line.number == number => return Ok(line),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => {
                    return Err(Error::new(
                        ErrorKind::Input,
                        format!(
                            "{}: line {number} is gone (the file changed during the run)",
                            self.name
                        ),
                    ));
                }
            }
        }
    }
}

/// Whether two paths name one file (a hard link, a symlink, another spelling), by `stat` alone:
/// nothing is opened (opening a named pipe would consume its writer).
pub fn is_same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => same_inode(&a, &b),
        _ => false,
    }
}

/// Whether two `stat`s are of one file (device and inode; elsewhere than Unix, never).
pub fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

fn input_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Input,
        format!("cannot read {}: {e}", path.display()),
    )
}

/// The byte offset of every [`Checkpoints::EVERY`]th line, so one line can be read again without
/// keeping lines in memory (8 bytes per 64 lines).
#[derive(Debug, Default)]
pub struct Checkpoints {
    offsets: Vec<u64>,
}

impl Checkpoints {
    /// Lines between two checkpoints.
    pub const EVERY: usize = 64;

    /// Records where line `number` starts, if it is a checkpoint line.
    pub fn note(&mut self, number: usize, offset: u64) {
        if (number - 1).is_multiple_of(Self::EVERY) {
            self.offsets.push(offset);
        }
    }

    /// The nearest checkpoint at or before line `number`: its offset and line number.
    fn before(&self, number: usize) -> (u64, usize) {
        let index = (number - 1) / Self::EVERY;
        match self.offsets.get(index) {
            Some(offset) => (*offset, index * Self::EVERY + 1),
            None => (0, 1),
        }
    }
}

/// One input line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    /// 1-based line number.
    pub number: usize,
    /// Where the line starts in the file.
    pub offset: u64,
    /// The text, or why it cannot be used.
    pub text: Result<String, LineProblem>,
}

/// Why a line could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineProblem {
    /// Longer than [`MAX_LINE_BYTES`] (its length in bytes).
    TooLong(u64),
    /// Not UTF-8: the first bad byte is at this 1-based column.
    NotUtf8(usize),
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineProblem::TooLong(n) => write!(
                f,
                "the line is {n} bytes long; at most {MAX_LINE_BYTES} bytes are read"
            ),
            LineProblem::NotUtf8(column) => {
                write!(f, "not valid UTF-8 (first bad byte at column {column})")
            }
        }
    }
}

/// The lines of a reader, bounded in length and memory.
pub struct Lines<R> {
    reader: R,
    number: usize,
    offset: u64,
    at_start: bool,
    buffer: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// Reads `reader` from its start.
    pub fn new(reader: R) -> Self {
        Lines {
            reader,
            number: 0,
            offset: 0,
            at_start: true,
            buffer: Vec::new(),
        }
    }

    /// Reads one line into `self.buffer`; returns its full length, or `None` at the end.
    fn read_bounded(&mut self) -> std::io::Result<Option<u64>> {
        self.buffer.clear();
        let mut length: u64 = 0;
        let mut any = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(any.then_some(length));
            }
            any = true;
            let (take, ends) = match chunk.iter().position(|b| *b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.buffer.len());
            self.buffer.extend_from_slice(&chunk[..take.min(room)]);
            length += take as u64;
            self.reader.consume(take + usize::from(ends));
            self.offset += take as u64 + u64::from(ends);
            if ends {
                return Ok(Some(length));
            }
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<RawLine, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.offset;
        let length = match self.read_bounded() {
            Ok(Some(length)) => length,
            Ok(None) => return None,
            Err(e) => {
                return Some(Err(Error::new(
                    ErrorKind::Input,
                    format!("cannot read the input after line {}: {e}", self.number),
                )));
            }
        };
        self.number += 1;
        let mut bytes = std::mem::take(&mut self.buffer);
        let mut length = length;
        if std::mem::take(&mut self.at_start) && bytes.starts_with(BOM) {
            bytes.drain(..BOM.len());
            length -= BOM.len() as u64;
        }
        if bytes.last() == Some(&b'\r') && length as usize == bytes.len() {
            bytes.pop();
            length -= 1;
        }
        let text = if length > MAX_LINE_BYTES as u64 {
            Err(LineProblem::TooLong(length))
        } else {
            String::from_utf8(bytes)
                .map_err(|e| LineProblem::NotUtf8(e.utf8_error().valid_up_to() + 1))
        };
        Some(Ok(RawLine {
            number: self.number,
            offset: start,
            text,
        }))
    }
}

/// What one line holds.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// Blank or a `#` comment.
    Skip,
    /// A valid target.
    Target(Box<Target>),
    /// Not a valid target: why, naming the field.
    Invalid(String),
}

/// Parses one JSONL line ([`Input::parse`] reads a line in the input's format).
pub fn parse_line(line: &RawLine) -> Parsed {
    let text = match &line.text {
        Ok(text) => text.trim(),
        Err(problem) => return Parsed::Invalid(problem.to_string()),
    };
    if text.is_empty() || text.starts_with('#') {
        return Parsed::Skip;
    }
    match Target::from_json(text) {
        Ok(target) => Parsed::Target(Box::new(target)),
        Err(error) => Parsed::Invalid(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<RawLine> {
        Lines::new(bytes)
            .collect::<Result<Vec<_>, _>>()
            .expect("read")
    }

    #[test]
    fn a_bom_is_ignored_and_crlf_endings_dropped() {
        let read = lines(b"\xEF\xBB\xBF{\"a\":1}\r\nsecond\n\nlast");
        let texts: Vec<_> = read.iter().map(|l| l.text.clone().expect("text")).collect();
        assert_eq!(texts, ["{\"a\":1}", "second", "", "last"]);
        assert_eq!(read[1].offset, 12);
        assert_eq!(read.last().map(|l| l.number), Some(4));
    }

    #[test]
    fn invalid_utf8_and_overlong_lines_are_invalid_alone() {
        let mut input = b"ok\nbad \xFF byte\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        input.extend_from_slice(b"\nafter\n");
        let read = lines(&input);
        assert_eq!(read.len(), 4);
        assert_eq!(read[1].text, Err(LineProblem::NotUtf8(5)));
        assert_eq!(
            read[2].text,
            Err(LineProblem::TooLong((MAX_LINE_BYTES + 10) as u64))
        );
        assert_eq!(read[3].text.as_deref(), Ok("after"));
        assert_eq!(read[3].number, 4);
    }

    #[test]
    fn lines_are_parsed_each_on_their_own() {
        let raw = |text: &str| RawLine {
            number: 1,
            offset: 0,
            text: Ok(text.to_owned()),
        };
        assert!(matches!(parse_line(&raw("  ")), Parsed::Skip));
        assert!(matches!(parse_line(&raw("# note")), Parsed::Skip));
        let empty_id = r#"{"vendor":"appcharge","action":"delete","publisherOfferId":""}"#;
        match parse_line(&raw(empty_id)) {
            Parsed::Invalid(error) => {
                assert_eq!(error, "field `publisherOfferId`: must not be empty")
            }
            other => panic!("{other:?}"),
        }
        let dots = r#"{"vendor":"appcharge","action":"delete","publisherOfferId":".."}"#;
        assert!(matches!(parse_line(&raw(dots)), Parsed::Invalid(_)));
        let long = format!(
            r#"{{"vendor":"appcharge","action":"delete","publisherOfferId":"{}"}}"#,
            "x".repeat(1025)
        );
        assert!(matches!(parse_line(&raw(&long)), Parsed::Invalid(_)));
        match parse_line(&raw("{not json")) {
            Parsed::Invalid(error) => assert!(error.starts_with("not valid JSON"), "{error}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_line_is_read_again_from_its_checkpoint() {
        let dir = crate::testutil::TempDir::new("input-reread");
        let path = dir.path().join("in.jsonl");
        let text: String = (1..=200).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, text).expect("write");
        let input = Input::open(&path).expect("open");
        let mut checkpoints = Checkpoints::default();
        for line in input.lines().expect("lines") {
            let line = line.expect("line");
            checkpoints.note(line.number, line.offset);
        }
        for n in [1, 63, 64, 65, 129, 200] {
            let line = input.reread(&checkpoints, n).expect("reread");
            assert_eq!(line.text.as_deref(), Ok(format!("line {n}").as_str()));
        }
    }

    #[test]
    fn stdin_is_spooled_and_named() {
        let input = Input::spool(&mut &b"a\nb\n"[..]).expect("spool");
        assert_eq!(input.name(), "<stdin>");
        assert_eq!(input.lines().expect("lines").count(), 2);
    }

    #[test]
    fn csv_inputs_keep_physical_line_numbers() {
        let dir = crate::testutil::TempDir::new("input-csv");
        let path = dir.path().join("in.CSV");
        std::fs::write(
            &path,
            "\u{FEFF}# targets\r\n\r\nvendor,action,publisherOfferId\r\nappcharge,delete,\"a,1\"\r\nappcharge,delete,\"b\n\"\r\nappcharge,delete,c",
        )
        .expect("write");
        let input = Input::open(&path).expect("open");
        assert_eq!(input.format(), InputFormat::Csv);
        let parsed: Vec<(usize, Parsed)> = input
            .lines()
            .expect("lines")
            .map(|l| l.expect("line"))
            .map(|l| (l.number, input.parse(&l)))
            .collect();
        let kinds: Vec<String> = parsed
            .iter()
            .map(|(n, p)| match p {
                Parsed::Skip => format!("{n}:skip"),
                Parsed::Target(t) => format!("{n}:{}", t.key()),
                Parsed::Invalid(_) => format!("{n}:invalid"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "1:skip",
                "2:skip",
                "3:skip",
                "4:appcharge:delete:a,1",
                "5:invalid",
                "6:invalid",
                "7:appcharge:delete:c"
            ]
        );
        let mut checkpoints = Checkpoints::default();
        for line in input.lines().expect("lines") {
            let line = line.expect("line");
            checkpoints.note(line.number, line.offset);
        }
        let again = input.reread(&checkpoints, 7).expect("reread");
        assert!(matches!(input.parse(&again), Parsed::Target(_)));
        let as_jsonl = Input::open_as(&path, Some(InputFormat::Jsonl)).expect("open");
        let line = as_jsonl.reread(&checkpoints, 4).expect("reread");
        assert!(
            matches!(as_jsonl.parse(&line), Parsed::Invalid(_)),
            "--format wins"
        );
    }

    #[test]
    fn a_bad_csv_header_refuses_the_input_naming_its_line() {
        let dir = crate::testutil::TempDir::new("input-csv-header");
        let path = dir.path().join("in.csv");
        std::fs::write(&path, "\n# c\nvendor,action,lineItems,lineItems\n").expect("write");
        let err = Input::open(&path).expect_err("bad header");
        assert_eq!(err.kind(), ErrorKind::Input);
        assert!(
            err.message()
                .contains("line 3: CSV header: column 4 `lineItems` repeats"),
            "{err}"
        );
        std::fs::write(&path, "# only a comment\n").expect("write");
        let empty = Input::open(&path).expect("no header, no targets");
        let lines: Vec<_> = empty
            .lines()
            .expect("lines")
            .map(|l| l.expect("line"))
            .collect();
        assert!(lines.iter().all(|l| matches!(empty.parse(l), Parsed::Skip)));
        let stdin = Input::spool(&mut &b"vendor,action,publisherOfferId\nappcharge,delete,p\n"[..])
            .and_then(|i| i.read_as(InputFormat::Csv))
            .expect("stdin as csv");
        let line = stdin
            .lines()
            .expect("lines")
            .nth(1)
            .expect("row")
            .expect("line");
        assert!(matches!(stdin.parse(&line), Parsed::Target(_)));
    }
}
