//! Running the `ogi` binary from the binary's integration tests.

use std::path::Path;
use std::process::Command;

/// Runs `bin` (the tests' `env!("CARGO_BIN_EXE_ogi")`) with `args` in `dir`
/// and returns its standard output; panics with both outputs unless it exits
/// with status 0.
pub fn run_ok(bin: &str, dir: &Path, args: &[&str]) -> String {
    let o = Command::new(bin)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("ogi runs");
    assert_eq!(
        o.status.code(),
        Some(0),
        "ogi {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("ogi prints UTF-8")
}
