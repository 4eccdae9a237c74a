//! [`Redactor`]: the one place that removes secrets from what a server sends back, and
//! [`ScrubbedError`], the form in which errors of the HTTP stack and the parser are kept.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::{PoisonError, RwLock};

use aho_corasick::AhoCorasick;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::error::BoxError;

/// RFC 3986 unreserved characters stay; everything else is `%XX` (upper-case hex).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters of a secret's start that are enough to recognise it.
const PREFIX_CHARS: usize = 16;

/// Secrets kept at most; past it the oldest (an expired token, most likely) is forgotten.
const MAX_SECRETS: usize = 1024;

static GLOBAL: Redactor = Redactor::new();

/// Removes every secret it has learned from text a server sent back.
///
/// Servers, gateways and proxies echo requests in their errors: headers (the bearer token, a
/// publisher token), form bodies (`client_secret=...`), query strings. So the transport keeps
/// every secret it knows in one process-wide redactor ([`Redactor::global`]) and runs vendor text
/// through it before that text becomes part of an error (and so of `Display`, `Debug`, a `tracing`
/// line, CLI output, a journal or a results file):
///
/// - learned by construction: every [`Secret`](crate::Secret) when it is created (client secrets,
///   publisher and static tokens, each access token the moment it is issued) and every value given
///   to [`AuthHeaders::with_secret`](crate::AuthHeaders::with_secret) (custom credentials);
/// - scrubbed by construction: the transport's error types are only built through it
///   ([`ApiError`](crate::ApiError) body and request id, [`GenericErrorBody`](crate::GenericErrorBody),
///   [`AuthError`](crate::AuthError) code and description, [`DecodeError`](crate::DecodeError)
///   excerpt, connect, I/O and parser errors as [`ScrubbedError`]), and a response's request id is
///   scrubbed when it is read.
///
/// The rule: a secret of at least [`Redactor::MIN_SECRET_CHARS`] characters is replaced by
/// [`Redactor::MARKER`] wherever its first 16 characters (all of it when shorter) appear, through
/// as much of the secret as follows, in each spelling: as is, percent-encoded (any hex case,
/// whatever set of characters the encoder kept), form-encoded (`+` for space), the first 16
/// characters of the RFC 3986 and form spellings as written, and inside JSON strings (escapes
/// such as `\u0026` decoded). Only error paths and request ids pay for it: success bodies are
/// never scanned by the transport.
///
/// ```
/// use offerkit_transport::{Redactor, Secret};
/// let token = Secret::new("eyJ0eXAiOiJKV1QiLCJhbGciOi.payload+sig/nature");
/// let echoed = format!("denied: Bearer {} (was eyJ0eXAiOiJKV1QiLCJh…)", token.expose());
/// assert_eq!(
///     Redactor::global().scrub(&echoed),
///     "denied: Bearer [redacted] (was [redacted]…)"
/// );
/// ```
pub struct Redactor {
    state: RwLock<State>,
    /// Secrets kept at most ([`MAX_SECRETS`]; smaller in tests).
    capacity: usize,
}

struct State {
    /// The secrets, oldest first.
    secrets: VecDeque<Box<str>>,
    /// The same, to answer "known?" without a scan (asked on every request of a token credential).
    known: Option<HashSet<Box<str>>>,
    matcher: Option<Matcher>,
}

/// What the scan needs, rebuilt when a secret is learned (rare: configuration and token issue).
struct Matcher {
    /// The first [`PREFIX_CHARS`] characters of every spelling, deduplicated.
    prefixes: AhoCorasick,
    /// Per prefix, the whole spellings that start with it.
    spellings: Vec<Vec<Box<[u8]>>>,
}

impl Redactor {
    /// What a scrubbed secret is replaced with.
    pub const MARKER: &'static str = "[redacted]";
    /// Shorter values are not learned: they cannot be told from ordinary words.
    pub const MIN_SECRET_CHARS: usize = 8;

    /// An empty redactor (tests; the transport uses [`Redactor::global`]).
    pub const fn new() -> Self {
        Self::with_capacity(MAX_SECRETS)
    }

    const fn with_capacity(capacity: usize) -> Self {
        Self {
            state: RwLock::new(State {
                secrets: VecDeque::new(),
                known: None,
                matcher: None,
            }),
            capacity,
        }
    }

