//! [`Retraction`]: what a retraction achieved, "done by this call" or "already gone", the same
//! type in every vendor crate.

use serde::{Deserialize, Serialize};

/// What a retraction call achieved. Neither variant is an error: a re-run of a batch counts
/// [`Retraction::AlreadyRetracted`] as done.
///
/// - `Done` is what this call did: the vendor's answer ([`Deleted`] for the 404-means-gone
///   vendors, an order's cancel result, a submitted configure job, ...).
/// - `Gone` is the evidence that the resource was already retracted when the call got its answer:
///   [`NotFound`] for the vendors whose DELETE answers 404, the state read back for Partner Center.
///
/// One case sits between the two: a retried call whose earlier attempt may have reached the vendor
/// (its answer lost) and whose retry finds the resource gone. The vendor's answer is the evidence
/// of `AlreadyRetracted`, and the evidence says so ([`NotFound::earlier_attempt_may_have_acted`]):
/// the first attempt most likely did it, so a report of what a run achieved counts it as retracted
/// by the run (the `offerkit` facade does), not as "nothing was deleted".
///
/// ```
/// use offerkit_models::retraction::{Deleted, NotFound, Retraction};
///
/// fn summary<D, G>(r: &Retraction<D, G>) -> &'static str {
///     match r {
///         Retraction::Retracted(_) => "retracted now",
///         Retraction::AlreadyRetracted(_) => "already gone",
///     }
/// }
/// let r: Retraction<Deleted<()>> = Retraction::AlreadyRetracted(NotFound::default());
/// assert_eq!(summary(&r), "already gone");
/// assert!(r.is_already_retracted());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Retraction<Done, Gone = NotFound> {
    /// This call retracted it.
    Retracted(Done),
    /// It was already retracted (or never existed) when this call got its answer: before the
    /// call, or by an earlier attempt of it when the evidence says so
    /// ([`NotFound::earlier_attempt_may_have_acted`]).
    AlreadyRetracted(Gone),
}

impl<Done, Gone> Retraction<Done, Gone> {
    /// `true` for [`Retraction::Retracted`].
    pub fn is_retracted(&self) -> bool {
        matches!(self, Self::Retracted(_))
    }

    /// `true` for [`Retraction::AlreadyRetracted`].
    pub fn is_already_retracted(&self) -> bool {
        matches!(self, Self::AlreadyRetracted(_))
    }

    /// What this call did, when it retracted the resource.
    ///
    /// ```
    /// # use offerkit_models::retraction::Retraction;
    /// let r: Retraction<u8, ()> = Retraction::Retracted(7);
    /// assert_eq!(r.retracted(), Some(&7));
    /// assert_eq!(r.already(), None);
    /// ```
    pub fn retracted(&self) -> Option<&Done> {
        match self {
            Self::Retracted(done) => Some(done),
            Self::AlreadyRetracted(_) => None,
        }
    }

    /// The evidence that it was already gone.
    pub fn already(&self) -> Option<&Gone> {
        match self {
            Self::Retracted(_) => None,
            Self::AlreadyRetracted(gone) => Some(gone),
        }
    }

    /// Takes what this call did, when it retracted the resource.
    pub fn into_retracted(self) -> Option<Done> {
        match self {
            Self::Retracted(done) => Some(done),
            Self::AlreadyRetracted(_) => None,
        }
    }

    /// Takes the evidence that it was already gone.
    pub fn into_already(self) -> Option<Gone> {
        match self {
            Self::Retracted(_) => None,
            Self::AlreadyRetracted(gone) => Some(gone),
        }
    }

    /// Maps what this call did, keeping the variant.
    ///
    /// ```
    /// # use offerkit_models::retraction::Retraction;
    /// let r: Retraction<u8, ()> = Retraction::Retracted(2);
    /// assert_eq!(r.map(|v| v * 10).retracted(), Some(&20));
    /// ```
    pub fn map<D>(self, f: impl FnOnce(Done) -> D) -> Retraction<D, Gone> {
        match self {
            Self::Retracted(done) => Retraction::Retracted(f(done)),
            Self::AlreadyRetracted(gone) => Retraction::AlreadyRetracted(gone),
        }
    }

    /// Maps the evidence, keeping the variant.
    pub fn map_gone<G>(self, f: impl FnOnce(Gone) -> G) -> Retraction<Done, G> {
        match self {
            Self::Retracted(done) => Retraction::Retracted(done),
            Self::AlreadyRetracted(gone) => Retraction::AlreadyRetracted(f(gone)),
        }
    }

    /// Borrows both sides.
    pub fn as_ref(&self) -> Retraction<&Done, &Gone> {
        match self {
            Self::Retracted(done) => Retraction::Retracted(done),
            Self::AlreadyRetracted(gone) => Retraction::AlreadyRetracted(gone),
        }
    }
}

/// What a vendor answered to a DELETE that did it: the answer and the vendor's request id.
///
/// `T` is `()` when the vendor answers with an empty body (Adobe), the deleted resource when it
/// echoes it (Appcharge).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deleted<T> {
    /// The vendor's answer.
    pub value: T,
    /// The vendor's request id, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The evidence of the vendors whose DELETE answers 404 for a resource that is already gone
/// (Adobe Offer Library, Appcharge): the 404's message and request id, and whether an earlier
/// attempt of the same call may have done it.
///
/// ```
/// use offerkit_models::retraction::NotFound;
/// let lost_answer = NotFound {
///     earlier_attempt_may_have_acted: true,
///     ..NotFound::default()
/// };
/// assert_eq!(
///     serde_json::to_value(&lost_answer).unwrap(),
///     serde_json::json!({"earlierAttemptMayHaveActed": true}),
/// );
/// // Evidence written before the field existed still reads.
/// let old: NotFound = serde_json::from_str(r#"{"message":"gone"}"#).unwrap();
/// assert!(!old.earlier_attempt_may_have_acted);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotFound {
    /// The vendor's message from the 404 body, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The vendor's request id, when it sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// `true` when the 404 answered a retry and an earlier attempt of this same call may have
    /// reached the vendor (it timed out, its connection broke after the request was written, or
    /// it got a 5xx): that attempt most likely deleted the resource and its answer was lost.
    /// `false` when the first attempt answered 404, or every earlier attempt is known not to have
    /// acted (connection refused, DNS, 429).
    #[serde(default, skip_serializing_if = "is_false")]
    pub earlier_attempt_may_have_acted: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}
