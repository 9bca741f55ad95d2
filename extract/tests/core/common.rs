//! Helpers shared by the core tests.

use ogi_extract::{Report, lines_from_text, parse_lines};
use std::path::PathBuf;

/// Parses a text document.
pub fn parse(text: &str) -> Report {
    parse_lines(&lines_from_text(text))
}

/// The seed fixtures directory.
pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds")
}

/// Every seed: (name, text, gold JSON).
pub fn seeds() -> Vec<(String, String, serde_json::Value)> {
    let dir = seeds_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("seeds dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).expect("seed text");
            let gold_path = dir.join("gold").join(n.replace(".txt", ".json"));
            let gold = serde_json::from_str(&std::fs::read_to_string(gold_path).expect("gold"))
                .expect("gold json");
            (n, text, gold)
        })
        .collect()
}

/// Whether every C check passes.
pub fn checks_ok(r: &Report) -> bool {
    r.checks.iter().all(|c| c.ok())
}
