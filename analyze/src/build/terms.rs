//! The distinct `row`, `col` and `provenance` strings of the cells, each
//! interned once with everything the reduction to pieces asks of it (its
//! place in the vocabulary, whether it marks an inferred value, its id in
//! the global categorical mapping).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use polars::prelude::{CategoricalMapping, DataType};

use super::is_inferred_provenance;
use super::read::cat;
use super::wide::{WIDE, WideSpec};
use crate::vocab::{FLOW_ROWS, vocabulary};

/// The marker of a null string (or of a cell not wanted).
pub(super) const NO_TERM: u32 = u32::MAX;

/// What the reduction needs to know of one distinct string.
#[derive(Debug, Clone)]
pub(super) struct Term {
    /// Its id in the global categorical mapping of [`cat`].
    pub cat: u32,
    /// Its index in [`FLOW_ROWS`], as a table-3 row.
    pub flow: Option<u8>,
    /// Its order among the outcome rows of table 3 (`_row_order`).
    pub outcome: Option<u16>,
    /// Its order among the applicant types (table-3 columns, `_col_order`).
    pub applicant: Option<u16>,
    /// It is the `total` column.
    pub total: bool,
    /// As a provenance, the value was inferred (see [`is_inferred_provenance`]).
    pub inferred: bool,
    /// Its position among the keys of each wide piece of [`WIDE`].
    pub wide: [Option<u16>; WIDE.len()],
    /// The sum of each wide piece of [`WIDE`] it counts in.
    pub sum: [Option<u8>; WIDE.len()],
}

/// The interned strings, and the vocabulary they are looked up in.
pub(super) struct Terms {
    index: HashMap<String, u32>,
    terms: Vec<Term>,
    mapping: Arc<CategoricalMapping>,
    specs: Vec<WideSpec>,
    outcomes: HashMap<&'static str, u16>,
    applicants: HashMap<&'static str, u16>,
}

impl Terms {
    /// An empty interner over the vocabulary.
    pub fn new() -> Result<Terms> {
        let DataType::Categorical(_, mapping) = cat() else {
            anyhow::bail!("the cell keys' dtype is not categorical");
        };
        let v = vocabulary();
        Ok(Terms {
            index: HashMap::new(),
            terms: Vec::new(),
            mapping,
            specs: WIDE.iter().map(|w| w.spec()).collect(),
            outcomes: v
                .outcome_rows()
                .enumerate()
                .map(|(i, t)| (t.key.as_str(), i as u16))
                .collect(),
            applicants: v
                .table3_columns
                .iter()
                .enumerate()
                .map(|(i, t)| (t.key.as_str(), i as u16))
                .collect(),
        })
    }

    /// The index of `s` (interned on first sight).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let term = self.describe(s);
        let i = self.terms.len() as u32;
        self.terms.push(term);
        self.index.insert(s.to_string(), i);
        i
    }

    /// The term at `i` ([`NO_TERM`]: none).
    #[inline]
    pub fn get(&self, i: u32) -> Option<&Term> {
        self.terms.get(i as usize)
    }

    fn describe(&self, s: &str) -> Term {
        let mut wide = [None; WIDE.len()];
        let mut sum = [None; WIDE.len()];
        for (k, spec) in self.specs.iter().enumerate() {
            wide[k] = spec
                .keys
                .iter()
                .position(|(key, _)| *key == s)
                .map(|p| p as u16);
            sum[k] = spec
                .sums
                .iter()
                .position(|(_, rows)| rows.contains(&s))
                .map(|p| p as u8);
        }
        Term {
            // Inserting into the global mapping only fails when it is full
            // (2^32 strings); the string then reads as null.
            cat: self.mapping.insert_cat(s).unwrap_or(NO_TERM),
            flow: FLOW_ROWS.iter().position(|f| *f == s).map(|p| p as u8),
            outcome: self.outcomes.get(s).copied(),
            applicant: self.applicants.get(s).copied(),
            total: s == "total",
            inferred: is_inferred_provenance(s),
            wide,
            sum,
        }
    }
}
