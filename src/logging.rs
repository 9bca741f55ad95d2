//! `tracing` set-up: human or JSON lines on standard error.

use crate::config::LogSection;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(log: &LogSection) {
    let filter = EnvFilter::try_new(log.level.as_deref().unwrap_or("warn"))
        .unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if log.format.as_deref() == Some("json") {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init()
    };
}
