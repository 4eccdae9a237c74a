//! The command tree (clap derive).

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Args, Parser, Subcommand};
use offerkit::{AdobeOfferType, WithdrawRole};

use crate::batch::rate::LimitOverride;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (batch: every target retracted, already retracted or done earlier)
  1  vendor/API or network failure (batch: at least one such failure, or the run stopped
     early: a journal write failed, a vendor unreachable)
  2  usage or input error: bad arguments, invalid target, missing credentials
     (batch: invalid lines or user errors, and no vendor failure; the journal is in use
     by another run or was written against another environment: nothing was sent)
  3  already retracted (single commands only; nothing was changed)";

/// The text after `--help`: the configuration keys (from [`offerkit::CONFIG_KEYS`], the one
/// table every layer reads) and the exit codes.
fn after_help() -> String {
    let mut text = String::from(
        "Configuration (environment, or the same keys in kebab-case in a --profile table;\n\
         OFFERKIT_AZURE_* is the fallback of both Partner Center vendors):\n",
    );
    for key in offerkit::CONFIG_KEYS {
        let required = if key.required { " (required)" } else { "" };
        text.push_str(&format!(
            "  {:<36} {}{required}\n",
            key.env_name(),
            key.about
        ));
    }
    text.push('\n');
    text.push_str(EXIT_CODES);
    text
}

/// Retract commercial offers and purchases: Partner Center private offers and orders,
/// Adobe Offer Library offers, Appcharge offers.
#[derive(Debug, Parser)]
#[command(name = "offerkit", version, after_help = after_help())]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// The operation.
    #[command(subcommand)]
    pub command: Command,
}

/// Options valid with every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Show the library's request spans and retries on stderr (-v: one line per request;
    /// -vv: everything offerkit traces). RUST_LOG, when set, is the filter instead.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print the typed response as JSON instead of a readable summary.
    #[arg(long, global = true)]
    pub json: bool,
    /// Start the embedded sandbox in-process and point every vendor at it.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// TOML profile with endpoints and credentials (env vars OFFERKIT_* override it).
    #[arg(long, global = true, value_name = "FILE", env = "OFFERKIT_PROFILE")]
    pub profile: Option<PathBuf>,
    /// Refuse a --profile that holds a secret and is readable by group or others (Unix;
    /// without it, a warning names the `chmod 600` fix).
    #[arg(long, global = true)]
    pub strict_permissions: bool,
    /// Point every vendor's API and token endpoints at an `offerkit sandbox serve` already
    /// running at ROOT (for example `http://127.0.0.1:8080`), with sandbox credentials
    /// (ignored with --sandbox, which starts its own).
    #[arg(long, global = true, value_name = "ROOT", env = "OFFERKIT_SANDBOX_URL")]
    pub sandbox_url: Option<String>,
    /// Partner Center product-ingestion base URL (OFFERKIT_INGESTION_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub ingestion_url: Option<String>,
    /// Partner Center REST (orders) base URL (OFFERKIT_ORDERS_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub orders_url: Option<String>,
    /// Adobe Offer Library base URL, …/data/core/dps (OFFERKIT_ADOBE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub adobe_url: Option<String>,
    /// Appcharge publisher API base URL (OFFERKIT_APPCHARGE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub appcharge_url: Option<String>,
    /// Azure AD authority of both Partner Center vendors, the token endpoint's base URL
    /// (default login.microsoftonline.com; OFFERKIT_INGESTION_AUTHORITY, OFFERKIT_ORDERS_AUTHORITY).
    #[arg(long, global = true, value_name = "URL")]
    pub azure_authority: Option<String>,
    /// Adobe IMS base URL (default ims-na1.adobelogin.com; OFFERKIT_ADOBE_IMS_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub adobe_ims_url: Option<String>,
    /// Deprecated: use --azure-authority. A full token URL; its authority is used.
    #[arg(long, global = true, value_name = "URL", hide = true)]
    pub ingestion_token_url: Option<String>,
    /// Deprecated: use --azure-authority. A full token URL; its authority is used.
    #[arg(long, global = true, value_name = "URL", hide = true)]
    pub orders_token_url: Option<String>,
    /// Deprecated: use --adobe-ims-url. A full IMS token URL; its base is used.
    #[arg(long, global = true, value_name = "URL", hide = true)]
    pub adobe_token_url: Option<String>,
    /// Interval between two ingestion job status polls, in milliseconds
    /// (default 60000, the documented maximum rate; 50 with --sandbox).
    #[arg(long, global = true, value_name = "MS")]
    pub poll_interval_ms: Option<u64>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Partner Center private offers (product-ingestion API).
    #[command(subcommand)]
    Ingestion(IngestionCmd),
    /// Partner Center software orders.
    #[command(subcommand)]
    Orders(OrdersCmd),
    /// Adobe Journey Optimizer Offer Library offers.
    #[command(subcommand)]
    Adobe(AdobeCmd),
    /// Appcharge Offers V2.
    #[command(subcommand)]
    Appcharge(AppchargeCmd),
    /// Retract every target of a JSONL file, resumably.
    Batch(BatchArgs),
    /// Start the sandbox, seed it, and retract one target of every kind.
    Demo(DemoArgs),
    /// Check the configuration of each configured vendor: keys set, a token, one read.
    Doctor(DoctorArgs),
    /// The local vendor emulator.
    #[command(subcommand)]
    Sandbox(SandboxCmd),
}

