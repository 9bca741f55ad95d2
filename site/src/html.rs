//! HTML building blocks: escaping, number formats, tables and the page frame
//! (header with navigation and search, footer). Pure functions over strings.

use std::fmt::Write as _;

use crate::i18n::Lang;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// An integer with thousands separators (`12,345`; `-1,200`).
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A value of a column with the given codebook unit (`count`, `count_change`,
/// `ratio`, `10k_cny`, `cny`), or the blank mark when there is none.
pub fn value(v: Option<f64>, unit: &str, lang: Lang) -> String {
    let Some(v) = v else {
        return lang.t().blank.to_string();
    };
    match unit {
        "ratio" => format!("{:.1} %", v * 100.0),
        "10k_cny" => format!("{} {}", trim_float(v, 2), lang.pick("万元", "×10k CNY")),
        "cny" => format!("{} {}", trim_float(v, 2), lang.pick("元", "CNY")),
        _ if v.fract() == 0.0 && v.abs() < 9.0e15 => thousands(v as i64),
        _ => trim_float(v, 2),
    }
}

/// A float with at most `decimals` decimals, trailing zeros removed, never
/// in scientific notation.
pub fn trim_float(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Whether a cell shows a number (right-aligned) rather than text.
fn is_number(cell: &str) -> bool {
    cell.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '—'))
}

/// A data table: caption, header cells, rows of already-escaped cells; the
/// first cell of each row is a row header.
pub fn table(caption: &str, head: &[String], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<div class=\"scroll\"><table>");
    if !caption.is_empty() {
        let _ = write!(s, "<caption>{}</caption>", esc(caption));
    }
    s.push_str("<thead><tr>");
    for h in head {
        let _ = write!(s, "<th scope=\"col\">{h}</th>");
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(s, "<th scope=\"row\">{c}</th>");
            } else if is_number(c) {
                let _ = write!(s, "<td>{c}</td>");
            } else {
                let _ = write!(s, "<td class=\"t\">{c}</td>");
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

/// One page of the site.
#[derive(Debug)]
pub struct Page<'a> {
    /// Title (also the `<h1>`).
    pub title: &'a str,
    /// Relative path from the page to the site root (`""` or `"../"`).
    pub root: &'a str,
    /// Language.
    pub lang: Lang,
    /// Page kind, for the script (`overview`, `region`, `agency`, `downloads`).
    pub kind: &'a str,
    /// Breadcrumb links above the title: (href relative to the root, text).
    pub crumbs: Vec<(String, String)>,
    /// Body HTML (after the `<h1>`).
    pub body: String,
}

/// The whole HTML document of a page.
pub fn render(p: &Page) -> String {
    let t = p.lang.t();
    let root = p.root;
    let mut s = String::with_capacity(p.body.len() + 2048);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{lang}\" data-root=\"{root}\" data-page=\"{kind}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · {site}</title>\n<link rel=\"stylesheet\" href=\"{root}assets/style.css\">\n\
         <script src=\"{root}data/texts.js\" defer></script>\n<script src=\"{root}assets/site.js\" defer></script>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">{skip}</a>\n<header>\n<a class=\"brand\" href=\"{root}index.html\">{site}</a>\n\
         <nav aria-label=\"{nav}\"><a href=\"{root}index.html\">{ov}</a> <a href=\"{root}index.html#regions\">{rg}</a> <a href=\"{root}downloads.html\">{dl}</a></nav>\n\
         <form class=\"search\" role=\"search\" action=\"#\"><label for=\"q\">{sl}</label>\
         <input id=\"q\" type=\"search\" autocomplete=\"off\" placeholder=\"{sp}\" aria-controls=\"results\">\
         <ul id=\"results\" aria-live=\"polite\"></ul></form>\n</header>\n<main id=\"main\">\n",
        lang = p.lang.html(),
        kind = p.kind,
        title = esc(p.title),
        site = esc(t.site),
        skip = p.lang.pick("跳到正文", "Skip to content"),
        nav = p.lang.pick("主导航", "Main"),
        ov = esc(t.nav_overview),
        rg = esc(t.nav_regions),
        dl = esc(t.nav_downloads),
        sl = esc(t.search_label),
        sp = esc(t.search_placeholder),
    );
    if !p.crumbs.is_empty() {
        s.push_str("<nav class=\"crumbs\" aria-label=\"breadcrumb\">");
        for (i, (href, text)) in p.crumbs.iter().enumerate() {
            if i > 0 {
                s.push_str(" › ");
            }
            let _ = write!(s, "<a href=\"{root}{}\">{}</a>", esc(href), esc(text));
        }
        s.push_str("</nav>\n");
    }
    let _ = writeln!(s, "<h1 id=\"title\">{}</h1>", esc(p.title));
    s.push_str(&p.body);
    let _ = write!(
        s,
        "\n</main>\n<footer><p>{}</p></footer>\n</body>\n</html>\n",
        esc(t.footer)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_escapes() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1200), "-1,200");
        assert_eq!(thousands(12), "12");
        assert_eq!(value(Some(0.8301), "ratio", Lang::En), "83.0 %");
        assert_eq!(value(None, "count", Lang::Zh), "—");
        assert_eq!(value(Some(12.5), "10k_cny", Lang::Zh), "12.5 万元");
        assert_eq!(value(Some(47.0), "count", Lang::Zh), "47");
        assert_eq!(trim_float(1e20, 2), "100000000000000000000");
    }

    #[test]
    fn a_page_has_language_title_search_and_root_relative_links() {
        let html = render(&Page {
            title: "A<B",
            root: "../",
            lang: Lang::En,
            kind: "region",
            crumbs: vec![("index.html".into(), "All".into())],
            body: "<p>x</p>".into(),
        });
        assert!(html.contains("<html lang=\"en\" data-root=\"../\""));
        assert!(html.contains("<h1 id=\"title\">A&lt;B</h1>"));
        assert!(html.contains("href=\"../assets/style.css\""));
        assert!(html.contains("id=\"q\""));
        assert!(html.contains("<a href=\"../index.html\">All</a>"));
    }
}
