//! Bar charts drawn as inline SVG at build time (no script, no font files:
//! the text inherits the page's CSS font stack, CJK fallbacks included).
//! Every chart is followed by a table of its numbers; a missing value draws
//! no bar and shows the blank mark, never a zero.

use std::fmt::Write as _;

use crate::html::{esc, table, value};
use crate::i18n::Lang;

/// Colour-blind-safe palette (Okabe–Ito), cycled over the series.
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// One series of a chart: a value per year.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// One value per year of the chart (`None`: blank).
    pub values: Vec<Option<f64>>,
}

/// A bar chart over years.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart<'a> {
    /// Element id prefix (unique in the page).
    pub id: &'a str,
    /// Title, also the chart's accessible name.
    pub title: &'a str,
    /// The years on the x axis.
    pub years: &'a [i32],
    /// The series.
    pub series: Vec<Series>,
    /// Codebook unit of the values (`count`, `ratio`, `10k_cny`, `cny`).
    pub unit: &'a str,
    /// Stack the series instead of grouping them.
    pub stacked: bool,
}

const W: f64 = 640.0;
const H: f64 = 280.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 32.0;

/// The smallest 1-2-5 × 10ⁿ number at or above `x` (1 for nothing to show).
pub fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x * (1.0 - 1e-12) {
            return m * p;
        }
    }
    10.0 * p
}

fn axis_label(v: f64, unit: &str, lang: Lang) -> String {
    if unit == "ratio" {
        format!("{}%", crate::html::trim_float(v * 100.0, 1))
    } else {
        value(Some(v), "count", lang)
    }
}

/// The chart as an SVG element (with `<title>` and `<desc>` for screen readers).
pub fn svg(c: &Chart, lang: Lang) -> String {
    let n = c.years.len().max(1) as f64;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let top_value = (0..c.years.len())
        .map(|i| {
            let vals = c
                .series
                .iter()
                .filter_map(|s| s.values.get(i).copied().flatten());
            if c.stacked {
                vals.filter(|v| *v > 0.0).sum::<f64>()
            } else {
                vals.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let max = nice_ceiling(top_value);
    let y = |v: f64| TOP + plot_h - (v.max(0.0) / max) * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"{id}-svg\" class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" preserveAspectRatio=\"xMidYMid meet\">\
         <title id=\"{id}-t\">{title}</title><desc id=\"{id}-d\">{desc}</desc>",
        id = c.id,
        title = esc(c.title),
        desc = esc(lang.t().chart_note),
    );
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let yy = y(v);
        let _ = write!(
            s,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\"/>\
             <text class=\"tick\" x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\">{label}</text>",
            x2 = W - RIGHT,
            tx = LEFT - 6.0,
            ty = yy + 4.0,
            label = esc(&axis_label(v, c.unit, lang)),
        );
    }
    let group = plot_w / n;
    let ns = c.series.len().max(1) as f64;
    for (i, year) in c.years.iter().enumerate() {
        let gx = LEFT + group * i as f64;
        let _ = write!(
            s,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{year}</text>",
            gx + group / 2.0,
            H - BOTTOM + 18.0
        );
        let mut stack = 0.0;
        for (k, ser) in c.series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            let v = ser.values.get(i).copied().flatten();
            let (bx, bw) = if c.stacked {
                (gx + group * 0.2, group * 0.6)
            } else {
                let bw = group * 0.7 / ns;
                (gx + group * 0.15 + bw * k as f64, bw)
            };
            let Some(v) = v else {
                if !c.stacked {
                    let _ = write!(
                        s,
                        "<text class=\"blank\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                        bx + bw / 2.0,
                        TOP + plot_h - 4.0,
                        esc(lang.t().blank)
                    );
                }
                continue;
            };
            let (y0, y1) = if c.stacked {
                let y0 = y(stack);
                stack += v.max(0.0);
                (y0, y(stack))
            } else {
                (y(0.0), y(v))
            };
            let _ = write!(
                s,
                "<rect x=\"{bx:.1}\" y=\"{y1:.1}\" width=\"{bw:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{name} {year}: {val}</title></rect>",
                h = (y0 - y1).max(0.0),
                name = esc(&ser.name),
                val = esc(&value(Some(v), c.unit, lang)),
            );
            if !c.stacked && c.series.len() == 1 {
                let _ = write!(
                    s,
                    "<text class=\"val\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                    bx + bw / 2.0,
                    y1 - 4.0,
                    esc(&axis_value(v, c.unit, lang))
                );
            }
        }
    }
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yb}\" y2=\"{yb}\"/></svg>",
        x2 = W - RIGHT,
        yb = TOP + plot_h
    );
    s
}

/// A value label over a bar: the value without its unit word.
fn axis_value(v: f64, unit: &str, lang: Lang) -> String {
    match unit {
        "10k_cny" | "cny" => crate::html::trim_float(v, 1),
        _ => value(Some(v), unit, lang),
    }
}

/// The chart as a `<figure>`: title, SVG, legend and the table of its numbers.
pub fn figure(c: &Chart, lang: Lang) -> String {
    let mut s = format!(
        "<figure class=\"figure\" id=\"{}\"><figcaption>{}</figcaption>",
        c.id,
        esc(c.title)
    );
    s.push_str(&svg(c, lang));
    if c.series.len() > 1 {
        s.push_str("<ul class=\"legend\">");
        for (k, ser) in c.series.iter().enumerate() {
            let _ = write!(
                s,
                "<li><span class=\"sw\" style=\"background:{}\"></span>{}</li>",
                PALETTE[k % PALETTE.len()],
                esc(&ser.name)
            );
        }
        s.push_str("</ul>");
    }
    let mut head = vec![esc(lang.t().year)];
    head.extend(c.series.iter().map(|s| esc(&s.name)));
    let rows: Vec<Vec<String>> = c
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let mut r = vec![y.to_string()];
            r.extend(
                c.series
                    .iter()
                    .map(|s| esc(&value(s.values.get(i).copied().flatten(), c.unit, lang))),
            );
            r
        })
        .collect();
    s.push_str(&table("", &head, &rows));
    s.push_str("</figure>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: Vec<Option<f64>>) -> Chart<'static> {
        Chart {
            id: "c",
            title: "新收申请",
            years: &[2021, 2022, 2023],
            series: vec![Series {
                name: "全国".into(),
                values,
            }],
            unit: "count",
            stacked: false,
        }
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(47.0), 50.0);
        assert_eq!(nice_ceiling(80.0), 100.0);
        assert_eq!(nice_ceiling(0.83), 1.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(200.0), 200.0);
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_a_blank_draws_no_bar() {
        let out = svg(&chart(vec![Some(50.0), None, Some(25.0)]), Lang::Zh);
        assert_eq!(out.matches("<rect").count(), 2);
        // The 50 bar spans the whole plot height (axis max 50), the 25 bar half.
        let plot_h = H - TOP - BOTTOM;
        assert!(out.contains(&format!("height=\"{plot_h:.1}\"")));
        assert!(out.contains(&format!("height=\"{:.1}\"", plot_h / 2.0)));
        assert!(out.contains("class=\"blank\""));
        assert!(out.contains("role=\"img\"") && out.contains("<title id=\"c-t\">新收申请</title>"));
    }

    #[test]
    fn the_figure_tables_every_number() {
        let out = figure(&chart(vec![Some(1234.0), None, Some(7.0)]), Lang::En);
        assert!(
            out.contains("<td>1,234</td>")
                && out.contains("<td>—</td>")
                && out.contains("<td>7</td>")
        );
        assert!(out.contains("<th scope=\"row\">2022</th>"));
    }
}