/// `offerkit ingestion …`
#[derive(Debug, Subcommand)]
pub enum IngestionCmd {
    /// Delete a draft private offer (waits for the configure job).
    Delete(OfferRef),
    /// Withdraw a private offer.
    Withdraw {
        /// The offer.
        #[command(flatten)]
        offer: OfferRef,
        /// Who withdraws: the ISV (originator) or the selling partner.
        #[arg(long, value_parser = role_parser())]
        role: WithdrawRole,
    },
    /// Show a configure job's status.
    Status {
        /// The job id.
        #[arg(long)]
        job_id: String,
    },
    /// Show a private offer.
    Get {
        /// The offer id.
        #[arg(long)]
        offer_id: String,
    },
}

/// A private offer as named on the command line.
#[derive(Debug, Clone, Args)]
pub struct OfferRef {
    /// The offer id (with or without the `private-offer/` prefix).
    #[arg(long)]
    pub offer_id: String,
    /// The offer's name (read from the offer if omitted).
    #[arg(long)]
    pub name: Option<String>,
    /// The offer's privateOfferType (read from the offer if omitted).
    #[arg(long)]
    pub private_offer_type: Option<String>,
}

/// Parses `--role` into the facade's [`WithdrawRole`] (its own spellings, listed in `--help`).
fn role_parser() -> impl TypedValueParser<Value = WithdrawRole> {
    clap::builder::PossibleValuesParser::new(WithdrawRole::ALL.map(WithdrawRole::as_str))
        .try_map(|raw: String| WithdrawRole::parse(&raw).ok_or("unknown role"))
}

/// `offerkit orders …`
#[derive(Debug, Subcommand)]
pub enum OrdersCmd {
    /// Cancel a software order, whole or some line items.
    Cancel {
        /// The order.
        #[command(flatten)]
        order: OrderRef,
        /// A line item number to cancel (repeat; none = the whole order).
        #[arg(long = "line-item", value_name = "N")]
        line_items: Vec<u32>,
    },
    /// Show an order.
    Get(OrderRef),
    /// List a customer's orders.
    List {
        /// The customer tenant id.
        #[arg(long)]
        customer: String,
    },
    /// Cancel a new-commerce subscription inside its cancellation window (cannot be undone).
    CancelSubscription {
        /// The subscription.
        #[command(flatten)]
        subscription: SubscriptionRef,
        /// Past the window: `fail` (default) or `stop-renewal` (turn auto-renew off instead).
        #[arg(long, value_name = "CHOICE", default_value = "fail", value_parser = ["fail", "stop-renewal"])]
        if_outside_window: String,
    },
    /// Turn a subscription's auto-renew off (it runs to the end of its term).
    StopRenewal(SubscriptionRef),
    /// List a customer's subscriptions.
    Subscriptions {
        /// The customer tenant id.
        #[arg(long)]
        customer: String,
    },
}

/// A subscription as named on the command line.
#[derive(Debug, Clone, Args)]
pub struct SubscriptionRef {
    /// The customer tenant id.
    #[arg(long)]
    pub customer: String,
    /// The subscription id.
    #[arg(long)]
    pub subscription: String,
}

/// An order as named on the command line.
#[derive(Debug, Clone, Args)]
pub struct OrderRef {
    /// The customer tenant id.
    #[arg(long)]
    pub customer: String,
    /// The order id.
    #[arg(long)]
    pub order: String,
}

/// `offerkit adobe …`
#[derive(Debug, Subcommand)]
pub enum AdobeCmd {
    /// Delete an offer (verified by a 404 read-back).
    Delete(AdobeRef),
    /// Show an offer.
    Get(AdobeRef),
    /// List offers of one type.
    List {
        /// personalized or fallback.
        #[arg(long, value_parser = offer_type_parser())]
        offer_type: AdobeOfferType,
        /// At most this many offers.
        #[arg(long)]
        limit: Option<u32>,
    },
}

/// An Adobe offer as named on the command line.
#[derive(Debug, Clone, Args)]
pub struct AdobeRef {
    /// The offer id.
    #[arg(long)]
    pub offer_id: String,
    /// personalized or fallback.
    #[arg(long, value_parser = offer_type_parser())]
    pub offer_type: AdobeOfferType,
}

/// Parses `--offer-type` into the facade's [`AdobeOfferType`].
fn offer_type_parser() -> impl TypedValueParser<Value = AdobeOfferType> {
    clap::builder::PossibleValuesParser::new(AdobeOfferType::ALL.map(AdobeOfferType::as_str))
        .try_map(|raw: String| AdobeOfferType::parse(&raw).ok_or("unknown offer type"))
}

