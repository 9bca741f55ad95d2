//! Layout families seen in real reports ([`Layout::REAL`]), each modelled on
//! documents of `extract/tests/realdocs` and `extract/tests/fixtures`:
//!
//! | family | modelled on |
//! |---|---|
//! | [`Layout::HtmlBlanks`] | `001_shanghai_szfbgt_2019.html`, `016_shuyang_fgj_2023.html` (blank `<td>`s, spans) |
//! | [`Layout::TitleSplit`] | `010`/`011_huaian_hongze_*.pdf` (title on two lines), `016` (`名称…`), Pingtan archive (`标题:`) |
//! | [`Layout::PdfVertical`] | `010`/`011` PDF text (vertical `三、本年度办理结果`, `-4-` footers) |
//! | [`Layout::ConverterMarkdown`] | `fixtures/text/converter_huaian_2024.md`, `013`/`014` converter Markdown (a total floated onto a line of its own, table-2 cells with a note lifted above their table) |
//! | [`Layout::Flattened`] | `003`–`008`, `012` Pingtan archive text (fused digits) |
//! | [`Layout::Confusable`] | `015_shuyang_2025.txt` (`沐阳县`) |
//!
//! Labels are printed in the forms real reports print them
//! ([`super::printed`], [`printed_row_label`]), not from the parser's
//! vocabulary table, so a label the parser does not know shows as a lost row.

use super::printed::LITIGATION;
use super::{
    Contents, GROUPS, HEAD, Layout, Printed, Rng, T3_REMARK, render_lines, row_label, show,
    split_section,
};
use ogi_extract::vocab::vocab;

/// Region names with a visually confusable character (`data/gazetteer/confusables.csv`):
/// (the name, the misread form printed).
const CONFUSED_REGIONS: [(&str, &str); 5] = [
    ("沭阳县", "沐阳县"),
    ("盱眙县", "旴眙县"),
    ("亳州市", "毫州市"),
    ("衢州市", "瞿州市"),
    ("淮安市", "准安市"),
];

/// Junk a page puts before the agency on a title's first line (a metadata
/// table's label, an archive's field name).
const TITLE_JUNK: [&str; 3] = ["", "名称", "标题:"];

/// Row labels whose enumerator real reports print another way (key, printed
/// label with its enumerator): `3、其他` in `002_huaian_szf_2024.txt`.
const PRINTED_VARIANTS: [(&str, &str); 1] = [("other_other", "3、其他")];

/// Changes the contents a family needs before rendering: blank zeros for
/// [`Layout::HtmlBlanks`], a region with a confusable character for
/// [`Layout::Confusable`].
pub(super) fn prepare(c: &mut Contents, layout: Layout, rng: &mut Rng) {
    match layout {
        Layout::HtmlBlanks => blank_zeros(c, rng),
        Layout::Confusable => {
            let (name, _) = *rng.pick(&CONFUSED_REGIONS);
            let agency = c
                .agency
                .char_indices()
                .find(|(_, ch)| matches!(ch, '区' | '市'))
                .map_or(c.agency.as_str(), |(i, ch)| &c.agency[i + ch.len_utf8()..]);
            c.agency = format!("{name}{agency}");
        }
        _ => {}
    }
}

/// Zeros left empty, as offices fill HTML tables: in table 3 every zero of
/// the legal-person columns (half the documents) or a third of all zeros; a
/// quarter of table 4's zeros.
fn blank_zeros(c: &mut Contents, rng: &mut Rng) {
    let v = vocab();
    let whole_columns = rng.chance(50);
    for (_, vals) in c.table3.iter_mut() {
        for (col, p) in v.cols.iter().zip(vals.iter_mut()) {
            let org = col.key.starts_with("org_");
            let blank = if whole_columns { org } else { rng.chance(33) };
            if *p == Printed::Count(0) && blank {
                *p = Printed::Blank;
            }
        }
    }
    for p in c.table4.iter_mut() {
        if *p == Printed::Count(0) && rng.chance(25) {
            *p = Printed::Blank;
        }
    }
}

