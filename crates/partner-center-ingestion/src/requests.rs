//! Deleting and withdrawing private offers: the two documented configure bodies and an optional state
//! check first, which finds an offer that is already gone.

use offerkit_models::Retraction;
use offerkit_models::ids::PrivateOfferId;
use offerkit_models::lenient::SchemaUri;
use offerkit_models::partner_center_ingestion::{
    ConfigureRequest, PRIVATE_OFFER_SCHEMA, PrivateOffer, PrivateOfferState, PrivateOfferType,
};

use crate::job::JobPurpose;
use crate::offers::{OfferGone, WithdrawRole, delete_refusal, is_deleted, is_withdrawn};
use crate::{Error, IngestionClient, Submitted};

/// A private-offer resource that sets `state`.
fn state_change(
    offer_id: &PrivateOfferId,
    name: Option<String>,
    offer_type: Option<PrivateOfferType>,
    state: PrivateOfferState,
) -> PrivateOffer {
    PrivateOffer {
        schema: Some(SchemaUri::new(PRIVATE_OFFER_SCHEMA)),
        id: Some(offer_id.resource_id()),
        name,
        private_offer_type: offer_type,
        state: Some(state),
        ..PrivateOffer::default()
    }
}

/// Deleting a draft private offer (`state: deleted`). Only the ISV / MPO originator can delete, and only
/// while the offer is in draft.
///
/// By default the offer is read first ([`DeletePrivateOffer::check_state`]): a missing or deleted offer is
/// [`Retraction::AlreadyRetracted`] without a configure call, a non-draft one is [`Error::NotDraft`], and
/// the `name` and `privateOfferType` the body carries are taken from the offer unless given. Without the
/// read ([`DeletePrivateOffer::check_state`]`(false)`) the type must be given: the documented body's
/// `multipartyPromotionOriginator` is the seed example's, not every offer's.
///
/// ```
/// use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
/// use offerkit_partner_center_ingestion::models::PrivateOfferType;
/// let delete = DeletePrivateOffer::new(PrivateOfferId::new("456e-a345-c457-1234")?)
///     .name("privateOffercustomer1705")
///     .private_offer_type(PrivateOfferType::MultipartyPromotionOriginator);
/// assert_eq!(
///     serde_json::to_value(delete.to_resource()).unwrap(),
///     serde_json::json!({
///         "$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
///         "id": "private-offer/456e-a345-c457-1234",
///         "name": "privateOffercustomer1705",
///         "privateOfferType": "multipartyPromotionOriginator",
///         "state": "deleted"
///     }),
/// );
/// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "pass it to IngestionClient::delete_private_offer"]
pub struct DeletePrivateOffer {
    offer_id: PrivateOfferId,
    name: Option<String>,
    private_offer_type: Option<PrivateOfferType>,
    check_state: bool,
}

impl DeletePrivateOffer {
    /// A delete of `offer_id`, checking its state first.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
    /// let delete = DeletePrivateOffer::new(PrivateOfferId::new("o1")?);
    /// assert_eq!(delete.offer_id().as_str(), "o1");
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn new(offer_id: PrivateOfferId) -> Self {
        Self {
            offer_id,
            name: None,
            private_offer_type: None,
            check_state: true,
        }
    }

    /// The offer's `name` to send (read from the offer when not given and the state is checked).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
    /// let delete = DeletePrivateOffer::new(PrivateOfferId::new("o1")?).name("Summer deal");
    /// assert_eq!(delete.to_resource().name.as_deref(), Some("Summer deal"));
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The `privateOfferType` to send. Default: the offer's own, read when the state is checked; required
    /// when it is not ([`IngestionClient::delete_private_offer`] refuses the request without it). Customer
    /// and CSP offers use `customerPromotion` / `cspPromotion`, multiparty offers
    /// `multipartyPromotionOriginator`.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferType;
    /// let delete = DeletePrivateOffer::new(PrivateOfferId::new("o1")?)
    ///     .private_offer_type(PrivateOfferType::CustomerPromotion);
    /// assert_eq!(delete.to_resource().private_offer_type, Some(PrivateOfferType::CustomerPromotion));
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn private_offer_type(mut self, offer_type: PrivateOfferType) -> Self {
        self.private_offer_type = Some(offer_type);
        self
    }

    /// Whether to read the offer before the configure call (default `true`). Without the read, give the
    /// type with [`DeletePrivateOffer::private_offer_type`].
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferType;
    /// let blind = DeletePrivateOffer::new(PrivateOfferId::new("o1")?)
    ///     .check_state(false)
    ///     .private_offer_type(PrivateOfferType::CustomerPromotion);
    /// # let _ = blind; Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn check_state(mut self, check: bool) -> Self {
        self.check_state = check;
        self
    }

    /// The offer to delete.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
    /// assert_eq!(DeletePrivateOffer::new(PrivateOfferId::new("o1")?).offer_id().resource_id(), "private-offer/o1");
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn offer_id(&self) -> &PrivateOfferId {
        &self.offer_id
    }

    /// The resource this delete sends (to combine several in one [`IngestionClient::configure`] call).
    /// `privateOfferType` is left out when it was neither given nor read: no default fits every offer.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferState;
    /// let resource = DeletePrivateOffer::new(PrivateOfferId::new("o1")?).to_resource();
    /// assert_eq!(resource.state, Some(PrivateOfferState::Deleted));
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn to_resource(&self) -> PrivateOffer {
        state_change(
            &self.offer_id,
            self.name.clone(),
            self.private_offer_type.clone(),
            PrivateOfferState::Deleted,
        )
    }
}

