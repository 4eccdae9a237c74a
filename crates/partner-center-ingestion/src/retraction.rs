//! [`Retraction`]: "this call retracted it" versus "it was already gone".

use offerkit_models::partner_center_ingestion::PrivateOfferState;
use serde::Serialize;

use crate::ids::PrivateOfferId;

/// The result of a delete or withdraw: either this call did it, or the offer was already retracted.
///
/// `AlreadyRetracted` is neither a success of this call nor an error: a repeated run over the same offers
/// can count it apart. It is reported when the offer is missing (404), already `deleted` (delete), already
/// `withdrawn` or `deleted` (withdraw), or, for a selling partner, already back with the partner
/// (`subState: pendingPartnerAction`); either before the configure call (state checked first) or after a
/// failed job whose read-back shows the offer gone.
///
/// ```
/// use offerkit_partner_center_ingestion::{PrivateOfferId, Retraction};
/// let done: Retraction<&str> = Retraction::Retracted("job status");
/// assert!(done.is_retracted());
/// let again: Retraction<&str> = Retraction::already_retracted(PrivateOfferId::new("o1")?, None);
/// assert!(again.is_already_retracted());
/// assert_eq!(again.retracted(), None);
/// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Retraction<T> {
    /// This call retracted the offer; `T` is what the vendor answered (the submitted job, its final status).
    Retracted(T),
    /// The offer was already retracted before this call; nothing was changed.
    #[serde(rename_all = "camelCase")]
    AlreadyRetracted {
        /// The offer.
        offer_id: PrivateOfferId,
        /// Its state as read back; `None` when the offer was not found at all.
        state: Option<PrivateOfferState>,
    },
}

impl<T> Retraction<T> {
    /// Builds [`Retraction::AlreadyRetracted`].
    ///
    /// ```
    /// use offerkit_partner_center_ingestion::{PrivateOfferId, Retraction};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferState;
    /// let r: Retraction<()> =
    ///     Retraction::already_retracted(PrivateOfferId::new("o1")?, Some(PrivateOfferState::Deleted));
    /// assert!(r.is_already_retracted());
    /// # Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn already_retracted(offer_id: PrivateOfferId, state: Option<PrivateOfferState>) -> Self {
        Self::AlreadyRetracted { offer_id, state }
    }

    /// Whether this call retracted the offer.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Retraction;
    /// assert!(Retraction::Retracted(1).is_retracted());
    /// ```
    pub fn is_retracted(&self) -> bool {
        matches!(self, Self::Retracted(_))
    }

    /// Whether the offer was already retracted.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Retraction;
    /// assert!(!Retraction::Retracted(1).is_already_retracted());
    /// ```
    pub fn is_already_retracted(&self) -> bool {
        matches!(self, Self::AlreadyRetracted { .. })
    }

    /// The vendor's answer when this call retracted the offer.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Retraction;
    /// assert_eq!(Retraction::Retracted(1).retracted(), Some(&1));
    /// ```
    pub fn retracted(&self) -> Option<&T> {
        match self {
            Self::Retracted(value) => Some(value),
            Self::AlreadyRetracted { .. } => None,
        }
    }

    /// Consumes `self`, returning the vendor's answer when this call retracted the offer.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Retraction;
    /// assert_eq!(Retraction::Retracted(1).into_retracted(), Some(1));
    /// ```
    pub fn into_retracted(self) -> Option<T> {
        match self {
            Self::Retracted(value) => Some(value),
            Self::AlreadyRetracted { .. } => None,
        }
    }

    /// Maps the retracted value.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::Retraction;
    /// assert_eq!(Retraction::Retracted(1).map(|n| n + 1).into_retracted(), Some(2));
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Retraction<U> {
        match self {
            Self::Retracted(value) => Retraction::Retracted(f(value)),
            Self::AlreadyRetracted { offer_id, state } => {
                Retraction::AlreadyRetracted { offer_id, state }
            }
        }
    }
}
