//! Format readers: the PDF path against the `pdftotext` binary alone on the same
//! PDFs (the ratio is printed), and HTML / DOCX reports per second.
//!
//! Needs `pdftotext` (poppler-utils). Run: `cargo bench -p ogi-extract --bench formats`.

#[path = "../tests/formats/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ogi_extract::ParseOptions;
use ogi_extract::formats::read_lines;
use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

const PDFS: [&str; 2] = ["report.pdf", "report_stsong.pdf"];

/// One run of the bare binary on a PDF already on disk, output to a file.
fn pdftotext_alone(pdf: &std::path::Path, out: &std::path::Path) {
    let ok = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8", "-q"])
        .arg(pdf)
        .arg(out)
        .status()
        .expect("pdftotext (poppler-utils) must be installed")
        .success();
    assert!(ok, "pdftotext failed on {}", pdf.display());
}

/// Mean seconds per call of `f` over `n` calls.
fn mean_secs(n: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() / n as f64
}

fn bench(c: &mut Criterion) {
    let opts = ParseOptions::default();
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out.html");

    // PDF: our whole path (temp file, subprocess, bbox parse, row rebuild) vs the binary alone
    for name in PDFS {
        let path = fixture::path(name);
        let bytes = fixture::bytes(name);
        let ours = mean_secs(20, || {
            black_box(read_lines(black_box(&bytes), &opts));
        });
        let alone = mean_secs(20, || pdftotext_alone(&path, &out));
        println!(
            "{name}: read_lines {:.2} ms, pdftotext alone {:.2} ms, ratio {:.2}",
            ours * 1e3,
            alone * 1e3,
            ours / alone
        );
    }
    let mut g = c.benchmark_group("pdf");
    g.throughput(Throughput::Elements(1));
    let (path, bytes) = (fixture::path(PDFS[0]), fixture::bytes(PDFS[0]));
    g.bench_function("read_lines", |b| {
        b.iter(|| read_lines(black_box(&bytes), &opts).lines.len())
    });
    g.bench_function("pdftotext_alone", |b| {
        b.iter(|| pdftotext_alone(&path, &out))
    });
    g.finish();

    // HTML and DOCX: in-process readers, reports per second
    let items = fixture::load();
    let html = fixture::html_gbk(&items, "gb2312", true);
    let docx = fixture::docx(&items);
    println!(
        "html: {:.0} reports/s/core ({} KiB GBK page)",
        1.0 / mean_secs(50, || {
            black_box(read_lines(black_box(&html), &opts));
        }),
        html.len() / 1024
    );
    let mut g = c.benchmark_group("office_and_web");
    g.throughput(Throughput::Elements(1));
    g.bench_function("html_gbk", |b| {
        b.iter(|| read_lines(black_box(&html), &opts).lines.len())
    });
    g.bench_function("docx", |b| {
        b.iter(|| read_lines(black_box(&docx), &opts).lines.len())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
