//! What to retract: [`Target`], its JSON line format, validation and identity keys.
//!
//! One JSON object per target, tagged by `vendor` and `action`; field names are camelCase.
//! Unknown fields are rejected (a typo such as `lineitems` must not turn a partial
//! cancellation into a whole-order one).
//!
//! ```text
//! {"vendor":"partner-center-ingestion","action":"delete","offerId":"456e-a345-c457-1234","name":"privateOffercustomer1705"}
//! {"vendor":"partner-center-ingestion","action":"withdraw","offerId":"…","role":"isv","name":"…"}
//! {"vendor":"partner-center-orders","action":"cancel","customerTenantId":"…","orderId":"…","lineItems":[0,2]}
//! {"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"…","subscriptionId":"…","ifOutsideWindow":"stop-renewal"}
//! {"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":"…","subscriptionId":"…"}
//! {"vendor":"adobe","action":"delete","offerId":"…","offerType":"personalized"}
//! {"vendor":"appcharge","action":"delete","publisherOfferId":"…"}
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use crate::error::Error;
use offerkit_models::Vendor;
use offerkit_models::ids::{
    AdobeOfferId, CustomerTenantId, InvalidId, OrderId, PrivateOfferId, PublisherOfferId,
    SubscriptionId,
};

/// One retraction to perform.
///
/// Parse it from a JSON line with [`Target::from_json`] (or serde), build it in code with
/// the variant structs, and identify it with [`Target::key`].
///
/// ```
/// use offerkit::{Target, Vendor};
/// let t = Target::from_json(
///     r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c1","orderId":"o1","lineItems":[2,0]}"#,
/// ).unwrap();
/// assert_eq!(t.vendor(), Vendor::PartnerCenterOrders);
/// assert_eq!(t.key(), "partner-center-orders:cancel:c1:o1:0,2");
/// assert_eq!(t.rate_limit_key(), "partner-center-orders:c1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Delete a draft Partner Center private offer (ingestion `configure`, state `deleted`).
    IngestionDelete(IngestionDelete),
    /// Withdraw a Partner Center private offer (ingestion `configure`, state `withdrawn`).
    IngestionWithdraw(IngestionWithdraw),
    /// Cancel a Partner Center software order, whole or some line items.
    OrdersCancel(OrdersCancel),
    /// Cancel a Partner Center new-commerce subscription inside its cancellation window (a
    /// cancellation cannot be undone).
    OrdersCancelSubscription(OrdersCancelSubscription),
    /// Stop a Partner Center subscription's renewal (`autoRenewEnabled: false`).
    OrdersStopRenewal(OrdersStopRenewal),
    /// Delete an Adobe Offer Library offer (personalized or fallback).
    AdobeDelete(AdobeDelete),
    /// Delete an Appcharge Offers V2 offer.
    AppchargeDelete(AppchargeDelete),
}

/// Fields of [`Target::IngestionDelete`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IngestionDelete {
    /// The private offer (`offerId`; a `private-offer/` prefix is accepted and stripped).
    pub offer_id: PrivateOfferId,
    /// The offer's `name`; when absent the vendor impl reads it from the offer.
    pub name: Option<String>,
    /// The offer's `privateOfferType`; when absent the vendor impl reads it from the offer.
    pub private_offer_type: Option<String>,
}

/// Fields of [`Target::IngestionWithdraw`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IngestionWithdraw {
    /// The private offer (`offerId`).
    pub offer_id: PrivateOfferId,
    /// Who withdraws (`role`): the ISV (originator) or the selling partner; picks the body.
    pub role: WithdrawRole,
    /// The offer's `name`; when absent the vendor impl reads it from the offer.
    pub name: Option<String>,
    /// The offer's `privateOfferType`; when absent the vendor impl reads it from the offer.
    pub private_offer_type: Option<String>,
}

/// Fields of [`Target::OrdersCancel`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrdersCancel {
    /// The customer's tenant (`customerTenantId`).
    pub customer_tenant_id: CustomerTenantId,
    /// The order (`orderId`).
    pub order_id: OrderId,
    /// Line item numbers to cancel, sorted and de-duplicated (`lineItems`);
    /// empty means the whole order.
    pub line_items: Vec<u32>,
}

/// Fields of [`Target::OrdersCancelSubscription`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrdersCancelSubscription {
    /// The customer's tenant (`customerTenantId`).
    pub customer_tenant_id: CustomerTenantId,
    /// The subscription (`subscriptionId`).
    pub subscription_id: SubscriptionId,
    /// What to do once the window has ended (`ifOutsideWindow`, default `fail`).
    pub if_outside_window: IfOutsideWindow,
}

/// Fields of [`Target::OrdersStopRenewal`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrdersStopRenewal {
    /// The customer's tenant (`customerTenantId`).
    pub customer_tenant_id: CustomerTenantId,
    /// The subscription (`subscriptionId`).
    pub subscription_id: SubscriptionId,
}

