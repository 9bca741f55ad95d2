//! Per-phase wall time of one [`crate::analyze`] run, written to the log
//! (`tracing`, target `ogi_analyze::timing`, level `info`; e.g.
//! `OGI_LOG=ogi_analyze::timing=info ogi analyze --out OUT`), so that a slow
//! run can be located without a profiler. On Linux the line ends with the
//! run's peak resident memory and the phase in which it was reached
//! (`peak_rss=4.31GiB in compute_dispositions`), and each step's debug line
//! carries the resident memory after it.

use std::time::{Duration, Instant};

/// Wall time spent per named phase, summed over repeats (e.g. over years),
/// in the order the phases first ran.
#[derive(Debug, Default)]
pub(crate) struct Phases {
    spent: Vec<(&'static str, Duration)>,
    /// Work done on other threads alongside the phases (not in the total).
    background: Vec<(&'static str, Duration)>,
    /// The highest peak resident memory seen after a phase, in bytes, and
    /// the first phase after which it was seen.
    peak: Option<(u64, &'static str)>,
}

impl Phases {
    /// Runs `f`, adds its wall time to `phase` and logs it.
    pub(crate) fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.add(phase, start.elapsed());
        out
    }

    /// Adds `d` to `phase` and logs that step.
    pub(crate) fn add(&mut self, phase: &'static str, d: Duration) {
        let peak = ogi_util::memory::peak_rss_bytes();
        self.note_peak(phase, peak);
        tracing::debug!(
            target: "ogi_analyze::timing",
            phase,
            secs = d.as_secs_f64(),
            rss_mib = ogi_util::memory::rss_bytes().map(|b| b >> 20),
            peak_mib = peak.map(|b| b >> 20),
        );
        match self.spent.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, total)) => *total += d,
            None => self.spent.push((phase, d)),
        }
    }

    /// Records that the process's peak resident memory was `peak` bytes
    /// when `phase` ended: a higher peak than any before was reached in it.
    fn note_peak(&mut self, phase: &'static str, peak: Option<u64>) {
        if let Some(bytes) = peak
            && self.peak.is_none_or(|(seen, _)| bytes > seen)
        {
            self.peak = Some((bytes, phase));
        }
    }

    /// Adds `d` to the background work `phase` (done on another thread while
    /// the phases ran, so not part of the total).
    pub(crate) fn add_background(&mut self, phase: &'static str, d: Duration) {
        tracing::debug!(target: "ogi_analyze::timing", phase, secs = d.as_secs_f64(), background = true);
        match self.background.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, total)) => *total += d,
            None => self.background.push((phase, d)),
        }
    }

    /// One line, `phase=1.234s` per phase in first-run order, plus the total,
    /// then the background work (`background: write=2.000s`).
    pub(crate) fn summary(&self) -> String {
        let total: Duration = self.spent.iter().map(|(_, d)| *d).sum();
        let mut line: Vec<String> = self
            .spent
            .iter()
            .map(|(p, d)| format!("{p}={:.3}s", d.as_secs_f64()))
            .collect();
        line.push(format!("total={:.3}s", total.as_secs_f64()));
        if let Some((bytes, phase)) = self.peak {
            line.push(format!(
                "peak_rss={:.2}GiB in {phase}",
                bytes as f64 / f64::from(1u32 << 30)
            ));
        }
        if !self.background.is_empty() {
            line.push("background:".to_string());
            line.extend(
                self.background
                    .iter()
                    .map(|(p, d)| format!("{p}={:.3}s", d.as_secs_f64())),
            );
        }
        line.join(" ")
    }

    /// Logs [`Phases::summary`] at `info`.
    pub(crate) fn log(&self) {
        tracing::info!(target: "ogi_analyze::timing", "analyze phases: {}", self.summary());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_add_up_in_first_run_order() {
        let mut p = Phases::default();
        p.add("read", Duration::from_millis(1500));
        p.add("write", Duration::from_millis(250));
        p.add("read", Duration::from_millis(500));
        // The peak memory (Linux) is a separate figure, tested below.
        p.peak = None;
        assert_eq!(p.summary(), "read=2.000s write=0.250s total=2.250s");
        p.add_background("encode", Duration::from_millis(700));
        assert_eq!(
            p.summary(),
            "read=2.000s write=0.250s total=2.250s background: encode=0.700s"
        );
        assert_eq!(p.time("compute", || 7), 7);
        assert!(p.summary().starts_with("read=2.000s write=0.250s compute="));
    }

    #[test]
    fn the_peak_is_put_on_the_phase_that_first_reached_it() {
        let mut p = Phases::default();
        p.add("read", Duration::from_millis(1000));
        p.peak = None;
        p.note_peak("read", Some(1 << 30));
        p.note_peak("compute", Some(3 << 30));
        p.note_peak("write", Some(3 << 30));
        p.note_peak("finish", None);
        assert_eq!(
            p.summary(),
            "read=1.000s total=1.000s peak_rss=3.00GiB in compute"
        );
        p.note_peak("write", Some(13 << 29));
        assert!(p.summary().ends_with("peak_rss=6.50GiB in write"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_run_on_linux_reports_its_peak() {
        let mut p = Phases::default();
        p.time("work", || std::hint::black_box(vec![1u8; 8 << 20]).len());
        assert!(p.summary().contains(" peak_rss="), "{}", p.summary());
        assert!(p.summary().ends_with(" in work"), "{}", p.summary());
    }
}
