//! The command tree (clap derive).

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use offerkit::{AdobeOfferType, WithdrawRole};

use crate::batch::input::InputFormat;
use crate::batch::rate::{LimitOverride, PacingMode};

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
/// table every layer reads), the profile file and the exit codes.
fn after_help() -> String {
    let mut text = String::from(
        "Configuration (environment; in a profile the same keys in kebab-case, a vendor's in its\n\
         table, the others at the top; OFFERKIT_AZURE_* is the fallback of both Partner Center\n\
         vendors; flags win over the environment, which wins over the profile):\n",
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
    text.push_str(PROFILES);
    text.push('\n');
    text.push_str(EXIT_CODES);
    text
}

const PROFILES: &str = "\
Profiles: --profile NAME reads the table [profile.NAME] of the default profile file,
offerkit/config.toml in the config directory ($XDG_CONFIG_HOME or ~/.config on Linux,
~/Library/Application Support on macOS, %APPDATA% on Windows); a value with a path
separator or ending in .toml is a profile file of its own. Without --profile, the default
file's [profile.default] (or the whole file, when it has no [profile.*] tables) is read
if the file exists.
";

/// The help of a [`offerkit::KeyScope::Global`] key's flag: the key table's text, its variable
/// and profile key, so that `--help`, the environment and profiles say the same.
fn key_help(key: &str) -> String {
    match offerkit::CONFIG_KEYS.iter().find(|k| k.key == key) {
        Some(k) => format!(
            "{} [env {}; profile {}]",
            capitalised(k.about),
            k.env_name(),
            k.profile_key()
        ),
        None => String::new(),
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What every subcommand's help says instead of repeating the global options.
const GLOBALS_POINTER: &str = "Global options (--json, --sandbox, --profile, timeouts and retries, \
     endpoint URLs) are accepted here too: see `offerkit --help`.";

/// The command tree as parsed and shown: [`Cli`] with the global options listed once, in
/// `offerkit --help`; every subcommand accepts them in any position but its help shows one line
/// pointing there instead of repeating them.
pub fn command() -> clap::Command {
    let root = Cli::command();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    root.mut_subcommands(|sub| hide_globals(sub, &globals))
}

/// Gives `command` and its subcommands hidden copies of `globals` (clap then does not copy the
/// visible ones in) and the pointer line.
fn hide_globals(mut command: clap::Command, globals: &[clap::Arg]) -> clap::Command {
    for arg in globals {
        command = command.arg(arg.clone().hide(true));
    }
    command
        .help_template(
            "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}\n\n"
                .to_owned()
                + GLOBALS_POINTER,
        )
        .mut_subcommands(|sub| hide_globals(sub, globals))
}

/// Parses `args` (the first is the program name) with [`command`].
pub fn parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command().try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Retract commercial offers and purchases: Partner Center private offers and orders,
/// Adobe Offer Library offers, Appcharge offers.
#[derive(Debug, Parser)]
#[command(
    name = "offerkit",
    version,
    after_help = "Timeouts and retries, endpoint overrides, the configuration keys, profiles and exit \
                  codes: see --help.",
    after_long_help = after_help()
)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// The operation.
    #[command(subcommand)]
    pub command: Command,
}

/// Options valid with every subcommand, in any position.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Global options")]
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
    /// A profile NAME in the default profile file, or a profile FILE (a value with a path
    /// separator or ending in .toml); env vars OFFERKIT_* override it.
    #[arg(
        long,
        global = true,
        value_name = "NAME|FILE",
        env = "OFFERKIT_PROFILE"
    )]
    pub profile: Option<String>,
    /// Refuse a profile file that holds a secret and is readable by group or others (Unix;
    /// without it, a warning names the `chmod 600` fix).
    #[arg(long, global = true)]
    pub strict_permissions: bool,
    /// Point every vendor's API and token endpoints at an `offerkit sandbox serve` already
    /// running at ROOT (for example `http://127.0.0.1:8080`), with sandbox credentials
    /// (ignored with --sandbox, which starts its own).
    #[arg(long, global = true, value_name = "ROOT", env = "OFFERKIT_SANDBOX_URL")]
    pub sandbox_url: Option<String>,
    /// Partner Center product-ingestion base URL (OFFERKIT_INGESTION_URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Endpoint overrides",
        hide_short_help = true
    )]
    pub ingestion_url: Option<String>,
    /// Partner Center REST (orders) base URL (OFFERKIT_ORDERS_URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Endpoint overrides",
        hide_short_help = true
    )]
    pub orders_url: Option<String>,
    /// Adobe Offer Library base URL, …/data/core/dps (OFFERKIT_ADOBE_URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Endpoint overrides",
        hide_short_help = true
    )]
    pub adobe_url: Option<String>,
    /// Appcharge publisher API base URL (OFFERKIT_APPCHARGE_URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Endpoint overrides",
        hide_short_help = true
    )]
    pub appcharge_url: Option<String>,
    /// Azure AD authority of both Partner Center vendors, the token endpoint's base URL
    /// (default login.microsoftonline.com; OFFERKIT_INGESTION_AUTHORITY, OFFERKIT_ORDERS_AUTHORITY).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Endpoint overrides",
        hide_short_help = true
    )]
    pub azure_authority: Option<String>,
    /// Adobe IMS base URL (default ims-na1.adobelogin.com; OFFERKIT_ADOBE_IMS_URL).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        help_heading = "Endpoint overrides",
        hide_short_help = true
    )]
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
    /// The timeouts and retries of every vendor's calls.
    #[command(flatten)]
    pub network: NetworkFlags,
}

