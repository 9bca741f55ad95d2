//! Region resolution through the bundled gazetteer, and report scope.

use crate::Report;

/// Fills `region`, `region_code` and `scope` of a parsed report from its agency name and title.
pub fn annotate(report: &mut Report) {
    // STUB (helper B replaces this).
    let _ = report;
}
