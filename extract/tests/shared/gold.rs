//! Gold comparison shared by the real-document corpus (`realdocs.rs`) and the
//! scanned reports (`formats/scans.rs`): the rules of
//! `shared/tools/realdocs_check.py`.

use serde_json::Value;

/// One gold cell: its name, the gold value and the parsed value.
pub struct CellCmp {
    /// `agency`, `year`, `table2.<key>`, `table3.<row>.<col>`, `table4.<key>`.
    pub name: String,
    /// The gold value (`null`: a blank source cell).
    pub want: Value,
    /// The parsed value (`null` when missing).
    pub got: Value,
}

impl CellCmp {
    /// Whether the parsed value matches the gold.
    pub fn right(&self) -> bool {
        same(&self.name, &self.want, &self.got)
    }
}

/// The agency without a final bracketed alias (`平潭综合实验区（管委会）` → `平潭综合实验区`).
pub fn strip_alias(name: &str) -> &str {
    let trimmed = name.trim_end_matches([')', '）']);
    if trimmed.len() == name.len() {
        return name;
    }
    match trimmed.rfind(['(', '（']) {
        Some(open) => &name[..open],
        None => name,
    }
}

/// Whether a parsed value matches its gold value (the rules of `realdocs_check.py`).
pub fn same(name: &str, want: &Value, got: &Value) -> bool {
    if want == got {
        return true;
    }
    if let (Some(w), Some(g)) = (want.as_f64(), got.as_f64()) {
        return (w - g).abs() < 1e-9;
    }
    if name == "agency"
        && let (Some(w), Some(g)) = (want.as_str(), got.as_str())
    {
        let w = strip_alias(w);
        return g == w || (g.chars().count() >= 6 && w.ends_with(g));
    }
    false
}

/// Every gold cell of a document, paired with the parsed value.
pub fn compare(gold: &Value, out: &Value) -> Vec<CellCmp> {
    let field = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let mut cells = Vec::new();
    for key in ["agency", "year"] {
        cells.push(CellCmp {
            name: key.to_string(),
            want: field(gold, key),
            got: field(out, key),
        });
    }
    for table in ["table2", "table4"] {
        for (key, want) in gold[table].as_object().into_iter().flatten() {
            cells.push(CellCmp {
                name: format!("{table}.{key}"),
                want: want.clone(),
                got: field(&out[table], key),
            });
        }
    }
    for (row, cols) in gold["table3"].as_object().into_iter().flatten() {
        for (col, want) in cols.as_object().into_iter().flatten() {
            cells.push(CellCmp {
                name: format!("table3.{row}.{col}"),
                want: want.clone(),
                got: field(&out["table3"][row], col),
            });
        }
    }
    cells
}
