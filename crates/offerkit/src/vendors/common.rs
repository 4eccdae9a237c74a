//! What the vendor impls share: turning any vendor crate's error into a facade [`Error`] through
//! [`ErrorInfo`], and the outcomes every vendor builds the same way.

use offerkit_transport::ErrorInfo;
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::outcome::Details;
use offerkit_models::Vendor;

/// The facade error for any vendor crate's error, classified through [`ErrorInfo`] (invalid
/// argument, unauthorized, throttled, not found, rejected 4xx, transient, other vendor answers),
/// with the vendor's code, HTTP status and request id attached, and `err` kept as the source.
///
/// A vendor impl passes `kind` only where its own variants know better (for example ingestion's
/// `JobFailed`); `None` classifies by the trait alone.
pub(crate) fn error_from<E>(err: E, kind: Option<ErrorKind>) -> Error
where
    E: ErrorInfo + Send + Sync + 'static,
{
    let kind = kind.unwrap_or_else(|| kind_of(&err));
    let mut error = Error::new(kind, err.to_string());
    if let Some(code) = err.code() {
        error = error.with_code(code);
    }
    if let Some(status) = err.status() {
        error = error.with_http_status(status.as_u16());
    }
    if err
        .transport_error()
        .is_some_and(offerkit_transport::Error::is_unreachable)
    {
        error = error.unreachable();
    }
    error.with_source(err)
}

/// A read made for [`crate::Retract::check`]: the note on success; on failure the facade error and
/// whether it is the token that could not be obtained (the identity provider refused or never
/// answered), which [`crate::Check::from_read`] reports as the token step.
pub(crate) fn check_read<T, E>(
    read: Result<T, E>,
    note: impl FnOnce(T) -> String,
    to_error: impl FnOnce(E) -> Error,
) -> Result<String, (Error, bool)>
where
    E: ErrorInfo,
{
    read.map(note).map_err(|e| {
        let token = matches!(
            e.transport_error(),
            Some(offerkit_transport::Error::Auth(_))
        );
        (to_error(e), token)
    })
}

/// The token step's note for both Partner Center vendors.
#[cfg(any(
    feature = "partner-center-orders",
    feature = "partner-center-ingestion"
))]
pub(crate) const AZURE_TOKEN: &str = "Azure AD client-credentials token obtained";

/// The token step of [`crate::Retract::check`] for a client that can authenticate on its own
/// ([`offerkit_transport::VendorClient::authenticate`]).
#[cfg(any(
    feature = "partner-center-orders",
    feature = "partner-center-ingestion"
))]
pub(crate) async fn check_token(
    vendor: Vendor,
    client: &offerkit_transport::VendorClient,
    note: &str,
) -> crate::check::CheckStep {
    use crate::check::{CheckStep, Stage};
    match client.authenticate().await {
        Ok(()) => CheckStep::Passed(note.to_owned()),
        Err(e) => CheckStep::failed(vendor, Stage::Token, error_from(e, None)),
    }
}

/// The facade kind of an error, from what [`ErrorInfo`] says of it.
pub(crate) fn kind_of(err: &dyn ErrorInfo) -> ErrorKind {
    use offerkit_transport::Error as T;
    if err.is_invalid_argument() {
        return ErrorKind::Input;
    }
    if err.is_unauthorized() {
        return ErrorKind::Auth;
    }
    match err.transport_error() {
        // The token endpoint never answered (DNS, refused, TLS, timeout): a network failure,
        // not a judgement of the credentials.
        Some(T::Auth(auth)) if auth.source.is_some() => ErrorKind::Transport,
        Some(T::Auth(_)) => ErrorKind::Auth,
        Some(T::Throttled(_)) => ErrorKind::RateLimited,
        Some(e @ T::Api(_)) if e.is_not_found() => ErrorKind::NotFound,
        Some(T::Api(api)) if api.status.is_client_error() => ErrorKind::Rejected,
        Some(T::Api(_) | T::Decode(_) | T::BodyTooLarge { .. }) => ErrorKind::Vendor,
        Some(_) => ErrorKind::Transport,
        // The vendor crate's own refusal without a transport error (a state it read).
        None => ErrorKind::Vendor,
    }
}

/// A [`ErrorKind::Config`] error about `vendor`'s settings (a bad credential or URL, a client that
/// cannot be built), keeping `err` as the source.
pub(crate) fn config_error(
    vendor: Vendor,
    err: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::new(ErrorKind::Config, format!("{vendor}: {err}")).with_source(err)
}

