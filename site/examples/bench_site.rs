//! Benchmark: build the site of an existing OUT (e.g. one written by
//! `ogi-analyze`'s `bench_analyze` example) and report the time, the size
//! of the folder and the peak RSS.
//!
//! ```text
//! cargo run --release -p ogi-analyze --example bench_analyze -- --n 1000000 --out /tmp/ogi-bench --no-python
//! cargo run --release -p ogi-site --example bench_site -- --out /tmp/ogi-bench
//! ```
//! Options: `--out DIR` (required), `--dest DIR` (default OUT/site), `--lang zh|en`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, Result};
use ogi_site::{Lang, SiteOptions, build, default_dest};

/// Peak resident set size of this process in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    ogi_util::memory::peak_rss_bytes().map(|b| b as f64 / 1048576.0)
}

/// Total size of the files under `dir` in bytes, and their number.
fn du(dir: &std::path::Path) -> (u64, usize) {
    let mut total = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return total;
    };
    for e in entries.flatten() {
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            let (b, n) = du(&e.path());
            total.0 += b;
            total.1 += n;
        } else {
            total.0 += meta.len();
            total.1 += 1;
        }
    }
    total
}

fn main() -> Result<()> {
    let mut out: Option<PathBuf> = None;
    let mut dest: Option<PathBuf> = None;
    let mut lang = Lang::Zh;
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--out" => out = Some(it.next().context("--out DIR")?.into()),
            "--dest" => dest = Some(it.next().context("--dest DIR")?.into()),
            "--lang" => lang = it.next().context("--lang zh|en")?.parse()?,
            other => anyhow::bail!("unknown argument {other:?}"),
        }
    }
    let out = out.context("--out DIR is required")?;
    let dest = dest.unwrap_or_else(|| default_dest(&out));
    let opts = SiteOptions {
        lang,
        raw_path: None,
    };
    let t = Instant::now();
    let s = build(&out, &dest, &opts)?;
    let wall = t.elapsed().as_secs_f64();
    let (bytes, files) = du(&dest);
    println!(
        "site of {}: {} reports, {} agencies, {} region pages, {} shards",
        out.display(),
        s.reports,
        s.agencies,
        s.regions,
        s.shards
    );
    println!(
        "wall {wall:.1} s (read {:.1} s, render+write {:.1} s); folder {files} files, {:.1} MiB; peak RSS {:.0} MiB",
        s.read_ms as f64 / 1e3,
        s.write_ms as f64 / 1e3,
        bytes as f64 / 1048576.0,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    let phases: Vec<String> = s
        .phases
        .iter()
        .map(|(name, ms)| format!("{name} {:.1} s", *ms as f64 / 1e3))
        .collect();
    println!("phases: {}", phases.join(", "));
    Ok(())
}
