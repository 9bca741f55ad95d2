//! A folder of local reports goes to datasets in three commands:
//! `ogi import DIR`, `ogi extract`, `ogi analyze` (no crawl state needed).

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn ogi(args: &[&str]) -> String {
    ogi_testkit::cli::run_ok(env!("CARGO_BIN_EXE_ogi"), Path::new(ROOT), args)
}

fn csv_rows(p: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = vec![rdr.headers().unwrap().iter().map(str::to_string).collect()];
    rows.extend(
        rdr.records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect()),
    );
    rows
}

#[test]
fn local_folder_to_datasets_in_three_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("downloads");
    std::fs::create_dir_all(docs.join("2023")).unwrap();
    let seeds = Path::new(ROOT).join("extract/tests/fixtures/seeds");
    let mut n = 0;
    for e in std::fs::read_dir(&seeds).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "txt") {
            let name = p.file_name().unwrap();
            let dest = if p.to_string_lossy().contains("2023") {
                docs.join("2023").join(name)
            } else {
                docs.join(name)
            };
            std::fs::copy(&p, dest).unwrap();
            n += 1;
        }
    }
    std::fs::write(docs.join("site.css"), "body{}").unwrap();
    let hints = tmp.path().join("hints.csv");
    std::fs::write(
        &hints,
        "path,source,agency,year\n003_df7582ad909b4c7e.txt,https://www.erqi.example/2022.html,,\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    let docs_s = docs.to_str().unwrap();

    let hints_s = hints.to_str().unwrap();
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&ogi(args)).unwrap() };
    let import = || json(&["import", docs_s, "--out", out_s, "--hints", hints_s]);
    let extract = || json(&["extract", "--out", out_s]);

    let imported = import();
    assert_eq!(imported["imported"], n);
    assert_eq!(imported["skipped"], 1);
    let extracted = extract();
    assert_eq!(extracted["extracted"], n);
    assert_eq!(extracted["parsed"], n);
    ogi(&["analyze", "--out", out_s]);

    let dest = tmp.path().join("panel.csv");
    ogi(&[
        "export",
        "csv",
        "--out",
        out_s,
        "--dataset",
        "panel",
        "--lang",
        "en",
        "--dest",
        dest.to_str().unwrap(),
    ]);
    let rows = csv_rows(&dest);
    let h = &rows[0];
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    assert_eq!(rows.len() - 1, n, "one panel row per local report");
    let sources: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r[col("source")].as_str())
        .collect();
    assert!(
        sources.contains(&"https://www.erqi.example/2022.html"),
        "{sources:?}"
    );
    for s in sources.iter().filter(|s| !s.starts_with("https://")) {
        assert!(Path::new(s).is_absolute() && s.starts_with(docs_s), "{s}");
    }
    // The narrative of seed 003 says it collected no information processing fee.
    let erqi = rows[1..]
        .iter()
        .find(|r| r[col("agency")] == "二七区人民政府办公室")
        .unwrap();
    assert_eq!(erqi[col("info_processing_fees_cny")], "0");
    assert_eq!(erqi[col("narrative_new_received")], "62");
    assert!(!erqi[col("agency_id")].is_empty());

    // Importing again changes nothing, and extract finds nothing new.
    let again = import();
    assert_eq!(again["imported"], 0);
    let extracted = extract();
    assert_eq!(extracted["extracted"], 0);
}
