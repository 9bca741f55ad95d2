//! Write `codebook.csv` and `CODEBOOK.md` into a directory (default `.`), or
//! with `--readme` regenerate the "Dataset schemas" tables of `analyze/README.md`.
//!
//! `cargo run -p ogi-analyze --example codebook -- OUT/exports`
//! `cargo run -p ogi-analyze --example codebook -- --readme`

use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_else(|| ".".to_string());
    if arg == "--readme" {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let text = std::fs::read_to_string(&path).context("reading analyze/README.md")?;
        // The generated tables run from the first dataset heading to the end.
        let start = text
            .find("### `requests`")
            .context("no \"### `requests`\" heading in analyze/README.md")?;
        let new = format!("{}{}", &text[..start], ogi_analyze::codebook_sections());
        ogi_util::write_atomic(&path, new.as_bytes())?;
        println!("rewrote {}", path.display());
        return Ok(());
    }
    let (csv, md) = ogi_analyze::write_codebook(std::path::Path::new(&arg))?;
    println!("wrote {} and {}", csv.display(), md.display());
    Ok(())
}
