//! Publication compliance: per registry portal × agency × report year, whether a
//! report was found on the portal, when it was first seen and published, how
//! many days after the legal deadline (31 January of the following year,
//! 《政府信息公开条例》 art. 49), in which format, and how far it parsed.
//!
//! Inputs (files of the other stages): `OUT/crawl/portals.csv` and
//! `OUT/crawl/publications.csv` (written by the crawler after every run) and the
//! `reports` parts of the extract stage (agency, year, status, format per
//! document). Output: the dataset [`crate::Dataset::Compliance`],
//! `OUT/datasets/compliance/part-0.parquet` (columns documented in the codebook;
//! CSV and XLSX through the exports like every dataset).
//!
//! A portal or agency with no report found for a year of the covered range (the
//! years any portal published for) gets a row with `published = false`: "not
//! found on the portal", never a guess. The agency is the one the report names;
//! a portal with nothing published has a blank agency.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use polars::prelude::{Column, DataFrame, IntoLazy, col};

use crate::regions::Gazetteer;
use crate::schema::{Dataset, columns};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct PortalRow {
    portal_id: String,
    name: String,
    level: String,
    region_code: String,
}

#[derive(Debug, Deserialize)]
struct PublicationRow {
    portal_id: String,
    sha256: String,
    content_type: String,
    year: Option<i32>,
    published: String,
    published_source: String,
    first_seen: String,
}

