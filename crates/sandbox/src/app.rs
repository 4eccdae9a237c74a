//! The state every handler shares: configuration, the slices' stores, faults, the journal and the
//! id source, plus seeding and the state file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};

use crate::SandboxError;
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::journal::{Journal, Limits};
use crate::persist;
use crate::quota::QuotaState;
use crate::store::SeedMode;
use crate::util::clock::Clock;
use crate::util::ids::Ids;
use crate::vendors::{Stores, identity};

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: SandboxConfig,
    /// The root URL the sandbox serves under (`http://127.0.0.1:PORT`).
    pub(crate) base_url: String,
    pub(crate) stores: Stores,
    pub(crate) faults: Faults,
    pub(crate) journal: Journal,
    /// The quotas in force and their buckets.
    pub(crate) quotas: QuotaState,
    pub(crate) ids: Ids,
    /// The clock every time-based rule reads (real until set through `/_sandbox/clock`).
    pub(crate) clock: Arc<Clock>,
    dirty: AtomicBool,
}

impl App {
    pub(crate) fn new(config: SandboxConfig, base_url: String) -> Self {
        let clock = Arc::new(Clock::default());
        Self {
            journal: Journal::new(Limits {
                entries: config.journal_capacity,
                bytes: config.journal_max_bytes,
                counted_paths: config.max_counted_paths,
            }),
            quotas: QuotaState::new(config.quotas.clone()),
            config,
            base_url,
            stores: Stores {
                identity: identity::Store::with_clock(clock.clone()),
                ..Stores::default()
            },
            clock,
            faults: Faults::default(),
            ids: Ids::from_clock(),
            dirty: AtomicBool::new(false),
        }
    }

    /// Notes that the state file needs rewriting.
    pub(crate) fn mark_dirty(&self) {
        if self.config.state_file.is_some() {
            self.dirty.store(true, Ordering::Release);
        }
    }

    /// State in seed format, live tokens included.
    pub(crate) fn snapshot(&self) -> Value {
        self.stores.snapshot()
    }

    /// Applies a seed document.
    pub(crate) fn seed(&self, seed: &Value, mode: SeedMode) -> Result<Map<String, Value>, String> {
        let summary = self.stores.apply_seed(seed, mode, &self.ids, &self.clock)?;
        self.mark_dirty();
        Ok(summary)
    }

    /// Writes the state file if anything changed since the last write.
    pub(crate) fn flush(&self) -> Result<(), SandboxError> {
        if let Some(path) = &self.config.state_file
            && self.dirty.swap(false, Ordering::AcqRel)
        {
            persist::save(path, &self.snapshot()).map_err(|e| {
                self.dirty.store(true, Ordering::Release);
                SandboxError::Io(e)
            })?;
        }
        Ok(())
    }

    /// Loads the state file, or else the seed file, at start.
    pub(crate) fn load_initial(&self) -> Result<(), SandboxError> {
        if let Some(path) = &self.config.state_file
            && let Some(saved) = persist::load(path).map_err(SandboxError::Io)?
        {
            self.seed(&saved, SeedMode::Replace)
                .map_err(|e| SandboxError::State(format!("{}: {e}", path.display())))?;
            self.dirty.store(false, Ordering::Release);
            return Ok(());
        }
        if let Some(seed_path) = &self.config.seed {
            let text = std::fs::read(seed_path).map_err(SandboxError::Io)?;
            let seed: Value = serde_json::from_slice(&text).map_err(|e| {
                SandboxError::Seed(format!("{}: not valid JSON: {e}", seed_path.display()))
            })?;
            self.seed(&seed, SeedMode::Replace)
                .map_err(|e| SandboxError::Seed(format!("{}: {e}", seed_path.display())))?;
        }
        Ok(())
    }
}
