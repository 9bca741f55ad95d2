//! A loopback HTTP server whose virtual hosts answer with closures, and a log
//! of every request (method, host, path, query, form body): for tests that
//! script a portal's answers request by request (platform adapters, discovery,
//! challenges), where [`crate::sample`] serves files from a directory.
//!
//! `robots.txt` of a scripted host is "not found" (everything allowed) unless
//! the site answers it with 412 (a challenge).

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    /// HTTP method (`GET`, `POST`).
    pub method: String,
    /// Host name from the `Host` header, lower case, without the port.
    pub host: String,
    /// URL path.
    pub path: String,
    /// Raw query string (`""` when none).
    pub query: String,
    /// Request body (a form body of a POST), lossily decoded.
    pub body: String,
}

impl Req {
    /// A query or form parameter.
    pub fn param(&self, key: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .chain(url::form_urlencoded::parse(self.body.as_bytes()))
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl Resp {
    fn ok(content_type: &'static str, body: Vec<u8>) -> Resp {
        Resp {
            status: 200,
            content_type,
            body,
        }
    }

    /// 200, UTF-8 HTML.
    pub fn html(s: impl Into<String>) -> Resp {
        Resp::ok("text/html; charset=utf-8", s.into().into_bytes())
    }

    /// 200, JSON.
    pub fn json(s: impl Into<String>) -> Resp {
        Resp::ok("application/json", s.into().into_bytes())
    }

    /// 200, UTF-8 XML.
    pub fn xml(s: impl Into<String>) -> Resp {
        Resp::ok("text/xml; charset=utf-8", s.into().into_bytes())
    }

    /// 200, a minimal PDF whose body carries `tag` (so documents differ).
    pub fn pdf(tag: &str) -> Resp {
        Resp::ok(
            "application/pdf",
            format!("%PDF-1.4\n% {tag}\n%%EOF\n").into_bytes(),
        )
    }

    /// `status` with an HTML body.
    pub fn status(status: u16, body: &str) -> Resp {
        Resp {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }

    /// 404 with an empty body.
    pub fn not_found() -> Resp {
        Resp::status(404, "")
    }
}

/// A site: request → answer.
pub type Site = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

struct Shared {
    sites: HashMap<String, Site>,
    log: Mutex<Vec<Req>>,
}

/// The running server; stops when dropped.
pub struct Server {
    /// The loopback address it listens on (every host name maps here).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    /// Every request so far.
    pub fn log(&self) -> Vec<Req> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forgets the requests so far.
    pub fn clear(&self) {
        self.shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Requests to `host`.
    pub fn to_host(&self, host: &str) -> Vec<Req> {
        self.log().into_iter().filter(|r| r.host == host).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request<Body>) -> Response {
    let host = crate::sample::host_of(req.headers());
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let r = Req {
        method,
        host,
        path,
        query,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    shared
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(r.clone());
    let resp = match shared.sites.get(&r.host) {
        Some(site) if r.path == "/robots.txt" => {
            let answer = site(&r);
            if answer.status == 412 {
                answer
            } else {
                Resp::not_found()
            }
        }
        Some(site) => site(&r),
        None => Resp::not_found(),
    };
    Response::builder()
        .status(StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, resp.content_type)
        .body(Body::from(resp.body))
        .unwrap_or_default()
}

/// Starts the server on 127.0.0.1 (a free port) with the given sites by host name.
///
/// # Panics
/// When no loopback port can be bound (a test machine without loopback).
pub async fn serve(sites: HashMap<String, Site>) -> Server {
    let shared = Arc::new(Shared {
        sites,
        log: Mutex::new(Vec::new()),
    });
    let app = Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Server {
        addr,
        shared,
        shutdown: Some(tx),
    }
}
