//! How each format names the fields of a judgment in errors: XML paths
//! (`Judgment/Parties/Party[2]/Cccd`) and JSON Pointers (`/parties/1/cccd`).

/// Top-level fields of a judgment, for naming errors.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Field {
    DocumentId,
    CourtCode,
    CourtName,
    Office,
    JudgmentNumber,
    JudgmentDate,
    EffectiveDate,
    CaseKind,
    DocumentKind,
    AmendsKind,
    AmendsDocumentId,
    AmendsReason,
    Parties,
    Obligations,
    OperativeText,
}

/// Fields of a party.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PartyField {
    Id,
    Role,
    Kind,
    Name,
    Cccd,
    BirthYear,
    Address,
}

/// Fields of an obligation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ObligationField {
    Kind,
    Debtor,
    Creditor,
    Amount,
    Period,
    Description,
}

/// How a format names fields; indexes are 0-based here and rendered as the format wants.
pub(crate) trait Paths {
    fn root(&self, field: Field) -> String;
    fn party(&self, index: usize, field: PartyField) -> String;
    fn obligation(&self, index: usize, field: ObligationField) -> String;
}

/// XML paths: `Judgment/Parties/Party[2]/Cccd`, 1-based, `@name` for attributes.
pub(crate) struct XmlPaths;

impl Paths for XmlPaths {
    fn root(&self, field: Field) -> String {
        let tail = match field {
            Field::DocumentId => "DocumentId",
            Field::CourtCode => "Court/@code",
            Field::CourtName => "Court",
            Field::Office => "Office",
            Field::JudgmentNumber => "JudgmentNumber",
            Field::JudgmentDate => "JudgmentDate",
            Field::EffectiveDate => "EffectiveDate",
            Field::CaseKind => "CaseKind",
            Field::DocumentKind => "DocumentKind",
            Field::AmendsKind => "Amends/@kind",
            Field::AmendsDocumentId => "Amends/@documentId",
            Field::AmendsReason => "Amends",
            Field::Parties => "Parties",
            Field::Obligations => "Obligations",
            Field::OperativeText => "OperativeText",
        };
        format!("Judgment/{tail}")
    }

    fn party(&self, index: usize, field: PartyField) -> String {
        let tail = match field {
            PartyField::Id => "@id",
            PartyField::Role => "@role",
            PartyField::Kind => "@kind",
            PartyField::Name => "Name",
            PartyField::Cccd => "Cccd",
            PartyField::BirthYear => "BirthYear",
            PartyField::Address => "Address",
        };
        format!("Judgment/Parties/Party[{}]/{tail}", index + 1)
    }

    fn obligation(&self, index: usize, field: ObligationField) -> String {
        let tail = match field {
            ObligationField::Kind => "@kind",
            ObligationField::Debtor => "@debtor",
            ObligationField::Creditor => "@creditor",
            ObligationField::Amount => "AmountVnd",
            ObligationField::Period => "@period",
            ObligationField::Description => "Description",
        };
        format!("Judgment/Obligations/Obligation[{}]/{tail}", index + 1)
    }
}

/// JSON Pointer paths: `/parties/1/cccd`, 0-based.
pub(crate) struct JsonPaths;

impl Paths for JsonPaths {
    fn root(&self, field: Field) -> String {
        match field {
            Field::DocumentId => "/document_id",
            Field::CourtCode => "/court/code",
            Field::CourtName => "/court/name",
            Field::Office => "/office",
            Field::JudgmentNumber => "/judgment_number",
            Field::JudgmentDate => "/judgment_date",
            Field::EffectiveDate => "/effective_date",
            Field::CaseKind => "/case_kind",
            Field::DocumentKind => "/document_kind",
            Field::AmendsKind => "/amends/kind",
            Field::AmendsDocumentId => "/amends/document_id",
            Field::AmendsReason => "/amends/reason",
            Field::Parties => "/parties",
            Field::Obligations => "/obligations",
            Field::OperativeText => "/operative_text",
        }
        .to_owned()
    }

    fn party(&self, index: usize, field: PartyField) -> String {
        let tail = match field {
            PartyField::Id => "id",
            PartyField::Role => "role",
            PartyField::Kind => "kind",
            PartyField::Name => "name",
            PartyField::Cccd => "cccd",
            PartyField::BirthYear => "birth_year",
            PartyField::Address => "address",
        };
        format!("/parties/{index}/{tail}")
    }

    fn obligation(&self, index: usize, field: ObligationField) -> String {
        let tail = match field {
            ObligationField::Kind => "kind",
            ObligationField::Debtor => "debtor",
            ObligationField::Creditor => "creditor",
            ObligationField::Amount => "amount",
            ObligationField::Period => "period",
            ObligationField::Description => "description",
        };
        format!("/obligations/{index}/{tail}")
    }
}
