//! A province-scale synthetic corpus (`ogi synth --agencies`) through the
//! pipeline's files — `ogi import`, `ogi extract`, `ogi analyze`, `ogi export
//! csv` — gives a balanced panel: one row per agency-year whatever the title
//! forms, one `agency_id` per agency across name variants and years, the
//! revised document kept (newest date of issue), missing years missing, and
//! the same choice whatever the order and time the documents came in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn ogi(args: &[&str]) -> String {
    ogi_testkit::cli::run_ok(env!("CARGO_BIN_EXE_ogi"), Path::new(ROOT), args)
}

/// Rows of a CSV file as header → value maps.
fn read_csv(p: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// import → extract → analyze once per batch (later batches: incremental
/// runs, as nightly runs that find more documents), then the panel and
/// agencies CSVs (English keys and values).
fn pipeline(out: &Path, imports: &[Vec<PathBuf>]) -> (Vec<BTreeMap<String, String>>, usize) {
    for (i, batch) in imports.iter().enumerate() {
        if i > 0 {
            // Later imports carry a later import time (whole seconds).
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let mut args = vec!["import", "--out", s(out)];
        args.extend(batch.iter().map(|p| s(p)));
        ogi(&args);
        ogi(&["extract", "--out", s(out)]);
        ogi(&["analyze", "--out", s(out)]);
    }
    let panel = out.join("panel.csv");
    let agencies = out.join("agencies.csv");
    for (d, dest) in [("panel", &panel), ("agencies", &agencies)] {
        ogi(&[
            "export",
            "csv",
            "--out",
            s(out),
            "--dataset",
            d,
            "--lang",
            "en",
            "--dest",
            s(dest),
        ]);
    }
    (read_csv(&panel), read_csv(&agencies).len())
}

#[test]
fn a_synthetic_province_gives_one_panel_row_per_agency_year() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    ogi(&[
        "synth",
        "--out",
        s(&docs),
        "--agencies",
        "200",
        "--provinces",
        "1",
        "--years",
        "2019-2024",
        "--seed",
        "11",
        "--republished-percent",
        "8",
        "--revised-percent",
        "6",
        "--inconsistent-percent",
        "3",
    ]);
    let manifest = read_csv(&docs.join("manifest.csv"));
    let truth = read_csv(&docs.join("agencies.csv"));
    assert_eq!(truth.len(), 200);
    let by_sha: BTreeMap<&str, &BTreeMap<String, String>> =
        manifest.iter().map(|r| (r["sha256"].as_str(), r)).collect();
    // The truth: agency-years with a document, and their distinct documents
    // (a copy re-published in the same layout and form is the same file).
    let mut expected: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for r in &manifest {
        expected
            .entry((r["truth_agency"].clone(), r["year"].clone()))
            .or_default()
            .insert(r["sha256"].clone());
    }
    let forms_per_agency: BTreeMap<&str, BTreeSet<&str>> =
        manifest.iter().fold(BTreeMap::new(), |mut m, r| {
            m.entry(r["truth_agency"].as_str())
                .or_default()
                .insert(r["name_form"].as_str());
            m
        });
    assert!(
        forms_per_agency.values().filter(|f| f.len() >= 2).count() > 100,
        "most agencies report under several title forms"
    );
    for role in ["republished", "revised"] {
        assert!(manifest.iter().any(|r| r["role"] == role), "{role}");
    }

    let out = tmp.path().join("out");
    let (panel, n_agencies) = pipeline(&out, &[vec![docs.clone()]]);

    // One row per agency-year that has a document, and none for a missing year.
    let mut seen: BTreeMap<(String, String), &BTreeMap<String, String>> = BTreeMap::new();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut truths: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in &panel {
        let doc = by_sha
            .get(row["report_id"].as_str())
            .unwrap_or_else(|| panic!("panel row from an unknown document {}", row["report_id"]));
        assert_eq!(row["year"], doc["year"]);
        let key = (doc["truth_agency"].clone(), doc["year"].clone());
        assert!(
            seen.insert(key.clone(), row).is_none(),
            "two panel rows for {key:?}"
        );
        ids.entry(doc["truth_agency"].clone())
            .or_default()
            .insert(row["agency_id"].clone());
        truths
            .entry(row["agency_id"].clone())
            .or_default()
            .insert(doc["truth_agency"].clone());
        // The kept document is the one the rule must keep (the revised version
        // when there is one), and its numbers are the ones printed.
        assert_eq!(doc["keep"], "true", "{key:?} kept the {} copy", doc["role"]);
        if !doc["new_received"].is_empty() {
            assert_eq!(row["new_received"], doc["new_received"], "{key:?}");
        }
    }
    assert_eq!(
        seen.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "panel agency-years = the agency-years with a document"
    );
    for t in &truth {
        for y in t["missing_years"].split(';').filter(|y| !y.is_empty()) {
            assert!(!seen.contains_key(&(t["truth_agency"].clone(), y.to_string())));
        }
    }
    // One id per agency whatever its title forms, and one agency per id.
    for (agency, set) in &ids {
        assert_eq!(set.len(), 1, "{agency} has ids {set:?}");
    }
    for (id, set) in &truths {
        assert_eq!(set.len(), 1, "{id} merges {set:?}");
    }
    assert_eq!(
        n_agencies,
        truth.len(),
        "agencies dataset: one row per agency"
    );
    // Agency-years with several documents say so.
    for (key, shas) in &expected {
        assert_eq!(seen[key]["n_documents"], shas.len().to_string(), "{key:?}");
    }

    // The same documents imported in another order, revised and re-published
    // copies first (so they carry the older import time), each batch analysed
    // (the second run incremental): the same choice.
    let (late, early): (Vec<_>, Vec<_>) = manifest.iter().partition(|r| r["role"] == "original");
    let early: Vec<PathBuf> = early.iter().map(|r| docs.join(&r["file"])).collect();
    let late: Vec<PathBuf> = late.iter().map(|r| docs.join(&r["file"])).collect();
    let (again, _) = pipeline(&tmp.path().join("out2"), &[early, late]);
    let pick = |p: &[BTreeMap<String, String>]| -> BTreeSet<(String, String, String)> {
        p.iter()
            .map(|r| {
                (
                    r["agency_id"].clone(),
                    r["year"].clone(),
                    r["report_id"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(pick(&panel), pick(&again));
}