/// `details` with the vendor's request id, when it sent one.
pub(crate) fn with_request_id(details: Details, request_id: Option<&str>) -> Details {
    match request_id {
        Some(id) => details.with_request_id(id),
        None => details,
    }
}

/// The outcome of a DELETE that answered 404 (Adobe, Appcharge), once `confirmed` (how the
/// vendor impl read it back) says the resource is gone, with the vendor's message and request id
/// when it sent them.
///
/// A 404 to a retry after an attempt that may have acted ([`NotFound::earlier_attempt_may_have_acted`])
/// is retracted by this run, not "nothing was deleted": that first attempt most likely deleted
/// it and its answer was lost. Otherwise it is already retracted.
#[cfg(any(feature = "adobe-offers", feature = "appcharge"))]
pub(crate) fn answered_404(
    vendor: &str,
    gone: &offerkit_models::retraction::NotFound,
    confirmed: &str,
) -> crate::outcome::Outcome {
    use crate::outcome::Outcome;
    let details = with_request_id(Details::new(), gone.request_id.as_deref());
    let answered = match &gone.message {
        Some(m) => format!("{vendor} answered 404 ({m})"),
        None => format!("{vendor} answered 404"),
    };
    if gone.earlier_attempt_may_have_acted {
        return Outcome::Retracted(details.with_note(format!(
            "{answered} to a retry: the first attempt's answer was lost (timeout, dropped \
             connection or 5xx after sending), so that attempt most likely deleted it; {confirmed}"
        )));
    }
    Outcome::AlreadyRetracted(
        details.with_note(format!("{answered}; nothing was deleted; {confirmed}")),
    )
}

/// The inspection of a 404-means-gone offer from its read as the vendor sent it (Adobe,
/// Appcharge): present would be retracted, reversibly (`offerkit restore` re-creates it from the
/// snapshot); absent is already retracted, `gone` saying how it was found absent.
#[cfg(any(feature = "adobe-offers", feature = "appcharge"))]
pub(crate) fn inspect_read(
    read: Option<Value>,
    gone: impl FnOnce() -> String,
) -> crate::inspect::Inspection {
    use crate::inspect::Inspection;
    match read {
        Some(offer) => Inspection::will_retract(
            "the offer exists; nothing read says the vendor would refuse",
            true,
        )
        .with_snapshot(offer),
        None => Inspection::already_retracted(gone()),
    }
}

/// A failed call of a vendor crate: the facade error `to_error` makes of `e`, with the request id
/// it carries when the vendor sent one.
#[cfg(any(
    feature = "adobe-offers",
    feature = "appcharge",
    feature = "partner-center-orders"
))]
pub(crate) fn failed_from<E: ErrorInfo>(
    e: E,
    to_error: impl FnOnce(E) -> Error,
) -> crate::outcome::Outcome {
    let request_id = e.request_id().map(str::to_owned);
    crate::outcome::Outcome::Failed {
        details: with_request_id(Details::new(), request_id.as_deref()),
        error: to_error(e),
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

#[cfg(all(test, any(feature = "adobe-offers", feature = "appcharge")))]
mod tests {
    use offerkit_models::retraction::NotFound;
    use serde_json::json;

    use super::*;
    use crate::outcome::Status;

    #[test]
    fn a_404_after_a_lost_answer_is_retracted_by_this_run() {
        let lost = NotFound {
            message: Some("Offer a not found".to_owned()),
            request_id: Some("r-2".to_owned()),
            earlier_attempt_may_have_acted: true,
        };
        let out = answered_404("Appcharge", &lost, "a read no longer lists the offer");
        assert_eq!(out.status(), Status::Retracted);
        assert_eq!(
            serde_json::to_value(&out).expect("json"),
            json!({
                "status": "retracted",
                "requestId": "r-2",
                "note": "Appcharge answered 404 (Offer a not found) to a retry: the first attempt's \
                         answer was lost (timeout, dropped connection or 5xx after sending), so that \
                         attempt most likely deleted it; a read no longer lists the offer"
            })
        );

        let plain = NotFound {
            earlier_attempt_may_have_acted: false,
            ..lost
        };
        let out = answered_404("Adobe", &plain, "the read-back answers 404");
        assert_eq!(out.status(), Status::AlreadyRetracted);
        assert_eq!(
            out.details().note.as_deref(),
            Some(
                "Adobe answered 404 (Offer a not found); nothing was deleted; the read-back \
                 answers 404"
            )
        );
    }
}
