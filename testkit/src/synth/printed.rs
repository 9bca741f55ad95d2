//! Labels as real reports print them, for the synthetic generator.
//!
//! Every form below was transcribed from the real documents of
//! `extract/tests/realdocs` (the test `every_printed_form_is_attested` finds
//! each in the text of one of them, and the generator's own headings too), never taken from the parser's vocabulary
//! (`data/spec/*.csv`, `ogi_extract::vocab`): the generator uses the
//! vocabulary only for the keys and the structure (which rows a template has,
//! their sections, which cells hold money), so a label the parser does not
//! know, or knows wrongly, shows as a lost cell in the synthetic tests.
//!
//! Where real documents print a label in more than one way, each document
//! picks one form ([`Labels::pick`]).

use super::Rng;
use ogi_extract::vocab::vocab;

/// Table-3 row labels (vocabulary key, forms), without their enumerators.
const ROWS: &[(&str, &[&str])] = &[
    ("new_received", &["本年新收政府信息公开申请数量"]),
    ("carried_over_in", &["上年结转政府信息公开申请数量"]),
    ("granted", &["予以公开"]),
    (
        "partially_granted",
        // 014; the template's remark in 003–012, 016
        &[
            "部分公开",
            "部分公开（区分处理的，只计这一情形，不计其他情形）",
        ],
    ),
    ("denied_state_secret", &["属于国家秘密"]),
    ("denied_law_prohibited", &["其他法律行政法规禁止公开"]),
    ("denied_security_stability", &["危及“三安全一稳定”"]),
    ("denied_third_party", &["保护第三方合法权益"]),
    ("denied_internal_affairs", &["属于三类内部事务信息"]),
    ("denied_process_info", &["属于四类过程性信息"]),
    ("denied_enforcement_file", &["属于行政执法案卷"]),
    ("denied_admin_query", &["属于行政查询事项"]),
    ("unavailable_not_held", &["本机关不掌握相关政府信息"]),
    ("unavailable_needs_creation", &["没有现成信息需要另行制作"]),
    ("unavailable_unclear", &["补正后申请内容仍不明确"]),
    ("not_processed_petition", &["信访举报投诉类申请"]),
    ("not_processed_duplicate", &["重复申请"]),
    ("not_processed_publication", &["要求提供公开出版物"]),
    ("not_processed_vexatious", &["无正当理由大量反复申请"]),
    (
        "not_processed_confirm_reissue",
        &["要求行政机关确认或重新出具已获取信息"],
    ),
    (
        "other_no_correction",
        // 005–016; an ASCII comma in 015
        &[
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人无正当理由逾期不补正, 行政机关不再处理其政府信息公开申请",
        ],
    ),
    (
        "other_fee_unpaid",
        &["申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"],
    ),
    ("other_other", &["其他"]),
    ("other_total_2019", &["其他处理"]),
    ("processed_total", &["总计"]),
    ("carried_forward", &["结转下年度继续办理"]),
];

/// Table-3 column labels (vocabulary key, forms).
const COLS: &[(&str, &[&str])] = &[
    ("natural_person", &["自然人"]),
    ("org_commercial", &["商业企业"]),
    ("org_research", &["科研机构"]),
    ("org_social_welfare", &["社会公益组织"]),
    ("org_legal_services", &["法律服务机构"]),
    ("org_other", &["其他"]),
    ("total", &["总计"]),
];

/// Table-2 items: (an id, forms). The id only groups the keys of one item.
const ITEMS: &[(&str, &[&str])] = &[
    ("regulations", &["规章"]),
    // 2021: `行政规范性文件` (002, 005–012, 014), `规范性文件` (013, 016)
    ("normative_docs", &["行政规范性文件", "规范性文件"]),
    // 2019 (003, 004)
    ("normative_docs_2019", &["规范性文件"]),
    ("licensing", &["行政许可"]),
    ("penalty", &["行政处罚"]),
    ("coercion", &["行政强制"]),
    ("admin_fees", &["行政事业性收费"]),
    ("other_services", &["其他对外管理服务事项"]),
    ("procurement", &["政府集中采购"]),
];

