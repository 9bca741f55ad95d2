//! Integration tests of ogi-crawler against the sample portal on 127.0.0.1 only.

#[path = "crawl/support.rs"]
mod support;

#[path = "crawl/charset.rs"]
mod charset;
#[path = "crawl/e2e.rs"]
mod e2e;
#[path = "crawl/fault_matrix.rs"]
mod fault_matrix;
#[path = "crawl/faults.rs"]
mod faults;
#[path = "crawl/fuzz.rs"]
mod fuzz;
#[path = "crawl/registry.rs"]
mod registry;
#[path = "crawl/resume.rs"]
mod resume;
