//! Dataset names and column schemas. This is the single source of truth for
//! column order, dtypes, the CSV headers and the codebook.

use polars::prelude::DataType;

use crate::vocab::{CATEGORIES, Term, vocabulary};

/// The datasets written under `OUT/datasets/<name>/year=<year>/part-0.parquet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dataset {
    /// Agency-year × applicant type: the flow rows of table 3.
    Requests,
    /// Agency-year × disposition × applicant type, long form.
    Dispositions,
    /// Agency-year: the 15 cells of table 4, wide.
    ReviewLitigation,
    /// Agency-year: the cells of table 2, fees in 万元 and yuan.
    Proactive,
    /// One row per agency-year with totals, derived measures and quality.
    Panel,
    /// Rollups of agency-scope reports by county / prefecture / province × year.
    Regions,
    /// Per report: status, every check and flag, superseded documents (long form).
    Quality,
    /// One row per agency id over all years: name forms, level, sector, years present.
    Agencies,
    /// Publication compliance: per registry portal × agency × year, whether and
    /// when a report was published (from the crawl; see `compliance`).
    Compliance,
}

impl Dataset {
    /// Every dataset, in the order they are computed.
    pub const ALL: [Dataset; 9] = [
        Dataset::Requests,
        Dataset::Dispositions,
        Dataset::ReviewLitigation,
        Dataset::Proactive,
        Dataset::Panel,
        Dataset::Regions,
        Dataset::Quality,
        Dataset::Agencies,
        Dataset::Compliance,
    ];

    /// Whether the dataset is partitioned by `year=` (all but `agencies` and
    /// `compliance`, each one file, `OUT/datasets/<name>/part-0.parquet`).
    pub fn partitioned(self) -> bool {
        !matches!(self, Dataset::Agencies | Dataset::Compliance)
    }

    /// Directory name of the dataset.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Requests => "requests",
            Dataset::Dispositions => "dispositions",
            Dataset::ReviewLitigation => "review_litigation",
            Dataset::Proactive => "proactive",
            Dataset::Panel => "panel",
            Dataset::Regions => "regions",
            Dataset::Quality => "quality",
            Dataset::Agencies => "agencies",
            Dataset::Compliance => "compliance",
        }
    }

    /// One-line description (Chinese, English).
    pub fn description(self) -> (&'static str, &'static str) {
        match self {
            Dataset::Requests => (
                "各机关各年度按申请人类型的申请收转情况",
                "Requests per agency-year and applicant type (received, carried over, processed, carried forward)",
            ),
            Dataset::Dispositions => (
                "各机关各年度申请办理结果（长表）",
                "How requests were handled, per agency-year, outcome and applicant type (long form)",
            ),
            Dataset::ReviewLitigation => (
                "各机关各年度行政复议、行政诉讼情况",
                "Administrative review and litigation per agency-year (wide)",
            ),
            Dataset::Proactive => (
                "各机关各年度主动公开情况",
                "Proactive disclosure per agency-year, fees in 万元 and in yuan",
            ),
            Dataset::Panel => (
                "机关-年度面板（每个机关每年一行）",
                "Agency-year panel: one row per agency and year, totals, derived measures and quality",
            ),
            Dataset::Regions => (
                "按县、市、省汇总（仅机关口径报告）",
                "Rollups by county, prefecture and province (agency-scope reports only)",
            ),
            Dataset::Quality => (
                "每份文档的状态、校验和标记（长表）",
                "Per document: status, every check and flag, superseded duplicates (long form)",
            ),
            Dataset::Agencies => (
                "机关名录：每个机关编号一行（全部年度）",
                "Agencies: one row per agency id over all years, with the name forms seen (the crosswalk), level, sector and years present",
            ),
            Dataset::Compliance => (
                "公开合规：每个门户网站、机关、年度是否及何时发布年度报告",
                "Publication compliance: per registry portal, agency and year, whether and when a report was published, against the legal deadline (31 January of the next year)",
            ),
        }
    }
}

