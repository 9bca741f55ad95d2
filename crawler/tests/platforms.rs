//! Loopback test portals, one per platform (response shapes from the research
//! notes, plus the real Pingtan TRS list and report pages): discovery from the
//! home page, adapters listing every report across pages, attachments, column
//! drift, script challenges.

#[path = "platforms/sites.rs"]
mod sites;

#[path = "platforms/crawl.rs"]
mod crawl;
#[path = "platforms/probe.rs"]
mod probe;
