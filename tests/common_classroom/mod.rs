//! Shared by the classroom tests and the load benchmark: a classroom server on 127.0.0.1
//! in this process, a plain HTTP/1.1 client and a WebSocket client.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use gitops_lab::classroom::{Classroom, Options};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

pub const INSTRUCTOR: &str = "instructor-token-for-tests";

pub struct Server {
    pub addr: SocketAddr,
    pub classroom: Arc<Classroom>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stops serving and closes the database (as a process that ends would).
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        self.classroom.store.close().await;
    }
}

/// A server with the site's routes and the classroom, on a free port of 127.0.0.1.
pub async fn start_with(options: Options) -> Server {
    let files = simulator::content::builtin();
    let started = Classroom::start(&options, &files).await.expect("the classroom starts");
    let dir = std::env::temp_dir().join("gitops-lab-no-site");
    let app = gitops_lab::server::router(&files, gitops_lab::server::Site::Dir(dir))
        .expect("the built-in content loads")
        .merge(gitops_lab::classroom::router(started.classroom.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Server { addr, classroom: started.classroom, task }
}

pub async fn start(database: &str) -> Server {
    start_with(options(database)).await
}

pub fn options(database: &str) -> Options {
    Options { instructor_token: Some(INSTRUCTOR.into()), ..Options::new(database) }
}

/// A fresh SQLite database file in the temporary folder.
pub fn sqlite_url(name: &str) -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("gitops-lab-classroom-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}/{name}.db", dir.display())
}

/// An HTTP answer: status, headers (lower-case names) and body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with `Connection: close`.
pub async fn request(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    if let Some(b) = body {
        stream.write_all(b).await.unwrap();
    }
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut raw)).await.expect("an answer in time").unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("a status line");
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string())).collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked")) {
        body = dechunk(&body);
    }
    Answer { status, headers, body }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}

pub async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Answer {
    request(addr, "GET", path, token, None).await
}

pub async fn post(addr: SocketAddr, path: &str, token: Option<&str>, body: &Value) -> Answer {
    request(addr, "POST", path, token, Some(body.to_string().as_bytes())).await
}

/// Creates a class covering the drift lab (and the tools quiz) and returns its JSON.
pub async fn create_class(addr: SocketAddr, name: &str) -> Value {
    let a = post(addr, "/api/classes", Some(INSTRUCTOR), &serde_json::json!({ "name": name, "labs": ["drift-2am"], "quizzes": ["tools"] }))
        .await;
    assert_eq!(a.status, 201, "{}", a.text());
    a.json()
}

/// Joins a class and returns `{traineeId, token, classId, ...}`.
pub async fn join(addr: SocketAddr, code: &str, name: &str) -> Value {
    let a = post(addr, "/api/join", None, &serde_json::json!({ "code": code, "name": name })).await;
    assert_eq!(a.status, 201, "{}", a.text());
    a.json()
}

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// Opens the live socket; `Err` holds the HTTP status when the server refused the upgrade.
pub async fn live(addr: SocketAddr, class: &str, token: &str, since: Option<i64>) -> Result<Socket, u16> {
    let mut url = format!("ws://{addr}/api/classes/{class}/live?token={token}");
    if let Some(s) = since {
        url.push_str(&format!("&since={s}"));
    }
    match tokio_tungstenite::connect_async(url).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("the WebSocket failed: {e}"),
    }
}

/// The next JSON message (text frames only), waiting at most `within`.
pub async fn next_json(socket: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(t.as_str()).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// The next message of type `kind`, skipping others.
pub async fn next_of(socket: &mut Socket, kind: &str, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        let m = next_json(socket, left).await?;
        if m["type"] == kind {
            return Some(m);
        }
    }
}

pub async fn send(socket: &mut Socket, value: &Value) {
    socket.send(Message::Text(value.to_string().into())).await.expect("the socket takes a message");
}

/// A PostgreSQL URL for a fresh schema, or `None` (with a message) when no server listens;
/// with CI=true a missing server fails the test instead.
pub async fn postgres_schema(test: &str) -> Option<(String, String)> {
    let base = std::env::var("GITOPS_LAB_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    let pool = match sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&base).await {
        Ok(p) => p,
        Err(e) if ci => panic!("CI=true but PostgreSQL at {base} is not reachable: {e}"),
        Err(e) => {
            eprintln!("SKIPPED {test}: PostgreSQL at {base} is not reachable ({e}); set GITOPS_LAB_TEST_POSTGRES");
            return None;
        }
    };
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let schema = format!("gitops_lab_{}_{}_{nanos}", test.replace('-', "_"), std::process::id());
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&pool).await.expect("a fresh schema");
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    Some((format!("{base}{sep}options=-c%20search_path%3D{schema}"), schema))
}

pub async fn drop_schema(schema: &str) {
    let base = std::env::var("GITOPS_LAB_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if let Ok(pool) = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(&base).await {
        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&pool).await;
        pool.close().await;
    }
}
