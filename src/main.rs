//! `ogi`: the command-line front of the ogi pipeline. It only wires the stages
//! (crawler → extract → analyze) together; each subcommand lives in `cmd/`.

mod cmd;
mod config;
mod logging;
mod pipeline;

use clap::Parser;

fn main() {
    let cli = cmd::Cli::parse();
    let code = match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("ogi: error: {err:#}");
            2
        }
    };
    std::process::exit(code);
}
