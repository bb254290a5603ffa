//! The documents tests send: the valid examples shipped with the schema, and hostile or broken
//! variants built from them.

use std::path::PathBuf;

/// The folder of valid judgment examples (`schemas/court/examples/`).
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas/court/examples")
}

/// Reads one example by file name.
pub fn example(name: &str) -> String {
    let path = examples_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every valid example, by file name.
pub fn all_examples() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(examples_dir())
        .unwrap_or_else(|e| panic!("examples: {e}"))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, text)
        })
        .collect();
    out.sort();
    out
}

/// A camt.054.001.08 notification with one booked credit of `amount` đồng into a THADS account,
/// with the memo `memo` — built here so a test can quote a case's payment reference.
pub fn camt054_credit(entry_ref: &str, amount: i64, memo: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>MSG-{entry_ref}</MsgId><CreDtTm>2026-11-20T10:15:00+07:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-{entry_ref}</Id>
      <Acct>
        <Id><Othr><Id>0071001234567</Id></Othr></Id><Ccy>VND</Ccy>
        <Svcr><FinInstnId><BICFI>BFTVVNVX</BICFI></FinInstnId></Svcr>
      </Acct>
      <Ntry>
        <NtryRef>{entry_ref}</NtryRef>
        <Amt Ccy="VND">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-11-20</Dt></BookgDt>
        <ValDt><Dt>2026-11-20</Dt></ValDt>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>E2E-{entry_ref}</EndToEndId><TxId>{entry_ref}</TxId></Refs>
          <Amt Ccy="VND">{amount}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>TRAN THI BINH</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>{memo}</Ustrd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"#
    )
}

/// The civil-loan example as another judgment: its document id, judgment number, office and
/// debtor's name replaced — so a test can open several cases that a payment might belong to.
pub fn civil_loan_variant(
    document_id: &str,
    judgment_number: &str,
    office: &str,
    debtor: &str,
) -> String {
    example("ds-vay-tai-san.xml")
        .replace("TAND79-KV1-2026-DS-215", document_id)
        .replace("215/2026/DS-ST", judgment_number)
        .replace(
            "<Office>HCM-KV01</Office>",
            &format!("<Office>{office}</Office>"),
        )
        .replace("Trần Thị Bình", debtor)
}

/// [`camt054_credit`] with the payer's name (`Dbtr/Pty/Nm`) given too.
pub fn camt054_credit_from(entry_ref: &str, amount: i64, payer: &str, memo: &str) -> String {
    camt054_credit(entry_ref, amount, memo)
        .replace("<Nm>TRAN THI BINH</Nm>", &format!("<Nm>{payer}</Nm>"))
}
