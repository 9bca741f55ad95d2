//! HTTP time values (`Retry-After`); the clock and RFC 3339 formatting are
//! [`ogi_util::time`], re-exported here for the crawler's modules.

pub use ogi_util::time::{file_stamp, now_rfc3339, rfc3339, unix_now, unix_now_ms};
use std::time::{Duration, SystemTime};

/// Parses a `Retry-After` value: delta seconds or an HTTP-date. Returns the wait from now.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
