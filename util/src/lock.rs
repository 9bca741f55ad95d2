//! Exclusive, non-blocking file locks (advisory, released when the file is
//! dropped or the process dies, so a killed run never leaves a stale lock).

use std::fs::File;
use std::io;
use std::path::Path;

/// Opens (creating it and its directory) and locks `path` exclusively without
/// waiting: `Ok(None)` when another process or handle holds the lock.
pub fn try_lock_file(path: &Path) -> io::Result<Option<File>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", dir.display())))?;
    }
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("opening {}: {e}", path.display())))?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(io::Error::new(
            e.kind(),
            format!("locking {}: {e}", path.display()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_drops() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x").join("lock");
        let first = try_lock_file(&p).unwrap().expect("free");
        assert!(try_lock_file(&p).unwrap().is_none());
        drop(first);
        assert!(try_lock_file(&p).unwrap().is_some());
    }
}
