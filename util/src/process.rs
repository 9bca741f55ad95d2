//! Limits put on a child process before it runs.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Caps every file the child of `cmd` writes (standard output and error
/// redirected to files included) at `max` bytes: `RLIMIT_FSIZE`, set between
/// fork and exec. A write past the cap raises `SIGXFSZ`, which kills the child;
/// with `survive`, the signal is ignored and the write fails with `EFBIG`
/// instead (as when a disk fills up).
pub fn cap_file_size(cmd: &mut Command, max: u64, survive: bool) {
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls signal and setrlimit, which are async-signal-safe; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            if survive {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            }
            let lim = libc::rlimit {
                rlim_cur: max as libc::rlim_t,
                rlim_max: max as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_cannot_write_past_the_cap() {
        let big = tempfile::NamedTempFile::new().unwrap();
        let f = big.path();
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("head -c 10000 /dev/zero > {}", f.display()))
            .stderr(std::process::Stdio::null());
        cap_file_size(&mut cmd, 4096, true);
        let status = cmd.status().unwrap();
        assert!(!status.success(), "the write past the cap fails");
        assert_eq!(std::fs::metadata(f).unwrap().len(), 4096);
    }
}
