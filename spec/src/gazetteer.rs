//! China's administrative divisions: `data/gazetteer/divisions.csv`
//! (`code,name,level,parent`; see `data/README.md` for its source and
//! conventions), embedded once. [`bundled`] parses it at first use;
//! [`parse`] reads another file of the same shape (e.g. a newer edition
//! configured by an operator).

use crate::csvtable::header_index;
use std::sync::LazyLock;

/// The bundled gazetteer CSV.
pub const DIVISIONS_CSV: &str = include_str!("../../data/gazetteer/divisions.csv");

/// Level of an administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 省级: province, autonomous region, municipality (`410000`).
    Province,
    /// 地级: prefecture-level city, prefecture, league, autonomous prefecture (`410100`).
    Prefecture,
    /// 县级: district, county, county-level city, banner (`410103`).
    County,
    /// 乡级: sub-district (街道), town (镇), township (乡) (nine-digit code).
    Township,
}

impl Level {
    /// The name used in the gazetteer CSV: `province`, `prefecture`, `county`, `township`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Prefecture => "prefecture",
            Level::County => "county",
            Level::Township => "township",
        }
    }

    /// The key of an agency's level in the datasets (`agency_level`): `province`,
    /// `prefecture`, `county`, and `township_street` for the township level
    /// (towns, townships and sub-districts alike).
    pub fn dataset_key(self) -> &'static str {
        match self {
            Level::Township => "township_street",
            other => other.as_str(),
        }
    }

    /// The level named by a CSV field, if it is one of the four.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim() {
            "province" => Some(Level::Province),
            "prefecture" => Some(Level::Prefecture),
            "county" => Some(Level::County),
            "township" => Some(Level::Township),
            _ => None,
        }
    }
}

/// One row of the gazetteer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DivisionRow {
    /// GB/T 2260 code (six digits), or the nine-digit statistical code of a township.
    pub code: String,
    /// Official name with its suffix (`二七区`).
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Code of the division it belongs to (`""` for provinces).
    pub parent: String,
}

/// Why a gazetteer text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GazetteerError {
    /// The header lacks a column.
    MissingColumn(&'static str),
    /// A record is not valid CSV or lacks a field (1-based record number).
    BadRecord(usize),
    /// A record's level is not one of the four (1-based record number, the level).
    BadLevel(usize, String),
}

impl std::fmt::Display for GazetteerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GazetteerError::MissingColumn(c) => write!(f, "no column {c:?}"),
            GazetteerError::BadRecord(n) => write!(f, "record {n} is not code,name,level,parent"),
            GazetteerError::BadLevel(n, l) => write!(
                f,
                "record {n}: level {l:?} is not province, prefecture, county or township"
            ),
        }
    }
}

impl std::error::Error for GazetteerError {}

/// Reads a gazetteer CSV with the header `code,name,level,parent` (in any
/// order, other columns ignored). Fields are trimmed.
pub fn parse(text: &str) -> Result<Vec<DivisionRow>, GazetteerError> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr
        .headers()
        .map(header_index)
        .map_err(|_| GazetteerError::BadRecord(0))?;
    let col = |name: &'static str| {
        header
            .get(name)
            .copied()
            .ok_or(GazetteerError::MissingColumn(name))
    };
    let (ci, ni, li, pi) = (col("code")?, col("name")?, col("level")?, col("parent")?);
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|_| GazetteerError::BadRecord(i + 1))?;
        let field = |j: usize| {
            rec.get(j)
                .map(|s| s.trim().to_string())
                .ok_or(GazetteerError::BadRecord(i + 1))
        };
        let level = field(li)?;
        rows.push(DivisionRow {
            code: field(ci)?,
            name: field(ni)?,
            level: Level::parse(&level).ok_or(GazetteerError::BadLevel(i + 1, level))?,
            parent: field(pi)?,
        });
    }
    Ok(rows)
}

static BUNDLED: LazyLock<Vec<DivisionRow>> =
    LazyLock::new(|| parse(DIVISIONS_CSV).unwrap_or_default());

/// The bundled gazetteer's rows, in file order (parsed at first use; the
/// tests check that every row parses).
pub fn bundled() -> &'static [DivisionRow] {
    &BUNDLED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_gazetteer_parses_every_row() {
        let rows = parse(DIVISIONS_CSV).expect("the bundled gazetteer parses");
        assert_eq!(rows.len(), DIVISIONS_CSV.lines().count() - 1);
        assert_eq!(bundled().len(), rows.len());
        assert!(rows.len() > 40_000);
        let henan = rows.iter().find(|r| r.code == "410000").expect("河南省");
        assert_eq!(
            (henan.name.as_str(), henan.level),
            ("河南省", Level::Province)
        );
        assert!(henan.parent.is_empty());
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert_eq!(
            parse("code,name,level\n1,a,county\n"),
            Err(GazetteerError::MissingColumn("parent"))
        );
        assert_eq!(
            parse("code,name,level,parent\n1,a,city,\n"),
            Err(GazetteerError::BadLevel(1, "city".into()))
        );
        let ok = parse("\u{feff}name,code,parent,level\n二七区,410103,410100,county\n").unwrap();
        assert_eq!(ok[0].code, "410103");
        assert_eq!(ok[0].level, Level::County);
    }
}