impl std::fmt::Display for Dataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Dataset {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        Dataset::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Dataset::ALL.iter().map(|d| d.name()).collect();
                anyhow::anyhow!(
                    "unknown dataset {s:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Documentation of one dataset column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDoc {
    /// Column name in Parquet.
    pub name: String,
    /// Polars dtype written.
    pub dtype: DataType,
    /// Meaning in Chinese.
    pub zh: String,
    /// Meaning in English.
    pub en: String,
    /// Unit (`count`, `10k_cny`, `cny`, `ratio`, or empty).
    pub unit: String,
    /// Source: table and cell key(s) it comes from, or how it is derived.
    pub source: String,
}

fn c(name: &str, dtype: DataType, zh: &str, en: &str, unit: &str, source: &str) -> ColumnDoc {
    ColumnDoc {
        name: name.to_string(),
        dtype,
        zh: zh.to_string(),
        en: en.to_string(),
        unit: unit.to_string(),
        source: source.to_string(),
    }
}

fn s(name: &str, zh: &str, en: &str, source: &str) -> ColumnDoc {
    c(name, DataType::String, zh, en, "", source)
}

fn count(name: &str, zh: &str, en: &str, source: &str) -> ColumnDoc {
    c(name, DataType::Int64, zh, en, "count", source)
}

fn ratio(name: &str, zh: &str, en: &str, source: &str) -> ColumnDoc {
    c(name, DataType::Float64, zh, en, "ratio", source)
}

/// Labels of a 万元 fee term without any unit: (Chinese, English). The spec
/// label may carry the unit in brackets (`… (in 10 000 CNY)`).
fn fee_base(t: &Term) -> (String, String) {
    let strip = |s: &str| -> String {
        let s = s.trim();
        match s.rfind(['(', '（']) {
            Some(i) if s[i..].contains("10 000") || s[i..].contains("万元") => {
                s[..i].trim_end().to_string()
            }
            _ => s.to_string(),
        }
    };
    (strip(&t.zh), strip(&t.en))
}

fn term_col(t: &Term, table: u8, source_col: &str) -> ColumnDoc {
    let source = format!("table {table} {}{source_col}", t.key);
    if t.is_fee() {
        let (zh, en) = fee_base(t);
        return c(
            &t.key,
            DataType::Float64,
            &format!("{zh}（万元）"),
            &format!("{en} (10 000 CNY, 万元)"),
            &t.unit,
            &source,
        );
    }
    c(&t.key, DataType::Int64, &t.zh, &t.en, &t.unit, &source)
}

/// Name of the yuan column derived from a 万元 fee key.
pub fn yuan_name(fee_key: &str) -> String {
    if fee_key.contains("_10k_cny") {
        fee_key.replacen("_10k_cny", "_cny", 1)
    } else {
        format!("{fee_key}_cny")
    }
}

fn id_columns() -> Vec<ColumnDoc> {
    vec![
        c(
            "year",
            DataType::Int32,
            "报告年度",
            "Reporting year (Hive partition key)",
            "",
            "reports.year",
        ),
        s(
            "report_id",
            "报告编号（文档SHA-256）",
            "Report id (SHA-256 of the document)",
            "reports.report_id",
        ),
        s(
            "agency_id",
            "机关编号",
            "Agency id, stable across years and title forms (see the agencies dataset)",
            "derived from agency, region_code, region",
        ),
        s("agency", "机关名称", "Agency name", "reports.agency"),
        s(
            "region_code",
            "行政区划代码（GB/T 2260）",
            "Region code (GB/T 2260)",
            "reports.region_code",
        ),
    ]
}

fn n_inferred(what: &str) -> ColumnDoc {
    c(
        "n_inferred",
        DataType::Int32,
        "推算或OCR取得的单元格数",
        &format!(
            "Number of {what} cells whose value was inferred, read by OCR or cut from fused digits"
        ),
        "count",
        "cells.provenance in (inferred, ocr, ocr_inferred, split)",
    )
}

/// Label of a table-3 total-column row, for the panel.
fn t3_total(key: &str) -> ColumnDoc {
    let v = vocabulary();
    let t = v.row(key).cloned().unwrap_or_else(|| Term {
        key: key.to_string(),
        zh: key.to_string(),
        en: key.to_string(),
        unit: "count".to_string(),
    });
    c(
        key,
        DataType::Int64,
        &format!("{}（总计）", t.zh),
        &format!("{} (total)", t.en),
        "count",
        &format!("table 3 {key} × total"),
    )
}

/// The category sums of the panel: (column, category key).
pub const CATEGORY_TOTALS: [(&str, &str); 4] = [
    ("denied_total", "denied"),
    ("unavailable_total", "unavailable"),
    ("not_processed_total", "not_processed"),
    ("other_total", "other"),
];

/// The columns of a dataset, in their stable order (including `year`).
pub fn columns(d: Dataset) -> Vec<ColumnDoc> {
    let v = vocabulary();
    let mut cols = id_columns();
    match d {
        Dataset::Requests => {
            cols.push(s(
                "applicant",
                "申请人类型",
                "Applicant type (table 3 column key)",
                "table 3 column key",
            ));
            for k in crate::vocab::FLOW_ROWS {
                if let Some(t) = v.row(k) {
                    cols.push(term_col(t, 3, " × applicant"));
                }
            }
            cols.push(n_inferred("these four"));
        }
        Dataset::Dispositions => {
            cols.push(s(
                "disposition",
                "办理结果",
                "Outcome (table 3 row key)",
                "table 3 row key",
            ));
            cols.push(s(
                "category",
                "结果类别",
                "Outcome category: granted, partial, denied, unavailable, not_processed, other",
                "derived from the row key",
            ));
            cols.push(s(
                "applicant",
                "申请人类型",
                "Applicant type (table 3 column key)",
                "table 3 column key",
            ));
            cols.push(count(
                "value",
                "件数",
                "Number of requests",
                "table 3 row × column",
            ));
            cols.push(s(
                "provenance",
                "取值方式",
                "How the value was obtained (cells.provenance: printed, inferred, split, blank, dash, na, ocr, ocr_inferred, missing)",
                "cells.provenance",
            ));
        }
        Dataset::ReviewLitigation => {
            cols.extend(v.table4.iter().map(|t| term_col(t, 4, "")));
            cols.push(n_inferred("table-4"));
        }
        Dataset::Proactive => {
            for t in &v.table2 {
                cols.push(term_col(t, 2, ""));
                if t.is_fee() {
                    let (zh, en) = fee_base(t);
                    cols.push(c(
                        &yuan_name(&t.key),
                        DataType::Float64,
                        &format!("{zh}（元）"),
                        &format!("{en} (yuan)"),
                        "cny",
                        &format!("table 2 {} × 10000", t.key),
                    ));
                }
            }
            cols.push(n_inferred("table-2"));
        }
        Dataset::Panel => cols.extend(panel_columns()),
        Dataset::Regions => {
            cols.truncate(1);
            cols.extend(regions_columns());
        }
        Dataset::Agencies => return agencies_columns(),
        Dataset::Compliance => return compliance_columns(),
        Dataset::Quality => {
            cols.extend(vec![
                s(
                    "status",
                    "处理状态",
                    "Document status: parsed, not_a_report, needs_ocr, needs_conversion, failed",
                    "reports.status",
                ),
                s(
                    "kind",
                    "条目类型",
                    "Item kind: status, check, flag, superseded_by",
                    "quality",
                ),
                s(
                    "item",
                    "条目",
                    "Check id, flag, status, or the canonical report id (superseded_by)",
                    "reports.checks_json / flags",
                ),
                c(
                    "ok",
                    DataType::Boolean,
                    "是否通过",
                    "Check passed (null for flags and for checks that could not be evaluated)",
                    "",
                    "reports.checks_json",
                ),
                s(
                    "detail",
                    "说明",
                    "Detail of the check, or why a document was superseded",
                    "reports.checks_json",
                ),
                c(
                    "checks_unverified",
                    DataType::Int32,
                    "文档未能校验的校验数",
                    "Checks of this document that could not be evaluated (null when the extract stage did not report it)",
                    "count",
                    "reports.checks_unverified",
                ),
                c(
                    "completeness",
                    DataType::Float64,
                    "文档单元格完整度",
                    "Share of the document's template cells with a value printed, inferred or split (null when not reported)",
                    "ratio",
                    "reports.completeness",
                ),
            ]);
        }
    }
    cols
}

fn panel_columns() -> Vec<ColumnDoc> {
    let v = vocabulary();
    let mut cols = vec![
        s(
            "agency_type",
            "机关类型",
            "Agency type derived from the name (government, government_office, township_government, subdistrict_office, commission, bureau, office, department, center, other)",
            "derived from agency",
        ),
        s(
            "agency_level",
            "机关层级",
            "Administrative level of the agency: province, prefecture, county, township_street (null when unknown)",
            "agency name and region_code (gazetteer levels)",
        ),
        s(
            "sector",
            "机关领域",
            "Sector from the agency name (keys of data/agency_sectors.csv; other when none matches)",
            "agency name × data/agency_sectors.csv",
        ),
        s(
            "scope",
            "报告口径",
            "Scope: agency (one agency) or jurisdiction (whole area); never added together",
            "reports.scope",
        ),
        s(
            "template",
            "模板版本",
            "Template version (2019 or 2021)",
            "reports.template",
        ),
        s("status", "处理状态", "Document status", "reports.status"),
        s(
            "region",
            "行政区划（文档）",
            "Region as named in the document",
            "reports.region",
        ),
        s("province_code", "省级代码", "Province code", "region_code"),
        s("province", "省级", "Province", "gazetteer"),
        s(
            "prefecture_code",
            "地级代码",
            "Prefecture code",
            "region_code",
        ),
        s("prefecture", "地级", "Prefecture", "gazetteer"),
        s("county_code", "县级代码", "County code", "region_code"),
        s("county", "县级", "County", "gazetteer"),
    ];
    for k in [
        "new_received",
        "carried_over_in",
        "granted",
        "partially_granted",
        "unavailable_not_held",
    ] {
        cols.push(t3_total(k));
    }
    for (name, cat) in CATEGORY_TOTALS {
        let (_, zh) = CATEGORIES
            .iter()
            .find(|(k, _)| *k == cat)
            .copied()
            .unwrap_or((cat, cat));
        cols.push(count(
            name,
            &format!("{zh}合计"),
            &format!("Sum of all `{cat}` outcome rows (total column)"),
            &format!("table 3 rows of category {cat} × total"),
        ));
    }
    cols.push(t3_total("processed_total"));
    cols.push(t3_total("carried_forward"));
    for t in v.table2.iter().filter(|t| t.is_fee()) {
        cols.push(term_col(t, 2, ""));
    }
    cols.push(c(
        INFO_FEES,
        DataType::Float64,
        "信息处理费（元）",
        "Information processing fees collected for requests (yuan), read from the narrative",
        "cny",
        "narrative: 未收取信息处理费 → 0, 收取信息处理费X元 → X (cells table 0, provenance narrative)",
    ));
    cols.push(count(
        NARRATIVE_RECEIVED,
        "正文所述收到申请数",
        "Requests received as stated in the narrative (checked against new_received, check N1)",
        "narrative: 收到政府信息公开申请X件 (cells table 0)",
    ));
    cols.push(count(
        "review_total",
        "行政复议总计",
        "Administrative review: total",
        "table 4 review_total",
    ));
    cols.push(count(
        "litigation_total",
        "行政诉讼总计",
        "Litigation: total (direct + after review)",
        "table 4 lit_direct_total + lit_after_review_total",
    ));
    cols.push(count(
        "review_corrected",
        "行政复议结果纠正",
        "Administrative review: corrected (0 where the printed total implies it)",
        "table 4 review_corrected",
    ));
    cols.push(count(
        "review_decided",
        "行政复议已审结",
        "Administrative review decided: upheld + corrected + other (blank components count 0 only where the printed total implies it)",
        "table 4 review_*",
    ));
    cols.push(count(
        "litigation_corrected",
        "行政诉讼结果纠正",
        "Litigation corrected, both blocks (0 where the printed totals imply it)",
        "table 4 lit_*_corrected",
    ));
    cols.push(count(
        "litigation_decided",
        "行政诉讼已审结",
        "Litigation decided, both blocks: upheld + corrected + other",
        "table 4 lit_*",
    ));
    cols.push(ratio(
        "substantive_disclosure_rate",
        "实质公开率",
        "Substantive disclosure rate (granted + partially_granted) / processed_total",
        "table 3 total column",
    ));
    cols.push(ratio(
        "denied_share",
        "不予公开占比",
        "Share denied (all reasons) / processed_total",
        "table 3 total column",
    ));
    for t in v.outcome_rows().filter(|t| t.key.starts_with("denied_")) {
        cols.push(ratio(
            &format!("{}_share", t.key),
            &format!("不予公开占比：{}", t.zh),
            &format!("Share {} / processed_total", t.en),
            &format!("table 3 {} / processed_total (total column)", t.key),
        ));
    }
    cols.push(ratio(
        "not_held_share",
        "本机关不掌握占比",
        "Not-held share unavailable_not_held / processed_total",
        "table 3 total column",
    ));
    cols.push(count(
        "backlog",
        "积压（结转下年度）",
        "Backlog = carried_forward",
        "table 3 carried_forward × total",
    ));
    cols.push(count(
        "new_received_prev_year",
        "上一年度新收申请数",
        "New requests in the previous year (same agency and region code)",
        "panel of year − 1",
    ));
    cols.push(count(
        "new_received_yoy_change",
        "新收申请同比变化（件）",
        "Year-on-year change of new requests (this year − previous year)",
        "derived",
    ));
    cols.push(ratio(
        "new_received_yoy_rate",
        "新收申请同比增长率",
        "Year-on-year growth rate of new requests (this / previous − 1)",
        "derived",
    ));
    cols.push(ratio(
        "review_correction_rate",
        "行政复议纠错率",
        "Review correction rate review_corrected / review_decided",
        "table 4 review_*",
    ));
    cols.push(ratio(
        "litigation_correction_rate",
        "行政诉讼纠错率",
        "Litigation correction rate litigation_corrected / litigation_decided (both litigation blocks)",
        "table 4 lit_*",
    ));
    cols.extend(quality_flag_columns());
    cols.extend(vec![
        c(
            "checks_passed",
            DataType::Int32,
            "通过的校验数",
            "Number of checks passed",
            "count",
            "reports.checks_passed",
        ),
        c(
            "checks_failed",
            DataType::Int32,
            "未通过的校验数",
            "Number of checks failed",
            "count",
            "reports.checks_failed",
        ),
        c(
            "checks_unverified",
            DataType::Int32,
            "未能校验的校验数",
            "Number of checks that could not be evaluated (a blank input); null when the extract stage did not report it",
            "count",
            "reports.checks_unverified",
        ),
        c(
            "checks_ok",
            DataType::Boolean,
            "校验全部通过",
            "Parsed, every check passed and none left unevaluated (null when the number of unevaluated checks is unknown)",
            "",
            "reports.status, reports.checks_failed, reports.checks_unverified",
        ),
        c(
            "completeness",
            DataType::Float64,
            "单元格完整度",
            "Share of the template cells with a value printed, inferred or split (null when the extract stage did not report it)",
            "ratio",
            "reports.completeness",
        ),
        s(
            "failed_checks",
            "未通过的校验",
            "Failed check ids (semicolon-separated)",
            "reports.failed_checks",
        ),
        s(
            "flags",
            "标记",
            "Extraction flags (semicolon-separated)",
            "reports.flags",
        ),
        c(
            "n_cells",
            DataType::Int32,
            "单元格数",
            "Number of cells extracted",
            "count",
            "reports.n_cells",
        ),
        c(
            "n_inferred",
            DataType::Int32,
            "推算单元格数",
            "Number of cells inferred from identities",
            "count",
            "reports.n_inferred",
        ),
        c(
            "t3_inferred",
            DataType::Int32,
            "表三总计列推算/OCR单元格数",
            "Inferred or OCR cells in the total column of table 3 (inputs of the rates)",
            "count",
            "cells.provenance",
        ),
        c(
            "t4_inferred",
            DataType::Int32,
            "表四推算/OCR单元格数",
            "Inferred or OCR cells in table 4 (inputs of the correction rates)",
            "count",
            "cells.provenance",
        ),
        c(
            "has_inferred",
            DataType::Boolean,
            "含推算或OCR数值",
            "Some value of this report was inferred, read by OCR or cut from fused digits",
            "",
            "cells.provenance",
        ),
        s("source", "来源", "Source URL or path", "reports.source"),
        s(
            "sha256",
            "SHA-256",
            "SHA-256 of the document",
            "reports.sha256",
        ),
        s(
            "fetched_at",
            "抓取时间",
            "Fetch time (RFC 3339)",
            "reports.fetched_at",
        ),
        s(
            "issued",
            "成文日期",
            "Date of issue printed in the document (YYYY-MM-DD; the signature date, else a page's labelled date); decides between documents of one agency-year",
            "reports.issued",
        ),
        s(
            "parser_version",
            "解析器版本",
            "Parser version",
            "reports.parser_version",
        ),
        c(
            "n_documents",
            DataType::Int32,
            "同一机关年度的文档数",
            "Documents found for this agency-year (canonical + superseded)",
            "count",
            "dedup",
        ),
        s(
            "superseded_ids",
            "被替代的文档",
            "Report ids of superseded documents for this agency-year (semicolon-separated)",
            "dedup",
        ),
    ]);
    cols
}

/// Panel column of the information processing fees (yuan, from the narrative).
pub const INFO_FEES: &str = "info_processing_fees_cny";
/// Panel column of the request count stated in the narrative.
pub const NARRATIVE_RECEIVED: &str = "narrative_new_received";

/// Processed requests below which an agency-year is `small_n`.
pub const SMALL_N: i64 = 10;
/// Year-on-year factor beyond which `yoy_jump` is set.
pub const JUMP_FACTOR: f64 = 10.0;
/// 万元 amount from which `fee_unit_suspect` is set (1 亿元).
pub const FEE_SUSPECT_10K: f64 = 10_000.0;

fn boolean(name: &str, zh: &str, en: &str, source: &str) -> ColumnDoc {
    c(name, DataType::Boolean, zh, en, "", source)
}

/// The panel's quality and plausibility columns.
fn quality_flag_columns() -> Vec<ColumnDoc> {
    vec![
        boolean(
            "small_n",
            "申请量过小（<10件）",
            "Fewer than 10 requests processed: rates are unstable (null when processed_total is blank)",
            "processed_total < 10",
        ),
        boolean(
            "conflicting_duplicate",
            "重复文档数值不一致",
            "Another document of this agency-year differs from the kept one in some table-3 total-column value",
            "dedup; table 3 total column of every document of the agency-year",
        ),
        count(
            "duplicate_spread",
            "重复文档最大差值（件）",
            "Largest absolute difference between the kept document and a superseded one over the table-3 total column (null without duplicates to compare)",
            "dedup; table 3 total column",
        ),
        count(
            "prev_carried_forward",
            "上年报告结转下年度数",
            "carried_forward (total) of the same agency's report for the previous year",
            "panel of year − 1, same agency_id",
        ),
        boolean(
            "continuity_ok",
            "跨年结转一致",
            "carried_over_in this year equals carried_forward of the previous year's report (null when either is missing)",
            "carried_over_in = prev_carried_forward",
        ),
        boolean(
            "fee_unit_suspect",
            "收费金额疑似单位错误",
            "Administrative fees of 10 000 万元 (100 million yuan) or more: probably yuan printed in the 万元 column (flag only; the value is not changed)",
            "admin_fees_10k_cny >= 10000",
        ),
        boolean(
            "yoy_jump",
            "新收申请同比异常（超过10倍）",
            "new_received changed by more than a factor of 10 against the previous year (both > 0; null without a previous year)",
            "new_received vs new_received_prev_year",
        ),
    ]
}

/// The columns of the `compliance` dataset (not partitioned; `year` is a column).
fn compliance_columns() -> Vec<ColumnDoc> {
    vec![
        s(
            "portal_id",
            "门户编号",
            "Portal id in the registry (data/portals.toml)",
            "crawl/portals.csv",
        ),
        s(
            "portal_name",
            "门户名称",
            "Registry name of the portal's agency",
            "crawl/portals.csv",
        ),
        s(
            "portal_level",
            "门户层级",
            "Administrative level of the portal in the registry: central, province, prefecture, county, township, department",
            "crawl/portals.csv",
        ),
        s(
            "region_code",
            "行政区划代码（GB/T 2260）",
            "Region code of the portal (blank when unknown)",
            "crawl/portals.csv",
        ),
        s(
            "agency",
            "机关名称",
            "Agency named by the report (blank when nothing was found or the report names none)",
            "reports.agency",
        ),
        c(
            "year",
            DataType::Int32,
            "报告年度",
            "Reporting year (every year of the range any portal published for)",
            "",
            "reports.year, else the listed year",
        ),
        c(
            "published",
            DataType::Boolean,
            "已发布",
            "A report for this year was found on the portal (false: not found, never a guess)",
            "",
            "crawl/publications.csv",
        ),
        c(
            "documents",
            DataType::Int32,
            "文档数",
            "Documents found (a page and its attachments count separately)",
            "count",
            "crawl/publications.csv",
        ),
        s(
            "first_seen",
            "首次抓取日期",
            "First time the crawler stored one of them (YYYY-MM-DD)",
            "crawl/publications.csv first_seen",
        ),
        s(
            "published_date",
            "发布日期",
            "Earliest publication date shown by the portal (YYYY-MM-DD)",
            "crawl/publications.csv published",
        ),
        s(
            "published_source",
            "发布日期来源",
            "Where the publication date came from: list (the column's list), url (t20240115_… in the URL), meta (the page's PubDate)",
            "crawl/publications.csv published_source",
        ),
        s(
            "deadline",
            "法定期限",
            "Legal deadline: 31 January of the following year (《政府信息公开条例》 art. 49)",
            "derived from year",
        ),
        c(
            "days_after_deadline",
            DataType::Int64,
            "逾期天数",
            "Days from the deadline to the publication date (negative: early; blank without a date)",
            "days",
            "published_date − deadline",
        ),
        s(
            "format",
            "文档格式",
            "Format of the best-extracted document (html, pdf, …)",
            "reports.format",
        ),
        s(
            "status",
            "处理状态",
            "Best extract status among the documents (blank: not extracted yet)",
            "reports.status",
        ),
    ]
}

/// The columns of the `agencies` dataset (not partitioned; no `year`).
fn agencies_columns() -> Vec<ColumnDoc> {
    vec![
        s(
            "agency_id",
            "机关编号",
            "Agency id: <region_code>-<8 hex digits of SHA-256 of the core name> (unknown-<hash of the name> without region code)",
            "derived from agency, region_code, region",
        ),
        s(
            "agency",
            "机关名称",
            "Name in the latest canonical report",
            "reports.agency",
        ),
        s(
            "agency_core",
            "机关核心名称",
            "Core name the id is made from: region prefixes, brackets and office forms removed",
            "derived from agency",
        ),
        s(
            "name_forms",
            "名称形式",
            "Every name form seen for this id (semicolon-separated, sorted): the crosswalk",
            "reports.agency",
        ),
        c(
            "n_name_forms",
            DataType::Int32,
            "名称形式数",
            "Number of name forms seen",
            "count",
            "reports.agency",
        ),
        s(
            "agency_level",
            "机关层级",
            "Administrative level: province, prefecture, county, township_street (null when unknown)",
            "agency name and region_code",
        ),
        s(
            "sector",
            "机关领域",
            "Sector from the agency name (data/agency_sectors.csv)",
            "agency name",
        ),
        s(
            "region_code",
            "行政区划代码（GB/T 2260）",
            "Region code (GB/T 2260)",
            "reports.region_code",
        ),
        s(
            "region",
            "行政区划（文档）",
            "Region as named in the latest document",
            "reports.region",
        ),
        s(
            "years_present",
            "有报告的年度",
            "Years with a canonical report (semicolon-separated)",
            "dedup",
        ),
        c(
            "first_year",
            DataType::Int32,
            "首个年度",
            "First year with a canonical report",
            "",
            "dedup",
        ),
        c(
            "last_year",
            DataType::Int32,
            "最近年度",
            "Last year with a canonical report",
            "",
            "dedup",
        ),
        c(
            "n_years",
            DataType::Int32,
            "年度数",
            "Number of years with a canonical report",
            "count",
            "dedup",
        ),
        c(
            "n_documents",
            DataType::Int32,
            "文档数",
            "Documents (canonical and superseded) of this agency",
            "count",
            "reports",
        ),
        s(
            "ambiguity",
            "存疑情况",
            "Why the id may be wrong, semicolon-separated: no_region_code, name_is_region, bracket_forms, region_code_varies (empty when none)",
            "derived",
        ),
    ]
}

/// Measures summed in the regional rollups (panel column names).
pub const ROLLUP_SUMS: [&str; 16] = [
    "new_received",
    "processed_total",
    "granted",
    "partially_granted",
    "denied_total",
    "unavailable_total",
    "unavailable_not_held",
    "carried_forward",
    "admin_fees_10k_cny",
    INFO_FEES,
    "review_total",
    "review_corrected",
    "review_decided",
    "litigation_total",
    "litigation_corrected",
    "litigation_decided",
];

/// The panel rates that `regions` gives both pooled (ratio of the sums) and
/// as the unweighted mean over agencies: (rate, numerator sum, denominator sum).
pub const POOLED_RATES: [(&str, &str, &str); 5] = [
    (
        "substantive_disclosure_rate",
        "_granted_any",
        "processed_total",
    ),
    ("denied_share", "denied_total", "processed_total"),
    ("not_held_share", "unavailable_not_held", "processed_total"),
    (
        "review_correction_rate",
        "review_corrected",
        "review_decided",
    ),
    (
        "litigation_correction_rate",
        "litigation_corrected",
        "litigation_decided",
    ),
];

/// The panel columns summed in the regional rollups (those present in this vocabulary).
pub fn rollup_measures() -> Vec<&'static str> {
    let panel = panel_columns();
    ROLLUP_SUMS
        .into_iter()
        .filter(|m| panel.iter().any(|p| p.name == *m))
        .collect()
}