/// What a `cancel-subscription` target does once the cancellation window has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IfOutsideWindow {
    /// Fail with an "outside the cancellation window" error naming its end date (`"fail"`).
    #[default]
    Fail,
    /// Stop the renewal instead, reported as a distinct result (`"stop-renewal"`).
    StopRenewal,
}

impl IfOutsideWindow {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IfOutsideWindow::Fail => "fail",
            IfOutsideWindow::StopRenewal => "stop-renewal",
        }
    }
}

/// Fields of [`Target::AdobeDelete`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdobeDelete {
    /// The offer (`offerId`).
    pub offer_id: AdobeOfferId,
    /// `personalized` or `fallback` (`offerType`).
    pub offer_type: AdobeOfferType,
}

/// Fields of [`Target::AppchargeDelete`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppchargeDelete {
    /// The publisher's offer key (`publisherOfferId`).
    pub publisher_offer_id: PublisherOfferId,
}

/// Which side of a (multiparty) private offer withdraws it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WithdrawRole {
    /// The ISV / MPO originator (`"isv"`).
    Isv,
    /// The channel partner that resells the offer (`"selling-partner"`).
    SellingPartner,
}

impl WithdrawRole {
    /// Both roles.
    pub const ALL: [WithdrawRole; 2] = [WithdrawRole::Isv, WithdrawRole::SellingPartner];

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            WithdrawRole::Isv => "isv",
            WithdrawRole::SellingPartner => "selling-partner",
        }
    }

    /// Reads the JSON spelling, ignoring ASCII case.
    pub fn parse(raw: &str) -> Option<WithdrawRole> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(raw.trim()))
    }
}

/// The two kinds of Adobe Offer Library offers (`offer-type` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AdobeOfferType {
    /// `personalized`
    Personalized,
    /// `fallback`
    Fallback,
}

impl AdobeOfferType {
    /// Both offer types.
    pub const ALL: [AdobeOfferType; 2] = [AdobeOfferType::Personalized, AdobeOfferType::Fallback];

    /// The JSON and query-string spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AdobeOfferType::Personalized => "personalized",
            AdobeOfferType::Fallback => "fallback",
        }
    }

    /// Reads the JSON spelling, ignoring ASCII case.
    pub fn parse(raw: &str) -> Option<AdobeOfferType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(raw.trim()))
    }
}

/// The operation a [`Target`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// `delete`
    Delete,
    /// `withdraw`
    Withdraw,
    /// `cancel`
    Cancel,
    /// `cancel-subscription`
    CancelSubscription,
    /// `stop-renewal`
    StopRenewal,
}

impl Action {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Withdraw => "withdraw",
            Action::Cancel => "cancel",
            Action::CancelSubscription => "cancel-subscription",
            Action::StopRenewal => "stop-renewal",
        }
    }
}

/// The resource a target points at, for read-backs (`get`) and probes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceRef {
    /// A Partner Center private offer.
    PrivateOffer(PrivateOfferId),
    /// A Partner Center order.
    Order {
        /// The customer's tenant.
        customer_tenant_id: CustomerTenantId,
        /// The order.
        order_id: OrderId,
    },
    /// A Partner Center subscription.
    Subscription {
        /// The customer's tenant.
        customer_tenant_id: CustomerTenantId,
        /// The subscription.
        subscription_id: SubscriptionId,
    },
    /// An Adobe Offer Library offer.
    AdobeOffer {
        /// The offer.
        offer_id: AdobeOfferId,
        /// Its kind.
        offer_type: AdobeOfferType,
    },
    /// An Appcharge offer.
    AppchargeOffer(PublisherOfferId),
}

impl ResourceRef {
    /// The vendor that owns the resource.
    pub fn vendor(&self) -> Vendor {
        match self {
            ResourceRef::PrivateOffer(_) => Vendor::PartnerCenterIngestion,
            ResourceRef::Order { .. } | ResourceRef::Subscription { .. } => {
                Vendor::PartnerCenterOrders
            }
            ResourceRef::AdobeOffer { .. } => Vendor::AdobeOffers,
            ResourceRef::AppchargeOffer(_) => Vendor::Appcharge,
        }
    }
}

/// Why a target (or its JSON line) is invalid: the field at fault and what is wrong.
///
/// ```
/// use offerkit::Target;
/// let err = Target::from_json(r#"{"vendor":"appcharge","action":"delete","publisherOfferId":""}"#)
///     .unwrap_err();
/// assert_eq!(err.field(), Some("publisherOfferId"));
/// assert_eq!(err.to_string(), "field `publisherOfferId`: must not be empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TargetError {
    field: Option<String>,
    message: String,
}

impl TargetError {
    /// An error about the whole line (not one field).
    pub fn line(message: impl Into<String>) -> Self {
        TargetError {
            field: None,
            message: message.into(),
        }
    }

