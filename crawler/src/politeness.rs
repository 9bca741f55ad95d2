//! Per-host politeness: a `governor` rate limiter per host, a per-host slot
//! semaphore (1 in flight by default), a completion-based minimum delay (so the
//! next request starts at least one interval after the previous one *ended*),
//! Retry-After / Crawl-delay holds, a circuit breaker, and a global in-flight cap.

use crate::state::FrontierState;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Per-host limits.
#[derive(Debug, Clone, Copy)]
pub struct HostLimits {
    /// Requests per second.
    pub rate: f64,
    /// Requests in flight.
    pub concurrency: usize,
}

#[derive(Debug)]
struct HostState {
    next_allowed: Instant,
    interval: Duration,
    consecutive_failures: u32,
    parked: Option<HostRefusal>,
    requests: u64,
    in_flight: usize,
    last_done: Option<Instant>,
}

/// The politeness gate of one host.
pub struct HostGate {
    slots: Arc<Semaphore>,
    limiter: DefaultDirectRateLimiter,
    state: Mutex<HostState>,
    concurrency: usize,
}

impl HostGate {
    fn state(&self) -> MutexGuard<'_, HostState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Shared politeness state of a run.
pub struct Politeness {
    global: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
    defaults: HostLimits,
    breaker_threshold: u32,
    delay_cap: Duration,
    max_requests_per_host: Option<u64>,
}

/// Permission to send one request to a host; dropping it records completion and
/// schedules the host's next slot one interval later.
pub struct Permit {
    gate: Arc<HostGate>,
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut st = self.gate.state();
        let now = Instant::now();
        st.last_done = Some(now);
        let next = now + st.interval;
        if next > st.next_allowed {
            st.next_allowed = next;
        }
        st.in_flight = st.in_flight.saturating_sub(1);
    }
}

fn interval_of(rate: f64) -> Duration {
    Duration::from_secs_f64(1.0 / rate.clamp(0.001, 1000.0))
}

impl Politeness {
    /// Creates the gate set: `global` requests in flight overall, `defaults` per host.
    pub fn new(
        global: usize,
        defaults: HostLimits,
        breaker_threshold: u32,
        delay_cap: Duration,
        max_requests_per_host: Option<u64>,
    ) -> Self {
        Politeness {
            global: Arc::new(Semaphore::new(global.max(1))),
            hosts: Mutex::new(HashMap::new()),
            defaults,
            breaker_threshold: breaker_threshold.max(1),
            delay_cap,
            max_requests_per_host,
        }
    }

    /// Sets the limits of `host` (first caller wins; later calls keep the stricter rate).
    pub fn configure(&self, host: &str, limits: HostLimits) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        match hosts.get(host) {
            Some(g) => {
                let mut st = g.state();
                st.interval = st.interval.max(interval_of(limits.rate));
            }
            None => {
                hosts.insert(host.to_string(), Arc::new(new_gate(limits)));
            }
        }
    }

    /// The gate of `host`, created with default limits if unknown.
    fn gate(&self, host: &str) -> Arc<HostGate> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        // Looked up without allocating: the scheduler asks for every host on each pass.
        if let Some(g) = hosts.get(host) {
            return g.clone();
        }
        hosts
            .entry(host.to_string())
            .or_insert_with(|| Arc::new(new_gate(self.defaults)))
            .clone()
    }

    /// Raises the host's interval to a robots.txt `Crawl-delay` (capped).
    pub fn set_crawl_delay(&self, host: &str, delay: Duration) {
        let g = self.gate(host);
        let mut st = g.state();
        st.interval = st.interval.max(delay.min(self.delay_cap));
        if let Some(done) = st.last_done {
            let next = done + st.interval;
            if next > st.next_allowed {
                st.next_allowed = next;
            }
        }
    }

    /// No request reaches `host` before `wait` has passed (Retry-After; capped).
    pub fn hold(&self, host: &str, wait: Duration) {
        let g = self.gate(host);
        let mut st = g.state();
        let until = Instant::now() + wait.min(self.delay_cap);
        if until > st.next_allowed {
            st.next_allowed = until;
        }
    }

    /// When `host` may next be asked, or `None` if the host is parked for this run.
    /// Also `None`-safe for dispatchers: a host with all slots busy reports `busy`.
    pub fn ready(&self, host: &str) -> HostReadiness {
        let g = self.gate(host);
        let st = g.state();
        if let Some(r) = &st.parked {
            return HostReadiness::Parked(*r);
        }
        if st.in_flight >= g.concurrency {
            return HostReadiness::Busy;
        }
        HostReadiness::At(st.next_allowed)
    }

    /// Requests `host` may have in flight.
    pub fn concurrency(&self, host: &str) -> usize {
        self.gate(host).concurrency
    }

    /// Waits for a slot on `host` (rate, delay, per-host and global caps).
    /// Fails with the reason if the host is parked or over its request budget.
    pub async fn acquire(&self, host: &str) -> Result<Permit, HostRefusal> {
        let gate = self.gate(host);
        let slot = permit_of(&gate.slots).await?;
        loop {
            let wait = {
                let st = gate.state();
                if let Some(r) = st.parked {
                    return Err(r);
                }
                st.next_allowed.saturating_duration_since(Instant::now())
            };
            if wait.is_zero() {
                break;
            }
            tokio::time::sleep(wait).await;
        }
        gate.limiter.until_ready().await;
        let global = permit_of(&self.global).await?;
        {
            let mut st = gate.state();
            if let Some(r) = st.parked {
                return Err(r);
            }
            if let Some(max) = self.max_requests_per_host
                && st.requests >= max
            {
                return Err(HostRefusal::Budget);
            }
            st.requests += 1;
            st.in_flight += 1;
        }
        Ok(Permit {
            gate,
            _host: slot,
            _global: global,
        })
    }

    /// Records a successful exchange with `host` (resets the breaker count).
    pub fn success(&self, host: &str) {
        self.gate(host).state().consecutive_failures = 0;
    }

    /// Records a transient failure; returns true if the breaker just opened.
    pub fn failure(&self, host: &str) -> bool {
        let g = self.gate(host);
        let mut st = g.state();
        st.consecutive_failures += 1;
        if st.consecutive_failures >= self.breaker_threshold && st.parked.is_none() {
            st.parked = Some(HostRefusal::Breaker);
            return true;
        }
        false
    }

    /// Parks `host` for the rest of the run (challenge page, breaker).
    pub fn park(&self, host: &str, reason: HostRefusal) {
        let g = self.gate(host);
        let mut st = g.state();
        if st.parked.is_none() {
            st.parked = Some(reason);
        }
    }

    /// Consecutive failures recorded for `host`.
    pub fn consecutive_failures(&self, host: &str) -> u32 {
        self.gate(host).state().consecutive_failures
    }
}

