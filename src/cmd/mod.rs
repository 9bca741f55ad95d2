//! Subcommands, one per file.

use clap::{Parser, Subcommand};

/// Open Government Information annual reports → open data.
#[derive(Debug, Parser)]
#[command(name = "ogi", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
}

/// Runs the chosen subcommand and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {}
}
