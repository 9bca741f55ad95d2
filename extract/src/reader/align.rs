//! Placing table-3 value rows that their labels did not place, by the
//! template's row order.
//!
//! PDF-to-Markdown converters float row labels away from their numbers: a
//! row of bare numbers, then its label a few lines later, above another
//! row's numbers. Table 3's rows always come in the template's order, so a
//! row of numbers between two rows whose label sits on their own line
//! (*anchors*) belongs to the template rows between those two. When the
//! value rows between two anchors are exactly as many as the template rows
//! between them, each takes its row by position; the row is flagged
//! `row_by_position:<row>` whenever that differs from what its label said
//! (or it had none). Otherwise the rows keep their labels and the unlabelled
//! ones are dropped with `unplaced_row:<line>`.
//!
//! Runs only when the reader found such rows ([`super::table3::Loose`]). The
//! template order is the one the row labels tell (rows read, else the loose
//! rows' own labels); when no label tells, the template whose order places
//! every loose row is used if only one does, else the loose rows are dropped.

use super::table3::{Loose, RowRead, Stray, Table3Read};
use crate::Template;
use crate::vocab::vocab;

/// A value row in document order: read with a label, or loose.
#[derive(Debug, Clone)]
struct Item {
    read: RowRead,
    /// The row its label names (`None` for bare numbers).
    label: Option<usize>,
    /// Its label sat on the line of its values, and it was placed by it.
    anchor_kind: bool,
    /// The row it takes.
    placed: Option<usize>,
}

/// Indices of a longest strictly increasing subsequence of `keys`.
pub(super) fn lis(keys: &[usize]) -> Vec<usize> {
    let n = keys.len();
    let mut len = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if keys[j] < keys[i] && len[j] + 1 > len[i] {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
    }
    let Some(mut i) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) else {
        return Vec::new();
    };
    let mut out = vec![i];
    while prev[i] != usize::MAX {
        i = prev[i];
        out.push(i);
    }
    out.reverse();
    out
}

/// Places the loose rows of `t3` (see the module docs) and rebuilds its rows.
pub fn place_loose(t3: &mut Table3Read) {
    // The labels of the loose rows count too (a repeated label may be the only 2021 row).
    let template = t3.template();
    let loose = std::mem::take(&mut t3.loose);
    if loose.is_empty() {
        return;
    }
    let v = vocab();
    // The template: from the rows read, else from the loose rows' labels, else
    // the one whose order places every loose row (when only one does).
    let told = |t: Template| {
        loose
            .iter()
            .any(|l| l.label.is_some_and(|r| v.rows[r].templates == [t]))
    };
    let candidates: Vec<Template> = match template {
        Some(t) => vec![t],
        None => match (told(Template::V2019), told(Template::V2021)) {
            (true, false) => vec![Template::V2019],
            (false, true) => vec![Template::V2021],
            _ => vec![Template::V2021, Template::V2019],
        },
    };
    let mut plans: Vec<Plan> = candidates.iter().map(|&t| plan(t3, &loose, t)).collect();
    if plans.len() > 1 {
        plans.retain(|p| p.unplaced == 0);
    }
    let [chosen] = plans.as_slice() else {
        drop_loose(t3, &loose);
        return;
    };
    let chosen = chosen.clone();
    t3.flags.retain(|f| !chosen.retired.contains(f));
    t3.flags.extend(chosen.flags);
    t3.strays.extend(chosen.strays);
    t3.rows = chosen.rows;
}

/// Rows placed for one template: the new rows, flags to add and to retire,
/// and how many loose rows found no place.
#[derive(Debug, Clone)]
struct Plan {
    rows: Vec<RowRead>,
    flags: Vec<String>,
    retired: Vec<String>,
    /// Values under labels whose row another row of values took.
    strays: Vec<Stray>,
    unplaced: usize,
}