/// Withdrawing a private offer (`state: withdrawn`), as the ISV ([`WithdrawPrivateOffer::isv`]) or the
/// selling partner ([`WithdrawPrivateOffer::selling_partner`]); the two documented bodies differ only in
/// `privateOfferType`, which is always written in canonical casing (`multipartyPromotionChannelPartner`).
///
/// By default the offer is read first: a missing, withdrawn or deleted offer (or, for the selling partner,
/// one back with the partner) is [`Retraction::AlreadyRetracted`] without a configure call.
///
/// ```
/// use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer};
/// let withdraw = WithdrawPrivateOffer::selling_partner(PrivateOfferId::new("456e-a345-c457-1234")?)
///     .name("privateOffercustomer1705");
/// assert_eq!(
///     serde_json::to_value(withdraw.to_resource()).unwrap(),
///     serde_json::json!({
///         "$schema": "https://schema.mp.microsoft.com/schema/private-offer/2023-07-15",
///         "id": "private-offer/456e-a345-c457-1234",
///         "name": "privateOffercustomer1705",
///         "privateOfferType": "multipartyPromotionChannelPartner",
///         "state": "withdrawn"
///     }),
/// );
/// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use = "pass it to IngestionClient::withdraw_private_offer"]
pub struct WithdrawPrivateOffer {
    offer_id: PrivateOfferId,
    role: WithdrawRole,
    name: Option<String>,
    private_offer_type: Option<PrivateOfferType>,
    check_state: bool,
}

impl WithdrawPrivateOffer {
    /// A withdrawal by `role`.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer, WithdrawRole};
    /// let w = WithdrawPrivateOffer::new(PrivateOfferId::new("o1")?, WithdrawRole::Isv);
    /// assert_eq!(w.role(), WithdrawRole::Isv);
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn new(offer_id: PrivateOfferId, role: WithdrawRole) -> Self {
        Self {
            offer_id,
            role,
            name: None,
            private_offer_type: None,
            check_state: true,
        }
    }

    /// A withdrawal by the ISV / MPO originator (`multipartyPromotionOriginator` unless the offer or the
    /// caller says otherwise).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer, WithdrawRole};
    /// assert_eq!(WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).role(), WithdrawRole::Isv);
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn isv(offer_id: PrivateOfferId) -> Self {
        Self::new(offer_id, WithdrawRole::Isv)
    }

    /// A withdrawal by the selling (channel) partner (`multipartyPromotionChannelPartner`).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer, WithdrawRole};
    /// let w = WithdrawPrivateOffer::selling_partner(PrivateOfferId::new("o1")?);
    /// assert_eq!(w.role(), WithdrawRole::SellingPartner);
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn selling_partner(offer_id: PrivateOfferId) -> Self {
        Self::new(offer_id, WithdrawRole::SellingPartner)
    }

    /// The offer's `name` to send (read from the offer when not given and the state is checked).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer};
    /// let w = WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).name("Summer deal");
    /// assert_eq!(w.to_resource().name.as_deref(), Some("Summer deal"));
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The `privateOfferType` to send (e.g. `customerPromotion` for a customer offer withdrawn by its
    /// publisher). Default: the role's documented type, or for the ISV the offer's own when the state is
    /// checked.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferType;
    /// let w = WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).private_offer_type(PrivateOfferType::CspPromotion);
    /// assert_eq!(w.to_resource().private_offer_type, Some(PrivateOfferType::CspPromotion));
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn private_offer_type(mut self, offer_type: PrivateOfferType) -> Self {
        self.private_offer_type = Some(offer_type);
        self
    }

    /// Whether to read the offer before the configure call (default `true`).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer};
    /// let blind = WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).check_state(false);
    /// # let _ = blind; Ok::<(), offerkit_partner_center_ingestion::Error>(())
    /// ```
    pub fn check_state(mut self, check: bool) -> Self {
        self.check_state = check;
        self
    }

    /// The offer to withdraw.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer};
    /// assert_eq!(WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).offer_id().as_str(), "o1");
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn offer_id(&self) -> &PrivateOfferId {
        &self.offer_id
    }

    /// Who withdraws.
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer, WithdrawRole};
    /// assert_eq!(WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).role(), WithdrawRole::Isv);
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn role(&self) -> WithdrawRole {
        self.role
    }

