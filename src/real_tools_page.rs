//! A real-tools session hosted by `serve` (`gitops-lab serve --real-tools DIR --lab LAB`):
//! the lab's world served to the trainee's own kubectl and git (as `play --real-tools`
//! does), and a page beside the site that shows its status and timeline as they change:
//! `/real-tools` (the page) reads `/api/real-tools` (the state as JSON) every second.
//!
//! The page only reads the session's views (steps, applications, journal); the trainee
//! drives the world with kubectl and git in their own shell.

use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Json};
use axum::routing::get;
use serde_json::{Value, json};
use simulator::lab::Lab;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::kubeapi::{ApiServer, Host};
use crate::real_tools::RealRepo;

/// How many timeline entries the page shows (the newest).
const TIMELINE_LENGTH: usize = 200;

/// A running real-tools session: its API host, the lab, where its files are.
pub struct Hosted {
    pub server: ApiServer,
    pub lab: Lab,
    pub dir: PathBuf,
    pub clones: Vec<PathBuf>,
    stop: Arc<AtomicBool>,
    syncing: Option<std::thread::JoinHandle<()>>,
}

impl Hosted {
    /// Starts the lab's world for the real tools in `dir` and a thread that carries pushes
    /// across between the real repositories and the world every half second.
    pub fn start(files: &simulator::content::ContentFiles, id: &str, dir: &Path, speed: f64, seed: Option<u64>) -> Result<Hosted, String> {
        let (server, repos) = crate::real_tools::start(files, id, dir, speed, seed)?;
        let lab =
            simulator::content::labs(files).map_err(|e| e.to_string())?.into_iter().find(|l| l.id == id).ok_or("the lab went away")?;
        let clones = repos.iter().filter_map(|r| r.clone.clone()).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let syncing = Some(spawn_sync(server.host.clone(), repos, stop.clone()));
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        Ok(Hosted { server, lab, dir, clones, stop, syncing })
    }

    /// Stops syncing and serving.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.syncing.take() {
            let _ = t.join();
        }
        self.server.stop();
    }
}

/// Syncs the real repositories with the world and drops the world's outputs (the page reads
/// the session's views instead), until `stop`.
fn spawn_sync(host: Arc<Host>, mut repos: Vec<RealRepo>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            for r in &mut repos {
                if let Err(e) = r.sync(&host) {
                    tracing::warn!("syncing {}: {e}", r.bare.display());
                }
            }
            host.with_session(|s| while s.world.poll_output().is_some() {});
            std::thread::sleep(Duration::from_millis(500));
        }
    })
}

/// The session's state as the page shows it: clock, steps, applications, timeline.
pub fn state(hosted: &Hosted) -> Value {
    let s = hosted.server.host.lock();
    let world = &s.world;
    let steps: Vec<Value> = world
        .step_reports()
        .iter()
        .map(|r| json!({"index": r.index + 1, "title": r.title, "passed": r.passed, "skipped": r.skipped, "active": r.active, "expected": r.expected, "found": r.found}))
        .collect();
    let score = world.tracker().map(|t| t.score()).map(|sc| json!({"points": sc.points, "max": sc.max_points}));
    let apps: Vec<Value> = world
        .agent()
        .apps()
        .map(|a| {
            json!({
                "name": a.spec.name,
                "sync": a.status.sync_status.word(),
                "health": a.status.health.status.word(),
                "revision": a.status.revision.chars().take(7).collect::<String>(),
            })
        })
        .collect();
    let journal = world.journal();
    let timeline: Vec<Value> = journal
        .iter()
        .filter_map(|e| e.kind.timeline_label().map(|label| json!({"at": e.at.clock(), "label": label, "text": e.kind.describe()})))
        .collect();
    let newest = &timeline[timeline.len().saturating_sub(TIMELINE_LENGTH)..];
    json!({
        "lab": {"id": hosted.lab.id, "title": hosted.lab.title},
        "clock": world.now().clock(),
        "paused": s.clock.paused(),
        "kubeconfig": hosted.dir.join("kubeconfig").display().to_string(),
        "clones": hosted.clones.iter().map(|c| c.display().to_string()).collect::<Vec<_>>(),
        "steps": steps,
        "score": score,
        "applications": apps,
        "timeline": newest,
    })
}

/// `/real-tools` and `/api/real-tools`.
pub fn router(hosted: Arc<Hosted>) -> Router {
    Router::new()
        .route("/real-tools", get(page))
        .route("/api/real-tools", get(|State(h): State<Arc<Hosted>>| async move { Json(state(&h)) }))
        .with_state(hosted)
}

async fn page() -> impl IntoResponse {
    Html(PAGE)
}

/// The page: plain HTML and a script that renders `/api/real-tools` (text only, never markup).
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GitOps Lab: real tools</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/style.css">
</head>
<body>
<main class="real-tools">
<h1 id="title">GitOps Lab: real tools</h1>
<p>Drive this lab with your own kubectl and git: <code id="setup"></code></p>
<section aria-labelledby="status-h"><h2 id="status-h">Status</h2>
<p>Simulated clock: <strong id="clock"></strong> <span id="score"></span></p>
<table><thead><tr><th scope="col">Application</th><th scope="col">Sync</th><th scope="col">Health</th><th scope="col">Revision</th></tr></thead><tbody id="apps"></tbody></table>
<ol id="steps"></ol>
</section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>
<ol id="timeline" reversed></ol>
</section>
<p id="error" role="alert"></p>
</main>
<script>
function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
  return tr;
}
function item(text, cls) {
  const li = document.createElement("li"); li.textContent = text; if (cls) li.className = cls; return li;
}
async function refresh() {
  try {
    const r = await fetch("/api/real-tools", {cache: "no-store"});
    const s = await r.json();
    document.getElementById("title").textContent = s.lab.title + " (real tools)";
    document.getElementById("setup").textContent = "export KUBECONFIG=" + s.kubeconfig + (s.clones.length ? "; cd " + s.clones[0] : "");
    document.getElementById("clock").textContent = s.clock + (s.paused ? " (paused)" : "");
    document.getElementById("score").textContent = s.score ? "Score: " + s.score.points + " of " + s.score.max : "";
    document.getElementById("apps").replaceChildren(...s.applications.map(a => row([a.name, a.sync, a.health, a.revision])));
    document.getElementById("steps").replaceChildren(...s.steps.map(st => item(
      (st.passed ? "✔ " : st.active ? "▶ " : "· ") + st.title + (st.active ? " (expected: " + st.expected + "; found: " + st.found + ")" : ""),
      st.passed ? "passed" : st.active ? "active" : "later")));
    document.getElementById("timeline").replaceChildren(...s.timeline.slice().reverse().map(e => item(e.at + " " + e.label + ": " + e.text)));
    document.getElementById("error").textContent = "";
  } catch (e) {
    document.getElementById("error").textContent = "The session is not answering (" + e + ").";
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
"#;
