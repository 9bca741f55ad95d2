//! Integration tests of ogi-analyze: inputs are generated here (seed gold
//! values plus synthetic reports), expected values are computed here with
//! plain Rust arithmetic over the same inputs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ogi_analyze::{
    AnalyzeOptions, Dataset, ExportOptions, GazetteerSource, Headers, LIST_CAP, Lang, analyze,
    columns, export_csv, header, labels, read_dataset, write_codebook,
};
use polars::prelude::{AnyValue, Column, DataFrame, ParquetWriter};

const COLS: [&str; 7] = [
    "natural_person",
    "org_commercial",
    "org_research",
    "org_social_welfare",
    "org_legal_services",
    "org_other",
    "total",
];

/// A generated cell: (table, row, col, value, provenance).
type CellT = (i32, String, Option<String>, Option<f64>, &'static str);

/// One generated document.
#[derive(Clone, Debug)]
struct Doc {
    id: String,
    status: &'static str,
    agency: Option<String>,
    year: Option<i32>,
    region: Option<String>,
    region_code: Option<String>,
    scope: &'static str,
    checks_failed: i32,
    fetched_at: Option<String>,
    /// Date of issue printed in the document (`reports.issued`).
    issued: Option<String>,
    flags: String,
    checks_json: String,
    /// (table, row, col, value, provenance)
    cells: Vec<CellT>,
}

impl Doc {
    fn new(id: &str, agency: &str, year: i32, code: &str, region: &str) -> Doc {
        Doc {
            id: id.to_string(),
            status: "parsed",
            agency: Some(agency.to_string()),
            year: Some(year),
            region: Some(region.to_string()),
            region_code: Some(code.to_string()),
            scope: "agency",
            checks_failed: 0,
            fetched_at: Some("2024-01-01T00:00:00Z".to_string()),
            issued: None,
            flags: String::new(),
            checks_json:
                r#"[{"id":"C1","ok":true,"detail":"ok"},{"id":"C2","ok":true,"detail":"ok"}]"#
                    .to_string(),
            cells: Vec::new(),
        }
    }

    /// Table 3: every row key with the same per-column values `per_col` (total = sum).
    fn t3(mut self, row: &str, parts: [i64; 6]) -> Doc {
        let total: i64 = parts.iter().sum();
        for (i, c) in COLS.iter().enumerate() {
            let v = if i == 6 { total } else { parts[i] };
            self.cells.push((
                3,
                row.to_string(),
                Some(c.to_string()),
                Some(v as f64),
                "printed",
            ));
        }
        self
    }

    fn cell(
        mut self,
        table: i32,
        row: &str,
        col: Option<&str>,
        v: Option<f64>,
        prov: &'static str,
    ) -> Doc {
        self.cells
            .retain(|(t, r, c, _, _)| !(*t == table && r == row && c.as_deref() == col));
        self.cells
            .push((table, row.to_string(), col.map(str::to_string), v, prov));
        self
    }

    fn value(&self, table: i32, row: &str, col: Option<&str>) -> Option<f64> {
        self.cells
            .iter()
            .find(|(t, r, c, _, _)| *t == table && r == row && c.as_deref() == col)
            .and_then(|x| x.3)
    }
}

/// The five seed documents from the repository's copy of the seeds' gold
/// (`extract/tests/fixtures/seeds/gold/*.json`; falls back to an embedded copy
/// of the key values of seed 003 if the directory is absent).
fn seed_docs() -> Vec<Doc> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../extract/tests/fixtures/seeds/gold"
    ));
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let mut docs = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let g: serde_json::Value = serde_json::from_slice(&fs::read(f).unwrap()).unwrap();
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        let mut d = Doc::new(
            &format!("seed{stem}"),
            g["agency"].as_str().unwrap(),
            g["year"].as_i64().unwrap() as i32,
            g["region_code"].as_str().unwrap(),
            g["region"].as_str().unwrap(),
        );
        for (row, cols) in g["table3"].as_object().unwrap() {
            for (c, v) in cols.as_object().unwrap() {
                d.cells.push((
                    3,
                    row.clone(),
                    Some(c.clone()),
                    v.as_f64(),
                    if v.is_null() { "blank" } else { "printed" },
                ));
            }
        }
        for (t, key) in [(2, "table2"), (4, "table4")] {
            for (row, v) in g[key].as_object().unwrap() {
                d.cells.push((
                    t,
                    row.clone(),
                    None,
                    v.as_f64(),
                    if v.is_null() { "blank" } else { "printed" },
                ));
            }
        }
        docs.push(d);
    }
    if docs.is_empty() {
        docs.push(
            Doc::new(
                "seed003",
                "二七区人民政府办公室",
                2022,
                "410103",
                "河南省郑州市二七区",
            )
            .t3("new_received", [59, 3, 0, 0, 0, 0])
            .t3("granted", [48, 1, 0, 0, 0, 0])
            .t3("denied_internal_affairs", [1, 0, 0, 0, 0, 0])
            .t3("unavailable_not_held", [5, 2, 0, 0, 0, 0])
            .t3("unavailable_needs_creation", [1, 0, 0, 0, 0, 0])
            .t3("not_processed_duplicate", [1, 0, 0, 0, 0, 0])
            .t3("other_other", [3, 0, 0, 0, 0, 0])
            .t3("processed_total", [59, 3, 0, 0, 0, 0])
            .t3("carried_forward", [0, 0, 0, 0, 0, 0])
            .cell(4, "review_upheld", None, Some(1.0), "printed")
            .cell(4, "review_total", None, Some(1.0), "printed"),
        );
    }
    docs
}

fn seed(docs: &[Doc], agency: &str) -> Doc {
    docs.iter()
        .find(|d| d.agency.as_deref() == Some(agency))
        .cloned()
        .unwrap_or_else(|| panic!("seed {agency} missing"))
}

const ERQI: &str = "二七区人民政府办公室";

/// Synthetic documents around the seeds.
fn synthetic(seeds: &[Doc]) -> Vec<Doc> {
    let erqi = seed(seeds, ERQI);
    let mut docs = Vec::new();
    // Same agency-year as seed 003: newer but a failed check, and one needing OCR.
    let mut dup_a = erqi.clone();
    dup_a.id = "dup_a".into();
    dup_a.checks_failed = 1;
    dup_a.fetched_at = Some("2025-06-01T00:00:00Z".into());
    dup_a = dup_a.cell(3, "new_received", Some("total"), Some(999.0), "printed");
    let mut dup_b = erqi.clone();
    dup_b.id = "dup_b".into();
    dup_b.status = "needs_ocr";
    dup_b.cells.clear();
    docs.extend([dup_a, dup_b]);
    // The previous year of the same agency (for year-on-year), with table 4.
    docs.push(
        Doc::new("erqi2021", ERQI, 2021, "410103", "河南省郑州市二七区")
            .t3("new_received", [40, 10, 0, 0, 0, 0])
            .t3("granted", [30, 5, 0, 0, 0, 0])
            .t3("partially_granted", [2, 1, 0, 0, 0, 0])
            .t3("denied_state_secret", [1, 0, 0, 0, 0, 0])
            .t3("unavailable_not_held", [7, 4, 0, 0, 0, 0])
            .t3("processed_total", [40, 10, 0, 0, 0, 0])
            .t3("carried_forward", [0, 0, 0, 0, 0, 0])
            .cell(4, "review_upheld", None, Some(2.0), "printed")
            .cell(4, "review_corrected", None, Some(1.0), "inferred")
            .cell(4, "review_other", None, Some(1.0), "printed")
            .cell(4, "review_pending", None, Some(0.0), "printed")
            .cell(4, "review_total", None, Some(4.0), "printed")
            .cell(
                2,
                "admin_fees_10k_cny",
                None,
                Some(123456789.123),
                "printed",
            ),
    );
    // A jurisdiction-scope report of the whole district: never added to agencies.
    let mut jur = Doc::new(
        "jur2022",
        "郑州市二七区人民政府",
        2022,
        "410103",
        "河南省郑州市二七区",
    )
    .t3("new_received", [900, 100, 0, 0, 0, 0])
    .t3("processed_total", [900, 100, 0, 0, 0, 0]);
    jur.scope = "jurisdiction";
    docs.push(jur);
    // Huge denominator: a tiny rate must be written without scientific notation.
    docs.push(
        Doc::new(
            "big2022",
            "二七区某某局",
            2022,
            "410103",
            "河南省郑州市二七区",
        )
        .t3("new_received", [20_000_000, 0, 0, 0, 0, 0])
        .t3("granted", [1, 0, 0, 0, 0, 0])
        .t3("partially_granted", [0, 0, 0, 0, 0, 0])
        .cell(
            3,
            "partially_granted",
            Some("natural_person"),
            None,
            "blank",
        )
        .t3("processed_total", [20_000_000, 0, 0, 0, 0, 0])
        .cell(3, "granted", Some("org_other"), Some(0.0), "ocr"),
    );
    // Not a report, no year.
    let mut nar = Doc::new("notareport", "x", 0, "410103", "x");
    nar.status = "not_a_report";
    nar.year = None;
    nar.agency = None;
    nar.checks_json = String::new();
    nar.flags = "no_tables;short_text".into();
    docs.push(nar);
    docs
}

