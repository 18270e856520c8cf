//! Stable hashes: the same input gives the same value on every machine, Rust version and run,
//! so they can be stored in files and compared by the next run (the search index's manifest,
//! the site's list of pages). They detect changes; they need not resist attacks.

use serde::Serialize;

/// A stable hash of `bytes`. Eight bytes per step (a multiply-rotate mix, then a final
/// avalanche), since a rebuild hashes the whole archive.
pub fn content_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |hash: u64, word: u64| (hash ^ word).wrapping_mul(K).rotate_left(29);
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        hash = mix(
            hash,
            u64::from_le_bytes(word.try_into().unwrap_or_default()),
        );
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    hash = mix(hash, u64::from_le_bytes(tail));
    // The finaliser of splitmix64: every input bit reaches every output bit.
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// FNV-1a, 64 bits: a stable hash fed piece by piece.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Feeds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A hash of everything something is made from, built part by part: equal fingerprints, equal
/// inputs. Parts are framed (each string with its length), so `("ab", "c")` and `("a", "bc")`
/// differ. A part that cannot be read (a value that fails to serialize) spoils it: `finish`
/// then gives `None`, which matches nothing.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct Fingerprint {
    hash: Fnv,
    spoiled: bool,
}

impl Fingerprint {
    /// A fingerprint of a kind of thing, so that different kinds never collide by design.
    pub fn new(kind: &str) -> Fingerprint {
        Fingerprint {
            hash: Fnv::default(),
            spoiled: false,
        }
        .str(kind)
    }

    /// Adds a number (another fingerprint, a count).
    pub fn u64(mut self, value: u64) -> Fingerprint {
        self.hash.write(&value.to_le_bytes());
        self
    }

    /// Adds a string.
    pub fn str(self, text: &str) -> Fingerprint {
        self.bytes(text.as_bytes())
    }

    /// Adds bytes, hashed eight at a time: long inputs cost little.
    pub fn bytes(self, bytes: &[u8]) -> Fingerprint {
        self.u64(bytes.len() as u64).u64(content_hash(bytes))
    }

    /// Adds a value as its JSON: everything it would show.
    pub fn json(self, value: &(impl Serialize + ?Sized)) -> Fingerprint {
        self.option(
            serde_json::to_vec(value)
                .ok()
                .map(|json| content_hash(&json)),
        )
    }

    /// Adds every fingerprint of `all`, in order.
    pub fn all(self, all: &[Option<u64>]) -> Fingerprint {
        all.iter()
            .fold(self.u64(all.len() as u64), |f, &one| f.option(one))
    }

    /// Adds the fingerprints at `positions` of `all`, in that order.
    pub fn picked(self, all: &[Option<u64>], positions: &[usize]) -> Fingerprint {
        positions
            .iter()
            .fold(self.u64(positions.len() as u64), |f, &i| f.option(all[i]))
    }

    /// Adds a fingerprint that may be spoiled (which spoils this one).
    pub fn option(mut self, value: Option<u64>) -> Fingerprint {
        self.spoiled |= value.is_none();
        self.u64(value.unwrap_or_default())
    }

    /// The fingerprint, or `None` if a part could not be read.
    pub fn finish(self) -> Option<u64> {
        (!self.spoiled).then_some(self.hash.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn content_hashes_are_stable_and_see_every_byte() {
        assert_eq!(content_hash(b"timeout"), content_hash(b"timeout"));
        // The value earlier versions stored: indexes they made stay comparable.
        assert_eq!(content_hash(b"timeout"), 0x5327_f285_dc47_cb07);
        let text = b"The gateway returned 503 for 17 minutes.".to_vec();
        let mut seen = HashSet::new();
        assert!(seen.insert(content_hash(&text)));
        for at in 0..text.len() {
            let mut changed = text.clone();
            changed[at] ^= 1;
            assert!(seen.insert(content_hash(&changed)), "byte {at}");
        }
        assert_ne!(content_hash(b""), content_hash(b"\0"), "length counts");
    }

    #[test]
    fn fingerprints_frame_their_parts() {
        let of = |a: &str, b: &str| Fingerprint::new("t").str(a).str(b).finish();
        assert_eq!(of("ab", "c"), of("ab", "c"));
        assert_ne!(of("ab", "c"), of("a", "bc"));
        assert_ne!(
            Fingerprint::new("a").finish(),
            Fingerprint::new("b").finish()
        );
        assert_ne!(
            Fingerprint::new("t").json(&[1, 2]).finish(),
            Fingerprint::new("t").json(&[1, 3]).finish()
        );
    }

    #[test]
    fn picked_fingerprints_count_order_and_spoil() {
        let all = [Some(1), Some(2), None];
        let of = |positions: &[usize]| Fingerprint::new("t").picked(&all, positions).finish();
        assert_eq!(of(&[0, 1]), of(&[0, 1]));
        assert_ne!(of(&[0, 1]), of(&[1, 0]));
        assert_ne!(of(&[]), of(&[0]));
        assert_eq!(of(&[0, 2]), None);
        assert_eq!(
            Fingerprint::new("t").all(&all[..2]).finish(),
            of(&[0, 1]),
            "all is every position"
        );
    }

    #[test]
    fn a_value_that_cannot_be_serialized_spoils_the_fingerprint() {
        // JSON object keys must be strings.
        let map = std::collections::BTreeMap::from([((1, 2), "x")]);
        assert_eq!(Fingerprint::new("t").json(&map).finish(), None);
    }
}
