//! Polite, resumable crawler of government portals (see README).