/// One row of the dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceRow {
    /// Registry id of the portal.
    pub portal_id: String,
    /// Registry name of the portal's agency.
    pub portal_name: String,
    /// Administrative level from the registry.
    pub level: String,
    /// Region code of the portal (blank when unknown).
    pub region_code: String,
    /// Agency named by the report (blank when nothing was found or it names
    /// none); the name of the latest report when the agency's title forms vary.
    pub agency: String,
    /// The agency's id, as in every other dataset (blank without an agency).
    pub agency_id: String,
    /// Report year.
    pub year: i32,
    /// A report for this year was found on the portal.
    pub published: bool,
    /// Documents found (a page and its attachments count separately).
    pub documents: u32,
    /// First time the crawler stored one of them (`YYYY-MM-DD`).
    pub first_seen: Option<String>,
    /// Earliest publication date (listed, URL or page meta).
    pub published_date: Option<String>,
    /// Where that date came from (`list`, `url`, `meta`).
    pub published_source: Option<String>,
    /// The legal deadline, 31 January of the following year.
    pub deadline: String,
    /// Days from the deadline to the publication date (negative: early).
    pub days_after_deadline: Option<i64>,
    /// Format of the best-parsed document (`html`, `pdf`, …).
    pub format: Option<String>,
    /// Best extract status among the documents (`parsed`, `partial`, …; blank: not extracted).
    pub status: Option<String>,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn days(date: &str) -> Option<i64> {
    let mut it = date.get(..10)?.split('-');
    let (y, m, d): (i64, i64, i64) = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn status_rank(s: &str) -> u8 {
    match s {
        "parsed" => 6,
        "partial" => 5,
        "needs_ocr" => 4,
        "needs_conversion" => 3,
        "failed" => 2,
        _ => 1,
    }
}

struct Extracted {
    agency: Option<String>,
    agency_id: Option<String>,
    year: Option<i32>,
    status: String,
    format: Option<String>,
}

fn read_reports(out: &Path, gaz: Option<&Gazetteer>) -> Result<HashMap<String, Extracted>> {
    let mut map = HashMap::new();
    let dir = out.join("extract").join("reports");
    if !dir.is_dir() {
        return Ok(map);
    }
    let files = crate::io::part_files(&dir)?;
    if files.is_empty() {
        return Ok(map);
    }
    let df = crate::io::scan(&files)?
        .select([
            polars::prelude::col("sha256"),
            polars::prelude::col("agency"),
            polars::prelude::col("region_code"),
            polars::prelude::col("region"),
            polars::prelude::col("year"),
            polars::prelude::col("status"),
            polars::prelude::col("format"),
        ])
        .collect()
        .context("reading reports parts for compliance")?;
    let sha = df.column("sha256")?.str()?.clone();
    let agency = df.column("agency")?.str()?.clone();
    let code = df.column("region_code")?.str()?.clone();
    let region = df.column("region")?.str()?.clone();
    let year = df.column("year")?.i32()?.clone();
    let status = df.column("status")?.str()?.clone();
    let format = df.column("format")?.str()?.clone();
    for i in 0..df.height() {
        let Some(s) = sha.get(i) else { continue };
        let name = agency.get(i).map(str::to_string).filter(|a| !a.is_empty());
        let id = name
            .as_deref()
            .map(|a| crate::agencies::identify(a, code.get(i), region.get(i), gaz).agency_id);
        map.insert(
            s.to_string(),
            Extracted {
                agency: name,
                agency_id: id,
                year: year.get(i),
                status: status.get(i).unwrap_or("").to_string(),
                format: format.get(i).map(str::to_string),
            },
        );
    }
    Ok(map)
}

/// (portal, agency id, year).
type GroupKey = (String, String, i32);
/// A crawled document with what extraction said about it.
type Doc<'a> = (&'a PublicationRow, Option<&'a Extracted>);

/// Computes the dataset from the files in `out`; `None` when nothing was
/// crawled. Agencies are told apart by their id ([`crate::agencies::identify`]
/// with `gaz`), so one agency's title forms make one row per year.
pub fn build(out: &Path, gaz: Option<&Gazetteer>) -> Result<Option<Vec<ComplianceRow>>> {
    let portals_csv = out.join("crawl").join("portals.csv");
    let pubs_csv = out.join("crawl").join("publications.csv");
    if !portals_csv.is_file() || !pubs_csv.is_file() {
        return Ok(None);
    }
    let portals: Vec<PortalRow> = csv::Reader::from_path(&portals_csv)
        .with_context(|| format!("reading {}", portals_csv.display()))?
        .deserialize()
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", portals_csv.display()))?;
    let pubs: Vec<PublicationRow> = csv::Reader::from_path(&pubs_csv)
        .with_context(|| format!("reading {}", pubs_csv.display()))?
        .deserialize()
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing {}", pubs_csv.display()))?;
    let reports = read_reports(out, gaz)?;
    // (portal, agency id, year) → documents; (portal, agency id) → (latest year, name).
    let mut groups: BTreeMap<GroupKey, Vec<Doc<'_>>> = BTreeMap::new();
    let mut names: BTreeMap<(String, String), (i32, String)> = BTreeMap::new();
    for p in &pubs {
        let ex = reports.get(&p.sha256);
        if ex.is_some_and(|e| e.status == "not_a_report") {
            continue;
        }
        let Some(year) = ex.and_then(|e| e.year).or(p.year) else {
            continue;
        };
        let id = ex.and_then(|e| e.agency_id.clone()).unwrap_or_default();
        let name = ex.and_then(|e| e.agency.clone()).unwrap_or_default();
        let latest = names
            .entry((p.portal_id.clone(), id.clone()))
            .or_insert((year, name.clone()));
        if (year, &name) > (latest.0, &latest.1) {
            *latest = (year, name);
        }
        groups
            .entry((p.portal_id.clone(), id, year))
            .or_default()
            .push((p, ex));
    }
    let years: BTreeSet<i32> = groups.keys().map(|k| k.2).collect();
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return Ok(Some(Vec::new()));
    };
    let mut rows = Vec::new();
    for portal in &portals {
        let mut agencies: BTreeSet<String> = groups
            .keys()
            .filter(|k| k.0 == portal.portal_id)
            .map(|k| k.1.clone())
            .collect();
        if agencies.is_empty() {
            agencies.insert(String::new());
        }
        for agency_id in &agencies {
            let agency = names
                .get(&(portal.portal_id.clone(), agency_id.clone()))
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            for year in first..=last {
                let deadline = format!("{:04}-01-31", year + 1);
                let docs = groups.get(&(portal.portal_id.clone(), agency_id.clone(), year));
                let mut row = ComplianceRow {
                    portal_id: portal.portal_id.clone(),
                    portal_name: portal.name.clone(),
                    level: portal.level.clone(),
                    region_code: portal.region_code.clone(),
                    agency: agency.clone(),
                    agency_id: agency_id.clone(),
                    year,
                    published: docs.is_some(),
                    documents: docs.map_or(0, |d| d.len() as u32),
                    first_seen: None,
                    published_date: None,
                    published_source: None,
                    deadline: deadline.clone(),
                    days_after_deadline: None,
                    format: None,
                    status: None,
                };
                for (p, ex) in docs.into_iter().flatten() {
                    let seen = p
                        .first_seen
                        .get(..10)
                        .map(str::to_string)
                        .filter(|s| !s.is_empty());
                    if seen.is_some() && (row.first_seen.is_none() || seen < row.first_seen) {
                        row.first_seen = seen;
                    }
                    if !p.published.is_empty()
                        && row
                            .published_date
                            .as_deref()
                            .is_none_or(|d| p.published.as_str() < d)
                    {
                        row.published_date = Some(p.published.clone());
                        row.published_source = Some(p.published_source.clone());
                    }
                    if let Some(e) = ex
                        && row
                            .status
                            .as_deref()
                            .is_none_or(|s| status_rank(&e.status) > status_rank(s))
                    {
                        row.status = Some(e.status.clone());
                        row.format = e.format.clone().or_else(|| Some(p.content_type.clone()));
                    }
                    if row.format.is_none() && !p.content_type.is_empty() {
                        row.format = Some(p.content_type.clone());
                    }
                }
                row.days_after_deadline = row
                    .published_date
                    .as_deref()
                    .and_then(days)
                    .zip(days(&deadline))
                    .map(|(p, d)| p - d);
                rows.push(row);
            }
        }
    }
    Ok(Some(rows))
}

