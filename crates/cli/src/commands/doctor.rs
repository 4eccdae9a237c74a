//! `offerkit doctor [--vendor V]`: for each configured vendor (or only V), which keys are set and
//! where each came from (never their values), whether a token can be obtained, and whether one
//! read succeeds ([`offerkit::Client::check`]), each failure with its fix.
//!
//! A vendor with no key set at all is "not configured", which is no failure unless `--vendor`
//! names it. Exit 0 when every checked vendor works; else the worst failure's code (1 for a
//! vendor or network failure, 2 for a missing key).

use offerkit::{CONFIG_KEYS, Check, CheckStep, ConfigKey, KeyScope, Vendor};
use serde::Serialize;

use crate::args::{DoctorArgs, Global};
use crate::exit::Exit;
use crate::setup::{Session, sandbox_config};

/// Where a key's value came from (the last layer that set it: profile < env < sandbox < flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A `--profile` file.
    Profile,
    /// An `OFFERKIT_*` environment variable.
    Env,
    /// `--sandbox` or `--sandbox-url`.
    Sandbox,
    /// A command-line flag (`--appcharge-url`, `--azure-authority`, ...).
    Flag,
}

/// One key of a vendor's report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyReport {
    /// The environment variable (`OFFERKIT_ORDERS_TENANT_ID`).
    pub name: String,
    /// Whether a value is set (by this key or its `OFFERKIT_AZURE_*` fallback).
    pub set: bool,
    /// Where it came from, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The fallback key that supplied the value (`OFFERKIT_AZURE_TENANT_ID`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Needed for the vendor to work.
    pub required: bool,
    /// A secret (its value is never shown anywhere).
    pub secret: bool,
}

/// One vendor's report.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorReport {
    /// The vendor id (`adobe`).
    pub vendor: &'static str,
    /// `ok`, `failed` or `not-configured`.
    pub status: &'static str,
    /// Every key of the vendor.
    pub keys: Vec<KeyReport>,
    /// The token and read steps (absent when not configured and not asked for).
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub check: Option<Check>,
}

/// The whole report (`--json`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `true` when every checked vendor works.
    pub ok: bool,
    /// One entry per vendor looked at.
    pub vendors: Vec<VendorReport>,
}

/// Runs the doctor; returns the exit code.
pub async fn run(session: &Session, global: &Global, args: &DoctorArgs, json: bool) -> Exit {
    let vendors: Vec<Vendor> = match args.vendor {
        Some(v) => vec![v],
        None => Vendor::ALL.to_vec(),
    };
    let mut reports = Vec::new();
    let mut exit = Exit::Success;
    for vendor in vendors {
        let keys = key_reports(session, global, vendor);
        let configured = keys.iter().any(|k| k.set);
        if !configured && args.vendor.is_none() {
            reports.push(VendorReport {
                vendor: vendor.id(),
                status: "not-configured",
                keys,
                check: None,
            });
            continue;
        }
        let check = session.client.check(vendor).await;
        let failed = [&check.token, &check.read]
            .into_iter()
            .find_map(|step| match step {
                CheckStep::Failed { error, .. } => Some(Exit::for_error(error)),
                _ => None,
            });
        if let Some(code) = failed {
            exit = worst(exit, code);
        }
        reports.push(VendorReport {
            vendor: vendor.id(),
            status: if check.is_ok() { "ok" } else { "failed" },
            keys,
            check: Some(check),
        });
    }
    let report = Report {
        ok: exit == Exit::Success,
        vendors: reports,
    };
    if json {
        crate::print_json(&report);
    } else {
        print_readable(&report);
    }
    exit
}

/// A vendor or network failure (1) outranks a missing key (2).
fn worst(a: Exit, b: Exit) -> Exit {
    match (a, b) {
        (Exit::VendorFailure, _) | (_, Exit::VendorFailure) => Exit::VendorFailure,
        (Exit::Success, other) => other,
        (other, _) => other,
    }
}

