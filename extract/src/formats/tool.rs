//! Running external converters (pdftotext, pdftoppm, tesseract, soffice) safely.
//!
//! * Input bytes go to a temporary directory under a file name chosen here
//!   (`in.pdf`, `in.doc`, …), never a name from the network.
//! * Arguments are passed as an argv array; no shell is involved.
//! * stdin is closed, stdout/stderr go to files in the same directory (no pipe
//!   can fill up and stall the child), and the child runs in its own process
//!   group, which is killed as a whole (`killpg`) when the time budget runs out
//!   (soffice forks `soffice.bin`).
//! * Every file the child writes, stdout included, is capped by `RLIMIT_FSIZE`
//!   at [`Limits::max_tool_output_bytes`]; output at the cap is refused
//!   ([`ToolError::TooMuchOutput`], flag `limit:tool_output`), and stdout is
//!   read back through the same cap.

use super::limits::{Exceeded, Limits};
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Why a tool run gave no usable result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ToolError {
    /// The program is not on `PATH`.
    Missing,
    /// The time budget ran out; the process group was killed.
    Timeout,
    /// It wrote as much as [`Limits::max_tool_output_bytes`] (to stdout or a file).
    TooMuchOutput,
    /// It could not be started, or it failed: the message says which and why.
    Failed(String),
}

impl ToolError {
    /// The flag this error leaves: `missing` when the program is absent, the
    /// `limit:*` flag of a budget that ran out, else `{failed}:{message}`.
    pub(crate) fn flag(self, missing: &str, failed: &str) -> String {
        match self {
            ToolError::Missing => missing.to_string(),
            ToolError::Timeout => Exceeded::Timeout.flag(),
            ToolError::TooMuchOutput => Exceeded::ToolOutput.flag(),
            ToolError::Failed(m) => format!("{failed}:{m}"),
        }
    }
}

/// A finished tool run.
#[derive(Debug)]
pub(crate) struct Run {
    /// Whether it exited with status 0.
    pub(crate) success: bool,
    /// The captured stdout.
    pub(crate) stdout: Vec<u8>,
    /// The first line of stderr (for flags and error context).
    pub(crate) stderr_head: String,
}

/// The full path of `program` if it is an executable file on `PATH`.
pub(crate) fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A private temporary directory holding the input under a fixed name.
pub(crate) struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// Creates the directory and writes `bytes` to `input_name` in it.
    pub(crate) fn with_input(
        input_name: &str,
        bytes: &[u8],
    ) -> Result<(Workdir, PathBuf), ToolError> {
        let dir = tempfile::Builder::new()
            .prefix("ogi-extract-")
            .tempdir()
            .map_err(|e| ToolError::Failed(format!("creating a temporary directory: {e}")))?;
        let input = dir.path().join(input_name);
        fs::write(&input, bytes)
            .map_err(|e| ToolError::Failed(format!("writing {}: {e}", input.display())))?;
        Ok((Workdir { dir }, input))
    }

    /// The directory's path.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Runs `program` (looked up on `PATH`) with `args` in `work`, within the time
