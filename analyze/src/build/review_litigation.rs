//! The `review_litigation` dataset: the cells of table 4, wide.

use super::wide::{Source, WideSpec};
use crate::vocab::vocabulary;

/// Table 4, wide: one column per table-4 key, and `n_inferred`.
pub(super) fn spec() -> WideSpec {
    WideSpec {
        table: 4,
        total_only: false,
        keys: vocabulary()
            .table4
            .iter()
            .map(|t| (t.key.as_str(), Source::Int))
            .collect(),
        sums: Vec::new(),
        inferred: Some("n_inferred"),
    }
}
