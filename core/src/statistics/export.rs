//! Writes a filled-in [`Form`] as CSV (for other systems and spreadsheets) and XLSX (for
//! the people who send the reports on), with the form's Vietnamese headers.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use super::forms::{Cell, Form};

/// Why a form could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The CSV writer failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// The CSV buffer could not be taken back from the writer.
    #[error("csv: {0}")]
    CsvBuffer(String),
    /// The XLSX writer failed.
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
}

/// The output formats of the report endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// JSON, the form as data.
    Json,
    /// CSV, UTF-8 with a byte-order mark so spreadsheet programs read the Vietnamese right.
    Csv,
    /// An Excel workbook.
    Xlsx,
}

impl OutputFormat {
    /// Reads the `format` parameter: `json`, `csv` or `xlsx`.
    pub fn parse(s: &str) -> Result<Self, super::ParamError> {
        match s {
            "json" => Ok(Self::Json),
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            _ => Err(super::ParamError {
                field: "format",
                reason: "must be json, csv or xlsx".into(),
            }),
        }
    }

    /// The media type to answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// An ASCII file name for a form: `ket-qua-thads-ve-tien_HCM_2026.xlsx`.
pub fn file_name(form: &Form, format: OutputFormat) -> String {
    format!(
        "{}_{}_{}.{}",
        form.kind.file_stem(),
        form.selection.scope.code(),
        form.period.slug(),
        format.extension()
    )
}

/// The UTF-8 byte-order mark that makes Excel read a CSV file as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The form as CSV: a byte-order mark, the header row, then one line per row. Numbers are
/// plain integers (cases, or whole đồng), rates have two decimals and are empty without a base.
pub fn to_csv(form: &Form) -> Result<Vec<u8>, ExportError> {
    let mut writer = csv::Writer::from_writer(UTF8_BOM.to_vec());
    writer.write_record(form.headers())?;
    for row in &form.rows {
        writer.write_record(row.cells.iter().map(text))?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::CsvBuffer(e.error().to_string()))
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Number(n) => n.to_string(),
        Cell::Rate(r) => r.to_string(),
    }
}

/// Largest integer an XLSX number (an IEEE double) holds exactly; larger values are written
/// as text so no đồng is lost.
const EXACT_IN_XLSX: i64 = 1 << 53;

/// Row of the header line in the sheet (after the title, period and unit lines).
pub const XLSX_HEADER_ROW: u32 = 3;