fn plan(t3: &Table3Read, loose: &[Loose], template: Template) -> Plan {
    let v = vocab();
    let trows = v.row_indices_of(template);
    let pos = |row: usize| trows.iter().position(|&r| r == row);
    // Value rows and loose rows in document order.
    let mut items: Vec<Item> = Vec::new();
    let mut label_only: Vec<RowRead> = Vec::new();
    let mut li = loose.iter().peekable();
    for (i, r) in t3.rows.iter().enumerate() {
        while let Some(l) = li.next_if(|l| l.after <= i) {
            items.push(loose_item(l));
        }
        if r.short {
            label_only.push(r.clone());
        } else {
            items.push(Item {
                read: r.clone(),
                label: Some(r.row),
                anchor_kind: r.label_on_line,
                placed: None,
            });
        }
    }
    items.extend(li.map(loose_item));
    // Anchors: rows placed by a label on their own line, in template order.
    let cand: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].anchor_kind && items[i].label.and_then(pos).is_some())
        .collect();
    let keys: Vec<usize> = cand
        .iter()
        .filter_map(|&i| items[i].label.and_then(pos))
        .collect();
    let anchors: Vec<usize> = lis(&keys).into_iter().map(|k| cand[k]).collect();
    for &a in &anchors {
        items[a].placed = items[a].label;
    }
    // The gaps between anchors (and before the first, after the last).
    let mut flags = Vec::new();
    let mut unplaced = 0;
    let edges: Vec<(usize, usize, isize, usize)> = {
        // (first item, end item, template position of the left anchor, of the right)
        let mut e = Vec::new();
        let mut from_item = 0;
        let mut from_pos: isize = -1;
        for &a in anchors.iter().chain(std::iter::once(&items.len())) {
            let to_pos = if a == items.len() {
                trows.len()
            } else {
                items[a].label.and_then(pos).unwrap_or(trows.len())
            };
            e.push((from_item, a, from_pos, to_pos));
            from_item = a + 1;
            from_pos = to_pos as isize;
        }
        e
    };
    for (from, to, lo, hi) in edges {
        let members: Vec<usize> = (from..to).collect();
        let free: Vec<usize> = ((lo + 1) as usize..hi).collect();
        if members.is_empty() {
            continue;
        }
        if members.len() == free.len() {
            for (&m, &p) in members.iter().zip(&free) {
                let row = trows[p];
                if items[m].label != Some(row) {
                    flags.push(format!("row_by_position:{}", v.rows[row].key));
                }
                items[m].placed = Some(row);
            }
        } else {
            // Not decided by position: rows read with a label keep it (once).
            for &m in &members {
                let keep = items[m].label.filter(|&r| {
                    pos(r).is_some_and(|p| (lo + 1) as usize <= p && p < hi)
                        && !items.iter().any(|x| x.placed == Some(r))
                });
                match keep {
                    Some(r) => items[m].placed = Some(r),
                    None => {
                        let line = items[m].read.slots.iter().find_map(|s| s.line);
                        flags.push(format!("unplaced_row:{}", line.unwrap_or(0)));
                        unplaced += 1;
                    }
                }
            }
        }
    }
    // Rows printed with the other template's labels are kept as read.
    let mut rows: Vec<RowRead> = t3
        .rows
        .iter()
        .filter(|r| !r.short && pos(r.row).is_none())
        .cloned()
        .collect();
    for it in items {
        if let Some(row) = it.placed {
            let mut r = it.read;
            r.row = row;
            rows.push(r);
        }
    }
    let key = |r: &RowRead| pos(r.row).unwrap_or(usize::MAX);
    // Rows read without values keep their place unless a row of values took it.
    let mut retired = Vec::new();
    let mut strays = Vec::new();
    for r in label_only {
        if !rows.iter().any(|x| x.row == r.row) {
            rows.push(r);
        } else {
            if !r.printed.is_empty() {
                // Numbers that stood under the label whose row another took.
                let line = r.slots.iter().find_map(|s| s.line).unwrap_or(0);
                flags.push(format!("stray_values:{line}"));
                strays.push(Stray::of(&r, line));
            }
            let k = &v.rows[r.row].key;
            retired.push(format!("short_row:{k}"));
            retired.push(format!("long_row:{k}"));
        }
    }
    rows.sort_by_key(key);
    Plan {
        rows,
        flags,
        retired,
        strays,
        unplaced,
    }
}

fn loose_item(l: &Loose) -> Item {
    Item {
        read: l.read.clone(),
        label: l.label,
        anchor_kind: false,
        placed: None,
    }
}

/// Without a template order, loose rows are dropped (their labels were
/// unmatched or repeated: already flagged).
fn drop_loose(t3: &mut Table3Read, loose: &[Loose]) {
    for l in loose.iter().filter(|l| l.label.is_none()) {
        let line = l.read.slots.iter().find_map(|s| s.line);
        t3.flags.push(format!("unplaced_row:{}", line.unwrap_or(0)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_increasing_run_of_positions() {
        assert_eq!(lis(&[0, 1, 7, 2, 3]), vec![0, 1, 3, 4]);
        assert_eq!(lis(&[]), Vec::<usize>::new());
        assert_eq!(lis(&[5, 5]), vec![0]);
    }
}
