//! How the validated newtypes look in the hub's OpenAPI description (`GET /openapi.json`):
//! each is a plain JSON integer or string on the wire, with the constraints its constructor
//! checks, so generated clients and property-based API tests send values of the right shape.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use crate::cccd::Cccd;
use crate::money::Vnd;
use crate::office::OfficeCode;
use crate::text::PersonalText;

impl PartialSchema for Vnd {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(0))
            .description(Some("An amount in whole Vietnamese đồng (no fractions)."))
            .into()
    }
}
impl ToSchema for Vnd {}

impl PartialSchema for Cccd {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^\d{12}$"))
            .description(Some(
                "A 12-digit citizen identity number (CCCD): province of birth registration, \
                 century and sex, year of birth, serial.",
            ))
            .into()
    }
}
impl ToSchema for Cccd {}

impl PartialSchema for OfficeCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$"))
            .min_length(Some(2))
            .max_length(Some(24))
            .description(Some("An enforcement office: `CUC`, a province (`HCM`) or a regional office (`HCM-KV01`)."))
            .into()
    }
}
impl ToSchema for OfficeCode {}

impl PartialSchema for PersonalText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .description(Some(
                "A name or address; stored NFC-normalised and never logged.",
            ))
            .into()
    }
}
impl ToSchema for PersonalText {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn json<T: PartialSchema>() -> serde_json::Value {
        serde_json::to_value(T::schema()).unwrap()
    }

    #[test]
    fn newtypes_are_plain_json_values_with_their_constraints() {
        assert_eq!(json::<Vnd>()["type"], "integer");
        assert_eq!(json::<Vnd>()["minimum"], 0);
        assert_eq!(json::<Cccd>()["pattern"], r"^\d{12}$");
        assert_eq!(json::<OfficeCode>()["maxLength"], 24);
        assert_eq!(json::<PersonalText>()["type"], "string");
    }

    proptest::proptest! {
        /// The pattern and length limits say exactly what the constructor accepts, so a client
        /// that follows the description never sends an office code the hub refuses.
        #[test]
        fn the_office_pattern_matches_the_constructor(s in "[A-Z0-9a-z-]{0,30}") {
            let schema = json::<OfficeCode>();
            let pattern = regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
            let by_schema = pattern.is_match(&s) && (2..=24).contains(&s.chars().count());
            proptest::prop_assert_eq!(by_schema, OfficeCode::parse(&s).is_ok(), "{}", s);
        }
    }
}
