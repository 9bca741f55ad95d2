//! What a response body is: magic-byte sniffing, anti-bot challenge pages and soft 404s.

/// Sniffs the media type from magic bytes, falling back to the URL extension and
/// then the declared `Content-Type`.
pub fn sniff_mime(body: &[u8], ext: Option<&str>, declared: Option<&str>) -> String {
    let ext = ext.unwrap_or("");
    if body.starts_with(b"%PDF") {
        return "application/pdf".into();
    }
    if body.starts_with(b"PK\x03\x04") {
        return match ext {
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _ => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
        .into();
    }
    if body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return match ext {
            "xls" | "et" => "application/vnd.ms-excel",
            "wps" => "application/vnd.ms-works",
            _ => "application/msword",
        }
        .into();
    }
    if looks_like_html(body) {
        return "text/html".into();
    }
    let declared = declared
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if !declared.is_empty() {
        return declared;
    }
    "application/octet-stream".into()
}

/// True if the first bytes look like an HTML document.
pub fn looks_like_html(body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(1024)]).to_ascii_lowercase();
    let t = head.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<!doctype html")
        || t.starts_with("<html")
        || t.starts_with("<head")
        || t.contains("<body")
        || t.starts_with("<meta")
}

/// Markers that only anti-bot systems put in a page (瑞数 `$_ts`, 加速乐, WAF block pages).
const STRONG_MARKERS: &[&str] = &[
    "$_ts",
    "__jsluid",
    "waf-block",
    "_waf_",
    "您的访问请求可能对网站造成安全威胁",
    "web应用防火墙",
];

/// Markers that also occur in ordinary site chrome (login boxes); they only count on
/// small pages without tables and without a report title.
const WEAK_MARKERS: &[&str] = &[
    "captcha",
    "安全验证",
    "访问验证",
    "滑动验证",
    "人机验证",
    "请开启javascript并刷新",
];

/// Returns why a response is an anti-bot challenge, if it is one: any 412, or a
/// small 200/202/403 HTML page carrying challenge markers. Report pages (tables,
/// 年度报告 in the text, or larger than 64 KB) are never classified as challenges
/// by the weak markers.
pub fn detect_challenge(status: u16, body: &[u8]) -> Option<&'static str> {
    if status == 412 {
        return Some("challenge_412");
    }
    if !matches!(status, 200 | 202 | 403) || !looks_like_html(body) || body.len() > 64 * 1024 {
        return None;
    }
    // Every marker's letters are ASCII: ASCII case folding finds them, without
    // the cost of Unicode lower-casing the whole page.
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    let kind = if status == 200 {
        "waf_page"
    } else {
        "challenge"
    };
    if STRONG_MARKERS.iter().any(|m| text.contains(m)) {
        return Some(kind);
    }
    let content_like =
        text.contains("<table") || text.contains("年度报告") || body.len() > 16 * 1024;
    (!content_like && WEAK_MARKERS.iter().any(|m| text.contains(m))).then_some(kind)
}

/// True for a 200 HTML page that says "page not found" (soft 404).
pub fn is_soft_404(body: &[u8]) -> bool {
    if body.len() > 16 * 1024 || !looks_like_html(body) {
        return false;
    }
    let text = String::from_utf8_lossy(body);
    [
        "页面不存在",
        "页面未找到",
        "您访问的页面不存在",
        "404 Not Found",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// True if a body of media type `mime` is acceptable for a link with extension `ext`:
/// an attachment link must not yield an HTML page (error pages served as PDF).
pub fn matches_extension(mime: &str, ext: Option<&str>) -> bool {
    match ext.unwrap_or("") {
        "pdf" => mime == "application/pdf",
        "doc" | "docx" | "wps" | "xls" | "xlsx" | "et" => mime != "text/html",
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_beats_headers() {
        assert_eq!(
            sniff_mime(b"%PDF-1.4", Some("pdf"), Some("text/html")),
            "application/pdf"
        );
        assert_eq!(
            sniff_mime(b"<html><body>x", Some("pdf"), Some("application/pdf")),
            "text/html"
        );
        assert!(!matches_extension("text/html", Some("pdf")));
        assert!(matches_extension("application/pdf", Some("pdf")));
    }

    #[test]
    fn challenges() {
        assert_eq!(detect_challenge(412, b""), Some("challenge_412"));
        assert_eq!(
            detect_challenge(200, "<html><body>请完成安全验证</body>".as_bytes()),
            Some("waf_page")
        );
        assert_eq!(
            detect_challenge(200, "<html><body>年度报告</body>".as_bytes()),
            None
        );
        assert!(is_soft_404(
            "<html><body>页面不存在</body></html>".as_bytes()
        ));
    }
}