/// Table-2 cells: (vocabulary key, item id, measure as printed).
const TABLE2: &[(&str, &str, &str)] = &[
    ("regulations_issued", "regulations", "本年制发件数"),
    ("regulations_repealed", "regulations", "本年废止件数"),
    ("regulations_in_force", "regulations", "现行有效件数"),
    ("normative_docs_issued", "normative_docs", "本年制发件数"),
    ("normative_docs_repealed", "normative_docs", "本年废止件数"),
    ("normative_docs_in_force", "normative_docs", "现行有效件数"),
    ("licensing_decisions", "licensing", "本年处理决定数量"),
    ("penalty_decisions", "penalty", "本年处理决定数量"),
    ("coercion_decisions", "coercion", "本年处理决定数量"),
    ("admin_fees_10k_cny", "admin_fees", "本年收费金额"),
    ("regulations_new_2019", "regulations", "本年新制作数量"),
    (
        "regulations_published_2019",
        "regulations",
        "本年新公开数量",
    ),
    (
        "regulations_public_total_2019",
        "regulations",
        "对外公开总数量",
    ),
    (
        "normative_docs_new_2019",
        "normative_docs_2019",
        "本年新制作数量",
    ),
    (
        "normative_docs_published_2019",
        "normative_docs_2019",
        "本年新公开数量",
    ),
    (
        "normative_docs_public_total_2019",
        "normative_docs_2019",
        "对外公开总数量",
    ),
    ("licensing_items_prev_2019", "licensing", "上一年项目数量"),
    ("licensing_items_change_2019", "licensing", "本年增/减"),
    ("licensing_decisions_2019", "licensing", "处理决定数量"),
    (
        "other_services_items_prev_2019",
        "other_services",
        "上一年项目数量",
    ),
    (
        "other_services_items_change_2019",
        "other_services",
        "本年增/减",
    ),
    (
        "other_services_decisions_2019",
        "other_services",
        "处理决定数量",
    ),
    ("penalty_items_prev_2019", "penalty", "上一年项目数量"),
    ("penalty_items_change_2019", "penalty", "本年增/减"),
    ("penalty_decisions_2019", "penalty", "处理决定数量"),
    ("coercion_items_prev_2019", "coercion", "上一年项目数量"),
    ("coercion_items_change_2019", "coercion", "本年增/减"),
    ("coercion_decisions_2019", "coercion", "处理决定数量"),
    ("admin_fees_items_prev_2019", "admin_fees", "上一年项目数量"),
    ("admin_fees_items_change_2019", "admin_fees", "本年增/减"),
    ("procurement_items_2019", "procurement", "采购项目数量"),
    (
        "procurement_amount_10k_cny_2019",
        "procurement",
        "采购总金额",
    ),
];

/// Table-4 blocks: (key prefix, block name as printed).
const BLOCKS: &[(&str, &str)] = &[
    ("review_", "行政复议"),
    ("lit_direct_", "未经复议直接起诉"),
    ("lit_after_review_", "复议后起诉"),
];

/// The heading over table 4's two litigation blocks.
pub(super) const LITIGATION: &str = "行政诉讼";

/// Table-4 outcomes: (key suffix, outcome as printed).
const OUTCOMES: &[(&str, &str)] = &[
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
];

/// The forms of `key` in `table`; panics on a key the table lacks (the
/// test `every_vocabulary_key_has_a_printed_form` keeps them complete).
fn forms(table: &[(&str, &'static [&'static str])], key: &str) -> &'static [&'static str] {
    table
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no printed form for {key}"))
}

/// The printed labels of one synthetic document: one form of every label.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// Table-3 row labels by vocabulary row index.
    rows: Vec<&'static str>,
    /// Table-3 column labels by vocabulary column index.
    cols: Vec<&'static str>,
    /// Table-2 (item, measure) by vocabulary table-2 index.
    table2: Vec<(&'static str, &'static str)>,
    /// Table-4 (block, outcome) by vocabulary table-4 index.
    table4: Vec<(&'static str, &'static str)>,
}

impl Labels {
    /// One form of every label, drawn from `rng` (the same form for every
    /// cell of one table-2 item).
    pub fn pick(rng: &mut Rng) -> Labels {
        let v = vocab();
        let rows = v
            .rows
            .iter()
            .map(|r| *rng.pick(forms(ROWS, &r.key)))
            .collect();
        let cols = v
            .cols
            .iter()
            .map(|c| *rng.pick(forms(COLS, &c.key)))
            .collect();
        let items: Vec<(&str, &'static str)> =
            ITEMS.iter().map(|(id, f)| (*id, *rng.pick(f))).collect();
        let table2 = v
            .table2
            .iter()
            .map(|t| {
                let (_, item, measure) = TABLE2
                    .iter()
                    .find(|(k, _, _)| *k == t.key)
                    .unwrap_or_else(|| panic!("no printed form for {}", t.key));
                let form = items
                    .iter()
                    .find(|(id, _)| id == item)
                    .map(|(_, f)| *f)
                    .unwrap_or_else(|| panic!("no item {item}"));
                (form, *measure)
            })
            .collect();
        let table4 = v
            .table4
            .iter()
            .map(|t| {
                let (prefix, block) = BLOCKS
                    .iter()
                    .find(|(p, _)| t.key.starts_with(p))
                    .unwrap_or_else(|| panic!("no block for {}", t.key));
                let (_, outcome) = OUTCOMES
                    .iter()
                    .find(|(s, _)| t.key[prefix.len()..] == **s)
                    .unwrap_or_else(|| panic!("no outcome for {}", t.key));
                (*block, *outcome)
            })
            .collect();
        Labels {
            rows,
            cols,
            table2,
            table4,
        }
    }

    /// The label of table-3 row `i` (vocabulary index), without enumerator.
    pub fn row(&self, i: usize) -> &'static str {
        self.rows[i]
    }