fn s(v: Vec<Option<String>>) -> Vec<Option<String>> {
    v
}

fn reports_frame(docs: &[Doc]) -> DataFrame {
    let n = docs.len();
    let str_col = |name: &str, f: &dyn Fn(&Doc) -> Option<String>| {
        Column::new(name.into(), s(docs.iter().map(f).collect()))
    };
    let req = |name: &str, f: &dyn Fn(&Doc) -> String| {
        Column::new(name.into(), docs.iter().map(f).collect::<Vec<String>>())
    };
    let int = |name: &str, f: &dyn Fn(&Doc) -> i32| {
        Column::new(name.into(), docs.iter().map(f).collect::<Vec<i32>>())
    };
    DataFrame::new(
        n,
        vec![
            req("report_id", &|d| d.id.clone()),
            req("source", &|d| {
                format!("https://example.gov.cn/{}.html", d.id)
            }),
            req("sha256", &|d| d.id.clone()),
            req("status", &|d| d.status.to_string()),
            str_col("format", &|_| Some("html".into())),
            str_col("charset", &|_| None),
            str_col("title", &|d| d.agency.clone()),
            str_col("agency", &|d| d.agency.clone()),
            Column::new(
                "year".into(),
                docs.iter().map(|d| d.year).collect::<Vec<_>>(),
            ),
            str_col("template", &|d| d.year.map(|_| "2021".into())),
            str_col("region", &|d| d.region.clone()),
            str_col("region_code", &|d| d.region_code.clone()),
            req("scope", &|d| d.scope.to_string()),
            int("n_cells", &|d| d.cells.len() as i32),
            int("n_inferred", &|d| {
                d.cells.iter().filter(|c| c.4 == "inferred").count() as i32
            }),
            int("checks_passed", &|d| 2 - d.checks_failed),
            int("checks_failed", &|d| d.checks_failed),
            req("failed_checks", &|d| {
                if d.checks_failed > 0 {
                    "C1".into()
                } else {
                    String::new()
                }
            }),
            req("checks_json", &|d| d.checks_json.clone()),
            req("flags", &|d| d.flags.clone()),
            str_col("portal_id", &|_| Some("p1".into())),
            str_col("fetched_at", &|d| d.fetched_at.clone()),
            req("parser_version", &|_| "test-1".into()),
            str_col("issued", &|d| d.issued.clone()),
        ],
    )
    .unwrap()
}