/// The [`offerkit::KeyScope::Global`] keys as flags, made from the key table itself: each named
/// as its profile key, its help the key's (`OFFERKIT_TIMEOUT_SECS`, `timeout-secs = …`,
/// `--timeout-secs`), its value a non-negative integer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkFlags {
    /// The flags given, by key (`TIMEOUT_SECS`).
    values: std::collections::BTreeMap<&'static str, u64>,
}

/// The older spelling of a global key's flag, still accepted.
const FLAG_ALIASES: &[(&str, &str)] = &[("JOB_POLL_INTERVAL_MS", "poll-interval-ms")];

impl NetworkFlags {
    /// The value given for `key` (`TIMEOUT_SECS`), if any.
    pub fn get(&self, key: &str) -> Option<u64> {
        self.values.get(key).copied()
    }

    /// The flags given, as `(OFFERKIT_<KEY>, value)` pairs for [`offerkit::Config::from_env_vars`]
    /// (the one reading of these keys).
    pub fn as_env(&self) -> Vec<(String, String)> {
        global_keys()
            .filter_map(|k| Some((k.env_name(), self.get(k.key)?.to_string())))
            .collect()
    }
}

fn global_keys() -> impl Iterator<Item = &'static offerkit::ConfigKey> {
    offerkit::CONFIG_KEYS.iter().filter(|k| k.flag().is_some())
}

impl clap::FromArgMatches for NetworkFlags {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = NetworkFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        for key in global_keys() {
            if let Some(value) = matches.get_one::<u64>(key.key) {
                self.values.insert(key.key, *value);
            }
        }
        Ok(())
    }
}

