//! Work in a thread with a time budget, and a bound on the threads left behind.
//!
//! A thread cannot be killed: when an in-process reader (lopdf) runs past its
//! budget, the caller gives up but the thread runs on. [`Slots`] bounds how many
//! such threads may be alive at once: a job first takes a slot (waiting at most
//! the budget for one), and its thread gives the slot back only when it really
//! ends. However many documents time out, no more than the slot count of threads
//! is ever working on them.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Why a bounded job gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bounded {
    /// No slot came free within the budget, or the job ran past it.
    Timeout,
    /// The job panicked (the message).
    Panicked(String),
    /// The thread could not be started.
    Spawn(String),
}

/// A fixed number of slots for threads that may outlive their caller.
pub(crate) struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    /// `n` slots.
    pub(crate) const fn new(n: usize) -> Slots {
        Slots {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    /// Takes a slot, waiting until `deadline`; false when none came free.
    fn take(&self, deadline: Instant) -> bool {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            free = self
                .freed
                .wait_timeout(free, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *free -= 1;
        true
    }

    fn give_back(&self) {
        *self.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.freed.notify_one();
    }

    /// Runs `job` in its own thread holding one slot; returns its result if it
    /// ends within `budget` (slot wait included).
    pub(crate) fn run<T: Send + 'static>(
        &'static self,
        name: &str,
        budget: Duration,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Bounded> {
        let deadline = Instant::now() + budget;
        if !self.take(deadline) {
            return Err(Bounded::Timeout);
        }
        /// Gives the slot back when the thread ends, panicking or not.
        struct Release(&'static Slots);
        impl Drop for Release {
            fn drop(&mut self) {
                self.0.give_back();
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let _release = Release(self);
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                    .map_err(|p| Bounded::Panicked(crate::isolate::panic_message(p.as_ref())));
                let _ = tx.send(r);
            });
        if let Err(e) = spawned {
            self.give_back();
            return Err(Bounded::Spawn(e.to_string()));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        rx.recv_timeout(left).map_err(|_| Bounded::Timeout)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    #[test]
    fn stuck_jobs_hold_their_slots_and_no_more_threads_start() {
        static SLOTS: Slots = Slots::new(2);
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let mut releases = Vec::new();
        for _ in 0..2 {
            let (tx, rx) = mpsc::channel::<()>();
            releases.push(tx);
            let r = SLOTS.run("stuck", Duration::from_millis(50), move || {
                STARTED.fetch_add(1, Ordering::SeqCst);
                let _ = rx.recv();
            });
            assert_eq!(r, Err(Bounded::Timeout));
        }
        // Both slots are held by threads still running: a third job never starts.
        let r = SLOTS.run("third", Duration::from_millis(50), || {
            STARTED.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(r, Err(Bounded::Timeout));
        assert_eq!(STARTED.load(Ordering::SeqCst), 2);
        // Once they end, their slots are free again.
        drop(releases);
        let r = SLOTS.run("after", Duration::from_secs(30), || 7);
        assert_eq!(r, Ok(7));
    }

    #[test]
    fn a_panicking_job_gives_its_message_and_its_slot_back() {
        static SLOTS: Slots = Slots::new(1);
        let r: Result<(), _> = SLOTS.run("panics", Duration::from_secs(30), || panic!("bad xref"));
        assert_eq!(r, Err(Bounded::Panicked("bad xref".into())));
        assert_eq!(SLOTS.run("next", Duration::from_secs(30), || 1), Ok(1));
    }
}
