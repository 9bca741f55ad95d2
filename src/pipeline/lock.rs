//! An exclusive lock on the output directory, so two runs never interleave.

use anyhow::Context;
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Holds the lock until dropped.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
}

/// Takes `OUT/pipeline.lock` for the stage `what` without waiting; fails clearly
/// when another `ogi run`, `ogi extract` or `ogi analyze` holds it.
pub fn acquire(out: &Path, what: &str) -> anyhow::Result<OutLock> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let path = out.join("pipeline.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(OutLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "cannot start ogi {what}: another ogi run/extract/analyze is using {} (lock {} is held)",
            out.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn second_lock_is_refused_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::acquire(dir.path(), "run").unwrap();
        let err = super::acquire(dir.path(), "extract").unwrap_err();
        assert!(
            err.to_string().contains("another ogi run/extract/analyze"),
            "{err}"
        );
        drop(first);
        super::acquire(dir.path(), "run").unwrap();
    }
}
