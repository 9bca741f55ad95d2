//! Title metadata: the report title, the agency and the reporting year.
//!
//! Titles read `{agency}{year}年(度)政府信息公开工作年度报告` or
//! `{year}年{agency}政府信息公开工作年度报告`, possibly with spaces, Markdown
//! markers, PDF radicals, and not necessarily on the first line.

use crate::reader::sections::is_title;
use crate::reader::tokens::TLine;
use regex::Regex;
use std::sync::LazyLock;

/// Title fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TitleMeta {
    /// The title line (normalised, spaces removed).
    pub title: Option<String>,
    /// Agency name.
    pub agency: Option<String>,
    /// Reporting year.
    pub year: Option<i32>,
}

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:关于)?(.*?)((?:19|20)\d\d)年度?(.*?)(?:的)?政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:情况)?(?:年度)?报告").expect("title regex")
});

/// The year after the agency and the report words.
static YEAR_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:关于)?(.*?)(?:的)?政府信息公开.*?报告\D*((?:19|20)\d\d)年?")
        .expect("title regex")
});

/// Finds the title among the first lines (before part 二) and reads it.
pub fn title_meta(lines: &[TLine]) -> TitleMeta {
    let Some(line) = lines.iter().take(60).find(|l| is_title(l)) else {
        return TitleMeta::default();
    };
    let title: String = line
        .text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_start_matches('#')
        .to_string();
    let mut meta = TitleMeta {
        title: Some(title.clone()),
        ..TitleMeta::default()
    };
    if let Some(c) = TITLE.captures(&title) {
        meta.year = c[2].parse().ok();
        let agency = format!("{}{}", &c[1], &c[3]);
        let agency = agency
            .trim_matches(|ch: char| !ch.is_alphanumeric())
            .to_string();
        meta.agency = (!agency.is_empty()).then_some(agency);
    } else if let Some(c) = YEAR_AFTER.captures(&title) {
        // `{agency}政府信息公开工作年度报告（2022年）`
        meta.agency = Some(c[1].to_string()).filter(|a| !a.is_empty());
        meta.year = c[2].parse().ok();
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::tokens::tokenize;
    use crate::text::lines_from_text;

    fn meta(text: &str) -> TitleMeta {
        title_meta(&tokenize(&lines_from_text(text)))
    }

    #[test]
    fn agency_before_year() {
        let m = meta("# 二七区人民政府办公室2022年政府信息公开工作年度报告\n正文");
        assert_eq!(m.agency.as_deref(), Some("二七区人民政府办公室"));
        assert_eq!(m.year, Some(2022));
    }

    #[test]
    fn year_before_agency_and_spaces() {
        let m = meta("2019年上海市人民政府办公厅政府信息公开工作年度报告");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("上海市人民政府办公厅"), Some(2019))
        );
        let m = meta("北关区政务服务和大数据管理局 2023 年政府信息公开工作年度报告");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("北关区政务服务和大数据管理局"), Some(2023))
        );
    }

    #[test]
    fn title_not_first_and_radicals() {
        let m = meta("\n⼀、总体情况\n\n北关区⺠政局2022年政府信息公开⼯作年度报告\n");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("北关区民政局"), Some(2022))
        );
    }

    #[test]
    fn year_after_the_report_words() {
        let m = meta("金水区财政局政府信息公开工作年度报告（2021年）");
        assert_eq!(
            (m.agency.as_deref(), m.year),
            (Some("金水区财政局"), Some(2021))
        );
    }

    #[test]
    fn no_title() {
        assert_eq!(meta("今天天气很好。\n新闻"), TitleMeta::default());
    }
}