/// The rows as a frame with the documented columns and dtypes.
fn frame(rows: &[ComplianceRow]) -> Result<DataFrame> {
    let s = |f: fn(&ComplianceRow) -> String| rows.iter().map(f).collect::<Vec<String>>();
    let o = |f: fn(&ComplianceRow) -> Option<String>| {
        rows.iter().map(f).collect::<Vec<Option<String>>>()
    };
    // a blank field is a null
    let blank_null = |f: fn(&ComplianceRow) -> &String| {
        rows.iter()
            .map(|r| Some(f(r).clone()).filter(|v| !v.is_empty()))
            .collect::<Vec<Option<String>>>()
    };
    let cols = vec![
        Column::new("portal_id".into(), s(|r| r.portal_id.clone())),
        Column::new("portal_name".into(), s(|r| r.portal_name.clone())),
        Column::new("portal_level".into(), blank_null(|r| &r.level)),
        Column::new("region_code".into(), blank_null(|r| &r.region_code)),
        Column::new("agency".into(), blank_null(|r| &r.agency)),
        Column::new("agency_id".into(), blank_null(|r| &r.agency_id)),
        Column::new(
            "year".into(),
            rows.iter().map(|r| r.year).collect::<Vec<i32>>(),
        ),
        Column::new(
            "published".into(),
            rows.iter().map(|r| r.published).collect::<Vec<bool>>(),
        ),
        Column::new(
            "documents".into(),
            rows.iter().map(|r| r.documents).collect::<Vec<u32>>(),
        ),
        Column::new("first_seen".into(), o(|r| r.first_seen.clone())),
        Column::new("published_date".into(), o(|r| r.published_date.clone())),
        Column::new("published_source".into(), o(|r| r.published_source.clone())),
        Column::new("deadline".into(), s(|r| r.deadline.clone())),
        Column::new(
            "days_after_deadline".into(),
            rows.iter()
                .map(|r| r.days_after_deadline)
                .collect::<Vec<Option<i64>>>(),
        ),
        Column::new("format".into(), o(|r| r.format.clone())),
        Column::new("status".into(), o(|r| r.status.clone())),
    ];
    let df = DataFrame::new(rows.len(), cols)?;
    let select: Vec<_> = columns(Dataset::Compliance)
        .into_iter()
        .map(|c| col(c.name.as_str()).cast(c.dtype))
        .collect();
    df.lazy()
        .select(select)
        .collect()
        .context("typing the compliance columns")
}