/// The grid layout as an HTML page: runs of tab-separated lines become
/// `<table>`s whose repeated label cells are merged back into `colspan` /
/// `rowspan` cells; empty cells are `<td><p>&nbsp;</p></td>` or `<td></td>`.
pub(super) fn html(c: &Contents, rng: &mut Rng) -> String {
    let text = render_lines(c, Layout::Grid, rng);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>政府信息公开</title></head><body>\n",
    );
    let mut table: Vec<Vec<String>> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.contains('\t') {
            table.push(line.split('\t').map(str::to_string).collect());
            continue;
        }
        if !table.is_empty() {
            out.push_str(&html_table(&std::mem::take(&mut table), rng));
        }
        if !line.trim().is_empty() {
            out.push_str(&format!("<p>{}</p>\n", escape(line)));
        }
    }
    out.push_str("</body></html>\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Whether a cell is a label that an office table would merge (has CJK text).
fn mergeable(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
        && !s.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

/// One table: equal label cells side by side become one `colspan` cell, a
/// single cell equal to the one above becomes part of its `rowspan`.
fn html_table(rows: &[Vec<String>], rng: &mut Rng) -> String {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let grid: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.resize(width, String::new());
            r
        })
        .collect();
    // (row, col) → (rowspan, colspan) for cells that start a span; covered cells are skipped
    let mut covered = vec![vec![false; width]; grid.len()];
    let mut out = String::from("<table border=\"1\">\n");
    for (ri, row) in grid.iter().enumerate() {
        out.push_str("<tr>");
        let mut ci = 0;
        while ci < width {
            if covered[ri][ci] {
                ci += 1;
                continue;
            }
            let text = &row[ci];
            let mut colspan = 1;
            if mergeable(text) {
                while ci + colspan < width
                    && !covered[ri][ci + colspan]
                    && &row[ci + colspan] == text
                {
                    colspan += 1;
                }
            }
            let mut rowspan = 1;
            if colspan == 1 && mergeable(text) {
                while ri + rowspan < grid.len()
                    && grid[ri + rowspan][ci] == *text
                    && (ci + 1 >= width || grid[ri + rowspan][ci + 1] != *text)
                {
                    covered[ri + rowspan][ci] = true;
                    rowspan += 1;
                }
            }
            let mut attrs = String::new();
            if colspan > 1 {
                attrs.push_str(&format!(" colspan=\"{colspan}\""));
            }
            if rowspan > 1 {
                attrs.push_str(&format!(" rowspan=\"{rowspan}\""));
            }
            if text.is_empty() {
                if rng.chance(50) {
                    out.push_str(&format!("<td{attrs}><p>&nbsp;</p></td>"));
                } else {
                    out.push_str(&format!("<td{attrs}></td>"));
                }
            } else {
                out.push_str(&format!("<td{attrs}><p>{}</p></td>", escape(text)));
            }
            ci += colspan;
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// PDF text with the title on two lines: the agency (perhaps after a
/// metadata label) above, the year and the rest below, spaces around the year.
pub(super) fn title_split(c: &Contents, rng: &mut Rng) -> String {
    let text = render_lines(c, Layout::PdfText, rng);
    let junk = *rng.pick(&TITLE_JUNK);
    let title = format!("{junk}{}\n{} 年政府信息公开工作年度报告", c.agency, c.year);
    match text.split_once('\n') {
        Some((_, rest)) => format!("{title}\n{rest}"),
        None => title,
    }
}

/// PDF text whose agency is printed with a confusable character in its region name.
pub(super) fn confusable(c: &Contents, rng: &mut Rng) -> String {
    let mut printed = c.clone();
    for (name, misread) in CONFUSED_REGIONS {
        if let Some(rest) = c.agency.strip_prefix(name) {
            printed.agency = format!("{misread}{rest}");
        }
    }
    render_lines(&printed, Layout::PdfText, rng)
}

/// A table-3 row's label as printed: a real enumerator variant when one is
/// known and the coin says so, else the document's form of the label
/// ([`super::printed`]) with its item number.
fn printed_row_label(key: &str, section: &str, label: &str, rng: &mut Rng) -> String {
    PRINTED_VARIANTS
        .iter()
        .find(|(k, _)| *k == key)
        .filter(|_| rng.chance(50))
        .map_or_else(|| row_label(section, label), |(_, l)| (*l).to_string())
}

/// A table-2 item and its values, in measure order.
type ItemValues<'a> = (&'a str, Vec<String>);

/// A Markdown table row.
fn md_row(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

fn md_rule(n: usize) -> String {
    format!("|{}", "---|".repeat(n))
}

/// Markdown as PDF converters write it (see the module docs).
pub(super) fn converter_markdown(c: &Contents, rng: &mut Rng) -> String {
    let v = vocab();
    let mut out: Vec<String> = Vec::new();
    out.push(format!(
        "# {}{}年政府信息公开工作年度报告",
        c.agency, c.year
    ));
    out.push(String::new());
    out.push(HEAD[0].to_string());
    out.push(format!(
        "{}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，办理依申请公开{}件。",
        c.year,
        rng.below(100)
    ));
    out.push(String::new());
    out.push(format!("## {}", HEAD[1]));
    out.push(String::new());
    // table 2: one small table per run of items sharing their measures
    let mut items: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
    for (i, p) in &c.table2 {
        let t = &v.table2[*i];
        let value = show(p, c, t.money);
        let (item, measure) = (c.labels.item(*i), c.labels.measure(*i));
        match items.iter_mut().find(|x| x.0 == item) {
            Some(x) => {
                x.1.push(measure);
                x.2.push(value);
            }
            None => items.push((item, vec![measure], vec![value])),
        }
    }
    let mut groups: Vec<(Vec<&str>, Vec<ItemValues>)> = Vec::new();
    for (item, measures, vals) in items {
        match groups.last_mut() {
            Some((m, g)) if *m == measures => g.push((item, vals)),
            _ => groups.push((measures, vec![(item, vals)])),
        }
    }
    for (measures, items) in &groups {
        let mut header = vec!["信息内容".to_string()];
        for m in measures {
            let money = c
                .table2
                .iter()
                .any(|(j, _)| c.labels.measure(*j) == *m && v.table2[*j].money);
            header.push(if money {
                if c.money_in_yuan {
                    format!("{m}（单位：元）")
                } else {
                    format!("{m}（单位：万元）")
                }
            } else {
                (*m).to_string()
            });
        }
        // As in `014_shanghai_szfbgt_2025.md`: the repealed counts, printed with
        // a note over two lines, float above the table and leave their rows short.
        let repealed = measures.iter().position(|m| m.contains("废止"));
        let lift = repealed.filter(|&at| {
            items
                .iter()
                .all(|(_, vals)| vals[at].bytes().all(|b| b.is_ascii_digit()))
                && rng.chance(30)
        });
        if let Some(at) = lift {
            for (_, vals) in items {
                out.push(vals[at].clone());
                let n: u64 = vals[at].parse().unwrap_or(0);
                out.push(format!("（含自然失效 {} 件）", n / 2));
            }
        }
        out.push(md_row(&header));
        out.push(md_rule(header.len()));
        for (item, vals) in items {
            let mut row = vec![(*item).to_string()];
            row.extend(
                vals.iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != lift)
                    .map(|(_, v)| v.clone()),
            );
            out.push(md_row(&row));
        }
        out.push(String::new());
    }
    // table 3: the header as loose text, then `数据N` columns
    out.push(HEAD[2].to_string());
    out.push(String::new());
    out.push(T3_REMARK.to_string());
    out.push("申请人情况".into());
    out.push("自然人 法人或其他组织 总计".into());
    out.push("商业企 科研机 社会公益 法律服务 其他".into());
    out.push("业 构 组织 机构".into());
    out.push(String::new());
    let data_header = |n: usize| {
        let mut h = vec!["申请人情况".to_string()];
        h.extend((1..=n).map(|i| format!("数据{i}")));
        md_row(&h)
    };
    let ncols = v.cols.len();
    out.push(data_header(ncols));
    out.push(md_rule(ncols + 1));
    let rows = &c.table3;
    // one row (not the first two, which the header needs) floats its label below its numbers
    let floating = 2 + rng.below(rows.len() as u64 - 3) as usize;
    let page_break = 2 + rng.below(rows.len() as u64 - 3) as usize;
    // As in `013_shanghai_kewei_2024.md`: the last row's total (when not 0)
    // leaves its cell empty and stands on a line of its own under the
    // floating label.
    let total = v.cols.iter().position(|col| col.is_total);
    let lifted_total =
        total
            .zip(rows.last())
            .filter(|_| rng.chance(30))
            .and_then(|(t, (_, vals))| match vals[t] {
                Printed::Count(n) if n > 0 => Some(show(&vals[t], c, false)),
                _ => None,
            });
    let mut opened: Vec<String> = Vec::new();
    for (k, (r, vals)) in rows.iter().enumerate() {
        let row = &v.rows[*r];
        let mut values: Vec<String> = vals.iter().map(|p| show(p, c, false)).collect();
        if k + 1 == rows.len()
            && lifted_total.is_some()
            && let Some(t) = total
        {
            values[t] = String::new();
        }
        if k == page_break && k != floating {
            out.push(String::new());
            out.push(format!("— {} —", 3 + rng.below(5)));
            out.push(String::new());
            out.push(format!("## 表三：{}", &HEAD[2]["三、".len()..]));
            out.push(data_header(ncols));
            out.push(md_rule(ncols + 1));
        }
        let (top, sub) = split_section(&row.section);
        let mut group = String::new();
        for g in [top.to_string(), format!("{top}({sub})")] {
            if row.section == g || opened.contains(&g) {
                continue;
            }
            if let Some((_, name)) = GROUPS.iter().find(|(s, _)| *s == g) {
                opened.push(g.clone());
                group = if g == top {
                    format!("{top}、")
                } else {
                    format!("（{sub}）{name}")
                };
            }
        }
        let label = printed_row_label(&row.key, &row.section, c.labels.row(*r), rng);
        if k == floating {
            out.push(md_row(&values));
            out.push(md_rule(values.len()));
            out.push(String::new());
            out.push(label);
            if let Some(n) = &lifted_total {
                out.push(n.clone());
            }
            out.push(String::new());
            continue;
        }
        let mut cells = Vec::new();
        if !group.is_empty() && rng.chance(50) {
            cells.push(group);
        }
        cells.push(label);
        cells.extend(values);
        out.push(md_row(&cells));
    }
    out.push(String::new());
    // table 4: three small tables
    out.push(HEAD[3].to_string());
    out.push(String::new());
    let per = v.table4_blocks()[0].len();
    for b in 0..v.table4_blocks().len() {
        let name = match b {
            0 => c.labels.block(0).to_string(),
            _ => format!("{LITIGATION}（{}）", c.labels.block(b * per)),
        };
        let mut head = vec![name];
        head.extend((1..per).map(|_| String::new()));
        out.push(md_row(&head));
        out.push(md_rule(per));
        out.push(md_row(
            &(0..per)
                .map(|k| c.labels.outcome(b * per + k).to_string())
                .collect::<Vec<_>>(),
        ));
        out.push(md_row(
            &c.table4[b * per..(b + 1) * per]
                .iter()
                .map(|p| show(p, c, false))
                .collect::<Vec<_>>(),
        ));
        out.push(String::new());
    }
    out.push(HEAD[4].to_string());
    out.push("一是公开内容有待进一步丰富。".into());
    out.push(HEAD[5].to_string());
    out.push("本年度未收取信息处理费。".into());
    out.join("\n") + "\n"
}

/// The digits of a value as an archive flattens them (a dash or blank as `0`).
fn digits(p: &Printed, c: &Contents, money: bool) -> String {
    match p {
        Printed::Dash(_) | Printed::Na | Printed::Blank => "0".into(),
        _ => show(p, c, money).trim_end_matches('件').to_string(),
    }
}

/// An archive's page text: title and metadata lines, then the whole report
/// on one line with each row's values fused (a space now and then).
pub(super) fn flattened(c: &Contents, rng: &mut Rng) -> String {
    let v = vocab();
    let mut s = String::new();
    s.push_str(&format!(
        "{}{}年政府信息公开工作年度报告 根据《中华人民共和国政府信息公开条例》要求，编制本报告。",
        c.agency, c.year
    ));
    s.push_str(&format!("{}本年度共收到{}件申请。", HEAD[0], rng.below(90)));
    // table 2
    s.push_str(HEAD[1]);
    s.push(' ');
    let mut last_measures: Vec<&str> = Vec::new();
    let mut item_open: Option<&str> = None;
    for (i, p) in &c.table2 {
        let t = &v.table2[*i];
        let item = c.labels.item(*i);
        if item_open != Some(item) {
            let measures: Vec<&str> = c
                .table2
                .iter()
                .filter(|(j, _)| c.labels.item(*j) == item)
                .map(|(j, _)| c.labels.measure(*j))
                .collect();
            if measures != last_measures {
                s.push_str("信息内容");
                for m in &measures {
                    s.push_str(m);
                    let money = c
                        .table2
                        .iter()
                        .any(|(j, _)| c.labels.measure(*j) == *m && v.table2[*j].money);
                    if money {
                        s.push_str(if c.money_in_yuan {
                            "（单位：元）"
                        } else {
                            "（单位：万元）"
                        });
                    }
                }
                last_measures = measures;
            }
            s.push_str(item);
            item_open = Some(item);
        }
        s.push_str(&digits(p, c, t.money));
    }
    // table 3
    s.push_str(HEAD[2]);
    s.push_str(T3_REMARK);
    s.push_str("申请人情况自然人法人或其他组织总计 商业企业科研机构社会公益组织法律服务机构其他");
    let mut opened: Vec<String> = Vec::new();
    for (r, vals) in &c.table3 {
        let row = &v.rows[*r];
        let (top, sub) = split_section(&row.section);
        for g in [top.to_string(), format!("{top}({sub})")] {
            if row.section == g || opened.contains(&g) {
                continue;
            }
            if let Some((_, name)) = GROUPS.iter().find(|(x, _)| *x == g) {
                opened.push(g.clone());
                s.push_str(&if g == top {
                    format!("{top}、{name}")
                } else {
                    format!("（{sub}）{name}")
                });
            }
        }
        s.push_str(&row_label(&row.section, c.labels.row(*r)).replace(' ', ""));
        let d: Vec<String> = vals.iter().map(|p| digits(p, c, false)).collect();
        // a stray space now and then, between two cells
        let gap = (rng.chance(15)).then(|| 1 + rng.below(d.len() as u64 - 1) as usize);
        for (k, x) in d.iter().enumerate() {
            if Some(k) == gap {
                s.push(' ');
            }
            s.push_str(x);
        }
    }
    // table 4
    s.push(' ');
    s.push_str(HEAD[3]);
    s.push_str(" 行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计");
    for p in &c.table4 {
        s.push_str(&digits(p, c, false));
    }
    s.push_str(HEAD[4]);
    s.push_str("一是公开内容有待进一步丰富。");
    s.push_str(HEAD[5]);
    s.push_str("本年度未收取信息处理费。");
    format!("{}{}年政府信息公开工作年度报告\n{s}\n", c.agency, c.year)
}
