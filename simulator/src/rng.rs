//! The world's only source of randomness: one seed through a portable PRNG.
//!
//! ChaCha8 gives the same stream on every platform and every release of the
//! crate, so a seed recorded in a replay reproduces the same world natively
//! and in WebAssembly.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The alphabet Kubernetes uses for generated name suffixes (no vowels, no
/// look-alike characters), from `k8s.io/apimachinery/pkg/util/rand`.
const KUBE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A seeded random stream.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    pub fn new(seed: u64) -> Self {
        SimRng { inner: ChaCha8Rng::seed_from_u64(seed) }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Moves the stream on by `draws` calls of `next_u64` (or of `below` with a bound),
    /// without computing the numbers in between.
    pub fn skip(&mut self, draws: u64) {
        if draws > 0 {
            // One `u64` is two 32-bit words of the ChaCha stream.
            let at = self.inner.get_word_pos();
            self.inner.set_word_pos(at + 2 * u128::from(draws));
        }
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 { 0 } else { self.next_u64() % bound }
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// A version 4 UUID, as the API server gives every object.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// A random suffix such as `x7k2p`, as the ReplicaSet controller appends to pod names.
    pub fn kube_suffix(&mut self, len: usize) -> String {
        (0..len).map(|_| KUBE_ALPHABET[self.below(KUBE_ALPHABET.len() as u64) as usize] as char).collect()
    }
}

/// Encodes a hash the way Kubernetes' `SafeEncodeString` does, for pod-template-hash labels.
pub fn kube_safe_encode(hash: u32) -> String {
    hash.to_string().bytes().map(|b| KUBE_ALPHABET[(b as usize) % KUBE_ALPHABET.len()] as char).collect()
}

/// The 32-bit FNV-1a hash, which Kubernetes uses for pod template hashes.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (SimRng::new(7), SimRng::new(7));
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.kube_suffix(5), b.kube_suffix(5));
        assert_ne!(SimRng::new(8).next_u64(), SimRng::new(7).next_u64());
    }

    #[test]
    fn skipping_draws_is_drawing_them() {
        for n in [1u64, 7, 8, 9, 31, 32, 33, 1000] {
            for before in [0, 1, 3, 8] {
                let (mut drawn, mut skipped) = (SimRng::new(5), SimRng::new(5));
                for _ in 0..before {
                    drawn.next_u64();
                    skipped.next_u64();
                }
                for _ in 0..n {
                    drawn.below(60_000);
                }
                skipped.skip(n);
                assert_eq!(drawn.next_u64(), skipped.next_u64(), "{before} then {n}");
                assert_eq!(drawn.uuid(), skipped.uuid());
            }
        }
    }

    #[test]
    fn suffixes_use_the_kube_alphabet() {
        let s = SimRng::new(1).kube_suffix(50);
        assert!(s.bytes().all(|c| KUBE_ALPHABET.contains(&c)), "{s}");
        assert!(kube_safe_encode(fnv32a(b"template")).bytes().all(|c| KUBE_ALPHABET.contains(&c)));
    }
}
