//! `ogi site`: the static explorer of OUT's datasets.

use crate::config::Config;
use crate::pipeline::site_stage;
use clap::{Args, ValueEnum};
use ogi_site::Lang;
use std::path::PathBuf;

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

/// Writes the site and prints the path of its entry page.
pub fn run(args: SiteArgs, cfg: &Config) -> anyhow::Result<i32> {
    let out = cfg.out(args.out);
    let dest = args.dest.unwrap_or_else(|| ogi_site::default_dest(&out));
    let lang = match args.lang {
        SiteLang::Zh => Lang::Zh,
        SiteLang::En => Lang::En,
    };
    let s = site_stage::build(&out, &dest, lang)?;
    println!("{}", s.index.display());
    Ok(0)
}
