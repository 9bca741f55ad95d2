//! Crash safety of the whole pipeline: `ogi demo` (crawl → extract → analyze →
//! export against the bundled sample portal) is killed with SIGKILL at seeded
//! random moments inside each stage, restarted until it completes, and compared
//! with an uninterrupted run: same raw store, same datasets row for row, no
//! duplicate documents, every file readable and the state database whole
//! (`ogi verify`). Also: a read-only OUT and writes failing as on a full disk
//! give a clear error and damage nothing already stored.
//!
//! `OGI_CRASH_TRIALS` sets the number of kill trials (default 20), `OGI_CRASH_SEED`
//! the seed; `OGI_LONG=1` runs 200 trials and prints a `LONG crash:` summary line.

use arrow::array::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use ogi_testkit::mode::{env_num, long_mode};
use ogi_testkit::synth::Rng;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Requests per second per host: fast, still spaced (erqi asks a Crawl-delay).
const RATE: &str = "200";
/// Log lines that mark the start of each stage (`ogi run` logs them at info).
const STAGES: [&str; 4] = [
    "crawl stage",
    "extract stage",
    "analyze stage",
    "export stage",
];

fn copy_dir(from: &Path, to: &Path) {
    ogi_testkit::fs::copy_dir(from, to).unwrap();
}

fn files_under(dir: &Path, acc: &mut Vec<PathBuf>) {
    ogi_testkit::fs::files_under(dir, acc).unwrap();
}

/// A copy of the sample portal under `tmp` and an OUT filled by one complete
/// run of it (exit 0 or 1): `(portal, out)`.
fn completed_run(tmp: &Path) -> (PathBuf, PathBuf) {
    let portal = tmp.join("portal");
    copy_dir(&Path::new(ROOT).join("data/sample-portal"), &portal);
    let out = tmp.join("out");
    let (code, log) = complete(&out, &portal);
    assert!(code == 0 || code == 1, "{log}");
    (portal, out)
}

fn demo(out: &Path, portal: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ogi"));
    c.current_dir(ROOT)
        .env("OGI_LOG", "ogi=info")
        .env("OGI_LOG_FORMAT", "human")
        .args(["demo", "--rate", RATE, "--out"])
        .arg(out)
        .arg("--portal-root")
        .arg(portal)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    c
}

/// Runs `ogi demo` to the end; returns its exit code and standard error.
fn complete(out: &Path, portal: &Path) -> (i32, String) {
    let o = demo(out, portal)
        .stderr(Stdio::piped())
        .output()
        .expect("ogi runs");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o.status.code().expect("not killed"), err)
}

/// Seconds from start at which each stage began, in a run of `ogi demo`.
fn stage_times(out: &Path, portal: &Path) -> Vec<Duration> {
    let mut child = demo(out, portal).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    let mut at = vec![Duration::ZERO; STAGES.len()];
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(i) = STAGES.iter().position(|s| line.contains(s)) {
            at[i] = t0.elapsed();
        }
    }
    let status = child.wait().unwrap();
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "reference run: {status}"
    );
    let end = t0.elapsed();
    at.push(end);
    at
}

/// Starts `ogi demo`, waits until `stage` begins, waits `delay` more and kills
/// it with SIGKILL. Returns whether it was killed (it may finish first).
fn kill_during(out: &Path, portal: &Path, stage: usize, delay: Duration) -> bool {
    let mut child = demo(out, portal).stderr(Stdio::piped()).spawn().unwrap();
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = STAGES.iter().position(|s| line.contains(s)) {
                let _ = tx.send(i);
            }
        }
    });
    // Wait for the stage (or a later one, or the end: then kill at once).
    loop {
        match rx.recv() {
            Ok(i) if i < stage => continue,
            Ok(i) if i == stage => {
                std::thread::sleep(delay);
                break;
            }
            _ => break,
        }
    }
    let _ = child.kill(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    status.signal() == Some(libc::SIGKILL)
}

/// The raw store: relative path → size (temp files included, so leftovers show).
fn raw_store(out: &Path) -> BTreeMap<String, u64> {
    let mut files = Vec::new();
    files_under(&out.join("raw"), &mut files);
    files
        .iter()
        .map(|f| {
            (
                f.strip_prefix(out).unwrap().display().to_string(),
                std::fs::metadata(f).unwrap().len(),
            )
        })
        .collect()
}

