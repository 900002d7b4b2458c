//! The order go-yaml v2 writes a map's keys in (`keyList.Less` in `sorter.go`), which
//! kubectl's `-o yaml` and kustomize's output both reach through `sigs.k8s.io/yaml`:
//! letters compare as runes, a non-letter sorts before a letter, and runs of digits
//! compare as numbers (`item9` before `item10`, `LOG_LEVEL` before `LOGIN_URL`).

use std::cmp::Ordering;

/// go-yaml v2's `keyList.Less` for two string keys, as an ordering.
pub fn compare(a: &str, b: &str) -> Ordering {
    if less(a, b) {
        Ordering::Less
    } else if less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

fn less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            // A zero inside a longer number (`10` vs `1a`) is not a leading zero.
            if ar[..i].iter().rev().take_while(|c| c.is_ascii_digit()).any(|c| *c != '0') {
                an = 1;
                bn = 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_as_kustomize_and_kubectl_print_them() {
        // Observed from `kubectl.1.33 kustomize` on a configMapGenerator with these literals.
        let mut keys = vec!["x001", "b~", "a1b", "LOGIN_URL", "item10", "Ba", "x01", "B_", "item9", "b-", "x1", "a1_", "LOG_LEVEL"];
        keys.sort_by(|a, b| compare(a, b));
        assert_eq!(keys, vec!["B_", "Ba", "LOG_LEVEL", "LOGIN_URL", "a1_", "a1b", "b-", "b~", "item9", "item10", "x1", "x01", "x001"]);
    }
}
