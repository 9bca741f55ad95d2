//! Write `codebook.csv` and `CODEBOOK.md` into a directory (default `.`).
//!
//! `cargo run -p ogi-analyze --example codebook -- OUT/exports`

fn main() -> anyhow::Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_string());
    let (csv, md) = ogi_analyze::write_codebook(std::path::Path::new(&dir))?;
    println!("wrote {} and {}", csv.display(), md.display());
    Ok(())
}