impl Args for NetworkFlags {
    fn augment_args(mut command: clap::Command) -> clap::Command {
        command = command.next_help_heading("Timeouts and retries");
        for key in global_keys() {
            let unit = match key.key.rsplit('_').next() {
                Some("MS") => "MS",
                Some("SECS") => "SECS",
                _ => "N",
            };
            let mut arg = clap::Arg::new(key.key)
                .long(key.profile_key())
                .global(true)
                .value_name(unit)
                .value_parser(clap::value_parser!(u64))
                .hide_short_help(true)
                .help(key_help(key.key));
            for (_, alias) in FLAG_ALIASES.iter().filter(|(k, _)| *k == key.key) {
                arg = arg.alias(*alias);
            }
            command = command.arg(arg);
        }
        command
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
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
    /// Retract every target of a JSONL or CSV file, resumably.
    Batch(BatchArgs),
    /// Read every target of a JSONL or CSV file and write what a retraction would do (changes nothing).
    Plan(PlanArgs),
    /// Retract the `will-retract` targets of a plan, after checks and a confirmation.
    Apply(ApplyArgs),
    /// Re-create what a batch or apply run retracted, from its results file's snapshots.
    Restore(RestoreArgs),
    /// List a vendor's resources and write a target line (JSONL) for each one that matches.
    Select(SelectArgs),
    /// Start the sandbox, seed it, and retract one target of every kind.
    Demo(DemoArgs),
    /// Check the configuration of each configured vendor: keys set, a token, one read.
    Doctor(DoctorArgs),
    /// The local vendor emulator.
    #[command(subcommand)]
    Sandbox(SandboxCmd),
    /// Print a shell completion script, e.g. `offerkit completions bash >
    /// ~/.local/share/bash-completion/completions/offerkit`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write one page per command into --dir (e.g.
    /// `offerkit man --dir ~/.local/share/man/man1`).
    Man {
        /// Write `offerkit.1`, `offerkit-batch.1`, ... into this directory instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
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

/// `offerkit batch FILE.jsonl` (or `FILE.csv`)
#[derive(Debug, Args)]
#[command(after_help = "\
Each line is one target, e.g.
  {\"vendor\":\"appcharge\",\"action\":\"delete\",\"publisherOfferId\":\"special-offer-1\"}
or, as CSV, a header row naming the same fields and one target per row:
  vendor,action,publisherOfferId,customerTenantId,orderId,lineItems
  appcharge,delete,special-offer-1,,,
  partner-center-orders,cancel,,tenant-1,order-1,0;2
(a blank cell is an absent field; list items are separated by `;`; a quoted cell may hold
commas but no line break). Blank lines and lines starting with # are skipped. Results go to
stdout (or --output) as JSONL; progress and the summary table go to stderr.")]
pub struct BatchArgs {
    /// The input: one target per line; `-` reads stdin (then name a --journal).
    pub file: PathBuf,
    /// The input's format (default: csv for a FILE ending in .csv, jsonl otherwise and for
    /// stdin).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<InputFormat>,
    /// Concurrency and pacing.
    #[command(flatten)]
    pub pacing: PacingArgs,
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
    /// Who runs it and why.
    #[command(flatten)]
    pub audit: AuditArgs,
}

/// `--reason`, `--actor`, `--no-snapshots` of `batch` and `apply`.
#[derive(Debug, Clone, Default, Args)]
pub struct AuditArgs {
    /// Why this run is made; written into the journal and every results line.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Who runs it (default: the login name, from the USER or USERNAME environment variable);
    /// written into the journal and every results line.
    #[arg(long, value_name = "NAME")]
    pub actor: Option<String>,
    /// Do not make the extra reads for `snapshot` in the results (Adobe: one GET per offer before
    /// its delete, which `restore` needs to re-create it). What a vendor returns anyway is still
    /// kept: Appcharge's DELETE answers the deleted offer, orders are read before their PATCH.
    #[arg(long)]
    pub no_snapshots: bool,
}

/// `offerkit plan FILE.jsonl`
#[derive(Debug, Args)]
#[command(after_help = "\
The plan's first line is {\"plan\": {\"version\": 1, \"createdAt\", \"environment\", \"input\": {\"path\",
\"sha256\"}}}, then one line per target: {\"line\", \"key\", \"target\", \"verdict\", \"reason\",
\"reversible\", \"snapshot\"}; verdict is will-retract, already-retracted, blocked or unknown.
Exit 0 when no target is unknown, 1 otherwise, 2 for invalid input lines.")]
pub struct PlanArgs {
    /// The targets, as for `offerkit batch`: JSONL (one target per line) or CSV; `-` reads stdin.
    pub file: PathBuf,
    /// The input's format (default: csv for a FILE ending in .csv, jsonl otherwise and for
    /// stdin).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<InputFormat>,
    /// Write the plan here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Concurrency and rate limits of the reads.
    #[command(flatten)]
    pub pacing: PacingArgs,
}

/// `--concurrency`, `--rate-limit`, `--pacing` and `--initial-rate` of `batch`, `plan` and `apply`.
#[derive(Debug, Clone, Args)]
pub struct PacingArgs {
    /// At most this many targets in flight.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Override a vendor's rate limit in requests per minute (0 = none), e.g.
    /// `partner-center-orders=300`. Defaults: ingestion 60, orders 500 per tenant,
    /// adobe 600, appcharge 5000.
    /// With adaptive pacing this is a hard ceiling the rate never goes above.
    #[arg(long = "rate-limit", value_name = "VENDOR=N")]
    pub rate_limits: Vec<LimitOverride>,
    /// `adaptive` (default): each bucket (orders per customer tenant, other vendors as a whole)
    /// pauses once on a 429 until its Retry-After, lowers its rate, and probes upward after a
    /// quiet period; `fixed`: the rate stays as set and each request honours its own Retry-After.
    #[arg(long = "pacing", value_enum, default_value_t = PacingMode::Adaptive)]
    pub mode: PacingMode,
    /// The rate a vendor's buckets start from, in requests per minute (default: the
    /// --rate-limit or the documented rate), e.g. `appcharge=600`; never above --rate-limit.
    #[arg(long = "initial-rate", value_name = "VENDOR=N")]
    pub initial_rates: Vec<LimitOverride>,
}

/// `offerkit apply PLAN.jsonl`
#[derive(Debug, Args)]
#[command(after_help = "\
Runs exactly the plan's will-retract targets through the batch engine (journal, resume, rate
limits, the batch results format plus reason, actor, at, snapshot). Each is inspected again
right before its retraction: one that changed since the plan is reported as it now is and not
retracted. Refused (exit 2, nothing sent): another environment than the plan's, more
will-retract targets than --max-targets, no confirmation (a y/N question on a terminal;
--yes without one).")]
pub struct ApplyArgs {
    /// The plan written by `offerkit plan`.
    pub plan: PathBuf,
    /// Do not ask for confirmation (required without a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Refuse a plan with more than N will-retract targets (no limit by default).
    #[arg(long, value_name = "N")]
    pub max_targets: Option<usize>,
    /// Who runs it and why.
    #[command(flatten)]
    pub audit: AuditArgs,
    /// Journal file (default: PLAN.journal next to the plan; PLAN.sandbox.journal against a
    /// sandbox).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Write results JSONL here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Concurrency and rate limits.
    #[command(flatten)]
    pub pacing: PacingArgs,
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

/// `offerkit restore` arguments.
#[derive(Debug, Args)]
#[command(after_help = "\
Reads the `retracted` lines of a batch or apply results file and re-creates each resource from
its `snapshot`: Appcharge offers under the same publisherOfferId, Adobe offers under a new id
(reported as oldId -> newId). Partner Center lines, and lines without a snapshot, are reported
`not-restorable`. A resource that exists is reported `exists` and never overwritten. Results
(status restored / exists / not-restorable / failed) go to stdout or --output as JSONL.
Exit 0 when every restorable line is restored or exists, 1 if one failed, 2 for a refusal
(bad results line, unknown --only key, no confirmation): nothing is sent then.")]
pub struct RestoreArgs {
    /// The results JSONL of `offerkit batch` or `offerkit apply`.
    pub file: PathBuf,
    /// Restore without asking (required when stdin or stderr is not a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Restore only the line with this target key (repeatable).
    #[arg(long, value_name = "KEY")]
    pub only: Vec<String>,
    /// Journal file (default: FILE.restore.journal next to the results file; FILE.restore.sandbox.journal
    /// against a sandbox). An interrupted restore run again with it creates nothing twice.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Write results JSONL here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What `offerkit select` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SelectVendor {
    /// Appcharge offers (`delete`); name them with --id (Appcharge documents no full listing).
    Appcharge,
    /// Adobe Offer Library offers of --offer-type (`delete`).
    Adobe,
    /// A --customer's Partner Center orders (`cancel`; whole orders unless --line-items).
    Orders,
    /// A --customer's Partner Center subscriptions (`cancel-subscription`).
    Subscriptions,
    /// Partner Center private offers (`delete` for drafts, `withdraw` as --role for live offers).
    Ingestion,
}

/// `offerkit select VENDOR [--where 'PATH OP VALUE']... [--limit N]`
#[derive(Debug, Args)]
#[command(after_help = "\
PATH is a dotted path into the resource's JSON as the vendor returns it (lineItems.offerId);
OP is = (equal: text, or number, or date), != (no value equal), ~ (contains, ignoring case),
< or > (numbers, or RFC 3339 dates; YYYY-MM-DD is midnight UTC). An array matches when any
element does. Several --where are ANDed. Examples:
  offerkit select adobe --offer-type personalized --where status=draft --where 'name~summer'
  offerkit select orders --customer C --where 'creationDate>2026-11-01'
  offerkit select orders --customer C --line-items --where lineItems.offerId=OFFER
Targets go to stdout (one `offerkit batch` line each); stderr ends with `read N, matched M`.
Nothing is changed.")]
pub struct SelectArgs {
    /// What to list.
    #[arg(value_enum)]
    pub vendor: SelectVendor,
    /// A condition `PATH OP VALUE` (repeat: all must hold).
    #[arg(long = "where", value_name = "PATH OP VALUE", value_parser = condition_parser)]
    pub conditions: Vec<offerkit::select::Condition>,
    /// Stop after N matching resources (no more pages are read).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// adobe: personalized or fallback.
    #[arg(long, value_parser = offer_type_parser())]
    pub offer_type: Option<AdobeOfferType>,
    /// orders, subscriptions: the customer tenant id.
    #[arg(long)]
    pub customer: Option<String>,
    /// orders: test `lineItems.` conditions on each line item on its own and cancel only the
    /// line items that pass all of them (default: any line item may pass each; whole orders).
    #[arg(long)]
    pub line_items: bool,
    /// ingestion: who withdraws the live offers.
    #[arg(long, value_parser = role_parser())]
    pub role: Option<WithdrawRole>,
    /// appcharge: a publisherOfferId to read (repeat); without any, every offer is asked for
    /// with a call Appcharge does not document.
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// subscriptions: past the window, `fail` (default) or `stop-renewal`.
    #[arg(long, value_name = "CHOICE", value_parser = ["fail", "stop-renewal"])]
    pub if_outside_window: Option<String>,
}

/// Parses `--where` (the error names the bad part).
fn condition_parser(raw: &str) -> Result<offerkit::select::Condition, String> {
    raw.parse()
        .map_err(|e: offerkit::select::FilterError| e.to_string())
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
    /// Emulate a vendor quota (repeatable): `VENDOR=N/min` or `N/s`, optionally `,burst=B`
    /// (default burst: one second's worth, at least 1). VENDOR: ingestion (per tenant), orders
    /// (per customer tenant), orders-partner (per partner tenant), adobe (per IMS org),
    /// appcharge (per publisher token). An empty bucket answers 429 with Retry-After.
    #[arg(long = "quota", value_name = "VENDOR=RATE", value_parser = parse_quota)]
    pub quotas: Vec<(offerkit_sandbox::QuotaScope, offerkit_sandbox::Quota)>,
}

/// One `--quota VENDOR=RATE`.
fn parse_quota(
    text: &str,
) -> Result<(offerkit_sandbox::QuotaScope, offerkit_sandbox::Quota), String> {
    offerkit_sandbox::Quotas::default()
        .parse_setting(text)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_tree_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn sandbox_serve_quotas_parse_and_errors_name_the_bad_part() {
        use offerkit_sandbox::{Quota, QuotaScope};
        let serve = |extra: &[&str]| {
            let mut argv = vec!["offerkit", "sandbox", "serve"];
            argv.extend(extra);
            Cli::try_parse_from(argv)
        };
        let cli = serve(&[
            "--quota",
            "appcharge=600/min",
            "--quota",
            "orders=300/min",
            "--quota",
            "orders-partner=10/s,burst=20",
        ])
        .expect("parse");
        match cli.command {
            Command::Sandbox(SandboxCmd::Serve(s)) => assert_eq!(
                s.quotas,
                [
                    (QuotaScope::Appcharge, Quota::per_minute(600)),
                    (QuotaScope::OrdersCustomer, Quota::per_minute(300)),
                    (
                        QuotaScope::OrdersPartner,
                        Quota::per_second(10).with_burst(20)
                    ),
                ]
            ),
            other => panic!("{other:?}"),
        }
        for (bad, names) in [
            ("acme=5/min", "`acme`"),
            ("appcharge=600", "`600` is not N/min"),
            ("appcharge=600/hour", "unit `hour`"),
            ("orders=many/min", "`many` is not a whole number"),
            ("orders", "`orders` is not VENDOR=N/min"),
        ] {
            let err = serve(&["--quota", bad]).expect_err(bad).to_string();
            assert!(err.contains(names), "{bad}: {err}");
        }
    }

    #[test]
    fn parses_the_documented_forms() {
        let cli = parse_from([
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
        let cli = parse_from([
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
                assert_eq!(b.pacing.concurrency, 4);
                assert!(b.dry_run);
                assert_eq!(b.pacing.rate_limits.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_from(["offerkit", "batch", "t", "--concurrency", "0"]).is_err());
    }

    #[test]
    fn global_options_work_in_every_position() {
        for args in [
            &[
                "offerkit",
                "--sandbox",
                "--timeout-secs",
                "5",
                "batch",
                "t.jsonl",
            ][..],
            &[
                "offerkit",
                "batch",
                "t.jsonl",
                "--sandbox",
                "--timeout-secs",
                "5",
            ],
            &[
                "offerkit",
                "batch",
                "--timeout-secs=5",
                "--sandbox",
                "t.jsonl",
            ],
        ] {
            let cli = parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            assert!(cli.global.sandbox, "{args:?}");
            assert_eq!(cli.global.network.get("TIMEOUT_SECS"), Some(5), "{args:?}");
        }
        let cli = parse_from([
            "offerkit",
            "orders",
            "--json",
            "cancel",
            "--customer",
            "c",
            "--order",
            "o",
            "--profile",
            "prod",
            "--max-retries",
            "0",
            "--poll-interval-ms",
            "7",
        ])
        .expect("between subcommands");
        assert!(cli.global.json);
        assert_eq!(cli.global.profile.as_deref(), Some("prod"));
        assert_eq!(cli.global.network.get("MAX_RETRIES"), Some(0));
        assert_eq!(
            cli.global.network.get("JOB_POLL_INTERVAL_MS"),
            Some(7),
            "the old spelling"
        );
        assert!(parse_from(["offerkit", "batch", "t", "--timeout-secs", "soon"]).is_err());
    }

    fn help_of(path: &[&str]) -> String {
        let mut command = command();
        command.build();
        let mut found = &mut command;
        for name in path {
            found = found
                .find_subcommand_mut(name)
                .unwrap_or_else(|| panic!("no subcommand {name}"));
        }
        found.render_long_help().to_string()
    }

    #[test]
    fn global_options_are_shown_once() {
        let root = help_of(&[]);
        for flag in [
            "--json",
            "--profile",
            "--ingestion-url",
            "--timeout-secs",
            "--max-retries",
        ] {
            assert!(root.contains(flag), "{flag} in offerkit --help");
        }
        assert!(root.contains("Global options:") && root.contains("Timeouts and retries:"));
        for path in [&["batch"][..], &["orders", "cancel"], &["sandbox", "serve"]] {
            let help = help_of(path);
            assert!(help.contains(GLOBALS_POINTER), "{path:?}: {help}");
            for flag in [
                "--json",
                "--sandbox-url",
                "--ingestion-url",
                "--timeout-secs",
            ] {
                let listed = help.lines().any(|l| l.trim_start().starts_with(flag));
                assert!(!listed, "{flag} repeated in {path:?}: {help}");
            }
        }
        assert!(help_of(&["batch"]).contains("--concurrency"));
    }

    #[test]
    fn every_global_key_is_a_flag_with_the_key_tables_help() {
        let root = command();
        let mut all = Vec::new();
        for key in offerkit::CONFIG_KEYS {
            let Some(flag) = key.flag() else { continue };
            let arg = root
                .get_arguments()
                .find(|a| a.get_long() == flag.strip_prefix("--"))
                .unwrap_or_else(|| panic!("no flag {flag} for {}", key.env_name()));
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(
                help.contains(&key.env_name()) && help.contains(&key.about[1..]),
                "{flag}: {help}"
            );
            all.push(flag.clone());
            all.push("1".to_owned());
        }
        let cli = parse_from(
            std::iter::once("offerkit".to_owned())
                .chain(all)
                .chain(["demo".to_owned()]),
        )
        .expect("every flag");
        let env = cli.global.network.as_env();
        let globals = offerkit::CONFIG_KEYS.iter().filter(|k| k.flag().is_some());
        assert_eq!(
            env.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
            globals.map(|k| k.env_name()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn parses_select_and_names_a_bad_condition() {
        let cli = Cli::try_parse_from([
            "offerkit",
            "select",
            "orders",
            "--customer",
            "c",
            "--line-items",
            "--where",
            "lineItems.offerId=X",
            "--where",
            "creationDate>2026-11-01",
            "--limit",
            "3",
        ])
        .expect("parse");
        match cli.command {
            Command::Select(s) => {
                assert_eq!(s.vendor, SelectVendor::Orders);
                assert_eq!(s.conditions.len(), 2);
                assert!(s.line_items);
                assert_eq!(s.limit, Some(3));
            }
            other => panic!("{other:?}"),
        }
        let err =
            Cli::try_parse_from(["offerkit", "select", "adobe", "--where", "creationDate>>x"])
                .expect_err("a bad condition");
        assert!(err.to_string().contains("`>>` is not an operator"), "{err}");
        assert!(Cli::try_parse_from(["offerkit", "select", "adobe", "--limit", "0"]).is_err());
    }

    #[test]
    fn batch_pacing_flags_make_start_rates_and_ceilings() {
        use crate::batch::rate::PacingMode;
        use offerkit::Vendor;
        let batch = |extra: &[&str]| {
            let mut argv = vec!["offerkit", "batch", "t.jsonl"];
            argv.extend_from_slice(extra);
            match Cli::try_parse_from(argv).expect("parse").command {
                Command::Batch(b) => {
                    crate::commands::batch::options(&b, offerkit::RetractContext::new())
                }
                other => panic!("{other:?}"),
            }
        };
        let default = batch(&[]);
        assert_eq!(default.pacing, PacingMode::Adaptive);
        assert_eq!(default.limits.per_minute(Vendor::Appcharge), 5000);
        assert_eq!(
            default.ceilings.per_minute(Vendor::Appcharge),
            0,
            "no ceiling"
        );
        let set = batch(&[
            "--pacing",
            "fixed",
            "--rate-limit",
            "appcharge=700",
            "--initial-rate",
            "appcharge=6000",
            "--initial-rate",
            "adobe=50",
        ]);
        assert_eq!(set.pacing, PacingMode::Fixed);
        assert_eq!(set.ceilings.per_minute(Vendor::Appcharge), 700);
        assert_eq!(
            set.limits.per_minute(Vendor::Appcharge),
            700,
            "never above the ceiling"
        );
        assert_eq!(set.limits.per_minute(Vendor::AdobeOffers), 50);
        assert_eq!(set.ceilings.per_minute(Vendor::AdobeOffers), 0);
        assert!(Cli::try_parse_from(["offerkit", "batch", "t", "--pacing", "fast"]).is_err());
        assert!(
            Cli::try_parse_from(["offerkit", "batch", "t", "--initial-rate", "acme=5"]).is_err()
        );
    }
}
