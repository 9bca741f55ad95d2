//! The real-document corpus: every gold cell of every real report, read through
//! the library exactly as `ogi parse --format json` reads it.
//!
//! Gold files live in `tests/realdocs/gold/*.json` (keys of the JSON contract;
//! a `null` is a blank source cell). The documents are looked up by the gold's
//! `file` name in `$OGI_REALDOCS_DIR` when it is set, else in `tests/realdocs/`
//! and then in the shared corpus beside the repository (`../shared/realdocs`, or
//! the nearest `shared/realdocs` of a parent directory).
//! Matching follows `shared/tools/realdocs_check.py`: numbers equal within
//! 1e-9, a gold `null` matches a missing or `null` value, and the agency matches
//! when equal or when the gold name (without a final `（…）` alias) ends with the
//! printed one of at least six characters.
//!
//! `tests/realdocs/known_gaps.tsv` (`file`, `right`, `total`) holds today's figure
//! of every document not yet at 100 %. The test fails when a document reads fewer
//! cells than its known figure, when a document without a line is below 100 %,
//! when a document is missing, or when a line no longer matches its gold.

#[path = "shared/gold.rs"]
mod gold;

use gold::{compare, same, strip_alias};
use ogi_extract::{ParseOptions, parse_bytes, render};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The corpus directory in this crate (gold, index, known gaps).
fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/realdocs")
}

/// Directories searched for a document, in order: `$OGI_REALDOCS_DIR` alone when
/// set, else this crate's corpus directory and the nearest `shared/realdocs` beside
/// the workspace or one of its parents (the main checkout and worktrees differ in depth).
fn document_dirs() -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os("OGI_REALDOCS_DIR") {
        return vec![PathBuf::from(dir)];
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace");
    let shared = workspace
        .ancestors()
        .skip(1)
        .map(|a| a.join("shared/realdocs"))
        .find(|d| d.is_dir());
    std::iter::once(corpus_dir()).chain(shared).collect()
}

/// A known figure: cells right and cells in the gold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figure {
    right: usize,
    total: usize,
}

/// Reads `known_gaps.tsv` (header line, `#` comments and blank lines skipped).
fn known_gaps(path: &Path) -> BTreeMap<String, Figure> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut gaps = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('\t').collect();
        let parse = |s: &str| {
            s.trim()
                .parse::<usize>()
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        };
        assert_eq!(
            parts.len(),
            3,
            "{}:{}: want file, right, total",
            path.display(),
            i + 1
        );
        let figure = Figure {
            right: parse(parts[1]),
            total: parse(parts[2]),
        };
        assert!(
            gaps.insert(parts[0].to_string(), figure).is_none(),
            "{}: {} listed twice",
            path.display(),
            parts[0]
        );
    }
    gaps
}

/// Every gold file, sorted by name.
fn gold_files() -> Vec<(String, Value)> {
    let dir = corpus_dir().join("gold");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            let gold: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let file = gold["file"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: no \"file\"", p.display()))
                .to_string();
            (file, gold)
        })
        .collect()
}

/// Parses one document as `ogi parse --format json` does and returns its JSON.
fn parse_document(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let source = path.display().to_string();
    let opts = ParseOptions {
        file_name: Some(source.clone()),
        ..ParseOptions::default()
    };
    let report = parse_bytes(&source, &bytes, &opts);
    serde_json::from_str(&render::to_json(&report)).expect("the JSON of a report parses")
}

#[test]
fn real_documents_keep_their_known_accuracy() {
    let dirs = document_dirs();
    let gaps = known_gaps(&corpus_dir().join("known_gaps.tsv"));
    let golds = gold_files();
    assert!(!golds.is_empty(), "no gold files");
    let mut table = String::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let (mut right_all, mut total_all) = (0usize, 0usize);
    for (file, gold) in &golds {
        let Some(path) = dirs.iter().map(|d| d.join(file)).find(|p| p.is_file()) else {
            problems.push(format!("{file}: document not found in {dirs:?}"));
            continue;
        };
        let out = parse_document(&path);
        let cells = compare(gold, &out);
        let figure = Figure {
            right: cells.iter().filter(|c| c.right()).count(),
            total: cells.len(),
        };
        right_all += figure.right;
        total_all += figure.total;
        let misses: Vec<String> = cells
            .iter()
            .filter(|c| !c.right())
            .take(3)
            .map(|c| format!("{}: want {} got {}", c.name, c.want, c.got))
            .collect();
        let _ = writeln!(
            table,
            "{:5}/{:5} {:7.2}%  {:<32} {:<13} {}",
            figure.right,
            figure.total,
            100.0 * figure.right as f64 / figure.total.max(1) as f64,
            file,
            out["status"].as_str().unwrap_or("-"),
            misses.join("; ")
        );
        match gaps.get(file) {
            Some(known) if known.total != figure.total => problems.push(format!(
                "{file}: known_gaps.tsv says {} gold cells, the gold has {}: update the line",
                known.total, figure.total
            )),
            Some(known) if figure.right < known.right => problems.push(format!(
                "{file}: {} of {} cells right, fewer than the known {}",
                figure.right, figure.total, known.right
            )),
            Some(known) if figure.right > known.right => notes.push(format!(
                "{file}: {} of {} right, better than the known {}: raise (or drop) its line",
                figure.right, figure.total, known.right
            )),
            Some(_) => {}
            None if figure.right < figure.total => problems.push(format!(
                "{file}: {} of {} cells right and no known_gaps.tsv line",
                figure.right, figure.total
            )),
            None => {}
        }
    }
    for file in gaps.keys() {
        if !golds.iter().any(|(f, _)| f == file) {
            problems.push(format!("{file}: in known_gaps.tsv but has no gold file"));
        }
    }
    println!("{table}real documents: {right_all}/{total_all} cells");
    for note in &notes {
        println!("note: {note}");
    }
    assert!(problems.is_empty(), "{table}\n{}", problems.join("\n"));
}

#[test]
fn matching_follows_the_shared_checker() {
    use serde_json::json;
    assert!(same("table2.x", &json!(96171.6), &json!(96171.6000000001)));
    assert!(!same("table2.x", &json!(1), &json!(2)));
    assert!(same("table3.a.b", &Value::Null, &Value::Null));
    assert!(!same("table3.a.b", &Value::Null, &json!(0)));
    assert!(!same("table3.a.b", &json!(0), &Value::Null));
    let gold = json!("平潭综合实验区（管委会）");
    assert!(same("agency", &gold, &json!("平潭综合实验区")));
    assert!(same(
        "agency",
        &json!("淮安市洪泽区人民政府"),
        &json!("洪泽区人民政府")
    ));
    assert!(!same(
        "agency",
        &json!("淮安市洪泽区人民政府"),
        &json!("人民政府")
    ));
    assert!(!same("agency", &json!("淮安市人民政府"), &json!("淮安市")));
    assert_eq!(strip_alias("上海市人民政府办公厅"), "上海市人民政府办公厅");
}
