//! `ogi site`: the static explorer of OUT's datasets.

use crate::config::Config;
use crate::messages;
use clap::{Args, ValueEnum};
use ogi_site::{Lang, SiteOptions};
use std::path::{Path, PathBuf};

/// Language of the site.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SiteLang {
    /// Chinese.
    Zh,
    /// English.
    En,
}

/// Arguments of `ogi site`.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Output directory holding the datasets.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Folder to write the site into (default: OUT/site).
    #[arg(long)]
    dest: Option<PathBuf>,
    /// Language of the site.
    #[arg(long, value_enum, default_value = "zh")]
    lang: SiteLang,
}

/// The site's options: the language and the raw store's layout (from the crawler).
pub fn options(lang: SiteLang) -> SiteOptions {
    SiteOptions {
        lang: match lang {
            SiteLang::Zh => Lang::Zh,
            SiteLang::En => Lang::En,
        },
        raw_path: Some(ogi_crawler::raw::raw_path),
    }
}

/// Builds the site of `out` into `dest` and says where it is.
pub fn build(out: &Path, dest: &Path, lang: SiteLang) -> anyhow::Result<ogi_site::SiteSummary> {
    let s = ogi_site::build(out, dest, &options(lang))?;
    eprintln!("{}", messages::site_written(&s));
    Ok(s)
}

/// Writes the site and prints the path of its entry page.
pub fn run(args: SiteArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out(args.out);
    let dest = args.dest.unwrap_or_else(|| ogi_site::default_dest(&out));
    let s = build(&out, &dest, args.lang)?;
    println!("{}", s.index.display());
    Ok(0)
}
