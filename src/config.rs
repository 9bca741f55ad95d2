//! `ogi.toml` configuration: defaults ← file ← `OGI_*` environment ← command-line flags.
//!
//! Every field is optional in the file; see `ogi.example.toml` at the repository root for a
//! documented example.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Output directory (raw store, crawl state, extract parts, datasets).
    pub out: Option<PathBuf>,
    /// Crawl settings.
    pub crawl: CrawlSection,
    /// Analyze settings.
    pub analyze: AnalyzeSection,
    /// Log settings.
    pub log: LogSection,
}

/// `[crawl]` section.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CrawlSection {
    /// Portal registry file (default `data/portals.toml`).
    pub portals: Option<PathBuf>,
    /// Only crawl these portal ids (all when empty).
    pub portal_ids: Vec<String>,
    /// Contact URL or e-mail put into the User-Agent.
    pub contact: Option<String>,
    /// Requests per second per host.
    pub rate_per_host: Option<f64>,
    /// Requests in flight per host.
    pub per_host_concurrency: Option<usize>,
    /// Requests in flight overall.
    pub global_concurrency: Option<usize>,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: Option<u64>,
    /// Total timeout of one request, in seconds.
    pub timeout_secs: Option<u64>,
    /// Every stored report is revalidated (conditional GET) at least every this many
    /// days, spread over the nights (default 30).
    pub revalidate_days: Option<u64>,
    /// Host names allowed to resolve to private or loopback addresses.
    pub allow_private_hosts: Vec<String>,
    /// HTTP proxy to use on purpose (`HTTP_PROXY` and friends are ignored).
    pub proxy: Option<String>,
}

/// `[analyze]` section.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyzeSection {
    /// A gazetteer CSV (`code,name,level,parent`) to name regions with
    /// instead of the bundled one (e.g. a newer edition).
    pub gazetteer: Option<PathBuf>,
    /// Cells reduced by one pass over the extracted cells (default
    /// 150 000 000; a pass keeps ≈ 15 bytes a cell); lower it on a small
    /// machine.
    pub cells_per_pass: Option<u64>,
}

/// `[log]` section.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LogSection {
    /// `human` (default) or `json`.
    pub format: Option<String>,
    /// A tracing filter such as `info` or `ogi_crawler=debug`.
    pub level: Option<String>,
}

impl Config {
    /// Loads `path` if given (it must exist), else `./ogi.toml` if present, else defaults;
    /// then applies `OGI_*` environment variables.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let mut cfg = match path {
            Some(p) => Self::from_file(p)?,
            None if Path::new("ogi.toml").is_file() => Self::from_file(Path::new("ogi.toml"))?,
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    fn from_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config {}", path.display()))
    }

    /// Overlays environment variables (`OGI_OUT`, `OGI_PORTALS`, `OGI_CONTACT`,
    /// `OGI_RATE_PER_HOST`, `OGI_GAZETTEER`, `OGI_ANALYZE_CELLS_PER_PASS`,
    /// `OGI_LOG_FORMAT`, `OGI_LOG`).
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = get("OGI_OUT") {
            self.out = Some(v.into());
        }
        if let Some(v) = get("OGI_PORTALS") {
            self.crawl.portals = Some(v.into());
        }
        if let Some(v) = get("OGI_CONTACT") {
            self.crawl.contact = Some(v);
        }
        if let Some(v) = get("OGI_RATE_PER_HOST") {
            let rate = v
                .parse::<f64>()
                .with_context(|| format!("OGI_RATE_PER_HOST={v:?} is not a number"))?;
            self.crawl.rate_per_host = Some(rate);
        }
        if let Some(v) = get("OGI_GAZETTEER") {
            self.analyze.gazetteer = Some(v.into());
        }
        if let Some(v) = get("OGI_ANALYZE_CELLS_PER_PASS") {
            let n = v.parse::<u64>().ok().filter(|n| *n > 0).with_context(|| {
                format!("OGI_ANALYZE_CELLS_PER_PASS={v:?} is not a positive whole number")
            })?;
            self.analyze.cells_per_pass = Some(n);
        }
        if let Some(v) = get("OGI_LOG_FORMAT") {
            self.log.format = Some(v);
        }
        if let Some(v) = get("OGI_LOG") {
            self.log.level = Some(v);
        }
        Ok(())
    }

    /// The output directory: the flag, else the configured one, else `default`.
    pub(crate) fn out_or(&self, flag: Option<PathBuf>, default: &str) -> PathBuf {
        flag.or_else(|| self.out.clone())
            .unwrap_or_else(|| PathBuf::from(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../ogi.example.toml");
        let cfg: Config = toml::from_str(text).expect("ogi.toml parses");
        assert_eq!(cfg.crawl.rate_per_host, Some(1.0));
    }

    #[test]
    fn env_overrides_file_and_rejects_bad_numbers() {
        let mut cfg: Config =
            toml::from_str("out = \"a\"\n[crawl]\nrate_per_host = 2.0\n").unwrap();
        cfg.apply_env(|k| (k == "OGI_OUT").then(|| "b".to_string()))
            .unwrap();
        assert_eq!(cfg.out, Some(PathBuf::from("b")));
        assert_eq!(cfg.crawl.rate_per_host, Some(2.0));
        let err = cfg
            .apply_env(|k| (k == "OGI_RATE_PER_HOST").then(|| "fast".to_string()))
            .unwrap_err();
        assert!(err.to_string().contains("OGI_RATE_PER_HOST"));
        assert_eq!(cfg.out_or(Some("c".into()), "d"), PathBuf::from("c"));
        cfg.apply_env(|k| (k == "OGI_ANALYZE_CELLS_PER_PASS").then(|| "1000".to_string()))
            .unwrap();
        assert_eq!(cfg.analyze.cells_per_pass, Some(1000));
        for bad in ["0", "many"] {
            let err = cfg
                .apply_env(|k| (k == "OGI_ANALYZE_CELLS_PER_PASS").then(|| bad.to_string()))
                .unwrap_err();
            assert!(
                err.to_string().contains("OGI_ANALYZE_CELLS_PER_PASS"),
                "{err}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(toml::from_str::<Config>("[crawl]\nrate = 1\n").is_err());
    }
}
