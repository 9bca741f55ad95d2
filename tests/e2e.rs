//! End to end: `ogi demo` against the bundled sample portal, run three times —
//! a first run, an unchanged rerun, and a rerun after one report was edited.

use arrow::array::{Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn demo(out: &Path, portal: &Path) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_ogi"))
        .current_dir(ROOT)
        .args(["demo", "--out"])
        .arg(out)
        .arg("--portal-root")
        .arg(portal)
        .output()
        .expect("ogi runs");
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.code().is_some(), "ogi demo was killed: {stderr}");
    (
        o.status.code().unwrap(),
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

fn latest_run(out: &Path) -> Value {
    let mut runs: Vec<PathBuf> = std::fs::read_dir(out.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    runs.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    serde_json::from_slice(&std::fs::read(runs.last().unwrap()).unwrap()).unwrap()
}

/// Every Parquet file below `dir`, sorted.
fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    ogi_testkit::fs::files_under(dir, &mut files).unwrap();
    files.retain(|p| p.extension().is_some_and(|e| e == "parquet"));
    files
}

/// Every batch of a hive-partitioned dataset, with the `year=` of its partition.
fn batches(dir: &Path) -> Vec<(Option<i64>, RecordBatch)> {
    parquet_files(dir)
        .iter()
        .flat_map(|f| {
            let year = f
                .parent()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix("year="))
                .and_then(|y| y.parse().ok());
            let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(f).unwrap())
                .unwrap()
                .build()
                .unwrap();
            r.map(move |b| (year, b.unwrap())).collect::<Vec<_>>()
        })
        .collect()
}

/// A column as strings, whatever its physical type.
fn text(b: &RecordBatch, name: &str, i: usize) -> Option<String> {
    let c = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("column {name}"));
    if c.is_null(i) {
        return None;
    }
    let any = c.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return Some(a.value(i).to_string());
    }
    if let Some(a) = any.downcast_ref::<arrow::array::StringViewArray>() {
        return Some(a.value(i).to_string());
    }
    if let Some(a) = any.downcast_ref::<arrow::array::LargeStringArray>() {
        return Some(a.value(i).to_string());
    }
    if let Some(a) = any.downcast_ref::<Int64Array>() {
        return Some(a.value(i).to_string());
    }
    if let Some(a) = any.downcast_ref::<Int32Array>() {
        return Some(a.value(i).to_string());
    }
    if let Some(a) = any.downcast_ref::<Float64Array>() {
        return Some(format!("{}", a.value(i)));
    }
    panic!("column {name} has type {:?}", c.data_type())
}

/// (agency, year) → new_received total, from the panel dataset.
fn panel(out: &Path) -> BTreeMap<(String, i64), Option<f64>> {
    let mut m = BTreeMap::new();
    for (year, b) in batches(&out.join("datasets").join("panel")) {
        for i in 0..b.num_rows() {
            let key = (
                text(&b, "agency", i).unwrap(),
                year.expect("panel partitioned by year"),
            );
            let v = text(&b, "new_received", i).map(|s| s.parse::<f64>().unwrap());
            assert!(
                m.insert(key.clone(), v).is_none(),
                "panel has {key:?} twice"
            );
        }
    }
    m
}

fn dataset_bytes(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    parquet_files(&out.join("datasets"))
        .into_iter()
        .map(|f| {
            (
                f.strip_prefix(out).unwrap().to_path_buf(),
                std::fs::read(&f).unwrap(),
            )
        })
        .collect()
}

