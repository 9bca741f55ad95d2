//! This process's resident memory, as the kernel counts it (Linux
//! `/proc/self/status`; `None` elsewhere or when it cannot be read).

/// The largest resident set size of this process so far (`VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}

/// The resident set size of this process now (`VmRSS`), in bytes.
pub fn rss_bytes() -> Option<u64> {
    status_kib("VmRSS:").map(|k| k * 1024)
}

/// The value in KiB of the `/proc/self/status` line that starts with `key`.
fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_kib(&status, key)
}

/// The value of the line `key   123 kB` of a `/proc/<pid>/status` text.
fn parse_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kib_of_a_status_line() {
        let status = "Name:\togi\nVmPeak:\t  900 kB\nVmHWM:\t  4321 kB\nVmRSS:\t  1234 kB\n";
        assert_eq!(parse_kib(status, "VmHWM:"), Some(4321));
        assert_eq!(parse_kib(status, "VmRSS:"), Some(1234));
        assert_eq!(parse_kib(status, "VmSwap:"), None);
        assert_eq!(parse_kib("VmHWM:\tlots kB\n", "VmHWM:"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_touched_block_is_resident_and_counted_in_the_peak() {
        // 32 MiB written to, so resident.
        let block = vec![1u8; 32 << 20];
        let now = rss_bytes().expect("VmRSS on Linux");
        let peak = peak_rss_bytes().expect("VmHWM on Linux");
        assert!(std::hint::black_box(&block).iter().all(|b| *b == 1));
        assert!(now >= 32 << 20, "rss {now}");
        assert!(peak >= 32 << 20, "peak {peak}");
    }
}
