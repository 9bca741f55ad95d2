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

/// Back this process's memory with small (4 KiB) pages only: Linux's
/// transparent huge pages off (`PR_SET_THP_DISABLE`; a no-op elsewhere).
/// mimalloc asks for huge pages on its arenas, so every 2 MiB region first
/// touched by any thread was faulted in and zeroed whole. Measured
/// (scripts/bench/notes.md): peak RSS of the 50-host crawl benchmark 93 → 44
/// MiB; `ogi parse` of a PDF, zeroing those pages cost more than parsing;
/// `ogi analyze` at 1 M reports, kernel time 31 → 16 s. mimalloc is also
/// built without huge-page advice (feature `no_thp`, Cargo.toml): its first
/// arena is made before `main` runs, and on `ogi parse` of a PDF zeroing its
/// 2 MiB pages was still ≈ 1 ms of the start.
fn small_pages_only() {
    #[cfg(target_os = "linux")]
    // SAFETY: a plain system call with integer arguments; it changes only how
    // the kernel backs this process's future page faults. A failure leaves
    // the setting as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn main() {
    restore_sigpipe();
    small_pages_only();
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
    finish(code)
}

/// Ends the process with `code` once standard output is flushed, without the
/// C library's exit handlers and the shared libraries' destructors (mimalloc's
/// and aws-lc's teardown, `_dl_fini`). Nothing of ours runs there: every
/// command has written and closed its files when [`cmd::run`] returns, and
/// standard error is unbuffered; on `ogi parse` of one PDF they were work on
/// the critical path after the result was printed (scripts/bench/notes.md).
fn finish(code: i32) -> ! {
    use std::io::Write;
    // as `std::process::exit` does, a failed flush changes nothing here
    let _ = std::io::stdout().flush();
    #[cfg(unix)]
    // SAFETY: `_exit` takes an integer and does not return; the buffered
    // output that matters (standard output) was flushed just above.
    unsafe {
        libc::_exit(code)
    }
    #[cfg(not(unix))]
    std::process::exit(code)
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
