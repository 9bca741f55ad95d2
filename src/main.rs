//! `ogi`: the command-line front of the ogi pipeline. It only wires the stages
//! (crawler → extract → analyze) together; each subcommand lives in `cmd/`.

mod cmd;
mod config;
mod logging;
mod messages;
mod pipeline;
mod settings;

use clap::Parser;

fn main() {
    restore_sigpipe();
    let cli = cmd::Cli::parse();
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{}", messages::fatal(&err));
            2
        }
    };
    std::process::exit(code);
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
