//! An exclusive lock on the output directory, so two runs never interleave.

use std::fs::File;
use std::path::Path;

/// Holds the lock until dropped.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
}

/// Takes `OUT/pipeline.lock` for the stage `what` without waiting; fails clearly
/// when another `ogi run`, `ogi extract` or `ogi analyze` holds it.
pub fn acquire(out: &Path, what: &str) -> anyhow::Result<OutLock> {
    let path = out.join("pipeline.lock");
    match ogi_util::try_lock_file(&path)? {
        Some(file) => Ok(OutLock { _file: file }),
        None => anyhow::bail!(crate::messages::pipeline_locked(what, out, &path)),
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