fn cells_frame(docs: &[Doc]) -> DataFrame {
    let rows: Vec<_> = docs
        .iter()
        .flat_map(|d| d.cells.iter().map(move |c| (d.id.clone(), c.clone())))
        .collect();
    let n = rows.len();
    let fee = |r: &String| r.contains("10k_cny");
    DataFrame::new(
        n,
        vec![
            Column::new(
                "report_id".into(),
                rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "table".into(),
                rows.iter().map(|r| r.1.0).collect::<Vec<i32>>(),
            ),
            Column::new(
                "row".into(),
                rows.iter().map(|r| r.1.1.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "col".into(),
                rows.iter().map(|r| r.1.2.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "value".into(),
                rows.iter().map(|r| r.1.3).collect::<Vec<_>>(),
            ),
            Column::new(
                "value_int".into(),
                rows.iter()
                    .map(|r| {
                        if fee(&r.1.1) {
                            None
                        } else {
                            r.1.3.map(|v| v as i64)
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "unit".into(),
                rows.iter()
                    .map(|r| if fee(&r.1.1) { "10k_cny" } else { "count" })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "raw_unit".into(),
                rows.iter().map(|_| None::<String>).collect::<Vec<_>>(),
            ),
            Column::new(
                "raw".into(),
                rows.iter()
                    .map(|r| r.1.3.map(|v| v.to_string()).unwrap_or_default())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "provenance".into(),
                rows.iter().map(|r| r.1.4).collect::<Vec<_>>(),
            ),
            Column::new(
                "line".into(),
                rows.iter().map(|_| Some(1i32)).collect::<Vec<_>>(),
            ),
        ],
    )
    .unwrap()
}

fn write_part(out: &Path, idx: usize, docs: &[Doc]) {
    for (table, mut df) in [
        ("reports", reports_frame(docs)),
        ("cells", cells_frame(docs)),
    ] {
        let dir = out.join("extract").join(table);
        fs::create_dir_all(&dir).unwrap();
        let f = fs::File::create(dir.join(format!("part-{idx:05}.parquet"))).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
    }
}

fn opts() -> AnalyzeOptions {
    AnalyzeOptions {
        gazetteer: None,
        full: false,
        cells_per_pass: None,
    }
}

fn all_docs() -> Vec<Doc> {
    let seeds = seed_docs();
    let mut docs = seeds.clone();
    docs.extend(synthetic(&seeds));
    docs
}

/// Row of a frame where `key_col == key` (exactly one expected).
fn row_of(df: &DataFrame, key_col: &str, key: &str) -> usize {
    let c = df.column(key_col).unwrap().str().unwrap();
    let hits: Vec<usize> = c
        .iter()
        .enumerate()
        .filter(|(_, v)| *v == Some(key))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(hits.len(), 1, "{key_col} = {key}: {hits:?}");
    hits[0]
}

fn f64_at(df: &DataFrame, col: &str, i: usize) -> Option<f64> {
    match df.column(col).unwrap().get(i).unwrap() {
        AnyValue::Null => None,
        AnyValue::Float64(v) => Some(v),
        AnyValue::Int64(v) => Some(v as f64),
        AnyValue::Int32(v) => Some(v as f64),
        other => panic!("{col}: {other:?}"),
    }
}

fn str_at(df: &DataFrame, col: &str, i: usize) -> Option<String> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .get(i)
        .map(str::to_string)
}

fn ratio(n: Option<f64>, d: Option<f64>) -> Option<f64> {
    match (n, d) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ => None,
    }
}

fn close(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        ),
        _ => panic!("{what}: {a:?} vs {b:?}"),
    }
}

#[test]
fn panel_matches_independent_arithmetic() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = all_docs();
    write_part(out, 0, &docs);
    let summary = analyze(out, &opts()).unwrap();
    assert!(summary.full);
    assert_eq!(summary.reports, docs.len());
    assert_eq!(summary.superseded, 2, "dup_a and dup_b are superseded");

    let panel = read_dataset(out, Dataset::Panel).unwrap();
    let canonical: Vec<&Doc> = docs
        .iter()
        .filter(|d| !["dup_a", "dup_b", "notareport"].contains(&d.id.as_str()))
        .collect();
    assert_eq!(panel.height(), canonical.len());
    for d in &canonical {
        let i = row_of(&panel, "report_id", &d.id);
        let t = |r: &str| d.value(3, r, Some("total"));
        let processed = t("processed_total");
        let sum_prefix = |p: &str| {
            let vals: Vec<f64> = d
                .cells
                .iter()
                .filter(|c| c.0 == 3 && c.1.starts_with(p) && c.2.as_deref() == Some("total"))
                .filter_map(|c| c.3)
                .collect();
            (!vals.is_empty()).then(|| vals.iter().sum::<f64>())
        };
        let granted_sum = match (t("granted"), t("partially_granted")) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        close(
            f64_at(&panel, "new_received", i),
            t("new_received"),
            "new_received",
        );
        close(
            f64_at(&panel, "denied_total", i),
            sum_prefix("denied_"),
            "denied_total",
        );
        close(
            f64_at(&panel, "substantive_disclosure_rate", i),
            ratio(granted_sum, processed),
            &format!("rate {}", d.id),
        );
        close(
            f64_at(&panel, "denied_share", i),
            ratio(sum_prefix("denied_"), processed),
            "denied_share",
        );
        close(
            f64_at(&panel, "not_held_share", i),
            ratio(t("unavailable_not_held"), processed),
            "not_held",
        );
        close(
            f64_at(&panel, "backlog", i),
            t("carried_forward"),
            "backlog",
        );
        let r4 = |k: &str| d.value(4, k, None);
        let den = match (
            r4("review_upheld"),
            r4("review_corrected"),
            r4("review_other"),
        ) {
            (Some(a), Some(b), Some(c)) => Some(a + b + c),
            _ => None,
        };
        close(
            f64_at(&panel, "review_correction_rate", i),
            ratio(r4("review_corrected"), den),
            "review rate",
        );
        let has_inf = d.cells.iter().any(|c| c.4 == "inferred" || c.4 == "ocr");
        assert_eq!(
            panel.column("has_inferred").unwrap().bool().unwrap().get(i),
            Some(has_inf),
            "{}",
            d.id
        );
    }
    // Division by zero (seed 000 processed nothing) gives null, never NaN.
    let rates = panel
        .column("substantive_disclosure_rate")
        .unwrap()
        .f64()
        .unwrap();
    assert!(rates.iter().flatten().all(f64::is_finite));
    let zero = docs
        .iter()
        .find(|d| d.value(3, "processed_total", Some("total")) == Some(0.0));
    if let Some(z) = zero {
        assert_eq!(
            f64_at(
                &panel,
                "substantive_disclosure_rate",
                row_of(&panel, "report_id", &z.id)
            ),
            None
        );
    }
    // Headline figures: one line per year, 2022 pools the agency-scope rows.
    let lines = ogi_analyze::headline(out).unwrap();
    assert!(lines.iter().any(|l| l.starts_with("2021:")), "{lines:?}");
    let agency22: Vec<&Doc> = canonical
        .iter()
        .copied()
        .filter(|d| d.year == Some(2022) && d.scope == "agency")
        .collect();
    let new22: f64 = agency22
        .iter()
        .filter_map(|d| d.value(3, "new_received", Some("total")))
        .sum();
    let l22 = lines.iter().find(|l| l.starts_with("2022:")).unwrap();
    assert!(l22.contains(&format!("{new22} new requests")), "{l22}");
    // Year-on-year for the Erqi office: 2022 seed vs 2021 synthetic.
    let erqi22 = seed(&docs, ERQI);
    let i = row_of(&panel, "report_id", &erqi22.id);
    let now = erqi22.value(3, "new_received", Some("total")).unwrap();
    close(
        f64_at(&panel, "new_received_prev_year", i),
        Some(50.0),
        "prev",
    );
    close(
        f64_at(&panel, "new_received_yoy_change", i),
        Some(now - 50.0),
        "yoy change",
    );
    close(
        f64_at(&panel, "new_received_yoy_rate", i),
        Some(now / 50.0 - 1.0),
        "yoy rate",
    );
    assert_eq!(
        str_at(&panel, "superseded_ids", i).as_deref(),
        Some("dup_a;dup_b")
    );
    close(f64_at(&panel, "n_documents", i), Some(3.0), "n_documents");
    assert_eq!(
        str_at(&panel, "agency_type", i).as_deref(),
        Some("government_office")
    );
    // The inferred review cell of 2021 is counted.
    let j = row_of(&panel, "report_id", "erqi2021");
    close(f64_at(&panel, "t4_inferred", j), Some(1.0), "t4_inferred");
    // Region names parsed from the region string (no gazetteer given).
    assert_eq!(str_at(&panel, "county", i).as_deref(), Some("二七区"));
    assert_eq!(
        str_at(&panel, "prefecture_code", i).as_deref(),
        Some("410100")
    );
    // Agency types of the seeds.
    for (agency, ty) in [
        ("北关区民政局", "bureau"),
        ("北关区红旗路街道办事处", "subdistrict_office"),
    ] {
        if let Some(d) = docs.iter().find(|d| d.agency.as_deref() == Some(agency)) {
            let k = row_of(&panel, "report_id", &d.id);
            assert_eq!(str_at(&panel, "agency_type", k).as_deref(), Some(ty));
        }
    }
}

#[test]
fn cell_datasets_keep_values_and_provenance() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = all_docs();
    write_part(out, 0, &docs);
    analyze(out, &opts()).unwrap();

    // dispositions: every outcome cell of canonical docs, value and provenance.
    let disp = read_dataset(out, Dataset::Dispositions).unwrap();
    let outcome = |r: &str| {
        ![
            "new_received",
            "carried_over_in",
            "processed_total",
            "carried_forward",
        ]
        .contains(&r)
    };
    let expected: usize = docs
        .iter()
        .filter(|d| !d.id.starts_with("dup_") && d.status != "not_a_report")
        .map(|d| d.cells.iter().filter(|c| c.0 == 3 && outcome(&c.1)).count())
        .sum();
    assert_eq!(disp.height(), expected);
    let ids = disp.column("report_id").unwrap().str().unwrap();
    let rows = disp.column("disposition").unwrap().str().unwrap();
    let apps = disp.column("applicant").unwrap().str().unwrap();
    let prov = disp.column("provenance").unwrap().str().unwrap();
    let cats = disp.column("category").unwrap().str().unwrap();
    let vals = disp.column("value").unwrap().i64().unwrap();
    for i in 0..disp.height() {
        let d = docs
            .iter()
            .find(|d| Some(d.id.as_str()) == ids.get(i))
            .unwrap();
        let c = d
            .cells
            .iter()
            .find(|c| {
                c.0 == 3 && Some(c.1.as_str()) == rows.get(i) && c.2.as_deref() == apps.get(i)
            })
            .unwrap();
        assert_eq!(vals.get(i).map(|v| v as f64), c.3);
        assert_eq!(prov.get(i), Some(c.4));
        let r = rows.get(i).unwrap();
        let want = if r == "partially_granted" {
            "partial"
        } else {
            r.split('_').next().unwrap()
        };
        let want = if r.starts_with("not_processed") {
            "not_processed"
        } else {
            want
        };
        assert_eq!(cats.get(i), Some(want));
    }
    // The blank cell stays null (not 0).
    let big = (0..disp.height())
        .find(|&i| {
            ids.get(i) == Some("big2022")
                && rows.get(i) == Some("partially_granted")
                && apps.get(i) == Some("natural_person")
        })
        .unwrap();
    assert_eq!(vals.get(big), None);
    assert_eq!(prov.get(big), Some("blank"));

    // requests: 7 applicant rows per canonical doc with table 3.
    let req = read_dataset(out, Dataset::Requests).unwrap();
    let erqi = seed(&docs, ERQI);
    let rid = req.column("report_id").unwrap().str().unwrap();
    let app = req.column("applicant").unwrap().str().unwrap();
    let rows: Vec<usize> = (0..req.height())
        .filter(|&i| rid.get(i) == Some(erqi.id.as_str()))
        .collect();
    assert_eq!(
        rows.iter()
            .map(|&i| app.get(i).unwrap())
            .collect::<Vec<_>>(),
        COLS
    );
    for &i in &rows {
        let c = app.get(i);
        close(
            f64_at(&req, "new_received", i),
            erqi.value(3, "new_received", c),
            "req new",
        );
        close(
            f64_at(&req, "processed_total", i),
            erqi.value(3, "processed_total", c),
            "req processed",
        );
    }

    // proactive: fees in 万元 and yuan (rounded to the fen).
    let pro = read_dataset(out, Dataset::Proactive).unwrap();
    let i = row_of(&pro, "report_id", "erqi2021");
    close(
        f64_at(&pro, "admin_fees_10k_cny", i),
        Some(123456789.123),
        "fee 万元",
    );
    close(
        f64_at(&pro, "admin_fees_cny", i),
        Some(1234567891230.0),
        "fee yuan",
    );
    if let Some(d) = docs
        .iter()
        .find(|d| d.value(2, "admin_fees_10k_cny", None) == Some(11.065))
    {
        let k = row_of(&pro, "report_id", &d.id);
        assert_eq!(f64_at(&pro, "admin_fees_cny", k), Some(110650.0));
    }

    // review_litigation: wide, 15 cells.
    let rl = read_dataset(out, Dataset::ReviewLitigation).unwrap();
    let i = row_of(&rl, "report_id", "erqi2021");
    close(f64_at(&rl, "review_upheld", i), Some(2.0), "upheld");
    close(f64_at(&rl, "n_inferred", i), Some(1.0), "n_inferred");
    assert_eq!(f64_at(&rl, "lit_direct_total", i), None);
}

