//! Parsing throughput: the five seeds, synthetic reports in every layout and
//! the text-family fixtures (fused digits, converter Markdown).
//!
//! Prints documents per second per core besides criterion's timings.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ogi_extract::{Line, lines_from_text, parse_lines};
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
