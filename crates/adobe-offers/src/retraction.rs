//! [`Retraction`]: "deleted now" versus "was already gone", so repeated runs stay idempotent.

/// What a delete achieved.
///
/// `AlreadyRetracted` is neither a success of this call nor an error: the Offer Library answered
/// 404 to the DELETE, so the offer was gone before the call (deleted by an earlier run, by hand, or
/// never existed).
/// A caller that re-runs a batch can count it as done.
///
/// ```
/// use offerkit_adobe_offers::Retraction;
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
    /// This call deleted it; `value` is what Adobe returned (`()`: the DELETE answers 200 with an empty body).
    Retracted {
        /// Adobe's answer.
        value: T,
        /// Adobe's request id, when it sent one.
        request_id: Option<String>,
    },
    /// It was already gone: Adobe answered 404.
    AlreadyRetracted {
        /// Adobe's message (`detail`, `message` or `title` of the 404 body).
        message: Option<String>,
        /// Adobe's request id, when it sent one.
        request_id: Option<String>,
    },
}

impl<T> Retraction<T> {
    /// `true` for [`Retraction::Retracted`].
    ///
    /// ```
    /// # use offerkit_adobe_offers::Retraction;
    /// let r = Retraction::Retracted { value: 1, request_id: None };
    /// assert!(r.is_retracted());
    /// ```
    pub fn is_retracted(&self) -> bool {
        matches!(self, Self::Retracted { .. })
    }

    /// `true` for [`Retraction::AlreadyRetracted`].
    ///
    /// ```
    /// # use offerkit_adobe_offers::Retraction;
    /// let r: Retraction<u8> = Retraction::AlreadyRetracted { message: None, request_id: None };
    /// assert!(r.is_already_retracted());
    /// ```
    pub fn is_already_retracted(&self) -> bool {
        matches!(self, Self::AlreadyRetracted { .. })
    }

    /// Adobe's answer when this call deleted the offer.
    ///
    /// ```
    /// # use offerkit_adobe_offers::Retraction;
    /// let r = Retraction::Retracted { value: "offer", request_id: None };
    /// assert_eq!(r.value(), Some(&"offer"));
    /// ```
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Retracted { value, .. } => Some(value),
            Self::AlreadyRetracted { .. } => None,
        }
    }

    /// Takes Adobe's answer when this call deleted the offer.
    ///
    /// ```
    /// # use offerkit_adobe_offers::Retraction;
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
    /// # use offerkit_adobe_offers::Retraction;
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
    /// # use offerkit_adobe_offers::Retraction;
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
