//! WARC 1.1 export of what was fetched: one `warcinfo` record, then a `response`
//! record per stored body, each record its own gzip member (`.warc.gz`).

use crate::raw;
use crate::state::StateDb;
use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use ogi_util::time::now_rfc3339;
use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

fn record_id(seed: &str) -> String {
    let h = raw::sha256_hex(seed.as_bytes());
    format!(
        "<urn:uuid:{}-{}-4{}-8{}-{}>",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn write_record(w: &mut impl Write, headers: &[(&str, String)], block: &[u8]) -> Result<()> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(block.len() / 2 + 256),
        Compression::default(),
    );
    enc.write_all(b"WARC/1.1\r\n")?;
    for (k, v) in headers {
        write!(enc, "{k}: {v}\r\n")?;
    }
    write!(enc, "Content-Length: {}\r\n\r\n", block.len())?;
    enc.write_all(block)?;
    enc.write_all(b"\r\n\r\n")?;
    w.write_all(&enc.finish()?)?;
    Ok(())
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        203 => "Non-Authoritative Information",
        206 => "Partial Content",
        _ => "",
    }
}

/// Writes every stored response of `out` to `dest` as gzipped WARC 1.1; returns
/// the number of response records. The HTTP block holds the kept headers and the
/// decoded body (so `Content-Encoding`/`Transfer-Encoding` are not repeated).
pub fn export_warc(out: &Path, dest: &Path) -> Result<usize> {
    let db = StateDb::open_existing(out)?;
    ogi_util::write_atomic_with(dest, |f| {
        let mut w = BufWriter::new(f);
        let n = write_records(out, &db, dest, &mut w)?;
        w.flush()?;
        Ok::<_, anyhow::Error>(n)
    })
    .with_context(|| format!("writing {}", dest.display()))
}

/// Writes the `warcinfo` record and one `response` record per stored body.
fn write_records(out: &Path, db: &StateDb, dest: &Path, w: &mut impl Write) -> Result<usize> {
    let now = now_rfc3339();
    let info = format!(
        "software: ogi-crawler/{}\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n",
        env!("CARGO_PKG_VERSION")
    );
    let filename = dest
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("export.warc.gz")
        .to_string();
    write_record(
        w,
        &[
            ("WARC-Type", "warcinfo".into()),
            (
                "WARC-Record-ID",
                record_id(&format!("warcinfo {filename} {now}")),
            ),
            ("WARC-Date", now.clone()),
            ("WARC-Filename", filename),
            ("Content-Type", "application/warc-fields".into()),
        ],
        info.as_bytes(),
    )?;
    let mut st = db.conn().prepare(
        "SELECT id, COALESCE(final_url, url), status, headers, sha256, fetched_at FROM fetches
         WHERE sha256 IS NOT NULL ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<u16>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut n = 0;
    for row in rows {
        let (id, url, status, headers, sha, fetched_at) = row?;
        let body = raw::get(out, &sha)?;
        let headers: BTreeMap<String, String> = headers
            .and_then(|h| serde_json::from_str(&h).ok())
            .unwrap_or_default();
        let status = status.unwrap_or(200);
        let mut block = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status)).into_bytes();
        for (k, v) in headers
            .iter()
            .filter(|(k, _)| k.as_str() != "content-length")
        {
            block.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        block.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
        block.extend_from_slice(&body);
        write_record(
            w,
            &[
                ("WARC-Type", "response".into()),
                (
                    "WARC-Record-ID",
                    record_id(&format!("response {id} {url} {fetched_at}")),
                ),
                ("WARC-Date", fetched_at),
                ("WARC-Target-URI", url),
                ("WARC-Payload-Digest", format!("sha256:{sha}")),
                ("Content-Type", "application/http;msgtype=response".into()),
            ],
            &block,
        )?;
        n += 1;
    }
    Ok(n)
}
