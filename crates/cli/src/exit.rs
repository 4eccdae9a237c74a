//! Exit codes (documented in `--help` and the README).

use offerkit::{Error, ErrorClass, Outcome, Status};

use crate::batch::engine::Summary;

/// The process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success = 0,
    /// 1: vendor/API or network failure.
    VendorFailure = 1,
    /// 2: usage or input error (clap also exits 2 on bad arguments).
    Usage = 2,
    /// 3: already retracted (single commands only).
    AlreadyRetracted = 3,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// For an error: user errors → 2, everything else → 1.
    pub fn for_error(error: &Error) -> Exit {
        match error.class() {
            ErrorClass::User => Exit::Usage,
            _ => Exit::VendorFailure,
        }
    }

    /// For a single retraction.
    pub fn for_outcome(outcome: &Outcome) -> Exit {
        match (outcome.status(), outcome.error()) {
            (Status::Retracted, _) => Exit::Success,
            (Status::AlreadyRetracted, _) => Exit::AlreadyRetracted,
            (_, Some(error)) => Exit::for_error(error),
            (_, None) => Exit::VendorFailure,
        }
    }

    /// For a batch: any vendor/network failure → 1; else any invalid line or user
    /// error → 2; else 0 (already-retracted and skipped targets are successes).
    pub fn for_batch(summary: &Summary) -> Exit {
        let count = |class| summary.failures.get(&class).copied().unwrap_or(0);
        if count(ErrorClass::Vendor) + count(ErrorClass::Transport) > 0 {
            Exit::VendorFailure
        } else if count(ErrorClass::User) > 0 || summary.invalid > 0 || summary.duplicates > 0 {
            Exit::Usage
        } else {
            Exit::Success
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offerkit::{Details, ErrorKind};

    #[test]
    fn outcomes_map_to_documented_codes() {
        let failed = |kind| Outcome::failed(Error::new(kind, "x"));
        assert_eq!(
            Exit::for_outcome(&Outcome::Retracted(Details::new())).code(),
            0
        );
        assert_eq!(
            Exit::for_outcome(&Outcome::AlreadyRetracted(Details::new())).code(),
            3
        );
        assert_eq!(Exit::for_outcome(&failed(ErrorKind::Input)).code(), 2);
        assert_eq!(Exit::for_outcome(&failed(ErrorKind::Config)).code(), 2);
        assert_eq!(Exit::for_outcome(&failed(ErrorKind::Unsupported)).code(), 2);
        assert_eq!(Exit::for_outcome(&failed(ErrorKind::Rejected)).code(), 1);
        assert_eq!(Exit::for_outcome(&failed(ErrorKind::Transport)).code(), 1);
    }

    #[test]
    fn batches_map_worst_failure_first() {
        let mut summary = Summary::default();
        assert_eq!(Exit::for_batch(&summary), Exit::Success);
        summary.invalid = 1;
        assert_eq!(Exit::for_batch(&summary), Exit::Usage);
        summary.failures.insert(ErrorClass::Vendor, 1);
        assert_eq!(Exit::for_batch(&summary), Exit::VendorFailure);
    }
}
