//! Append-only content-addressed raw store: `OUT/raw/ab/cdef….bin`, named by the
//! SHA-256 of the body; written to a temp file, fsynced, then renamed.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::Write;
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
    if path.exists() {
        return Ok((sha, path));
    }
    let dir = path.parent().context("raw path has no parent")?;
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(".{}.{}.tmp", &sha[..16], std::process::id()));
    {
        let mut f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("writing {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("syncing {}", tmp.display()))?;
    }
    fs::rename(&tmp, &path).with_context(|| format!("renaming into {}", path.display()))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok((sha, path))
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
            if f.file_name().to_str().is_some_and(|n| n.ends_with(".tmp")) {
                fs::remove_file(f.path())
                    .with_context(|| format!("removing {}", f.path().display()))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("path has no parent")?;
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("f"),
        std::process::id()
    ));
    {
        let mut f = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