    /// The resource this withdrawal sends (to combine several in one [`IngestionClient::configure`] call).
    ///
    /// ```
    /// # use offerkit_partner_center_ingestion::{PrivateOfferId, WithdrawPrivateOffer};
    /// use offerkit_partner_center_ingestion::models::PrivateOfferState;
    /// let resource = WithdrawPrivateOffer::isv(PrivateOfferId::new("o1")?).to_resource();
    /// assert_eq!(resource.state, Some(PrivateOfferState::Withdrawn));
    /// # Ok::<(), offerkit_partner_center_ingestion::InvalidId>(())
    /// ```
    pub fn to_resource(&self) -> PrivateOffer {
        state_change(
            &self.offer_id,
            self.name.clone(),
            Some(
                self.private_offer_type
                    .clone()
                    .unwrap_or_else(|| self.role.default_offer_type()),
            ),
            PrivateOfferState::Withdrawn,
        )
    }
}

impl IngestionClient {
    /// Deletes a draft private offer: submits the configure job and returns it (follow it with
    /// [`IngestionClient::poller`] and [`crate::Poller::wait_retraction`]), or
    /// [`Retraction::AlreadyRetracted`] when the state check finds the offer missing or deleted.
    ///
    /// ```no_run
    /// use offerkit_partner_center_ingestion::{DeletePrivateOffer, PrivateOfferId, Retraction};
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let request = DeletePrivateOffer::new(PrivateOfferId::new("456e-a345-c457-1234")?);
    /// match client.delete_private_offer(request).await {
    ///     Ok(Retraction::Retracted(submitted)) => {
    ///         let end = client.poller(submitted.handle).wait_retraction().await?;
    ///         println!("deleted: {}", end.is_retracted());
    ///     }
    ///     Ok(_) => println!("already deleted"),
    ///     Err(e) if e.is_not_draft() => println!("live offer: withdraw it instead"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete_private_offer(
        &self,
        mut request: DeletePrivateOffer,
    ) -> Result<Retraction<Submitted, OfferGone>, Error> {
        let offer_id = request.offer_id.clone();
        if request.check_state {
            let offer = match self.get_private_offer(&offer_id).await {
                Ok(offer) => offer,
                Err(Error::OfferNotFound { .. }) => {
                    return Ok(OfferGone::retraction(offer_id, None));
                }
                Err(e) => return Err(e),
            };
            if is_deleted(&offer) {
                return Ok(OfferGone::retraction(offer_id, offer.state));
            }
            if delete_refusal(&offer).is_some()
                && let Some(state) = offer.state.clone()
            {
                return Err(Error::NotDraft {
                    offer_id,
                    state,
                    job: None,
                });
            }
            request.name = request.name.or(offer.name);
            request.private_offer_type = request.private_offer_type.or(offer.private_offer_type);
        } else if request.private_offer_type.is_none() {
            return Err(Error::invalid_argument(
                "private_offer_type",
                "a delete without the state check must name the offer's privateOfferType \
                 (customerPromotion, cspPromotion or multipartyPromotionOriginator)",
            ));
        }
        let envelope = ConfigureRequest::new(vec![request.to_resource()]);
        self.submit(&envelope, JobPurpose::Delete { offer_id })
            .await
            .map(Retraction::Retracted)
    }

    /// Withdraws a private offer: submits the configure job and returns it, or
    /// [`Retraction::AlreadyRetracted`] when the state check finds it missing or already withdrawn.
    ///
    /// ```no_run
    /// use offerkit_partner_center_ingestion::{PrivateOfferId, Retraction, WithdrawPrivateOffer};
    /// # async fn run(client: offerkit_partner_center_ingestion::IngestionClient) -> Result<(), offerkit_partner_center_ingestion::Error> {
    /// let request = WithdrawPrivateOffer::selling_partner(PrivateOfferId::new("456e-a345-c457-1234")?)
    ///     .name("privateOffercustomer1705");
    /// if let Retraction::Retracted(submitted) = client.withdraw_private_offer(request).await? {
    ///     client.poller(submitted.handle).wait_retraction().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn withdraw_private_offer(
        &self,
        mut request: WithdrawPrivateOffer,
    ) -> Result<Retraction<Submitted, OfferGone>, Error> {
        let offer_id = request.offer_id.clone();
        let role = request.role;
        if request.check_state {
            let offer = match self.get_private_offer(&offer_id).await {
                Ok(offer) => offer,
                Err(Error::OfferNotFound { .. }) => {
                    return Ok(OfferGone::retraction(offer_id, None));
                }
                Err(e) => return Err(e),
            };
            if is_withdrawn(&offer, role) {
                return Ok(OfferGone::retraction(offer_id, offer.state));
            }
            request.name = request.name.or(offer.name);
            if role == WithdrawRole::Isv {
                // The ISV withdraws customer and CSP offers too: their own type is the right one.
                request.private_offer_type =
                    request.private_offer_type.or(offer.private_offer_type);
            }
        }
        let envelope = ConfigureRequest::new(vec![request.to_resource()]);
        self.submit(&envelope, JobPurpose::Withdraw { offer_id, role })
            .await
            .map(Retraction::Retracted)
    }
}
