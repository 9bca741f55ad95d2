//! Prints `ogi parse --format json` for files, without building the `ogi` binary
//! (a quick loop for the extractor; the last argument(s) are file paths).
//!
//! `cargo run -p ogi-extract --example parse_json -- FILE…`

use ogi_extract::formats::ParseOptions;

fn main() {
    for path in std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-') && a != "parse" && a != "json")
    {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let opts = ParseOptions {
            file_name: Some(path.clone()),
            ..ParseOptions::default()
        };
        let mut report = ogi_extract::parse_bytes(&path, &bytes, &opts);
        ogi_extract::region::annotate(&mut report);
        println!("{}", ogi_extract::render::to_json(&report));
    }
}
