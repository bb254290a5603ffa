//! Content hashes: the stable id of a message when the partner gives none (invariant 2).

use sha2::{Digest, Sha256};

/// Hex SHA-256 of the exact bytes received (64 lowercase hex digits), used as a message id and
/// to detect that a redelivered body is identical.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
