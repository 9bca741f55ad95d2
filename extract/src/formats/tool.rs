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
//! * A tool that writes nothing but its standard output (pdftotext with
//!   `- -`) runs through [`run_piped`] instead: the input comes from an
//!   in-memory file on stdin, stdout and stderr are pipes read with the cap,
//!   and at the cap the process group is killed. With no temporary directory
//!   and no `pre_exec` hook (the file-size limit) the standard library starts
//!   the child with `posix_spawn`, which does not copy this process's page
//!   tables as `fork` does: on a short `ogi parse` of a PDF, that copy and the
//!   temporary files were a measurable part of the run.

use super::limits::{Exceeded, Limits};
use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
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
    let child = cmd
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
    let status = wait_within(program, child, timeout, |child| child.wait())?;
    let mut stdout = Vec::new();
    if let Ok(f) = fs::File::open(&out_path) {
        let _ = f.take(cap).read_to_end(&mut stdout);
    }
    if stdout.len() as u64 >= cap {
        return Err(ToolError::TooMuchOutput);
    }
    let stderr = fs::read(&err_path).unwrap_or_default();
    Ok(Run {
        success: status.success(),
        stdout,
        stderr_head: first_line(&stderr),
    })
}

/// How much of a tool's stderr is kept: its first line is all that is used.
const STDERR_HEAD: usize = 512;

/// The first line of the first [`STDERR_HEAD`] bytes of `stderr`, trimmed.
fn first_line(stderr: &[u8]) -> String {
    String::from_utf8_lossy(&stderr[..stderr.len().min(STDERR_HEAD)])
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Waits for the started `child` within `timeout`: a helper thread runs
/// `finish` on it (reading its output, reaping it) while this thread waits on
/// that with the time budget, so a finished tool is noticed at once and a stuck
/// one is killed on time, with its process group. Before it waits, this
/// thread builds the parser's tables while the tool runs (once per process,
/// [`crate::warm_up_once`]); the time that takes counts against the budget.
fn wait_within<T: Send + 'static>(
    program: &str,
    mut child: Child,
    timeout: Duration,
    finish: impl FnOnce(&mut Child) -> std::io::Result<T> + Send + 'static,
) -> Result<T, ToolError> {
    let started = std::time::Instant::now();
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(finish(&mut child));
    });
    crate::warm_up_once();
    match rx.recv_timeout(timeout.saturating_sub(started.elapsed())) {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(ToolError::Failed(format!("waiting for {program}: {e}"))),
        Err(_) => {
            kill_group(pid);
            // the helper reaps the killed child; wait briefly so no zombie outlives the call
            let _ = rx.recv_timeout(Duration::from_secs(5));
            Err(ToolError::Timeout)
        }
    }
}

/// Runs `program` (looked up on `PATH`) with `args`, `input` on its standard
/// input and its standard output captured, within the time budget and output
/// cap of `limits`: for tools that write nothing but standard output (see the
/// module's documentation). Of stderr, the first line is kept.
pub(crate) fn run_piped<S: AsRef<OsStr>>(
    program: &str,
    args: &[S],
    input: &[u8],
    limits: &Limits,
) -> Result<Run, ToolError> {
    let cap = limits.max_tool_output_bytes;
    let exe = which(program).ok_or(ToolError::Missing)?;
    let stdin = input_file(input)
        .map_err(|e| ToolError::Failed(format!("buffering the input of {program}: {e}")))?;
    let mut child = Command::new(&exe)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| ToolError::Failed(format!("starting {}: {e}", exe.display())))?;
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        kill_group(child.id());
        let _ = child.wait();
        return Err(ToolError::Failed(format!("no pipes to {program}")));
    };
    let pid = child.id();
    let (status, pumped) = wait_within(program, child, limits.tool_timeout, move |child| {
        let pumped = pump(out, err, cap, pid)?;
        Ok((child.wait()?, pumped))
    })?;
    if pumped.over_cap {
        return Err(ToolError::TooMuchOutput);
    }
    Ok(Run {
        success: status.success(),
        stdout: pumped.stdout,
        stderr_head: first_line(&pumped.stderr),
    })
}

/// `input` in an unnamed file, positioned at its start, to become a child's
/// stdin: in memory (`memfd_create`) on Linux, else an unlinked temporary file.
fn input_file(input: &[u8]) -> std::io::Result<fs::File> {
    let mut file = memory_file().map_or_else(tempfile::tempfile, Ok)?;
    file.write_all(input)?;
    file.rewind()?;
    Ok(file)
}

