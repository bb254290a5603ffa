//! ed25519 keys: reading a partner's public key (PEM or base64, as `openssl` or any library
//! writes it), the hub's own signing key (loaded from a file, or generated on first start), and
//! the key ids that name keys in headers and seals.
//!
//! Private keys are never logged: [`HubKey`]'s `Debug` shows only its key id.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Why a key could not be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The text is not a key in a supported form; the reason says which forms are.
    #[error("{0}")]
    Format(String),
}

/// Parses an ed25519 public key: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo, what
/// `openssl pkey -pubout` writes), or base64 of the raw 32 bytes, or base64 of the DER
/// SubjectPublicKeyInfo. Weak (small-order) keys are refused.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let text = text.trim();
    let key = if text.contains("-----BEGIN PUBLIC KEY-----") {
        VerifyingKey::from_public_key_pem(text)
            .map_err(|e| KeyError::Format(format!("not an ed25519 PEM public key: {e}")))?
    } else if text.contains("-----BEGIN") {
        return Err(KeyError::Format(
            "only PEM \"PUBLIC KEY\" (SubjectPublicKeyInfo) blocks are read; convert with `openssl pkey -pubout`".into(),
        ));
    } else {
        let bytes = STANDARD
            .decode(text)
            .map_err(|e| KeyError::Format(format!("not base64: {e}")))?;
        match bytes.len() {
            32 => {
                let mut raw = [0u8; 32];
                raw.copy_from_slice(&bytes);
                VerifyingKey::from_bytes(&raw)
                    .map_err(|e| KeyError::Format(format!("not an ed25519 public key: {e}")))?
            }
            _ => VerifyingKey::from_public_key_der(&bytes).map_err(|_| {
                KeyError::Format(format!(
                    "{} bytes: an ed25519 public key is 32 raw bytes or a 44-byte DER SubjectPublicKeyInfo",
                    bytes.len()
                ))
            })?,
        }
    };
    if key.is_weak() {
        return Err(KeyError::Format(
            "weak ed25519 public key (small order) refused".into(),
        ));
    }
    Ok(key)
}

/// The stored and published form of a public key: standard base64 of its 32 raw bytes.
pub fn public_key_base64(key: &VerifyingKey) -> String {
    STANDARD.encode(key.as_bytes())
}

/// A short fingerprint of a public key: the first 16 hex digits of the SHA-256 of its raw
/// bytes. Key ids are built from it when none is chosen.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let mut hex = hex::encode(Sha256::digest(key.as_bytes()));
    hex.truncate(16);
    hex
}

/// Whether `id` can be a key id: 1 to 64 of ASCII letters, digits, `.`, `_`, `:` and `-`
/// (safe in a header and in a URL).
pub fn is_valid_key_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// A fresh ed25519 private key from the operating system's random source.
pub fn generate_signing_key() -> SigningKey {
    let seed: [u8; 32] = rand::random();
    SigningKey::from_bytes(&seed)
}

/// Parses an ed25519 private key: a PEM `PRIVATE KEY` (PKCS#8, what
/// `openssl genpkey -algorithm ed25519` writes), or base64 of the 32-byte seed, of the 64-byte
/// seed-and-public-key pair, or of the DER PKCS#8 document.
pub fn parse_private_key(text: &str) -> Result<SigningKey, KeyError> {
    let text = text.trim();
    if text.contains("-----BEGIN PRIVATE KEY-----") {
        return SigningKey::from_pkcs8_pem(text)
            .map_err(|e| KeyError::Format(format!("not an ed25519 PKCS#8 private key: {e}")));
    }
    if text.contains("-----BEGIN") {
        return Err(KeyError::Format(
            "only PEM \"PRIVATE KEY\" (PKCS#8) blocks are read; convert with `openssl pkey`".into(),
        ));
    }
    let bytes = STANDARD
        .decode(text)
        .map_err(|_| KeyError::Format("not PEM and not base64".into()))?;
    match bytes.len() {
        32 => {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&bytes);
            Ok(SigningKey::from_bytes(&seed))
        }
        64 => {
            let mut pair = [0u8; 64];
            pair.copy_from_slice(&bytes);
            SigningKey::from_keypair_bytes(&pair)
                .map_err(|_| KeyError::Format("the 64 bytes are not a matching key pair".into()))
        }
        n => SigningKey::from_pkcs8_der(&bytes).map_err(|_| {
            KeyError::Format(format!(
                "{n} bytes: an ed25519 private key is a 32-byte seed, a 64-byte pair or PKCS#8"
            ))
        }),
    }
}

/// The PEM `PUBLIC KEY` (SubjectPublicKeyInfo) of a key, for files handed to partners.
pub fn public_key_pem(key: &VerifyingKey) -> Result<String, KeyError> {
    key.to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| KeyError::Format(format!("cannot encode the public key: {e}")))
}

