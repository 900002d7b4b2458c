//! The classroom seen from a trainee's page. After `/join`, the membership (class, trainee
//! id and token) is in localStorage; every lab and quiz page then reports steps, hints,
//! skips, incidents seen, terminal lines and quiz results over the class's WebSocket, and
//! applies what the instructor sends down: incidents (as the simulator's `Input::Incident`),
//! pause and resume of the clock, more time, and a reset.
//!
//! Reports wait in an outbox kept in localStorage until the server acknowledges them, so
//! a page that was offline sends what it missed when it is back; each report's id is made
//! of the lab, the attempt (`run`, counted up by every reset) and what happened, so a
//! report sent twice (or replayed when the page reloads its saved progress) counts once.
//!
//! Inside a SCORM package's frame, the page also posts each result to its parent.
//!
//! The lab page's hooks are `attach`, `observe`, `restarted` and `paused`; the quiz page's
//! is `quiz_results`. A callback into the page is never called while this module's state
//! is borrowed.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use simulator::Output;
use simulator::quiz::QuizResult;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};
use yew::Callback;

use crate::progress::{load_json, save_json};

const MEMBERSHIP_KEY: &str = "gitops-lab/classroom";
const OUTBOX_KEY: &str = "gitops-lab/classroom/outbox";
const SINCE_KEY: &str = "gitops-lab/classroom/since";
/// Reports kept while offline; past this the oldest terminal lines go first.
const OUTBOX_LIMIT: usize = 5000;
/// The longest terminal line reported (the server refuses longer ones).
const MAX_LINE: usize = 2000;
/// How often unacknowledged reports are sent again while connected.
const RESEND_MS: u32 = 20_000;

/// What `/join` stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Membership {
    class_id: String,
    trainee_id: String,
    token: String,
    name: String,
    #[serde(default)]
    class_name: String,
}

/// What the instructor asked the open page to do.
enum Action {
    Incident(Callback<String>, String),
    Reset(Callback<()>),
}

