//! The Kubernetes API host under load: requests per second and p99 latency
//! of `kubectl get pods -A` (a Table of every pod, as kubectl asks for it)
//! through HTTPS for a 36-application world (`lab::fleet`), and the memory
//! one such session takes. Only against 127.0.0.1, bounded in count and time.
//!
//! `cargo bench --bench kube_api` (`-- --requests N --clients N --sessions N` to change the load)

use gitops_lab::kubeapi::{ApiServer, Options};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

fn fleet_world(seed: u64) -> simulator::World {
    let lab = simulator::lab::fleet::fleet_lab(12, &["dev", "staging", "prod"]);
    simulator::World::new(seed, &lab).expect("the fleet lab builds")
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map(|pages| pages * 4096)
        .unwrap_or(0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// One keep-alive HTTPS connection that GETs a path and reads the whole response.
struct Client {
    stream: tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
    buf: Vec<u8>,
}

impl Client {
    async fn connect(server: &ApiServer) -> Client {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(server.ca_pem.as_bytes()).expect("the CA is PEM")).expect("the CA is valid");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let stream = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();
        Client { stream, buf: Vec::new() }
    }

    async fn get(&mut self, path: &str, token: &str) -> usize {
        let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nAccept: {TABLE}\r\n\r\n");
        self.stream.write_all(request.as_bytes()).await.unwrap();
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                assert!(head.starts_with("http/1.1 200"), "{head}");
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .expect("a content-length");
                while self.buf.len() < end + 4 + length {
                    self.read_more().await;
                }
                self.buf.drain(..end + 4 + length);
                return length;
            }
            self.read_more().await;
        }
    }

    async fn read_more(&mut self) {
        let mut chunk = [0u8; 65536];
        let n = self.stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
    }
}

fn main() {
    let requests = arg("--requests", 2000);
    let clients = arg("--clients", 4).max(1);
    let sessions = arg("--sessions", 4).max(1);

    let before = rss_bytes();
    let server = ApiServer::start(
        fleet_world(1),
        Options { addr: "127.0.0.1:0".into(), speed: 1.0, namespace: "default".into(), keep_outputs: false },
    )
    .expect("the API host starts");
    let pods = server.host.lock().world.cluster().store.list("", "Pod", None).count();
    let apps = server.host.lock().world.agent().apps().count();
    let token = server.host.token.clone();

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (latencies, bytes, elapsed) = runtime.block_on(async {
        let per_client = requests.div_ceil(clients);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let mut client = Client::connect(&server).await;
            let token = token.clone();
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_client);
                let mut bytes = 0;
                let deadline = Instant::now() + Duration::from_secs(120);
                for _ in 0..per_client {
                    let t = Instant::now();
                    bytes = client.get("/api/v1/pods?limit=500", &token).await;
                    lat.push(t.elapsed());
                    if Instant::now() > deadline {
                        break;
                    }
                }
                (lat, bytes)
            }));
        }
        let mut all = Vec::new();
        let mut bytes = 0;
        for t in tasks {
            let (lat, b) = t.await.unwrap();
            all.extend(lat);
            bytes = b;
        }
        (all, bytes, started.elapsed())
    });
    let mut sorted = latencies.clone();
    sorted.sort();
    let p = |q: f64| sorted[((sorted.len() as f64 * q).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)];
    println!("world: {apps} applications, {pods} pods; response: {bytes} bytes (a Table of every pod)");
    println!(
        "get pods (-A, as a Table) over HTTPS: {} requests by {clients} clients in {:.2} s: {:.0} requests/s; p50 {:.2} ms, p99 {:.2} ms",
        sorted.len(),
        elapsed.as_secs_f64(),
        sorted.len() as f64 / elapsed.as_secs_f64(),
        p(0.50).as_secs_f64() * 1000.0,
        p(0.99).as_secs_f64() * 1000.0
    );

    let first = rss_bytes().saturating_sub(before);
    let mut more = Vec::new();
    let base = rss_bytes();
    for i in 1..sessions {
        more.push(
            ApiServer::start(
                fleet_world(i as u64 + 1),
                Options { addr: "127.0.0.1:0".into(), speed: 1.0, namespace: "default".into(), keep_outputs: false },
            )
            .unwrap(),
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    let extra = rss_bytes().saturating_sub(base);
    let per = if sessions > 1 { extra / (sessions as u64 - 1) } else { first };
    println!(
        "memory: the first session (world, watch cache, TLS, runtime) raised RSS by {:.1} MiB; each further session by {:.1} MiB ({} sessions)",
        first as f64 / 1048576.0,
        per as f64 / 1048576.0,
        sessions
    );
    drop(more);
    server.stop();
}
