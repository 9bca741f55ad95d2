//! The shipped seed list imports: every row becomes a valid entry or a named
//! error, region codes are checked against the bundled gazetteer, and the
//! shipped registry files under `data/portals/` are exactly what an import writes.

use ogi_crawler::registry_import::{self, Division};
use std::collections::HashMap;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// code → (name, full name from the province down), read from divisions.csv.
fn gazetteer() -> HashMap<String, Division> {
    let text = std::fs::read_to_string(repo().join("data/gazetteer/divisions.csv")).unwrap();
    let mut rows: HashMap<String, (String, String)> = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        rows.insert(f[0].to_string(), (f[1].to_string(), f[3].to_string()));
    }
    let full = |code: &str| {
        let mut names = Vec::new();
        let mut c = code.to_string();
        while let Some((name, parent)) = rows.get(&c) {
            names.push(name.clone());
            c = parent.clone();
        }
        names.reverse();
        names.concat()
    };
    rows.iter()
        .filter(|(c, _)| c.len() == 6)
        .map(|(c, (n, _))| (c.clone(), (n.clone(), full(c))))
        .collect()
}

#[test]
fn seed_list_imports_row_by_row() {
    let csv = std::fs::read_to_string(repo().join("data/seeds/portals-seed.csv")).unwrap();
    let g = gazetteer();
    let imp = registry_import::import(&csv, &|c| g.get(c).cloned());
    let data_rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
    assert_eq!(imp.rows, data_rows);
    assert_eq!(
        imp.entries() + imp.errors.len(),
        imp.rows,
        "every row is an entry or an error"
    );
    assert!(
        imp.entries() * 100 >= imp.rows * 98,
        "{} of {} rows imported",
        imp.entries(),
        imp.rows
    );
    for e in &imp.errors {
        assert!(!e.reason.is_empty() && e.line >= 2, "{e:?}");
    }
    for p in imp.files.values().flatten() {
        p.validate().unwrap_or_else(|e| panic!("{}: {e:#}", p.id));
        if !p.region_code.is_empty() {
            assert!(
                g.contains_key(&p.region_code),
                "{}: kept code {} is in the gazetteer",
                p.id,
                p.region_code
            );
        }
    }
    for m in &imp.mismatches {
        assert!(!m.gazetteer.is_empty());
    }
    // The shipped registry is this import, file for file.
    let dir = tempfile::tempdir().unwrap();
    let written = registry_import::write(dir.path(), &imp, "portals-seed.csv").unwrap();
    for w in &written {
        let name = w.file_name().unwrap();
        let shipped = std::fs::read_to_string(repo().join("data/portals").join(name))
            .unwrap_or_else(|_| panic!("data/portals/{} shipped", name.to_string_lossy()));
        assert_eq!(
            std::fs::read_to_string(w).unwrap(),
            shipped,
            "{} is stale: rerun `ogi portals import data/seeds/portals-seed.csv`",
            name.to_string_lossy()
        );
    }
    let loaded =
        ogi_crawler::load_portals(&repo().join("data/portals")).expect("shipped registry loads");
    assert_eq!(loaded.len(), imp.entries());
}