#[test]
fn demo_then_unchanged_rerun_then_one_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let portal = tmp.path().join("portal");
    ogi_testkit::fs::copy_dir(&Path::new(ROOT).join("data/sample-portal"), &portal).unwrap();
    let out = tmp.path().join("out");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(portal.join("expected.json")).unwrap()).unwrap();

    // 1. First run: every expected report document is found and extracted.
    let (code, log) = demo(&out, &portal);
    assert_eq!(code, 0, "{log}");
    let run = latest_run(&out);
    let docs = expected["documents"].as_array().unwrap();
    assert_eq!(
        run["crawl"]["new_documents"].as_u64().unwrap() as usize,
        docs.len(),
        "{log}"
    );
    let panel1 = panel(&out);
    // Independent expectation: the newest document per agency-year wins, so the
    // panel holds each agency-year of the expected list once.
    let mut want: BTreeMap<(String, i64), BTreeSet<Option<i64>>> = BTreeMap::new();
    for d in docs.iter().filter(|d| !d["new_received_total"].is_null()) {
        want.entry((
            d["agency"].as_str().unwrap().to_string(),
            d["year"].as_i64().unwrap(),
        ))
        .or_default()
        .insert(d["new_received_total"].as_i64());
    }
    assert_eq!(
        panel1.keys().cloned().collect::<BTreeSet<_>>(),
        want.keys().cloned().collect(),
        "{log}"
    );
    for (k, v) in &panel1 {
        let candidates = &want[k];
        assert!(
            candidates.contains(&v.map(|x| x as i64)),
            "{k:?}: panel new_received {v:?} not among the published {candidates:?}"
        );
    }
    assert_eq!(
        run["changes"]["new_agency_years"].as_array().unwrap().len(),
        want.len(),
        "{run}"
    );
    assert!(out.join("exports").join("panel.csv").is_file());
    let before = dataset_bytes(&out);

    // 2. Nothing changed on the portal: no new documents, no changes, same datasets.
    let (code, log) = demo(&out, &portal);
    assert_eq!(code, 0, "{log}");
    let run = latest_run(&out);
    assert_eq!(run["crawl"]["new_documents"], 0, "{run}");
    assert_eq!(run["crawl"]["changed_documents"], 0, "{run}");
    assert_eq!(run["extract"]["extracted"], 0, "{run}");
    assert!(log.contains("no changes since the last run"), "{log}");
    assert_eq!(
        dataset_bytes(&out),
        before,
        "datasets differ after an unchanged rerun"
    );

    // 3. One report edited on the portal: exactly one revised agency-year.
    let target = docs
        .iter()
        .find(|d| d["kind"] == "page" && d["agency"] == "西工区民政局" && d["year"] == 2023)
        .expect("the sample portal has 西工区民政局 2023");
    let url = url_path(target["url"].as_str().unwrap());
    let page = portal.join(&url);
    let bytes = std::fs::read(&page).unwrap();
    let edited = edit_first_review_cell(&bytes);
    std::fs::write(&page, edited).unwrap();
    let (code, log) = demo(&out, &portal);
    assert!(code == 0 || code == 1, "{log}");
    let run = latest_run(&out);
    let revised = run["changes"]["revised"].as_array().unwrap();
    assert_eq!(revised.len(), 1, "{run}");
    assert_eq!(revised[0]["agency"], "西工区民政局");
    assert_eq!(revised[0]["year"], 2023);
    assert!(
        run["changes"]["new_agency_years"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{run}"
    );
}

/// `http://host/a/b.html` → `host/a/b.html` (the sample portal's file layout).
fn url_path(url: &str) -> String {
    url.trim_start_matches("http://").to_string()
}

/// Changes the 15 table-4 values' first `>0<` cell after the table-4 heading to 7,
/// working on GBK or UTF-8 bytes alike (only ASCII is touched).
fn edit_first_review_cell(bytes: &[u8]) -> Vec<u8> {
    // "行政复议" in GBK is D0D0 D5FE B8B4 D2E9; find the last heading of part 四 by
    // the review outcome row: the first ">0<" after the last occurrence of "复议".
    let needle_gbk: &[u8] = &[0xB8, 0xB4, 0xD2, 0xE9];
    let needle_utf8 = "复议".as_bytes();
    let find_last = |n: &[u8]| bytes.windows(n.len()).rposition(|w| w == n);
    let start = find_last(needle_gbk)
        .or_else(|| find_last(needle_utf8))
        .expect("table 4 present");
    let rel = bytes[start..]
        .windows(3)
        .position(|w| w == b">0<")
        .expect("a zero cell after table 4");
    let mut v = bytes.to_vec();
    v[start + rel + 1] = b'7';
    v
}

fn ogi(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ogi"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("ogi runs")
}

