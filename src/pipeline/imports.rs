//! Local documents in the raw store: `ogi import` copies files into
//! `OUT/raw` (content-addressed, like the crawler) and lists them in
//! `OUT/import/documents.jsonl`, which the extract stage reads beside the
//! crawl state. The source of an imported document is its path (or the URL
//! given in the hints CSV).
//!
//! Hints (`--hints FILE`, CSV with a header; columns `path` and any of
//! `source`, `agency`, `year`): `path` is matched against the imported
//! file's path as given on the command line, its absolute path or its file
//! name. Agency and year hints fill only what the document does not say
//! itself, and are flagged (`agency_from_hint`, `year_from_hint`).

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One imported document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// Where it came from: the hint's URL, else its absolute path.
    pub source: String,
    /// SHA-256 of the bytes (the report id).
    pub sha256: String,
    /// Name of the local file (its extension tells the format).
    pub file_name: String,
    /// Agency name to use when the document names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_hint: Option<String>,
    /// Reporting year to use when the document gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_hint: Option<i32>,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
}

/// What `ogi import` did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportStats {
    /// Files looked at.
    pub files: usize,
    /// Newly listed (a new source or new content).
    pub imported: usize,
    /// Already listed with the same content.
    pub unchanged: usize,
    /// Skipped: not a document type the extractor reads.
    pub skipped: usize,
    /// Hints applied.
    pub with_hints: usize,
}

/// File extensions of documents the extract stage can read (or classify).
const DOC_EXTENSIONS: [&str; 19] = [
    "html", "htm", "shtml", "xhtml", "txt", "text", "md", "pdf", "doc", "docx", "wps", "rtf",
    "odt", "xls", "xlsx", "et", "png", "jpg", "jpeg",
];

/// `OUT/import/documents.jsonl`.
pub fn manifest_path(out: &Path) -> PathBuf {
    out.join("import").join("documents.jsonl")
}

/// The imported documents listed in OUT (empty when nothing was imported).
pub fn list(out: &Path) -> Result<Vec<Imported>> {
    let path = manifest_path(out);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

/// A hint row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hint {
    /// URL to record as the source.
    pub source: Option<String>,
    /// Agency name.
    pub agency: Option<String>,
    /// Reporting year.
    pub year: Option<i32>,
}

/// Reads a hints CSV (header with `path` and any of `source`, `agency`, `year`).
pub fn read_hints(path: &Path) -> Result<BTreeMap<String, Hint>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let idx = |n: &str| header.iter().position(|h| h == n);
    let p = idx("path").context("hints CSV needs a `path` column")?;
    let (s, a, y) = (idx("source"), idx("agency"), idx("year"));
    let mut hints = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        let get = |j: Option<usize>| {
            j.and_then(|j| rec.get(j))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let Some(key) = get(Some(p)) else { continue };
        let year = match get(y) {
            Some(v) => Some(
                v.parse::<i32>()
                    .with_context(|| format!("hints row {}: year {v:?}", i + 2))?,
            ),
            None => None,
        };
        hints.insert(
            key,
            Hint {
                source: get(s),
                agency: get(a),
                year,
            },
        );
    }
    Ok(hints)
}

/// Every document file under `paths` (files as given, folders walked
/// recursively in name order; hidden entries skipped). Returns the files
/// and the number skipped for their type.
pub fn collect_files(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, usize)> {
    fn walk(p: &Path, files: &mut Vec<PathBuf>, skipped: &mut usize) -> Result<()> {
        let meta = std::fs::metadata(p).with_context(|| format!("reading {}", p.display()))?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("listing {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|e| {
                    !e.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            entries.sort();
            for e in entries {
                walk(&e, files, skipped)?;
            }
        } else if is_document(p) {
            files.push(p.to_path_buf());
        } else {
            *skipped += 1;
        }
        Ok(())
    }
    let (mut files, mut skipped) = (Vec::new(), 0);
    for p in paths {
        walk(p, &mut files, &mut skipped)?;
    }
    Ok((files, skipped))
}

fn is_document(p: &Path) -> bool {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| DOC_EXTENSIONS.contains(&e.as_str()))
}

fn hint_for<'a>(hints: &'a BTreeMap<String, Hint>, given: &Path, abs: &Path) -> Option<&'a Hint> {
    let name = given.file_name().map(|n| n.to_string_lossy().to_string());
    [
        Some(given.display().to_string()),
        Some(abs.display().to_string()),
        name,
    ]
    .into_iter()
    .flatten()
    .find_map(|k| hints.get(&k))
}