/// Builds the dataset and writes `OUT/datasets/compliance/part-0.parquet`,
/// with agency ids from the gazetteer `source` names (the one `analyze` uses).
/// Returns its path and row count, or `None` when nothing was crawled into
/// `out` (a dataset written by an earlier run is then left as it is).
pub fn write(
    out: &Path,
    source: Option<&crate::GazetteerSource>,
) -> Result<Option<(PathBuf, usize)>> {
    let gaz = Gazetteer::open(source)?;
    let Some(rows) = build(out, gaz.as_deref())? else {
        return Ok(None);
    };
    let mut df = crate::parquet_out::Rows::Frame(frame(&rows)?);
    crate::io::write_partition(out, Dataset::Compliance, None, &mut df)?;
    Ok(Some((
        crate::io::partition_file(out, Dataset::Compliance, None),
        rows.len(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn deadline_arithmetic() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(
            days("2024-03-01")
                .zip(days("2024-01-31"))
                .map(|(a, b)| a - b),
            Some(30)
        );
        assert_eq!(days("2024-13-01"), None);
    }

    /// An OUT whose crawl wrote these rows of `portals.csv` and
    /// `publications.csv` (the headers are added).
    pub(super) fn crawled(portals: &str, publications: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let crawl = dir.path().join("crawl");
        fs::create_dir_all(&crawl).unwrap();
        fs::write(
            crawl.join("portals.csv"),
            format!("portal_id,name,level,region,region_code,platform\n{portals}"),
        )
        .unwrap();
        fs::write(
            crawl.join("publications.csv"),
            format!(
                "portal_id,url,sha256,kind,content_type,list_title,year,published,published_source,first_seen\n{publications}"
            ),
        )
        .unwrap();
        dir
    }

    #[test]
    fn published_late_and_missing_years() {
        let dir = crawled(
            "a,甲县,county,某省甲县,410503,trs_static\nb,乙局,department,某省,,generic\n",
            "a,http://a/1.html,s1,page,text/html,甲县2022年年报,2022,2023-01-20,list,2023-02-01T00:00:00Z\n\
             a,http://a/2.html,s2,page,text/html,甲县2023年年报,2023,2024-03-01,url,2024-03-02T00:00:00Z\n",
        );
        let rows = build(dir.path(), None).unwrap().unwrap();
        assert_eq!(rows.len(), 4, "2 portals × years 2022–2023");
        let a22 = rows
            .iter()
            .find(|r| r.portal_id == "a" && r.year == 2022)
            .unwrap();
        assert!(a22.published);
        assert_eq!(a22.days_after_deadline, Some(-11));
        assert_eq!(a22.first_seen.as_deref(), Some("2023-02-01"));
        let a23 = rows
            .iter()
            .find(|r| r.portal_id == "a" && r.year == 2023)
            .unwrap();
        assert_eq!(a23.days_after_deadline, Some(30));
        assert_eq!(a23.published_source.as_deref(), Some("url"));
        assert_eq!(a23.status, None, "not extracted: blank, not a guess");
        let b = rows
            .iter()
            .filter(|r| r.portal_id == "b")
            .collect::<Vec<_>>();
        assert_eq!(b.len(), 2);
        assert!(
            b.iter()
                .all(|r| !r.published && r.days_after_deadline.is_none())
        );
        let (pq, n) = write(dir.path(), None).unwrap().unwrap();
        assert_eq!(n, 4);
        assert!(pq.is_file());
        let df = crate::read_dataset(dir.path(), Dataset::Compliance).unwrap();
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let documented: Vec<String> = columns(Dataset::Compliance)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, documented);
        assert_eq!(df.height(), 4);
    }
}

#[cfg(test)]
mod agency_ids {
    use super::*;
    use polars::prelude::{ParquetWriter, df};
    use std::fs;

    /// Two title forms of one agency on one portal are one agency: one row
    /// per year, named as the latest report names it, with its id.
    #[test]
    fn title_forms_of_one_agency_make_one_row_per_year() {
        let dir = super::tests::crawled(
            "a,北关区,county,河南省安阳市北关区,410503,generic\n",
            "a,http://a/1.html,s1,page,text/html,,2022,2023-01-20,list,2023-02-01T00:00:00Z\n\
             a,http://a/2.html,s2,page,text/html,,2023,2024-01-20,list,2024-02-01T00:00:00Z\n\
             a,http://a/3.html,s3,page,text/html,,2023,2024-01-22,list,2024-02-01T00:00:00Z\n",
        );
        let reports = dir.path().join("extract").join("reports");
        fs::create_dir_all(&reports).unwrap();
        let mut parts = df!(
            "sha256" => ["s1", "s2", "s3"],
            "agency" => ["安阳市北关区民政局", "北关区民政局", "北关区教育局"],
            "region_code" => ["410503", "410503", "410503"],
            "region" => ["河南省安阳市北关区", "河南省安阳市北关区", "河南省安阳市北关区"],
            "year" => [2022, 2023, 2023],
            "status" => ["parsed", "parsed", "parsed"],
            "format" => ["html", "html", "html"],
        )
        .unwrap();
        ParquetWriter::new(fs::File::create(reports.join("part-0.parquet")).unwrap())
            .finish(&mut parts)
            .unwrap();
        let gaz = Gazetteer::bundled();
        let rows = build(dir.path(), Some(gaz)).unwrap().unwrap();
        let civil: Vec<&ComplianceRow> = rows
            .iter()
            .filter(|r| r.agency.contains("民政局"))
            .collect();
        assert_eq!(civil.len(), 2, "one row per year: {rows:?}");
        assert!(
            civil
                .iter()
                .all(|r| r.published && r.agency == "北关区民政局")
        );
        assert_eq!(civil[0].agency_id, civil[1].agency_id);
        assert!(civil[0].agency_id.starts_with("410503-"));
        let edu: Vec<&ComplianceRow> = rows.iter().filter(|r| r.agency == "北关区教育局").collect();
        assert_eq!(edu.len(), 2);
        assert_ne!(edu[0].agency_id, civil[0].agency_id);
        assert_eq!(
            edu.iter()
                .map(|r| (r.year, r.published))
                .collect::<Vec<_>>(),
            [(2022, false), (2023, true)]
        );
    }
}