fn batches(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// Columns whose values depend on when a run happened, not on what it found.
fn time_dependent(name: &str) -> bool {
    name.ends_with("_at") || name.contains("fetched") || name == "run_id"
}

/// Every dataset's rows as sorted text (time-dependent columns left out).
fn dataset_rows(out: &Path) -> BTreeMap<String, Vec<String>> {
    let mut files = Vec::new();
    files_under(&out.join("datasets"), &mut files);
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let opts = FormatOptions::default().with_null("∅");
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
    {
        let rel = f.strip_prefix(out.join("datasets")).unwrap();
        let dataset = rel.iter().next().unwrap().to_string_lossy().into_owned();
        let partition = rel.parent().unwrap().display().to_string();
        for b in batches(f) {
            let schema = b.schema();
            let cols: Vec<(String, ArrayFormatter<'_>)> = b
                .columns()
                .iter()
                .zip(schema.fields())
                .filter(|(_, fl)| !time_dependent(fl.name()))
                .map(|(c, fl)| {
                    (
                        fl.name().clone(),
                        ArrayFormatter::try_new(c.as_ref(), &opts).unwrap(),
                    )
                })
                .collect();
            let entry = rows.entry(dataset.clone()).or_default();
            for i in 0..b.num_rows() {
                let line: Vec<String> = cols
                    .iter()
                    .map(|(n, fmt)| format!("{n}={}", fmt.value(i)))
                    .collect();
                entry.push(format!("{partition}|{}", line.join("|")));
            }
        }
    }
    for v in rows.values_mut() {
        v.sort();
    }
    rows
}

/// Report ids of the extract stage's parts, with how often each appears.
fn extracted_ids(out: &Path) -> BTreeMap<String, usize> {
    let mut files = Vec::new();
    files_under(&out.join("extract").join("reports"), &mut files);
    let mut ids = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
    {
        for b in batches(f) {
            let col = b.column_by_name("report_id").unwrap();
            let fmt = ArrayFormatter::try_new(col.as_ref(), &FormatOptions::default()).unwrap();
            for i in 0..b.num_rows() {
                *ids.entry(fmt.value(i).to_string()).or_insert(0) += 1;
            }
        }
    }
    ids
}

fn verify(out: &Path) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_ogi"))
        .current_dir(ROOT)
        .args(["verify", "--sample", "3", "--out"])
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// Every row of the extract stage's parts (cells and reports) as sorted text,
/// time-dependent columns left out.
fn extract_rows(out: &Path) -> Vec<String> {
    let mut files = Vec::new();
    files_under(&out.join("extract"), &mut files);
    let opts = FormatOptions::default().with_null("∅");
    let mut rows = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
    {
        let table = f
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for b in batches(f) {
            let schema = b.schema();
            let cols: Vec<ArrayFormatter<'_>> = b
                .columns()
                .iter()
                .zip(schema.fields())
                .filter(|(_, fl)| !time_dependent(fl.name()))
                .map(|(c, _)| ArrayFormatter::try_new(c.as_ref(), &opts).unwrap())
                .collect();
            for i in 0..b.num_rows() {
                let line: Vec<String> = cols.iter().map(|c| c.value(i).to_string()).collect();
                rows.push(format!("{table}|{}", line.join("|")));
            }
        }
    }
    rows.sort();
    rows
}

/// The datasets a clean, full analyze builds from the extract parts of `out`.
fn clean_analyze(out: &Path, scratch: &Path) -> BTreeMap<String, Vec<String>> {
    let _ = std::fs::remove_dir_all(scratch);
    copy_dir(&out.join("extract"), &scratch.join("extract"));
    // The compliance dataset also reads the crawler's registry and publication files.
    std::fs::create_dir_all(scratch.join("crawl")).unwrap();
    for f in ["portals.csv", "publications.csv"] {
        let src = out.join("crawl").join(f);
        if src.is_file() {
            std::fs::copy(&src, scratch.join("crawl").join(f)).unwrap();
        }
    }
    let o = Command::new(env!("CARGO_BIN_EXE_ogi"))
        .current_dir(ROOT)
        .args(["analyze", "--full", "--out"])
        .arg(scratch)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dataset_rows(scratch)
}

/// What one finished output directory holds, for comparison with the reference.
#[derive(Debug, PartialEq)]
struct Snapshot {
    raw: BTreeMap<String, u64>,
    reports: BTreeSet<String>,
    extract: Vec<String>,
}

/// Checks `out` on its own (no duplicates, `ogi verify` clean) and takes its snapshot.
fn snapshot(out: &Path) -> Snapshot {
    let ids = extracted_ids(out);
    let dups: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "documents extracted twice: {dups:?}");
    let (code, report) = verify(out);
    assert_eq!(code, 0, "ogi verify found problems:\n{report}");
    Snapshot {
        raw: raw_store(out),
        reports: ids.into_keys().collect(),
        extract: extract_rows(out),
    }
}

/// Asserts two dataset collections are equal, showing a few differing rows.
fn assert_same_datasets(
    got: &BTreeMap<String, Vec<String>>,
    want: &BTreeMap<String, Vec<String>>,
    what: &str,
) {
    let names: BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    for name in names {
        let empty = Vec::new();
        let (mine, theirs) = (
            got.get(name).unwrap_or(&empty),
            want.get(name).unwrap_or(&empty),
        );
        if mine != theirs {
            let only = |a: &Vec<String>, b: &Vec<String>| -> Vec<String> {
                let b: BTreeSet<&String> = b.iter().collect();
                a.iter()
                    .filter(|r| !b.contains(r))
                    .take(3)
                    .cloned()
                    .collect()
            };
            panic!(
                "{what}: dataset {name}: {} rows, expected {}\nonly here: {:#?}\nonly expected: {:#?}",
                mine.len(),
                theirs.len(),
                only(mine, theirs),
                only(theirs, mine)
            );
        }
    }
}

#[test]
fn sigkill_in_any_stage_loses_nothing_and_duplicates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let portal = tmp.path().join("portal");
    copy_dir(&Path::new(ROOT).join("data/sample-portal"), &portal);

    let reference_out = tmp.path().join("reference");
    let times = stage_times(&reference_out, &portal);
    let reference = snapshot(&reference_out);
    assert!(!reference.reports.is_empty() && !dataset_rows(&reference_out).is_empty());

    let long = long_mode();
    let trials = env_num("OGI_CRASH_TRIALS").unwrap_or(if long { 200 } else { 20 });
    let seed = env_num("OGI_CRASH_SEED").unwrap_or(14);
    let kills = std::sync::atomic::AtomicU64::new(0);
    let restarts = std::sync::atomic::AtomicU64::new(0);
    let run_trial = |trial: u64| {
        let mut rng = Rng::new(seed ^ trial.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let out = tmp.path().join(format!("trial-{trial}"));
        // Every stage in turn; a random moment inside it (its length in the reference run).
        let stage = (trial % STAGES.len() as u64) as usize;
        let span = times[stage + 1].saturating_sub(times[stage]).as_millis() as u64;
        let delay = Duration::from_millis(rng.below(span.max(1)));
        // Half of the trials crash a run that resumes an earlier crash.
        for _ in 0..1 + rng.below(2) {
            if kill_during(&out, &portal, stage, delay) {
                kills.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let mut finished = false;
        for _ in 0..3 {
            restarts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (code, log) = complete(&out, &portal);
            if code == 0 || code == 1 {
                finished = true;
                break;
            }
            eprintln!("trial {trial}: restart exited {code}:\n{log}");
        }
        assert!(finished, "trial {trial}: never completed");
        let what = format!("trial {trial} (stage {stage}, {delay:?})");
        let got = snapshot(&out);
        assert_eq!(got.raw, reference.raw, "{what}: raw store");
        assert_eq!(
            got.reports, reference.reports,
            "{what}: extracted documents"
        );
        assert!(
            got.extract == reference.extract,
            "{what}: extract parts differ"
        );
        // The datasets are what a clean, full analyze makes of those parts. (Against
        // the reference run they may differ where an agency-year has two documents:
        // analyze picks the canonical one by newest `fetched_at`, i.e. by crawl timing.)
        assert_same_datasets(
            &dataset_rows(&out),
            &clean_analyze(&out, &tmp.path().join(format!("clean-{trial}"))),
            &what,
        );
        std::fs::remove_dir_all(&out).unwrap();
    };
    // Two trials at a time (CI has two cores).
    let next = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if t >= trials {
                        break;
                    }
                    run_trial(t);
                }
            });
        }
    });
    let (kills, restarts) = (kills.into_inner(), restarts.into_inner());
    assert!(
        kills > 0,
        "no run was ever killed: the harness tests nothing"
    );
    let line = format!(
        "LONG crash: trials={trials} kills={kills} restarts={restarts} documents_lost=0 duplicates=0 seed={seed}"
    );
    eprintln!("{line}");
    if long {
        println!("{line}");
    }
}

