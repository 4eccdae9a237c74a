//! The first pass over the input: every line parsed and checked, every valid target's key put in
//! the [`KeyIndex`], and the vendors the input uses collected (for the preflight check and the
//! journal's environment). Nothing but the index stays in memory.

use std::collections::BTreeSet;
use std::io::Read;

use offerkit::{Error, ErrorKind, Vendor};

use super::input::{Checkpoints, Input, Parsed};
use super::keys::KeyIndex;

/// What the first pass learned.
#[derive(Debug)]
pub struct Scan {
    /// Every valid line's key.
    pub index: KeyIndex,
    /// Where to read a line again.
    pub checkpoints: Checkpoints,
    /// The vendors of the valid lines.
    pub vendors: BTreeSet<Vendor>,
    /// Non-blank, non-comment lines (valid or not): the progress total.
    pub lines: usize,
}

/// Reads the whole input once.
pub fn scan(input: &Input) -> Result<Scan, Error> {
    let mut index = KeyIndex::with_capacity(count_lines(input)?);
    let mut checkpoints = Checkpoints::default();
    let mut vendors = BTreeSet::new();
    let mut lines = 0;
    for raw in input.lines()? {
        let raw = raw?;
        checkpoints.note(raw.number, raw.offset);
        match input.parse(&raw) {
            Parsed::Skip => continue,
            Parsed::Invalid(_) => {}
            Parsed::Target(target) => {
                vendors.insert(target.vendor());
                index.add(&target.key(), raw.number);
            }
        }
        lines += 1;
    }
    index.seal();
    Ok(Scan {
        index,
        checkpoints,
        vendors,
        lines,
    })
}

/// The number of `\n` in the input plus one: the index's capacity, so the table is allocated
/// once (growing it by doubling would briefly need 1.5 times its size).
fn count_lines(input: &Input) -> Result<usize, Error> {
    let mut file = std::fs::File::open(input.path()).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!("cannot read {}: {e}", input.name()),
        )
    })?;
    let mut chunk = vec![0; 256 * 1024];
    let mut count = 1;
    loop {
        let n = file.read(&mut chunk).map_err(|e| {
            Error::new(
                ErrorKind::Input,
                format!("cannot read {}: {e}", input.name()),
            )
        })?;
        if n == 0 {
            return Ok(count);
        }
        count += chunk[..n].iter().filter(|b| **b == b'\n').count();
    }
}
