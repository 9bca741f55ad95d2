//! # ogi-util
//!
//! Plumbing every ogi crate shares, written once:
//!
//! * [`atomic`]: durable atomic file writes (temp file, fsync, rename, directory fsync);
//! * [`time`]: Unix time and RFC 3339 UTC formatting without a date-time dependency;
//! * [`lock`]: the one run lock of an output directory (`OUT/ogi.lock`);
//! * [`charset`]: the one charset decoder (BOM → declared charset, checked →
//!   re-detection), used by the crawler on list pages and by the extractor on documents;
//! * [`process`]: the file-size cap of a child process (`RLIMIT_FSIZE`), used by
//!   the extractor's external tools and the disk-full crash test;
//! * [`memory`]: this process's resident and peak memory (Linux), for the
//!   analysis log and the benchmarks.
//!
//! Small on purpose: no async runtime, no HTTP, no data frames.

#![warn(missing_docs)]

pub mod atomic;
pub mod charset;
pub mod lock;
pub mod memory;
#[cfg(unix)]
pub mod process;
pub mod time;

pub use atomic::{write_atomic, write_atomic_with};
pub use lock::{LockError, RunLock};
