//! What the vendor impls share: reading settings into credentials, and turning crate and transport
//! errors into facade [`Error`]s.
//!
//! Every vendor crate re-exports the same `offerkit_transport` as `transport`; `transport` below is
//! that crate, reached through whichever vendor crate is compiled in.

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::outcome::Details;
use crate::vendor::VendorName;

#[cfg(feature = "appcharge")]
use offerkit_appcharge::transport;

#[cfg(all(feature = "adobe-offers", not(feature = "appcharge")))]
use offerkit_adobe_offers::transport;

#[cfg(all(
    feature = "partner-center-orders",
    not(any(feature = "appcharge", feature = "adobe-offers"))
))]
use offerkit_partner_center_orders::transport;

#[cfg(all(
    feature = "partner-center-ingestion",
    not(any(
        feature = "appcharge",
        feature = "adobe-offers",
        feature = "partner-center-orders"
    ))
))]
use offerkit_partner_center_ingestion::transport;

/// A [`ErrorKind::Config`] error about `vendor`'s settings (a bad credential or URL, a client that
/// cannot be built), keeping `err` as the source.
pub(crate) fn config_error(
    vendor: VendorName,
    err: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::new(ErrorKind::Config, format!("{vendor}: {err}")).with_source(err)
}

/// Azure AD client credentials from `vendor`'s settings: `tenant-id`, `client-id` and
/// `client-secret` (required), and `token-url` (optional, a full `…/{tenant}/oauth2/token` URL or
/// just the authority). `new` is the audience's constructor (Partner Center or product ingestion).
#[cfg(any(
    feature = "partner-center-orders",
    feature = "partner-center-ingestion"
))]
pub(crate) fn azure_credentials(
    vendor: VendorName,
    settings: &crate::config::VendorConfig,
    new: impl FnOnce(&str, &str, &str) -> Result<transport::AzureClientCredentials, transport::Error>,
) -> Result<transport::AzureClientCredentials, Error> {
    let mut credential = new(
        settings.require(vendor, "tenant-id")?,
        settings.require(vendor, "client-id")?,
        settings.require(vendor, "client-secret")?,
    )
    .map_err(|e| config_error(vendor, e))?;
    if let Some(token_url) = &settings.token_url {
        credential = credential
            .with_authority(&authority_of(token_url))
            .map_err(|e| config_error(vendor, e))?;
    }
    Ok(credential)
}

/// The Azure AD authority of a token URL: `https://login.microsoftonline.com/<tenant>/oauth2/token`
/// (or the CLI's `…/{tenant}/oauth2/token` template) gives `https://login.microsoftonline.com`; a
/// URL without `/oauth2/` is taken as the authority itself.
#[cfg(any(
    feature = "partner-center-orders",
    feature = "partner-center-ingestion"
))]
fn authority_of(token_url: &str) -> String {
    let url = token_url.trim().trim_end_matches('/');
    match url.find("/oauth2/") {
        Some(i) => {
            let before = &url[..i];
            match before.rfind('/') {
                Some(j) if before[..j].contains("://") && !before[..j].ends_with('/') => {
                    before[..j].to_owned()
                }
                _ => before.to_owned(),
            }
        }
        None => url.to_owned(),
    }
}

/// The facade kind of a transport error wrapped by a vendor crate (Adobe, Appcharge, orders;
/// ingestion classifies its transport errors its own way).
#[cfg(any(
    feature = "adobe-offers",
    feature = "appcharge",
    feature = "partner-center-orders"
))]
pub(crate) fn transport_kind(err: &transport::Error) -> ErrorKind {
    use transport::Error as E;
    match err {
        E::InvalidInput { .. } => ErrorKind::Input,
        E::Auth(_) => ErrorKind::Auth,
        E::Throttled(_) => ErrorKind::RateLimited,
        E::Api(_) if err.is_not_found() => ErrorKind::NotFound,
        E::Api(_) | E::Decode(_) | E::BodyTooLarge { .. } => ErrorKind::Vendor,
        _ => ErrorKind::Transport,
    }
}