/// Every key of `vendor`, set or not, with where each set one came from.
fn key_reports(session: &Session, global: &Global, vendor: Vendor) -> Vec<KeyReport> {
    let lookup = session.config.lookup();
    let shares_azure = matches!(
        vendor,
        Vendor::PartnerCenterIngestion | Vendor::PartnerCenterOrders
    );
    CONFIG_KEYS
        .iter()
        .filter(|k| k.scope == KeyScope::Vendor(vendor))
        .map(|key| {
            let name = key.env_name();
            let fallback = shares_azure
                .then(|| KeyScope::Azure.env_name(key.key))
                .filter(|_| {
                    CONFIG_KEYS
                        .iter()
                        .any(|k| k.scope == KeyScope::Azure && k.key == key.key)
                });
            let (set_by, via) = if lookup(&name).is_some() {
                (Some(name.clone()), None)
            } else if let Some(azure) = fallback.filter(|f| lookup(f).is_some()) {
                (Some(azure.clone()), Some(azure))
            } else {
                (None, None)
            };
            KeyReport {
                source: set_by
                    .as_deref()
                    .map(|n| source_of(session, global, key, n)),
                set: set_by.is_some(),
                via,
                name,
                required: key.required,
                secret: key.secret,
            }
        })
        .collect()
}

/// Which layer set `env_name` (the key itself or its Azure fallback), latest layer first.
fn source_of(session: &Session, global: &Global, key: &ConfigKey, env_name: &str) -> Source {
    if flag_sets(global, key) {
        return Source::Flag;
    }
    if session.rehearsal && sandbox_config("http://127.0.0.1").lookup()(env_name).is_some() {
        return Source::Sandbox;
    }
    if std::env::var_os(env_name).is_some_and(|v| !v.is_empty()) {
        return Source::Env;
    }
    Source::Profile
}

/// Whether a global flag sets `key` (the URL flags, `--azure-authority`, `--adobe-ims-url`).
fn flag_sets(global: &Global, key: &ConfigKey) -> bool {
    let KeyScope::Vendor(vendor) = key.scope else {
        return false;
    };
    match (vendor, key.key) {
        (Vendor::PartnerCenterIngestion, "URL") => global.ingestion_url.is_some(),
        (Vendor::PartnerCenterOrders, "URL") => global.orders_url.is_some(),
        (Vendor::AdobeOffers, "URL") => global.adobe_url.is_some(),
        (Vendor::Appcharge, "URL") => global.appcharge_url.is_some(),
        (Vendor::PartnerCenterIngestion, "AUTHORITY") => {
            global.azure_authority.is_some() || global.ingestion_token_url.is_some()
        }
        (Vendor::PartnerCenterOrders, "AUTHORITY") => {
            global.azure_authority.is_some() || global.orders_token_url.is_some()
        }
        (Vendor::AdobeOffers, "IMS_URL") => {
            global.adobe_ims_url.is_some() || global.adobe_token_url.is_some()
        }
        _ => false,
    }
}

fn print_readable(report: &Report) {
    for vendor in &report.vendors {
        outln!("{}: {}", vendor.vendor, vendor.status.replace('-', " "));
        let set: Vec<String> = vendor
            .keys
            .iter()
            .filter(|k| k.set)
            .map(|k| {
                let source = k.source.map(source_name).unwrap_or("?");
                match &k.via {
                    Some(via) => format!("{} ({source}, via {via})", k.name),
                    None => format!("{} ({source})", k.name),
                }
            })
            .collect();
        let missing: Vec<&str> = vendor
            .keys
            .iter()
            .filter(|k| !k.set && k.required)
            .map(|k| k.name.as_str())
            .collect();
        if !set.is_empty() {
            outln!("  keys set: {}", set.join(", "));
        }
        if !missing.is_empty() {
            outln!("  required keys not set: {}", missing.join(", "));
        }
        let Some(check) = &vendor.check else {
            continue;
        };
        print_step("token", &check.token);
        print_step("read", &check.read);
    }
    let checked = report.vendors.iter().filter(|v| v.check.is_some()).count();
    if checked == 0 {
        outln!(
            "no vendor is configured: set the keys of one (see `offerkit --help`, README \
             \"Using it for real\"), or try `offerkit --sandbox doctor`"
        );
    }
}

fn print_step(name: &str, step: &CheckStep) {
    match step {
        CheckStep::Passed(note) => outln!("  {name}: ok ({note})"),
        CheckStep::Skipped(note) => outln!("  {name}: skipped ({note})"),
        CheckStep::Failed { error, fix } => {
            outln!("  {name}: FAILED: {error}");
            outln!("    fix: {fix}");
        }
        _ => outln!("  {name}: {}", step.as_str()),
    }
}

fn source_name(source: Source) -> &'static str {
    match source {
        Source::Profile => "profile",
        Source::Env => "env",
        Source::Sandbox => "sandbox",
        Source::Flag => "flag",
    }
}