    /// An error about `field`.
    pub fn field_error(field: impl Into<String>, message: impl Into<String>) -> Self {
        TargetError {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A value error whose field is filled in by the caller ([`TargetError::in_field`]).
    pub(crate) fn value(message: impl Into<String>) -> Self {
        TargetError::line(message)
    }

    /// Names the field this error is about, if not named yet.
    pub fn in_field(mut self, field: &str) -> Self {
        if self.field.is_none() {
            self.field = Some(field.to_owned());
        }
        self
    }

    /// The JSON field at fault, if the error is about one field.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "field `{field}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// An id refused by the one id check, as a value error (the caller names the field with
/// [`TargetError::in_field`]).
impl From<InvalidId> for TargetError {
    fn from(err: InvalidId) -> Self {
        TargetError::value(err.reason())
    }
}

impl From<TargetError> for Error {
    fn from(err: TargetError) -> Self {
        Error::input(err.to_string())
    }
}

impl Target {
    /// Parses and validates one JSON line.
    pub fn from_json(line: &str) -> Result<Target, TargetError> {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| TargetError::line(format!("not valid JSON: {e}")))?;
        Target::from_value(value)
    }

    /// Validates an already-parsed JSON value.
    pub fn from_value(value: Value) -> Result<Target, TargetError> {
        let Value::Object(map) = value else {
            return Err(TargetError::line(format!(
                "expected a JSON object, found {}",
                json_type(&value)
            )));
        };
        let mut fields = Fields(map);
        let vendor_raw = fields.required_str("vendor")?;
        let vendor = Vendor::parse(&vendor_raw).ok_or_else(|| {
            TargetError::field_error(
                "vendor",
                format!(
                    "unknown vendor `{vendor_raw}` (expected one of: {})",
                    Vendor::ALL.map(Vendor::id).join(", ")
                ),
            )
        })?;
        let action_raw = fields.required_str("action")?;
        let unknown_action = |expected: &str| {
            TargetError::field_error(
                "action",
                format!("unknown action `{action_raw}` for vendor {vendor} (expected {expected})"),
            )
        };
        let target = match vendor {
            Vendor::PartnerCenterIngestion => match action_raw.as_str() {
                "delete" => Target::IngestionDelete(IngestionDelete {
                    offer_id: fields.offer_id()?,
                    name: fields.optional_str("name")?,
                    private_offer_type: fields.optional_str("privateOfferType")?,
                }),
                "withdraw" => Target::IngestionWithdraw(IngestionWithdraw {
                    offer_id: fields.offer_id()?,
                    role: fields.choice(
                        "role",
                        &[
                            ("isv", WithdrawRole::Isv),
                            ("selling-partner", WithdrawRole::SellingPartner),
                        ],
                    )?,
                    name: fields.optional_str("name")?,
                    private_offer_type: fields.optional_str("privateOfferType")?,
                }),
                _ => return Err(unknown_action("delete or withdraw")),
            },
            Vendor::PartnerCenterOrders => match action_raw.as_str() {
                "cancel" => Target::OrdersCancel(OrdersCancel {
                    customer_tenant_id: fields.id("customerTenantId", CustomerTenantId::new)?,
                    order_id: fields.id("orderId", OrderId::new)?,
                    line_items: fields.line_items("lineItems")?,
                }),
                "cancel-subscription" => {
                    Target::OrdersCancelSubscription(OrdersCancelSubscription {
                        customer_tenant_id: fields.id("customerTenantId", CustomerTenantId::new)?,
                        subscription_id: fields.id("subscriptionId", SubscriptionId::new)?,
                        if_outside_window: match fields.take("ifOutsideWindow") {
                            None | Some(Value::Null) => IfOutsideWindow::Fail,
                            Some(v) => {
                                fields.0.insert("ifOutsideWindow".to_owned(), v);
                                fields.choice(
                                    "ifOutsideWindow",
                                    &[
                                        ("fail", IfOutsideWindow::Fail),
                                        ("stop-renewal", IfOutsideWindow::StopRenewal),
                                    ],
                                )?
                            }
                        },
                    })
                }
                "stop-renewal" => Target::OrdersStopRenewal(OrdersStopRenewal {
                    customer_tenant_id: fields.id("customerTenantId", CustomerTenantId::new)?,
                    subscription_id: fields.id("subscriptionId", SubscriptionId::new)?,
                }),
                _ => {
                    return Err(unknown_action(
                        "cancel, cancel-subscription or stop-renewal",
                    ));
                }
            },
            Vendor::AdobeOffers => match action_raw.as_str() {
                "delete" => Target::AdobeDelete(AdobeDelete {
                    offer_id: fields.id("offerId", AdobeOfferId::new)?,
                    offer_type: fields.choice(
                        "offerType",
                        &[
                            ("personalized", AdobeOfferType::Personalized),
                            ("fallback", AdobeOfferType::Fallback),
                        ],
                    )?,
                }),
                _ => return Err(unknown_action("delete")),
            },
            Vendor::Appcharge => match action_raw.as_str() {
                "delete" => Target::AppchargeDelete(AppchargeDelete {
                    publisher_offer_id: fields.id("publisherOfferId", PublisherOfferId::new)?,
                }),
                _ => return Err(unknown_action("delete")),
            },
        };
        fields.finish()?;
        Ok(target)
    }

    /// The vendor that performs this target.
    pub fn vendor(&self) -> Vendor {
        self.resource().vendor()
    }

    /// The operation.
    pub fn action(&self) -> Action {
        match self {
            Target::IngestionDelete(_) | Target::AdobeDelete(_) | Target::AppchargeDelete(_) => {
                Action::Delete
            }
            Target::IngestionWithdraw(_) => Action::Withdraw,
            Target::OrdersCancel(_) => Action::Cancel,
            Target::OrdersCancelSubscription(_) => Action::CancelSubscription,
            Target::OrdersStopRenewal(_) => Action::StopRenewal,
        }
    }

    /// The resource this target points at.
    pub fn resource(&self) -> ResourceRef {
        match self {
            Target::IngestionDelete(t) => ResourceRef::PrivateOffer(t.offer_id.clone()),
            Target::IngestionWithdraw(t) => ResourceRef::PrivateOffer(t.offer_id.clone()),
            Target::OrdersCancel(t) => ResourceRef::Order {
                customer_tenant_id: t.customer_tenant_id.clone(),
                order_id: t.order_id.clone(),
            },
            Target::OrdersCancelSubscription(t) => ResourceRef::Subscription {
                customer_tenant_id: t.customer_tenant_id.clone(),
                subscription_id: t.subscription_id.clone(),
            },
            Target::OrdersStopRenewal(t) => ResourceRef::Subscription {
                customer_tenant_id: t.customer_tenant_id.clone(),
                subscription_id: t.subscription_id.clone(),
            },
            Target::AdobeDelete(t) => ResourceRef::AdobeOffer {
                offer_id: t.offer_id.clone(),
                offer_type: t.offer_type,
            },
            Target::AppchargeDelete(t) => ResourceRef::AppchargeOffer(t.publisher_offer_id.clone()),
        }
    }

    /// A stable identity, `vendor:action:ids`, used as the journal key. Two targets with
    /// the same key are the same retraction (line items are sorted; `all` = whole order).
    ///
    /// Each id is percent-escaped (`%` as `%25`, `:` as `%3A`) so the parts can be told apart:
    /// Adobe ids really contain `:`, and (`a`, `b:c`) must not be the same target as (`a:b`, `c`).
    ///
    /// ```
    /// # use offerkit::Target;
    /// let one = Target::from_json(r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"a","orderId":"b:c"}"#).unwrap();
    /// let two = Target::from_json(r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"a:b","orderId":"c"}"#).unwrap();
    /// assert_eq!(one.key(), "partner-center-orders:cancel:a:b%3Ac:all");
    /// assert_ne!(one.key(), two.key());
    /// ```
    pub fn key(&self) -> String {
        let part = escape_key_part;
        let prefix = format!("{}:{}", self.vendor(), self.action().as_str());
        match self {
            Target::IngestionDelete(t) => format!("{prefix}:{}", part(t.offer_id.as_str())),
            Target::IngestionWithdraw(t) => {
                format!("{prefix}:{}:{}", part(t.offer_id.as_str()), t.role.as_str())
            }
            Target::OrdersCancel(t) => {
                let items = if t.line_items.is_empty() {
                    "all".to_owned()
                } else {
                    t.line_items
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                };
                format!(
                    "{prefix}:{}:{}:{items}",
                    part(t.customer_tenant_id.as_str()),
                    part(t.order_id.as_str())
                )
            }
            Target::OrdersCancelSubscription(t) => format!(
                "{prefix}:{}:{}:{}",
                part(t.customer_tenant_id.as_str()),
                part(t.subscription_id.as_str()),
                t.if_outside_window.as_str()
            ),
            Target::OrdersStopRenewal(t) => format!(
                "{prefix}:{}:{}",
                part(t.customer_tenant_id.as_str()),
                part(t.subscription_id.as_str())
            ),
            Target::AdobeDelete(t) => {
                format!(
                    "{prefix}:{}:{}",
                    t.offer_type.as_str(),
                    part(t.offer_id.as_str())
                )
            }
            Target::AppchargeDelete(t) => {
                format!("{prefix}:{}", part(t.publisher_offer_id.as_str()))
            }
        }
    }

    /// The target a [`Target::key`] names (its inverse): how results and journal lines, which
    /// carry the key, name their target again. A key that no target gives is a [`TargetError`].
    ///
    /// Ingestion targets come back without the optional `name` and `privateOfferType` (the key
    /// does not hold them).
    ///
    /// ```
    /// # use offerkit::Target;
    /// let target = Target::from_json(r#"{"vendor":"adobe","action":"delete","offerId":"xcore:offer:1","offerType":"fallback"}"#).unwrap();
    /// assert_eq!(Target::from_key(&target.key()).unwrap(), target);
    /// assert!(Target::from_key("adobe:delete").is_err());
    /// ```
    pub fn from_key(key: &str) -> Result<Target, TargetError> {
        let bad = |why: &str| TargetError::line(format!("key {key:?} {why}"));
        let parts: Vec<String> = key.split(':').map(unescape_key_part).collect();
        let [vendor, action, rest @ ..] = parts.as_slice() else {
            return Err(bad("is not vendor:action:ids"));
        };
        let mut json = serde_json::Map::new();
        json.insert("vendor".to_owned(), Value::from(vendor.as_str()));
        json.insert("action".to_owned(), Value::from(action.as_str()));
        let mut put = |field: &str, value: &str| {
            json.insert(field.to_owned(), Value::from(value));
        };
        match (Vendor::parse(vendor), action.as_str(), rest) {
            (Some(Vendor::PartnerCenterIngestion), "delete", [offer]) => put("offerId", offer),
            (Some(Vendor::PartnerCenterIngestion), "withdraw", [offer, role]) => {
                put("offerId", offer);
                put("role", role);
            }
            (Some(Vendor::PartnerCenterOrders), "cancel", [customer, order, items]) => {
                put("customerTenantId", customer);
                put("orderId", order);
                if items != "all" {
                    let numbers: Result<Vec<u32>, _> =
                        items.split(',').map(str::parse::<u32>).collect();
                    let numbers =
                        numbers.map_err(|_| bad("has line items that are not numbers"))?;
                    json.insert("lineItems".to_owned(), Value::from(numbers));
                }
            }
            (Some(Vendor::PartnerCenterOrders), "cancel-subscription", [customer, sub, choice]) => {
                put("customerTenantId", customer);
                put("subscriptionId", sub);
                put("ifOutsideWindow", choice);
            }
            (Some(Vendor::PartnerCenterOrders), "stop-renewal", [customer, sub]) => {
                put("customerTenantId", customer);
                put("subscriptionId", sub);
            }
            (Some(Vendor::AdobeOffers), "delete", [offer_type, offer]) => {
                put("offerType", offer_type);
                put("offerId", offer);
            }
            (Some(Vendor::Appcharge), "delete", [offer]) => put("publisherOfferId", offer),
            _ => return Err(bad("names no known vendor, action and ids")),
        }
        let target = Target::from_value(Value::Object(json))
            .map_err(|e| bad(&format!("is not a valid target: {}", e.message())))?;
        if target.key() != key {
            return Err(bad(&format!(
                "is not canonical (the target's key is {})",
                target.key()
            )));
        }
        Ok(target)
    }

    /// The bucket this target's calls count against for rate limiting: the vendor name,
    /// plus the customer tenant for Partner Center orders (500 requests/min per tenant).
    pub fn rate_limit_key(&self) -> String {
        match self {
            Target::OrdersCancel(t) => format!("{}:{}", self.vendor(), t.customer_tenant_id),
            Target::OrdersCancelSubscription(OrdersCancelSubscription {
                customer_tenant_id,
                ..
            })
            | Target::OrdersStopRenewal(OrdersStopRenewal {
                customer_tenant_id, ..
            }) => format!("{}:{customer_tenant_id}", self.vendor()),
            _ => self.vendor().to_string(),
        }
    }

    /// The canonical JSON line form (what [`Target::from_json`] accepts).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl fmt::Display for Target {
    /// Same as [`Target::key`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl serde::Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("vendor", self.vendor().id())?;
        map.serialize_entry("action", self.action().as_str())?;
        match self {
            Target::IngestionDelete(t) => {
                map.serialize_entry("offerId", &t.offer_id)?;
                if let Some(name) = &t.name {
                    map.serialize_entry("name", name)?;
                }
                if let Some(kind) = &t.private_offer_type {
                    map.serialize_entry("privateOfferType", kind)?;
                }
            }
            Target::IngestionWithdraw(t) => {
                map.serialize_entry("offerId", &t.offer_id)?;
                map.serialize_entry("role", t.role.as_str())?;
                if let Some(name) = &t.name {
                    map.serialize_entry("name", name)?;
                }
                if let Some(kind) = &t.private_offer_type {
                    map.serialize_entry("privateOfferType", kind)?;
                }
            }
            Target::OrdersCancel(t) => {
                map.serialize_entry("customerTenantId", &t.customer_tenant_id)?;
                map.serialize_entry("orderId", &t.order_id)?;
                if !t.line_items.is_empty() {
                    map.serialize_entry("lineItems", &t.line_items)?;
                }
            }
            Target::OrdersCancelSubscription(t) => {
                map.serialize_entry("customerTenantId", &t.customer_tenant_id)?;
                map.serialize_entry("subscriptionId", &t.subscription_id)?;
                if t.if_outside_window != IfOutsideWindow::Fail {
                    map.serialize_entry("ifOutsideWindow", t.if_outside_window.as_str())?;
                }
            }
            Target::OrdersStopRenewal(t) => {
                map.serialize_entry("customerTenantId", &t.customer_tenant_id)?;
                map.serialize_entry("subscriptionId", &t.subscription_id)?;
            }
            Target::AdobeDelete(t) => {
                map.serialize_entry("offerId", &t.offer_id)?;
                map.serialize_entry("offerType", t.offer_type.as_str())?;
            }
            Target::AppchargeDelete(t) => {
                map.serialize_entry("publisherOfferId", &t.publisher_offer_id)?;
            }
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Target::from_value(value).map_err(serde::de::Error::custom)
    }
}

impl IngestionDelete {
    /// A delete of `offer_id`; the impl looks up name and type.
    pub fn new(offer_id: PrivateOfferId) -> Self {
        IngestionDelete {
            offer_id,
            name: None,
            private_offer_type: None,
        }
    }
}

impl IngestionWithdraw {
    /// A withdrawal of `offer_id` by `role`; the impl looks up name and type.
    pub fn new(offer_id: PrivateOfferId, role: WithdrawRole) -> Self {
        IngestionWithdraw {
            offer_id,
            role,
            name: None,
            private_offer_type: None,
        }
    }
}

impl OrdersCancel {
    /// A cancellation of `line_items` (sorted and de-duplicated here; empty = whole order).
    pub fn new(
        customer_tenant_id: CustomerTenantId,
        order_id: OrderId,
        mut line_items: Vec<u32>,
    ) -> Self {
        line_items.sort_unstable();
        line_items.dedup();
        OrdersCancel {
            customer_tenant_id,
            order_id,
            line_items,
        }
    }
}

impl OrdersCancelSubscription {
    /// A cancellation of `subscription_id` that fails once the window has ended.
    pub fn new(customer_tenant_id: CustomerTenantId, subscription_id: SubscriptionId) -> Self {
        OrdersCancelSubscription {
            customer_tenant_id,
            subscription_id,
            if_outside_window: IfOutsideWindow::Fail,
        }
    }

    /// What to do once the window has ended.
    pub fn if_outside_window(mut self, choice: IfOutsideWindow) -> Self {
        self.if_outside_window = choice;
        self
    }
}

impl OrdersStopRenewal {
    /// A renewal stop of `subscription_id`.
    pub fn new(customer_tenant_id: CustomerTenantId, subscription_id: SubscriptionId) -> Self {
        OrdersStopRenewal {
            customer_tenant_id,
            subscription_id,
        }
    }
}

impl AdobeDelete {
    /// A delete of `offer_id` of kind `offer_type`.
    pub fn new(offer_id: AdobeOfferId, offer_type: AdobeOfferType) -> Self {
        AdobeDelete {
            offer_id,
            offer_type,
        }
    }
}

impl AppchargeDelete {
    /// A delete of `publisher_offer_id`.
    pub fn new(publisher_offer_id: PublisherOfferId) -> Self {
        AppchargeDelete { publisher_offer_id }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The not-yet-consumed fields of one JSON line; every accessor names its field in errors.
struct Fields(Map<String, Value>);

impl Fields {
    fn take(&mut self, field: &str) -> Option<Value> {
        self.0.remove(field)
    }

    fn required_str(&mut self, field: &str) -> Result<String, TargetError> {
        match self.take(field) {
            None | Some(Value::Null) => Err(TargetError::field_error(field, "is required")),
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(TargetError::field_error(
                field,
                format!("expected a string, found {}", json_type(&other)),
            )),
        }
    }

    fn optional_str(&mut self, field: &str) -> Result<Option<String>, TargetError> {
        match self.take(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Err(TargetError::field_error(
                field,
                "must not be empty (omit it instead)",
            )),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(TargetError::field_error(
                field,
                format!("expected a string, found {}", json_type(&other)),
            )),
        }
    }

    fn id<T>(
        &mut self,
        field: &str,
        make: fn(String) -> Result<T, InvalidId>,
    ) -> Result<T, TargetError> {
        let raw = self.required_str(field)?;
        make(raw).map_err(|e| TargetError::from(e).in_field(field))
    }

    fn offer_id(&mut self) -> Result<PrivateOfferId, TargetError> {
        self.id("offerId", PrivateOfferId::new)
    }

    fn choice<T: Copy>(&mut self, field: &str, options: &[(&str, T)]) -> Result<T, TargetError> {
        let raw = self.required_str(field)?;
        options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&raw))
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let expected: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
                TargetError::field_error(
                    field,
                    format!("unknown value `{raw}` (expected {})", expected.join(" or ")),
                )
            })
    }

