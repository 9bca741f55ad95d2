//! How long the heavy tests run, from the environment (one policy for every
//! test crate): `OGI_LONG=1` asks for the long runs (fuzzing a million inputs
//! per target, many fault schedules and kill points) and `OGI_FUZZ_CASES`
//! sets the inputs per fuzz target.

/// The environment variable that turns the long mode on (any value but `""` and `0`).
pub const LONG_VAR: &str = "OGI_LONG";

/// Inputs per fuzz target: `OGI_FUZZ_CASES`, else 1 000 000 in long mode, else 256.
pub fn fuzz_cases() -> u32 {
    env_num("OGI_FUZZ_CASES")
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(if long_mode() { 1_000_000 } else { 256 })
}

/// True when `OGI_LONG` is set to something other than `""` or `0`.
pub fn long_mode() -> bool {
    std::env::var(LONG_VAR).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The whole number in the environment variable `name`, if it holds one.
pub fn env_num(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}