/// Runs `ogi demo` with every file it writes capped at `max_file` bytes, as when
/// the disk fills up (writes fail with EFBIG instead of killing the process).
fn complete_with_file_cap(out: &Path, portal: &Path, max_file: u64) -> (i32, String) {
    let mut cmd = demo(out, portal);
    ogi_util::process::cap_file_size(&mut cmd, max_file, true);
    let o = cmd.stderr(Stdio::piped()).output().unwrap();
    (
        o.status.code().expect("not killed by a signal"),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Every file of OUT except the state DB, the lock and run records: bytes by path.
fn stored_bytes(out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = Vec::new();
    for d in ["raw", "datasets", "extract", "exports"] {
        files_under(&out.join(d), &mut files);
    }
    files
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(&f).unwrap()))
        .collect()
}

#[test]
fn a_full_disk_gives_a_clear_error_and_damages_nothing_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let (portal, out) = completed_run(tmp.path());
    let before = stored_bytes(&out);
    let snap = snapshot(&out);

    // New work for the next run: every report page of the portal changes (a trailing
    // comment), so the run has new bodies, parts and datasets to write.
    let mut pages = Vec::new();
    files_under(&portal, &mut pages);
    for p in pages
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html") && !p.ends_with("index.html"))
    {
        let mut bytes = std::fs::read(p).unwrap();
        bytes.extend_from_slice(b"\n<!-- revised -->\n");
        std::fs::write(p, bytes).unwrap();
    }
    let (code, log) = complete_with_file_cap(&out, &portal, 4096);
    assert_eq!(
        code, 2,
        "a run that cannot write must say it could not run:\n{log}"
    );
    assert!(
        log.contains("could not be written") && log.contains(&out.display().to_string()),
        "the error says OUT could not be written, and names it:\n{log}"
    );
    // Nothing stored before was changed or lost, and every file still reads.
    let after = stored_bytes(&out);
    for (path, bytes) in &before {
        assert_eq!(after.get(path), Some(bytes), "{} changed", path.display());
    }
    assert_eq!(snapshot(&out), snap);

    // With room again, the next run completes and takes the new bodies in.
    let (code, log) = complete(&out, &portal);
    assert!(code == 0 || code == 1, "{log}");
    let done = snapshot(&out);
    assert!(
        done.raw.len() > snap.raw.len(),
        "the revised pages were stored"
    );
    assert!(
        done.raw.keys().all(|k| !k.contains("/.")),
        "no temp file left"
    );
}

