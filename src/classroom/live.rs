//! The live WebSocket, `/api/classes/{id}/live?token=...`.
//!
//! A trainee's socket carries reports up (each answered with an `ack` or an `error`) and the
//! instructor's commands down; it opens with a `welcome` holding the class's state and the
//! commands issued since `since` (what a page that was offline missed). The instructor's
//! socket opens with a `snapshot` of the grid, then streams each report as it is stored and
//! a fresh snapshot at most once a second. A socket that falls behind the broadcast, or a
//! replica whose listener reconnected, gets a fresh snapshot (or `sync`) from the tables.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

use super::Classroom;
use super::auth::{Caller, bearer, caller};
use super::error::ApiError;
use super::grid::summary;
use super::hub::Signal;
use super::messages::Report;
use super::store::{ClassRow, CommandRow, TraineeRow, now_ms};

/// The largest WebSocket message read from a page.
pub const MAX_MESSAGE: usize = 16 * 1024;
/// How often the instructor's grid is refreshed when nothing happens (idle times move on).
const IDLE_SNAPSHOT: Duration = Duration::from_secs(15);

#[derive(Deserialize)]
pub struct LiveQuery {
    #[serde(default)]
    token: Option<String>,
    /// The time (ms since the epoch) of the last command the page applied.
    #[serde(default)]
    since: Option<i64>,
}

pub async fn upgrade(
    State(c): State<Arc<Classroom>>,
    Path(id): Path<String>,
    Query(query): Query<LiveQuery>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token = query.token.clone().or_else(|| bearer(&headers));
    let who = match caller(&c, token.as_deref()).await {
        Ok(who) => who,
        Err(e) => return e.into_response(),
    };
    if let Caller::Trainee(t) = &who
        && t.class_id != id
    {
        return ApiError(StatusCode::FORBIDDEN, "this token belongs to another class".into()).into_response();
    }
    let class = match c.store.class(&id).await {
        Ok(Some(class)) => class,
        Ok(None) => return ApiError(StatusCode::NOT_FOUND, format!("there is no class `{id}`")).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => return ApiError(e.status(), format!("this route is a WebSocket: {}", e.body_text())).into_response(),
    };
    let ws = ws.max_message_size(MAX_MESSAGE).max_frame_size(MAX_MESSAGE);
    match who {
        Caller::Trainee(trainee) => ws.on_upgrade(move |socket| trainee_socket(c, class, trainee, query.since, socket)),
        Caller::Instructor => ws.on_upgrade(move |socket| instructor_socket(c, class, socket)),
    }
}

fn text(value: &Value) -> Message {
    Message::Text(Utf8Bytes::from(value.to_string()))
}

/// Whether a command is for this trainee (a reset names one trainee; the rest are for all).
fn for_trainee(command: &CommandRow, trainee: &TraineeRow) -> bool {
    match command.body.get("traineeId").and_then(|v| v.as_str()) {
        Some(id) => id == trainee.id,
        None => true,
    }
}

/// The class's clock state, as `welcome` and `sync` carry it.
async fn class_state(c: &Classroom, class_id: &str) -> Option<ClassRow> {
    c.store.class(class_id).await.ok().flatten()
}

async fn trainee_socket(c: Arc<Classroom>, class: ClassRow, trainee: TraineeRow, since: Option<i64>, socket: WebSocket) {
    // Subscribe before reading the tables, so nothing falls between the two.
    let mut signals = c.hub.subscribe(&class.id);
    let (mut out, mut incoming) = socket.split();
    let mut delivered: HashSet<String> = HashSet::new();
    let opened = now_ms();
    // Commands missed since `since`; a page's first connection gets none, only the state.
    let mut last_seen = since.unwrap_or(opened);
    let Some(welcome) = sync_message("welcome", &c, &class, &trainee, since, &mut delivered, &mut last_seen).await else { return };
    if out.send(text(&welcome)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            message = incoming.next() => {
                let reply = match message {
                    Some(Ok(Message::Text(t))) => handle_report(&c, &class, &trainee, t.as_str()).await,
                    Some(Ok(Message::Binary(_))) => json!({ "type": "error", "message": "send reports as JSON text messages" }),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    // Closed, or a message over the size limit (the socket is then closed).
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                if out.send(text(&reply)).await.is_err() {
                    break;
                }
            }
            signal = signals.recv() => {
                let message = match signal {
                    Ok(signal) => match &*signal {
                        Signal::Command(command) if for_trainee(command, &trainee) && delivered.insert(command.id.clone()) => {
                            last_seen = last_seen.max(command.issued_ms);
                            Some(command.body.clone())
                        }
                        Signal::Resync => sync_message("sync", &c, &class, &trainee, Some(last_seen), &mut delivered, &mut last_seen).await,
                        _ => None,
                    },
                    Err(RecvError::Lagged(_)) => sync_message("sync", &c, &class, &trainee, Some(last_seen), &mut delivered, &mut last_seen).await,
                    Err(RecvError::Closed) => break,
                };
                if let Some(message) = message
                    && out.send(text(&message)).await.is_err()
                {
                    break;
                }
            }
        }
    }
}

