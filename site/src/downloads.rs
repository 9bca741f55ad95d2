//! The downloads page: the CSV/XLSX exports and the codebook of OUT/exports,
//! copied into the site (`downloads/`) so the folder stands alone; a file
//! over [`MAX_COPY_BYTES`] is listed with its place in OUT instead.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::html::{Page, esc, render, table, thousands};
use crate::i18n::Lang;

/// Largest export copied into the site.
pub const MAX_COPY_BYTES: u64 = 256 * 1024 * 1024;

/// One export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// File name.
    pub name: String,
    /// Where it is in OUT.
    pub path: PathBuf,
    /// Size in bytes.
    pub bytes: u64,
}

impl Export {
    /// Whether it is copied into the site.
    pub fn copied(&self) -> bool {
        self.bytes <= MAX_COPY_BYTES
    }
}

/// The export files (`.csv`, `.xlsx`, `.md`) of OUT/exports, by name.
pub fn list(out: &Path) -> Result<Vec<Export>> {
    let dir = out.join("exports");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for e in entries {
        let e = e.with_context(|| format!("listing {}", dir.display()))?;
        let name = e.file_name().to_string_lossy().to_string();
        let keep = [".csv", ".xlsx", ".md"].iter().any(|x| name.ends_with(x));
        if !keep || name.starts_with('.') {
            continue;
        }
        let meta = e
            .metadata()
            .with_context(|| format!("reading {}", e.path().display()))?;
        if meta.is_file() {
            files.push(Export {
                name,
                path: e.path(),
                bytes: meta.len(),
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Copies the exports small enough into `dir` (a hard link when possible).
pub fn copy(files: &[Export], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for f in files.iter().filter(|f| f.copied()) {
        let dest = dir.join(&f.name);
        if std::fs::hard_link(&f.path, &dest).is_err() {
            std::fs::copy(&f.path, &dest)
                .with_context(|| format!("copying {} to {}", f.path.display(), dest.display()))?;
        }
    }
    Ok(())
}

fn describe(name: &str, lang: Lang) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if let Ok(d) = stem.parse::<ogi_analyze::Dataset>() {
        let (zh, en) = d.description();
        return lang.pick(zh, en).to_string();
    }
    match stem {
        "codebook" | "CODEBOOK" => lang.t().codebook.to_string(),
        "value_labels" => lang
            .pick("编码值说明", "Labels of coded values")
            .to_string(),
        "compliance" => lang.t().compliance.to_string(),
        _ => String::new(),
    }
}

/// The downloads page.
pub fn page(files: &[Export], lang: Lang) -> String {
    let t = lang.t();
    let mut body = format!("<p class=\"lead\">{}</p>", esc(t.downloads_lead));
    let head = vec![esc(t.file), esc(lang.pick("内容", "Contents")), esc(t.size)];
    let rows: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            let link = if f.copied() {
                format!("<a href=\"downloads/{0}\" download>{0}</a>", esc(&f.name))
            } else {
                format!(
                    "{} <small>({} {})</small>",
                    esc(&f.name),
                    esc(t.too_large),
                    esc(&f.path.display().to_string())
                )
            };
            vec![
                link,
                esc(&describe(&f.name, lang)),
                format!("{} KB", thousands(f.bytes.div_ceil(1024) as i64)),
            ]
        })
        .collect();
    body.push_str(&table("", &head, &rows));
    if files.is_empty() {
        let _ = write!(
            body,
            "<p>{}</p>",
            esc(lang.pick(
                "没有导出文件（先运行 ogi analyze 或 ogi run）。",
                "No exports (run ogi analyze or ogi run first)."
            ))
        );
    }
    render(&Page {
        title: t.nav_downloads,
        root: "",
        lang,
        kind: "downloads",
        crumbs: Vec::new(),
        body,
    })
}
