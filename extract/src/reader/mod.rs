//! The layout-tolerant table reader: lines → tokens → parts 二/三/四 → slots.
//!
//! Works on text lines (cells split at tabs or pipes, whitespace-separated
//! tokens inside a cell) and on grid rows (HTML/DOCX tables with spans
//! expanded) alike: each line becomes a sequence of label and value tokens
//! ([`tokens`]), the parts are located by their headings ([`sections`]), and
//! each table has its own reader ([`table2`], [`table3`], [`table4`]).

pub mod align;
pub mod flat;
pub mod narrative;
pub mod sections;
pub mod split;
pub mod table2;
pub mod table3;
pub mod table4;
pub mod tokens;

use crate::value::CellValue;
use crate::{Number, Provenance};

/// One cell of a template table as read (or not read) from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    /// The value, `None` when no number was given or recovered.
    pub value: Option<Number>,
    /// The printed text.
    pub raw: String,
    /// The printed unit, if any.
    pub unit: Option<String>,
    /// How the value was obtained.
    pub provenance: Provenance,
    /// Source line.
    pub line: Option<u32>,
}

impl Slot {
    /// A cell the layout lost.
    pub fn missing() -> Slot {
        Slot {
            value: None,
            raw: String::new(),
            unit: None,
            provenance: Provenance::Missing,
            line: None,
        }
    }

    /// A cell read from a value token.
    pub fn from_value(v: &CellValue, raw: &str, line: u32) -> Slot {
        Slot {
            value: v.value,
            raw: raw.trim().to_string(),
            unit: v.unit.clone(),
            provenance: v.provenance,
            line: Some(line),
        }
    }

    /// A cell read from a value token or an empty grid cell (blank).
    pub fn from_tok(t: &tokens::Tok, line: u32) -> Slot {
        match &t.kind {
            tokens::Kind::Value(cv) => Slot::from_value(cv, &t.raw, line),
            _ => Slot {
                provenance: Provenance::Blank,
                line: Some(line),
                ..Slot::missing()
            },
        }
    }

    /// Whether the value still has to be found.
    pub fn is_missing(&self) -> bool {
        self.provenance == Provenance::Missing
    }
}
