//! `cargo run -p ogi-extract --example explain -- [--lines] FILE…`: what
//! `ogi parse --explain` prints, without building the `ogi` binary; with
//! `--lines`, the numbered source lines first (cells separated by ` | `).

use ogi_extract::ParseOptions;
use ogi_extract::formats::parse_bytes_with_lines;

fn main() {
    let mut show_lines = false;
    for arg in std::env::args().skip(1) {
        if arg == "--lines" {
            show_lines = true;
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
