//! The site stage: the static explorer of OUT's datasets (`ogi site`, and the
//! last step of `ogi demo`), wired to the crawler's raw-store layout.

use crate::messages;
use ogi_site::{Lang, SiteOptions, SiteSummary};
use std::path::Path;

/// The site's options: the language and the raw store's layout (from the crawler).
pub fn options(lang: Lang) -> SiteOptions {
    SiteOptions {
        lang,
        raw_path: Some(ogi_crawler::raw::raw_path),
    }
}

/// Builds the site of `out` into `dest` and says where it is.
pub fn build(out: &Path, dest: &Path, lang: Lang) -> anyhow::Result<SiteSummary> {
    let s = ogi_site::build(out, dest, &options(lang))?;
    eprintln!("{}", messages::site_written(&s));
    Ok(s)
}
