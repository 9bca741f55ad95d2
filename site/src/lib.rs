//! # ogi-site
//!
//! A static explorer of an ogi output directory: `build(out, dest, opts)`
//! reads OUT's datasets (through `ogi-analyze`) and the extract stage's
//! cells, and writes a self-contained folder that opens from disk or any web
//! server — no database, no server process, no CDN:
//!
//! ```text
//! index.html            overview: national charts (SVG) with their tables, data quality, provinces
//! r/<code>.html         one page per province, prefecture and county
//! agency.html#<id>      one template for every agency, filled from data/a/<shard>.js
//! downloads.html        the CSV/XLSX exports and the codebook (copied into downloads/)
//! data/texts.js         labels for the script; data/search.js the search index
//! assets/               style.css and site.js (small, written here, offline)
//! ```
//!
//! Rendering is pure (page modules take plain data and return strings); the
//! reading is in [`data`] and the writing in [`build`].

#![warn(missing_docs)]

pub mod agency;
pub mod data;
pub mod downloads;
pub mod html;
pub mod i18n;
pub mod overview;
pub mod prov;
pub mod region;
pub mod search;
pub mod svg;

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};

pub use i18n::Lang;

/// The stylesheet (vendored, offline).
pub const STYLE_CSS: &str = include_str!("../assets/style.css");
/// The script: search and the agency page (vendored, offline).
pub const SITE_JS: &str = include_str!("../assets/site.js");

/// Where an archived document lies in OUT: the raw store's layout, given by
/// the crawler (`ogi_crawler::raw::raw_path`), passed in so this crate does
/// not depend on the crawler.
pub type RawPath = fn(&Path, &str) -> PathBuf;

/// Options of [`build`].
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// Language of the site.
    pub lang: Lang,
    /// The raw store's path of a document by SHA-256 (`None`: no archive links).
    pub raw_path: Option<RawPath>,
}

/// What [`build`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSummary {
    /// The site folder.
    pub dest: PathBuf,
    /// Entry page.
    pub index: PathBuf,
    /// Files written.
    pub files: usize,
    /// Bytes written (exports hard-linked or copied included).
    pub bytes: u64,
    /// Agencies and canonical reports shown.
    pub agencies: usize,
    /// Canonical reports shown.
    pub reports: usize,
    /// Region pages.
    pub regions: usize,
    /// Agency data shards.
    pub shards: u32,
    /// Milliseconds spent reading OUT and writing the site.
    pub read_ms: u128,
    /// Milliseconds spent rendering and writing.
    pub write_ms: u128,
}

/// The default site folder of an output directory: `OUT/site`.
pub fn default_dest(out: &Path) -> PathBuf {
    out.join("site")
}

/// `path` relative to the directory `from` (both made absolute first), with
/// `/` separators, for links; `None` when it cannot be expressed.
pub fn relative(from: &Path, path: &Path) -> Option<String> {
    let abs = |p: &Path| -> Option<PathBuf> {
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(p)
        };
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                c => out.push(c),
            }
        }
        Some(out)
    };
    let (from, path) = (abs(from)?, abs(path)?);
    let f: Vec<_> = from.components().collect();
    let p: Vec<_> = path.components().collect();
    let common = f.iter().zip(&p).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    for c in &p[common..] {
        parts.push(c.as_os_str().to_str()?.to_string());
    }
    Some(parts.join("/"))
}

/// Writes one file of the site under `root`.
fn put(root: &Path, rel: &str, bytes: &[u8], count: &mut (usize, u64)) -> Result<()> {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    count.0 += 1;
    count.1 += bytes.len() as u64;
    Ok(())
}

/// Builds the site of `out` into `dest`. The site is written into a
/// temporary sibling folder and put in place at the end (the old one removed),
/// so a failed build leaves the previous site as it was and no stale file
/// of an earlier build survives.
pub fn build(out: &Path, dest: &Path, opts: &SiteOptions) -> Result<SiteSummary> {
    let started = Instant::now();
    let corpus = data::load(out, &agency::tables_json)?;
    let read_ms = started.elapsed().as_millis();
    let started = Instant::now();
    let lang = opts.lang;

    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let name = dest
        .file_name()
        .map_or_else(|| "site".to_string(), |n| n.to_string_lossy().to_string());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).with_context(|| format!("removing {}", tmp.display()))?;
    }
    let mut count = (0usize, 0u64);

    let tree = region::RegionTree::build(&corpus);
    let archive = |sha: &str| -> Option<String> {
        let f = (opts.raw_path?)(out, sha);
        if !f.is_file() {
            return None;
        }
        relative(dest, &f)
    };
    put(&tmp, "assets/style.css", STYLE_CSS.as_bytes(), &mut count)?;
    put(&tmp, "assets/site.js", SITE_JS.as_bytes(), &mut count)?;
    put(
        &tmp,
        "index.html",
        overview::page(&corpus, &tree, lang).as_bytes(),
        &mut count,
    )?;
    for node in tree.nodes.values() {
        let html = region::page(&corpus, &tree, node, lang);
        put(&tmp, &region::href(&node.code), html.as_bytes(), &mut count)?;
    }
    let shards = agency::shards(&corpus, &tree, lang, &archive, &mut |k, js| {
        put(&tmp, &format!("data/a/{k}.js"), js.as_bytes(), &mut count)
    })?;
    put(
        &tmp,
        "data/texts.js",
        agency::texts_js(lang, shards).as_bytes(),
        &mut count,
    )?;
    put(
        &tmp,
        "agency.html",
        agency::page(lang).as_bytes(),
        &mut count,
    )?;
    let entries = search::entries(&corpus, &tree, lang);
    put(
        &tmp,
        "data/search.js",
        search::index_js(&entries).as_bytes(),
        &mut count,
    )?;
    let exports = downloads::list(out)?;
    downloads::copy(&exports, &tmp.join("downloads"))?;
    for e in exports.iter().filter(|e| e.copied()) {
        count.0 += 1;
        count.1 += e.bytes;
    }
    put(
        &tmp,
        "downloads.html",
        downloads::page(&exports, lang).as_bytes(),
        &mut count,
    )?;

    // Put the new site in place.
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if dest.exists() {
        fs::rename(dest, &old)
            .with_context(|| format!("moving the old site {}", dest.display()))?;
    }
    fs::rename(&tmp, dest).with_context(|| format!("moving the site into {}", dest.display()))?;
    if old.exists() {
        fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    let agencies = corpus
        .reports
        .iter()
        .map(|r| r.agency_id.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    Ok(SiteSummary {
        dest: dest.to_path_buf(),
        index: dest.join("index.html"),
        files: count.0,
        bytes: count.1,
        agencies,
        reports: corpus.reports.len(),
        regions: tree.nodes.len(),
        shards,
        read_ms,
        write_ms: started.elapsed().as_millis(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(
            relative(Path::new("/o/site"), Path::new("/o/raw/ab/cd.bin")).as_deref(),
            Some("../raw/ab/cd.bin")
        );
        assert_eq!(
            relative(Path::new("/x/y/site"), Path::new("/x/o/raw/a.bin")).as_deref(),
            Some("../../o/raw/a.bin")
        );
    }
}
