//! Reproducible synthetic reports: contents that satisfy the identities (or
//! break one on purpose), rendered in each layout family the reader must
//! handle, together with the cells a correct extraction gives.
//!
//! ```
//! use ogi_testkit::synth::{Layout, Options, synth};
//! let s = synth(42, Layout::PdfText, &Options::default());
//! let report = ogi_extract::parse_lines(&ogi_extract::lines_from_text(&s.text));
//! assert_eq!(report.cells.len(), s.expected.len());
//! ```
//!
//! Everything is driven by [`Rng`], a splitmix64 generator seeded by the
//! caller, so a seed always gives the same document.

use ogi_extract::vocab::{RowRole, Table2Term, vocab};
use ogi_extract::{Cell, Line, Number, Provenance, TableId, Template};

mod families;
pub mod printed;

/// splitmix64: a tiny, fast, seedable PRNG (not for cryptography).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A random element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Layout families of real reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// PDF text extraction: one table row per line, values separated by
    /// spaces, group labels and long labels split over lines (values then on
    /// the next line), Kangxi/supplement radicals instead of ideographs.
    PdfText,
    /// Like `PdfText` with full-width digits and punctuation.
    FullWidth,
    /// TSV from a spreadsheet: group label cells only on a group's first
    /// row, rows randomly shifted by leading/trailing empty cells.
    Tsv,
    /// An HTML/DOCX grid with spans expanded: spanned labels repeat in every
    /// row and column they cover.
    Grid,
    /// A Markdown table (pipes, separator row, `##` headings).
    Markdown,
    /// TSV where some rows put their numbers on the line after the label.
    Wrapped,
    /// Real HTML with `rowspan`/`colspan` headers and blank cells
    /// (`<td><p>&nbsp;</p></td>`, `<td></td>`) where zeros were left empty,
    /// whole applicant columns among them ([`families`]).
    HtmlBlanks,
    /// PDF text whose title runs over two lines (agency above, `2023 年政府信息公开工作年度报告`
    /// below), sometimes after a page's metadata label (`名称`, `标题:`).
    TitleSplit,
    /// PDF text with table 3's group header printed one character per line
    /// (`三、/本/年/度/…`) and page footers (`-4-`) between its rows.
    PdfVertical,
    /// Markdown from a PDF converter: the column header as loose text pieces,
    /// `数据1 … 数据7` headers, a row whose label floats below its bare numbers,
    /// a page footer and table 3's header row repeated mid-table, table 4 in
    /// three small tables.
    ConverterMarkdown,
    /// An archive's flattened page text: the tables on one line, each row's
    /// numbers fused into one digit string (`640020470`).
    Flattened,
    /// PDF text whose agency's region name carries one visually confusable
    /// character (`沐阳县` for `沭阳县`).
    Confusable,
}

impl Layout {
    /// Every layout.
    pub const ALL: [Layout; 6] = [
        Layout::PdfText,
        Layout::FullWidth,
        Layout::Tsv,
        Layout::Grid,
        Layout::Markdown,
        Layout::Wrapped,
    ];

    /// The families seen in real documents ([`families`]), rendered in the
    /// forms that break readers; measured per family by accuracy, not
    /// required to round-trip exactly like [`Layout::ALL`].
    pub const REAL: [Layout; 6] = [
        Layout::HtmlBlanks,
        Layout::TitleSplit,
        Layout::PdfVertical,
        Layout::ConverterMarkdown,
        Layout::Flattened,
        Layout::Confusable,
    ];

