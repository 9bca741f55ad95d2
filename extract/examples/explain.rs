//! `cargo run -p ogi-extract --example explain -- [--lines] [--ocr] FILE…`: what
//! `ogi parse --explain` prints, without building the `ogi` binary; with
//! `--lines`, the numbered source lines first (cells separated by ` | `); with
//! `--ocr`, scans are read by OCR.

use ogi_extract::ParseOptions;
use ogi_extract::formats::parse_bytes_with_lines;

fn main() {
    let mut show_lines = false;
    let mut ocr = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--lines" => show_lines = true,
            "--ocr" => ocr = true,
            _ => {}
        }
        if arg.starts_with("--") {
            continue;
        }
        let bytes = match std::fs::read(&arg) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{arg}: {e}");
                continue;
            }
        };
        let opts = ParseOptions {
            file_name: Some(arg.clone()),
            ocr,
            ..ParseOptions::default()
        };
        let (report, lines) = parse_bytes_with_lines(&arg, &bytes, &opts);
        if show_lines {
            for l in &lines {
                println!("{:>4}: {}", l.no, l.cells.join(" | "));
            }
        }
        print!("{}", ogi_extract::explain::explain(&report, &lines));
    }
}