#[test]
fn jurisdiction_reports_are_not_double_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = all_docs();
    write_part(out, 0, &docs);
    analyze(out, &opts()).unwrap();
    let regions = read_dataset(out, Dataset::Regions).unwrap();
    let years = regions.column("year").unwrap().i32().unwrap();
    let levels = regions.column("level").unwrap().str().unwrap();
    let codes = regions.column("region_code").unwrap().str().unwrap();
    let find = |y: i32, level: &str, code: &str| {
        (0..regions.height())
            .find(|&i| {
                years.get(i) == Some(y)
                    && levels.get(i) == Some(level)
                    && codes.get(i) == Some(code)
            })
            .unwrap_or_else(|| panic!("{y} {level} {code}"))
    };
    // Expected: sum over canonical agency-scope docs of 2022 in county 410103.
    let in_county = |scope: &str| -> Vec<&Doc> {
        docs.iter()
            .filter(|d| d.year == Some(2022) && d.region_code.as_deref() == Some("410103"))
            .filter(|d| d.scope == scope && !d.id.starts_with("dup_"))
            .collect()
    };
    let want: f64 = in_county("agency")
        .iter()
        .filter_map(|d| d.value(3, "new_received", Some("total")))
        .sum();
    let i = find(2022, "county", "410103");
    close(
        f64_at(&regions, "new_received", i),
        Some(want),
        "county sum",
    );
    close(
        f64_at(&regions, "n_agency_reports", i),
        Some(in_county("agency").len() as f64),
        "n agency",
    );
    close(
        f64_at(&regions, "n_jurisdiction_reports", i),
        Some(1.0),
        "n jur",
    );
    close(
        f64_at(&regions, "jurisdiction_new_received", i),
        Some(1000.0),
        "jur new",
    );
    assert_eq!(
        str_at(&regions, "region_name", i).as_deref(),
        Some("二七区")
    );
    // Province 410000 in 2022 sums every agency-scope canonical doc of Henan.
    let want_prov: f64 = docs
        .iter()
        .filter(|d| d.year == Some(2022) && d.scope == "agency" && !d.id.starts_with("dup_"))
        .filter(|d| {
            d.region_code
                .as_deref()
                .is_some_and(|c| c.starts_with("41"))
        })
        .filter_map(|d| d.value(3, "new_received", Some("total")))
        .sum();
    let p = find(2022, "province", "410000");
    close(
        f64_at(&regions, "new_received", p),
        Some(want_prov),
        "province sum",
    );
    assert_eq!(
        str_at(&regions, "region_name", p).as_deref(),
        Some("河南省")
    );
}

#[test]
fn quality_lists_checks_flags_and_superseded() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = all_docs();
    write_part(out, 0, &docs);
    analyze(out, &opts()).unwrap();
    let q = read_dataset(out, Dataset::Quality).unwrap();
    let rid = q.column("report_id").unwrap().str().unwrap();
    let kind = q.column("kind").unwrap().str().unwrap();
    let item = q.column("item").unwrap().str().unwrap();
    let rows = |id: &str, k: &str| -> Vec<String> {
        (0..q.height())
            .filter(|&i| rid.get(i) == Some(id) && kind.get(i) == Some(k))
            .map(|i| item.get(i).unwrap_or("").to_string())
            .collect()
    };
    let erqi = seed(&docs, ERQI);
    assert_eq!(rows("dup_a", "superseded_by"), vec![erqi.id.clone()]);
    assert_eq!(rows("dup_b", "superseded_by"), vec![erqi.id.clone()]);
    assert!(rows(&erqi.id, "superseded_by").is_empty());
    assert_eq!(rows(&erqi.id, "check"), vec!["C1", "C2"]);
    assert_eq!(rows("notareport", "flag"), vec!["no_tables", "short_text"]);
    assert_eq!(rows("notareport", "status"), vec!["not_a_report"]);
    // Every document appears once with a status row.
    assert_eq!(
        (0..q.height())
            .filter(|&i| kind.get(i) == Some("status"))
            .count(),
        docs.len()
    );
    // The yearless document lands in the Hive null partition.
    let nulls = q.column("year").unwrap().null_count();
    assert_eq!(nulls, 1 + 2, "status row + 2 flags of the yearless doc");
}

#[test]
fn dedup_rule_prefers_parsed_then_newest_issue_then_revised_then_checks_then_smallest_id() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let base = Doc::new("x", "某县民政局", 2022, "410503", "河南省安阳市北关区")
        .t3("new_received", [1, 0, 0, 0, 0, 0]);
    // `at` is the date of issue; the fetch time runs the other way round
    // (newest fetch = oldest document) and must not matter.
    let mk = |id: &str, status: &'static str, failed: i32, at: Option<&str>| {
        let mut d = base.clone();
        d.id = id.into();
        d.status = status;
        d.checks_failed = failed;
        d.issued = at.map(str::to_string);
        d.fetched_at = Some(match at {
            Some(a) => format!("{}-12-31T00:00:00Z", 4049 - a[..4].parse::<i32>().unwrap()),
            None => "2099-01-01T00:00:00Z".into(),
        });
        d
    };
    // Group 1: parsed beats needs_ocr even if older.
    let mut docs = vec![
        mk("g1_old_parsed", "parsed", 3, Some("2023-01-20")),
        mk("g1_new_ocr", "needs_ocr", 0, Some("2023-06-01")),
    ];
    let mut g = |agency: &str, id: &str, failed: i32, at: Option<&str>, flags: &str| {
        let mut d = mk(id, "parsed", failed, at);
        d.agency = Some(agency.into());
        d.flags = flags.into();
        docs.push(d);
    };
    // Group 2: the newer issue wins even when it fails a check.
    g("二局", "g2_checks_ok_old", 0, Some("2023-01-20"), "");
    g("二局", "g2_failed_new", 1, Some("2023-05-01"), "");
    // Group 3: the newest issue; none last.
    g("三局", "g3_old", 0, Some("2023-01-20"), "");
    g("三局", "g3_new", 0, Some("2023-03-01"), "");
    g("三局", "g3_nodate", 0, None, "");
    // Group 4: same date: the title marked revised, then checks, then the smallest id.
    g("四局", "g4_a", 0, Some("2023-01-20"), "");
    g(
        "四局",
        "g4_b_revised",
        1,
        Some("2023-01-20"),
        "agency_source:title;revised",
    );
    g("五局", "g5_b", 0, Some("2023-01-20"), "");
    g("五局", "g5_c_failed", 1, Some("2023-01-20"), "");
    g("五局", "g5_a_failed", 1, Some("2023-01-20"), "");
    g("六局", "g6_b", 0, None, "");
    g("六局", "g6_a", 0, None, "");
    write_part(out, 0, &docs);
    analyze(out, &opts()).unwrap();
    let panel = read_dataset(out, Dataset::Panel).unwrap();
    let mut ids: Vec<String> = panel
        .column("report_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "g1_old_parsed",
            "g2_failed_new",
            "g3_new",
            "g4_b_revised",
            "g5_b",
            "g6_a"
        ]
    );
    let i = row_of(&panel, "report_id", "g3_new");
    assert_eq!(
        str_at(&panel, "superseded_ids", i).as_deref(),
        Some("g3_nodate;g3_old")
    );
}