    /// Lowercase name (`pdf_text`, `full_width`, `tsv`, `grid`, `markdown`,
    /// `wrapped`, `html_blanks`, `title_split`, `pdf_vertical`,
    /// `converter_markdown`, `flattened`, `confusable`).
    pub fn name(self) -> &'static str {
        match self {
            Layout::PdfText => "pdf_text",
            Layout::FullWidth => "full_width",
            Layout::Tsv => "tsv",
            Layout::Grid => "grid",
            Layout::Markdown => "markdown",
            Layout::Wrapped => "wrapped",
            Layout::HtmlBlanks => "html_blanks",
            Layout::TitleSplit => "title_split",
            Layout::PdfVertical => "pdf_vertical",
            Layout::ConverterMarkdown => "converter_markdown",
            Layout::Flattened => "flattened",
            Layout::Confusable => "confusable",
        }
    }

    /// The layout called `name` (see [`Layout::name`]).
    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL
            .into_iter()
            .chain(Layout::REAL)
            .find(|l| l.name() == name)
    }

    /// A file name that tells a reader the document's format (`synth.html`
    /// for [`Layout::HtmlBlanks`], `synth.md`, else `synth.txt`): parse the text
    /// with `parse_bytes` under this name.
    pub fn file_name(self) -> &'static str {
        match self {
            Layout::HtmlBlanks => "synth.html",
            Layout::Markdown | Layout::ConverterMarkdown => "synth.md",
            _ => "synth.txt",
        }
    }

    /// PDF text rows (values separated by spaces), whatever else the family adds.
    fn pdf_like(self) -> bool {
        matches!(
            self,
            Layout::PdfText
                | Layout::FullWidth
                | Layout::PdfVertical
                | Layout::TitleSplit
                | Layout::Confusable
        )
    }

    /// Lines are split into cells (tabs/pipes) rather than whitespace tokens.
    fn celled(self) -> bool {
        matches!(
            self,
            Layout::Tsv | Layout::Grid | Layout::Markdown | Layout::Wrapped
        )
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Template version of the tables.
    pub template: Template,
    /// Break one table-3 identity on purpose (one cell off by 1–5).
    pub inconsistent: bool,
    /// Print some zeros as `—`, `/`, `-` or `无`, and (in celled layouts) some as blank cells.
    pub dashes: bool,
    /// The agency name to print (default: drawn from a small list).
    pub agency: Option<String>,
    /// The reporting year (default: drawn from the template's years).
    pub year: Option<i32>,
    /// Date of issue printed under the signature at the end (`YYYY-MM-DD`,
    /// printed `2024年1月20日`); none by default.
    pub issued: Option<String>,
    /// The title marks the document as a revised version (`（修订版）`).
    pub revised: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            template: Template::V2021,
            inconsistent: false,
            dashes: false,
            agency: None,
            year: None,
            issued: None,
            revised: false,
        }
    }
}

/// One printed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Printed {
    /// A count.
    Count(i64),
    /// An amount in 万元.
    Money(f64),
    /// A dash or slash, as printed.
    Dash(&'static str),
    /// `无`.
    Na,
    /// An empty cell (celled layouts only).
    Blank,
}

/// The contents of a synthetic report.
#[derive(Debug, Clone)]
pub struct Contents {
    /// Agency name.
    pub agency: String,
    /// Reporting year.
    pub year: i32,
    /// Template version.
    pub template: Template,
    /// Table 2: (index into [`ogi_extract::vocab::Vocab::table2`], value), template keys in CSV order.
    pub table2: Vec<(usize, Printed)>,
    /// Table 3: (index into [`ogi_extract::vocab::Vocab::rows`], values in vocabulary column order).
    pub table3: Vec<(usize, Vec<Printed>)>,
    /// Table 4 values in vocabulary order.
    pub table4: Vec<Printed>,
    /// Money is printed in 元 (header says so) instead of 万元.
    pub money_in_yuan: bool,
    /// Counts carry the unit `件`.
    pub count_unit: bool,
    /// The deliberate inconsistency, if any (`row.col +k`).
    pub perturbed: Option<String>,
    /// Date of issue printed at the end (`YYYY-MM-DD`), if any.
    pub issued: Option<String>,
    /// Marked as a revised version in the title.
    pub revised: bool,
    /// The printed form of every label ([`printed`]: as real reports print them).
    pub labels: printed::Labels,
}

/// A rendered synthetic report.
#[derive(Debug, Clone)]
pub struct Synth {
    /// The contents.
    pub contents: Contents,
    /// The document text.
    pub text: String,
    /// The cells a correct extraction gives (line numbers and raw text not set).
    pub expected: Vec<Cell>,
}

const REGIONS: [&str; 6] = ["北关区", "二七区", "西工区", "金水区", "上海市", "海淀区"];
const AGENCIES: [&str; 6] = [
    "民政局",
    "人民政府办公室",
    "教育局",
    "财政局",
    "红旗路街道办事处",
    "政务服务和大数据管理局",
];
/// Labels of the table-3 row groups (sections without a row of their own).
const GROUPS: [(&str, &str); 5] = [
    ("三", "本年度办理结果"),
    ("三(三)", "不予公开"),
    ("三(四)", "无法提供"),
    ("三(五)", "不予处理"),
    ("三(六)", "其他处理"),
];
const T3_REMARK: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";
const T3_GROUP_HEADER: [&str; 2] = ["申请人情况", "法人或其他组织"];
const HEAD: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];
const T2_FIRST: &str = "信息内容";
const CN_NUM: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
const DASHES: [&str; 4] = ["—", "/", "-", "——"];
/// Ideographs and the Kangxi / supplement radicals PDF fonts print for them.
const RADICALS: [(char, char); 20] = [
    ('一', '\u{2F00}'),
    ('二', '\u{2F06}'),
    ('人', '\u{2F08}'),
    ('力', '\u{2F12}'),
    ('大', '\u{2F24}'),
    ('小', '\u{2F29}'),
    ('工', '\u{2F2F}'),
    ('文', '\u{2F42}'),
    ('方', '\u{2F45}'),
    ('无', '\u{2F46}'),
    ('止', '\u{2F4C}'),
    ('生', '\u{2F63}'),
    ('用', '\u{2F64}'),
    ('自', '\u{2F83}'),
    ('行', '\u{2F8F}'),
    ('金', '\u{2FA6}'),
    ('民', '⺠'),
    ('长', '⻓'),
    ('门', '⻔'),
    ('见', '⻅'),
];