/// `offerkit appcharge …`
#[derive(Debug, Subcommand)]
pub enum AppchargeCmd {
    /// Delete an offer.
    Delete {
        /// The publisher's offer id.
        #[arg(long)]
        publisher_offer_id: String,
    },
    /// Show an offer.
    Get {
        /// The publisher's offer id.
        #[arg(long)]
        publisher_offer_id: String,
    },
}

/// `offerkit batch FILE.jsonl`
#[derive(Debug, Args)]
#[command(after_help = "\
Each line is one target, e.g.
  {\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"special-offer-1\"}
Blank lines and lines starting with # are skipped. Results go to stdout (or --output) as
JSONL; progress and the summary table go to stderr.")]
pub struct BatchArgs {
    /// The input: one JSON target per line; `-` reads stdin (then name a --journal).
    pub file: PathBuf,
    /// At most this many targets in flight.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Override a vendor's rate limit in requests per minute (0 = none), e.g.
    /// `partner-center-orders=300`. Defaults: ingestion 60, orders 500 per tenant,
    /// adobe 600, appcharge 5000.
    #[arg(long = "rate-limit", value_name = "VENDOR=N")]
    pub rate_limits: Vec<LimitOverride>,
    /// Validate every line and show what would happen; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Journal file (default: FILE.journal next to the input; FILE.sandbox.journal for
    /// `--sandbox` and `--sandbox-url` runs, so a rehearsal never marks a real run's targets done).
    #[arg(long, value_name = "FILE", conflicts_with = "no_journal")]
    pub journal: Option<PathBuf>,
    /// Move the existing journal aside (to `JOURNAL.<time>.old`) and start a new one: for a journal
    /// written against another environment or input.
    #[arg(long, conflicts_with = "no_journal")]
    pub new_journal: bool,
    /// Run without a journal (not resumable).
    #[arg(long)]
    pub no_journal: bool,
    /// Write results JSONL here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `offerkit doctor`
#[derive(Debug, Args)]
#[command(after_help = "\
For each vendor with at least one key set (or only --vendor): which keys are set and where
each came from (env, profile, sandbox, flag; never their values), whether a token can be
obtained, and whether one read that needs no target id succeeds, with the fix for each
failure. Exit 0 when every checked vendor works; 1 on a vendor or network failure; 2 when
a required key is missing.")]
pub struct DoctorArgs {
    /// Check only this vendor (partner-center-ingestion, partner-center-orders, adobe,
    /// appcharge, or their short names); it fails when not configured.
    #[arg(long, value_parser = vendor_parser())]
    pub vendor: Option<offerkit::Vendor>,
}

/// Parses `--vendor` with [`offerkit::Vendor::parse`] (every spelling it knows).
fn vendor_parser() -> impl TypedValueParser<Value = offerkit::Vendor> {
    clap::builder::NonEmptyStringValueParser::new().try_map(|raw: String| {
        offerkit::Vendor::parse(&raw).ok_or_else(|| {
            let known: Vec<&str> = offerkit::Vendor::ALL.iter().map(|v| v.id()).collect();
            format!("unknown vendor `{raw}` (one of: {})", known.join(", "))
        })
    })
}

/// `offerkit demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's input, journal and results in this directory (default: a temp dir).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `offerkit sandbox …`
#[derive(Debug, Subcommand)]
pub enum SandboxCmd {
    /// Serve the emulator until Ctrl-C or SIGTERM (then it finishes in-flight requests and
    /// writes the state file).
    Serve(ServeArgs),
}

/// `offerkit sandbox serve` arguments.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to bind: 127.0.0.1 (the default) serves this machine only; 0.0.0.0 or :: every
    /// interface (in a container).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port (0 = any free port; the one bound is printed).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Seed file (JSON) loaded at start when there is no state file.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// State file: loaded at start if present, saved on change and at exit.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_the_documented_forms() {
        let cli = Cli::try_parse_from([
            "offerkit",
            "--json",
            "orders",
            "cancel",
            "--customer",
            "c",
            "--order",
            "o",
            "--line-item",
            "0",
            "--line-item",
            "2",
        ])
        .expect("parse");
        assert!(cli.global.json);
        match cli.command {
            Command::Orders(OrdersCmd::Cancel { line_items, .. }) => assert_eq!(line_items, [0, 2]),
            other => panic!("{other:?}"),
        }
        let cli = Cli::try_parse_from([
            "offerkit",
            "batch",
            "t.jsonl",
            "--sandbox",
            "--concurrency",
            "4",
            "--rate-limit",
            "adobe=10",
            "--dry-run",
        ])
        .expect("parse");
        assert!(cli.global.sandbox);
        match cli.command {
            Command::Batch(b) => {
                assert_eq!(b.concurrency, 4);
                assert!(b.dry_run);
                assert_eq!(b.rate_limits.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["offerkit", "batch", "t", "--concurrency", "0"]).is_err());
    }
}
