//! A loopback HTTP server with virtual hosts whose answers are computed by
//! closures, and a log of every request (method, host, path, query, form body).

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
    pub method: String,
    pub host: String,
    pub path: String,
    pub query: String,
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
pub struct Resp {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn html(s: impl Into<String>) -> Resp {
        Resp {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: s.into().into_bytes(),
        }
    }
    pub fn json(s: impl Into<String>) -> Resp {
        Resp {
            status: 200,
            content_type: "application/json",
            body: s.into().into_bytes(),
        }
    }
    pub fn xml(s: impl Into<String>) -> Resp {
        Resp {
            status: 200,
            content_type: "text/xml; charset=utf-8",
            body: s.into().into_bytes(),
        }
    }
    pub fn pdf(tag: &str) -> Resp {
        Resp {
            status: 200,
            content_type: "application/pdf",
            body: format!("%PDF-1.4\n% {tag}\n%%EOF\n").into_bytes(),
        }
    }
    pub fn status(status: u16, body: &str) -> Resp {
        Resp {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
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

/// The running server.
pub struct Server {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    /// Every request so far.
    pub fn log(&self) -> Vec<Req> {
        self.shared.log.lock().unwrap().clone()
    }
    /// Forgets the requests so far.
    pub fn clear(&self) {
        self.shared.log.lock().unwrap().clear();
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
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
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
    shared.log.lock().unwrap().push(r.clone());
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
        .status(StatusCode::from_u16(resp.status).unwrap())
        .header(header::CONTENT_TYPE, resp.content_type)
        .body(Body::from(resp.body))
        .unwrap()
}

/// Starts the server on 127.0.0.1 with the given sites.
pub async fn serve(sites: HashMap<String, Site>) -> Server {
    let shared = Arc::new(Shared {
        sites,
        log: Mutex::new(Vec::new()),
    });
    let app = Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
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
