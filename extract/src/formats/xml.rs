//! XML character references, resolved once for every XML-based reader
//! (DOCX `word/document.xml`, pdftotext's `-bbox` XHTML).

/// The character an entity or character reference stands for, from its body
/// between `&` and `;`: the five predefined entities (`amp`, `lt`, `gt`,
/// `quot`, `apos`) and numeric references (`#20013`, `#x4E2D`).
pub(crate) fn entity(body: &str) -> Option<char> {
    match body {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => body
            .strip_prefix("#x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| body.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    }
}

#[cfg(test)]
mod tests {
    use super::entity;

    #[test]
    fn named_and_numeric_references() {
        assert_eq!(entity("amp"), Some('&'));
        assert_eq!(entity("apos"), Some('\''));
        assert_eq!(entity("#x4E2D"), Some('中'));
        assert_eq!(entity("#20013"), Some('中'));
        for bad in ["bogus", "#xZZ", "#", "#x110000", ""] {
            assert_eq!(entity(bad), None, "{bad:?}");
        }
    }
}
