//! `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` in the environment must not route the
//! crawler's requests past its private-address guard (a proxy resolves names
//! itself). Its own test binary: it changes the process environment.

use ogi_crawler::CrawlConfig;
use ogi_crawler::fetch::{FetchError, Fetcher, Validators};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use url::Url;

/// A stand-in proxy on loopback: answers every request with 200 and counts them.
fn fake_proxy(listener: TcpListener) -> Arc<AtomicUsize> {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret",
            );
        }
    });
    hits
}

fn config() -> CrawlConfig {
    CrawlConfig {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(5),
        progress: false,
        ..CrawlConfig::default()
    }
}

#[test]
fn proxies_from_the_environment_are_ignored_and_a_configured_one_is_used() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    // SAFETY: no other thread of this test binary exists yet (one test, the
    // proxy thread and the runtime are started after this).
    unsafe {
        for k in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
        ] {
            std::env::set_var(k, &proxy);
        }
        for k in ["NO_PROXY", "no_proxy"] {
            std::env::remove_var(k);
        }
    }
    let hits = fake_proxy(listener);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // "localhost" resolves to loopback: the guard refuses it, whatever the environment says.
    let target = Url::parse("http://localhost:9/latest/meta-data/").unwrap();

    let plain = Fetcher::new(&config()).unwrap();
    let got = rt.block_on(plain.get(&target, &Validators::default()));
    assert!(
        matches!(got, Err(FetchError::ForbiddenAddress(_))),
        "{got:?}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the request went to the environment's proxy"
    );

    // A proxy configured on purpose is used (and trusted with name resolution).
    let with_proxy = Fetcher::new(&CrawlConfig {
        proxy: Some(proxy.clone()),
        ..config()
    })
    .unwrap();
    let got = rt
        .block_on(with_proxy.get(&target, &Validators::default()))
        .unwrap();
    assert_eq!((got.status, &got.body[..]), (200, &b"secret"[..]));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}
