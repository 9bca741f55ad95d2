//! Report scope: a jurisdiction's own report or one agency's, from the agency name.

use crate::Scope;
use crate::region::chain_of;

/// Tells a jurisdiction's own report from an agency's, by the agency name.
///
/// * [`Scope::Jurisdiction`]: the agency is a government at province,
///   prefecture or county level (`二七区人民政府`, `郑州市人民政府`, `郑州市政府`)
///   or just the name of such a region (`二七区`);
/// * [`Scope::Agency`]: a bureau, office, committee, centre, a sub-district
///   office or a township government (`二七区人民政府办公室`, `北关区民政局`,
///   `红旗路街道办事处`, `城关镇人民政府`);
/// * [`Scope::Unknown`]: anything else (empty, `人民政府` without a region, …).
pub fn scope_of(agency: &str) -> Scope {
    const GOVERNMENT: [&str; 3] = ["", "人民政府", "政府"];
    const ORGAN_ENDINGS: [&str; 24] = [
        "局",
        "厅",
        "委",
        "委员会",
        "办",
        "办公室",
        "处",
        "科",
        "所",
        "站",
        "中心",
        "院",
        "队",
        "部",
        "署",
        "会",
        "馆",
        "社",
        "台",
        "府",
        "室",
        "组",
        "行",
        "司",
    ];
    let name = crate::normalize::compact(agency);
    if name.is_empty() {
        return Scope::Unknown;
    }
    let chain = chain_of(&name);
    let rest = &name[chain.consumed..];
    if chain.consumed > 0 && GOVERNMENT.contains(&rest) {
        return if chain.levels_end_with_township() {
            Scope::Agency
        } else {
            Scope::Jurisdiction
        };
    }
    if chain.consumed == 0 && GOVERNMENT.contains(&rest) {
        return Scope::Unknown;
    }
    if ORGAN_ENDINGS.iter().any(|e| rest.ends_with(e)) {
        Scope::Agency
    } else {
        Scope::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        assert_eq!(scope_of("二七区人民政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("郑州市人民政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("郑州市政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("河南省人民政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("二七区"), Scope::Jurisdiction);
        assert_eq!(
            scope_of("朝阳区人民政府"),
            Scope::Jurisdiction,
            "ambiguous region, clear scope"
        );
        assert_eq!(scope_of("二七区人民政府办公室"), Scope::Agency);
        assert_eq!(scope_of("北关区红旗路街道办事处"), Scope::Agency);
        assert_eq!(scope_of("北关区红旗路街道"), Scope::Agency);
        assert_eq!(scope_of("安阳市北关区豆腐营街道办事处"), Scope::Agency);
        assert_eq!(scope_of("登封市大金店镇人民政府"), Scope::Agency);
        assert_eq!(scope_of("郑州市卫生健康委员会"), Scope::Agency);
        assert_eq!(scope_of("人民政府"), Scope::Unknown);
        // PDF radical forms and full-width spaces are normalised first.
        assert_eq!(scope_of("二七区人⺠政府"), Scope::Jurisdiction);
        assert_eq!(scope_of("北关区\u{3000}⺠政局"), Scope::Agency);
        assert_eq!(scope_of(""), Scope::Unknown);
        assert_eq!(scope_of("二七区年度报告"), Scope::Unknown);
    }
}