fn dataset_files(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    // `compliance` is written from a crawl by `compliance::write`, not by `analyze`.
    for d in Dataset::ALL
        .into_iter()
        .filter(|d| *d != Dataset::Compliance)
    {
        let dir = out.join("datasets").join(d.name());
        if !d.partitioned() {
            let p = dir.join("part-0.parquet");
            let rel = p.strip_prefix(out).unwrap().to_string_lossy().to_string();
            files.insert(rel, fs::read(&p).unwrap());
            continue;
        }
        for e in fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path().join("part-0.parquet");
            let rel = p.strip_prefix(out).unwrap().to_string_lossy().to_string();
            files.insert(rel, fs::read(&p).unwrap());
        }
    }
    files
}

fn inode(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    fs::metadata(p).unwrap().ino()
}

#[test]
fn incremental_equals_full_recomputation() {
    let docs = all_docs();
    // Second batch: a new agency in 2021 and a revision of an existing agency-year.
    let mut late = vec![
        Doc::new(
            "late2021",
            "二七区教育局",
            2021,
            "410103",
            "河南省郑州市二七区",
        )
        .t3("new_received", [5, 0, 0, 0, 0, 0])
        .t3("granted", [5, 0, 0, 0, 0, 0])
        .t3("processed_total", [5, 0, 0, 0, 0, 0]),
    ];
    let mut rev = docs.iter().find(|d| d.id == "erqi2021").unwrap().clone();
    rev.id = "erqi2021_rev".into();
    rev.issued = Some("2022-03-01".into());
    rev = rev.cell(3, "new_received", Some("total"), Some(80.0), "printed");
    late.push(rev);

    let inc = tempfile::tempdir().unwrap();
    write_part(inc.path(), 0, &docs);
    let first = analyze(inc.path(), &opts()).unwrap();
    assert!(first.full);
    let untouched = ogi_analyze::partition_file(inc.path(), Dataset::Panel, Some(2023));
    let before = inode(&untouched);
    let y2022 = ogi_analyze::partition_file(inc.path(), Dataset::Panel, Some(2022));
    let before22 = inode(&y2022);

    // Nothing changed: nothing recomputed.
    let again = analyze(inc.path(), &opts()).unwrap();
    assert!(!again.full);
    assert!(again.years_recomputed.is_empty());

    write_part(inc.path(), 1, &late);
    let second = analyze(inc.path(), &opts()).unwrap();
    assert!(!second.full);
    assert_eq!(second.years_recomputed, vec![Some(2021), Some(2022)]);
    assert_eq!(inode(&untouched), before, "2023 must not be rewritten");
    assert_ne!(
        inode(&y2022),
        before22,
        "2022 (year after a change) is rewritten"
    );

    let full = tempfile::tempdir().unwrap();
    write_part(full.path(), 0, &docs);
    write_part(full.path(), 1, &late);
    let f = analyze(
        full.path(),
        &AnalyzeOptions {
            full: true,
            ..opts()
        },
    )
    .unwrap();
    assert!(f.full);
    let (a, b) = (dataset_files(inc.path()), dataset_files(full.path()));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "files differ: {differ:?}");
    // And the revision won, with the year-on-year rate recomputed from it.
    let panel = read_dataset(inc.path(), Dataset::Panel).unwrap();
    let erqi = seed(&docs, ERQI);
    let i = row_of(&panel, "report_id", &erqi.id);
    close(
        f64_at(&panel, "new_received_prev_year", i),
        Some(80.0),
        "prev after revision",
    );
}