/// Generates contents satisfying C1–C5 (unless `opts.inconsistent`).
pub fn generate(rng: &mut Rng, opts: &Options) -> Contents {
    let v = vocab();
    let t = opts.template;
    // Drawn even when forced, so a seed gives the same numbers either way.
    let drawn = format!("{}{}", rng.pick(&REGIONS[..]), rng.pick(&AGENCIES[..]));
    let agency = opts.agency.clone().unwrap_or(drawn);
    let drawn = match t {
        Template::V2019 => 2019 + rng.below(2) as i32,
        Template::V2021 => 2021 + rng.below(4) as i32,
    };
    let year = opts.year.unwrap_or(drawn);
    let dash = |rng: &mut Rng, x: i64| -> Printed {
        if opts.dashes && x == 0 && rng.chance(8) {
            if rng.chance(25) {
                Printed::Na
            } else {
                Printed::Dash(DASHES[rng.below(DASHES.len() as u64) as usize])
            }
        } else {
            Printed::Count(x)
        }
    };
    // Table 2.
    let table2 = v
        .table2
        .iter()
        .enumerate()
        .filter(|(_, term)| term.template == t)
        .map(|(i, term)| {
            let p = if term.money {
                if rng.chance(60) {
                    Printed::Count(0)
                } else {
                    Printed::Money(rng.below(2_000_000) as f64 / 10_000.0)
                }
            } else if term.signed {
                Printed::Count(rng.below(11) as i64 - 5)
            } else {
                let x = if rng.chance(50) {
                    0
                } else {
                    rng.below(300) as i64
                };
                dash(rng, x)
            };
            (i, p)
        })
        .collect();
    // Table 3: outcomes per applicant column, then flows and totals.
    let rows = v.row_indices_of(t);
    let outcomes: Vec<usize> = rows
        .iter()
        .copied()
        .filter(|&i| v.rows[i].role == RowRole::Outcome)
        .collect();
    let ncols = v.cols.len();
    let total_col = v.cols.iter().position(|c| c.is_total).unwrap_or(ncols - 1);
    let mut grid = vec![vec![0i64; ncols]; v.rows.len()];
    for c in (0..ncols).filter(|&c| c != total_col) {
        let volume = if c == 0 {
            *rng.pick(&[0, 1, 5, 60, 900])
        } else if rng.chance(30) {
            rng.below(12)
        } else {
            0
        };
        let mut left = volume as i64;
        while left > 0 {
            let r = *rng.pick(&outcomes);
            let k = 1 + rng.below(left as u64) as i64;
            grid[r][c] += k;
            left -= k;
        }
        let processed: i64 = outcomes.iter().map(|&r| grid[r][c]).sum();
        let forward = rng.below(processed as u64 / 5 + 1) as i64;
        let carried_in = rng.below((processed + forward) as u64 + 1) as i64;
        for &r in &rows {
            grid[r][c] = match v.rows[r].role {
                RowRole::Outcome => grid[r][c],
                RowRole::Processed => processed,
                RowRole::Forward => forward,
                RowRole::Received if is_new_received_row(r) => processed + forward - carried_in,
                RowRole::Received => carried_in,
            };
        }
    }
    for row in grid.iter_mut() {
        row[total_col] = (0..ncols).filter(|&c| c != total_col).map(|c| row[c]).sum();
    }
    let mut perturbed = None;
    if opts.inconsistent {
        let r = *rng.pick(&rows);
        let c = rng.below(ncols as u64) as usize;
        let k = 1 + rng.below(5) as i64;
        grid[r][c] += k;
        perturbed = Some(format!("{}.{} +{k}", v.rows[r].key, v.cols[c].key));
    }
    let table3 = rows
        .iter()
        .map(|&r| (r, grid[r].iter().map(|&x| dash(rng, x)).collect()))
        .collect();
    // Table 4.
    let mut table4 = Vec::new();
    for block in v.table4_blocks() {
        let parts: Vec<i64> = block
            .iter()
            .map(|_| {
                if rng.chance(75) {
                    0
                } else {
                    rng.below(4) as i64
                }
            })
            .collect();
        let total: i64 = parts
            .iter()
            .zip(&block)
            .filter(|(_, t)| !t.is_total)
            .map(|(x, _)| x)
            .sum();
        for (x, term) in parts.iter().zip(&block) {
            table4.push(dash(rng, if term.is_total { total } else { *x }));
        }
    }
    Contents {
        agency,
        year,
        template: t,
        table2,
        table3,
        table4,
        money_in_yuan: rng.chance(15),
        count_unit: rng.chance(10),
        perturbed,
        issued: opts.issued.clone(),
        revised: opts.revised,
        // A stream of its own, so the labels do not move the other draws.
        labels: printed::Labels::pick(&mut Rng::new(rng.0 ^ LABEL_STREAM)),
    }
}

