//! `offerkit select VENDOR [--where 'PATH OP VALUE']... [--limit N]`: the facade's
//! [`offerkit::Client::select`], its targets as `offerkit batch` lines on stdout, its notes and
//! `read N, matched M` on stderr.

use offerkit::select::{Filter, Select, Source};
use offerkit::{
    Client, CustomerTenantId, Error, IfOutsideWindow, PublisherOfferId, TargetError, WithdrawRole,
};

use crate::args::{SelectArgs, SelectVendor};
use crate::exit::Exit;

/// Runs `select`; returns the exit code (0, or the error's: 2 for bad input, 1 for the vendor).
pub async fn run(client: &Client, args: &SelectArgs, json: bool) -> Exit {
    let select = match select_of(args) {
        Ok(select) => select,
        Err(error) => {
            crate::print_error(&error, json);
            return Exit::for_error(&error);
        }
    };
    match client.select(&select).await {
        Ok(selection) => {
            for target in &selection.targets {
                crate::print_json_line(target);
            }
            if json {
                // `--json`: every stderr line is JSON, as for the other commands.
                for note in &selection.notes {
                    crate::commands::batch::notice(note, true);
                }
                errln!(
                    "{}",
                    serde_json::json!({"read": selection.read, "matched": selection.matched()})
                );
            } else {
                for note in &selection.notes {
                    errln!("note: {note}");
                }
                errln!("read {}, matched {}", selection.read, selection.matched());
            }
            Exit::Success
        }
        Err(error) => {
            crate::print_error(&error, json);
            Exit::for_error(&error)
        }
    }
}

/// The facade's query for the command line, refusing options that do not apply to the vendor.
pub fn select_of(args: &SelectArgs) -> Result<Select, Error> {
    let vendor = args.vendor;
    let name = vendor_name(vendor);
    let refuse = |flag: &str, given: bool| -> Result<(), Error> {
        if given {
            Err(Error::input(format!(
                "select {name}: {flag} does not apply"
            )))
        } else {
            Ok(())
        }
    };
    let customer = || -> Result<CustomerTenantId, Error> {
        let raw = args
            .customer
            .as_deref()
            .ok_or_else(|| Error::input(format!("select {name} needs --customer")))?;
        CustomerTenantId::new(raw).map_err(|e| TargetError::from(e).in_field("--customer").into())
    };
    let accepts = |flags: &[&str]| -> Result<(), Error> {
        let given = [
            ("--offer-type", args.offer_type.is_some()),
            ("--customer", args.customer.is_some()),
            ("--line-items", args.line_items),
            ("--role", args.role.is_some()),
            ("--id", !args.ids.is_empty()),
            ("--if-outside-window", args.if_outside_window.is_some()),
        ];
        for (flag, set) in given {
            refuse(flag, set && !flags.contains(&flag))?;
        }
        Ok(())
    };
    let source = match vendor {
        SelectVendor::Appcharge => {
            accepts(&["--id"])?;
            let ids = args
                .ids
                .iter()
                .map(|id| {
                    PublisherOfferId::new(id)
                        .map_err(|e| Error::from(TargetError::from(e).in_field("--id")))
                })
                .collect::<Result<_, _>>()?;
            Source::Appcharge { ids }
        }
        SelectVendor::Adobe => {
            accepts(&["--offer-type"])?;
            let offer_type = args.offer_type.ok_or_else(|| {
                Error::input("select adobe needs --offer-type (personalized or fallback)")
            })?;
            Source::Adobe { offer_type }
        }
        SelectVendor::Orders => {
            accepts(&["--customer", "--line-items"])?;
            Source::Orders {
                customer: customer()?,
                line_items: args.line_items,
            }
        }
        SelectVendor::Subscriptions => {
            accepts(&["--customer", "--if-outside-window"])?;
            let if_outside_window = match args.if_outside_window.as_deref() {
                Some("stop-renewal") => IfOutsideWindow::StopRenewal,
                _ => IfOutsideWindow::Fail,
            };
            Source::Subscriptions {
                customer: customer()?,
                if_outside_window,
            }
        }
        SelectVendor::Ingestion => {
            accepts(&["--role"])?;
            Source::Ingestion {
                role: args.role.unwrap_or(WithdrawRole::Isv),
            }
        }
    };
    let filter = args
        .conditions
        .iter()
        .cloned()
        .fold(Filter::new(), Filter::and);
    let mut select = Select::new(source).with_filter(filter);
    if let Some(limit) = args.limit {
        select = select.with_limit(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(select)
}

fn vendor_name(vendor: SelectVendor) -> &'static str {
    match vendor {
        SelectVendor::Appcharge => "appcharge",
        SelectVendor::Adobe => "adobe",
        SelectVendor::Orders => "orders",
        SelectVendor::Subscriptions => "subscriptions",
        SelectVendor::Ingestion => "ingestion",
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::args::{Cli, Command};

    fn select(args: &[&str]) -> Result<Select, Error> {
        let mut argv = vec!["offerkit", "select"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).expect("parse").command {
            Command::Select(s) => select_of(&s),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_vendor_takes_its_own_options_only() {
        let s = select(&["ingestion", "--where", "state=live"]).expect("select");
        assert_eq!(
            s.source,
            Source::Ingestion {
                role: WithdrawRole::Isv
            }
        );
        assert_eq!(s.filter.conditions().len(), 1);
        let s = select(&[
            "subscriptions",
            "--customer",
            "c",
            "--if-outside-window",
            "stop-renewal",
        ])
        .expect("select");
        assert!(matches!(
            s.source,
            Source::Subscriptions {
                if_outside_window: IfOutsideWindow::StopRenewal,
                ..
            }
        ));
        let s = select(&["appcharge", "--id", "a", "--id", "b", "--limit", "1"]).expect("select");
        assert_eq!(s.limit, Some(1));
        for (args, wanted) in [
            (&["adobe"][..], "needs --offer-type"),
            (&["orders"][..], "needs --customer"),
            (
                &["adobe", "--offer-type", "fallback", "--customer", "c"][..],
                "--customer does not apply",
            ),
            (
                &["ingestion", "--line-items"][..],
                "--line-items does not apply",
            ),
            (
                &["orders", "--customer", "c", "--role", "isv"][..],
                "--role does not apply",
            ),
            (&["appcharge", "--id", ".."][..], "field `--id`"),
            (&["orders", "--customer", " c"][..], "field `--customer`"),
        ] {
            let err = select(args)
                .err()
                .unwrap_or_else(|| panic!("{args:?} accepted"));
            assert_eq!(Exit::for_error(&err), Exit::Usage, "{args:?}");
            assert!(err.to_string().contains(wanted), "{args:?}: {err}");
        }
    }
}
