//! The one charset decoder of ogi: documents in the extractor, list pages and
//! endpoints in the crawler's link discovery.
//!
//! Order of evidence: byte-order mark → `charset=` of the HTTP Content-Type →
//! `<meta charset>` / `<meta http-equiv=Content-Type>` (HTML only) → a site's
//! configured default (the crawler's portal `encoding`) → detection with
//! `chardetng` (tuned for `.cn`). A declared charset is trusted only if the
//! bytes decode under it: a page that says UTF-8 but is really GBK (common on
//! portals that migrated templates but not content) fails UTF-8 decoding, is
//! re-detected, and gets the flag `charset_mismatch:declared=utf-8,used=gb18030`.
//! GBK and GB2312 are decoded as GB18030, their superset, and recorded as `gb18030`.

use encoding_rs::{Encoding, GB18030, UTF_8};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Text decoded from bytes, with the charset used and any findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text (BOM removed).
    pub text: String,
    /// Lowercase name of the charset used (`utf-8`, `gb18030`, `big5`, …).
    pub charset: String,
    /// Findings: `charset_mismatch:declared=…,used=…`, `charset_errors`.
    pub flags: Vec<String>,
}

/// The charset parameter of a Content-Type header, if any.
pub fn header_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// Decodes `bytes`; `http_charset` is the header's charset, `html` enables `<meta>` lookup.
pub fn decode(bytes: &[u8], http_charset: Option<&str>, html: bool) -> Decoded {
    decode_with_default(bytes, http_charset, html, None)
}

/// [`decode`] with a site's configured charset, used when neither the header
/// nor a `<meta>` tag declares one. Like any declaration it is checked
/// against the bytes, and the bytes are re-detected when it does not fit.
pub fn decode_with_default<'a>(
    bytes: &'a [u8],
    http_charset: Option<&'a str>,
    html: bool,
    site_default: Option<&'a str>,
) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], Vec::new());
    }
    let label_of = |l: &'a str| Encoding::for_label(l.as_bytes()).map(|e| (l, e));
    let declared = http_charset
        .and_then(label_of)
        .or_else(|| if html { meta_charset(bytes) } else { None })
        .or_else(|| site_default.and_then(label_of));
    let Some((label, declared)) = declared else {
        return finish(detect(bytes), bytes, Vec::new());
    };
    let declared = widen(declared);
    if fits(declared, bytes) {
        return finish(declared, bytes, Vec::new());
    }
    let used = detect(bytes);
    let mut flags = Vec::new();
    if used != declared {
        flags.push(format!(
            "charset_mismatch:declared={},used={}",
            label.to_ascii_lowercase(),
            name(used)
        ));
    }
    finish(used, bytes, flags)
}

/// Whether the bytes are plausibly in `enc`: they decode without error, and a
/// single-byte or legacy declaration is not contradicted by valid multi-byte UTF-8.
fn fits(enc: &'static Encoding, bytes: &[u8]) -> bool {
    if enc == UTF_8 {
        return std::str::from_utf8(bytes).is_ok();
    }
    let non_ascii = bytes.iter().any(|b| !b.is_ascii());
    if non_ascii && std::str::from_utf8(bytes).is_ok() {
        // Valid multi-byte UTF-8 of any length is very unlikely to be GBK or Latin text.
        return false;
    }
    if enc.is_single_byte() && non_ascii {
        // Latin-1 decodes anything; ask the detector whether the bytes look like CJK instead.
        let guess = detect(bytes);
        return guess.is_single_byte();
    }
    enc.decode_without_bom_handling_and_without_replacement(bytes)
        .is_some()
}

/// GBK and GB2312 labels decode as GB18030 (their superset).
fn widen(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::GBK {
        GB18030
    } else {
        enc
    }
}

/// Lowercase name of an encoding as recorded in the report.
fn name(enc: &'static Encoding) -> String {
    widen(enc).name().to_ascii_lowercase()
}