/// Mixed into the generator's state to seed the label forms ([`printed::Labels::pick`]).
const LABEL_STREAM: u64 = 0x1abe_1f04_7a5e_ed00;

/// Whether row `r` is the first `received` row (new requests), which balances C1.
fn is_new_received_row(r: usize) -> bool {
    vocab()
        .rows
        .iter()
        .position(|x| x.role == RowRole::Received)
        == Some(r)
}

/// The cells a correct extraction of `c` gives.
pub fn expected_cells(c: &Contents) -> Vec<Cell> {
    let v = vocab();
    let mut out = Vec::new();
    let mk = |table: TableId, row: &str, col: Option<&str>, p: &Printed, money: bool| {
        let (value, provenance) = match p {
            Printed::Count(x) if money && c.money_in_yuan => {
                (Some(Number::Dec(*x as f64 / 10_000.0)), Provenance::Printed)
            }
            Printed::Count(x) => (Some(Number::Int(*x)), Provenance::Printed),
            Printed::Money(x) => (Some(Number::Dec(*x)), Provenance::Printed),
            Printed::Dash(_) => (None, Provenance::Dash),
            Printed::Na => (None, Provenance::Na),
            Printed::Blank => (None, Provenance::Blank),
        };
        Cell {
            table,
            row: row.into(),
            col: col.map(Into::into),
            value,
            raw: String::new(),
            unit: None,
            provenance,
            line: None,
        }
    };
    for (i, p) in &c.table2 {
        out.push(mk(
            TableId::T2,
            &v.table2[*i].key,
            None,
            p,
            v.table2[*i].money,
        ));
    }
    for (r, vals) in &c.table3 {
        for (col, p) in v.cols.iter().zip(vals) {
            out.push(mk(TableId::T3, &v.rows[*r].key, Some(&col.key), p, false));
        }
    }
    for (term, p) in v.table4.iter().zip(&c.table4) {
        out.push(mk(TableId::T4, &term.key, None, p, false));
    }
    out
}

/// Generates and renders one report.
pub fn synth(seed: u64, layout: Layout, opts: &Options) -> Synth {
    let mut rng = Rng::new(seed);
    let mut contents = generate(&mut rng, opts);
    if opts.dashes && layout.celled() {
        blank_some(&mut contents, &mut rng);
    }
    families::prepare(&mut contents, layout, &mut rng);
    let text = render(&contents, layout, &mut rng);
    let expected = expected_cells(&contents);
    Synth {
        contents,
        text,
        expected,
    }
}

/// Turns some dashes into blank cells (celled layouts print empty cells).
fn blank_some(c: &mut Contents, rng: &mut Rng) {
    for p in c
        .table3
        .iter_mut()
        .flat_map(|(_, v)| v.iter_mut())
        .chain(c.table4.iter_mut())
    {
        if matches!(p, Printed::Dash(_)) && rng.chance(50) {
            *p = Printed::Blank;
        }
    }
}

