//! The `quality` dataset: per report its status, every check and flag, and
//! the documents it supersedes (long form).

use anyhow::{Context as _, Result};
use polars::prelude::{
    Column, DataFrame, DataType, Expr, IntoLazy, UnionArgs, col, concat, lit, when,
};

use super::{DEDUP_RULE, RID, finish_sorted, inner, left};
use crate::schema::Dataset;

/// The columns that say which report a quality row is about ([`RID`]
/// keys the joins and the order: it follows `report_id`).
fn report_key() -> [Expr; 5] {
    [
        col(RID),
        col("report_id"),
        col("agency"),
        col("region_code"),
        col("status"),
    ]
}

/// [`report_key`] followed by `rest`.
fn with_key<const N: usize>(rest: [Expr; N]) -> Vec<Expr> {
    report_key().into_iter().chain(rest).collect()
}

/// One parsed entry of `checks_json`.
#[derive(serde::Deserialize)]
struct Check {
    id: Option<String>,
    ok: Option<bool>,
    detail: Option<serde_json::Value>,
}

pub(super) fn quality(reports: &DataFrame) -> Result<DataFrame> {
    // Checks and flags: small per-report JSON/text, parsed in Rust.
    let ids = reports.column(RID)?.idx()?;
    let checks_json = reports.column("checks_json")?.str()?;
    let flags = reports.column("flags")?.str()?;
    let (mut rid, mut kind, mut item, mut ok, mut detail, mut seq) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for ((id, cj), fl) in ids.iter().zip(checks_json.iter()).zip(flags.iter()) {
        let Some(id) = id else { continue };
        let mut i = 0i32;
        match cj
            .filter(|s| !s.trim().is_empty())
            .map(serde_json::from_str::<Vec<Check>>)
        {
            Some(Ok(checks)) => {
                for c in checks {
                    rid.push(id);
                    kind.push("check");
                    item.push(c.id.unwrap_or_default());
                    ok.push(c.ok);
                    detail.push(match c.detail {
                        Some(serde_json::Value::String(s)) => s,
                        Some(serde_json::Value::Null) | None => String::new(),
                        Some(other) => other.to_string(),
                    });
                    seq.push(i);
                    i += 1;
                }
            }
            Some(Err(e)) => {
                rid.push(id);
                kind.push("check");
                item.push("checks_json".to_string());
                ok.push(Some(false));
                detail.push(format!("unreadable checks_json: {e}"));
                seq.push(i);
                i += 1;
            }
            None => {}
        }
        for f in fl
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            rid.push(id);
            kind.push("flag");
            item.push(f.to_string());
            ok.push(None);
            detail.push(String::new());
            seq.push(i);
            i += 1;
        }
    }
    let n = rid.len();
    let parsed = DataFrame::new(
        n,
        vec![
            Column::new(RID.into(), rid),
            Column::new("kind".into(), kind),
            Column::new("item".into(), item),
            Column::new("ok".into(), ok),
            Column::new("detail".into(), detail),
            Column::new("_seq".into(), seq),
        ],
    )?
    .lazy()
    .with_column(col("_seq") + lit(1))
    .join(
        reports.clone().lazy().select(report_key()),
        [col(RID)],
        [col(RID)],
        inner(),
    );
    let base = || {
        reports
            .clone()
            .lazy()
            .select(with_key([col("is_canonical"), col("canonical_id")]))
    };
    let status = base().select(with_key([
        lit("status").alias("kind"),
        col("status").alias("item"),
        col("status").eq(lit("parsed")).alias("ok"),
        when(col("status").eq(lit("not_a_report")))
            .then(lit("excluded: not a report"))
            .when(col("is_canonical"))
            .then(lit("canonical"))
            .otherwise(lit("superseded"))
            .alias("detail"),
        lit(0).alias("_seq"),
    ]));
    let superseded = base().filter(col("is_canonical").not()).select(with_key([
        lit("superseded_by").alias("kind"),
        col("canonical_id").alias("item"),
        lit(false).alias("ok"),
        lit(DEDUP_RULE).alias("detail"),
        lit(i32::MAX).alias("_seq"),
    ]));
    let all = concat(
        [status, parsed, superseded].map(|lf| {
            lf.select(with_key([
                col("kind"),
                col("item"),
                col("ok").cast(DataType::Boolean),
                col("detail"),
                col("_seq").cast(DataType::Int32),
            ]))
        }),
        UnionArgs::default(),
    )?;
    let per_doc = reports.clone().lazy().select([
        col(RID),
        col("agency_id"),
        col("checks_unverified"),
        col("completeness"),
    ]);
    let all = all.join(per_doc, [col(RID)], [col(RID)], left());
    finish_sorted(all, Dataset::Quality, &[RID, "_seq"])
        .collect()
        .context("computing quality")
}
