//! Who hands a complaint in — staff at reception or from the post, the party portal, or the
//! complainant signed in with VNeID — and, for the last, the filing with the identity VNeID
//! proved put in place of whatever the body says.

use thads_schemas::cccd::Cccd;
use thads_schemas::hash::content_hash;
use thads_schemas::validation::ValidationErrors;

use crate::staff::Actor;

/// Who hands the filing in.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A member of staff recording it (reception or post).
    Staff(&'a Actor),
    /// The party portal, on the complainant's behalf (online).
    Portal,
    /// The complainant themself, signed in with VNeID (`/v1/me/complaints`): the complainant's
    /// CCCD and name are the ones VNeID proved, whatever the body says.
    Party {
        /// The CCCD of the signed-in person.
        cccd: &'a Cccd,
        /// Their name as VNeID gave it.
        name: Option<&'a str>,
    },
}

impl Source<'_> {
    pub(super) fn key(&self) -> String {
        match self {
            Self::Staff(a) => format!("staff:{}", a.office),
            Self::Portal => "portal".to_string(),
            // The person, without writing their number into another column.
            Self::Party { cccd, .. } => {
                let h = content_hash(cccd.as_str().as_bytes());
                format!("party:{}", &h[..16.min(h.len())])
            }
        }
    }

    pub(super) fn partner(&self) -> String {
        match self {
            Self::Staff(a) => format!("staff:{}", a.username),
            Self::Portal => "portal".to_string(),
            Self::Party { .. } => "vneid:party".to_string(),
        }
    }

    pub(super) fn is_online(&self) -> bool {
        matches!(self, Self::Portal | Self::Party { .. })
    }
}

/// The filing of a signed-in complainant with their identity set from the sign-in: the
/// complainant's CCCD and name and the channel (`online`) may be left out of the body; a CCCD
/// other than the signed-in one is refused. A body that is not a JSON object is left as it is
/// (the parser names what is wrong with it).
pub(super) fn with_party_identity(
    body: &[u8],
    cccd: &Cccd,
    name: Option<&str>,
) -> Result<Vec<u8>, ValidationErrors> {
    let Ok(serde_json::Value::Object(mut filing)) = serde_json::from_slice(body) else {
        return Ok(body.to_vec());
    };
    let mut errors = ValidationErrors::new();
    filing
        .entry("channel")
        .or_insert_with(|| serde_json::Value::from("online"));
    let complainant = filing
        .entry("complainant")
        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    if let serde_json::Value::Object(person) = complainant {
        match person.get("cccd") {
            None => {
                person.insert("cccd".into(), cccd.as_str().into());
            }
            Some(given) if given.as_str() == Some(cccd.as_str()) => {}
            Some(_) => errors.push(
                "/complainant/cccd",
                "must be the CCCD you signed in with through VNeID (or left out)",
            ),
        }
        if let (None, Some(name)) = (person.get("name"), name) {
            person.insert("name".into(), name.into());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::to_vec(&filing).map_err(|e| {
        let mut errors = ValidationErrors::new();
        errors.push("body", e.to_string());
        errors
    })
}