    fn line_items(&mut self, field: &str) -> Result<Vec<u32>, TargetError> {
        let items = match self.take(field) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(TargetError::field_error(
                    field,
                    format!(
                        "expected an array of line item numbers, found {}",
                        json_type(&other)
                    ),
                ));
            }
        };
        let mut numbers = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let number = item
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    TargetError::field_error(
                        format!("{field}[{index}]"),
                        format!(
                            "expected a non-negative line item number, found {}",
                            match item {
                                Value::Number(n) => n.to_string(),
                                other => json_type(other).to_owned(),
                            }
                        ),
                    )
                })?;
            numbers.push(number);
        }
        numbers.sort_unstable();
        numbers.dedup();
        Ok(numbers)
    }

    fn finish(self) -> Result<(), TargetError> {
        match self.0.keys().next() {
            None => Ok(()),
            Some(field) => Err(TargetError::field_error(
                field.clone(),
                "unknown field for this vendor and action",
            )),
        }
    }
}

/// Escapes one key part: `%` and `:` are percent-encoded, nothing else changes.
fn escape_key_part(part: &str) -> Cow<'_, str> {
    if !part.contains(['%', ':']) {
        return Cow::Borrowed(part);
    }
    Cow::Owned(part.replace('%', "%25").replace(':', "%3A"))
}