/// An anonymous in-memory file, where the system has them.
fn memory_file() -> Option<fs::File> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::fd::FromRawFd;
        // SAFETY: the name is a NUL-terminated literal; on success the call
        // returns a new descriptor that nothing else owns, handed to `File`.
        let fd = unsafe { libc::memfd_create(c"ogi-tool-input".as_ptr(), libc::MFD_CLOEXEC) };
        if fd >= 0 {
            // SAFETY: `fd` is a fresh, open descriptor owned by no one else.
            return Some(unsafe { fs::File::from_raw_fd(fd) });
        }
    }
    None
}

/// What [`pump`] read from a child.
struct Pumped {
    /// Standard output, up to the cap.
    stdout: Vec<u8>,
    /// The first [`STDERR_HEAD`] bytes of stderr.
    stderr: Vec<u8>,
    /// Whether stdout or stderr reached the cap (the child was killed).
    over_cap: bool,
}

/// Reads the child's stdout and stderr together until both are closed (so
/// that neither pipe can fill up and stall it). Stdout is kept up to `cap`
/// bytes, and of stderr the first [`STDERR_HEAD`] bytes; when either reaches
/// `cap` bytes, the process group `pgid` is killed and reading stops (as the
/// file-size cap of [`run`] stops a tool writing either without end).
fn pump(
    mut out: ChildStdout,
    mut err: ChildStderr,
    cap: usize,
    pgid: u32,
) -> std::io::Result<Pumped> {
    let mut got = Pumped {
        stdout: Vec::new(),
        stderr: Vec::new(),
        over_cap: false,
    };
    let mut stderr_len = 0usize;
    if cap == 0 {
        kill_group(pgid);
        got.over_cap = true;
        return Ok(got);
    }
    let mut buf = vec![0u8; 64 << 10];
    let (mut out_open, mut err_open) = (true, true);
    while out_open || err_open {
        let mut fds = [
            libc::pollfd {
                fd: if out_open { out.as_raw_fd() } else { -1 },
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: if err_open { err.as_raw_fd() } else { -1 },
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd structs for the call's
        // duration; negative descriptors are ignored by poll.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if fds[0].revents != 0 {
            let room = (cap - got.stdout.len()).min(buf.len());
            match read_some(&mut out, &mut buf[..room])? {
                0 => out_open = false,
                k => {
                    got.stdout.extend_from_slice(&buf[..k]);
                    got.over_cap = got.stdout.len() >= cap;
                }
            }
        }
        if fds[1].revents != 0 {
            match read_some(&mut err, &mut buf)? {
                0 => err_open = false,
                k => {
                    let keep = k.min(STDERR_HEAD.saturating_sub(got.stderr.len()));
                    got.stderr.extend_from_slice(&buf[..keep]);
                    stderr_len = stderr_len.saturating_add(k);
                    got.over_cap |= stderr_len >= cap;
                }
            }
        }
        if got.over_cap {
            kill_group(pgid);
            break;
        }
    }
    Ok(got)
}

/// One `read` of a pipe that poll found ready, retried when a signal
/// interrupted it; `Ok(0)` is the end of the stream.
fn read_some(pipe: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match pipe.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
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
    fn piped_runs_feed_stdin_and_keep_the_first_line_of_stderr() {
        let lim = budget(Duration::from_secs(20), 1 << 20);
        let r = run_piped("ogi-no-such-tool-xyz", &["a"], b"", &lim);
        assert_eq!(r.unwrap_err(), ToolError::Missing);
        let r = run_piped("cat", &["-"], "政府 report\n".as_bytes(), &lim).unwrap();
        assert!(r.success);
        assert_eq!(r.stdout, "政府 report\n".as_bytes());
        // 200 kB on stderr before anything on stdout: more than a pipe holds,
        // so both pipes must be read together or the child stalls
        let script = "yes oops | head -c 200000 >&2; head -c 70000 /dev/zero; exit 3";
        let r = run_piped("sh", &["-c", script], b"", &lim).unwrap();
        assert!(!r.success);
        assert_eq!(r.stdout.len(), 70_000);
        assert_eq!(r.stderr_head, "oops");
    }

    #[test]
    fn piped_runs_are_capped_and_timed() {
        // `yes` writes forever: the group is killed at the cap and the run refused
        let r = run_piped(
            "yes",
            &["ogi"],
            b"",
            &budget(Duration::from_secs(20), 64 << 10),
        );
        assert_eq!(r.unwrap_err(), ToolError::TooMuchOutput);
        // the same on stderr, which is otherwise read and dropped
        let r = run_piped(
            "sh",
            &["-c", "yes oops >&2"],
            b"",
            &budget(Duration::from_secs(20), 64 << 10),
        );
        assert_eq!(r.unwrap_err(), ToolError::TooMuchOutput);
        let r = run_piped(
            "sleep",
            &["5"],
            b"",
            &budget(Duration::from_millis(100), 1 << 20),
        );
        assert_eq!(r.unwrap_err(), ToolError::Timeout);
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
