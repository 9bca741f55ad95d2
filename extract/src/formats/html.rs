//! HTML pages → [`Line`]s: every data-table row becomes one grid line with its
//! spans expanded, everything else becomes text lines.
//!
//! * **Grids.** A `<table>` that holds no other table is a data table. Each `<tr>`
//!   gives one [`Line`] whose cells are the expanded grid: a cell's text sits in
//!   the top-left position of its `rowspan`×`colspan` block and the covered
//!   positions are empty strings, exactly as a TSV/PDF text dump of the same
//!   table shows them; rows are padded to the table's width.
//! * **Cell text.** `<br>`, `<p>`, `<div>` split a cell into visual lines, which
//!   are joined without a separator between two CJK chars (labels wrapped in
//!   their cell, vertical headers one char per line) and with one space otherwise.
//! * **Layout tables** (a table holding tables: page chrome, Word's outer frame)
//!   are read as flow: their cells are text blocks, their inner tables grids.
//! * **Text.** `<meta name=ArticleTitle>` and `<title>` come first, then every
//!   block (`p`, `div`, `h1`, `li`, `br`, …) outside data tables as one text line.
//!   Scripts, styles, forms' option lists and `hidden` elements are skipped.
//!
//! The walk is iterative (an explicit stack), so nesting depth cannot overflow
//! the call stack; below [`Limits::max_html_depth`] the reader stops descending
//! and flags `limit:html_depth`.

use super::cells::{LineSink, MAX_GRID_COLS, join_cell_lines};
use super::limits::{Exceeded, Limits};
use crate::Line;
use ego_tree::NodeRef;
use scraper::{Html, Node};
use std::collections::HashSet;

/// Largest rowspan honoured (the HTML spec's own cap).
const MAX_ROWSPAN: usize = 65_534;

/// Reads an HTML page into lines; returns the lines and the flags raised.
pub(crate) fn read_html(text: &str, limits: &Limits) -> (Vec<Line>, Vec<String>) {
    let doc = Html::parse_document(text);
    let mut flags = Vec::new();
    let mut sink = LineSink::new(limits.max_lines);
    for title in head_titles(&doc) {
        sink.text(&title);
    }
    let (layout, deep) = layout_tables(doc.tree.root(), limits.max_html_depth);
    let mut clipped = false;
    walk_flow(
        doc.tree.root(),
        limits.max_html_depth,
        &layout,
        &mut sink,
        &mut clipped,
    );
    if deep {
        flags.push(Exceeded::HtmlDepth.flag());
    }
    if clipped {
        flags.push("limit:table_columns".to_string());
    }
    let (lines, exceeded) = sink.finish();
    flags.extend(exceeded.map(Exceeded::flag));
    (lines, flags)
}

/// `<meta name=ArticleTitle>` content, then the `<title>` text (if different).
fn head_titles(doc: &Html) -> Vec<String> {
    let mut meta = None;
    let mut title = None;
    for node in doc.tree.nodes() {
        let Some(e) = node.value().as_element() else {
            continue;
        };
        match e.name() {
            "meta"
                if meta.is_none()
                    && e.attr("name")
                        .is_some_and(|n| n.eq_ignore_ascii_case("ArticleTitle")) =>
            {
                meta = e.attr("content").map(|c| collapse(c).trim().to_string());
            }
            "title" if title.is_none() => {
                let t: String = node
                    .children()
                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                    .collect();
                title = Some(collapse(&t).trim().to_string());
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = meta.into_iter().filter(|m| !m.is_empty()).collect();
    if let Some(t) = title.filter(|t| !t.is_empty() && !out.contains(t)) {
        out.push(t);
    }
    out
}

/// Elements whose content is never report text.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "select"
            | "option"
            | "iframe"
            | "svg"
            | "object"
    )
}

/// Elements that start and end a text block.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "caption"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "main"
            | "form"
            | "blockquote"
            | "pre"
            | "hr"
            | "center"
            | "body"
    )
}

/// Whether an element is hidden by attribute (`hidden`, `style=display:none`).
fn hidden(e: &scraper::node::Element) -> bool {
    e.attr("hidden").is_some()
        || e.attr("style").is_some_and(|s| {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none")
        })
}

