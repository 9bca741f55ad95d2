//! The one run lock of an output directory: `OUT/ogi.lock`, taken by every
//! stage that writes into OUT (crawl, extract, analyze, import, the nightly run).
//!
//! It is an advisory `flock`-style lock on an open file, so the kernel releases
//! it when the holder exits for any reason: a crashed or killed run never leaves
//! a stale lock, and the next run simply takes it over. The holder writes its
//! pid, host and start time into the file, only so that a refused run can say
//! who holds the lock; the file's content never decides anything.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of the run lock file inside OUT.
pub const RUN_LOCK_FILE: &str = "ogi.lock";

/// The held run lock of one output directory. Clones share the lock, which is
/// released when the last clone is dropped (or the process ends).
#[derive(Debug, Clone)]
pub struct RunLock {
    _file: Arc<File>,
    out: PathBuf,
}

/// Why the run lock could not be taken.
#[derive(Debug)]
pub enum LockError {
    /// Another process (or another handle of this one) holds the lock.
    Held {
        /// The lock file.
        path: PathBuf,
        /// What the holder wrote about itself (`pid … on … since …`), if readable.
        holder: Option<String>,
    },
    /// The lock file could not be created, opened or locked.
    Io(io::Error),
}

impl LockError {
    /// True when the lock is held by someone else (not an I/O failure).
    pub fn is_held(&self) -> bool {
        matches!(self, LockError::Held { .. })
    }
}

impl fmt::Display for LockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockError::Held { path, holder } => {
                write!(f, "the run lock {} is held", path.display())?;
                if let Some(h) = holder {
                    write!(f, " by {h}")?;
                }
                Ok(())
            }
            LockError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LockError::Held { .. } => None,
            LockError::Io(e) => Some(e),
        }
    }
}

impl RunLock {
    /// Takes the run lock of `out` without waiting (creating `out` if needed).
    pub fn acquire(out: &Path) -> Result<RunLock, LockError> {
        let path = out.join(RUN_LOCK_FILE);
        let Some(mut file) = try_lock_file(&path).map_err(LockError::Io)? else {
            return Err(LockError::Held {
                holder: read_holder(&path),
                path,
            });
        };
        // Who holds it, for the message of a refused run; best effort.
        let note = format!(
            "pid {} on {} since {}\n",
            std::process::id(),
            host_name(),
            crate::time::now_rfc3339()
        );
        let _ = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()));
        Ok(RunLock {
            _file: Arc::new(file),
            out: out.to_path_buf(),
        })
    }

    /// The output directory this lock is for.
    pub fn out(&self) -> &Path {
        &self.out
    }
}

/// The holder's note in the lock file, trimmed; `None` when empty or unreadable.
fn read_holder(path: &Path) -> Option<String> {
    let mut s = String::new();
    File::open(path).ok()?.read_to_string(&mut s).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// This machine's host name (Linux), or `unknown host`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown host".to_string())
}

/// Opens (creating it and its directory) and locks `path` exclusively without
/// waiting: `Ok(None)` when another process or handle holds the lock.
fn try_lock_file(path: &Path) -> io::Result<Option<File>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", dir.display())))?;
    }
    let f = File::options()
        .create(true)
        .truncate(false)
        .read(true)
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
    fn second_holder_is_refused_until_every_clone_drops() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let first = RunLock::acquire(&out).expect("free");
        let clone = first.clone();
        let err = RunLock::acquire(&out).unwrap_err();
        assert!(err.is_held(), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("ogi.lock") && msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        drop(first);
        assert!(RunLock::acquire(&out).unwrap_err().is_held());
        drop(clone);
        let again = RunLock::acquire(&out).expect("released");
        assert_eq!(again.out(), out);
    }

    #[test]
    fn a_stale_note_without_a_holder_does_not_block() {
        // A crashed run leaves its note behind but the kernel dropped its lock.
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join(RUN_LOCK_FILE),
            "pid 1 on elsewhere since then\n",
        )
        .unwrap();
        let _lock = RunLock::acquire(d.path()).expect("taken over");
        let note = std::fs::read_to_string(d.path().join(RUN_LOCK_FILE)).unwrap();
        assert!(
            note.starts_with(&format!("pid {} on ", std::process::id())),
            "{note}"
        );
    }
}