/// budget and output cap of `limits`.
pub(crate) fn run<S: AsRef<OsStr>>(
    program: &str,
    args: &[S],
    work: &Workdir,
    limits: &Limits,
) -> Result<Run, ToolError> {
    let timeout = limits.tool_timeout;
    let cap = limits.max_tool_output_bytes as u64;
    let exe = which(program).ok_or(ToolError::Missing)?;
    let out_path = work.path().join(".stdout");
    let err_path = work.path().join(".stderr");
    let open = |p: &Path| {
        fs::File::create(p).map_err(|e| ToolError::Failed(format!("creating {}: {e}", p.display())))
    };
    let mut cmd = Command::new(&exe);
    ogi_util::process::cap_file_size(&mut cmd, cap, false);
    let mut child = cmd
        .args(args)
        .current_dir(work.path())
        .env("HOME", work.path()) // soffice writes its profile under HOME
        // tesseract's OpenMP threads only slow it down when documents are read in
        // parallel (its authors advise this for such use); other tools ignore it
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(open(&out_path)?)
        .stderr(open(&err_path)?)
        .process_group(0)
        .spawn()
        .map_err(|e| ToolError::Failed(format!("starting {}: {e}", exe.display())))?;
    // the parser's tables are built on the other core while the tool runs
    crate::warm_up_in_background();
    // A waiter thread blocks in wait(); this thread waits on it with the time budget,
    // so a finished tool is noticed at once and a stuck one is killed on time.
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = match rx.recv_timeout(timeout) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => return Err(ToolError::Failed(format!("waiting for {program}: {e}"))),
        Err(_) => {
            kill_group(pid);
            // the waiter reaps the killed child; wait briefly so no zombie outlives the call
            let _ = rx.recv_timeout(Duration::from_secs(5));
            return Err(ToolError::Timeout);
        }
    };
    let mut stdout = Vec::new();
    if let Ok(f) = fs::File::open(&out_path) {
        let _ = f.take(cap).read_to_end(&mut stdout);
    }
    if stdout.len() as u64 >= cap {
        return Err(ToolError::TooMuchOutput);
    }
    let stderr = fs::read(&err_path).unwrap_or_default();
    let stderr_head = String::from_utf8_lossy(&stderr[..stderr.len().min(512)])
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    Ok(Run {
        success: status.success(),
        stdout,
        stderr_head,
    })
}

/// Kills the process group `pgid` (the child started with `process_group(0)`).
fn kill_group(pgid: u32) {
    if let Ok(pgid) = libc::pid_t::try_from(pgid) {
        // SAFETY: plain system call on a process group id we created; no memory is shared.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(timeout: Duration, output: usize) -> Limits {
        Limits {
            tool_timeout: timeout,
            max_tool_output_bytes: output,
            ..Limits::default()
        }
    }

    #[test]
    fn missing_tool_and_timeout() {
        let (work, _) = Workdir::with_input("in.txt", b"x").unwrap();
        let lim = budget(Duration::from_secs(1), 1 << 20);
        let r = run("ogi-no-such-tool-xyz", &["a"], &work, &lim);
        assert_eq!(r.unwrap_err(), ToolError::Missing);
        // `sleep` is in coreutils on every machine that runs these tests
        let r = run(
            "sleep",
            &["5"],
            &work,
            &budget(Duration::from_millis(100), 1 << 20),
        );
        assert_eq!(r.unwrap_err(), ToolError::Timeout);
        let r = run(
            "cat",
            &["in.txt"],
            &work,
            &budget(Duration::from_secs(5), 1 << 20),
        )
        .unwrap();
        assert!(r.success);
        assert_eq!(r.stdout, b"x");
    }

    #[test]
    fn a_timed_out_process_group_is_gone_children_included() {
        let (work, _) = Workdir::with_input("in.txt", b"x").unwrap();
        // The shell forks a grandchild that writes its pid, then both sleep.
        let script = "sleep 30 & echo $! > grandchild.pid; wait";
        let r = run(
            "sh",
            &["-c", script],
            &work,
            &budget(Duration::from_secs(2), 1 << 20),
        );
        assert_eq!(r.unwrap_err(), ToolError::Timeout);
        let pid: i32 = fs::read_to_string(work.path().join("grandchild.pid"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Killed with the group: gone (reaped by init) or a zombie. SIGKILL is
        // delivered asynchronously, so allow the kernel a moment to finish it.
        let running = || {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .chars()
                .next();
            !matches!(state, None | Some('Z') | Some('X'))
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while running() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !running(),
            "grandchild {pid} still running after the group was killed"
        );
    }

    #[test]
    fn output_is_capped() {
        let (work, _) = Workdir::with_input("in.txt", b"x").unwrap();
        // `yes` writes forever: the file-size limit stops it, and the run is refused.
        let r = run(
            "yes",
            &["ogi"],
            &work,
            &budget(Duration::from_secs(20), 64 << 10),
        );
        assert_eq!(r.unwrap_err(), ToolError::TooMuchOutput);
        assert!(fs::metadata(work.path().join(".stdout")).unwrap().len() <= 64 << 10);
    }
}