    /// The process-wide redactor every [`Secret`](crate::Secret) registers with.
    pub fn global() -> &'static Redactor {
        &GLOBAL
    }

    /// Learns a secret (a no-op for one already known or shorter than
    /// [`Redactor::MIN_SECRET_CHARS`]).
    pub fn learn(&self, secret: &str) {
        if secret.chars().count() < Self::MIN_SECRET_CHARS {
            return;
        }
        let known = |state: &State| state.known.as_ref().is_some_and(|k| k.contains(secret));
        if known(&self.state.read().unwrap_or_else(PoisonError::into_inner)) {
            return;
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if known(&state) {
            return;
        }
        state.secrets.push_back(secret.into());
        let known = state.known.get_or_insert_with(HashSet::new);
        known.insert(secret.into());
        if state.secrets.len() > self.capacity
            && let Some(oldest) = state.secrets.pop_front()
            && let Some(known) = state.known.as_mut()
        {
            known.remove(&oldest);
        }
        state.matcher = Matcher::build(&state.secrets);
    }

    /// `text` with every learned secret replaced by [`Redactor::MARKER`]; borrowed when there
    /// was none.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        match &state.matcher {
            Some(matcher) => matcher.scrub(text),
            None => Cow::Borrowed(text),
        }
    }

    /// A body a server sent (lossy UTF-8), scrubbed. A JSON body is scrubbed string by string
    /// with its escapes decoded (`\u0026` hides `&` from a text search), and written again only
    /// when that found a secret; any other body as text.
    pub fn scrub_body(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let Ok(mut value) = serde_json::from_str::<Value>(&text) else {
            return self.scrub(&text).into_owned();
        };
        if self.scrub_json(&mut value) {
            value.to_string()
        } else {
            text.into_owned()
        }
    }

    /// Scrubs every string and key of a JSON value in place; `true` if anything changed.
    pub fn scrub_json(&self, value: &mut Value) -> bool {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        state
            .matcher
            .as_ref()
            .is_some_and(|matcher| matcher.scrub_json(value))
    }
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Redactor")
            .field("secrets", &state.secrets.len())
            .finish()
    }
}

impl Matcher {
    fn build(secrets: &VecDeque<Box<str>>) -> Option<Self> {
        let mut prefixes: Vec<Vec<u8>> = Vec::new();
        let mut index_of: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut spellings: Vec<Vec<Box<[u8]>>> = Vec::new();
        for secret in secrets {
            let percent = utf8_percent_encode(secret, UNRESERVED).to_string();
            let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            for spelling in [&**secret, percent.as_str(), form.as_str()] {
                let cut = spelling
                    .char_indices()
                    .nth(PREFIX_CHARS)
                    .map_or(spelling.len(), |(i, _)| i);
                let prefix = spelling.as_bytes()[..cut].to_vec();
                let index = *index_of.entry(prefix.clone()).or_insert_with(|| {
                    prefixes.push(prefix);
                    spellings.push(Vec::new());
                    prefixes.len() - 1
                });
                let whole: Box<[u8]> = spelling.as_bytes().into();
                if !spellings[index].contains(&whole) {
                    spellings[index].push(whole);
                }
            }
        }
        // Unreachable for byte patterns of this size; a matcher that cannot be built scrubs nothing
        // rather than failing the call.
        let prefixes = AhoCorasick::new(&prefixes).ok()?;
        Some(Self {
            prefixes,
            spellings,
        })
    }

    /// `text` with every span found replaced by the marker.
    fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let spans = self.spans(text);
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            out.push_str(&text[at..start]);
            out.push_str(Redactor::MARKER);
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Scrubs every string and key of `value` in place; `true` if anything changed. The map is
    /// rebuilt only when a key holds a secret.
    fn scrub_json(&self, value: &mut Value) -> bool {
        match value {
            Value::String(s) => match self.scrub(s) {
                Cow::Owned(clean) => {
                    *s = clean;
                    true
                }
                Cow::Borrowed(_) => false,
            },
            Value::Array(items) => items
                .iter_mut()
                .fold(false, |changed, v| self.scrub_json(v) | changed),
            Value::Object(map) => {
                let values = map
                    .values_mut()
                    .fold(false, |changed, v| self.scrub_json(v) | changed);
                if map.keys().all(|k| self.spans(k).is_empty()) {
                    return values;
                }
                let entries = std::mem::take(map);
                for (key, v) in entries {
                    map.insert(self.scrub(&key).into_owned(), v);
                }
                true
            }
            _ => false,
        }
    }