/// The charset chardetng guesses, preferring UTF-8 when the bytes are valid UTF-8.
fn detect(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // The detector needs a sample, not the whole document; 256 KiB is plenty.
    det.feed(&bytes[..bytes.len().min(256 << 10)], true);
    widen(det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow))
}

/// Decodes with replacement, flagging malformed sequences.
fn finish(enc: &'static Encoding, bytes: &[u8], mut flags: Vec<String>) -> Decoded {
    let enc = widen(enc);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        flags.push("charset_errors".to_string());
    }
    Decoded {
        text: text.into_owned(),
        charset: name(enc),
        flags,
    }
}

/// The charset declared by a `<meta>` tag in the first 8 KiB, with its label.
fn meta_charset(bytes: &[u8]) -> Option<(&str, &'static Encoding)> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)"#)
            .expect("valid regex")
    });
    let head = &bytes[..bytes.len().min(8192)];
    let label = META.captures(head)?.get(1)?.as_bytes();
    let enc = Encoding::for_label(label)?;
    Some((std::str::from_utf8(label).ok()?, enc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    #[test]
    fn declared_gbk_meta() {
        let mut b =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
                .to_vec();
        b.extend(gbk("<title>年度报告</title>"));
        let d = decode(&b, None, true);
        assert_eq!(d.charset, "gb18030");
        assert!(d.text.contains("年度报告"));
        assert!(d.flags.is_empty(), "{:?}", d.flags);
    }

    #[test]
    fn misdeclared_utf8_is_corrected() {
        let mut b = b"<meta charset=utf-8><p>".to_vec();
        b.extend(gbk(
            "北关区政务服务和大数据管理局2023年政府信息公开工作年度报告",
        ));
        let d = decode(&b, None, true);
        assert_eq!(d.charset, "gb18030");
        assert!(d.text.contains("政府信息公开"));
        assert_eq!(
            d.flags,
            vec!["charset_mismatch:declared=utf-8,used=gb18030"]
        );
    }

    #[test]
    fn header_beats_meta_and_bom_beats_all() {
        assert_eq!(header_charset("text/html; Charset=\"GBK\""), Some("GBK"));
        let b = gbk("<meta charset=utf-8>政府信息公开");
        assert_eq!(decode(&b, Some("gbk"), true).flags, Vec::<String>::new());
        let mut u = b"\xEF\xBB\xBF".to_vec();
        u.extend("年报".as_bytes());
        let d = decode(&u, Some("gbk"), true);
        assert_eq!((d.text.as_str(), d.charset.as_str()), ("年报", "utf-8"));
    }

    #[test]
    fn site_default_is_used_only_when_it_fits() {
        let b = gbk("<p>二七区2022年政府信息公开工作年度报告</p>");
        let d = decode_with_default(&b, None, true, Some("gbk"));
        assert_eq!((d.charset.as_str(), d.flags.len()), ("gb18030", 0));
        assert!(d.text.contains("年度报告"));
        // A site said to be UTF-8 that serves GBK is re-detected, and the mismatch flagged.
        let d = decode_with_default(&b, None, true, Some("utf-8"));
        assert!(d.text.contains("年度报告"), "{}", d.text);
        assert_eq!(d.flags, ["charset_mismatch:declared=utf-8,used=gb18030"]);
        // The header and the page's own <meta> come before the site default.
        let mut m = b"<meta charset=gbk>".to_vec();
        m.extend(gbk("年度报告"));
        assert!(
            decode_with_default(&m, None, true, Some("big5"))
                .flags
                .is_empty()
        );
    }

    #[test]
    fn utf8_declared_as_latin1_or_gbk() {
        let b = "<meta charset=iso-8859-1><p>政府信息公开工作年度报告</p>".as_bytes();
        let d = decode(b, None, true);
        assert_eq!(d.charset, "utf-8");
        assert_eq!(
            d.flags,
            vec!["charset_mismatch:declared=iso-8859-1,used=utf-8"]
        );
        let d = decode("政府信息公开工作年度报告".as_bytes(), Some("gbk"), false);
        assert_eq!(d.charset, "utf-8");
    }
}
