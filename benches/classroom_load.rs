//! A bounded load test of the classroom, on 127.0.0.1 only: 200 trainees on WebSockets
//! report progress at a realistic rate (one report every 2 to 4 seconds each) while the
//! instructor broadcasts 20 incidents, one a second. It prints the broadcast latency (from
//! the instructor's POST to each trainee's socket: p50, p99, max), the server's CPU time
//! and peak memory, and checks that nothing is lost: every report acknowledged and stored
//! once, every incident received by every trainee.
//!
//! Two set-ups: one server on SQLite, and two replicas on PostgreSQL (trainees and
//! broadcasts spread over both). The servers are the real binary, as separate processes.
//!
//!     cargo bench --bench classroom_load            # both
//!     cargo bench --bench classroom_load -- sqlite  # one of them
//!
//! PostgreSQL: 127.0.0.1:5432, database `test`, a fresh schema (GITOPS_LAB_TEST_POSTGRES
//! names another server).

#[path = "../tests/common_classroom/mod.rs"]
mod common_classroom;

use common_classroom::{INSTRUCTOR, Socket, get, live, next_json, post, send};
use serde_json::json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const TRAINEES: usize = 200;
const INCIDENTS: usize = 20;
/// Before the first incident, so that every socket is open and reporting.
const WARM_UP: Duration = Duration::from_secs(3);
const BETWEEN_INCIDENTS: Duration = Duration::from_secs(1);
/// After the last incident, the trainees keep reporting this long.
const COOL_DOWN: Duration = Duration::from_secs(3);
/// The whole run may not take longer than this.
const LIMIT: Duration = Duration::from_secs(120);

struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    _stdout: std::thread::JoinHandle<()>,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_server(database: &str) -> ServerProcess {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database", database, "--joins-per-minute", "100000"])
        .env("GITOPS_LAB_INSTRUCTOR_TOKEN", INSTRUCTOR)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("the server prints its address").unwrap();
    let addr = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .map(|w| w.trim_end_matches('/').parse().unwrap())
        .unwrap_or_else(|| panic!("an address in `{first}`"));
    // Keep reading, so the server never writes to a closed pipe.
    let stdout = std::thread::spawn(move || for _ in lines {});
    ServerProcess { child, addr, _stdout: stdout }
}

/// CPU seconds (user + system) the process has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// Peak resident memory in MiB.
fn peak_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

struct Trainee {
    socket: Socket,
    class: String,
    index: usize,
}