/// `ogi parse` JSON uses the gold files' keys and values for every seed.
#[test]
fn parse_json_matches_the_gold_files() {
    let seeds = Path::new(ROOT).join("extract/tests/fixtures/seeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut args = vec!["parse".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = ogi(&args, Path::new(ROOT));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), files.len(), "one JSON line per file");
    for (file, got) in files.iter().zip(&lines) {
        let stem = file.file_stem().unwrap().to_str().unwrap();
        let gold: Value = serde_json::from_slice(
            &std::fs::read(seeds.join("gold").join(format!("{stem}.json"))).unwrap(),
        )
        .unwrap();
        for key in [
            "agency",
            "year",
            "template",
            "region",
            "region_code",
            "table2",
            "table3",
            "table4",
        ] {
            assert_eq!(got[key], gold[key], "{stem}: {key}");
        }
        // Numbers in the tables are exactly the values of the cells.
        for c in got["cells"].as_array().unwrap() {
            let table = format!("table{}", c["table"]);
            let v = match c["col"].as_str() {
                Some(col) => &got[&table][c["row"].as_str().unwrap()][col],
                None => &got[&table][c["row"].as_str().unwrap()],
            };
            assert_eq!(v, &c["value"], "{stem}: {c}");
        }
        assert!(
            got["checks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["ok"] == true),
            "{stem}"
        );
    }
}

#[test]
fn parse_explain_names_each_row_source_or_why_not() {
    let tmp = tempfile::tempdir().unwrap();
    let seed_path = Path::new(ROOT).join("extract/tests/fixtures/seeds/004_c5c1b09c05bce4b4.txt");
    let seed = std::fs::read_to_string(&seed_path).unwrap();
    let o = ogi(
        &["parse", "--explain", seed_path.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("status parsed (100.0 % of template cells read)"),
        "{text}"
    );
    assert!(text.contains("[new_received]: read\n    line "), "{text}");
    assert!(
        text.contains("table 4:") && text.contains("checks:"),
        "{text}"
    );
    // Without table 4 the report is partial: exit 0, named on stderr, explained.
    let cut = tmp.path().join("cut.txt");
    let end = seed.find("四、政府信息公开行政复议").expect("part 四");
    std::fs::write(&cut, &seed[..end]).unwrap();
    let o = ogi(&["parse", "--explain", cut.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(0), "a partial report parsed");
    assert!(String::from_utf8_lossy(&o.stderr).contains("partial"));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("why missing: table 4 was not found"),
        "{text}"
    );
    let o = ogi(
        &["parse", "--format", "json", cut.to_str().unwrap()],
        tmp.path(),
    );
    let got: serde_json::Value =
        serde_json::from_str(String::from_utf8(o.stdout).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(got["status"], "partial");
    let c = got["completeness"].as_f64().unwrap();
    assert!(c > 0.8 && c < 1.0, "{c}");
    let c4 = got["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "C4")
        .unwrap();
    assert_eq!(
        (&c4["state"], &c4["ok"]),
        (&"unverified".into(), &false.into())
    );
}

#[test]
fn parse_exit_codes_and_parquet_output() {
    let tmp = tempfile::tempdir().unwrap();
    let news = tmp.path().join("news.txt");
    std::fs::write(&news, "区长调研春耕生产工作。\n").unwrap();
    let seed = Path::new(ROOT).join("extract/tests/fixtures/seeds/004_c5c1b09c05bce4b4.txt");
    let pq = tmp.path().join("pq");
    let o = ogi(
        &[
            "parse",
            "--format",
            "csv",
            "--parquet",
            pq.to_str().unwrap(),
            seed.to_str().unwrap(),
            news.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a non-report among the files gives 1"
    );
    let csv = String::from_utf8(o.stdout).unwrap();
    assert!(csv.lines().count() > 150, "cells of the seed are printed");
    let reports: usize = batches(&pq)
        .iter()
        .filter(|(_, b)| b.schema().field_with_name("agency").is_ok())
        .map(|(_, b)| b.num_rows())
        .sum();
    assert_eq!(reports, 2, "both documents are in reports.parquet");
    assert!(pq.join("cells.parquet").is_file());

    let missing = ogi(&["parse", "does-not-exist.pdf"], tmp.path());
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does-not-exist.pdf"));
    let usage = ogi(
        &["parse", "--format", "xml", seed.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(usage.status.code(), Some(2));
}

/// `ogi synth` is reproducible and everything it writes parses back with its cell count.
#[test]
fn synth_corpus_is_reproducible_and_parses() {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["a", "b"] {
        let o = ogi(
            &["synth", "--out", d, "--reports", "24", "--seed", "9"],
            tmp.path(),
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let manifest = std::fs::read_to_string(tmp.path().join("a/manifest.csv")).unwrap();
    assert_eq!(
        manifest,
        std::fs::read_to_string(tmp.path().join("b/manifest.csv")).unwrap()
    );
    let rows: Vec<Vec<&str>> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 24);
    let layouts: BTreeSet<&str> = rows.iter().map(|r| r[2]).collect();
    assert!(
        layouts.len() >= 6,
        "every layout family appears: {layouts:?}"
    );
    for r in &rows {
        let file = tmp.path().join("a").join(r[0]);
        assert_eq!(
            std::fs::read(&file).unwrap(),
            std::fs::read(tmp.path().join("b").join(r[0])).unwrap()
        );
        let o = ogi(&["parse", file.to_str().unwrap()], tmp.path());
        let got: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(got["status"], "parsed", "{}", r[0]);
        assert_eq!(
            got["cells"].as_array().unwrap().len().to_string(),
            r[6],
            "{}",
            r[0]
        );
        assert_eq!(got["year"].to_string(), r[4], "{}", r[0]);
    }
}

/// A second pipeline run on the same OUT is refused at once with exit code 2.
#[test]
fn run_refuses_to_start_while_out_is_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let held = std::fs::File::create(out.join("ogi.lock")).unwrap();
    held.try_lock().unwrap();
    let o = ogi(
        &["run", "--out", out.to_str().unwrap(), "--no-crawl"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("lock"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    drop(held);
    // Without the lock it gets as far as the (empty) raw store, and says so.
    let o = ogi(
        &["run", "--out", out.to_str().unwrap(), "--no-crawl"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no crawl state"));
}