/// Tables that contain other tables (read as flow), and whether the depth limit was hit.
fn layout_tables(root: NodeRef<'_, Node>, max_depth: usize) -> (HashSet<ego_tree::NodeId>, bool) {
    let mut layout = HashSet::new();
    let mut open_tables: Vec<ego_tree::NodeId> = Vec::new();
    let mut deep = false;
    // (node, depth, exiting)
    let mut stack = vec![(root, 0usize, false)];
    while let Some((node, depth, exiting)) = stack.pop() {
        let is_table = node
            .value()
            .as_element()
            .is_some_and(|e| e.name() == "table");
        if exiting {
            if is_table {
                open_tables.pop();
            }
            continue;
        }
        if depth > max_depth {
            deep = true;
            // a table cut by the limit is not known to be a leaf: read it as flow
            if let Some(&outer) = open_tables.last() {
                layout.insert(outer);
            }
            continue;
        }
        if is_table {
            if let Some(&outer) = open_tables.last() {
                layout.insert(outer);
            }
            open_tables.push(node.id());
            stack.push((node, depth, true));
        }
        stack.extend(node.children().map(|c| (c, depth + 1, false)));
    }
    (layout, deep)
}

/// Walks the document as text flow, emitting text lines and data-table grids.
fn walk_flow(
    root: NodeRef<'_, Node>,
    max_depth: usize,
    layout: &HashSet<ego_tree::NodeId>,
    sink: &mut LineSink,
    clipped: &mut bool,
) {
    let mut inline = Inline::default();
    let mut stack = vec![(root, 0usize, false)];
    while let Some((node, depth, exiting)) = stack.pop() {
        if sink.full() {
            return;
        }
        if exiting {
            sink.text(&inline.take());
            continue;
        }
        match node.value() {
            Node::Text(t) => inline.push(t),
            Node::Element(e) => {
                let name = e.name();
                if skipped(name) || hidden(e) || depth > max_depth {
                    continue;
                }
                if name == "table" && !layout.contains(&node.id()) {
                    sink.text(&inline.take());
                    emit_grid(node, sink, clipped);
                    continue;
                }
                if is_block(name) {
                    sink.text(&inline.take());
                    stack.push((node, depth, true));
                }
                // children in document order: push reversed
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, depth + 1, false)));
            }
            Node::Document | Node::Fragment => {
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, depth + 1, false)));
            }
            _ => {}
        }
    }
    sink.text(&inline.take());
}

/// Emits one line per `<tr>` of a data table, with spans expanded.
fn emit_grid(table: NodeRef<'_, Node>, sink: &mut LineSink, clipped: &mut bool) {
    let rows: Vec<NodeRef<'_, Node>> = table
        .descendants()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "tr"))
        .collect();
    let mut carry: Vec<usize> = Vec::new(); // rows still covered, per column
    let mut grid: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for tr in rows {
        let mut out: Vec<String> = Vec::new();
        let mut col = 0usize;
        let skip_covered = |out: &mut Vec<String>, col: &mut usize, carry: &mut Vec<usize>| {
            while *col < carry.len() && carry[*col] > 0 {
                carry[*col] -= 1;
                out.push(String::new());
                *col += 1;
            }
        };
        for cell in tr.children() {
            let Some(e) = cell.value().as_element() else {
                continue;
            };
            if !matches!(e.name(), "td" | "th") || hidden(e) {
                continue;
            }
            skip_covered(&mut out, &mut col, &mut carry);
            let span = |a: &str, max: usize| {
                e.attr(a)
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .filter(|v| *v >= 1)
                    .unwrap_or(1)
                    .min(max)
            };
            let mut cs = span("colspan", 1000);
            let rs = span("rowspan", MAX_ROWSPAN);
            if col + cs > MAX_GRID_COLS {
                *clipped = true;
                cs = MAX_GRID_COLS.saturating_sub(col);
                if cs == 0 {
                    continue;
                }
            }
            out.push(cell_text(cell));
            out.extend(std::iter::repeat_n(String::new(), cs - 1));
            if carry.len() < col + cs {
                carry.resize(col + cs, 0);
            }
            for c in &mut carry[col..col + cs] {
                *c = rs - 1;
            }
            col += cs;
        }
        // columns still covered from above at the end of the row
        while col < carry.len() {
            if carry[col] > 0 {
                carry[col] -= 1;
            }
            out.push(String::new());
            col += 1;
        }
        grid.push(out);
    }
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    for mut row in grid {
        row.resize(width, String::new());
        sink.row(row);
    }
}