fn read_csv(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = fs::read(p).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "BOM");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[test]
fn csv_export_round_trips_with_bom_and_headers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    write_part(out, 0, &all_docs());
    analyze(out, &opts()).unwrap();
    for d in Dataset::ALL {
        let df = read_dataset(out, d).unwrap();
        let cols = columns(d);
        for (lang, style) in [
            (Lang::Zh, Headers::Short),
            (Lang::En, Headers::Long),
            (Lang::En, Headers::Short),
            (Lang::Both, Headers::Long),
            (Lang::Both, Headers::Short),
        ] {
            let opts = ExportOptions {
                lang,
                headers: style,
            };
            let dest = out.join(format!("{}_{lang:?}_{style:?}.csv", d.name()));
            let p = export_csv(out, d, &opts, Some(&dest)).unwrap();
            let (headers, rows) = read_csv(&p);
            let want: Vec<String> = cols.iter().map(|c| header(c, lang, style)).collect();
            assert_eq!(headers, want);
            if lang == Lang::Both {
                assert!(headers.iter().all(|h| h.contains(" / ")));
            }
            match (lang, style) {
                (Lang::En, Headers::Long) => assert!(
                    headers
                        .iter()
                        .zip(&cols)
                        .all(|(h, c)| *h == c.en && !h.is_empty())
                ),
                (Lang::En, Headers::Short) => {
                    assert!(headers.iter().zip(&cols).all(|(h, c)| *h == c.name));
                }
                _ => {}
            }
            if style == Headers::Short {
                let longest = headers.iter().map(|h| h.chars().count()).max().unwrap();
                assert!(
                    longest <= 60,
                    "{} {lang:?}: a {longest}-character header",
                    d.name()
                );
            }
            // Readable headers must still tell the columns apart.
            let distinct: std::collections::BTreeSet<&String> = headers.iter().collect();
            assert_eq!(distinct.len(), headers.len(), "{} {lang:?}", d.name());
            assert_eq!(rows.len(), df.height());
            let zh = lang == Lang::Zh;
            for (j, c) in cols.iter().enumerate() {
                let series = df.column(&c.name).unwrap();
                for (i, row) in rows.iter().enumerate() {
                    let field = &row[j];
                    let numeric = c.dtype.is_primitive_numeric();
                    assert!(!numeric || !field.contains(['e', 'E']), "{field}");
                    let text = |v: &str| {
                        let v = if zh && labels::is_coded(&c.name) {
                            labels::to_zh(&c.name, v)
                        } else {
                            v.to_string()
                        };
                        let items: Vec<&str> = v.split(';').collect();
                        if ogi_analyze::LIST_COLUMNS.contains(&c.name.as_str())
                            && items.len() > LIST_CAP
                        {
                            format!(
                                "{};…(+{})",
                                items[..LIST_CAP].join(";"),
                                items.len() - LIST_CAP
                            )
                        } else {
                            v
                        }
                    };
                    match series.get(i).unwrap() {
                        AnyValue::Null => assert_eq!(field, "", "{} {}", d, c.name),
                        AnyValue::Float64(v) if c.unit == "ratio" => {
                            let got = field.parse::<f64>().unwrap();
                            assert!((got - v).abs() <= 0.00005 + 1e-12, "{} {got} {v}", c.name);
                            assert!(
                                field.split('.').nth(1).is_none_or(|f| f.len() <= 4),
                                "{field}"
                            );
                        }
                        AnyValue::Float64(v) => assert_eq!(field.parse::<f64>().unwrap(), v),
                        AnyValue::Int64(v) => assert_eq!(field.parse::<i64>().unwrap(), v),
                        AnyValue::Int32(v) => assert_eq!(field.parse::<i32>().unwrap(), v),
                        AnyValue::Boolean(v) => assert_eq!(
                            field,
                            match (zh, v) {
                                (true, true) => "是",
                                (true, false) => "否",
                                (false, true) => "true",
                                (false, false) => "false",
                            }
                        ),
                        AnyValue::String(v) => assert_eq!(*field, text(v)),
                        AnyValue::StringOwned(v) => assert_eq!(*field, text(v.as_str())),
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
        }
    }
    // Default destination; a tiny rate is rounded, large money written positionally.
    let en = ExportOptions {
        lang: Lang::En,
        headers: Headers::Short,
    };
    let p = export_csv(out, Dataset::Panel, &en, None).unwrap();
    assert_eq!(p, out.join("exports").join("panel.csv"));
    let text = fs::read_to_string(&p).unwrap();
    assert!(!text.contains("0.00000005"), "ratios are rounded");
    assert!(text.contains("123456789.123"));
    // Chinese values: applicant types and statuses.
    let zh = ExportOptions::default();
    let p = export_csv(out, Dataset::Requests, &zh, Some(&out.join("r_zh.csv"))).unwrap();
    let text = fs::read_to_string(&p).unwrap();
    assert!(text.contains("自然人") && !text.contains("natural_person"));
    // Codebook.
    let (cb, md) = write_codebook(&out.join("exports")).unwrap();
    let (h, rows) = read_csv(&cb);
    assert_eq!(
        h,
        [
            "dataset", "column", "dtype", "label_zh", "label_en", "unit", "source"
        ]
    );
    let total: usize = Dataset::ALL.iter().map(|d| columns(*d).len()).sum();
    assert_eq!(rows.len(), total);
    assert!(
        rows.iter()
            .any(|r| r[1] == "granted" && r[3].contains("予以公开"))
    );
    assert!(fs::read_to_string(md).unwrap().contains("## `panel`"));
}

#[test]
fn bad_inputs_give_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let err = analyze(tmp.path(), &opts()).unwrap_err();
    assert!(format!("{err:#}").contains("extract"), "{err:#}");
    fs::create_dir_all(tmp.path().join("extract/reports")).unwrap();
    let err = analyze(tmp.path(), &opts()).unwrap_err();
    assert!(format!("{err:#}").contains("no part-*.parquet"), "{err:#}");
    // Missing columns.
    let dir = tmp.path().join("extract/cells");
    fs::create_dir_all(&dir).unwrap();
    let mut bad = DataFrame::new(1, vec![Column::new("report_id".into(), ["a"])]).unwrap();
    for t in ["reports", "cells"] {
        let f =
            fs::File::create(tmp.path().join("extract").join(t).join("part-0.parquet")).unwrap();
        ParquetWriter::new(f).finish(&mut bad).unwrap();
    }
    let err = analyze(tmp.path(), &opts()).unwrap_err();
    assert!(format!("{err:#}").contains("lack columns"), "{err:#}");
    // Empty but well-formed parts: no error, nothing but the manifest.
    let empty = tempfile::tempdir().unwrap();
    write_part(empty.path(), 0, &[]);
    let s = analyze(empty.path(), &opts()).unwrap();
    assert_eq!(s.reports, 0);
    assert!(s.years_recomputed.is_empty());
    // Duplicate report ids across parts.
    let dup = tempfile::tempdir().unwrap();
    let docs = all_docs();
    write_part(dup.path(), 0, &docs[..2]);
    write_part(dup.path(), 1, &docs[..1]);
    let err = analyze(dup.path(), &opts()).unwrap_err();
    assert!(
        format!("{err:#}").contains("duplicate report_id"),
        "{err:#}"
    );
    // Analysed but empty: header-only CSV; never analysed: an error.
    let en = ExportOptions {
        lang: Lang::En,
        headers: Headers::Long,
    };
    let p = export_csv(empty.path(), Dataset::Panel, &en, None).unwrap();
    let (headers, rows) = read_csv(&p);
    assert_eq!(headers.len(), columns(Dataset::Panel).len());
    assert!(rows.is_empty());
    let never = tempfile::tempdir().unwrap();
    let err = export_csv(never.path(), Dataset::Panel, &en, None).unwrap_err();
    assert!(format!("{err:#}").contains("no partitions"), "{err:#}");
}

#[test]
fn gazetteer_names_are_used_when_given() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let gz = out.join("gaz.csv");
    fs::write(
        &gz,
        "code,name,level,parent\n410000,河南省,province,\n410100,郑州市,prefecture,410000\n410103,二七区（gaz）,county,410100\n",
    )
    .unwrap();
    write_part(out, 0, &all_docs());
    analyze(
        out,
        &AnalyzeOptions {
            gazetteer: Some(GazetteerSource::File(gz.clone())),
            ..opts()
        },
    )
    .unwrap();
    let panel = read_dataset(out, Dataset::Panel).unwrap();
    let i = row_of(&panel, "report_id", "erqi2021");
    assert_eq!(
        str_at(&panel, "county", i).as_deref(),
        Some("二七区（gaz）")
    );
    assert_eq!(str_at(&panel, "prefecture", i).as_deref(), Some("郑州市"));
    // A changed gazetteer forces a full recomputation.
    fs::write(&gz, fs::read_to_string(&gz).unwrap().replace("（gaz）", "")).unwrap();
    let s = analyze(
        out,
        &AnalyzeOptions {
            gazetteer: Some(GazetteerSource::File(gz)),
            ..opts()
        },
    )
    .unwrap();
    assert!(s.full);
    let missing = analyze(
        out,
        &AnalyzeOptions {
            gazetteer: Some(GazetteerSource::File(out.join("nope.csv"))),
            ..opts()
        },
    );
    assert!(format!("{:#}", missing.unwrap_err()).contains("gazetteer"));
}

fn bool_at(df: &DataFrame, col: &str, i: usize) -> Option<bool> {
    match df.column(col).unwrap().get(i).unwrap() {
        AnyValue::Boolean(b) => Some(b),
        AnyValue::Null => None,
        other => panic!("{col}: {other:?}"),
    }
}

