//! "What changed since the last run": new agency-years and revised figures,
//! computed by comparing this run's reports with what `OUT/extract` held before.

use super::parts::{f64_col, i32_col, list, opt_str, read_batches, str_col};
use super::{cells_dir, reports_dir};
use arrow::array::Array;
use ogi_extract::{Report, Status};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Agency-year key: (region code, agency, year).
pub type AgencyYear = (String, String, i32);

/// One figure whose value differs between the old and the new document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureChange {
    /// `table3.granted.total`-style cell address.
    pub cell: String,
    /// Value before (None: no number).
    pub old: Option<f64>,
    /// Value now.
    pub new: Option<f64>,
}

/// A revised agency-year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Revision {
    /// Agency name.
    pub agency: String,
    /// Reporting year.
    pub year: i32,
    /// GB/T 2260 code ("" when unresolved).
    pub region_code: String,
    /// Report id of the earlier document.
    pub old_report: String,
    /// Report id of the new document.
    pub new_report: String,
    /// Figures that differ.
    pub figures: Vec<FigureChange>,
}

/// The change summary of one run.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Changes {
    /// Agency-years seen for the first time, as "agency year (code)".
    pub new_agency_years: Vec<String>,
    /// Agency-years whose figures changed.
    pub revised: Vec<Revision>,
    /// Agency-years re-published with identical figures.
    pub republished_unchanged: Vec<String>,
}

impl Changes {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.new_agency_years.is_empty()
            && self.revised.is_empty()
            && self.republished_unchanged.is_empty()
    }
}

/// The cell values of one report, by address.
type Figures = BTreeMap<String, Option<f64>>;

fn address(table: i32, row: &str, col: Option<&str>) -> String {
    match col {
        Some(c) => format!("table{table}.{row}.{c}"),
        None => format!("table{table}.{row}"),
    }
}

/// The agency-year a parsed report speaks for.
fn agency_year(r: &Report) -> Option<AgencyYear> {
    let agency = r.agency.clone().filter(|_| r.status == Status::Parsed)?;
    Some((r.region_code.clone().unwrap_or_default(), agency, r.year?))
}

/// For the agency-years in `keys` only: the latest earlier parsed report and its
/// figures, read from the parts while ignoring the reports in `exclude`. Cells
/// are read only when some key has an earlier report.
fn previous_state(
    out: &Path,
    keys: &BTreeSet<AgencyYear>,
    exclude: &BTreeSet<String>,
) -> anyhow::Result<BTreeMap<AgencyYear, (String, Figures)>> {
    let mut latest: BTreeMap<AgencyYear, String> = BTreeMap::new();
    for (_, path) in list(&reports_dir(out))? {
        for b in read_batches(&path)? {
            let ids = str_col(&b, "report_id")?;
            let status = str_col(&b, "status")?;
            let agency = str_col(&b, "agency")?;
            let code = str_col(&b, "region_code")?;
            let year = i32_col(&b, "year")?;
            for i in 0..b.num_rows() {
                if exclude.contains(ids.value(i)) || status.value(i) != Status::Parsed.as_str() {
                    continue;
                }
                let (Some(a), false) = (opt_str(agency, i), year.is_null(i)) else {
                    continue;
                };
                let key = (opt_str(code, i).unwrap_or_default(), a, year.value(i));
                if keys.contains(&key) {
                    latest.insert(key, ids.value(i).to_string());
                }
            }
        }
    }
    let mut figures: BTreeMap<String, Figures> = BTreeMap::new();
    let wanted: BTreeSet<&str> = latest.values().map(String::as_str).collect();
    let cell_parts = if wanted.is_empty() {
        Vec::new()
    } else {
        list(&cells_dir(out))?
    };
    for (_, path) in cell_parts {
        for b in read_batches(&path)? {
            let ids = str_col(&b, "report_id")?;
            let rows = str_col(&b, "row")?;
            let cols = str_col(&b, "col")?;
            let tables = i32_col(&b, "table")?;
            let values = f64_col(&b, "value")?;
            for i in 0..b.num_rows() {
                let id = ids.value(i);
                if !wanted.contains(id) {
                    continue;
                }
                let col = (!cols.is_null(i)).then(|| cols.value(i));
                let v = (!values.is_null(i)).then(|| values.value(i));
                figures
                    .entry(id.to_string())
                    .or_default()
                    .insert(address(tables.value(i), rows.value(i), col), v);
            }
        }
    }
    Ok(latest
        .into_iter()
        .map(|(k, id)| {
            let f = figures.remove(&id).unwrap_or_default();
            (k, (id, f))
        })
        .collect())
}

