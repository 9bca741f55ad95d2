//! Table 4 (administrative review and litigation): three blocks × five outcomes.
//!
//! Accepts the fifteen numbers on one line (or spread over lines) after the
//! header, or one labelled line per block with five numbers. Block and
//! outcome order come from the header labels when all are present.

use super::Slot;
use super::split::FusedRun;
use super::tokens::{Kind, TLine, Tok};
use crate::labels::{best_match, scan};
use crate::vocab::vocab;

/// Table 4 as read.
#[derive(Debug, Clone, Default)]
pub struct Table4Read {
    /// Cells by index into [`crate::vocab::Vocab::table4`].
    pub slots: Vec<Slot>,
    /// Findings.
    pub flags: Vec<String>,
    /// The digit tokens when the fifteen numbers were printed fused
    /// (`10203120001200000`), for [`super::split`]; the slots stay missing.
    pub fused: Option<Vec<String>>,
    /// Source line of the fused digits.
    pub fused_line: Option<u32>,
    /// Index into [`crate::vocab::Vocab::table4`] of each document position.
    pub order: Vec<usize>,
}

/// Distinct values in first-seen order.
fn distinct(v: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut out = Vec::new();
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// Reads table 4 from its part's lines.
pub fn read(lines: &[TLine]) -> Table4Read {
    let v = vocab();
    let blocks = v.table4_blocks();
    let nb = blocks.len();
    let no = blocks.first().map_or(0, Vec::len);
    let mut out = Table4Read {
        slots: vec![Slot::missing(); v.table4.len()],
        ..Table4Read::default()
    };
    // Header: every label, in reading order.
    let header: String = lines
        .iter()
        .flat_map(|l| l.toks.iter())
        .filter(|t| t.kind == Kind::Label)
        .map(|t| t.key.as_str())
        .collect();
    let outcome_labels: Vec<Vec<String>> = blocks
        .first()
        .map(|b| b.iter().map(|t| vec![t.outcome.clone()]).collect())
        .unwrap_or_default();
    let block_labels: Vec<&[String]> = blocks.iter().map(|b| b[0].blocks.as_slice()).collect();
    let header_labels = outcome_labels
        .iter()
        .map(Vec::as_slice)
        .chain(block_labels.iter().copied());
    if scan(&header, header_labels.enumerate()).is_empty() {
        out.flags.push("no_column_header:4".into());
    }
    let mut outcomes = distinct(
        scan(
            &header,
            outcome_labels
                .iter()
                .enumerate()
                .map(|(i, l)| (i, l.as_slice())),
        )
        .into_iter()
        .map(|h| h.1),
    );
    if outcomes.len() != no {
        outcomes = (0..no).collect();
    }
    let mut border = distinct(
        scan(
            &header,
            block_labels.iter().enumerate().map(|(i, l)| (i, *l)),
        )
        .into_iter()
        .map(|h| h.1),
    );
    if border.len() != nb {
        border = (0..nb).collect();
    }
    let index = |b: usize, o: usize| v.table4.iter().position(|t| t.key == blocks[b][o].key);
    out.order = (0..nb * no)
        .filter_map(|i| index(border[i / no], outcomes[i % no]))
        .collect();
    // One labelled line per block.
    let mut labelled = 0;
    for l in lines {
        for seg in l.segments() {
            let nums: Vec<&Tok> = seg.vals.iter().copied().filter(|t| t.is_value()).collect();
            if nums.len() != no {
                continue;
            }
            if let Some((b, _)) = best_match(
                &seg.label_key(),
                block_labels.iter().enumerate().map(|(i, l)| (i, *l)),
            ) {
                for (j, t) in nums.iter().enumerate() {
                    if let Some(k) = index(b, outcomes[j]) {
                        out.slots[k] = Slot::from_tok(t, l.no);
                    }
                }
                labelled += 1;
            }
        }
    }
    if labelled == nb {
        return out;
    }
    out.slots = vec![Slot::missing(); v.table4.len()];
    let nums: Vec<(u32, &Tok)> = lines
        .iter()
        .flat_map(|l| {
            l.toks
                .iter()
                .filter(|t| t.is_value())
                .map(move |t| (l.no, t))
        })
        .collect();
    let grid_line = lines.iter().find(|l| {
        l.toks.len() == nb * no && l.toks.iter().all(|t| t.kind != Kind::Label) && l.has_values()
    });
    let placed: Vec<(u32, &Tok)> = if nums.len() == nb * no {
        nums
    } else if let Some(l) = grid_line {
        l.toks.iter().map(|t| (l.no, t)).collect()
    } else {
        let raw: Vec<String> = nums.iter().map(|(_, t)| t.raw.clone()).collect();
        let in_text = lines.iter().filter(|l| l.has_values()).all(|l| !l.multi);
        if in_text && out.order.len() == nb * no && FusedRun::plausible(&raw, nb * no) {
            out.fused_line = nums.first().map(|n| n.0);
            out.fused = Some(raw);
        }
        if !nums.is_empty() {
            out.flags
                .push(format!("table4_unreadable:{}_values", nums.len()));
        }
        return out;
    };
    for (i, (line, t)) in placed.iter().enumerate() {
        if let Some(k) = index(border[i / no], outcomes[i % no]) {
            out.slots[k] = Slot::from_tok(t, *line);
        }
    }
    out
}
