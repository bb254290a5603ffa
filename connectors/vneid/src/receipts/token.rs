//! The shared secret VNeID presents when it posts receipts: kept only as a digest, compared in
//! constant time, never shown in logs.

use sha2::{Digest, Sha256};

/// The token VNeID presents on receipts, kept only as a digest and compared in constant time.
#[derive(Clone)]
pub struct ReceiptToken(Option<[u8; 32]>);

impl std::fmt::Debug for ReceiptToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ReceiptToken(***)"
        } else {
            "ReceiptToken(none)"
        })
    }
}

impl ReceiptToken {
    /// The configured token (`vneid.receipt_token`), if any.
    pub fn new(token: Option<&str>) -> Self {
        Self(
            token
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| Sha256::digest(t.as_bytes()).into()),
        )
    }

    /// Whether receipts are enabled.
    pub fn is_configured(&self) -> bool {
        self.0.is_some()
    }

    /// Whether `presented` is the token. Both sides are hashed first, so the comparison takes
    /// the same time whatever the length or content of a wrong token.
    pub fn verify(&self, presented: &str) -> bool {
        let Some(expected) = &self.0 else {
            return false;
        };
        let got: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        expected
            .iter()
            .zip(got.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}
