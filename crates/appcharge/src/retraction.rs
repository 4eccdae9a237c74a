//! [`Retraction`]: "deleted now" versus "was already gone", so repeated runs stay idempotent.
//!
//! The type is [`offerkit_transport::Retraction`], shared with the other "404 means already gone"
//! vendors. For Appcharge, `Retracted::value` is the deleted offer as Appcharge returned it and
//! `AlreadyRetracted::message` is Appcharge's message, e.g. `Offer special-offer-1 not found`.
//!
//! ```
//! use offerkit_appcharge::Retraction;
//! fn summary<T>(r: &Retraction<T>) -> &'static str {
//!     match r {
//!         Retraction::Retracted { .. } => "deleted now",
//!         Retraction::AlreadyRetracted { .. } => "already gone",
//!         _ => "unknown",
//!     }
//! }
//! let r: Retraction<()> = Retraction::AlreadyRetracted { message: None, request_id: None };
//! assert_eq!(summary(&r), "already gone");
//! let r = Retraction::Retracted { value: 7, request_id: Some("r-1".to_owned()) };
//! assert_eq!(r.request_id(), Some("r-1"));
//! assert_eq!(r.into_value(), Some(7));
//! ```

pub use offerkit_transport::Retraction;