    /// The label of table-3 column `i` (vocabulary index).
    pub fn col(&self, i: usize) -> &'static str {
        self.cols[i]
    }

    /// The item of table-2 cell `i` (vocabulary index).
    pub fn item(&self, i: usize) -> &'static str {
        self.table2[i].0
    }

    /// The measure of table-2 cell `i` (vocabulary index).
    pub fn measure(&self, i: usize) -> &'static str {
        self.table2[i].1
    }

    /// The block name of table-4 cell `i` (`行政复议`, `未经复议直接起诉`, `复议后起诉`).
    pub fn block(&self, i: usize) -> &'static str {
        self.table4[i].0
    }

    /// The outcome of table-4 cell `i` (`结果维持`, …).
    pub fn outcome(&self, i: usize) -> &'static str {
        self.table4[i].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The text of every real document kept as text (HTML with its tags
    /// removed), whitespace dropped and brackets made half-width.
    fn real_texts() -> Vec<(String, String)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../extract/tests/realdocs");
        let mut out = Vec::new();
        for e in std::fs::read_dir(&dir).expect("extract/tests/realdocs") {
            let p = e.expect("entry").path();
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            if !matches!(ext, "txt" | "md" | "html") {
                continue;
            }
            let raw = std::fs::read_to_string(&p).expect("a text document");
            let mut text = String::new();
            let mut in_tag = false;
            for c in raw.chars() {
                match c {
                    '<' if ext == "html" => in_tag = true,
                    '>' if in_tag => in_tag = false,
                    _ if in_tag || c.is_whitespace() => {}
                    _ => text.push(c),
                }
            }
            let text = text.replace("&nbsp;", "");
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            out.push((name, squeeze(&text)));
        }
        assert!(
            out.len() >= 10,
            "real documents not found in {}",
            dir.display()
        );
        out
    }

    fn squeeze(s: &str) -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                _ => c,
            })
            .collect()
    }

    #[test]
    fn every_printed_form_is_attested() {
        let docs = real_texts();
        let mut all: Vec<&str> = Vec::new();
        for (_, f) in ROWS.iter().chain(COLS).chain(ITEMS) {
            all.extend(f.iter());
        }
        all.extend(TABLE2.iter().map(|(_, _, m)| *m));
        all.extend(BLOCKS.iter().map(|(_, b)| *b));
        all.extend(OUTCOMES.iter().map(|(_, o)| *o));
        all.push(LITIGATION);
        // The generator's own headings and header words.
        use crate::synth::{GROUPS, HEAD, T2_FIRST, T3_GROUP_HEADER, T3_REMARK};
        all.extend(HEAD);
        all.extend(GROUPS.iter().map(|(_, name)| *name));
        all.extend(T3_GROUP_HEADER);
        all.extend([T2_FIRST, T3_REMARK]);
        for form in all {
            let want = squeeze(form);
            assert!(
                docs.iter().any(|(_, t)| t.contains(&want)),
                "{form}: printed by no real document"
            );
        }
    }

    #[test]
    fn every_vocabulary_key_has_a_printed_form() {
        // `pick` panics on a key without a form.
        let a = Labels::pick(&mut Rng::new(1));
        let v = vocab();
        assert_eq!(a.rows.len(), v.rows.len());
        assert_eq!(a.table2.len(), v.table2.len());
        assert_eq!(a.table4.len(), v.table4.len());
        // One item prints one way in one document.
        let k = |key: &str| v.table2.iter().position(|t| t.key == key).expect(key);
        for seed in 0..20 {
            let l = Labels::pick(&mut Rng::new(seed));
            assert_eq!(
                l.item(k("normative_docs_issued")),
                l.item(k("normative_docs_in_force"))
            );
        }
    }
}
