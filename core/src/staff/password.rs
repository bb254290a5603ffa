//! Staff passwords: the policy a new password must meet, and argon2id hashing to PHC strings
//! (`$argon2id$v=19$...`) so the parameters travel with each hash and can be raised later
//! without invalidating the hashes already stored.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The shortest password accepted: long enough that a lock-out of a few tries per quarter hour
/// leaves guessing hopeless.
pub const MIN_CHARS: usize = 10;

/// The longest password accepted, so one request cannot make the hasher chew megabytes.
pub const MAX_CHARS: usize = 1024;

/// Why a password was refused or could not be hashed. The messages name the field, since they
/// are shown as they are to whoever typed the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("password: must be at least {min} characters long (got {found})")]
    TooShort {
        /// The minimum.
        min: usize,
        /// The length given, in characters.
        found: usize,
    },
    /// More than [`MAX_CHARS`] characters.
    #[error("password: must be at most {max} characters long (got {found})")]
    TooLong {
        /// The maximum.
        max: usize,
        /// The length given, in characters.
        found: usize,
    },
    /// Only whitespace, or a control character (a pasted line break, say) inside.
    #[error("password: must not contain control characters or be only spaces")]
    Unprintable,
    /// The hasher failed (should not happen with valid parameters).
    #[error("password: cannot be hashed: {0}")]
    Hash(String),
}

/// Checks a new password against the policy: [`MIN_CHARS`]..=[`MAX_CHARS`] characters, no
/// control characters, not blank. Applied when a password is set, never at sign-in (an old
/// password that predates a stricter policy must still let its owner in to change it).
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let found = password.chars().count();
    if found < MIN_CHARS {
        return Err(PasswordError::TooShort {
            min: MIN_CHARS,
            found,
        });
    }
    if found > MAX_CHARS {
        return Err(PasswordError::TooLong {
            max: MAX_CHARS,
            found,
        });
    }
    if password.chars().any(char::is_control) || password.trim().is_empty() {
        return Err(PasswordError::Unprintable);
    }
    Ok(())
}

/// Checks the policy and hashes `password` with argon2id (the crate's default parameters, the
/// OWASP baseline) and a fresh random salt; returns the PHC string to store. CPU-heavy: call it
/// from a blocking thread.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    hash_unchecked(password)
}

fn hash_unchecked(password: &str) -> Result<String, PasswordError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string; a malformed stored hash never matches.
/// CPU-heavy: call it from a blocking thread.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.chars().count() > MAX_CHARS {
        return false;
    }
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the time of one verification against a throw-away hash, for sign-ins that have no
/// account to check (unknown user, locked account), so their answer takes as long as a wrong
/// password and timing does not tell which usernames exist.
pub fn dummy_verify(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| {
        let throwaway = hex::encode(rand::random::<[u8; 16]>());
        hash_unchecked(&throwaway).unwrap_or_default()
    });
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn policy_names_the_field_and_the_minimum() {
        let e = check_policy("short").unwrap_err();
        assert_eq!(e, PasswordError::TooShort { min: 10, found: 5 });
        assert!(e.to_string().starts_with("password:"), "{e}");
        assert!(e.to_string().contains("10"), "{e}");
        // Characters, not bytes: nine Vietnamese letters are still too short.
        assert!(check_policy("ăâđêôơưáà").is_err());
        assert!(check_policy("mật khẩu dài").is_ok());
        assert!(check_policy("0123456789").is_ok());
        assert_eq!(
            check_policy("          ").unwrap_err(),
            PasswordError::Unprintable
        );
        assert_eq!(
            check_policy("good-password\n").unwrap_err(),
            PasswordError::Unprintable
        );
        assert!(matches!(
            check_policy(&"x".repeat(MAX_CHARS + 1)),
            Err(PasswordError::TooLong { .. })
        ));
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterY", &a));
        assert!(!verify("correct horse battery", "not a phc string"));
        assert!(hash("short").is_err());
        dummy_verify("anything at all");
    }
}