/// `welcome` or `sync`: the class's state and the commands for this trainee not yet delivered.
async fn sync_message(
    kind: &str,
    c: &Classroom,
    class: &ClassRow,
    trainee: &TraineeRow,
    since: Option<i64>,
    delivered: &mut HashSet<String>,
    last_seen: &mut i64,
) -> Option<Value> {
    let state = class_state(c, &class.id).await.unwrap_or_else(|| class.clone());
    let mut commands = Vec::new();
    if let Some(since) = since {
        // A store failure here leaves the commands for the next sync.
        for command in c.store.commands_since(&class.id, since).await.unwrap_or_default() {
            if for_trainee(&command, trainee) && delivered.insert(command.id.clone()) {
                *last_seen = (*last_seen).max(command.issued_ms);
                commands.push(command.body);
            }
        }
    }
    Some(json!({
        "type": kind,
        "classId": class.id,
        "className": state.name,
        "traineeId": trainee.id,
        "name": trainee.name,
        "labs": state.labs,
        "quizzes": state.quizzes,
        "paused": state.paused,
        "endsAt": (state.ends_ms > 0).then_some(state.ends_ms),
        "now": now_ms(),
        "commands": commands,
    }))
}

/// Stores one report and answers `ack` (also for a duplicate) or `error`.
async fn handle_report(c: &Classroom, class: &ClassRow, trainee: &TraineeRow, message: &str) -> Value {
    let report: Report = match serde_json::from_str(message) {
        Ok(r) => r,
        Err(e) => return json!({ "type": "error", "message": format!("not a report this server understands: {e}") }),
    };
    let id = report.event_id();
    if let Err(message) = report.validate(&class.labs, &class.quizzes, &c.content) {
        return json!({ "type": "error", "id": id, "message": message });
    }
    match c.store.record(trainee, &id, report.kind(), &report.stored_body()).await {
        Ok(Some(row)) => {
            c.hub.publish(&class.id, Signal::Progress(row)).await;
            json!({ "type": "ack", "id": id })
        }
        Ok(None) => json!({ "type": "ack", "id": id, "duplicate": true }),
        // Not acknowledged: the page keeps the report and sends it again.
        Err(e) => json!({ "type": "error", "id": id, "retry": true, "message": format!("not stored, send it again: {e}") }),
    }
}

async fn snapshot(c: &Classroom, class: &ClassRow) -> Option<Value> {
    let class = class_state(c, &class.id).await?;
    let summary = summary(c, &class).await.ok()?;
    Some(json!({ "type": "snapshot", "class": summary }))
}

async fn instructor_socket(c: Arc<Classroom>, class: ClassRow, socket: WebSocket) {
    let mut signals = c.hub.subscribe(&class.id);
    let (mut out, mut incoming) = socket.split();
    let Some(first) = snapshot(&c, &class).await else { return };
    if out.send(text(&first)).await.is_err() {
        return;
    }
    let mut dirty = false;
    let mut last_snapshot = tokio::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            message = incoming.next() => match message {
                Some(Ok(Message::Text(_))) => dirty = true,
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
            },
            signal = signals.recv() => {
                let message = match signal {
                    Ok(signal) => match &*signal {
                        Signal::Progress(p) => {
                            dirty = true;
                            Some(json!({ "type": "progress", "traineeId": p.trainee_id, "kind": p.kind, "report": p.body, "receivedAt": p.received_ms }))
                        }
                        Signal::Joined(t) => {
                            dirty = true;
                            Some(json!({ "type": "joined", "traineeId": t.id, "name": t.name }))
                        }
                        Signal::Command(command) => {
                            dirty = true;
                            Some(json!({ "type": "command", "command": command.body }))
                        }
                        Signal::Resync => {
                            dirty = false;
                            last_snapshot = tokio::time::Instant::now();
                            snapshot(&c, &class).await
                        }
                    },
                    Err(RecvError::Lagged(_)) => {
                        dirty = false;
                        last_snapshot = tokio::time::Instant::now();
                        snapshot(&c, &class).await
                    }
                    Err(RecvError::Closed) => break,
                };
                if let Some(message) = message
                    && out.send(text(&message)).await.is_err()
                {
                    break;
                }
            }
            _ = tick.tick() => {
                if dirty || last_snapshot.elapsed() >= IDLE_SNAPSHOT {
                    dirty = false;
                    last_snapshot = tokio::time::Instant::now();
                    if let Some(s) = snapshot(&c, &class).await
                        && out.send(text(&s)).await.is_err()
                    {
                        break;
                    }
                }
            }
        }
    }
}