/// The form as an XLSX workbook with one sheet: the title, the period and unit, the header
/// row, then the rows, with province and nation rows in bold.
pub fn to_xlsx(form: &Form) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let number = Format::new().set_num_format("#,##0");
    let number_bold = Format::new().set_num_format("#,##0").set_bold();
    let rate = Format::new().set_num_format("0.00");
    let rate_bold = Format::new().set_num_format("0.00").set_bold();

    let sheet = workbook.add_worksheet();
    sheet.set_name(match form.kind {
        super::forms::FormKind::Cases => "Về việc",
        super::forms::FormKind::Money => "Về tiền",
        super::forms::FormKind::Complaints => "Khiếu nại, tố cáo",
    })?;
    sheet.write_string_with_format(0, 0, form.title, &title)?;
    sheet.write_string(1, 0, form.period.label())?;
    sheet.write_string(2, 0, format!("Đơn vị tính: {}", form.unit))?;
    for (col, h) in (0u16..).zip(form.headers()) {
        sheet.write_string_with_format(XLSX_HEADER_ROW, col, h, &header)?;
        sheet.set_column_width(col, if col < 2 { 16 } else { 14 })?;
    }
    sheet.set_row_height(XLSX_HEADER_ROW, 48)?;
    sheet.set_freeze_panes(XLSX_HEADER_ROW + 1, 2)?;

    for (r, row) in (XLSX_HEADER_ROW + 1..).zip(&form.rows) {
        let total = row.level != super::Level::Office;
        for (col, cell) in (0u16..).zip(&row.cells) {
            match cell {
                Cell::Text(t) if total => {
                    sheet.write_string_with_format(r, col, t, &bold)?;
                }
                Cell::Text(t) => {
                    sheet.write_string(r, col, t)?;
                }
                Cell::Number(n) if n.abs() <= EXACT_IN_XLSX => {
                    // Exact: |n| ≤ 2^53.
                    #[allow(clippy::cast_precision_loss)]
                    let value = *n as f64;
                    let f = if total { &number_bold } else { &number };
                    sheet.write_number_with_format(r, col, value, f)?;
                }
                Cell::Number(n) => {
                    sheet.write_string(r, col, n.to_string())?;
                }
                Cell::Rate(x) => {
                    if let Some(bp) = x.basis_points() {
                        // A display value only: the rate was computed in basis points.
                        #[allow(clippy::cast_precision_loss)]
                        let value = bp as f64 / 100.0;
                        let f = if total { &rate_bold } else { &rate };
                        sheet.write_number_with_format(r, col, value, f)?;
                    }
                }
            }
        }
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};

    use super::super::forms::{build, FormKind, COLUMNS};
    use super::super::{compute, seeded_sqlite, Level, Period, Selection};
    use super::*;

    async fn form(kind: FormKind) -> Form {
        let (_dir, db) = seeded_sqlite().await;
        let period = Period::statistics_year(2026).unwrap();
        let selection = Selection::parse(Some("province"), None, Level::Office).unwrap();
        let stats = compute(&db, &period, &selection.scope).await.unwrap();
        build(&stats, kind, &selection)
    }

    #[tokio::test]
    async fn csv_has_the_vietnamese_header_row_and_one_line_per_row() {
        let form = form(FormKind::Cases).await;
        let bytes = to_csv(&form).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let mut reader = csv::Reader::from_reader(&bytes[UTF8_BOM.len()..]);
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(
            headers,
            [
                "Mã đơn vị",
                "Cấp",
                "Tổng số thụ lý (việc)",
                "Năm trước chuyển sang",
                "Thụ lý mới",
                "Ủy thác",
                "Phải thi hành",
                "Phải thi hành: chủ động",
                "Phải thi hành: theo đơn",
                "Chưa có điều kiện thi hành",
                "Có điều kiện thi hành",
                "Thi hành xong",
                "Đình chỉ thi hành án",
                "Có giảm thi hành án",
                "Chuyển kỳ sau",
                "Tỷ lệ thi hành xong về việc (%)",
            ]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 4, "DNG, HCM, HNI and the nation");
        let nation = &records[3];
        assert_eq!(&nation[0], "VN");
        assert_eq!(&nation[1], "Toàn quốc");
        assert_eq!(&nation[6], "15");
        assert_eq!(&nation[15], "54.55");
        assert_eq!(
            file_name(&form, OutputFormat::Csv),
            "ket-qua-thads-ve-viec_VN_2026.csv"
        );
    }

    #[tokio::test]
    async fn xlsx_opens_with_the_headers_and_exact_amounts() {
        let form = form(FormKind::Money).await;
        let bytes = to_xlsx(&form).unwrap();
        assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
        let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["Về tiền"]);
        let range = book.worksheet_range("Về tiền").unwrap();
        let at = |r: u32, c: u32| range.get_value((r, c)).cloned();
        assert_eq!(
            at(0, 0),
            Some(Data::String("Kết quả thi hành án dân sự về tiền".into()))
        );
        assert_eq!(at(2, 0), Some(Data::String("Đơn vị tính: đồng".into())));
        for (c, spec) in (0u32..).zip(COLUMNS) {
            assert_eq!(
                at(XLSX_HEADER_ROW, c),
                Some(Data::String(spec.header_money.to_string())),
                "header of {}",
                spec.key
            );
        }
        let nation = XLSX_HEADER_ROW + 4;
        assert_eq!(at(nation, 0), Some(Data::String("VN".into())));
        assert_eq!(at(nation, 6), Some(Data::Float(3_922_000_000.0)));
        assert_eq!(at(nation, 15), Some(Data::Float(37.65)));
    }

    #[test]
    fn formats_parse_and_name_their_media_types() {
        assert_eq!(OutputFormat::parse("xlsx").unwrap().extension(), "xlsx");
        assert!(OutputFormat::parse("csv")
            .unwrap()
            .content_type()
            .starts_with("text/csv"));
        assert_eq!(OutputFormat::parse("pdf").unwrap_err().field, "format");
    }
}
