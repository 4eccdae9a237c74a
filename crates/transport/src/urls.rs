//! Base-URL validation and percent-encoding of user-supplied path segments and query values.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::{Host, Url};

use crate::Error;

/// Everything except RFC 3986 "unreserved" characters is encoded in a path segment,
/// so `/`, `?`, `#`, `%` and `;` in an id can never change the path or the query.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Query keys and values: unreserved plus a few characters vendors use literally
/// (`$version`, comma-separated id lists, dates with `:`).
const QUERY: &AsciiSet = &SEGMENT
    .remove(b'$')
    .remove(b',')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'*');

/// Parses and checks a base URL: `https://`, or `http://` with a loopback host only.
///
/// `argument` names the setting in the error (for example `base_url`).
pub(crate) fn parse_base_url(raw: &str, argument: &'static str) -> Result<Url, Error> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::invalid_input(argument, format!("`{raw}` is not a valid URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::invalid_input(
                argument,
                format!(
                    "`{raw}` uses plain http:// with a non-loopback host; use https:// \
                     (http:// is allowed only for 127.0.0.1, ::1 and localhost)"
                ),
            ));
        }
        other => {
            return Err(Error::invalid_input(
                argument,
                format!(
                    "`{raw}` has scheme `{other}`; only https:// (or http:// on loopback) is supported"
                ),
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            argument,
            "the URL must not contain user info; pass credentials through a Credential".to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_input(
            argument,
            format!("`{raw}` must not contain a query or fragment"),
        ));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Percent-encodes one path segment taken from user input.
///
/// Empty, `.` and `..` are refused: they would change the path after URL normalisation.
pub(crate) fn encode_segment(value: &str, argument: &'static str) -> Result<String, Error> {
    match value {
        "" => Err(Error::invalid_input(
            argument,
            "must not be empty".to_owned(),
        )),
        "." | ".." => Err(Error::invalid_input(
            argument,
            format!("`{value}` is not a valid id (it would change the request path)"),
        )),
        _ => Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    }
}

/// Percent-encodes a query key or value.
pub(crate) fn encode_query(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// Joins a base URL, already-encoded segments and encoded query pairs.
pub(crate) fn build_url(
    base: &Url,
    segments: &[impl AsRef<str>],
    query: &[(String, String)],
) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    let len = prefix.len() + segments.iter().map(|s| s.as_ref().len() + 1).sum::<usize>() + 1;
    let mut path = String::with_capacity(len);
    path.push_str(prefix);
    for segment in segments {
        path.push('/');
        path.push_str(segment.as_ref());
    }
    if path.is_empty() {
        path.push('/');
    }
    url.set_path(&path);
    set_query(&mut url, query);
    url
}

fn set_query(url: &mut Url, query: &[(String, String)]) {
    if query.is_empty() {
        return;
    }
    let mut text = url.query().map(str::to_owned).unwrap_or_default();
    for (k, v) in query {
        if !text.is_empty() {
            text.push('&');
        }
        text.push_str(&encode_query(k));
        text.push('=');
        text.push_str(&encode_query(v));
    }
    url.set_query(Some(&text));
}

/// Resolves a link returned by the vendor (for example Adobe's `_links.next.href`) against the
/// base URL and refuses it unless it has the same origin, so credentials never go to another host.
///
/// Vendors return links in three forms, all relative to the *endpoint* (the base URL with its
/// path), not to the host root:
/// - absolute (`https://platform.adobe.io/data/core/dps/offers?...`): used as is;
/// - root-relative but missing the base path (Adobe documents `/offers?...`, to be "prepended
///   with the endpoint path"): the base path is put in front; a link that already starts with
///   the base path is used as is;
/// - relative (`private-offer/query?...`): resolved under the base path, never replacing its last
///   segment (which `Url::join` would do for a base without a trailing slash).
pub(crate) fn resolve_link(
    base: &Url,
    link: &str,
    query: &[(String, String)],
) -> Result<Url, Error> {
    let base_path = base.path().trim_end_matches('/');
    let is_absolute = link.contains("://") || link.starts_with("//");
    let joined = if is_absolute {
        base.join(link)
    } else if let Some(rooted) = link.strip_prefix('/') {
        let under_base = base_path.is_empty()
            || link == base_path
            || link.starts_with(&format!("{base_path}/"))
            || link.starts_with(&format!("{base_path}?"));
        if under_base {
            base.join(link)
        } else {
            base.join(&format!("{base_path}/{rooted}"))
        }
    } else {
        base.join(&format!("{base_path}/{link}"))
    };
    let mut url = joined
        .map_err(|e| Error::invalid_input("link", format!("`{link}` is not a valid URL ({e})")))?;
    if url.origin() != base.origin() {
        return Err(Error::invalid_input(
            "link",
            format!("`{link}` points to another host than the configured base URL `{base}`"),
        ));
    }
    url.set_fragment(None);
    set_query(&mut url, query);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Url {
        parse_base_url(s, "base_url").expect("valid base")
    }

    #[test]
    fn http_only_on_loopback() {
        assert!(parse_base_url("https://api.appcharge.com", "b").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080", "b").is_ok());
        assert!(parse_base_url("http://[::1]:8080/x", "b").is_ok());
        assert!(parse_base_url("http://localhost:1", "b").is_ok());
        let err = parse_base_url("http://api.appcharge.com", "base_url").expect_err("refused");
        let msg = err.to_string();
        assert!(msg.contains("http://api.appcharge.com"), "{msg}");
        assert!(msg.contains("base_url"), "{msg}");
        assert!(parse_base_url("ftp://x", "b").is_err());
        assert!(parse_base_url("https://u:p@x", "b").is_err());
        assert!(parse_base_url("not a url", "b").is_err());
    }

    #[test]
    fn segments_cannot_escape() {
        let b = base("https://h/data/core/dps/");
        for (id, expected) in [
            (
                "../../customers",
                "/data/core/dps/offers/..%2F..%2Fcustomers",
            ),
            ("a/b?x=1", "/data/core/dps/offers/a%2Fb%3Fx%3D1"),
            ("a#b", "/data/core/dps/offers/a%23b"),
            ("100%", "/data/core/dps/offers/100%25"),
            ("é ü", "/data/core/dps/offers/%C3%A9%20%C3%BC"),
            ("dps:offer:1", "/data/core/dps/offers/dps%3Aoffer%3A1"),
        ] {
            let seg = encode_segment(id, "offer_id").expect("encodable");
            let url = build_url(&b, &["offers".to_owned(), seg], &[]);
            assert_eq!(url.path(), expected);
            assert_eq!(url.query(), None);
            assert_eq!(url.host_str(), Some("h"));
        }
        for bad in ["", ".", ".."] {
            assert!(encode_segment(bad, "offer_id").is_err());
        }
    }

    #[test]
    fn query_is_encoded() {
        let b = base("https://h");
        let url = build_url(
            &b,
            &["v2".to_owned()],
            &[
                ("$version".to_owned(), "2022-07-01".to_owned()),
                ("ids".to_owned(), "a,b&c=d #".to_owned()),
            ],
        );
        assert_eq!(
            url.as_str(),
            "https://h/v2?$version=2022-07-01&ids=a,b%26c%3Dd%20%23"
        );
    }

    #[test]
    fn links_stay_on_origin() {
        let b = base("https://platform.adobe.io/data/core/dps");
        let ok = resolve_link(
            &b,
            "/data/core/dps/offers?offer-type=PERSONALIZED&start=x",
            &[],
        )
        .expect("same origin");
        assert_eq!(
            ok.as_str(),
            "https://platform.adobe.io/data/core/dps/offers?offer-type=PERSONALIZED&start=x"
        );
        let prepended = resolve_link(&b, "/offers?offer-type=PERSONALIZED&start=x", &[])
            .expect("endpoint-relative link");
        assert_eq!(
            prepended.as_str(),
            "https://platform.adobe.io/data/core/dps/offers?offer-type=PERSONALIZED&start=x"
        );
        let relative = resolve_link(
            &base("https://graph.microsoft.com/rp/product-ingestion"),
            "private-offer/query?$version=2023-07-15&skip=10",
            &[],
        )
        .expect("relative link");
        assert_eq!(
            relative.as_str(),
            "https://graph.microsoft.com/rp/product-ingestion/private-offer/query?$version=2023-07-15&skip=10"
        );
        let absolute = resolve_link(
            &b,
            "https://platform.adobe.io/data/core/dps/offers?start=y",
            &[],
        )
        .expect("absolute same-origin link");
        assert_eq!(
            absolute.as_str(),
            "https://platform.adobe.io/data/core/dps/offers?start=y"
        );
        assert!(resolve_link(&b, "https://evil.example/offers", &[]).is_err());
        assert!(resolve_link(&b, "//evil.example/offers", &[]).is_err());
    }
}