fn regions_columns() -> Vec<ColumnDoc> {
    let panel = panel_columns();
    let mut cols = vec![
        s(
            "level",
            "层级",
            "Level: national, province, prefecture or county",
            "derived",
        ),
        s(
            "region_code",
            "行政区划代码",
            "Region code of the rollup",
            "gazetteer / region_code",
        ),
        s(
            "region_name",
            "行政区划名称",
            "Region name",
            "gazetteer / reports.region",
        ),
        c(
            "n_agency_reports",
            DataType::Int32,
            "机关口径报告数",
            "Agency-scope reports summed",
            "count",
            "panel",
        ),
        c(
            "n_jurisdiction_reports",
            DataType::Int32,
            "辖区口径报告数（不计入合计）",
            "Jurisdiction-scope reports in this region (not added to the sums)",
            "count",
            "panel",
        ),
        c(
            "n_unknown_scope_reports",
            DataType::Int32,
            "口径不明报告数（不计入合计）",
            "Reports of unknown scope (not added to the sums)",
            "count",
            "panel",
        ),
    ];
    for name in rollup_measures() {
        if let Some(p) = panel.iter().find(|p| p.name == name) {
            let mut p = p.clone();
            p.zh = format!("{}（机关口径合计）", p.zh);
            p.en = format!(
                "{} (sum over agency-scope reports; null if none reports it)",
                p.en
            );
            p.source = format!("sum of panel.{name}");
            cols.push(p);
        }
    }
    cols.push(count(
        "jurisdiction_new_received",
        "辖区口径报告新收申请数",
        "New requests in jurisdiction-scope reports of this region (for comparison only)",
        "panel.new_received where scope = jurisdiction",
    ));
    for (rate, num, den) in POOLED_RATES {
        let Some(p) = panel.iter().find(|p| p.name == rate) else {
            continue;
        };
        let num = if num == "_granted_any" {
            "granted + partially_granted"
        } else {
            num
        };
        cols.push(ratio(
            rate,
            &format!("{}（合并口径）", p.zh),
            &format!("Pooled: sum of {num} / sum of {den} over the agency-scope reports"),
            "derived from the sums",
        ));
        cols.push(ratio(
            &format!("{rate}_mean"),
            &format!("{}（各机关平均）", p.zh),
            &format!("Unweighted mean of panel.{rate} over agency-scope reports with a value (small agencies weigh as much as large ones)"),
            &format!("mean of panel.{rate}"),
        ));
    }
    cols.push(c(
        "n_small_n",
        DataType::Int32,
        "申请量过小的报告数",
        "Agency-scope reports with small_n (fewer than 10 requests processed)",
        "count",
        "panel.small_n",
    ));
    cols.push(c(
        "n_with_inferred",
        DataType::Int32,
        "含推算数值的报告数",
        "Agency-scope reports with inferred or OCR values",
        "count",
        "panel.has_inferred",
    ));
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_unique_per_dataset() {
        for d in Dataset::ALL {
            let cols = columns(d);
            let mut names: Vec<_> = cols.iter().map(|c| c.name.clone()).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), cols.len(), "{d}");
            let mut zh: Vec<_> = cols.iter().map(|c| c.zh.clone()).collect();
            zh.sort();
            zh.dedup();
            assert_eq!(zh.len(), cols.len(), "{d}: Chinese headers must be unique");
            assert_eq!(cols[0].name == "year", d.partitioned(), "{d}");
            assert!(
                cols.iter().all(|c| !c.zh.is_empty() && !c.en.is_empty()),
                "{d}"
            );
        }
    }

    #[test]
    fn fee_labels_carry_their_unit_once() {
        let panel = columns(Dataset::Proactive);
        let fee = panel
            .iter()
            .find(|c| c.name == "admin_fees_10k_cny")
            .unwrap();
        assert!(fee.zh.ends_with("（万元）"), "{}", fee.zh);
        assert!(
            fee.en.contains("万元") && !fee.en.contains("in 10 000"),
            "{}",
            fee.en
        );
        let yuan = panel.iter().find(|c| c.name == "admin_fees_cny").unwrap();
        assert!(
            yuan.zh.ends_with("（元）") && !yuan.zh.contains("万元"),
            "{}",
            yuan.zh
        );
        assert!(
            yuan.en.ends_with("(yuan)") && !yuan.en.contains("10 000"),
            "{}",
            yuan.en
        );
    }

    #[test]
    fn dataset_names_round_trip() {
        for d in Dataset::ALL {
            assert_eq!(d.name().parse::<Dataset>().ok(), Some(d));
        }
        assert!("nope".parse::<Dataset>().is_err());
    }
}
