//! Running independent jobs on all cores.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every index in `0..n`, on as many threads as there are cores
/// (at most `n`; the calling thread is one of them), each thread taking the
/// next index when it is free; the results in index order.
pub(crate) fn map_in_parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |c| c.get());
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                return done;
            }
            done.push((i, f(i)));
        }
    };
    let mut results: Vec<(usize, T)> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads.min(n)).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            all.extend(h.join().expect("a worker thread panicked"));
        }
        all
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_index_order() {
        let out = map_in_parallel(1000, |i| i * i);
        assert_eq!(out, (0..1000).map(|i| i * i).collect::<Vec<_>>());
        assert!(map_in_parallel(0, |i| i).is_empty());
    }
}
