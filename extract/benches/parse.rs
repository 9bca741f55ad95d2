//! Parsing throughput: the five seeds, synthetic reports in every layout,
//! the text-family fixtures (fused digits, converter Markdown) and the real
//! documents of `tests/realdocs` (text and HTML, bytes to report).
//!
//! Prints documents per second per core besides criterion's timings.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ogi_extract::{Line, ParseOptions, lines_from_text, parse_bytes, parse_lines};
use ogi_testkit::synth::{Layout, Options, synth};
use std::hint::black_box;
use std::time::Instant;

fn seeds() -> Vec<Vec<Line>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("seeds")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| lines_from_text(&std::fs::read_to_string(p).expect("seed")))
        .collect()
}

fn synthetic() -> Vec<Vec<Line>> {
    (0..60u64)
        .map(|i| {
            lines_from_text(&synth(i, Layout::ALL[(i % 6) as usize], &Options::default()).text)
        })
        .collect()
}

/// The text-family fixtures (flattened archive text, converter Markdown).
fn text_families() -> Vec<Vec<Line>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/text");
    ["flattened_huaian_2024.txt", "converter_huaian_2024.md"]
        .iter()
        .map(|n| lines_from_text(&std::fs::read_to_string(dir.join(n)).expect("fixture")))
        .collect()
}

/// The real documents of `tests/realdocs` with one of `exts`: (file name, bytes as published).
fn real_documents(exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/realdocs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("realdocs")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            (
                name.unwrap_or_default(),
                std::fs::read(p).expect("document"),
            )
        })
        .collect()
}

/// Real documents per second of CPU, read from their bytes as `ogi parse` does.
fn bytes_per_second(docs: &[(String, Vec<u8>)], rounds: usize) -> f64 {
    let opts = ParseOptions::default();
    let (cpu, wall) = (thread_cpu_seconds(), Instant::now());
    for _ in 0..rounds {
        for (name, d) in docs {
            black_box(parse_bytes(name, black_box(d), &opts));
        }
    }
    let secs = match (cpu, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall.elapsed().as_secs_f64(),
    };
    (docs.len() * rounds) as f64 / secs
}

/// CPU time this thread has run, in seconds (Linux `schedstat`), so that the
/// rate does not depend on other processes sharing the machine.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Documents per second of CPU over `docs`, parsed `rounds` times, on this thread
/// (wall time where the CPU clock is not available).
fn docs_per_second(docs: &[Vec<Line>], rounds: usize) -> f64 {
    let (cpu, wall) = (thread_cpu_seconds(), Instant::now());
    for _ in 0..rounds {
        for d in docs {
            black_box(parse_lines(black_box(d)));
        }
    }
    let secs = match (cpu, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall.elapsed().as_secs_f64(),
    };
    (docs.len() * rounds) as f64 / secs
}

fn bench(c: &mut Criterion) {
    let seeds = seeds();
    let synth = synthetic();
    println!(
        "seeds: {:.0} docs/s/core (CPU time)",
        docs_per_second(&seeds, 100)
    );
    println!(
        "synthetic: {:.0} docs/s/core (CPU time)",
        docs_per_second(&synth, 10)
    );
    let families = text_families();
    println!(
        "text families: {:.0} docs/s/core (CPU time)",
        docs_per_second(&families, 100)
    );
    let real_text = real_documents(&["txt", "md"]);
    let real_html = real_documents(&["html"]);
    println!(
        "real text documents ({}): {:.0} docs/s/core (CPU time)",
        real_text.len(),
        bytes_per_second(&real_text, 20)
    );
    println!(
        "real HTML documents ({}): {:.0} docs/s/core (CPU time)",
        real_html.len(),
        bytes_per_second(&real_html, 20)
    );
    for d in &real_html {
        println!(
            "  {} ({} KiB): {:.0} docs/s/core",
            d.0,
            d.1.len() / 1024,
            bytes_per_second(std::slice::from_ref(d), 20)
        );
    }
    let mut g = c.benchmark_group("parse");
    for (name, docs) in [("seeds", &seeds), ("synthetic", &synth)] {
        g.throughput(Throughput::Elements(docs.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                docs.iter()
                    .map(|d| parse_lines(black_box(d)).cells.len())
                    .sum::<usize>()
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
