//! Per-phase wall time of one [`crate::analyze`] run, written to the log
//! (`tracing`, target `ogi_analyze::timing`, level `info`; e.g.
//! `OGI_LOG=ogi_analyze::timing=info ogi analyze --out OUT`), so that a slow
//! run can be located without a profiler.

use std::time::{Duration, Instant};

/// Wall time spent per named phase, summed over repeats (e.g. over years),
/// in the order the phases first ran.
#[derive(Debug, Default)]
pub(crate) struct Phases {
    spent: Vec<(&'static str, Duration)>,
    /// Work done on other threads alongside the phases (not in the total).
    background: Vec<(&'static str, Duration)>,
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
        tracing::debug!(target: "ogi_analyze::timing", phase, secs = d.as_secs_f64());
        match self.spent.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, total)) => *total += d,
            None => self.spent.push((phase, d)),
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
        assert_eq!(p.summary(), "read=2.000s write=0.250s total=2.250s");
        p.add_background("encode", Duration::from_millis(700));
        assert_eq!(
            p.summary(),
            "read=2.000s write=0.250s total=2.250s background: encode=0.700s"
        );
        assert_eq!(p.time("compute", || 7), 7);
        assert!(p.summary().starts_with("read=2.000s write=0.250s compute="));
    }
}