async fn run(label: &str, servers: &[ServerProcess]) {
    let started = Instant::now();
    let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let class = post(addrs[0], "/api/classes", Some(INSTRUCTOR), &json!({ "name": "Load", "labs": ["drift-2am"] })).await.json();
    let class_id = class["id"].as_str().unwrap().to_string();
    let code = class["joinCode"].as_str().unwrap().to_string();

    // Join and connect, spread over the replicas.
    let mut trainees = Vec::new();
    for i in 0..TRAINEES {
        let addr = addrs[i % addrs.len()];
        let joined = post(addr, "/api/join", None, &json!({ "code": code, "name": format!("trainee-{i}") })).await;
        assert_eq!(joined.status, 201, "{}", joined.text());
        let token = joined.json()["token"].as_str().unwrap().to_string();
        let socket = live(addr, &class_id, &token, None).await.expect("a trainee's socket");
        trainees.push(Trainee { socket, class: class_id.clone(), index: i });
    }
    let cpu_before: Vec<f64> = servers.iter().map(|s| cpu_seconds(s.child.id())).collect();
    let load_start = Instant::now();
    let run_until = load_start + WARM_UP + BETWEEN_INCIDENTS * INCIDENTS as u32 + COOL_DOWN;

    // command id -> when the instructor sent it; (command id, when a trainee got it).
    let sent_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let received: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let reports_sent = Arc::new(AtomicU64::new(0));
    let reports_acked = Arc::new(AtomicU64::new(0));

    let mut tasks = Vec::new();
    for mut t in trainees {
        let received = received.clone();
        let reports_sent = reports_sent.clone();
        let reports_acked = reports_acked.clone();
        tasks.push(tokio::spawn(async move {
            let _ = &t.class;
            // Each trainee reports every 2 to 4 s (spread by its index), until the end.
            let period = Duration::from_millis(2000 + (t.index as u64 * 37) % 2000);
            let mut next_report = Instant::now() + Duration::from_millis((t.index as u64 * 13) % 2000);
            let mut n = 0u64;
            let mut incidents = 0;
            loop {
                let now = Instant::now();
                if now >= run_until {
                    break;
                }
                if now >= next_report {
                    n += 1;
                    let report = json!({ "type": "command", "id": format!("c{n}"), "lab": "drift-2am", "line": format!("kubectl get pods -n payments # {n}"), "exitCode": 0 });
                    send(&mut t.socket, &report).await;
                    reports_sent.fetch_add(1, Ordering::Relaxed);
                    next_report += period;
                }
                let wait = next_report.min(run_until).saturating_duration_since(Instant::now());
                if let Some(m) = next_json(&mut t.socket, wait.max(Duration::from_millis(1))).await {
                    match m["type"].as_str() {
                        Some("incident") => {
                            incidents += 1;
                            received.lock().await.push((m["commandId"].as_str().unwrap_or_default().to_string(), Instant::now()));
                        }
                        Some("ack") => {
                            reports_acked.fetch_add(1, Ordering::Relaxed);
                        }
                        Some("error") => panic!("the server refused a report: {m}"),
                        _ => {}
                    }
                }
            }
            // Collect the last acknowledgements.
            let drain_until = Instant::now() + Duration::from_secs(5);
            while reports_acked.load(Ordering::Relaxed) < reports_sent.load(Ordering::Relaxed) && Instant::now() < drain_until {
                match next_json(&mut t.socket, Duration::from_millis(200)).await {
                    Some(m) if m["type"] == "ack" => {
                        reports_acked.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(m) if m["type"] == "incident" => {
                        incidents += 1;
                        received.lock().await.push((m["commandId"].as_str().unwrap_or_default().to_string(), Instant::now()));
                    }
                    _ => {}
                }
            }
            incidents
        }));
    }

    // The instructor: 20 incidents, one a second, through the replicas in turn.
    tokio::time::sleep(WARM_UP).await;
    let incidents = ["service-deleted", "node-down", "node-up"];
    for k in 0..INCIDENTS {
        let addr = addrs[k % addrs.len()];
        let at = Instant::now();
        let answer = post(
            addr,
            &format!("/api/classes/{class_id}/incidents"),
            Some(INSTRUCTOR),
            &json!({ "lab": "drift-2am", "incident": incidents[k % 3] }),
        )
        .await;
        assert_eq!(answer.status, 202, "{}", answer.text());
        sent_at.lock().await.insert(answer.json()["commandId"].as_str().unwrap().to_string(), at);
        tokio::time::sleep_until((at + BETWEEN_INCIDENTS).into()).await;
    }
    let mut per_trainee = Vec::new();
    for task in tasks {
        per_trainee.push(task.await.expect("a trainee's task"));
    }
    let wall = load_start.elapsed().as_secs_f64();
    let cpu: Vec<f64> = servers.iter().zip(&cpu_before).map(|(s, before)| cpu_seconds(s.child.id()) - before).collect();
    let memory: Vec<f64> = servers.iter().map(|s| peak_mib(s.child.id())).collect();

    let sent_at = sent_at.lock().await;
    let mut latencies: Vec<f64> = received
        .lock()
        .await
        .iter()
        .filter_map(|(id, at)| sent_at.get(id).map(|sent| at.saturating_duration_since(*sent).as_secs_f64() * 1000.0))
        .collect();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let expected = TRAINEES * INCIDENTS;
    let stored: u64 = {
        let p = get(addrs[addrs.len() - 1], &format!("/api/classes/{class_id}/progress"), Some(INSTRUCTOR)).await.json();
        p["trainees"].as_array().unwrap().iter().map(|t| t["labs"]["drift-2am"]["commands"].as_u64().unwrap_or(0)).sum()
    };
    let sent = reports_sent.load(Ordering::Relaxed);
    let acked = reports_acked.load(Ordering::Relaxed);
    println!("== classroom load: {label} ==");
    println!("trainees {TRAINEES}, incidents {INCIDENTS}, load phase {wall:.1} s (whole run {:.1} s)", started.elapsed().as_secs_f64());
    println!(
        "broadcast latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} deliveries (expected {expected})",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN),
        latencies.len()
    );
    println!("reports: {sent} sent ({:.0}/s), {acked} acknowledged, {stored} stored", sent as f64 / wall);
    for (i, (c, m)) in cpu.iter().zip(&memory).enumerate() {
        println!("server {}: CPU {:.2} s ({:.0}% of one core), peak memory {:.1} MiB", i + 1, c, c / wall * 100.0, m);
    }
    let lost_incidents = expected - latencies.len();
    let complete = per_trainee.iter().all(|n| *n == INCIDENTS);
    println!(
        "nothing lost: {}",
        if lost_incidents == 0 && complete && acked == sent && stored == sent {
            "yes".to_string()
        } else {
            format!(
                "NO ({lost_incidents} incident deliveries missing, {} reports unacknowledged, {} not stored)",
                sent - acked.min(sent),
                sent - stored.min(sent)
            )
        }
    );
}

fn main() {
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let deadline = Instant::now() + LIMIT * 2;
    if only.as_deref().is_none_or(|o| o == "sqlite") {
        let dir = std::env::temp_dir().join(format!("gitops-lab-load-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let server = spawn_server(&format!("sqlite://{}/load.db", dir.display()));
        runtime.block_on(async {
            tokio::time::timeout(LIMIT, run("one server, SQLite", std::slice::from_ref(&server))).await.expect("the run ends in time")
        });
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if only.as_deref().is_none_or(|o| o == "postgres") && Instant::now() < deadline {
        let schema = runtime.block_on(common_classroom::postgres_schema("load"));
        match schema {
            Some((url, schema)) => {
                let servers = [spawn_server(&url), spawn_server(&url)];
                runtime.block_on(async {
                    // Both replicas listen before the run starts.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    tokio::time::timeout(LIMIT, run("two replicas, PostgreSQL", &servers)).await.expect("the run ends in time")
                });
                drop(servers);
                runtime.block_on(common_classroom::drop_schema(&schema));
            }
            None => println!("== classroom load: two replicas, PostgreSQL == skipped (no server)"),
        }
    }
}