/// Undoes [`escape_key_part`]: `%25` is `%`, `%3A` (any case) is `:`, anything else stays.
fn unescape_key_part(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    let mut rest = part;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3);
        match code {
            Some("25") => out.push('%'),
            Some(c) if c.eq_ignore_ascii_case("3A") => out.push(':'),
            _ => {
                out.push('%');
                rest = &rest[i + 1..];
                continue;
            }
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_names_its_target_again() {
        let lines = [
            r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"a:b%c"}"#,
            r#"{"vendor":"partner-center-ingestion","action":"withdraw","offerId":"o","role":"selling-partner"}"#,
            r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c:1","orderId":"o%2","lineItems":[3,1]}"#,
            r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o"}"#,
            r#"{"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"c","subscriptionId":"s","ifOutsideWindow":"stop-renewal"}"#,
            r#"{"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":"c","subscriptionId":"s"}"#,
            r#"{"vendor":"adobe","action":"delete","offerId":"xcore:personalized-offer:1%3A","offerType":"personalized"}"#,
            r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"summer:sale%25"}"#,
        ];
        for line in lines {
            let target = Target::from_json(line).expect("target");
            assert_eq!(
                Target::from_key(&target.key()).expect("from key"),
                target,
                "{line}"
            );
        }
        for bad in [
            "",
            "appcharge",
            "appcharge:delete",
            "appcharge:delete:a:b",
            "appcharge:remove:a",
            "nobody:delete:a",
            "partner-center-orders:cancel:c:o:1,x",
            "appcharge:delete:..",
            "adobe:delete:fallback:a%3a",
        ] {
            assert!(Target::from_key(bad).is_err(), "{bad:?} must be refused");
        }
    }

    fn err(line: &str) -> TargetError {
        Target::from_json(line).expect_err("should be rejected")
    }

    #[test]
    fn parses_every_kind_and_round_trips() {
        let lines = [
            r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"456e-a345-c457-1234","name":"privateOffercustomer1705"}"#,
            r#"{"vendor":"partner-center-ingestion","action":"withdraw","offerId":"o2","role":"selling-partner","name":"n"}"#,
            r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o","lineItems":[0,2]}"#,
            r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o"}"#,
            r#"{"vendor":"adobe","action":"delete","offerId":"personalizedOffer1234","offerType":"fallback"}"#,
            r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"special-offer-1"}"#,
        ];
        for line in lines {
            let target = Target::from_json(line).expect(line);
            let back = serde_json::to_string(&target).expect("serialize");
            assert_eq!(back, line);
            let again: Target = serde_json::from_str(&back).expect("deserialize");
            assert_eq!(again, target);
        }
    }

    #[test]
    fn subscription_targets_parse_key_and_round_trip() {
        let cancel = Target::from_json(
            r#"{"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"c:1","subscriptionId":"s1","ifOutsideWindow":"stop-renewal"}"#,
        )
        .expect("cancel-subscription");
        assert_eq!(
            cancel.key(),
            "partner-center-orders:cancel-subscription:c%3A1:s1:stop-renewal"
        );
        assert_eq!(cancel.rate_limit_key(), "partner-center-orders:c:1");
        assert_eq!(Target::from_value(cancel.to_json()).expect("again"), cancel);
        let plain = Target::from_json(
            r#"{"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"c","subscriptionId":"s"}"#,
        )
        .expect("default fail");
        assert_eq!(
            plain.key(),
            "partner-center-orders:cancel-subscription:c:s:fail"
        );
        assert_eq!(
            plain.to_json(),
            serde_json::json!({"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"c","subscriptionId":"s"})
        );
        let stop = Target::from_json(
            r#"{"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":"c","subscriptionId":"s"}"#,
        )
        .expect("stop-renewal");
        assert_eq!(stop.key(), "partner-center-orders:stop-renewal:c:s");
        assert_eq!(stop.action(), Action::StopRenewal);
        assert_ne!(stop.key(), plain.key());
        for (line, field) in [
            (
                r#"{"vendor":"partner-center-orders","action":"cancel-subscription","customerTenantId":"c","subscriptionId":"s","ifOutsideWindow":"suspend"}"#,
                "ifOutsideWindow",
            ),
            (
                r#"{"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":"c"}"#,
                "subscriptionId",
            ),
            (
                r#"{"vendor":"partner-center-orders","action":"stop-renewal","customerTenantId":"c","subscriptionId":"s","ifOutsideWindow":"fail"}"#,
                "ifOutsideWindow",
            ),
        ] {
            let err = Target::from_json(line).expect_err(line);
            assert_eq!(err.field(), Some(field), "{line}: {err}");
        }
    }

    #[test]
    fn keys_escape_colons_so_parts_cannot_run_together() {
        let orders = |c: &str, o: &str| {
            Target::from_value(serde_json::json!({
                "vendor": "partner-center-orders", "action": "cancel",
                "customerTenantId": c, "orderId": o,
            }))
            .expect("target")
        };
        let (one, two) = (orders("a", "b:c"), orders("a:b", "c"));
        assert_ne!(one.key(), two.key());
        assert_eq!(
            orders("a%3Ab", "c").key(),
            "partner-center-orders:cancel:a%253Ab:c:all"
        );
        assert_ne!(orders("a%3Ab", "c").key(), two.key());
        let adobe = Target::from_value(serde_json::json!({
            "vendor": "adobe", "action": "delete", "offerId": "xcore:personalized-offer:1",
            "offerType": "personalized",
        }))
        .expect("target");
        assert_eq!(
            adobe.key(),
            "adobe:delete:personalized:xcore%3Apersonalized-offer%3A1"
        );
    }

    #[test]
    fn keys_are_stable_and_distinct() {
        let k = |l: &str| Target::from_json(l).expect(l).key();
        assert_eq!(
            k(
                r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"private-offer/abc"}"#
            ),
            "partner-center-ingestion:delete:abc"
        );
        assert_eq!(
            k(
                r#"{"vendor":"partner-center-ingestion","action":"withdraw","offerId":"abc","role":"isv"}"#
            ),
            "partner-center-ingestion:withdraw:abc:isv"
        );
        assert_eq!(
            k(
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o","lineItems":[]}"#
            ),
            "partner-center-orders:cancel:c:o:all"
        );
        assert_eq!(
            k(
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o","lineItems":[2,0,2]}"#
            ),
            "partner-center-orders:cancel:c:o:0,2"
        );
        assert_eq!(
            k(
                r#"{"vendor":"adobe-offers","action":"delete","offerId":"x","offerType":"Personalized"}"#
            ),
            "adobe:delete:personalized:x"
        );
        assert_eq!(
            k(r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"p"}"#),
            "appcharge:delete:p"
        );
    }

    #[test]
    fn rate_limit_keys_split_orders_per_tenant() {
        let t = |l: &str| Target::from_json(l).expect(l).rate_limit_key();
        assert_eq!(
            t(
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"t1","orderId":"o"}"#
            ),
            "partner-center-orders:t1"
        );
        assert_eq!(
            t(r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"p"}"#),
            "appcharge"
        );
    }

    #[test]
    fn validation_errors_name_the_field() {
        let cases = [
            ("[1]", None, "expected a JSON object, found an array"),
            (r#"{"action":"delete"}"#, Some("vendor"), "is required"),
            (
                r#"{"vendor":7,"action":"delete"}"#,
                Some("vendor"),
                "expected a string, found a number",
            ),
            (
                r#"{"vendor":"acme","action":"delete"}"#,
                Some("vendor"),
                "unknown vendor `acme` (expected one of: partner-center-ingestion, partner-center-orders, adobe, appcharge)",
            ),
            (
                r#"{"vendor":"appcharge","action":"cancel","publisherOfferId":"p"}"#,
                Some("action"),
                "unknown action `cancel` for vendor appcharge (expected delete)",
            ),
            (
                r#"{"vendor":"appcharge","action":"delete","publisherOfferId":" p"}"#,
                Some("publisherOfferId"),
                "` p` has leading or trailing whitespace",
            ),
            (
                r#"{"vendor":"appcharge","action":"delete"}"#,
                Some("publisherOfferId"),
                "is required",
            ),
            (
                r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"p","extra":1}"#,
                Some("extra"),
                "unknown field for this vendor and action",
            ),
            (
                r#"{"vendor":"partner-center-ingestion","action":"withdraw","offerId":"o","role":"boss"}"#,
                Some("role"),
                "unknown value `boss` (expected isv or selling-partner)",
            ),
            (
                r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"private-offer/"}"#,
                Some("offerId"),
                "must not be empty",
            ),
            (
                r#"{"vendor":"partner-center-ingestion","action":"delete","offerId":"o","name":""}"#,
                Some("name"),
                "must not be empty (omit it instead)",
            ),
            (
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o","lineItems":"0"}"#,
                Some("lineItems"),
                "expected an array of line item numbers, found a string",
            ),
            (
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o","lineItems":[0,-1]}"#,
                Some("lineItems[1]"),
                "expected a non-negative line item number, found -1",
            ),
            (
                r#"{"vendor":"partner-center-orders","action":"cancel","customerTenantId":"c","orderId":"o","lineitems":[0]}"#,
                Some("lineitems"),
                "unknown field for this vendor and action",
            ),
            (
                r#"{"vendor":"adobe","action":"delete","offerId":"x"}"#,
                Some("offerType"),
                "is required",
            ),
        ];
        for (line, field, message) in cases {
            let e = err(line);
            assert_eq!(e.field(), field, "{line}");
            assert_eq!(e.message(), message, "{line}");
        }
        assert!(err("{not json").message().starts_with("not valid JSON"));
    }
}
