//! Target identity for a whole input at a bounded cost: every valid line's key kept as a 96-bit
//! hash and its line number (16 bytes per target) in one sorted table, instead of the keys.
//!
//! The table answers "which earlier line had this key" (duplicates) and gives each distinct key a
//! slot the journal replay fills with what resume needs. Equal hashes are checked against the real
//! keys by reading the earlier line again (see [`crate::batch::input::Checkpoints`]), so two
//! different targets are never taken for one, however unlikely a collision is.

use std::hash::{BuildHasher, RandomState};

/// A key's hash: 96 bits, from two independently seeded SipHash hashers (per process; never
/// written anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyHash(u64, u32);

/// Hashes keys; both seeds are random per process.
#[derive(Debug, Clone)]
pub struct KeyHasher {
    first: RandomState,
    second: RandomState,
}

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher {
            first: RandomState::new(),
            second: RandomState::new(),
        }
    }
}

impl KeyHasher {
    /// The hash of `key`.
    pub fn hash(&self, key: &str) -> KeyHash {
        KeyHash(
            self.first.hash_one(key),
            (self.second.hash_one(key) >> 32) as u32,
        )
    }
}

/// One table row: the key hash, flattened so the row packs into 16 bytes, and the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    high: u64,
    low: u32,
    line: u32,
}

impl Row {
    fn hash(&self) -> KeyHash {
        KeyHash(self.high, self.low)
    }
}

/// The sorted table of every valid line's key hash.
#[derive(Debug, Default)]
pub struct KeyIndex {
    hasher: KeyHasher,
    rows: Vec<Row>,
    sorted: bool,
    /// Where the rows whose hash starts with each `bits`-bit prefix begin (plus the end), so a
    /// lookup searches about eight rows instead of the whole table.
    ///
    /// Kept because `cargo xtask bench` (figure 5) shows it pays: a plain binary search over the
    /// table made `place`/`slot` 22 % of a 100k-target resume's CPU (a cache miss per step).
    directory: Vec<u32>,
    shift: u32,
}

/// Where a line's key stands in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The first line with this hash; `slot` identifies its key. `shared` when later lines have
    /// the same hash (they are checked against this line's key).
    First {
        /// The key's slot.
        slot: usize,
        /// Whether later lines share the hash.
        shared: bool,
    },
    /// A later line with the hash of `first_line`'s key.
    Later {
        /// The key's slot.
        slot: usize,
        /// The first line with this hash.
        first_line: usize,
    },
}

impl KeyIndex {
    /// An empty index that will hold about `capacity` keys.
    pub fn with_capacity(capacity: usize) -> Self {
        KeyIndex {
            rows: Vec::with_capacity(capacity),
            ..KeyIndex::default()
        }
    }

    /// The hasher (the same for every lookup of this index).
    pub fn hasher(&self) -> &KeyHasher {
        &self.hasher
    }

    /// Adds the key of line `line` (lines are added in increasing order).
    pub fn add(&mut self, key: &str, line: usize) {
        let hash = self.hasher.hash(key);
        self.rows.push(Row {
            high: hash.0,
            low: hash.1,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        });
        self.sorted = false;
    }

    /// Sorts the table; call once after the last [`KeyIndex::add`].
    pub fn seal(&mut self) {
        self.rows.sort_unstable();
        self.rows.shrink_to_fit();
        let bits = (usize::BITS - (self.rows.len() / 8).leading_zeros()).clamp(1, 24);
        self.shift = u64::BITS - bits;
        let mut directory = vec![0u32; (1 << bits) + 1];
        for row in &self.rows {
            directory[(row.high >> self.shift) as usize + 1] += 1;
        }
        for i in 1..directory.len() {
            directory[i] += directory[i - 1];
        }
        self.directory = directory;
        self.sorted = true;
    }

    /// The slot of `key`'s hash (the index of its first row), if any line has it.
    pub fn slot(&self, key: &str) -> Option<usize> {
        self.slot_of(self.hasher.hash(key))
    }

    fn slot_of(&self, hash: KeyHash) -> Option<usize> {
        debug_assert!(self.sorted, "KeyIndex::seal before lookups");
        let bucket = (hash.0 >> self.shift) as usize;
        let start = *self.directory.get(bucket)? as usize;
        let end = *self.directory.get(bucket + 1)? as usize;
        let first = start + self.rows[start..end].partition_point(|row| row.hash() < hash);
        (self.rows.get(first)?.hash() == hash).then_some(first)
    }

    /// Where line `line` with `key` stands, or `None` if it was never added.
    pub fn place(&self, key: &str, line: usize) -> Option<Place> {
        let slot = self.slot_of(self.hasher.hash(key))?;
        let first = self.rows[slot];
        let first_line = first.line as usize;
        if first_line == line {
            let shared = self
                .rows
                .get(slot + 1)
                .is_some_and(|next| next.hash() == first.hash());
            Some(Place::First { slot, shared })
        } else {
            Some(Place::Later { slot, first_line })
        }
    }

    /// The number of slots a per-slot table needs.
    pub fn slots(&self) -> usize {
        self.rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_and_later_lines_of_a_key_are_told_apart() {
        let mut index = KeyIndex::with_capacity(4);
        index.add("a", 1);
        index.add("b", 2);
        index.add("a", 5);
        index.add("c", 7);
        index.seal();
        assert_eq!(index.slots(), 4);
        let Some(Place::First { slot, shared }) = index.place("a", 1) else {
            panic!("a is first on line 1");
        };
        assert!(shared);
        assert_eq!(
            index.place("a", 5),
            Some(Place::Later {
                slot,
                first_line: 1
            })
        );
        assert!(matches!(
            index.place("c", 7),
            Some(Place::First { shared: false, .. })
        ));
        assert_eq!(index.slot("a"), Some(slot));
        assert_eq!(index.slot("zzz"), None);
        assert_ne!(index.slot("b"), index.slot("c"));
    }

    #[test]
    fn every_key_of_a_large_table_is_found_in_its_bucket() {
        let mut index = KeyIndex::with_capacity(5000);
        for line in 1..=5000 {
            index.add(&format!("k{line}"), line);
        }
        index.add("k1", 5001);
        index.seal();
        for line in 1..=5000 {
            match index.place(&format!("k{line}"), line) {
                Some(Place::First { shared, .. }) => assert_eq!(shared, line == 1),
                other => panic!("k{line}: {other:?}"),
            }
        }
        assert!(matches!(
            index.place("k1", 5001),
            Some(Place::Later { first_line: 1, .. })
        ));
        assert_eq!(index.slot("k5001"), None);
        let empty = {
            let mut index = KeyIndex::default();
            index.seal();
            index
        };
        assert_eq!(empty.slot("k1"), None);
    }

    #[test]
    fn a_row_costs_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Row>(), 16);
    }
}
