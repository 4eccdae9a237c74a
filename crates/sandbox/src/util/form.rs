//! Query strings, form bodies and percent-encoding.

/// Decodes an `application/x-www-form-urlencoded` string (query strings and form bodies).
pub(crate) fn parse_form(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(k), decode_component(v))
        })
        .collect()
}

/// Percent-decodes one form component (`+` is a space).
pub(crate) fn decode_component(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-decodes one path segment (`+` stays a plus).
pub(crate) fn decode_segment(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Encodes a query component.
pub(crate) fn encode_component(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form() {
        assert_eq!(
            super::parse_form("a=1&b=x+y%21"),
            vec![("a".into(), "1".into()), ("b".into(), "x y!".into())]
        );
    }
}
