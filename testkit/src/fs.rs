//! File helpers shared by the tests.

use std::io;
use std::path::{Path, PathBuf};

/// Copies the directory tree `from` into `to` (created), files and subdirectories.
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), dest)?;
        }
    }
    Ok(())
}

/// Appends every file below `dir` (recursively) to `acc` and sorts `acc`; a
/// directory that does not exist adds nothing.
pub fn files_under(dir: &Path, acc: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for e in entries {
        let p = e?.path();
        if p.is_dir() {
            files_under(&p, acc)?;
        } else {
            acc.push(p);
        }
    }
    acc.sort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_a_tree() {
        let root = tempfile::tempdir().unwrap();
        let (from, to) = (root.path().join("a"), root.path().join("b"));
        std::fs::create_dir_all(from.join("x")).unwrap();
        std::fs::write(from.join("x").join("f.txt"), b"hi").unwrap();
        copy_dir(&from, &to).unwrap();
        assert_eq!(std::fs::read(to.join("x").join("f.txt")).unwrap(), b"hi");
        std::fs::write(to.join("a.txt"), b"").unwrap();
        let mut files = Vec::new();
        files_under(&to, &mut files).unwrap();
        assert_eq!(files, vec![to.join("a.txt"), to.join("x").join("f.txt")]);
        files_under(&root.path().join("missing"), &mut files).unwrap();
        assert_eq!(files.len(), 2);
    }
}
