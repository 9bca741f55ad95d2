//! `ogi`: the command-line front of the ogi pipeline. It only wires the stages
//! (crawler → extract → analyze) together; each subcommand lives in `cmd/`.

mod cmd;
mod config;
mod logging;
mod messages;
mod pipeline;
mod settings;

use clap::Parser;

/// mimalloc instead of the system allocator: Polars' analyze stage allocates
/// and frees large buffers per year and dataset, and glibc's malloc hands
/// them back to the kernel and faults them in again (page faults were 13 % of
/// the 1 M-report profile in issue 16; `scripts/bench.sh` compares the two).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// While alive, new memory of the process is backed by small (4 KiB) pages
/// only: Linux's transparent huge pages off (`PR_SET_THP_DISABLE`), restored
/// on drop. For the crawl: mimalloc asks for huge pages on its arenas, and a
/// crawl's many small, short-lived allocations spread over its threads'
/// pages then each fault in a whole 2 MiB page — peak RSS of the 50-host
/// crawl benchmark 93 MiB with them, 44 MiB without (scripts/bench/notes.md).
/// Analyze keeps them (large buffers, fewer page faults).
pub(crate) struct SmallPages {
    #[cfg(target_os = "linux")]
    was_disabled: bool,
}

impl SmallPages {
    /// Turns transparent huge pages off until the guard is dropped (a no-op
    /// where the kernel has no such switch).
    pub(crate) fn enter() -> Self {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: PR_GET/SET_THP_DISABLE read and set one flag of this process.
            let was_disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) } == 1;
            if !was_disabled {
                // SAFETY: as above; a failure leaves the flag as it was.
                unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
            }
            SmallPages { was_disabled }
        }
        #[cfg(not(target_os = "linux"))]
        SmallPages {}
    }
}

impl Drop for SmallPages {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if !self.was_disabled {
            // SAFETY: as in `enter`.
            unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 0, 0, 0, 0) };
        }
    }
}

fn main() {
    restore_sigpipe();
    let cli = cmd::Cli::parse();
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}", messages::fatal(&err));
            if is_write_failure(&err) {
                eprintln!("{}", messages::WRITE_FAILURE_HINT);
            }
            2
        }
    };
    std::process::exit(code);
}

/// Whether an error comes from a failed write: no space, file too large, a
/// read-only file system, no permission, or SQLite's disk errors.
fn is_write_failure(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull
                    | std::io::ErrorKind::FileTooLarge
                    | std::io::ErrorKind::ReadOnlyFilesystem
                    | std::io::ErrorKind::PermissionDenied
            );
        }
        let text = e.to_string();
        [
            "disk I/O error",
            "database or disk is full",
            "readonly database",
            "File too large",
        ]
        .iter()
        .any(|m| text.contains(m))
    })
}

/// Lets `ogi … | head` end quietly, as command-line tools do, instead of
/// panicking on a closed standard output (Rust ignores SIGPIPE by default).
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
