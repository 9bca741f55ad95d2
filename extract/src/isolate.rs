//! Isolation of one document's processing: a panic anywhere while one document
//! is read, parsed or annotated becomes that document's `failed` status with the
//! panic message, and the caller goes on with the next document.
//!
//! Flag written here: `panic:<message>` (the message cut to 200 characters).

use crate::{Report, Status};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Longest panic message kept in the flag, in characters.
const MAX_MESSAGE_CHARS: usize = 200;

/// The text of a panic payload (`panic!("…")` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    };
    text.chars().take(MAX_MESSAGE_CHARS).collect()
}

/// Runs `process` (the whole processing of one document). A panic inside it gives
/// a [`Report`] with status [`Status::Failed`], the document's `source` and
/// `sha256`, and the flag `panic:<message>`.
pub fn isolated(source: &str, sha256: &str, process: impl FnOnce() -> Report) -> Report {
    catch_unwind(AssertUnwindSafe(process)).unwrap_or_else(|payload| Report {
        source: source.to_string(),
        sha256: sha256.to_string(),
        status: Status::Failed,
        flags: vec![format!("panic:{}", panic_message(payload.as_ref()))],
        ..Report::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_failed_report_with_its_message() {
        let r = isolated("http://x.test/a.pdf", "ab", || {
            panic!("index out of bounds: the len is 3 but the index is 7")
        });
        assert_eq!(r.status, Status::Failed);
        assert_eq!(
            (r.source.as_str(), r.sha256.as_str()),
            ("http://x.test/a.pdf", "ab")
        );
        assert_eq!(
            r.flags,
            vec!["panic:index out of bounds: the len is 3 but the index is 7".to_string()]
        );
    }

    #[test]
    fn no_panic_passes_the_report_through() {
        let r = isolated("s", "h", || Report {
            status: Status::Parsed,
            ..Report::default()
        });
        assert_eq!(r.status, Status::Parsed);
        assert!(r.flags.is_empty());
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "长".repeat(1000);
        let r = isolated("s", "h", || panic!("{long}"));
        assert_eq!(
            r.flags[0].chars().count(),
            "panic:".len() + MAX_MESSAGE_CHARS
        );
    }
}
