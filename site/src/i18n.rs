//! The site's wording in Chinese (default) and English: interface texts,
//! provenance marks, checks and flags in plain words. Labels of columns and
//! coded values come from `ogi-analyze` (the codebook), never re-typed here.

use crate::prov::Prov;

/// Language of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl std::str::FromStr for Lang {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Lang> {
        match s {
            "zh" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            _ => anyhow::bail!("unknown site language {s:?}; expected zh or en"),
        }
    }
}

impl Lang {
    /// `lang` attribute of the pages.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Whether Chinese labels are wanted.
    pub fn zh(self) -> bool {
        self == Lang::Zh
    }

    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Interface texts.
    pub fn t(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// Interface texts of one language.
#[derive(Debug)]
pub struct Texts {
    /// Site name.
    pub site: &'static str,
    /// Navigation: overview.
    pub nav_overview: &'static str,
    /// Navigation: regions.
    pub nav_regions: &'static str,
    /// Navigation: downloads.
    pub nav_downloads: &'static str,
    /// Search box label.
    pub search_label: &'static str,
    /// Search box placeholder.
    pub search_placeholder: &'static str,
    /// Search: nothing found.
    pub search_none: &'static str,
    /// Overview lead paragraph.
    pub overview_lead: &'static str,
    /// Heading: national figures.
    pub national: &'static str,
    /// Heading: data quality.
    pub quality: &'static str,
    /// Year.
    pub year: &'static str,
    /// Chart: requests received.
    pub chart_requests: &'static str,
    /// Chart: substantive disclosure rate.
    pub chart_disclosure: &'static str,
    /// Chart: refusals by reason.
    pub chart_refusals: &'static str,
    /// Chart: correction rates.
    pub chart_corrections: &'static str,
    /// Chart: fees.
    pub chart_fees: &'static str,
    /// Note under every chart: its numbers are in the table.
    pub chart_note: &'static str,
    /// Blank value.
    pub blank: &'static str,
    /// Quality table: canonical reports.
    pub q_reports: &'static str,
    /// Quality: parsed.
    pub q_parsed: &'static str,
    /// Quality: partial.
    pub q_partial: &'static str,
    /// Quality: with a failed check.
    pub q_failed: &'static str,
    /// Quality: with an unverified check.
    pub q_unverified: &'static str,
    /// Quality: with inferred values.
    pub q_inferred: &'static str,
    /// Quality: superseded documents.
    pub q_superseded: &'static str,
    /// Quality: all documents.
    pub q_documents: &'static str,
    /// Heading: provinces.
    pub provinces: &'static str,
    /// Heading: sub-regions.
    pub subregions: &'static str,
    /// Heading: agencies ranked by requests.
    pub ranked: &'static str,
    /// Ranking: rank.
    pub rank: &'static str,
    /// Agency.
    pub agency: &'static str,
    /// Region.
    pub region: &'static str,
    /// Change on the year before.
    pub change: &'static str,
    /// Ranked list cut note (with the number shown / total).
    pub ranked_cut: &'static str,
    /// Heading: pooled figures by year.
    pub pooled: &'static str,
    /// Heading: publication on the portals.
    pub compliance: &'static str,
    /// Compliance: portal.
    pub portal: &'static str,
    /// Compliance: published.
    pub published: &'static str,
    /// Compliance: not found on the portal.
    pub not_found: &'static str,
    /// Compliance: days after the deadline.
    pub days_late: &'static str,
    /// Compliance: no crawl data.
    pub no_compliance: &'static str,
    /// Agency page: loading.
    pub loading: &'static str,
    /// Agency page: not found.
    pub agency_unknown: &'static str,
    /// Agency page: needs JavaScript.
    pub needs_js: &'static str,
    /// Agency page: figures by year.
    pub figures: &'static str,
    /// Agency page: table 3 as printed.
    pub table3: &'static str,
    /// Agency page: table 4.
    pub table4: &'static str,
    /// Agency page: checks.
    pub checks: &'static str,
    /// Check held.
    pub held: &'static str,
    /// Check failed.
    pub failed: &'static str,
    /// Check unverified.
    pub unverified: &'static str,
    /// Agency page: flags.
    pub flags: &'static str,
    /// Agency page: no flags.
    pub no_flags: &'static str,
    /// Agency page: source.
    pub source: &'static str,
    /// Agency page: archived copy.
    pub archived: &'static str,
    /// Agency page: CSV download.
    pub csv: &'static str,
    /// Agency page: legend heading.
    pub legend: &'static str,
    /// Agency page: name forms.
    pub name_forms: &'static str,
    /// Agency page: status.
    pub status: &'static str,
    /// Agency page: scope.
    pub scope: &'static str,
    /// Agency page: template.
    pub template: &'static str,
    /// Agency page: completeness.
    pub completeness: &'static str,
    /// Agency page: fetched at.
    pub fetched: &'static str,
    /// Downloads page lead.
    pub downloads_lead: &'static str,
    /// Downloads: file.
    pub file: &'static str,
    /// Downloads: size.
    pub size: &'static str,
    /// Downloads: too large to copy into the site.
    pub too_large: &'static str,
    /// Downloads: codebook.
    pub codebook: &'static str,
    /// Footer.
    pub footer: &'static str,
    /// Table-3 column header of row labels.
    pub item: &'static str,
    /// Chart: review correction rate.
    pub review_rate: &'static str,
    /// Chart: litigation correction rate.
    pub litigation_rate: &'static str,
}

/// Chinese texts.
pub const ZH: Texts = Texts {
    site: "政府信息公开年度报告数据",
    nav_overview: "总览",
    nav_regions: "地区",
    nav_downloads: "下载",
    search_label: "搜索机关或地区",
    search_placeholder: "输入机关或地区名称，如“民政局”",
    search_none: "没有找到",
    overview_lead: "各级行政机关每年发布的政府信息公开工作年度报告中的数字，逐格提取、校验后汇总。每张图下方的表格列出图中全部数值；空白表示报告未给出数字，不作推测。",
    national: "全国合计（机关口径）",
    quality: "数据质量",
    year: "年度",
    chart_requests: "本年新收政府信息公开申请数量",
    chart_disclosure: "实质公开率（予以公开＋部分公开）÷ 办理总数",
    chart_refusals: "不予公开的理由（件）",
    chart_corrections: "行政复议、行政诉讼纠错率",
    chart_fees: "收费",
    chart_note: "图中数值见下表。",
    blank: "—",
    q_reports: "机关年度报告（去重后）",
    q_parsed: "完整解析",
    q_partial: "部分解析",
    q_failed: "有未通过的校验",
    q_unverified: "有未能校验的校验",
    q_inferred: "含推算或OCR数值",
    q_superseded: "被替代的重复文档",
    q_documents: "全部文档（按处理状态）",
    provinces: "省级地区",
    subregions: "下级地区",
    ranked: "各机关按新收申请数排序",
    rank: "名次",
    agency: "机关",
    region: "地区",
    change: "同比变化",
    ranked_cut: "仅列出前 {shown} 个（共 {total} 个），其余见下级地区页面。",
    pooled: "合并口径数据（逐年）",
    compliance: "年度报告发布情况（门户网站）",
    portal: "门户",
    published: "已发布",
    not_found: "未在门户上找到",
    days_late: "距法定期限（1月31日）天数",
    no_compliance: "没有抓取记录，无法判断发布情况。",
    loading: "正在读取……",
    agency_unknown: "没有这个机关编号的数据。",
    needs_js: "机关页面需要启用 JavaScript；各地区页面和下载文件不需要。",
    figures: "逐年数据",
    table3: "表三 收到和处理政府信息公开申请情况（按原表）",
    table4: "表四 行政复议、行政诉讼情况",
    checks: "勾稽校验",
    held: "通过",
    failed: "未通过",
    unverified: "未能校验",
    flags: "提取标记",
    no_flags: "无",
    source: "原文",
    archived: "存档副本",
    csv: "下载本机关数据（CSV）",
    legend: "图例",
    name_forms: "名称形式",
    status: "处理状态",
    scope: "报告口径",
    template: "模板版本",
    completeness: "单元格完整度",
    fetched: "抓取时间",
    downloads_lead: "全部数据集的表格文件（UTF-8，可直接用 Excel 打开）和字段说明（代码本）。",
    file: "文件",
    size: "大小",
    too_large: "文件过大，未复制到本网站；见输出目录：",
    codebook: "代码本（字段说明）",
    footer: "数据由 ogi 从各机关公开的年度报告中提取；每个数字都可追溯到原文。",
    item: "项目",
    review_rate: "行政复议纠错率",
    litigation_rate: "行政诉讼纠错率",
};

/// English texts.
pub const EN: Texts = Texts {
    site: "Open Government Information annual reports",
    nav_overview: "Overview",
    nav_regions: "Regions",
    nav_downloads: "Downloads",
    search_label: "Search an agency or region",
    search_placeholder: "Agency or region name, e.g. 民政局",
    search_none: "Nothing found",
    overview_lead: "Figures from the annual reports every government agency publishes on its Open Government Information work, extracted cell by cell, checked and added up. The table under each chart gives all its numbers; a blank means the report gave no number, never a guess.",
    national: "National totals (agency-scope reports)",
    quality: "Data quality",
    year: "Year",
    chart_requests: "New requests received",
    chart_disclosure: "Substantive disclosure rate (granted + partly granted) / processed",
    chart_refusals: "Refusals by reason (requests)",
    chart_corrections: "Correction rates in administrative review and litigation",
    chart_fees: "Fees",
    chart_note: "The chart's numbers are in the table below.",
    blank: "—",
    q_reports: "Agency-year reports (after de-duplication)",
    q_parsed: "Fully parsed",
    q_partial: "Partly parsed",
    q_failed: "With a failed check",
    q_unverified: "With a check that could not be evaluated",
    q_inferred: "With inferred or OCR values",
    q_superseded: "Superseded duplicate documents",
    q_documents: "All documents (by status)",
    provinces: "Provinces",
    subregions: "Sub-regions",
    ranked: "Agencies ranked by new requests",
    rank: "Rank",
    agency: "Agency",
    region: "Region",
    change: "Change on the year before",
    ranked_cut: "Only the first {shown} of {total} are listed; see the sub-region pages for the rest.",
    pooled: "Pooled figures by year",
    compliance: "Publication of the annual report on the portals",
    portal: "Portal",
    published: "Published",
    not_found: "not found on the portal",
    days_late: "Days after the legal deadline (31 January)",
    no_compliance: "No crawl record: publication cannot be told.",
    loading: "Loading…",
    agency_unknown: "No data for this agency id.",
    needs_js: "Agency pages need JavaScript; the region pages and downloads do not.",
    figures: "Figures by year",
    table3: "Table 3: requests received and how they were handled (as printed)",
    table4: "Table 4: administrative review and litigation",
    checks: "Accounting checks",
    held: "held",
    failed: "failed",
    unverified: "could not be evaluated",
    flags: "Extraction flags",
    no_flags: "none",
    source: "Original",
    archived: "Archived copy",
    csv: "Download this agency's data (CSV)",
    legend: "Legend",
    name_forms: "Name forms",
    status: "Status",
    scope: "Scope",
    template: "Template",
    completeness: "Cells read",
    fetched: "Fetched",
    downloads_lead: "Every dataset as a spreadsheet file (UTF-8, opens in Excel) and the codebook that explains every column.",
    file: "File",
    size: "Size",
    too_large: "too large to copy into the site; in the output directory:",
    codebook: "Codebook (column meanings)",
    footer: "Data extracted by ogi from the annual reports the agencies published; every number traces back to its document.",
    item: "Item",
    review_rate: "Review correction rate",
    litigation_rate: "Litigation correction rate",
};

/// The label of a provenance in the legend.
pub fn prov_label(p: Prov, lang: Lang) -> String {
    if let Some(l) = ogi_analyze::labels::label("provenance", p.key(), lang.zh()) {
        return l.to_string();
    }
    match p {
        Prov::OcrInferred => lang
            .pick("OCR扫描件中据勾稽关系推算", "inferred in a scan")
            .into(),
        _ => lang.pick("其他", "other").into(),
    }
}

/// What a check verifies, in plain words.
pub fn check_words(id: &str, lang: Lang) -> String {
    let (zh, en) = match id {
        "C1" => (
            "新收＋上年结转＝办理总数＋结转下年（每列）",
            "new + carried over = processed + carried forward (each column)",
        ),
        "C2" => (
            "总计＝各类申请人之和（每行）",
            "total = sum of the applicant types (each row)",
        ),
        "C3" => (
            "办理总数＝各办理结果之和（每列）",
            "processed = sum of the outcomes (each column)",
        ),
        "C4" => (
            "表四各栏总计＝维持＋纠正＋其他＋尚未审结",
            "table 4 totals = upheld + corrected + other + pending",
        ),
        "C5" => (
            "件数为非负整数，金额非负",
            "counts are non-negative integers, amounts non-negative",
        ),
        "N1" => (
            "正文所述申请数与表三一致",
            "the request count in the text matches table 3",
        ),
        _ => ("", ""),
    };
    lang.pick(zh, en).to_string()
}

/// A quality column of the panel in plain words, when it says something
/// worth telling (`value` is the column's value).
pub fn quality_words(column: &str, value: bool, lang: Lang) -> Option<&'static str> {
    let (zh, en) = match (column, value) {
        ("small_n", true) => (
            "申请量过小（少于10件），比率不稳定",
            "fewer than 10 requests processed: rates are unstable",
        ),
        ("conflicting_duplicate", true) => (
            "同一年度另有文档，表三数值与本文档不一致",
            "another document for this year gives different table-3 figures",
        ),
        ("continuity_ok", false) => (
            "上年结转数与上一年度报告的结转下年数不一致",
            "carried over from last year differs from last year's carried forward",
        ),
        ("fee_unit_suspect", true) => (
            "收费金额过大，疑似把元填在万元栏",
            "fees implausibly large: probably yuan printed in the 10 000 CNY column",
        ),
        ("yoy_jump", true) => (
            "新收申请数与上年相比变化超过10倍",
            "new requests changed more than tenfold on the year before",
        ),
        ("has_inferred", true) => (
            "部分数值系推算、OCR识别或从粘连数字中拆分得到（表中已标出）",
            "some values were inferred, read by OCR or cut from fused digits (marked in the tables)",
        ),
        _ => return None,
    };
    Some(lang.pick(zh, en))
}

/// An extraction flag (`kind` or `kind:detail`) in plain words.
pub fn flag_words(flag: &str, lang: Lang) -> String {
    let (kind, detail) = flag.split_once(':').unwrap_or((flag, ""));
    let (zh, en) = match kind {
        "inferred" | "inferred_rule" => (
            "据勾稽关系推算了数值",
            "values inferred from the identities",
        ),
        "short_row" => (
            "表格行的数值少于应有栏数",
            "a table row has fewer values than columns",
        ),
        "long_row" => (
            "表格行的数值多于应有栏数",
            "a table row has more values than columns",
        ),
        "missing_table" => ("缺少表格", "a table is missing"),
        "conflict" => ("同一单元格读到不同数值", "conflicting values for one cell"),
        "inference_conflict" => ("推算结果相互矛盾", "inferences contradict each other"),
        "narrative_conflict" => ("正文与表格数字不一致", "the text contradicts the table"),
        "ambiguous_split" => (
            "粘连数字有多种拆分，未取值",
            "fused digits split several ways: left empty",
        ),
        "region_ambiguous" => ("地名对应多个地区", "the place name fits several regions"),
        "region_unknown" => ("无法确定所属地区", "region not found in the name"),
        "agency_corrected" => (
            "机关名称中的形近字已更正",
            "a look-alike character in the name was corrected",
        ),
        "title_two_lines" => ("标题分两行印刷", "title printed on two lines"),
        "agency_source" => ("机关名称的来源", "where the agency name was read"),
        "agency_paragraph" => ("正文另称机关", "the text names another body"),
        "converted_by" => ("格式转换工具", "converted with"),
        "ocr" | "ocr_error" => ("OCR识别问题", "OCR problem"),
        "truncated" | "pdf" => ("文档不完整", "document truncated"),
        "limit" => ("超过处理限度", "a processing limit was reached"),
        "no_cells_read" => ("没有读到任何单元格", "no cell could be read"),
        "no_title" => ("没有找到标题", "no title found"),
        "template_mixed" => ("新旧模板混用", "old and new templates mixed"),
        "two_reports" => ("一个文档中有两份报告", "two reports in one document"),
        "row_by_position" => ("按位置识别表格行", "row recognised by its position"),
        "unmatched_row" | "unplaced_row" | "off_template_row" => {
            ("有无法对应模板的行", "a row did not match the template")
        }
        "out_of_order_row" => ("表格行顺序与模板不同", "rows out of template order"),
        "duplicate_row" => ("表格行重复", "a row appears twice"),
        "stray_values" => ("有多余的数字", "stray numbers"),
        "stray_placed" => (
            "游离的数字按勾稽关系放回唯一空格",
            "a stray number put back into the one empty cell the identities need",
        ),
        "t2_lifted" => (
            "表二中被移出表格的数字按其注释放回",
            "table 2 numbers lifted out of their row put back by their note",
        ),
        "blank_in_sum" => ("合计包含空白单元格", "a total includes a blank cell"),
        "ambiguous_label" => (
            "行名有错字，按最接近的行识别",
            "a misspelt row label read as its closest row",
        ),
        "no_column_header" | "column_header_incomplete" => (
            "表头不完整，按位置识别列",
            "column header incomplete: columns by position",
        ),
        "table4_unreadable" => ("表四无法读取", "table 4 could not be read"),
        "issued_implausible" => (
            "成文日期不合理，未采用",
            "implausible date of issue, not used",
        ),
        "revised" => (
            "标题注明修订或更正",
            "the title marks a revision or correction",
        ),
        "needs_ocr" => ("扫描件，需要OCR", "a scan: needs OCR"),
        "unsupported_format" => ("不支持的文件格式", "unsupported file format"),
        "panic" => ("读取时内部错误", "internal error while reading"),
        "conversion_error" | "docx_error" | "pdf_error" | "xlsx_error" | "zip_error" => {
            ("文件无法读取", "the file could not be read")
        }
        "tool_missing" => ("缺少转换工具", "a conversion tool is missing"),
        _ => ("其他标记", "other finding"),
    };
    let words = lang.pick(zh, en);
    if detail.is_empty() {
        format!("{words} ({kind})")
    } else {
        format!("{words} ({kind}: {detail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_checks_read_as_words_and_keep_the_code() {
        assert_eq!(
            flag_words("short_row:granted", Lang::Zh),
            "表格行的数值少于应有栏数 (short_row: granted)"
        );
        assert!(flag_words("brand_new_flag", Lang::En).contains("brand_new_flag"));
        for flag in [
            "stray_placed:granted",
            "t2_lifted:regulations_repealed",
            "blank_in_sum:total",
            "ambiguous_label:granted",
            "issued_implausible:1999-01-01",
            "revised",
        ] {
            let words = flag_words(flag, Lang::En);
            assert!(!words.starts_with("other finding"), "{flag}: {words}");
        }
        assert!(check_words("C1", Lang::En).contains("carried forward"));
        assert_eq!(prov_label(Prov::Inferred, Lang::Zh), "据勾稽关系推算");
        assert_eq!(quality_words("continuity_ok", true, Lang::En), None);
        assert!("xx".parse::<Lang>().is_err());
    }
}
