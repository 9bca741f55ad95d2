//! The resolution layer: command-line flags, `OGI_*` environment and `ogi.toml`
//! ([`Config`], already merged in that order of precedence) become each
//! stage's own configuration here, once, so no command re-derives a setting
//! and no stage reads the environment or the configuration file itself.

use crate::config::Config;
use ogi_analyze::{AnalyzeOptions, GazetteerSource};
use ogi_crawler::CrawlConfig;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Output directory used when neither a flag, `OGI_OUT` nor `ogi.toml` names one.
pub const DEFAULT_OUT: &str = "ogi-out";

/// The pipeline flags a command was given (absent ones are `None`/empty).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--out`.
    pub out: Option<PathBuf>,
    /// `--portals`.
    pub portals: Option<PathBuf>,
    /// `--portal` (repeatable).
    pub portal_ids: Vec<String>,
    /// `--threads`.
    pub threads: Option<usize>,
    /// `--full` (analyze).
    pub full: bool,
}

/// What the stages of one command run with.
#[derive(Debug, Clone)]
pub struct Stages {
    /// The output directory.
    pub out: PathBuf,
    /// The crawler's configuration.
    pub crawl: CrawlConfig,
    /// Extraction worker threads.
    pub threads: usize,
    /// The analyze stage's options.
    pub analyze: AnalyzeOptions,
}

impl Config {
    /// Resolves `flags` over this configuration into every stage's configuration.
    pub fn stages(&self, flags: Flags) -> Stages {
        let out = self.out_or(flags.out, DEFAULT_OUT);
        Stages {
            crawl: self.crawl_config(&out, flags.portals, flags.portal_ids),
            threads: flags.threads.unwrap_or_else(default_threads),
            analyze: AnalyzeOptions {
                gazetteer: Some(match &self.analyze.gazetteer {
                    Some(p) => GazetteerSource::File(p.clone()),
                    None => GazetteerSource::Bundled,
                }),
                full: flags.full,
                cells_per_pass: self.analyze.cells_per_pass,
            },
            out,
        }
    }

    /// The output directory: the flag, else the configured one, else [`DEFAULT_OUT`].
    pub fn out(&self, flag: Option<PathBuf>) -> PathBuf {
        self.out_or(flag, DEFAULT_OUT)
    }

    /// The crawler's configuration from `ogi.toml`/environment and the flags.
    fn crawl_config(&self, out: &Path, portals: Option<PathBuf>, ids: Vec<String>) -> CrawlConfig {
        let c = &self.crawl;
        let mut cc = CrawlConfig {
            out: out.to_path_buf(),
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            ..CrawlConfig::default()
        };
        if let Some(p) = portals.or_else(|| c.portals.clone()) {
            cc.portals_file = p;
        }
        cc.portal_ids = if ids.is_empty() {
            c.portal_ids.clone()
        } else {
            ids
        };
        if let Some(v) = &c.contact {
            cc.contact_url = v.clone();
        }
        if let Some(v) = c.rate_per_host {
            cc.per_host_rate = v;
        }
        if let Some(v) = c.per_host_concurrency {
            cc.per_host_concurrency = v;
        }
        if let Some(v) = c.global_concurrency {
            cc.global_concurrency = v;
        }
        if let Some(v) = c.max_body_bytes {
            cc.max_body_bytes = v;
        }
        if let Some(v) = c.revalidate_days {
            cc.revisit_after = Duration::from_secs(v.max(1) * 86_400);
        }
        if let Some(v) = c.timeout_secs {
            cc.total_timeout = Duration::from_secs(v);
        }
        cc.allow_private_hosts
            .extend(c.allow_private_hosts.iter().cloned());
        cc.proxy.clone_from(&c.proxy);
        cc
    }
}

/// The number of worker threads to use by default: every core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_defaults_fill_the_rest() {
        let cfg: Config = toml::from_str(
            "out = \"from-file\"\n[crawl]\nrate_per_host = 0.5\nportal_ids = [\"a\"]\n",
        )
        .unwrap();
        let s = cfg.stages(Flags {
            portal_ids: vec!["b".into()],
            threads: Some(3),
            ..Flags::default()
        });
        assert_eq!(s.out, PathBuf::from("from-file"));
        assert_eq!(s.crawl.out, s.out);
        assert_eq!(s.crawl.per_host_rate, 0.5);
        assert_eq!(s.crawl.portal_ids, ["b"]);
        assert_eq!(s.threads, 3);
        assert_eq!(s.analyze.gazetteer, Some(GazetteerSource::Bundled));
        assert!(!s.analyze.full);
        let s = Config::default().stages(Flags {
            out: Some("x".into()),
            full: true,
            ..Flags::default()
        });
        assert_eq!(s.out, PathBuf::from("x"));
        assert!(s.analyze.full && s.threads >= 1);
    }

    #[test]
    fn a_configured_gazetteer_is_a_file_source() {
        let cfg: Config =
            toml::from_str("[analyze]\ngazetteer = \"g.csv\"\ncells_per_pass = 500\n").unwrap();
        let s = cfg.stages(Flags::default());
        assert_eq!(
            s.analyze.gazetteer,
            Some(GazetteerSource::File("g.csv".into()))
        );
        assert_eq!(s.analyze.cells_per_pass, Some(500));
    }
}
