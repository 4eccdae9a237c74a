//! [`Client`]: one [`Retract`] impl per vendor, dispatched by [`Target::vendor`].

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::check::{Check, CheckStep, Stage};
use crate::config::Config;
use crate::error::Error;
use crate::outcome::{Details, Outcome};
use crate::retract::{JobHandle, Probe, Query, Retract, RetractContext};
use crate::target::Target;
use offerkit_models::Vendor;

/// A registry slot: the vendor's impl, or why it is unavailable (feature off,
/// missing credentials...). Kept per vendor so one misconfigured vendor does not stop
/// targets of the others.
type Slot = Result<Arc<dyn Retract>, Error>;

/// The entry point: retract any [`Target`] through the vendor it names.
///
/// ```
/// use std::sync::Arc;
/// use offerkit::{async_trait, Client, Details, Error, Outcome, Probe, Retract, RetractContext, Status, Target, Vendor};
///
/// struct AlwaysGone;
/// #[async_trait]
/// impl Retract for AlwaysGone {
///     fn vendor(&self) -> Vendor { Vendor::Appcharge }
///     async fn retract(&self, _: &Target, _: &RetractContext) -> Outcome {
///         Outcome::AlreadyRetracted(Details::new())
///     }
///     async fn probe(&self, _: &Target) -> Result<Probe, Error> { Ok(Probe::Gone(Details::new())) }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let client = Client::builder().register(Arc::new(AlwaysGone)).build();
/// let target = Target::from_json(r#"{"vendor":"appcharge","action":"delete","publisherOfferId":"p1"}"#).unwrap();
/// assert_eq!(client.retract(&target).await.status(), Status::AlreadyRetracted);
///
/// let adobe = Target::from_json(r#"{"vendor":"adobe","action":"delete","offerId":"o","offerType":"fallback"}"#).unwrap();
/// assert_eq!(client.retract(&adobe).await.status(), Status::Failed); // not registered
/// # });
/// ```
#[derive(Clone)]
pub struct Client {
    registry: BTreeMap<Vendor, Slot>,
    context: RetractContext,
}

/// Builds a [`Client`] from explicit impls (tests, custom vendors, fakes).
#[derive(Default)]
pub struct ClientBuilder {
    registry: BTreeMap<Vendor, Slot>,
    context: RetractContext,
}

impl ClientBuilder {
    /// Registers `imp` for `imp.vendor()`, replacing any earlier one.
    pub fn register(mut self, imp: Arc<dyn Retract>) -> Self {
        self.registry.insert(imp.vendor(), Ok(imp));
        self
    }

    /// Marks `vendor` unavailable with `reason` (returned for each of its targets).
    pub fn unavailable(mut self, vendor: Vendor, reason: Error) -> Self {
        self.registry.insert(vendor, Err(reason));
        self
    }

    /// Sets the default [`RetractContext`] used by [`Client::retract`].
    pub fn context(mut self, context: RetractContext) -> Self {
        self.context = context;
        self
    }

    /// Finishes the client.
    pub fn build(self) -> Client {
        Client {
            registry: self.registry,
            context: self.context,
        }
    }
}

impl Client {
    /// An empty builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds every compiled-in vendor from `config`. A vendor that cannot be built
    /// (missing credentials...) is kept as unavailable with the reason, so that only
    /// its own targets fail.
    pub fn from_config(config: &Config) -> Client {
        let mut builder = Client::builder().context(context_from(config));
        for vendor in Vendor::ALL {
            builder
                .registry
                .insert(vendor, crate::vendors::build(vendor, config));
        }
        builder.build()
    }

    /// [`Client::from_config`] with [`Config::from_env`].
    pub fn from_env() -> Result<Client, Error> {
        Ok(Client::from_config(&Config::from_env()?))
    }

    /// The impl serving `vendor`, or why there is none.
    pub fn vendor(&self, vendor: Vendor) -> Result<&Arc<dyn Retract>, Error> {
        match self.registry.get(&vendor) {
            Some(Ok(imp)) => Ok(imp),
            Some(Err(reason)) => Err(reason.clone()),
            None if !crate::vendors::is_compiled_in(vendor) => Err(Error::unsupported(format!(
                "{vendor} is not compiled in (enable the `{}` cargo feature of offerkit)",
                vendor.cargo_feature()
            ))),
            None => Err(Error::unsupported(format!(
                "{vendor} is not registered in this client"
            ))),
        }
    }

    /// Vendors with a usable impl.
    pub fn available_vendors(&self) -> Vec<Vendor> {
        self.registry
            .iter()
            .filter(|(_, slot)| slot.is_ok())
            .map(|(vendor, _)| *vendor)
            .collect()
    }

    /// The default per-call context (poll interval, deadline; no job recorder).
    pub fn context(&self) -> &RetractContext {
        &self.context
    }

    /// Retracts `target` with the default context.
    pub async fn retract(&self, target: &Target) -> Outcome {
        self.retract_with(target, &self.context).await
    }

    /// Retracts `target` with an explicit context (the batch journal passes its
    /// job recorder this way).
    pub async fn retract_with(&self, target: &Target, ctx: &RetractContext) -> Outcome {
        match self.vendor(target.vendor()) {
            Ok(imp) => imp.retract(target, ctx).await,
            Err(error) => Outcome::failed(error),
        }
    }

    /// Reads `target` back (see [`Retract::probe`]).
    pub async fn probe(&self, target: &Target) -> Result<Probe, Error> {
        self.vendor(target.vendor())?.probe(target).await
    }

    /// Resumes a recorded job (see [`Retract::resume`]).
    pub async fn resume(&self, target: &Target, job: &JobHandle, ctx: &RetractContext) -> Outcome {
        match self.vendor(target.vendor()) {
            Ok(imp) => imp.resume(target, job, ctx).await,
            Err(error) => Outcome::failed(error),
        }
    }

    /// Runs a read-only query (see [`Retract::query`]).
    pub async fn query(&self, query: &Query) -> Result<Details, Error> {
        self.vendor(query.vendor())?.query(query).await
    }

    /// Checks `vendor` ([`Retract::check`]): a token, then one read. A vendor that cannot be built
    /// from the configuration (a missing key) fails at the token step, with the key to set.
    pub async fn check(&self, vendor: Vendor) -> Check {
        match self.vendor(vendor) {
            Ok(imp) => imp.check().await,
            Err(error) => Check::new(
                CheckStep::failed(vendor, Stage::Config, error),
                CheckStep::Skipped("not configured".to_owned()),
            ),
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vendors: BTreeMap<&str, Result<&str, String>> = self
            .registry
            .iter()
            .map(|(v, slot)| {
                (
                    v.id(),
                    slot.as_ref().map(|_| "ready").map_err(ToString::to_string),
                )
            })
            .collect();
        f.debug_struct("Client")
            .field("vendors", &vendors)
            .field("context", &self.context)
            .finish()
    }
}

fn context_from(config: &Config) -> RetractContext {
    let mut ctx = RetractContext::new();
    if let Some(interval) = config.job_poll_interval {
        ctx = ctx.with_poll_interval(interval);
    }
    if let Some(deadline) = config.job_deadline {
        ctx = ctx.with_job_deadline(deadline);
    }
    ctx
}
