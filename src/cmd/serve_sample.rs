//! `ogi serve-sample`: the bundled sample portal on a loopback address.

use anyhow::Context;
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Arguments of `ogi serve-sample`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to bind (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Site files (one folder per virtual host).
    #[arg(long, default_value = "data/sample-portal")]
    root: PathBuf,
    /// On exit, write every request seen as JSON Lines to this file (host,
    /// path, status, conditional, user_agent, start_s and end_s in seconds
    /// since the server started): the log the benchmarks check politeness with.
    #[arg(long, value_name = "FILE")]
    request_log: Option<PathBuf>,
}

/// Serves until interrupted (Ctrl-C), printing the bound address first.
pub fn run(args: ServeArgs) -> anyhow::Result<i32> {
    anyhow::ensure!(
        args.addr.ip().is_loopback(),
        crate::messages::sample_not_loopback(args.addr)
    );
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let started = std::time::Instant::now();
        let server =
            ogi_testkit::serve_sample(args.addr, args.root, ogi_testkit::Faults::none()).await?;
        println!("{}", server.addr());
        std::io::stdout().flush()?;
        tokio::signal::ctrl_c().await?;
        if let Some(path) = &args.request_log {
            write_request_log(path, started, &server.requests())?;
        }
        server.shutdown().await;
        Ok(0)
    })
}

/// Writes the request log atomically, one JSON object a line.
fn write_request_log(
    path: &std::path::Path,
    started: std::time::Instant,
    records: &[ogi_testkit::RequestRecord],
) -> anyhow::Result<()> {
    let secs = |t: std::time::Instant| t.saturating_duration_since(started).as_secs_f64();
    let mut out = Vec::new();
    for r in records {
        let line = serde_json::json!({
            "host": r.host,
            "path": r.path,
            "status": r.status,
            "conditional": r.conditional,
            "user_agent": r.user_agent,
            "start_s": secs(r.start),
            "end_s": r.end.map(secs),
        });
        writeln!(out, "{line}")?;
    }
    ogi_util::write_atomic(path, &out)
        .with_context(|| format!("writing request log {}", path.display()))
}
