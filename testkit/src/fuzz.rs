//! The proptest runner the fuzz targets of every crate share (feature `fuzz`,
//! enabled by the test crates' dev-dependencies only): [`mode::fuzz_cases`]
//! inputs per target, no failure files, and a `LONG fuzz:` line in long mode.
//!
//! [`mode::fuzz_cases`]: crate::mode::fuzz_cases

use crate::mode::{fuzz_cases, long_mode};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Runs `strategy` × `check` for [`fuzz_cases`] inputs and returns how many ran.
///
/// # Panics
/// When `check` fails for some input: the message names the target and the
/// minimised input.
pub fn run<S: Strategy>(
    name: &str,
    strategy: S,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> u32
where
    S::Value: std::fmt::Debug,
{
    let n = fuzz_cases();
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, check) {
        panic!("fuzz target {name}: {e}");
    }
    if long_mode() {
        println!("LONG fuzz: target={name} inputs={n} panics=0");
    }
    n
}