/// A synthetic province: 3 districts × 4 agencies + one city bureau, 4 years,
/// every agency titled differently from year to year.
fn province() -> Vec<Doc> {
    let districts = [
        ("410502", "文峰区"),
        ("410503", "北关区"),
        ("410505", "殷都区"),
    ];
    let agencies = ["民政局", "教育局", "人民政府办公室", "财政局"];
    let mut docs = Vec::new();
    for year in 2020..2024 {
        let k = (year - 2020) as usize;
        for (ci, (code, county)) in districts.iter().enumerate() {
            let region = format!("河南省安阳市{county}");
            for (ai, a) in agencies.iter().enumerate() {
                // Title forms cycle: bare, with city, with province and city, with a bracket.
                let office = match (a, k % 3) {
                    (&"人民政府办公室", 1) => "政府办公室".to_string(),
                    (&"人民政府办公室", 2) => "人民政府办公厅".to_string(),
                    _ => a.to_string(),
                };
                let name = match (k + ai) % 4 {
                    0 => format!("{county}{office}"),
                    1 => format!("安阳市{county}{office}"),
                    2 => format!("河南省安阳市{county}{office}"),
                    _ => format!("{county}{office}（{county}某某办）"),
                };
                let n = (10 * (ci + 1) + ai + k) as i64;
                // carried_over_in = previous year's carried_forward (= k), except one break.
                let carried_in = if year == 2022 && ci == 0 && ai == 0 {
                    99
                } else {
                    k as i64
                };
                let d = Doc::new(&format!("p{year}_{ci}_{ai}"), &name, year, code, &region)
                    .t3("new_received", [n, 0, 0, 0, 0, 0])
                    .t3("carried_over_in", [carried_in, 0, 0, 0, 0, 0])
                    .t3("granted", [n, 0, 0, 0, 0, 0])
                    .t3("partially_granted", [0, 0, 0, 0, 0, 0])
                    .t3("processed_total", [n, 0, 0, 0, 0, 0])
                    .t3("carried_forward", [k as i64 + 1, 0, 0, 0, 0, 0]);
                docs.push(d);
            }
        }
        let city = if k.is_multiple_of(2) {
            "安阳市教育局"
        } else {
            "河南省安阳市教育局"
        };
        docs.push(
            Doc::new(&format!("city{year}"), city, year, "410500", "河南省安阳市")
                .t3("new_received", [3, 0, 0, 0, 0, 0])
                .t3("processed_total", [3, 0, 0, 0, 0, 0])
                .cell(4, "review_upheld", None, Some(3.0), "printed")
                .cell(4, "review_corrected", None, None, "blank")
                .cell(4, "review_other", None, None, "blank")
                .cell(4, "review_pending", None, Some(0.0), "printed")
                .cell(4, "review_total", None, Some(3.0), "printed"),
        );
    }
    // A re-published 2023 report of one bureau that disagrees by 7 requests,
    // issued before the kept one.
    let kept = docs.iter_mut().find(|d| d.id == "p2023_1_1").unwrap();
    kept.issued = Some("2024-01-20".into());
    let mut dup = kept.clone();
    dup.id = "p2023_1_1_old".into();
    dup.issued = Some("2024-01-10".into());
    dup.agency = Some("河南省安阳市北关区教育局".into());
    let v = dup.value(3, "new_received", Some("total")).unwrap();
    dup = dup.cell(3, "new_received", Some("total"), Some(v + 7.0), "printed");
    docs.push(dup);
    docs
}

#[test]
fn balanced_panel_whatever_the_title_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = province();
    write_part(out, 0, &docs);
    analyze(out, &opts()).unwrap();
    let panel = read_dataset(out, Dataset::Panel).unwrap();
    // One row per agency-year: 13 agencies × 4 years.
    assert_eq!(panel.height(), 13 * 4);
    let ids: std::collections::BTreeSet<String> = (0..panel.height())
        .filter_map(|i| str_at(&panel, "agency_id", i))
        .collect();
    assert_eq!(ids.len(), 13, "{ids:?}");
    let agencies = read_dataset(out, Dataset::Agencies).unwrap();
    assert_eq!(agencies.height(), 13);
    for i in 0..agencies.height() {
        assert_eq!(
            str_at(&agencies, "years_present", i).as_deref(),
            Some("2020;2021;2022;2023")
        );
        let forms = str_at(&agencies, "name_forms", i).unwrap();
        assert!(forms.split(';').count() >= 2, "{forms}");
    }
    let civil = (0..agencies.height())
        .find(|&i| {
            str_at(&agencies, "agency_core", i).as_deref() == Some("民政局")
                && str_at(&agencies, "region_code", i).as_deref() == Some("410503")
        })
        .unwrap();
    assert_eq!(
        str_at(&agencies, "sector", civil).as_deref(),
        Some("civil_affairs")
    );
    assert_eq!(
        str_at(&agencies, "agency_level", civil).as_deref(),
        Some("county")
    );
    assert!(
        str_at(&agencies, "ambiguity", civil)
            .unwrap()
            .contains("bracket_forms")
    );
    let city = row_of(&agencies, "region_code", "410500");
    assert_eq!(
        str_at(&agencies, "agency_level", city).as_deref(),
        Some("prefecture")
    );
    assert_eq!(
        str_at(&agencies, "sector", city).as_deref(),
        Some("education")
    );
    // The county rollup counts each agency once.
    let regions = read_dataset(out, Dataset::Regions).unwrap();
    let years = regions.column("year").unwrap().i32().unwrap().clone();
    let levels = regions.column("level").unwrap().str().unwrap().clone();
    let codes = regions
        .column("region_code")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let n = regions
        .column("n_agency_reports")
        .unwrap()
        .i32()
        .unwrap()
        .clone();
    for i in 0..regions.height() {
        let expect = match (levels.get(i).unwrap(), codes.get(i).unwrap()) {
            ("county", _) => 4,
            ("national", "000000") | ("province", "410000") | ("prefecture", "410500") => 13,
            other => panic!("unexpected region row {other:?}"),
        };
        assert_eq!(
            n.get(i),
            Some(expect),
            "{:?} {:?}",
            years.get(i),
            codes.get(i)
        );
    }
    // Year-on-year across title forms: every 2021+ row has a previous year.
    let y = panel.column("year").unwrap().i32().unwrap().clone();
    for i in 0..panel.height() {
        let prev = f64_at(&panel, "new_received_prev_year", i);
        assert_eq!(prev.is_some(), y.get(i) != Some(2020), "row {i}");
    }
    // Continuity: broken once (2022, first district, first agency), unknown in 2020.
    let bad = row_of(&panel, "report_id", "p2022_0_0");
    assert_eq!(bool_at(&panel, "continuity_ok", bad), Some(false));
    assert_eq!(f64_at(&panel, "prev_carried_forward", bad), Some(2.0));
    let good = row_of(&panel, "report_id", "p2022_1_0");
    assert_eq!(bool_at(&panel, "continuity_ok", good), Some(true));
    let first = row_of(&panel, "report_id", "p2020_1_0");
    assert_eq!(bool_at(&panel, "continuity_ok", first), None);
    // The disagreeing duplicate is kept visible.
    let kept = row_of(&panel, "report_id", "p2023_1_1");
    assert_eq!(bool_at(&panel, "conflicting_duplicate", kept), Some(true));
    assert_eq!(f64_at(&panel, "duplicate_spread", kept), Some(7.0));
    let single = row_of(&panel, "report_id", "p2023_0_1");
    assert_eq!(
        bool_at(&panel, "conflicting_duplicate", single),
        Some(false)
    );
    assert_eq!(f64_at(&panel, "duplicate_spread", single), None);
    // small_n and the correction rate implied by the printed total.
    let c = row_of(&panel, "report_id", "city2021");
    assert_eq!(bool_at(&panel, "small_n", c), Some(true));
    assert_eq!(f64_at(&panel, "review_correction_rate", c), Some(0.0));
    assert_eq!(bool_at(&panel, "small_n", kept), Some(false));
    // Without checks_unverified from the extract stage, checks_ok is unknown.
    assert_eq!(bool_at(&panel, "checks_ok", kept), None);
}

#[test]
fn regions_give_pooled_and_mean_rates_and_national_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let docs = vec![
        Doc::new("a", "文峰区民政局", 2022, "410502", "河南省安阳市文峰区")
            .t3("new_received", [1, 0, 0, 0, 0, 0])
            .t3("granted", [1, 0, 0, 0, 0, 0])
            .t3("partially_granted", [0, 0, 0, 0, 0, 0])
            .t3("processed_total", [1, 0, 0, 0, 0, 0]),
        Doc::new("b", "二七区民政局", 2022, "410103", "河南省郑州市二七区")
            .t3("new_received", [99, 0, 0, 0, 0, 0])
            .t3("granted", [0, 0, 0, 0, 0, 0])
            .t3("partially_granted", [0, 0, 0, 0, 0, 0])
            .t3("processed_total", [99, 0, 0, 0, 0, 0]),
    ];
    write_part(out, 0, &docs);
    analyze(out, &opts()).unwrap();
    let regions = read_dataset(out, Dataset::Regions).unwrap();
    let nat = row_of(&regions, "level", "national");
    assert_eq!(
        str_at(&regions, "region_code", nat).as_deref(),
        Some("000000")
    );
    assert_eq!(
        str_at(&regions, "region_name", nat).as_deref(),
        Some("全国")
    );
    close(
        f64_at(&regions, "substantive_disclosure_rate", nat),
        Some(0.01),
        "pooled",
    );
    close(
        f64_at(&regions, "substantive_disclosure_rate_mean", nat),
        Some(0.5),
        "mean",
    );
    assert_eq!(f64_at(&regions, "n_small_n", nat), Some(1.0));
}