/// Text of a value.
fn show(p: &Printed, c: &Contents, money: bool) -> String {
    match p {
        Printed::Count(x) if money && c.money_in_yuan => x.to_string(),
        Printed::Count(x) if c.count_unit && !money => format!("{x}件"),
        Printed::Count(x) => x.to_string(),
        Printed::Money(x) if c.money_in_yuan => format!("{}", (x * 10_000.0).round() as i64),
        Printed::Money(x) => {
            let s = format!("{x:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Printed::Dash(d) => (*d).to_string(),
        Printed::Na => "无".into(),
        Printed::Blank => String::new(),
    }
}

/// Renders contents in a layout (the same rng draws give the same text).
pub fn render(c: &Contents, layout: Layout, rng: &mut Rng) -> String {
    match layout {
        Layout::HtmlBlanks => families::html(c, rng),
        Layout::ConverterMarkdown => families::converter_markdown(c, rng),
        Layout::Flattened => families::flattened(c, rng),
        Layout::TitleSplit => families::title_split(c, rng),
        Layout::Confusable => families::confusable(c, rng),
        _ => render_lines(c, layout, rng),
    }
}

/// [`render`] for the layouts the line writer prints.
fn render_lines(c: &Contents, layout: Layout, rng: &mut Rng) -> String {
    let mut w = Writer {
        layout,
        lines: Vec::new(),
    };
    w.title(c, rng);
    w.heading(0);
    w.text(&format!("{}年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息{}条，办理依申请公开{}件。", c.year, rng.below(30000), rng.below(100)));
    w.heading(1);
    w.table2(c, rng);
    w.heading(2);
    w.table3(c, rng);
    w.heading(3);
    w.table4(c, rng);
    w.heading(4);
    w.text("一是公开内容有待进一步丰富；二是公开形式较为单一。下一步将加强培训，提高2个方面的工作质量。");
    w.heading(5);
    w.text("本年度未收取信息处理费。");
    w.signature(c);
    let mut text = w.lines.join("\n");
    text.push('\n');
    match layout {
        Layout::PdfText | Layout::PdfVertical => radicalize(&text, rng),
        Layout::FullWidth => full_width(&text),
        _ => text,
    }
}

/// Replaces ideographs by the radicals PDF fonts print (each with probability ½).
fn radicalize(text: &str, rng: &mut Rng) -> String {
    text.chars()
        .map(|ch| match RADICALS.iter().find(|(u, _)| *u == ch) {
            Some((_, r)) if rng.chance(50) => *r,
            _ => ch,
        })
        .collect()
}

/// ASCII digits and punctuation → full-width forms.
fn full_width(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '0'..='9' | '(' | ')' | '.' | ':' | ',' | '/' => {
                char::from_u32(ch as u32 + 0xFEE0).unwrap_or(ch)
            }
            _ => ch,
        })
        .collect()
}

/// Builds the document line by line.
struct Writer {
    layout: Layout,
    lines: Vec<String>,
}

impl Writer {
    fn text(&mut self, s: &str) {
        self.lines.push(String::new());
        self.lines.push(s.to_string());
        self.lines.push(String::new());
    }

    fn title(&mut self, c: &Contents, rng: &mut Rng) {
        let mut t = match rng.below(3) {
            0 => format!("{}{}年政府信息公开工作年度报告", c.agency, c.year),
            1 => format!("{}年{}政府信息公开工作年度报告", c.year, c.agency),
            _ => format!("{} {} 年政府信息公开工作年度报告", c.agency, c.year),
        };
        if c.revised {
            t.push_str("（修订版）");
        }
        if self.layout == Layout::Markdown {
            self.lines.push(format!("# {t}"));
        } else {
            self.lines.push(t);
        }
        self.lines.push(String::new());
    }

    /// The agency and the date of issue at the end (when the contents have one).
    fn signature(&mut self, c: &Contents) {
        let Some(date) = &c.issued else { return };
        let mut parts = date.splitn(3, '-').map(|p| p.trim_start_matches('0'));
        let (y, m, d) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        self.lines.push(c.agency.clone());
        self.lines.push(format!("{y}年{m}月{d}日"));
    }

    fn heading(&mut self, i: usize) {
        let h = match self.layout {
            Layout::Markdown => format!("## {}", HEAD[i]),
            _ => HEAD[i].to_string(),
        };
        self.lines.push(h);
        self.lines.push(String::new());
    }