/// The text of one table cell: its visual lines joined (see module docs).
fn cell_text(cell: NodeRef<'_, Node>) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut inline = Inline::default();
    let mut stack = vec![(cell, false)];
    while let Some((node, exiting)) = stack.pop() {
        if exiting {
            lines.push(inline.take());
            continue;
        }
        match node.value() {
            Node::Text(t) => inline.push(t),
            Node::Element(e) => {
                let name = e.name();
                if skipped(name) || hidden(e) {
                    continue;
                }
                if is_block(name) && node != cell {
                    lines.push(inline.take());
                    stack.push((node, true));
                }
                let children: Vec<_> = node.children().collect();
                stack.extend(children.into_iter().rev().map(|c| (c, false)));
            }
            _ => {}
        }
    }
    lines.push(inline.take());
    join_cell_lines(&lines)
}

/// Inline text being gathered, with HTML whitespace collapsing: a whitespace run
/// becomes one space, except a run holding a line break between two CJK chars
/// (source-code wrapping inside Chinese text), which disappears.
#[derive(Default)]
struct Inline {
    buf: String,
    /// A whitespace run is pending; `true` if it held a line break.
    pending: Option<bool>,
}

impl Inline {
    fn push(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_whitespace() {
                let nl = c == '\n' || c == '\r';
                self.pending = Some(self.pending.unwrap_or(false) || nl);
                continue;
            }
            if let Some(nl) = self.pending.take()
                && let Some(last) = self.buf.chars().next_back()
                && !(nl && super::cells::is_wide(last) && super::cells::is_wide(c))
            {
                self.buf.push(' ');
            }
            self.buf.push(c);
        }
    }

    fn take(&mut self) -> String {
        self.pending = None;
        std::mem::take(&mut self.buf)
    }
}

/// Collapses whitespace runs to single spaces (attribute values, titles).
fn collapse(s: &str) -> String {
    let mut i = Inline::default();
    i.push(s);
    i.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(html: &str) -> Vec<Vec<String>> {
        read_html(html, &Limits::default())
            .0
            .into_iter()
            .map(|l| l.cells)
            .collect()
    }

    #[test]
    fn spans_expand_with_empty_repeats() {
        let h = "<table><tr><td rowspan=2>a</td><td colspan=2>b</td></tr>\
                 <tr><td>c</td><td>d</td></tr><tr><td>e</td></tr></table>";
        assert_eq!(
            cells(h),
            vec![vec!["a", "b", ""], vec!["", "c", "d"], vec!["e", "", ""]]
        );
    }

    #[test]
    fn cell_lines_vertical_text_and_nbsp() {
        let h = "<table><tr><td>三<br>、<br>本<br>年</td><td><p>结果</p><p>维持</p></td>\
                 <td><span>11.065</span><br>万元</td><td>&nbsp;</td></tr></table>";
        assert_eq!(
            cells(h),
            vec![vec!["三、本年", "结果维持", "11.065 万元", ""]]
        );
    }

    #[test]
    fn layout_tables_are_flow_and_titles_first() {
        let h = "<html><head><title>某局2023年报告_某区政府</title>\
                 <meta name=\"ArticleTitle\" content=\"某局2023年报告\"><script>var x='<table>';</script></head>\
                 <body><table><tr><td><div>菜单</div><p>正文\n第一段</p>\
                 <table><tr><td>x</td><td>1</td></tr></table></td></tr></table></body></html>";
        assert_eq!(
            cells(h),
            vec![
                vec!["某局2023年报告"],
                vec!["某局2023年报告_某区政府"],
                vec!["菜单"],
                vec!["正文第一段"],
                vec!["x", "1"]
            ]
        );
    }

    #[test]
    fn deep_nesting_is_cut_not_overflowed() {
        let n = 3000;
        let h = format!("{}<b>deep</b>{}", "<div>".repeat(n), "</div>".repeat(n));
        let lim = Limits {
            max_html_depth: 100,
            ..Limits::default()
        };
        let (lines, flags) = read_html(&h, &lim);
        assert!(lines.is_empty());
        assert_eq!(flags, vec!["limit:html_depth"]);
    }
}
