//! Base64 as the tools the simulator imitates write and read it: standard
//! alphabet, padded when written; read leniently (whitespace and missing
//! padding allowed), as `kubeseal`, Helm's `b64dec` and Secrets need.

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent).with_decode_allow_trailing_bits(true),
);

/// Standard base64 with padding.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Base64 back to bytes, ignoring whitespace, with or without padding; `None` if it is not base64.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    LENIENT.decode(clean).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_padding() {
        for text in ["", "a", "ab", "abc", "abcd", "hello, world"] {
            let encoded = encode(text.as_bytes());
            assert_eq!(decode(&encoded).as_deref(), Some(text.as_bytes()), "{encoded}");
            assert_eq!(decode(encoded.trim_end_matches('=')).as_deref(), Some(text.as_bytes()), "{encoded} unpadded");
        }
        assert_eq!(encode(b"ab"), "YWI=");
        assert_eq!(decode("YW\nI="), Some(b"ab".to_vec()));
        assert_eq!(decode("not base64!"), None);
    }
}