/// Adds the vendor's error code and HTTP status, when there are any.
pub(crate) fn with_code_and_status(
    mut error: Error,
    code: Option<impl Into<String>>,
    status: Option<u16>,
) -> Error {
    if let Some(code) = code {
        error = error.with_code(code);
    }
    if let Some(status) = status {
        error = error.with_http_status(status);
    }
    error
}

/// `details` with the vendor's request id, when it sent one.
pub(crate) fn with_request_id(details: Details, request_id: Option<&str>) -> Details {
    match request_id {
        Some(id) => details.with_request_id(id),
        None => details,
    }
}

/// The outcome of a DELETE that answered 404 (Adobe, Appcharge): already retracted, nothing
/// deleted, with the vendor's message and request id when it sent them.
#[cfg(any(feature = "adobe-offers", feature = "appcharge"))]
pub(crate) fn answered_404(
    vendor: &str,
    message: Option<&str>,
    request_id: Option<&str>,
) -> crate::outcome::Outcome {
    let note = match message {
        Some(m) => format!("{vendor} answered 404 ({m}); nothing was deleted"),
        None => format!("{vendor} answered 404; nothing was deleted"),
    };
    crate::outcome::Outcome::AlreadyRetracted(
        with_request_id(Details::new(), request_id).with_note(note),
    )
}

/// A failed call: the facade error, with the vendor's request id when it sent one.
#[cfg(any(
    feature = "adobe-offers",
    feature = "appcharge",
    feature = "partner-center-orders"
))]
pub(crate) fn failed_call(error: Error, request_id: Option<&str>) -> crate::outcome::Outcome {
    crate::outcome::Outcome::Failed {
        details: with_request_id(Details::new(), request_id),
        error,
    }
}

/// A crate result as JSON (`null` in the impossible case that it does not serialize).
#[cfg(any(
    feature = "partner-center-orders",
    feature = "partner-center-ingestion"
))]
pub(crate) fn to_value(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A typed vendor record as JSON (every field the vendor sent, including unknown ones).
#[cfg(any(feature = "adobe-offers", feature = "appcharge"))]
pub(crate) fn record_json(record: &impl serde::Serialize) -> Value {
    // Serializing a model of JSON values cannot fail; keep a marker rather than panic.
    serde_json::to_value(record).unwrap_or_else(|e| Value::String(format!("<unserializable: {e}>")))
}

#[cfg(test)]
mod tests {
    #[cfg(any(
        feature = "partner-center-orders",
        feature = "partner-center-ingestion"
    ))]
    #[test]
    fn authority_from_token_urls() {
        use super::authority_of;
        assert_eq!(
            authority_of("https://login.microsoftonline.com/contoso/oauth2/token"),
            "https://login.microsoftonline.com"
        );
        assert_eq!(
            authority_of("http://127.0.0.1:9/{tenant}/oauth2/token"),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            authority_of("http://127.0.0.1:9/tenant/oauth2/v2.0/token"),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            authority_of("https://login.partner.microsoftonline.cn/"),
            "https://login.partner.microsoftonline.cn"
        );
    }

    #[cfg(any(
        feature = "partner-center-orders",
        feature = "partner-center-ingestion"
    ))]
    #[test]
    fn token_urls_give_the_authority() {
        use super::authority_of;
        assert_eq!(
            authority_of("https://login.microsoftonline.com/contoso/oauth2/token"),
            "https://login.microsoftonline.com"
        );
        assert_eq!(
            authority_of("http://127.0.0.1:9000/t/oauth2/v2.0/token"),
            "http://127.0.0.1:9000"
        );
        assert_eq!(
            authority_of("http://127.0.0.1:9000/"),
            "http://127.0.0.1:9000"
        );
    }
}
