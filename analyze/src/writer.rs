//! Writing dataset partitions on a background thread, so that one year's
//! Parquet encoding overlaps the next year's computation.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::io;
use crate::parquet_out::Rows;
use crate::schema::Dataset;
use anyhow::{Context as _, Result, anyhow};

/// One partition to write.
type Job = (Dataset, Option<i32>, Rows);

/// A writer thread fed through a bounded queue (so at most `queue` finished
/// frames wait in memory). Partitions are written in the order given, each
/// atomically ([`io::write_partition`]); the first error stops the writer
/// and is returned by the next [`PartitionWriter::write`] or by
/// [`PartitionWriter::finish`].
pub(crate) struct PartitionWriter {
    tx: Option<SyncSender<Job>>,
    handle: Option<JoinHandle<Result<Busy>>>,
}

/// Time the writer thread spent writing: wall time, and CPU time of the
/// thread (which load from other processes does not inflate; `None` where
/// the platform has no per-thread clock).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Busy {
    pub(crate) wall: Duration,
    pub(crate) cpu: Option<Duration>,
}

impl PartitionWriter {
    /// Start the writer thread for the datasets under `out`.
    pub(crate) fn start(out: &Path, queue: usize) -> Result<Self> {
        let (tx, rx) = sync_channel::<Job>(queue);
        let out: PathBuf = out.to_path_buf();
        let handle = std::thread::Builder::new()
            .name("ogi-analyze-writer".into())
            .spawn(move || -> Result<Busy> {
                let mut wall = Duration::ZERO;
                for (d, year, mut rows) in rx {
                    let started = Instant::now();
                    io::write_partition(&out, d, year, &mut rows)?;
                    wall += started.elapsed();
                }
                Ok(Busy {
                    wall,
                    cpu: thread_cpu_time(),
                })
            })
            .context("starting the dataset writer thread")?;
        Ok(PartitionWriter {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    /// Queue one partition (blocks while the queue is full).
    pub(crate) fn write(&mut self, d: Dataset, year: Option<i32>, rows: Rows) -> Result<()> {
        let sent = self
            .tx
            .as_ref()
            .map(|tx| tx.send((d, year, rows)).is_ok())
            .unwrap_or(false);
        if sent {
            return Ok(());
        }
        // The writer stopped: its error says why.
        self.join()?;
        Err(anyhow!("the dataset writer stopped"))
    }

    /// Wait until every queued partition is written; the writer's busy time.
    pub(crate) fn finish(mut self) -> Result<Busy> {
        self.join()
    }

    fn join(&mut self) -> Result<Busy> {
        self.tx = None;
        match self.handle.take() {
            Some(h) => h
                .join()
                .map_err(|_| anyhow!("the dataset writer thread panicked"))?,
            None => Ok(Busy::default()),
        }
    }
}

/// CPU time used so far by the calling thread.
#[cfg(unix)]
fn thread_cpu_time() -> Option<Duration> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    (rc == 0).then(|| Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

/// CPU time used so far by the calling thread (not measured here).
#[cfg(not(unix))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

impl Drop for PartitionWriter {
    /// Closing the queue lets the thread finish what was queued; it is
    /// waited for, so no write outlives the run.
    fn drop(&mut self) {
        let _ = self.join();
    }
}