/// Makes `dir` read-only for the test's lifetime: a read-only bind mount when
/// running as root (root ignores permission bits), the permission bits otherwise.
struct ReadOnly(PathBuf, bool);

impl ReadOnly {
    fn new(dir: &Path) -> ReadOnly {
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            let run = |args: &[&str]| {
                let st = Command::new("mount")
                    .args(args)
                    .arg(dir)
                    .arg(dir)
                    .status()
                    .unwrap();
                assert!(st.success(), "mount {args:?} failed");
            };
            run(&["--bind"]);
            let st = Command::new("mount")
                .args(["-o", "remount,ro,bind"])
                .arg(dir)
                .status()
                .unwrap();
            assert!(st.success(), "remount read-only failed");
        } else {
            Command::new("chmod")
                .arg("-R")
                .arg("a-w")
                .arg(dir)
                .status()
                .unwrap();
        }
        ReadOnly(dir.to_path_buf(), root)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.1 {
            let _ = Command::new("umount").arg(&self.0).status();
        } else {
            let _ = Command::new("chmod")
                .arg("-R")
                .arg("u+w")
                .arg(&self.0)
                .status();
        }
    }
}

#[test]
fn a_read_only_out_gives_a_clear_error_and_damages_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (portal, out) = completed_run(tmp.path());
    let before = stored_bytes(&out);
    {
        let _ro = ReadOnly::new(&out);
        let (code, log) = complete(&out, &portal);
        assert_eq!(code, 2, "{log}");
        assert!(
            log.contains("Read-only file system") || log.contains("Permission denied"),
            "the error says OUT cannot be written:\n{log}"
        );
        assert!(
            log.contains(&out.display().to_string()),
            "the error names OUT:\n{log}"
        );
    }
    assert_eq!(stored_bytes(&out), before);
    let (code, report) = verify(&out);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn ogi_verify_reports_every_kind_of_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let (_portal, out) = completed_run(tmp.path());
    assert_eq!(verify(&out).0, 0);

    // One raw blob altered, one dataset file cut short, one CSV export cut mid-line.
    let first = |dir: &str, ext: &str| {
        let mut files = Vec::new();
        files_under(&out.join(dir), &mut files);
        files
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))
            .unwrap_or_else(|| panic!("no .{ext} file under {dir}/"))
    };
    let blob = &first("raw", "bin");
    let mut bytes = std::fs::read(blob).unwrap();
    bytes[0] ^= 0xFF;
    std::fs::write(blob, bytes).unwrap();
    let parquet = &first("datasets", "parquet");
    let len = std::fs::metadata(parquet).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(parquet)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let csv = &first("exports", "csv");
    let text = std::fs::read(csv).unwrap();
    std::fs::write(csv, &text[..text.len() - 3]).unwrap();

    let (code, report) = verify(&out);
    assert_eq!(code, 1, "{report}");
    let rel = |p: &Path| p.strip_prefix(&out).unwrap().display().to_string();
    let blob_name = blob.file_name().unwrap().to_string_lossy().into_owned();
    for needle in [
        format!("{blob_name}: content hashes to"),
        format!("{}: unreadable", rel(parquet)),
        format!("{}: unreadable", rel(csv)),
    ] {
        assert!(report.contains(&needle), "{needle:?} not in:\n{report}");
    }
}