    /// The byte spans of `text` to replace, sorted, merged, on character boundaries.
    fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut spans = self.find(bytes);
        for plus_is_space in [false, true] {
            if let Some(view) = Decoded::of(bytes, plus_is_space) {
                spans.extend(
                    self.find(&view.bytes)
                        .into_iter()
                        .map(|(s, e)| view.original(s, e)),
                );
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (mut start, mut end) in spans {
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    /// Spans of `haystack` holding a known prefix, each extended through as much of the longest
    /// spelling that starts there as follows.
    fn find(&self, haystack: &[u8]) -> Vec<(usize, usize)> {
        self.prefixes
            .find_overlapping_iter(haystack)
            .map(|hit| {
                let start = hit.start();
                let tail = &haystack[start..];
                let longest = self.spellings[hit.pattern().as_usize()]
                    .iter()
                    .map(|s| s.iter().zip(tail).take_while(|(a, b)| a == b).count())
                    .max()
                    .unwrap_or(0);
                (start, start + longest.max(hit.len()))
            })
            .collect()
    }
}

/// `text` with `%XX` escapes (and `+`, for form encoding) decoded, and where each byte came from.
struct Decoded {
    bytes: Vec<u8>,
    /// Per decoded byte, its start in the original text.
    origin: Vec<u32>,
    /// Per decoded byte, its length in the original text (1, or 3 for an escape).
    width: Vec<u8>,
}

impl Decoded {
    /// `None` when nothing would decode (the view would repeat the text).
    fn of(text: &[u8], plus_is_space: bool) -> Option<Self> {
        let decodes = |i: usize| match text[i] {
            b'%' => text
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .map(|h| (hex(h[0]) << 4) | hex(h[1])),
            b'+' if plus_is_space => Some(b' '),
            _ => None,
        };
        if u32::try_from(text.len()).is_err() || !(0..text.len()).any(|i| decodes(i).is_some()) {
            return None;
        }
        let mut view = Self {
            bytes: Vec::with_capacity(text.len()),
            origin: Vec::with_capacity(text.len()),
            width: Vec::with_capacity(text.len()),
        };
        let mut i = 0;
        while i < text.len() {
            let (byte, width) = match decodes(i) {
                Some(b) if text[i] == b'%' => (b, 3),
                Some(b) => (b, 1),
                None => (text[i], 1),
            };
            view.bytes.push(byte);
            view.origin.push(i as u32);
            view.width.push(width);
            i += usize::from(width);
        }
        Some(view)
    }

    /// The original span of decoded bytes `start..end` (`end > start`).
    fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let last = end - 1;
        (
            self.origin[start] as usize,
            self.origin[last] as usize + usize::from(self.width[last]),
        )
    }
}

fn hex(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

/// A connect or I/O error from the HTTP stack as the transport keeps it: scrubbed.
pub(crate) fn scrubbed(source: BoxError) -> BoxError {
    Box::new(ScrubbedError::new(&*source))
}

/// An error's text (and its sources'), scrubbed: what the transport keeps of an error from the
/// HTTP stack or a parser, whose messages can quote what the server sent.
#[derive(Debug, Clone)]
pub struct ScrubbedError {
    message: String,
    source: Option<Box<ScrubbedError>>,
}

impl ScrubbedError {
    /// Takes the text of `err` and of each of its sources, scrubbed.
    pub fn new(err: &(dyn std::error::Error + 'static)) -> Self {
        Self {
            message: Redactor::global().scrub(&err.to_string()).into_owned(),
            source: err.source().map(|s| Box::new(Self::new(s))),
        }
    }
}

impl fmt::Display for ScrubbedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScrubbedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ingSEC~7Qx2.pc+secret/with=odd&chars 0123456789";

    fn redactor() -> Redactor {
        let r = Redactor::new();
        r.learn(SECRET);
        r
    }

    fn percent(s: &str, set: &'static AsciiSet) -> String {
        utf8_percent_encode(s, set).to_string()
    }

    /// Every byte but letters and digits as `%xx`, lower-case hex.
    fn percent_lower(s: &str) -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    }

    #[test]
    fn every_spelling_and_every_long_prefix_is_scrubbed() {
        let r = redactor();
        let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let cases = [
            SECRET.to_owned(),
            percent(SECRET, UNRESERVED),
            percent(SECRET, NON_ALPHANUMERIC),
            percent_lower(SECRET),
            form.clone(),
            SECRET[..16].to_owned(),
            SECRET[..30].to_owned(),
            form[..16].to_owned(),
            percent(SECRET, UNRESERVED)[..16].to_owned(),
        ];
        for spelling in &cases {
            let text = format!("client_secret={spelling};next=1");
            assert_eq!(
                r.scrub(&text),
                "client_secret=[redacted];next=1",
                "{spelling}"
            );
        }
    }

    #[test]
    fn short_prefixes_other_text_and_short_secrets_stay() {
        let r = redactor();
        r.learn("short");
        let text = format!("{} and a short word", &SECRET[..15]);
        assert!(matches!(r.scrub(&text), Cow::Borrowed(_)), "{text}");
        assert!(matches!(Redactor::new().scrub(SECRET), Cow::Borrowed(_)));
    }

    #[test]
    fn many_hits_overlapping_secrets_and_multibyte_text() {
        let r = redactor();
        r.learn("ingSEC~7Qx2.pc+secret-another-one");
        let text = format!("é{SECRET}é|ingSEC~7Qx2.pc+secret-another-one|{SECRET}");
        assert_eq!(r.scrub(&text), "é[redacted]é|[redacted]|[redacted]");
        // A secret whose match ends inside a multi-byte character of the text.
        r.learn("naïve-secret-value-ümlaut");
        assert_eq!(r.scrub("x naïve-secret-valUE"), "x [redacted]UE");
        // ü and ö share their first byte: the span ends on the character boundary after ö.
        assert_eq!(r.scrub("x naïve-secret-value-ömlaut"), "x [redacted]mlaut");
    }

    #[test]
    fn json_escapes_and_bodies() {
        let r = redactor();
        let escaped = SECRET.replace('&', "\\u0026").replace('/', "\\/");
        let body = format!(r#"{{"message":"bad secret {escaped}","n":1}}"#);
        let clean = r.scrub_body(body.as_bytes());
        assert!(!clean.contains("ingSEC"), "{clean}");
        let value: Value = serde_json::from_str(&clean).expect("still JSON");
        assert_eq!(value["message"], "bad secret [redacted]");
        assert_eq!(r.scrub_body(b"plain \xff text"), "plain \u{fffd} text");
        // Keys and arrays too; a body without a secret comes back as it was sent.
        let mut value =
            serde_json::json!({"z": 1, "headers": {SECRET: "x"}, "list": ["a", SECRET]});
        assert!(r.scrub_json(&mut value));
        assert_eq!(
            value.to_string(),
            r#"{"z":1,"headers":{"[redacted]":"x"},"list":["a","[redacted]"]}"#
        );
        let untouched = br#"{ "z" : 1,  "message": "nothing secret" }"#;
        assert_eq!(r.scrub_body(untouched).as_bytes(), untouched);
    }

    #[test]
    fn learning_is_idempotent_and_bounded() {
        let r = Redactor::with_capacity(20);
        for _ in 0..3 {
            r.learn(SECRET);
        }
        assert_eq!(format!("{r:?}"), "Redactor { secrets: 1 }");
        for i in 0..30 {
            r.learn(&format!("{i:06}-token-number"));
        }
        assert_eq!(format!("{r:?}"), "Redactor { secrets: 20 }");
        // The oldest were forgotten, and can be learned again.
        assert_eq!(r.scrub("000001-token-number"), "000001-token-number");
        assert_eq!(r.scrub("000029-token-number"), "[redacted]");
        r.learn("000001-token-number");
        assert_eq!(r.scrub("000001-token-number"), "[redacted]");
    }
}
