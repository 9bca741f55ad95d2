//! Builds the gazetteer's name index at compile time, so that no run of ogi
//! spends its start-up parsing 44 000 divisions and hashing their name forms
//! (≈ 25 ms of a 30 ms `ogi parse`). The index is written to `OUT_DIR` as a
//! text blob and little-endian `u32` tables that `src/region/index.rs` reads
//! in place (see its `compiled` module for the layout). The name forms come
//! from the same `src/region/names.rs` the crate uses.

use ogi_spec::gazetteer::{DivisionRow, Level};
use std::collections::HashMap;
use std::path::Path;

#[allow(dead_code)] // the build script uses `name_forms` only
#[path = "src/region/names.rs"]
mod names;

fn main() {
    println!("cargo::rerun-if-changed=src/region/names.rs");
    println!("cargo::rerun-if-changed=build.rs");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let rows: &[DivisionRow] = ogi_spec::gazetteer::bundled();
    let mut text = String::new();
    let mut put = |s: &str| -> [u32; 2] {
        let off = text.len() as u32;
        text.push_str(s);
        [off, s.len() as u32]
    };
    // Entries: code (offset, length), name (offset, length), parent index (u32::MAX: none), level.
    let index_of: HashMap<&str, u32> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.as_str(), i as u32))
        .collect();
    let mut entries: Vec<u32> = Vec::with_capacity(rows.len() * 6);
    for r in rows {
        let code = put(&r.code);
        let name = put(&r.name);
        let parent = index_of.get(r.parent.as_str()).copied().unwrap_or(u32::MAX);
        entries.extend([
            code[0],
            code[1],
            name[0],
            name[1],
            parent,
            level_number(r.level),
        ]);
    }
    // Name forms: (offset, length, entry, short), sorted by the form's text; a
    // stable sort keeps the forms of one text in entry order.
    let mut forms: Vec<(String, u32, bool)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        for (form, short) in names::name_forms(&r.name, r.level) {
            forms.push((form, i as u32, short));
        }
    }
    forms.sort_by(|a, b| a.0.cmp(&b.0));
    let max_chars = forms.iter().map(|f| f.0.chars().count()).max().unwrap_or(0);
    let mut form_table: Vec<u32> = Vec::with_capacity(forms.len() * 4);
    for (form, idx, short) in &forms {
        let at = put(form);
        form_table.extend([at[0], at[1], *idx, u32::from(*short)]);
    }
    // Entries by code: the last row of a code wins, as in a map built in file order.
    let mut by_code: Vec<u32> = index_of.values().copied().collect();
    by_code.sort_by(|&a, &b| rows[a as usize].code.cmp(&rows[b as usize].code));
    let dir = Path::new(&out);
    write(dir, "gazetteer_text.txt", text.as_bytes());
    write(dir, "gazetteer_entries.bin", &le(&entries));
    write(dir, "gazetteer_forms.bin", &le(&form_table));
    write(dir, "gazetteer_by_code.bin", &le(&by_code));
    write(
        dir,
        "gazetteer_max_chars.txt",
        max_chars.to_string().as_bytes(),
    );
}

fn level_number(level: Level) -> u32 {
    match level {
        Level::Province => 0,
        Level::Prefecture => 1,
        Level::County => 2,
        Level::Township => 3,
    }
}

fn le(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
