//! File helpers shared by the tests.

use std::io;
use std::path::Path;

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
    }
}