/// Opens the workbook with LibreOffice (headless, every sheet to CSV) and
/// compares each dataset sheet with the CSV export of the same options.
#[test]
fn xlsx_opens_in_libreoffice_and_matches_the_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    write_part(out, 0, &all_docs());
    analyze(out, &opts()).unwrap();
    let datasets = [
        Dataset::Panel,
        Dataset::Regions,
        Dataset::Agencies,
        Dataset::Requests,
    ];
    let zh = ExportOptions::default();
    let book = ogi_analyze::export_xlsx(out, &datasets, &zh, None).unwrap();
    assert_eq!(book, out.join("exports").join("ogi.xlsx"));
    let conv = out.join("lo");
    let profile = format!("file://{}", out.join("lo-profile").display());
    let o = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--convert-to",
            // UTF-8, every sheet (-1), raw values (not as shown).
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,false,false,false,false,-1",
            "--outdir",
        ])
        .arg(&conv)
        .arg(&book)
        .output()
        .expect(
            "LibreOffice (soffice) is installed: scripts/test.sh installs libreoffice-calc-nogui",
        );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for d in datasets {
        let sheet = conv.join(format!("ogi-{}.csv", d.name()));
        let (lh, lrows) = read_csv_plain(&sheet);
        let csv = export_csv(out, d, &zh, Some(&out.join(format!("{}.csv", d.name())))).unwrap();
        let (ch, crows) = read_csv(&csv);
        assert_eq!(lh, ch, "{d}: headers");
        assert!(
            lh.iter().any(|h| h.chars().any(|c| c > '\u{4e00}')),
            "Chinese headers"
        );
        assert_eq!(lrows.len(), crows.len(), "{d}: rows");
        for (lr, cr) in lrows.iter().zip(&crows) {
            for ((l, c), h) in lr.iter().zip(cr).zip(&ch) {
                // LibreOffice writes a percent-formatted cell with its % sign.
                let lv = match l.strip_suffix('%') {
                    Some(p) => p.parse::<f64>().map(|v| v / 100.0),
                    None => l.parse::<f64>(),
                };
                // Shown as 0.0%: equal to a thousandth.
                let tol = if l.ends_with('%') { 0.0005 } else { 0.00005 };
                match (lv, c.parse::<f64>()) {
                    (Ok(a), Ok(b)) => assert!(
                        (a - b).abs() <= tol * b.abs().max(1.0),
                        "{d} {h}: {a} vs {b}"
                    ),
                    _ => assert_eq!(l, c, "{d} {h}"),
                }
            }
        }
    }
    let (vh, vrows) = read_csv_plain(&conv.join("ogi-value_labels.csv"));
    assert_eq!(vh, ["column", "value", "label_zh", "label_en"]);
    assert!(
        vrows
            .iter()
            .any(|r| r[1] == "natural_person" && r[2] == "自然人")
    );
    let (_, cb) = read_csv_plain(&conv.join("ogi-codebook.csv"));
    assert!(
        cb.iter()
            .any(|r| r[1] == "admin_fees_10k_cny" && r[3].contains("万元"))
    );
}

/// A dataset longer than a sheet continues on `<name>_2`, `<name>_3`, …, each
/// with the header, the rows in order and none lost (a small sheet limit
/// stands in for Excel's 1 048 575 rows).
#[test]
fn xlsx_continues_a_long_dataset_on_further_sheets() {
    use calamine::{Reader as _, Xlsx, open_workbook};
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    write_part(out, 0, &all_docs());
    analyze(out, &opts()).unwrap();
    let en = ExportOptions {
        lang: Lang::En,
        headers: Headers::Short,
    };
    let csv = export_csv(out, Dataset::Requests, &en, Some(&out.join("r.csv"))).unwrap();
    let (ch, crows) = read_csv(&csv);
    let per_sheet = 10;
    assert!(crows.len() > 2 * per_sheet, "{} rows", crows.len());
    let book = ogi_analyze::export_xlsx_sheet_rows(
        out,
        &[Dataset::Requests, Dataset::Agencies],
        &en,
        Some(&out.join("small.xlsx")),
        per_sheet,
    )
    .unwrap();
    let mut wb: Xlsx<_> = open_workbook(&book).unwrap();
    let names = wb.sheet_names();
    let parts = crows.len().div_ceil(per_sheet);
    let expected: Vec<String> = (0..parts)
        .map(|i| ogi_analyze::sheet_name(Dataset::Requests, i))
        .collect();
    assert_eq!(&names[..parts], &expected[..]);
    assert_eq!(expected[1], "requests_2");
    assert!(names[parts].starts_with("agencies"));
    let rid = ch.iter().position(|h| h == "report_id").unwrap();
    let app = ch.iter().position(|h| h == "applicant").unwrap();
    let mut got: Vec<(String, String)> = Vec::new();
    for name in &expected {
        let range = wb.worksheet_range(name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(header, ch, "{name}: header");
        let body: Vec<_> = rows.collect();
        assert!(body.len() <= per_sheet && !body.is_empty(), "{name}");
        got.extend(
            body.iter()
                .map(|r| (r[rid].to_string(), r[app].to_string())),
        );
    }
    let want: Vec<(String, String)> = crows
        .iter()
        .map(|r| (r[rid].clone(), r[app].clone()))
        .collect();
    assert_eq!(got, want, "every row once, in order");
}

/// A CSV without BOM (LibreOffice's output).
fn read_csv_plain(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

/// The cells are reduced part by part: a report whose cells lie in two
/// parts (a part cut in the middle of a report) and one pass per year must
/// give the same datasets, byte for byte, as one part and one pass.
#[test]
fn cells_cut_across_parts_and_passes_give_the_same_datasets() {
    let docs = all_docs();
    let whole = tempfile::tempdir().unwrap();
    write_part(whole.path(), 0, &docs);
    analyze(whole.path(), &opts()).unwrap();

    let cut = tempfile::tempdir().unwrap();
    let write = |table: &str, idx: usize, mut df: DataFrame| {
        let dir = cut.path().join("extract").join(table);
        fs::create_dir_all(&dir).unwrap();
        let f = fs::File::create(dir.join(format!("part-{idx:05}.parquet"))).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
    };
    write("reports", 0, reports_frame(&docs));
    let cells = cells_frame(&docs);
    // Cut inside a report: the cells either side of the cut share a report_id.
    let ids = cells.column("report_id").unwrap().str().unwrap().clone();
    let mid = (1..cells.height())
        .find(|&i| i >= cells.height() / 2 && ids.get(i) == ids.get(i - 1))
        .expect("a report with several cells after the middle");
    write("cells", 0, cells.slice(0, mid));
    write("cells", 1, cells.slice(mid as i64, cells.height() - mid));
    let summary = analyze(
        cut.path(),
        &AnalyzeOptions {
            cells_per_pass: Some(1),
            ..opts()
        },
    )
    .unwrap();
    assert!(
        summary.years_recomputed.len() > 2,
        "several years, so several passes"
    );

    let (a, b) = (dataset_files(whole.path()), dataset_files(cut.path()));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "files differ: {differ:?}");
}
