//! Every sentence ogi says to its user about what went wrong (or what it is
//! doing outside the normal output), in one place so the wording stays
//! consistent and can be reviewed at once. Commands print results; the
//! wording of errors and notices comes from here.

use std::fmt::Display;
use std::path::Path;

/// The last line of a run that could not be carried out (exit code 2).
pub fn fatal(err: &anyhow::Error) -> String {
    format!("ogi: error: {err:#}")
}

/// Said after [`fatal`] when the error is a failed write (disk full, read-only, …).
pub const WRITE_FAILURE_HINT: &str = "ogi: the output directory could not be written (disk full, read-only, \
     or over a file-size limit); what was stored before is unchanged. \
     Free space or fix permissions, then run again.";

/// Another ogi command (crawl, import, extract, analyze, run) holds the run lock
/// of OUT; `holder` is what the holder wrote about itself (`pid … on … since …`).
pub fn run_locked(stage: &str, out: &Path, lock: &Path, holder: Option<&str>) -> String {
    format!(
        "cannot start ogi {stage}: another ogi command is using {} (run lock {} is held{}); \
         wait for it to finish, or stop it",
        out.display(),
        lock.display(),
        holder.map(|h| format!(" by {h}")).unwrap_or_default()
    )
}

/// The run lock of OUT could not be created or taken (not because it is held).
pub fn lock_failed(out: &Path) -> String {
    format!("taking the run lock of {}", out.display())
}

/// `ogi status` on a directory nothing has run in.
pub fn nothing_ran_in(out: &Path) -> String {
    format!(
        "{} does not exist: nothing has run there yet",
        out.display()
    )
}

/// `ogi serve-sample` asked to bind a non-loopback address.
pub fn sample_not_loopback(addr: impl Display) -> String {
    format!("the sample portal only binds loopback addresses, not {addr}")
}

/// The registry has no `sample-*` portals for `ogi demo`.
pub fn no_sample_portals(registry: &Path) -> String {
    format!("no sample-* portals in {}", registry.display())
}

/// The sample portal could not start.
pub fn sample_start_failed(root: &Path) -> String {
    format!("starting the sample portal from {}", root.display())
}

/// Notice: where the sample portal serves.
pub fn sample_serving(root: &Path, addr: impl Display) -> String {
    format!("sample portal serving {} on http://{addr}/", root.display())
}

/// `ogi demo` could not compute headline figures (the outputs are still there).
pub fn no_headline(err: &anyhow::Error) -> String {
    format!("ogi demo: no headline figures: {err:#}")
}

/// Notice: where `ogi site` wrote the site and how big it is.
pub fn site_written(s: &ogi_site::SiteSummary) -> String {
    format!(
        "site: {} agencies, {} reports, {} region pages, {} files ({:.1} MB) in {} (read {} ms, written {} ms)",
        s.agencies,
        s.reports,
        s.regions,
        s.files,
        s.bytes as f64 / 1e6,
        s.dest.display(),
        s.read_ms,
        s.write_ms
    )
}

/// `ogi demo` could not build the site (the datasets are still there).
pub fn no_site(err: &anyhow::Error) -> String {
    format!("ogi demo: no site: {err:#}")
}

/// `ogi parse`: a file was read but is not a parsed report.
pub fn not_parsed(source: &str, status: &str, flags: &[String]) -> String {
    format!("ogi parse: {source}: {status} {}", flags.join(" "))
}

/// `ogi parse`: a file was read in part (`completeness` is 0–1); `explaining`:
/// `--explain` was given, so the hint to use it is left out.
pub fn partial(source: &str, completeness: f64, explaining: bool) -> String {
    format!(
        "ogi parse: {source}: partial, {:.1} % of template cells read{}",
        completeness * 100.0,
        if explaining {
            ""
        } else {
            " (--explain tells which and why)"
        }
    )
}

/// `ogi parse`: a file could not be read.
pub fn unreadable(err: &anyhow::Error) -> String {
    format!("ogi parse: {err:#}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_and_where() {
        let e = anyhow::anyhow!("disk full").context("writing x");
        assert_eq!(fatal(&e), "ogi: error: writing x: disk full");
        let m = run_locked(
            "run",
            Path::new("/o"),
            Path::new("/o/ogi.lock"),
            Some("pid 7"),
        );
        assert!(m.contains("another ogi command") && m.contains("/o/ogi.lock is held by pid 7"));
        assert_eq!(
            not_parsed("a.pdf", "needs_ocr", &["scanned".into()]),
            "ogi parse: a.pdf: needs_ocr scanned"
        );
    }
}