#[derive(Default)]
struct Session {
    membership: Option<Membership>,
    socket: Option<WebSocket>,
    open: bool,
    outbox: Vec<Value>,
    queued: HashSet<String>,
    retry_ms: u32,
    /// The lab open on this page, its attempt number and number of steps.
    lab: Option<String>,
    run: u32,
    steps: usize,
    /// Points per step in this attempt (for the SCORM score).
    points: BTreeMap<String, u32>,
    finished: HashSet<String>,
    /// Terminal lines and incidents so far in this attempt (they number the reports).
    terminal_lines: u32,
    incidents: BTreeMap<String, u32>,
    paused: bool,
    ends_at: Option<f64>,
    class_labs: Vec<String>,
    applied: Vec<String>,
    on_incident: Option<Callback<String>>,
    on_reset: Option<Callback<()>>,
    error: Option<String>,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

fn with<R>(f: impl FnOnce(&mut Session) -> R) -> Option<R> {
    SESSION.with(|s| s.borrow_mut().as_mut().map(f))
}

fn run_key(lab: &str) -> String {
    format!("gitops-lab/classroom/run/{lab}")
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// Starts the session once per page: reads the membership and connects.
fn ensure_started() {
    let fresh = SESSION.with(|s| {
        let mut s = s.borrow_mut();
        if s.is_some() {
            return false;
        }
        let membership: Option<Membership> = load_json(MEMBERSHIP_KEY);
        let outbox: Vec<Value> = if membership.is_some() { load_json(OUTBOX_KEY).unwrap_or_default() } else { Vec::new() };
        let queued = outbox.iter().filter_map(|v| v["id"].as_str().map(String::from)).collect();
        *s = Some(Session { membership, outbox, queued, retry_ms: 1000, ..Session::default() });
        true
    });
    if fresh && with(|s| s.membership.is_some()) == Some(true) {
        connect();
        let resend = gloo_timers::callback::Interval::new(RESEND_MS, flush);
        resend.forget();
        let bar = gloo_timers::callback::Interval::new(10_000, draw_bar);
        bar.forget();
    }
}

fn connect() {
    let Some(url) = with(|s| {
        let m = s.membership.as_ref()?;
        let location = window()?.location();
        let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
        let host = location.host().ok()?;
        let since: Option<f64> = load_json(SINCE_KEY);
        let mut url = format!("{scheme}://{host}/api/classes/{}/live?token={}", m.class_id, m.token);
        if let Some(since) = since {
            url.push_str(&format!("&since={}", since as i64));
        }
        Some(url)
    })
    .flatten() else {
        return;
    };
    let Ok(socket) = WebSocket::new(&url) else { return };
    let onopen = Closure::<dyn FnMut()>::new(|| {
        with(|s| {
            s.open = true;
            s.retry_ms = 1000;
        });
        flush();
        draw_bar();
    });
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        if let Some(text) = event.data().as_string() {
            receive(&text);
        }
    });
    let onclose = Closure::<dyn FnMut()>::new(|| {
        let retry = with(|s| {
            s.open = false;
            s.socket = None;
            let retry = s.retry_ms;
            s.retry_ms = (s.retry_ms * 2).min(15_000);
            retry
        })
        .unwrap_or(5000);
        draw_bar();
        gloo_timers::callback::Timeout::new(retry, connect).forget();
    });
    socket.set_onopen(Some(onopen.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    socket.set_onclose(Some(onclose.as_ref().unchecked_ref()));
    // One set of handlers per connection; a page reconnects seldom.
    onopen.forget();
    onmessage.forget();
    onclose.forget();
    with(|s| s.socket = Some(socket));
}

/// Sends every report still waiting.
fn flush() {
    with(|s| {
        if let (true, Some(socket)) = (s.open, &s.socket) {
            for report in &s.outbox {
                let _ = socket.send_with_str(&report.to_string());
            }
        }
    });
}

fn save_outbox(s: &Session) {
    save_json(OUTBOX_KEY, &s.outbox);
}

/// Queues a report (once per id) and sends it if connected.
fn queue(report: Value) {
    with(|s| {
        if s.membership.is_none() {
            return;
        }
        let Some(id) = report["id"].as_str().map(String::from) else { return };
        if !s.queued.insert(id) {
            return;
        }
        if s.outbox.len() >= OUTBOX_LIMIT {
            let drop = s.outbox.iter().position(|r| r["type"] == "command").unwrap_or(0);
            s.outbox.remove(drop);
        }
        if let (true, Some(socket)) = (s.open, &s.socket) {
            let _ = socket.send_with_str(&report.to_string());
        }
        s.outbox.push(report);
        save_outbox(s);
    });
    draw_bar();
}

fn receive(text: &str) {
    let Ok(message) = serde_json::from_str::<Value>(text) else { return };
    let mut actions = Vec::new();
    with(|s| match message["type"].as_str().unwrap_or_default() {
        "ack" => {
            if let Some(id) = message["id"].as_str() {
                s.outbox.retain(|r| r["id"].as_str() != Some(id));
                save_outbox(s);
            }
        }
        "error" => {
            // A report the server refuses for good is dropped; one it could not store stays.
            let retry = message["retry"].as_bool().unwrap_or(false);
            if let (Some(id), false) = (message["id"].as_str(), retry) {
                s.outbox.retain(|r| r["id"].as_str() != Some(id));
                save_outbox(s);
            }
            s.error = message["message"].as_str().map(String::from);
        }
        "welcome" | "sync" => {
            if let Some(m) = s.membership.as_mut() {
                m.class_name = message["className"].as_str().unwrap_or_default().to_string();
            }
            s.paused = message["paused"].as_bool().unwrap_or(false);
            s.ends_at = message["endsAt"].as_f64();
            s.class_labs = message["labs"].as_array().into_iter().flatten().filter_map(|l| l.as_str().map(String::from)).collect();
            if load_json::<f64>(SINCE_KEY).is_none()
                && let Some(now) = message["now"].as_f64()
            {
                save_json(SINCE_KEY, &now);
            }
            for command in message["commands"].as_array().into_iter().flatten() {
                apply(s, command, &mut actions);
            }
        }
        "incident" | "clock" | "reset" => apply(s, &message, &mut actions),
        _ => {}
    });
    draw_bar();
    for action in actions {
        match action {
            Action::Incident(callback, id) => callback.emit(id),
            Action::Reset(callback) => callback.emit(()),
        }
    }
}

/// Applies one command of the instructor's (once per command id).
fn apply(s: &mut Session, command: &Value, actions: &mut Vec<Action>) {
    let Some(id) = command["commandId"].as_str() else { return };
    if s.applied.iter().any(|a| a == id) {
        return;
    }
    s.applied.push(id.to_string());
    let excess = s.applied.len().saturating_sub(500);
    s.applied.drain(..excess);
    if let Some(at) = command["issuedAt"].as_f64() {
        let since: f64 = load_json(SINCE_KEY).unwrap_or(0.0);
        save_json(SINCE_KEY, &since.max(at));
    }
    match command["type"].as_str().unwrap_or_default() {
        "incident" => {
            let lab = command["lab"].as_str();
            if let (Some(incident), Some(callback)) = (command["incident"].as_str(), &s.on_incident)
                && lab.is_some()
                && lab == s.lab.as_deref()
            {
                actions.push(Action::Incident(callback.clone(), incident.to_string()));
            }
        }
        "clock" => {
            s.paused = command["paused"].as_bool().unwrap_or(false);
            s.ends_at = command["endsAt"].as_f64();
        }
        "reset" => {
            let mine = s.membership.as_ref().is_some_and(|m| command["traineeId"].as_str() == Some(m.trainee_id.as_str()));
            if !mine {
                return;
            }
            let only = command["lab"].as_str().map(String::from);
            let labs: Vec<String> = match &only {
                Some(lab) => vec![lab.clone()],
                None => s.class_labs.clone(),
            };
            for lab in labs {
                if Some(&lab) == s.lab.as_ref() {
                    if let Some(callback) = &s.on_reset {
                        actions.push(Action::Reset(callback.clone()));
                    }
                } else {
                    // A lab not open here starts again when it is next opened.
                    crate::progress::clear(&lab);
                    let run: u32 = load_json(&run_key(&lab)).unwrap_or(0);
                    save_json(&run_key(&lab), &(run + 1));
                }
            }
        }
        _ => {}
    }
}

/// The small bar at the top of a class member's page: class, connection, clock.
fn draw_bar() {
    let Some(text) = with(|s| {
        let m = s.membership.as_ref()?;
        let mut parts = vec![format!("Class {} as {}", if m.class_name.is_empty() { "…" } else { &m.class_name }, m.name)];
        let waiting = s.outbox.len();
        parts.push(match (s.open, waiting) {
            (true, 0) => "● live".to_string(),
            (true, n) => format!("● live, sending {n}"),
            (false, 0) => "○ offline".to_string(),
            (false, n) => format!("○ offline, {n} reports kept to send"),
        });
        if s.paused {
            parts.push("⏸ Paused by your instructor".into());
        }
        if let Some(end) = s.ends_at {
            let minutes = ((end - js_sys::Date::now()) / 60_000.0).ceil();
            parts.push(if minutes > 0.0 { format!("{minutes} min left") } else { "time is up".into() });
        }
        if let Some(e) = &s.error {
            parts.push(format!("server: {e}"));
        }
        Some((parts.join(" · "), s.paused))
    })
    .flatten() else {
        return;
    };
    let Some(document) = window().and_then(|w| w.document()) else { return };
    let bar = match document.get_element_by_id("classroom-bar") {
        Some(bar) => bar,
        None => {
            let Ok(bar) = document.create_element("div") else { return };
            bar.set_id("classroom-bar");
            let _ = bar.set_attribute("role", "status");
            let _ = bar.set_attribute("aria-live", "polite");
            if let Some(body) = document.body() {
                let _ = body.prepend_with_node_1(&bar);
            }
            bar
        }
    };
    bar.set_text_content(Some(&text.0));
    bar.set_class_name(if text.1 { "classroom-bar paused" } else { "classroom-bar" });
}

/// The lab page opened `lab`: incidents and resets for it go to these callbacks.
pub fn attach(lab: &str, on_incident: Callback<String>, on_reset: Callback<()>) {
    ensure_started();
    let steps = simulator::content::builtin_lab(lab).map(|l| l.steps.len()).unwrap_or(0);
    with(|s| {
        s.lab = Some(lab.to_string());
        s.run = load_json(&run_key(lab)).unwrap_or(0);
        s.steps = steps;
        s.points.clear();
        s.finished.clear();
        s.terminal_lines = 0;
        s.incidents.clear();
        s.on_incident = Some(on_incident);
        s.on_reset = Some(on_reset);
    });
    draw_bar();
}

/// The lab started again (the trainee's Reset or the instructor's): the next attempt.
pub fn restarted() {
    with(|s| {
        let Some(lab) = s.lab.clone() else { return };
        s.run += 1;
        save_json(&run_key(&lab), &s.run);
        s.points.clear();
        s.finished.clear();
        s.terminal_lines = 0;
        s.incidents.clear();
    });
}

/// Whether the instructor paused every clock.
pub fn paused() -> bool {
    with(|s| s.paused).unwrap_or(false)
}

/// Reports what the world told the page.
pub fn observe(output: &Output) {
    let Some(Some((lab, run))) = with(|s| s.lab.clone().map(|l| (l, s.run))) else { return };
    let report = match output {
        Output::Step { report } if report.passed && !report.skipped => {
            let points = 10u32.saturating_sub(3 * report.hints_used as u32).max(4);
            with(|s| {
                s.points.insert(report.step.clone(), points);
                s.finished.insert(report.step.clone());
            });
            json!({ "type": "step", "id": format!("step:{lab}:{run}:{}", report.step), "lab": lab, "step": report.step, "passed": true, "score": points, "run": run })
        }
        Output::Hint { step, level, .. } => {
            json!({ "type": "hint", "id": format!("hint:{lab}:{run}:{step}:{level}"), "lab": lab, "step": step, "level": level, "run": run })
        }
        Output::Incident { id, .. } => {
            let n = with(|s| {
                let n = s.incidents.entry(id.clone()).or_insert(0);
                *n += 1;
                *n
            })
            .unwrap_or(1);
            json!({ "type": "incident", "id": format!("incident:{lab}:{run}:{id}:{n}"), "lab": lab, "incident": id, "run": run })
        }
        Output::Terminal { command, exit_code, .. } if !command.trim().is_empty() => {
            let n = with(|s| {
                s.terminal_lines += 1;
                s.terminal_lines
            })
            .unwrap_or(0);
            let mut line = command.clone();
            if line.len() > MAX_LINE {
                let mut end = MAX_LINE;
                while !line.is_char_boundary(end) {
                    end -= 1;
                }
                line.truncate(end);
            }
            json!({ "type": "command", "id": format!("command:{lab}:{run}:{n}"), "lab": lab, "line": line, "exitCode": exit_code, "run": run })
        }
        _ => return,
    };
    let scorm = matches!(output, Output::Step { .. });
    queue(report);
    if scorm {
        post_lab_score();
    }
}

/// The trainee skips the active step (its solution is applied for them; it earns nothing).
pub fn skipping(reports: &[simulator::lab::StepReport]) {
    let Some(Some((lab, run))) = with(|s| s.lab.clone().map(|l| (l, s.run))) else { return };
    let Some(step) = reports.iter().find(|r| r.active && !r.passed).map(|r| r.step.clone()) else { return };
    with(|s| s.finished.insert(step.clone()));
    queue(json!({ "type": "skip", "id": format!("skip:{lab}:{run}:{step}"), "lab": lab, "step": step, "run": run }));
    post_lab_score();
}

/// A quiz page saved its results: each attempt's result is reported once.
pub fn quiz_results(quiz: &str, results: &[QuizResult]) {
    ensure_started();
    for r in results {
        queue(json!({
            "type": "quiz",
            "id": format!("quiz:{quiz}:{}:{}", r.seed, r.attempt),
            "quiz": quiz,
            "score": r.score.min(100),
            "passed": r.passed,
            "attempt": r.attempt,
        }));
    }
    if let Some(last) = results.last() {
        post_to_lms("quiz", quiz, last.score.min(100), if last.passed { "passed" } else { "failed" });
    }
}

fn post_lab_score() {
    let Some(Some((lab, points, max, done))) = with(|s| {
        let lab = s.lab.clone()?;
        Some((lab, s.points.values().sum::<u32>(), 10 * s.steps as u32, s.finished.len() >= s.steps && s.steps > 0))
    }) else {
        return;
    };
    let score = if max == 0 { 0 } else { points * 100 / max };
    let status = match (done, score >= 70) {
        (true, true) => "passed",
        (true, false) => "failed",
        (false, _) => "incomplete",
    };
    post_to_lms("lab", &lab, score, status);
}

/// Inside a SCORM package's frame, tells the package's launch page the result.
fn post_to_lms(kind: &str, id: &str, score: u32, status: &str) {
    let Some(window) = window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let message = json!({ "source": "gitops-lab", "kind": kind, "id": id, "score": score, "status": status });
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        let _ = parent.post_message(&value, "*");
    }
}
