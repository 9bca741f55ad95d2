//! # ogi-testkit
//!
//! The machinery that exercises ogi without the internet, kept out of the
//! library crates (they neither depend on axum nor ship a generator):
//!
//! * [`sample`]: the bundled sample portal (`data/sample-portal/`) served on
//!   loopback with virtual hosts, validators, fault injection and a request
//!   log — crawled by the tests, `ogi demo`, `ogi serve-sample` and the
//!   benchmarks;
//! * [`scripted`]: a loopback server whose virtual hosts answer with closures
//!   and log every request — for tests that script a portal's answers;
//! * [`synth`]: reproducible synthetic reports in every layout family with
//!   the cells a correct extraction gives — for `ogi synth`, the tests and
//!   the benchmarks;
//! * [`corpus`]: a panel-shaped corpus of thousands of agencies of real
//!   regions over several years (title forms, missing years, re-published
//!   and revised documents) with its ground truth — for `ogi synth
//!   --agencies` and the panel tests;
//! * [`fs`]: small file helpers the tests share;
//! * [`cli`]: running the `ogi` binary from its integration tests;
//! * [`mode`]: how long the heavy tests run (`OGI_LONG`, `OGI_FUZZ_CASES`);
//! * `fuzz` (feature `fuzz`): the proptest runner of the fuzz targets.
//!
//! A dependency of the `ogi` binary and of tests and benchmarks only.

#![warn(missing_docs)]

pub mod cli;
pub mod corpus;
pub mod fs;
#[cfg(feature = "fuzz")]
pub mod fuzz;
pub mod mode;
pub mod sample;
pub mod scripted;
pub mod synth;

pub use sample::{Fault, FaultRule, Faults, RequestRecord, SampleServer, serve_sample};
