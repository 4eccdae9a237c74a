//! Identifiers the sandbox hands out (GUIDs, hex ids, tokens), drawn from one PRNG.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use super::sync::lock;

/// Id source: a `fastrand` generator seeded from the clock and the process id, so two sandboxes
/// (or two runs) do not hand out the same ids.
#[derive(Debug)]
pub(crate) struct Ids {
    rng: Mutex<fastrand::Rng>,
}

impl Ids {
    /// A source seeded from the clock.
    pub(crate) fn from_clock() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        Self {
            rng: Mutex::new(fastrand::Rng::with_seed(
                nanos ^ u64::from(std::process::id()),
            )),
        }
    }

    fn next(&self) -> u64 {
        lock(&self.rng).u64(..)
    }

    /// A lowercase GUID-shaped id (version 4 layout).
    pub(crate) fn guid(&self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            (a & 0x0fff) as u16,
            ((b >> 48) as u16 & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// `len` lowercase hex digits.
    pub(crate) fn hex(&self, len: usize) -> String {
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        let ids = super::Ids::from_clock();
        let g = ids.guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert_eq!(ids.hex(33).len(), 33);
    }
}
