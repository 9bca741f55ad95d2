//! Append-only content-addressed raw store: `OUT/raw/ab/cdef….bin`, named by the
//! SHA-256 of the body; written with [`ogi_util::write_atomic`] (temp file,
//! fsync, rename, directory fsync).

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Path of the blob with digest `sha` under `out`.
pub fn raw_path(out: &Path, sha: &str) -> PathBuf {
    let (a, b) = sha.split_at(2.min(sha.len()));
    out.join("raw").join(a).join(format!("{b}.bin"))
}

/// Stores `bytes` (if not already present) and returns its digest and path.
pub fn put(out: &Path, bytes: &[u8]) -> Result<(String, PathBuf)> {
    let sha = sha256_hex(bytes);
    let path = raw_path(out, &sha);
    if !path.exists() {
        write_new(&path, bytes)?;
    }
    Ok((sha, path))
}

/// Writes the blob `bytes` to `path` (its [`raw_path`]), which was not there
/// when looked at: temp file, fsync, rename, directory fsync. The
/// crawl hashes a body and looks for its blob itself, and only hands the write
/// (with its fsyncs) to a blocking thread when the blob is new.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Err(e) = ogi_util::write_atomic(path, bytes) {
        // A concurrent writer of the same content may have won the rename.
        if !path.exists() {
            return Err(e).with_context(|| format!("storing {}", path.display()));
        }
    }
    Ok(())
}

/// Reads a blob and checks its digest.
pub fn get(out: &Path, sha: &str) -> Result<Vec<u8>> {
    let path = raw_path(out, sha);
    let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    anyhow::ensure!(
        sha256_hex(&bytes) == sha,
        "raw blob {} is corrupt (digest mismatch)",
        path.display()
    );
    Ok(bytes)
}

/// Removes temp files left by an interrupted write (call only while holding the run lock).
pub fn sweep_temp(out: &Path) -> Result<usize> {
    let mut n = 0;
    let Ok(dirs) = fs::read_dir(out.join("raw")) else {
        return Ok(0);
    };
    for d in dirs.flatten() {
        let Ok(files) = fs::read_dir(d.path()) else {
            continue;
        };
        for f in files.flatten() {
            if ogi_util::atomic::is_temp(&f.path()) {
                fs::remove_file(f.path())
                    .with_context(|| format!("removing {}", f.path().display()))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_puts_of_the_same_content_all_succeed() {
        let d = tempfile::tempdir().unwrap();
        let body = vec![7u8; 256 * 1024];
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..8).map(|_| s.spawn(|| put(d.path(), &body))).collect();
            for h in hs {
                h.join().unwrap().unwrap();
            }
        });
        let sha = sha256_hex(&body);
        assert_eq!(get(d.path(), &sha).unwrap(), body);
    }

    #[test]
    fn put_is_idempotent_and_verified() {
        let d = tempfile::tempdir().unwrap();
        let (sha, p) = put(d.path(), b"abc").unwrap();
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(p.ends_with(
            "raw/ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.bin"
        ));
        let (_, p2) = put(d.path(), b"abc").unwrap();
        assert_eq!(p, p2);
        assert_eq!(get(d.path(), &sha).unwrap(), b"abc");
        fs::write(&p, b"abd").unwrap();
        assert!(get(d.path(), &sha).is_err());
    }
}
