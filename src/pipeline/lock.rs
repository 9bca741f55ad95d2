//! The run lock of OUT for a command: [`ogi_util::RunLock`] (`OUT/ogi.lock`, one
//! lock for every stage), with the refusal worded by [`crate::messages`].

use ogi_util::{LockError, RunLock};
use std::path::Path;

/// Takes the run lock of `out` for the command `what` without waiting; fails
/// clearly (naming the holder) when another ogi command holds it. A lock left by
/// a crashed run is free again (the kernel released it) and simply taken over.
pub fn acquire(out: &Path, what: &str) -> anyhow::Result<RunLock> {
    RunLock::acquire(out).map_err(|e| match e {
        LockError::Held { path, holder } => anyhow::anyhow!(crate::messages::run_locked(
            what,
            out,
            &path,
            holder.as_deref()
        )),
        LockError::Io(e) => anyhow::Error::new(e).context(crate::messages::lock_failed(out)),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn second_lock_is_refused_until_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::acquire(dir.path(), "run").unwrap();
        let err = super::acquire(dir.path(), "extract").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("cannot start ogi extract")
                && msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        super::acquire(dir.path(), "run").unwrap();
    }
}