/// Writes a private key as PKCS#8 PEM to a new file, readable by its owner only; an existing
/// file is never overwritten.
pub fn write_private_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let pem = key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| KeyError::Format(format!("cannot encode the private key: {e}")))?;
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.write_all(pem.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Reads a private key file (see [`parse_private_key`] for the forms).
pub fn read_private_key(path: &Path) -> Result<SigningKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_private_key(&text).map_err(|e| KeyError::Format(format!("{}: {e}", path.display())))
}

/// The hub's own signing key: signs receipts and evidences so a partner can prove what the hub
/// accepted. Its public half is published at `GET /v1/keys` under [`HubKey::key_id`].
#[derive(Clone)]
pub struct HubKey {
    signing: SigningKey,
    key_id: String,
}

impl fmt::Debug for HubKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl HubKey {
    /// Wraps a private key; its id is `hub-` and the public key's [`fingerprint`].
    pub fn new(signing: SigningKey) -> Self {
        let key_id = format!("hub-{}", fingerprint(&signing.verifying_key()));
        Self { signing, key_id }
    }

    /// Reads the key at `path`, or, when the file does not exist and `generate` is true,
    /// generates one and writes it there (owner-only). Returns the key and whether it was
    /// generated.
    pub fn load_or_generate(path: &Path, generate: bool) -> Result<(Self, bool), KeyError> {
        if path.exists() || !generate {
            return Ok((Self::new(read_private_key(path)?), false));
        }
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|source| KeyError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
        }
        let signing = generate_signing_key();
        match write_private_key(path, &signing) {
            Ok(()) => Ok((Self::new(signing), true)),
            // Another process generated it first: use theirs.
            Err(KeyError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists =>
            {
                Ok((Self::new(read_private_key(path)?), false))
            }
            Err(e) => Err(e),
        }
    }

    /// The key id published with the public key and named in every seal.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The public half as standard base64 of its 32 raw bytes.
    pub fn public_key_base64(&self) -> String {
        public_key_base64(&self.verifying_key())
    }

    /// Signs `bytes`; returns the 64-byte signature as standard base64.
    pub fn sign_base64(&self, bytes: &[u8]) -> String {
        STANDARD.encode(self.signing.sign(bytes).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn public_keys_parse_from_pem_raw_and_der() {
        let sk = generate_signing_key();
        let vk = sk.verifying_key();
        let pem = public_key_pem(&vk).unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
        assert_eq!(parse_public_key(&pem).unwrap(), vk);
        assert_eq!(parse_public_key(&public_key_base64(&vk)).unwrap(), vk);
        let der = vk.to_public_key_der().unwrap();
        assert_eq!(
            parse_public_key(&STANDARD.encode(der.as_bytes())).unwrap(),
            vk
        );
        assert!(parse_public_key("not a key").is_err());
        assert!(parse_public_key(&STANDARD.encode([1u8; 12])).is_err());
        let e =
            parse_public_key("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----")
                .unwrap_err();
        assert!(e.to_string().contains("PUBLIC KEY"), "{e}");
    }

    #[test]
    fn openssl_style_keys_are_read() {
        // `openssl genpkey -algorithm ed25519` (RFC 8410 test vector key) and its -pubout.
        let private = "-----BEGIN PRIVATE KEY-----\n\
                       MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
                       -----END PRIVATE KEY-----\n";
        let public = "-----BEGIN PUBLIC KEY-----\n\
                      MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n\
                      -----END PUBLIC KEY-----\n";
        let sk = parse_private_key(private).unwrap();
        assert_eq!(sk.verifying_key(), parse_public_key(public).unwrap());
    }

    #[test]
    fn private_keys_round_trip_through_a_file_and_are_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/hub.pem");
        let (a, generated) = HubKey::load_or_generate(&path, true).unwrap();
        assert!(generated);
        let (b, generated) = HubKey::load_or_generate(&path, true).unwrap();
        assert!(!generated);
        assert_eq!(a.key_id(), b.key_id());
        assert!(a.key_id().starts_with("hub-") && a.key_id().len() == 20);
        assert!(write_private_key(&path, &generate_signing_key()).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
        }
        let missing = dir.path().join("absent.pem");
        assert!(HubKey::load_or_generate(&missing, false).is_err());
        // Raw base64 seeds are accepted too.
        let sk = generate_signing_key();
        let parsed = parse_private_key(&STANDARD.encode(sk.to_bytes())).unwrap();
        assert_eq!(parsed.verifying_key(), sk.verifying_key());
    }

    #[test]
    fn debug_never_shows_the_private_key() {
        let key = HubKey::new(generate_signing_key());
        let shown = format!("{key:?}");
        assert!(shown.contains(key.key_id()));
        assert!(!shown.contains("signing"), "{shown}");
    }

    #[test]
    fn key_ids_are_header_safe() {
        assert!(is_valid_key_id("TAND79-KV1-2026"));
        assert!(is_valid_key_id("hub-0123abcd"));
        assert!(!is_valid_key_id(""));
        assert!(!is_valid_key_id("a b"));
        assert!(!is_valid_key_id("a,b"));
        assert!(!is_valid_key_id(&"x".repeat(65)));
    }
}
