//! Secrets and codes: bearer tokens (random, kept only as their SHA-256),
//! constant-time comparison, and join codes a person can read aloud.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The join code's alphabet: capitals and digits without the look-alikes 0/O, 1/I/L.
pub const JOIN_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// How many characters a join code has.
pub const JOIN_CODE_LEN: usize = 6;

/// A fresh bearer token: 32 random bytes as 64 hexadecimal digits.
pub fn new_token() -> String {
    hex(&rand::random::<[u8; 32]>())
}

/// A fresh identifier: 12 random bytes as 24 hexadecimal digits.
pub fn new_id() -> String {
    hex(&rand::random::<[u8; 12]>())
}

/// A fresh join code: six characters of [`JOIN_ALPHABET`].
pub fn new_join_code() -> String {
    (0..JOIN_CODE_LEN).map(|_| JOIN_ALPHABET[rand::random_range(0..JOIN_ALPHABET.len())] as char).collect()
}

/// A join code as typed (lower case, spaces or dashes) in its canonical form, or `None`
/// when it cannot be one (wrong length or a character outside the alphabet).
pub fn normalize_join_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == JOIN_CODE_LEN && code.bytes().all(|b| JOIN_ALPHABET.contains(&b))).then_some(code)
}

/// The SHA-256 of a token, as 64 hexadecimal digits: what the database keeps.
pub fn hash(token: &str) -> String {
    hex(Sha256::digest(token.as_bytes()).as_slice())
}

/// Whether `token` is the one whose hash is `stored_hash`, compared in constant time.
pub fn matches(token: &str, stored_hash: &str) -> bool {
    hash(token).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_codes_have_no_look_alikes_and_normalize() {
        for _ in 0..200 {
            let code = new_join_code();
            assert_eq!(code.len(), 6);
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
            assert_eq!(normalize_join_code(&code.to_lowercase()), Some(code.clone()));
        }
        assert_eq!(normalize_join_code(" abc-def "), Some("ABCDEF".into()));
        assert_eq!(normalize_join_code("ABCDEL"), None, "L looks like 1");
        assert_eq!(normalize_join_code("ABCDE0"), None);
        assert_eq!(normalize_join_code("ABCDEFG"), None);
    }

    #[test]
    fn tokens_match_only_their_own_hash() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        let stored = hash(&token);
        assert!(matches(&token, &stored));
        assert!(!matches(&new_token(), &stored));
        assert!(!matches("", &stored));
    }
}