    /// One table row: label cells then value cells, in the layout's cell syntax.
    fn row(&mut self, labels: &[String], values: &[String]) {
        let line = match self.layout {
            _ if self.layout.pdf_like() => labels
                .iter()
                .chain(values)
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
            Layout::Markdown => format!(
                "| {} |",
                labels
                    .iter()
                    .chain(values)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            _ => labels
                .iter()
                .chain(values)
                .cloned()
                .collect::<Vec<_>>()
                .join("\t"),
        };
        self.lines.push(line);
    }

    fn markdown_rule(&mut self, n: usize) {
        if self.layout == Layout::Markdown {
            self.lines.push(format!("|{}", "---|".repeat(n)));
        }
    }

    fn table2(&mut self, c: &Contents, rng: &mut Rng) {
        let v = vocab();
        // The printed item and measure of a cell (by its vocabulary position).
        let ix = |t: &Table2Term| v.table2.iter().position(|x| x.key == t.key).unwrap_or(0);
        let item = |t: &Table2Term| c.labels.item(ix(t));
        let measure = |t: &Table2Term| c.labels.measure(ix(t));
        // Blocks: consecutive items sharing the same measures.
        let mut blocks: Vec<Vec<(&Table2Term, &Printed)>> = Vec::new();
        let mut items: Vec<(&str, Vec<(&Table2Term, &Printed)>)> = Vec::new();
        for (i, p) in &c.table2 {
            let t = &v.table2[*i];
            match items.iter_mut().find(|(it, _)| *it == item(t)) {
                Some((_, cells)) => cells.push((t, p)),
                None => items.push((item(t), vec![(t, p)])),
            }
        }
        let mut last_measures: Vec<&str> = Vec::new();
        for (_, cells) in &items {
            let measures: Vec<&str> = cells.iter().map(|(t, _)| measure(t)).collect();
            if measures != last_measures || blocks.is_empty() {
                blocks.push(Vec::new());
                last_measures = measures;
            }
            if let Some(b) = blocks.last_mut() {
                b.extend(cells.iter().copied());
            }
        }
        for (bi, block) in blocks.iter().enumerate() {
            let mut measures: Vec<&Table2Term> = Vec::new();
            for (t, _) in block {
                if !measures.iter().any(|m| measure(m) == measure(t)) {
                    measures.push(t);
                }
            }
            let width = measures.len() + 1;
            let pad = |mut v: Vec<String>, celled: bool| {
                if celled {
                    v.resize(width.max(4), String::new());
                }
                v
            };
            let celled = self.layout.celled();
            self.row(
                &pad(
                    vec![format!("第二十条第（{}）项", CN_NUM[bi.min(9)])],
                    celled,
                ),
                &[],
            );
            let mut header = vec![T2_FIRST.to_string()];
            for m in &measures {
                let unit = if m.money {
                    if c.money_in_yuan {
                        "（单位：元）"
                    } else {
                        "（单位：万元，保留4位小数）"
                    }
                } else {
                    ""
                };
                header.push(format!("{}{unit}", measure(m)));
            }
            self.row(&pad(header, celled), &[]);
            self.markdown_rule(width.max(4));
            let mut done: Vec<&str> = Vec::new();
            for (t, _) in block {
                if done.contains(&item(t)) {
                    continue;
                }
                done.push(item(t));
                let vals: Vec<String> = measures
                    .iter()
                    .map(|m| {
                        block
                            .iter()
                            .find(|(x, _)| item(x) == item(t) && measure(x) == measure(m))
                            .map_or(String::new(), |(x, p)| show(p, c, x.money))
                    })
                    .collect();
                let mut vals = pad(std::iter::once(String::new()).chain(vals).collect(), celled);
                vals.remove(0);
                let label = if rng.chance(10) && !celled {
                    item(t)
                        .chars()
                        .flat_map(|ch| [ch, ' '])
                        .collect::<String>()
                        .trim()
                        .to_string()
                } else {
                    item(t).to_string()
                };
                self.row(&[label], &vals);
            }
        }
    }

    fn table3_header(&mut self, c: &Contents, order: &[usize], rng: &mut Rng) {
        let labels: Vec<&str> = order.iter().map(|&i| c.labels.col(i)).collect();
        match self.layout {
            _ if self.layout.pdf_like() => {
                self.lines.push(T3_REMARK.into());
                self.lines.push(T3_GROUP_HEADER[0].into());
                for (&col, l) in order.iter().zip(&labels) {
                    let l = l.to_string();
                    let n = l.chars().count();
                    if n >= 4 && rng.chance(50) {
                        let cut = 2 + rng.below(n as u64 - 3) as usize;
                        self.lines.push(l.chars().take(cut).collect());
                        self.lines.push(l.chars().skip(cut).collect());
                    } else {
                        self.lines.push(l);
                    }
                    if col == 0 {
                        self.lines.push(T3_GROUP_HEADER[1].into());
                    }
                }
            }
            Layout::Grid => {
                let mut r1 = vec![T3_REMARK.to_string(); 3];
                r1.extend(labels.iter().map(|_| T3_GROUP_HEADER[0].to_string()));
                self.row(&r1, &[]);
                self.markdown_rule(r1.len());
                let mut r2 = vec![T3_REMARK.to_string(); 3];
                r2.extend(labels.iter().map(|l| l.to_string()));
                self.row(&r2, &[]);
            }
            _ => {
                let mut r1 = vec![T3_REMARK.to_string(), String::new(), String::new()];
                r1.extend(labels.iter().map(|_| String::new()));
                r1[3] = T3_GROUP_HEADER[0].into();
                self.row(&r1, &[]);
                self.markdown_rule(r1.len());
                let mut r2 = vec![String::new(); 3];
                r2.extend(labels.iter().map(|l| l.to_string()));
                self.row(&r2, &[]);
            }
        }
    }

    fn table3(&mut self, c: &Contents, rng: &mut Rng) {
        let v = vocab();
        let text_mode = !self.layout.celled();
        let total = v.cols.iter().position(|c| c.is_total).unwrap_or(0);
        // Celled layouts may print the total column first.
        let order: Vec<usize> = if !text_mode && rng.chance(20) {
            std::iter::once(total)
                .chain((0..v.cols.len()).filter(|&i| i != total))
                .collect()
        } else {
            (0..v.cols.len()).collect()
        };
        self.table3_header(c, &order, rng);
        let mut opened: Vec<String> = Vec::new();
        for (r, vals) in &c.table3 {
            let row = &v.rows[*r];
            let values: Vec<String> = order.iter().map(|&i| show(&vals[i], c, false)).collect();
            let (top, sub) = split_section(&row.section);
            let mut path: Vec<String> = Vec::new();
            // Group labels: the part (三、本年度办理结果) and the sub-group ((三)不予公开).
            for g in [top.to_string(), format!("{top}({sub})")] {
                let Some((_, name)) = GROUPS.iter().find(|(s, _)| *s == g) else {
                    continue;
                };
                if row.section == g {
                    continue;
                }
                let label = if g == top {
                    format!("{top}、{name}")
                } else {
                    format!("({sub}) {name}")
                };
                let first = !opened.contains(&g);
                if first {
                    opened.push(g);
                }
                path.push(if first || self.layout == Layout::Grid {
                    label
                } else {
                    String::new()
                });
            }
            path.push(row_label(row.section.as_str(), c.labels.row(*r)));
            self.t3_row(path, values, rng);
        }
    }

    fn t3_row(&mut self, path: Vec<String>, values: Vec<String>, rng: &mut Rng) {
        let own = path.last().cloned().unwrap_or_default();
        match self.layout {
            _ if self.layout.pdf_like() => {
                if self.layout == Layout::PdfVertical && rng.chance(12) {
                    // a page break: the footer lands between two rows
                    self.lines.push(format!("-{}-", 2 + rng.below(8)));
                }
                for (gi, g) in path[..path.len() - 1].iter().enumerate() {
                    if g.is_empty() {
                        continue;
                    }
                    let n = g.chars().count();
                    if self.layout == Layout::PdfVertical && gi == 0 {
                        // a tall merged cell: one character per line (`三、`, `本`, `年`, …)
                        let (num, rest) = g.split_once('、').unwrap_or(("", g));
                        if !num.is_empty() {
                            self.lines.push(format!("{num}、"));
                        }
                        self.lines.extend(rest.chars().map(String::from));
                    } else if n > 5 && rng.chance(60) {
                        let cut = n - 2;
                        self.lines.push(g.chars().take(cut).collect());
                        self.lines.push(g.chars().skip(cut).collect());
                    } else {
                        self.lines.push(g.clone());
                    }
                }
                let n = own.chars().count();
                if n >= 12 && rng.chance(50) {
                    let cut = 4 + rng.below(n as u64 - 7) as usize;
                    self.lines.push(own.chars().take(cut).collect());
                    self.lines.push(own.chars().skip(cut).collect());
                    self.lines.push(values.join(" "));
                } else {
                    self.row(&[own], &values);
                }
            }
            Layout::Wrapped if !values.iter().any(String::is_empty) && rng.chance(40) => {
                let mut labels = path;
                labels.extend(values.iter().map(|_| String::new()));
                self.row(&labels, &[]);
                self.row(&[String::new()], &values);
            }
            Layout::Grid => {
                let mut labels = path;
                while labels.len() < 3 {
                    labels.push(own.clone());
                }
                self.row(&labels, &values);
            }
            _ => {
                let mut labels = path;
                while labels.len() < 3 && self.layout != Layout::Markdown && rng.chance(50) {
                    labels.insert(0, String::new());
                }
                while labels.len() < 3 && self.layout == Layout::Markdown {
                    labels.insert(0, String::new());
                }
                let mut values = values;
                let has_blank = values.iter().any(String::is_empty);
                if !has_blank && self.layout != Layout::Markdown && rng.chance(20) {
                    values.push(String::new());
                }
                self.row(&labels, &values);
            }
        }
    }

    fn table4(&mut self, c: &Contents, rng: &mut Rng) {
        let v = vocab();
        let blocks = v.table4_blocks();
        let per = blocks[0].len();
        let outcomes: Vec<&str> = (0..per).map(|k| c.labels.outcome(k)).collect();
        let values: Vec<String> = c.table4.iter().map(|p| show(p, c, false)).collect();
        let block_names: Vec<String> = (0..blocks.len())
            .map(|b| c.labels.block(b * per).to_string())
            .collect();
        let litigation = printed::LITIGATION;
        if !c.table4.contains(&Printed::Blank) && rng.chance(25) {
            // One labelled row per block.
            let mut header = vec![String::new()];
            header.extend(outcomes.iter().map(|s| s.to_string()));
            self.row(&header, &[]);
            self.markdown_rule(header.len());
            for (i, name) in block_names.iter().enumerate() {
                self.row(std::slice::from_ref(name), &values[i * per..(i + 1) * per]);
            }
            return;
        }
        let mut r1 = vec![block_names[0].clone()];
        r1.extend((1..per).map(|_| String::new()));
        r1.push(litigation.to_string());
        let mut r2: Vec<String> = outcomes.iter().map(|s| s.to_string()).collect();
        for name in &block_names[1..] {
            r2.push(name.clone());
            r2.extend((1..per).map(|_| String::new()));
        }
        let mut r3: Vec<String> = (0..per).map(|_| String::new()).collect();
        for _ in 1..blocks.len() {
            r3.extend(outcomes.iter().map(|s| s.to_string()));
        }
        if self.layout.celled() {
            self.row(&r1, &[]);
            self.markdown_rule(values.len());
            self.row(&r2, &[]);
            self.row(&r3, &[]);
        } else {
            self.lines
                .push(format!("{} {}", block_names[0], litigation));
            self.lines.push(outcomes.join(" "));
            self.lines.push(block_names[1..].join(" "));
            self.lines.push(
                r3.iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        self.row(&[], &values);
    }
}

/// `三(三)1` → (`三`, `三`); `三(一)` → (`三`, `一`); `一` → (`一`, ``).
fn split_section(s: &str) -> (&str, &str) {
    match s.find('(') {
        Some(i) => {
            let rest = &s[i + 1..];
            (&s[..i], rest.split(')').next().unwrap_or(""))
        }
        None => (s, ""),
    }
}

/// The printed label of a row from its section number.
fn row_label(section: &str, label: &str) -> String {
    let (top, sub) = split_section(section);
    let item = section
        .rsplit(')')
        .next()
        .filter(|x| section.contains(')') && !x.is_empty());
    match (sub.is_empty(), item) {
        (true, _) => format!("{top}、{label}"),
        (false, Some(n)) => format!("{n}.{label}"),
        (false, None) => format!("({sub}) {label}"),
    }
}

/// Renders contents as grid rows directly (as an HTML/DOCX reader would give).
pub fn grid_lines(c: &Contents, rng: &mut Rng) -> Vec<Line> {
    ogi_extract::text::lines_from_text(&render(c, Layout::Grid, rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ogi_extract::normalize::normalize_text;

    #[test]
    fn rng_is_reproducible() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Rng::new(7);
        assert_eq!(a, (0..5).map(|_| r.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn radicals_normalise_back() {
        for (u, r) in RADICALS {
            assert_eq!(normalize_text(&r.to_string()), u.to_string());
        }
    }

    #[test]
    fn labels_follow_sections() {
        assert_eq!(row_label("三(三)1", "属于国家秘密"), "1.属于国家秘密");
        assert_eq!(row_label("三(一)", "予以公开"), "(一) 予以公开");
        assert_eq!(
            row_label("一", "本年新收政府信息公开申请数量"),
            "一、本年新收政府信息公开申请数量"
        );
    }

    #[test]
    fn layout_names_round_trip() {
        for l in Layout::ALL {
            assert_eq!(Layout::from_name(l.name()), Some(l));
        }
        assert_eq!(Layout::from_name("pdf"), None);
    }

    #[test]
    fn same_seed_same_document() {
        let a = synth(3, Layout::Tsv, &Options::default());
        let b = synth(3, Layout::Tsv, &Options::default());
        assert_eq!(a.text, b.text);
    }
}
