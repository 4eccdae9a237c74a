//! [`Retraction`]: "deleted now" versus "was already gone", so repeated runs stay idempotent.
//!
//! The type is [`offerkit_transport::Retraction`], shared with the other "404 means already gone"
//! vendors. For the Offer Library, `Retracted::value` is `()` (the DELETE answers 200 with an empty
//! body) and `AlreadyRetracted::message` is the `detail`, `message` or `title` of Adobe's 404 body.
//!
//! ```
//! use offerkit_adobe_offers::Retraction;
//! fn summary<T>(r: &Retraction<T>) -> &'static str {
//!     match r {
//!         Retraction::Retracted { .. } => "deleted now",
//!         Retraction::AlreadyRetracted { .. } => "already gone",
//!         _ => "unknown",
//!     }
//! }
//! let r: Retraction<()> = Retraction::AlreadyRetracted { message: None, request_id: None };
//! assert_eq!(summary(&r), "already gone");
//! assert!(r.is_already_retracted());
//! ```

pub use offerkit_transport::Retraction;
