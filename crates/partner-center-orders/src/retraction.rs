//! [`Retraction`]: "this call cancelled it" versus "it was already cancelled".
//!
//! Bulk runs repeat themselves (a crash, a re-run of the same file). A second cancellation of lines that
//! are already at quantity 0 is neither a fresh success nor an error, so it has its own variant and
//! callers can count it apart.

/// How an [`AlreadyRetracted`](Retraction::AlreadyRetracted) was established.
///
/// ```
/// use offerkit_partner_center_orders::Evidence;
/// assert_eq!(Evidence::PreRead.as_str(), "pre-read");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[non_exhaustive]
pub enum Evidence {
    /// The read before the cancel showed every requested line at quantity 0 (or the order
    /// `cancelled`); no PATCH was sent.
    PreRead,
    /// Partner Center refused the PATCH, and a read right after showed every requested line already
    /// at quantity 0: the refusal was about lines that were already cancelled.
    ConfirmedAfterRejection {
        /// The refusal's error code.
        code: Option<String>,
        /// The refusal's description.
        description: Option<String>,
    },
}

impl Evidence {
    /// `pre-read` or `confirmed-after-rejection`.
    ///
    /// ```
    /// use offerkit_partner_center_orders::Evidence;
    /// let e = Evidence::ConfirmedAfterRejection { code: Some("800002".into()), description: None };
    /// assert_eq!(e.as_str(), "confirmed-after-rejection");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PreRead => "pre-read",
            Self::ConfirmedAfterRejection { .. } => "confirmed-after-rejection",
        }
    }
}

/// The result of a retraction: done by this call, or already done before it.
///
/// `T` is the operation's result ([`CancelResult`](crate::CancelResult) for cancellations); for
/// `AlreadyRetracted` it describes the order as read, with the requested lines already cancelled.
///
/// ```
/// use offerkit_partner_center_orders::{Evidence, Retraction};
/// let first: Retraction<&str> = Retraction::Retracted("cancelled");
/// let again: Retraction<&str> = Retraction::AlreadyRetracted { current: "cancelled", evidence: Evidence::PreRead };
/// assert!(!first.is_already_retracted());
/// assert!(again.is_already_retracted());
/// assert_eq!(again.into_inner(), "cancelled");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Retraction<T> {
    /// This call cancelled what was asked.
    Retracted(T),
    /// Everything asked was already cancelled before this call.
    AlreadyRetracted {
        /// The current state (built from the read that showed it).
        current: T,
        /// How it was established.
        evidence: Evidence,
    },
}

impl<T> Retraction<T> {
    /// `true` for [`Retraction::AlreadyRetracted`].
    ///
    /// ```
    /// use offerkit_partner_center_orders::Retraction;
    /// assert!(!Retraction::Retracted(()).is_already_retracted());
    /// ```
    pub fn is_already_retracted(&self) -> bool {
        matches!(self, Self::AlreadyRetracted { .. })
    }

    /// The result, whichever variant.
    ///
    /// ```
    /// use offerkit_partner_center_orders::Retraction;
    /// assert_eq!(Retraction::Retracted(3).value(), &3);
    /// ```
    pub fn value(&self) -> &T {
        match self {
            Self::Retracted(v) | Self::AlreadyRetracted { current: v, .. } => v,
        }
    }

    /// The result, whichever variant, by value.
    ///
    /// ```
    /// use offerkit_partner_center_orders::Retraction;
    /// assert_eq!(Retraction::Retracted(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Retracted(v) | Self::AlreadyRetracted { current: v, .. } => v,
        }
    }

    /// Maps the result, keeping the variant.
    ///
    /// ```
    /// use offerkit_partner_center_orders::Retraction;
    /// assert_eq!(Retraction::Retracted(2).map(|n| n * 2).into_inner(), 4);
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Retraction<U> {
        match self {
            Self::Retracted(v) => Retraction::Retracted(f(v)),
            Self::AlreadyRetracted { current, evidence } => Retraction::AlreadyRetracted {
                current: f(current),
                evidence,
            },
        }
    }
}
