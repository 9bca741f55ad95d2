//! Durable atomic file writes: the data goes to a hidden temporary file in the
//! destination's directory, which is fsynced, renamed over the destination,
//! and then the directory itself is fsynced (so the rename survives a power
//! loss, not only a killed process). A reader sees either the old file or the
//! whole new one, never a part; on error the temporary file is removed and
//! the destination is untouched.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Makes temporary names unique within the process (two threads writing the
/// same destination must not share a temporary file).
static TMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// The hidden temporary file next to `dest`: `.<name>.<pid>.<seq>.tmp`.
pub fn temp_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    dir_of(dest).join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        TMP_SEQ.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Whether `path` is a temporary file of an interrupted [`write_atomic_with`].
pub fn is_temp(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"))
}

fn dir_of(dest: &Path) -> &Path {
    dest.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// An I/O error that names what was being done to which file.
fn context(what: &str, path: &Path) -> impl FnOnce(io::Error) -> io::Error {
    let msg = format!("{what} {}", path.display());
    move |e| io::Error::new(e.kind(), format!("{msg}: {e}"))
}

/// Writes `bytes` to `dest` atomically and durably (creating its directory).
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(dest, |f| f.write_all(bytes))
}

/// Creates the temporary file, lets `write` fill it, then syncs and renames it
/// over `dest` and syncs the directory; returns what `write` returned. The
/// file-system steps' errors name the file and the step; `write`'s own
/// errors are passed through unchanged.
pub fn write_atomic_with<T, E: From<io::Error>>(
    dest: &Path,
    write: impl FnOnce(&mut File) -> Result<T, E>,
) -> Result<T, E> {
    let dir = dir_of(dest);
    fs::create_dir_all(dir).map_err(context("creating", dir))?;
    let tmp = temp_path(dest);
    let result = (|| {
        let mut f = File::create(&tmp).map_err(context("creating", &tmp))?;
        let value = write(&mut f)?;
        f.flush().map_err(context("flushing", &tmp))?;
        f.sync_all().map_err(context("syncing", &tmp))?;
        drop(f);
        fs::rename(&tmp, dest).map_err(context("renaming into", dest))?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    sync_dir(dir);
    result
}

/// Makes a rename in `dir` durable. Best effort: not every platform can sync a directory.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("sub").join("a.json");
        write_atomic(&dest, b"one").unwrap();
        write_atomic(&dest, b"two").unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dest.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.json"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("a.csv");
        write_atomic(&dest, b"old").unwrap();
        let err = write_atomic_with(&dest, |f| {
            f.write_all(b"half")?;
            Err::<(), _>(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(fs::read(&dest).unwrap(), b"old");
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn step_errors_name_the_file() {
        let d = tempfile::tempdir().unwrap();
        let blocker = d.path().join("file");
        write_atomic(&blocker, b"x").unwrap();
        // A directory cannot be created under a regular file.
        let err = write_atomic(&blocker.join("sub").join("a"), b"y").unwrap_err();
        assert!(err.to_string().starts_with("creating "), "{err}");
        assert!(err.to_string().contains("file"), "{err}");
        let n: usize = write_atomic_with(&d.path().join("n"), |f| {
            f.write_all(b"abc")?;
            Ok::<_, io::Error>(3)
        })
        .unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn temp_names_are_unique_and_recognised() {
        let a = temp_path(Path::new("x/part-1.parquet"));
        let b = temp_path(Path::new("x/part-1.parquet"));
        assert_ne!(a, b);
        assert!(is_temp(&a));
        assert!(!is_temp(Path::new("x/part-1.parquet")));
        assert_eq!(temp_path(Path::new("f")).parent(), Some(Path::new(".")));
    }

    #[test]
    fn concurrent_writers_of_one_file_all_succeed() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("blob");
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| s.spawn(|| write_atomic(&dest, &[7u8; 64 * 1024])))
                .collect();
            for h in hs {
                h.join().unwrap().unwrap();
            }
        });
        assert_eq!(fs::read(&dest).unwrap(), vec![7u8; 64 * 1024]);
    }
}
