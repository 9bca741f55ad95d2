//! `ogi serve-sample`: the bundled sample portal on a loopback address.

use clap::Args;
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
}

/// Serves until interrupted (Ctrl-C), printing the bound address first.
pub fn run(args: ServeArgs) -> anyhow::Result<i32> {
    anyhow::ensure!(
        args.addr.ip().is_loopback(),
        crate::messages::sample_not_loopback(args.addr)
    );
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let server =
            ogi_testkit::serve_sample(args.addr, args.root, ogi_testkit::Faults::none()).await?;
        println!("{}", server.addr());
        tokio::signal::ctrl_c().await?;
        server.shutdown().await;
        Ok(0)
    })
}
