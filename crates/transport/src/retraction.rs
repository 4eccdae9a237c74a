//! [`Retraction`]: "deleted now" versus "was already gone", so repeated runs stay idempotent.

/// What a delete achieved, for vendors whose DELETE answers 404 when the resource is already gone
/// (Adobe Offer Library, Appcharge; each vendor crate re-exports it as its own `Retraction`).
///
/// `AlreadyRetracted` is neither a success of this call nor an error: the vendor answered 404, so
/// the resource was gone before the call (deleted by an earlier run, by hand, or never existed).
/// A caller that re-runs a batch can count it as done.
///
/// Partner Center orders and ingestion have their own, richer `Retraction` types: their
/// `AlreadyRetracted` carries different evidence (the order or offer state read back), not a 404.
///
/// ```
/// use offerkit_transport::Retraction;
/// fn summary<T>(r: &Retraction<T>) -> &'static str {
///     match r {
///         Retraction::Retracted { .. } => "deleted now",
///         Retraction::AlreadyRetracted { .. } => "already gone",
///         _ => "unknown",
///     }
/// }
/// let r: Retraction<()> = Retraction::AlreadyRetracted { message: None, request_id: None };
/// assert_eq!(summary(&r), "already gone");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Retraction<T> {
    /// This call deleted it; `value` is what the vendor returned (`()` when the DELETE has no body).
    Retracted {
        /// The vendor's answer.
        value: T,
        /// The vendor's request id, when it sent one.
        request_id: Option<String>,
    },
    /// It was already gone: the vendor answered 404.
    AlreadyRetracted {
        /// The vendor's message from the 404 body, when it sent one.
        message: Option<String>,
        /// The vendor's request id, when it sent one.
        request_id: Option<String>,
    },
}

impl<T> Retraction<T> {
    /// `true` for [`Retraction::Retracted`].
    ///
    /// ```
    /// # use offerkit_transport::Retraction;
    /// let r = Retraction::Retracted { value: 1, request_id: None };
    /// assert!(r.is_retracted());
    /// ```
    pub fn is_retracted(&self) -> bool {
        matches!(self, Self::Retracted { .. })
    }

    /// `true` for [`Retraction::AlreadyRetracted`].
    ///
    /// ```
    /// # use offerkit_transport::Retraction;
    /// let r: Retraction<u8> = Retraction::AlreadyRetracted { message: None, request_id: None };
    /// assert!(r.is_already_retracted());
    /// ```
    pub fn is_already_retracted(&self) -> bool {
        matches!(self, Self::AlreadyRetracted { .. })
    }

    /// The vendor's answer when this call deleted the resource.
    ///
    /// ```
    /// # use offerkit_transport::Retraction;
    /// let r = Retraction::Retracted { value: "offer", request_id: None };
    /// assert_eq!(r.value(), Some(&"offer"));
    /// ```
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Retracted { value, .. } => Some(value),
            Self::AlreadyRetracted { .. } => None,
        }
    }

    /// Takes the vendor's answer when this call deleted the resource.
    ///
    /// ```
    /// # use offerkit_transport::Retraction;
    /// let r = Retraction::Retracted { value: 7, request_id: None };
    /// assert_eq!(r.into_value(), Some(7));
    /// ```
    pub fn into_value(self) -> Option<T> {
        match self {
            Self::Retracted { value, .. } => Some(value),
            Self::AlreadyRetracted { .. } => None,
        }
    }

    /// The request id of the answer, whichever it was.
    ///
    /// ```
    /// # use offerkit_transport::Retraction;
    /// let r: Retraction<()> = Retraction::AlreadyRetracted { message: None, request_id: Some("r-1".into()) };
    /// assert_eq!(r.request_id(), Some("r-1"));
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Retracted { request_id, .. } | Self::AlreadyRetracted { request_id, .. } => {
                request_id.as_deref()
            }
        }
    }

    /// Maps the retracted value, keeping the variant.
    ///
    /// ```
    /// # use offerkit_transport::Retraction;
    /// let r = Retraction::Retracted { value: 2, request_id: None }.map(|v| v * 10);
    /// assert_eq!(r.value(), Some(&20));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Retraction<U> {
        match self {
            Self::Retracted { value, request_id } => Retraction::Retracted {
                value: f(value),
                request_id,
            },
            Self::AlreadyRetracted {
                message,
                request_id,
            } => Retraction::AlreadyRetracted {
                message,
                request_id,
            },
        }
    }
}