/// Imports `paths` into `out`'s raw store and lists them (idempotent: the
/// same file again changes nothing; new content under the same source is a
/// new document, as a revised report fetched again would be).
pub fn import(
    out: &Path,
    paths: &[PathBuf],
    hints: &BTreeMap<String, Hint>,
    now: &str,
) -> Result<ImportStats> {
    let (files, skipped) = collect_files(paths)?;
    let mut listed = list(out)?;
    let mut stats = ImportStats {
        files: files.len() + skipped,
        skipped,
        ..ImportStats::default()
    };
    for f in &files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let (sha, _) = ogi_crawler::raw::put(out, &bytes)
            .with_context(|| format!("storing {}", f.display()))?;
        let abs = std::path::absolute(f).unwrap_or_else(|_| f.clone());
        let hint = hint_for(hints, f, &abs);
        stats.with_hints += usize::from(hint.is_some());
        let source = hint
            .and_then(|h| h.source.clone())
            .unwrap_or_else(|| abs.display().to_string());
        let entry = Imported {
            source,
            sha256: sha,
            file_name: f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            agency_hint: hint.and_then(|h| h.agency.clone()),
            year_hint: hint.and_then(|h| h.year),
            imported_at: now.to_string(),
        };
        match listed
            .iter_mut()
            .find(|e| e.source == entry.source && e.sha256 == entry.sha256)
        {
            Some(e) if e.agency_hint == entry.agency_hint && e.year_hint == entry.year_hint => {
                stats.unchanged += 1
            }
            Some(e) => {
                e.agency_hint = entry.agency_hint;
                e.year_hint = entry.year_hint;
                stats.imported += 1;
            }
            None => {
                listed.push(entry);
                stats.imported += 1;
            }
        }
    }
    let mut text = String::new();
    for e in &listed {
        text.push_str(&serde_json::to_string(e)?);
        text.push('\n');
    }
    ogi_util::write_atomic(&manifest_path(out), text.as_bytes())?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_is_idempotent_and_applies_hints() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("reports");
        std::fs::create_dir_all(src.join("sub")).unwrap();
        std::fs::write(src.join("a.txt"), "甲").unwrap();
        std::fs::write(src.join("sub").join("b.html"), "<p>乙</p>").unwrap();
        std::fs::write(src.join("style.css"), "x").unwrap();
        std::fs::write(src.join(".hidden.txt"), "x").unwrap();
        let out = d.path().join("out");
        let mut hints = BTreeMap::new();
        hints.insert(
            "b.html".to_string(),
            Hint {
                source: Some("https://www.example.gov.cn/b.html".into()),
                agency: Some("某某区民政局".into()),
                year: Some(2022),
            },
        );
        let s = import(
            &out,
            std::slice::from_ref(&src),
            &hints,
            "2026-01-01T00:00:00Z",
        )
        .unwrap();
        assert_eq!((s.files, s.imported, s.skipped, s.with_hints), (3, 2, 1, 1));
        let l = list(&out).unwrap();
        assert_eq!(l.len(), 2);
        let b = l.iter().find(|e| e.source.ends_with("b.html")).unwrap();
        assert_eq!(b.source, "https://www.example.gov.cn/b.html");
        assert_eq!(b.year_hint, Some(2022));
        assert!(ogi_crawler::raw::raw_path(&out, &b.sha256).is_file());
        let a = l.iter().find(|e| e.source.ends_with("a.txt")).unwrap();
        assert!(Path::new(&a.source).is_absolute());
        let again = import(&out, &[src], &hints, "2026-01-02T00:00:00Z").unwrap();
        assert_eq!((again.imported, again.unchanged), (0, 2));
        assert_eq!(list(&out).unwrap(), l);
    }

    #[test]
    fn hints_csv_is_read() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("hints.csv");
        std::fs::write(
            &p,
            "\u{feff}path,source,agency,year\na.pdf,https://x.gov.cn/a.pdf,某局,2021\nb.pdf,,,\n",
        )
        .unwrap();
        let h = read_hints(&p).unwrap();
        assert_eq!(h["a.pdf"].year, Some(2021));
        assert_eq!(h["b.pdf"], Hint::default());
        std::fs::write(&p, "path,year\na.pdf,twenty\n").unwrap();
        assert!(read_hints(&p).is_err());
    }
}
