//! The extractor's output types: one [`Report`] per document, made of traced [`Cell`]s.
//!
//! These types are the contract between the parsing core, the JSON output of
//! `ogi parse` (see `shared/spec/README.md` and the gold files) and the Arrow
//! schemas in [`crate::arrow_out`]. Keep them plain data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which template table a cell belongs to (the report's parts 二, 三 and 四).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum TableId {
    /// 二、主动公开政府信息情况
    T2,
    /// 三、收到和处理政府信息公开申请情况
    T3,
    /// 四、政府信息公开行政复议、行政诉讼情况
    T4,
    /// Figures stated in the prose outside the tables (`0` in Arrow and JSON;
    /// see [`crate::reader::narrative`]); these cells are in [`Report::narrative`].
    Narrative,
}

impl From<TableId> for u8 {
    fn from(t: TableId) -> u8 {
        match t {
            TableId::T2 => 2,
            TableId::T3 => 3,
            TableId::T4 => 4,
            TableId::Narrative => 0,
        }
    }
}

impl TryFrom<u8> for TableId {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        match v {
            2 => Ok(TableId::T2),
            3 => Ok(TableId::T3),
            4 => Ok(TableId::T4),
            0 => Ok(TableId::Narrative),
            other => Err(format!("no table {other} in the template")),
        }
    }
}

/// How a cell's value was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// A number printed in the document.
    Printed,
    /// Not printed (lost by the layout) but fully determined by the accounting identities.
    Inferred,
    /// The cell is present but empty.
    Blank,
    /// The cell holds a dash or slash (`—`, `-`, `/`).
    Dash,
    /// The cell says there is nothing to report (`无`, `不适用`).
    Na,
    /// A value read by OCR from a scanned page.
    Ocr,
    /// Inferred like [`Provenance::Inferred`], in a document read by OCR: the
    /// identities were solved from values read by OCR, so it is only as sure as they are.
    OcrInferred,
    /// Cut from a digit string printed for several cells with their boundaries
    /// lost (`640020470` → 64, 0, 0, 2, 0, 4, 70): the only cut for which the
    /// accounting identities hold. `raw` holds the cell's own digits.
    Split,
    /// The layout lost the cell (short row, vanished row, cut-off table) and the
    /// identities do not determine it; the value is `None`.
    Missing,
    /// A figure stated in the report's prose, outside the tables.
    Narrative,
}

impl Provenance {
    /// Whether the value was not read but solved from the identities
    /// ([`Provenance::Inferred`] or [`Provenance::OcrInferred`]).
    pub fn is_inferred(self) -> bool {
        matches!(self, Provenance::Inferred | Provenance::OcrInferred)
    }

    /// The lowercase name used in JSON, CSV and Parquet.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Printed => "printed",
            Provenance::Inferred => "inferred",
            Provenance::Blank => "blank",
            Provenance::Dash => "dash",
            Provenance::Na => "na",
            Provenance::Ocr => "ocr",
            Provenance::OcrInferred => "ocr_inferred",
            Provenance::Split => "split",
            Provenance::Missing => "missing",
            Provenance::Narrative => "narrative",
        }
    }
}

/// A parsed number: counts are integers, money is a decimal in 万元.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    /// A count (requests, documents, decisions).
    Int(i64),
    /// An amount (fees, normalised to 万元).
    Dec(f64),
}

impl Number {
    /// The value as a float, for arithmetic and Arrow output.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(v) => v as f64,
            Number::Dec(v) => v,
        }
    }
}

/// One cell of a template table, traced to the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// 2, 3 or 4.
    pub table: TableId,
    /// Canonical row key (table 3) or cell key (tables 2 and 4), from `data/spec/*.csv`.
    pub row: String,
    /// Canonical column key (table 3 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub col: Option<String>,
    /// The parsed value; `None` when the document gives no number.
    pub value: Option<Number>,
    /// The text of the cell as printed (after nothing but trimming).
    pub raw: String,
    /// The unit printed in or next to the cell (`件`, `万元`, `元`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// How the value was obtained.
    pub provenance: Provenance,
    /// 1-based line (or grid row) of the source the cell came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The state of one accounting identity check over all its instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    /// At least one instance held and none failed.
    Ok,
    /// At least one instance failed.
    Failed,
    /// No instance could be evaluated (every one lacks a number): nothing is known.
    #[default]
    Unverified,
}

impl CheckState {
    /// `ok`, `failed` or `unverified`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Ok => "ok",
            CheckState::Failed => "failed",
            CheckState::Unverified => "unverified",
        }
    }

    /// The state of a check from its instance counts: failed when any failed,
    /// ok when some held, unverified when none was evaluated.
    pub fn from_counts(held: u32, failed: u32) -> CheckState {
        if failed > 0 {
            CheckState::Failed
        } else if held > 0 {
            CheckState::Ok
        } else {
            CheckState::Unverified
        }
    }
}

/// The outcome of one accounting identity check (`C1` … `C5`) over its instances
/// (C1 and C3 per column, C2 per row, C4 per block, C5 per cell).
///
/// JSON: `{"id","state","ok","held","failed","unverified","detail"}`; `ok` is
/// written for older readers and is true only when `state` is `ok`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Check {
    /// `C1` … `C5`.
    pub id: String,
    /// Ok, failed or unverified (see [`CheckState::from_counts`]).
    pub state: CheckState,
    /// Instances that hold.
    #[serde(default)]
    pub held: u32,
    /// Instances that fail.
    #[serde(default)]
    pub failed: u32,
    /// Instances that could not be evaluated (a cell without a number).
    #[serde(default)]
    pub unverified: u32,
    /// What was compared, with the numbers.
    pub detail: String,
}