fn figures_of(r: &Report) -> Figures {
    r.cells
        .iter()
        .chain(&r.narrative)
        .map(|c| {
            (
                address(u8::from(c.table).into(), &c.row, c.col.as_deref()),
                c.value.map(|v| v.as_f64()),
            )
        })
        .collect()
}

/// Compares this run's new reports with the state of `OUT/extract` before them.
pub fn compute(out: &Path, new_reports: &[Report]) -> anyhow::Result<Changes> {
    let new_ids: BTreeSet<String> = new_reports.iter().map(|r| r.sha256.clone()).collect();
    let keys: BTreeSet<AgencyYear> = new_reports.iter().filter_map(agency_year).collect();
    if keys.is_empty() {
        return Ok(Changes::default());
    }
    let before = previous_state(out, &keys, &new_ids)?;
    let mut changes = Changes::default();
    let mut seen = BTreeSet::new();
    for r in new_reports {
        let Some(key) = agency_year(r) else { continue };
        if !seen.insert(key.clone()) {
            continue;
        }
        let (agency, year) = (key.1.clone(), key.2);
        let label = format!(
            "{agency} {year} ({})",
            if key.0.is_empty() { "?" } else { &key.0 }
        );
        match before.get(&key) {
            None => changes.new_agency_years.push(label),
            Some((old_id, old)) => {
                let new = figures_of(r);
                let addrs: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
                let figures: Vec<FigureChange> = addrs
                    .into_iter()
                    .filter_map(|a| {
                        let (o, n) = (old.get(a).copied().flatten(), new.get(a).copied().flatten());
                        (o != n).then(|| FigureChange {
                            cell: a.clone(),
                            old: o,
                            new: n,
                        })
                    })
                    .collect();
                if figures.is_empty() {
                    changes.republished_unchanged.push(label);
                } else {
                    changes.revised.push(Revision {
                        agency,
                        year,
                        region_code: key.0.clone(),
                        old_report: old_id.clone(),
                        new_report: r.sha256.clone(),
                        figures,
                    });
                }
            }
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::super::extract_stage::{
        self,
        tests::{seed, stored},
    };
    use super::*;

    #[test]
    fn new_revised_and_unchanged_agency_years() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let original = seed("003");
        let (_, first) =
            extract_stage::run(&out, &[stored(tmp.path(), "a", &original)], 1, false).unwrap();
        let ch = compute(&out, &first).unwrap();
        assert_eq!(ch.new_agency_years.len(), 1, "{ch:?}");
        assert!(ch.revised.is_empty());

        // The same figures in a different document (trailing note): republished, not revised.
        let mut same = original.clone();
        same.extend_from_slice("\n附：本报告已更正错别字。\n".as_bytes());
        let (_, second) =
            extract_stage::run(&out, &[stored(tmp.path(), "b", &same)], 1, false).unwrap();
        let ch = compute(&out, &second).unwrap();
        assert_eq!(ch.republished_unchanged.len(), 1, "{ch:?}");
        assert!(ch.revised.is_empty() && ch.new_agency_years.is_empty());

        // One figure changed: table 4's fifteen-value row gets a 9 in front.
        let text = String::from_utf8(original).unwrap();
        let at = text.rfind("行政复议").unwrap();
        let zero = at
            + text[at..]
                .find(" 0")
                .or_else(|| text[at..].find("\t0"))
                .unwrap()
            + 1;
        let mut edited = text.clone();
        edited.replace_range(zero..zero + 1, "9");
        let (_, third) = extract_stage::run(
            &out,
            &[stored(tmp.path(), "c", edited.as_bytes())],
            1,
            false,
        )
        .unwrap();
        let ch = compute(&out, &third).unwrap();
        assert_eq!(ch.revised.len(), 1, "{ch:?}");
        let r = &ch.revised[0];
        assert_eq!((r.agency.as_str(), r.year), ("二七区人民政府办公室", 2022));
        assert!(
            r.figures.iter().any(|f| f.new == Some(9.0)),
            "{:?}",
            r.figures
        );
    }
}
