//! Layout round trip: synth → every layout → parse → every cell compared.

use crate::common::{checks_ok, parse};
use ogi_extract::{Provenance, Report, Status, Template};
use ogi_testkit::synth::{Layout, Options, Synth, synth};

/// Compares a parse with the synthetic truth; `Err` says what differs.
fn compare(s: &Synth, r: &Report) -> Result<(), String> {
    // A layout that loses cells the identities cannot restore gives a partial report.
    let want = if s
        .expected
        .iter()
        .any(|e| e.provenance == Provenance::Missing)
    {
        Status::Partial
    } else {
        Status::Parsed
    };
    if r.status != want {
        return Err(format!(
            "status {:?} (want {want:?}) {:?}",
            r.status, r.flags
        ));
    }
    if r.agency.as_deref() != Some(s.contents.agency.as_str()) || r.year != Some(s.contents.year) {
        return Err(format!("title: {:?} {:?}", r.agency, r.year));
    }
    if r.template != Some(s.contents.template) {
        return Err(format!("template {:?}", r.template));
    }
    if r.cells.len() != s.expected.len() {
        return Err(format!(
            "{} cells, expected {}; flags {:?}",
            r.cells.len(),
            s.expected.len(),
            r.flags
        ));
    }
    for e in &s.expected {
        let Some(c) = r
            .cells
            .iter()
            .find(|c| c.table == e.table && c.row == e.row && c.col == e.col)
        else {
            return Err(format!("no cell {}.{:?}", e.row, e.col));
        };
        let same = match (c.value, e.value) {
            (Some(a), Some(b)) => (a.as_f64() - b.as_f64()).abs() < 1e-9,
            (None, None) => true,
            _ => false,
        };
        if !same || c.provenance != e.provenance {
            return Err(format!(
                "{}.{:?}: got {:?} {:?} (raw {:?}, line {:?}), want {:?} {:?}; flags {:?}",
                e.row, e.col, c.value, c.provenance, c.raw, c.line, e.value, e.provenance, r.flags
            ));
        }
    }
    Ok(())
}

fn run(seeds: std::ops::Range<u64>, opts: &Options) -> usize {
    let mut n = 0;
    for seed in seeds {
        for layout in Layout::ALL {
            let s = synth(seed, layout, opts);
            let r = parse(&s.text);
            if let Err(e) = compare(&s, &r) {
                panic!("seed {seed} {layout:?} {opts:?}: {e}\n{}", s.text);
            }
            if !opts.dashes {
                assert_eq!(
                    checks_ok(&r),
                    !opts.inconsistent,
                    "seed {seed} {layout:?}: {:?} {:?}",
                    s.contents.perturbed,
                    r.checks
                );
            }
            n += 1;
        }
    }
    n
}

#[test]
fn consistent_2021_reports_round_trip_in_every_layout() {
    assert_eq!(run(0..150, &Options::default()), 900);
}

#[test]
fn reports_with_dashes_and_blanks_round_trip() {
    run(
        1000..1080,
        &Options {
            dashes: true,
            ..Options::default()
        },
    );
}

#[test]
fn template_2019_round_trips() {
    run(
        2000..2080,
        &Options {
            template: Template::V2019,
            ..Options::default()
        },
    );
}

#[test]
fn inconsistent_reports_keep_their_numbers_and_fail_a_check() {
    run(
        3000..3080,
        &Options {
            inconsistent: true,
            ..Options::default()
        },
    );
}