impl Check {
    /// Whether the check was evaluated and held (state `ok`); an unverified
    /// check is not ok.
    pub fn ok(&self) -> bool {
        self.state == CheckState::Ok
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Check", 7)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("state", &self.state)?;
        st.serialize_field("ok", &self.ok())?;
        st.serialize_field("held", &self.held)?;
        st.serialize_field("failed", &self.failed)?;
        st.serialize_field("unverified", &self.unverified)?;
        st.serialize_field("detail", &self.detail)?;
        st.end()
    }
}

/// Which template version the tables follow (detected from labels, not from the year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Template {
    /// Reports for 2019–2020.
    #[serde(rename = "2019")]
    V2019,
    /// Reports for 2021 onward.
    #[serde(rename = "2021")]
    V2021,
}

impl Template {
    /// `"2019"` or `"2021"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Template::V2019 => "2019",
            Template::V2021 => "2021",
        }
    }
}

/// Whether a report covers one agency or a whole jurisdiction (never add the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One agency (a bureau, an office, a sub-district office, a township government).
    Agency,
    /// A whole jurisdiction's aggregate (e.g. 某区 2022 年政府信息公开工作年度报告 of the district).
    Jurisdiction,
    /// Could not be told.
    #[default]
    Unknown,
}

/// What became of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The template tables were found and every template cell was read.
    #[default]
    Parsed,
    /// The template tables were found but some template cells are missing
    /// (see [`Report::completeness`]).
    Partial,
    /// The document is not an OGI annual report (or has no template tables).
    NotAReport,
    /// Scanned pages or no usable text layer: OCR is needed.
    NeedsOcr,
    /// A legacy office format that needs LibreOffice to convert.
    NeedsConversion,
    /// The document could not be read at all, or no template cell was read
    /// from it (see flags/error).
    Failed,
}

impl Status {
    /// The snake_case name used in JSON and Parquet.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Parsed => "parsed",
            Status::Partial => "partial",
            Status::NotAReport => "not_a_report",
            Status::NeedsOcr => "needs_ocr",
            Status::NeedsConversion => "needs_conversion",
            Status::Failed => "failed",
        }
    }
}

/// Table 3 values: row key → column key → value (`None` where no number is given).
pub type Table3 = BTreeMap<String, BTreeMap<String, Option<Number>>>;
/// Table 2 or 4 values: cell key → value.
pub type FlatTable = BTreeMap<String, Option<Number>>;

/// Everything extracted from one document. Serialises to the `ogi parse --format json` contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Report {
    /// Path or URL the document came from.
    pub source: String,
    /// SHA-256 of the document bytes, lowercase hex.
    pub sha256: String,
    /// Extraction status.
    pub status: Status,
    /// Detected document format (`text`, `html`, `pdf`, `docx`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Detected or declared charset, when the format has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// Report title as found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Agency name from the title.
    pub agency: Option<String>,
    /// Reporting year from the title.
    pub year: Option<i32>,
    /// Template version.
    pub template: Option<Template>,
    /// Full region name (province + prefecture + county).
    pub region: Option<String>,
    /// GB/T 2260 code of the region.
    pub region_code: Option<String>,
    /// Agency or jurisdiction report.
    pub scope: Scope,
    /// Table 2 values by key.
    pub table2: FlatTable,
    /// Table 3 values by row and column key.
    pub table3: Table3,
    /// Table 4 values by key.
    pub table4: FlatTable,
    /// Every cell, traced.
    pub cells: Vec<Cell>,
    /// Figures stated in the prose (table `0`, provenance `narrative`), see
    /// [`crate::reader::narrative`]; not part of `cells` or the table maps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub narrative: Vec<Cell>,
    /// Results of the accounting identity checks.
    pub checks: Vec<Check>,
    /// Share of the template's cells (tables 2, 3 and 4 of the detected
    /// template) that were read: every cell but the `missing` ones ÷ all
    /// template cells, in 0…1. `None` when no template was detected (no table 3).
    #[serde(default)]
    pub completeness: Option<f64>,
    /// Findings about the document (`short_row:granted`, `truncated`, `region_ambiguous`, …).
    pub flags: Vec<String>,
    /// Crawl portal the document was found on (set by the pipeline, not by the parser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_id: Option<String>,
    /// When the document was fetched, RFC 3339 (set by the pipeline, not by the parser).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// The date of issue the document prints (`YYYY-MM-DD`, see [`crate::issued`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
}

#[cfg(test)]
impl Report {
    /// A parsed 2022 agency report of 二七区人民政府办公室 (郑州市二七区),
    /// tables empty: the identity the unit tests' sample reports start from.
    pub(crate) fn erqi_2022(source: &str, sha256: String) -> Report {
        Report {
            source: source.into(),
            sha256,
            status: Status::Parsed,
            agency: Some("二七区人民政府办公室".into()),
            year: Some(2022),
            template: Some(Template::V2021),
            region: Some("河南省郑州市二七区".into()),
            region_code: Some("410103".into()),
            scope: Scope::Agency,
            ..Report::default()
        }
    }
}
