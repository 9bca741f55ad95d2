//! Progress bars (pages, bytes, errors) on a terminal; silent otherwise.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Progress display of a run; all methods are no-ops when hidden.
pub struct Progress {
    pages: ProgressBar,
    bytes: ProgressBar,
    errors: ProgressBar,
}

impl Progress {
    /// Shows bars if `enabled` and standard error is a terminal.
    pub fn new(enabled: bool) -> Self {
        let visible = enabled && std::io::stderr().is_terminal();
        let multi = MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let style = |t: &str| {
            ProgressStyle::with_template(t).unwrap_or_else(|_| ProgressStyle::default_spinner())
        };
        let pages = multi.add(
            ProgressBar::new_spinner()
                .with_style(style("{spinner} {pos} pages stored ({per_sec})")),
        );
        let bytes = multi.add(
            ProgressBar::new_spinner().with_style(style("  {bytes} downloaded ({bytes_per_sec})")),
        );
        let errors = multi.add(ProgressBar::new_spinner().with_style(style("  {pos} errors")));
        Progress {
            pages,
            bytes,
            errors,
        }
    }

    /// One response received with `bytes` of body.
    pub fn request(&self, bytes: usize) {
        self.bytes.inc(bytes as u64);
        self.pages.tick();
    }

    /// One page stored.
    pub fn page(&self) {
        self.pages.inc(1);
    }

    /// One failed request.
    pub fn error(&self) {
        self.errors.inc(1);
    }

    /// Clears the bars.
    pub fn finish(&self) {
        for b in [&self.pages, &self.bytes, &self.errors] {
            b.finish_and_clear();
        }
    }
}