/// Why a host takes no more requests in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostRefusal {
    /// An anti-bot challenge answered (`blocked`).
    Blocked,
    /// The circuit breaker opened after consecutive failures (`host_parked`).
    Breaker,
    /// The per-host request budget of the run is spent (`host_budget`).
    Budget,
    /// The politeness gates were shut down (`closed`).
    Closed,
}

impl HostRefusal {
    /// The reason recorded with the URLs it ends.
    pub fn reason(self) -> &'static str {
        match self {
            HostRefusal::Blocked => "blocked",
            HostRefusal::Breaker => "host_parked",
            HostRefusal::Budget => "host_budget",
            HostRefusal::Closed => "closed",
        }
    }

    /// The state of the URLs it ends: `blocked` for a challenge, else `failed`.
    pub fn frontier_state(self) -> FrontierState {
        match self {
            HostRefusal::Blocked => FrontierState::Blocked,
            _ => FrontierState::Failed,
        }
    }
}

/// Whether a host can take a request now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostReadiness {
    /// Parked for this run, with the reason.
    Parked(HostRefusal),
    /// All of the host's slots are in use.
    Busy,
    /// Free from this instant on.
    At(Instant),
}

fn new_gate(limits: HostLimits) -> HostGate {
    let interval = interval_of(limits.rate);
    let quota = Quota::with_period(interval)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    HostGate {
        slots: Arc::new(Semaphore::new(limits.concurrency.max(1))),
        limiter: RateLimiter::direct(quota),
        concurrency: limits.concurrency.max(1),
        state: Mutex::new(HostState {
            next_allowed: Instant::now(),
            interval,
            consecutive_failures: 0,
            parked: None,
            requests: 0,
            in_flight: 0,
            last_done: None,
        }),
    }
}

/// Retry delay after `attempts` failures, "full jitter" (AWS Architecture Blog,
/// *Exponential Backoff and Jitter*): uniform in `[0, min(max, base · 2^attempts)]`.
/// `unit` is the random draw in `[0, 1)`; the host's politeness gate still spaces
/// the retry from the previous request.
pub fn full_jitter_backoff(base: Duration, max: Duration, attempts: u32, unit: f64) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempts.min(16)).min(max);
    ceiling.mul_f64(unit.clamp(0.0, 1.0))
}

/// A permit of `sem`, waited for; [`HostRefusal::Closed`] when it was closed.
async fn permit_of(sem: &Arc<Semaphore>) -> Result<OwnedSemaphorePermit, HostRefusal> {
    sem.clone()
        .acquire_owned()
        .await
        .map_err(|_| HostRefusal::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spacing_and_breaker() {
        let p = Politeness::new(
            4,
            HostLimits {
                rate: 20.0,
                concurrency: 1,
            },
            2,
            Duration::from_secs(5),
            None,
        );
        let t0 = Instant::now();
        for _ in 0..3 {
            let permit = p.acquire("h").await.unwrap();
            drop(permit);
        }
        assert!(t0.elapsed() >= Duration::from_millis(95));
        assert!(!p.failure("h"));
        assert!(p.failure("h"));
        assert!(p.acquire("h").await.is_err());
        assert!(matches!(p.ready("h"), HostReadiness::Parked(_)));
    }

    #[test]
    fn backoff_is_full_jitter_under_the_cap() {
        let (base, max) = (Duration::from_secs(2), Duration::from_secs(120));
        assert_eq!(full_jitter_backoff(base, max, 3, 0.0), Duration::ZERO);
        assert_eq!(
            full_jitter_backoff(base, max, 3, 0.25),
            Duration::from_secs(4)
        );
        assert_eq!(
            full_jitter_backoff(base, max, 3, 1.0),
            Duration::from_secs(16)
        );
        assert_eq!(full_jitter_backoff(base, max, 30, 1.0), max);
        assert_eq!(
            full_jitter_backoff(base, max, 30, 0.5),
            Duration::from_secs(60)
        );
    }
}
