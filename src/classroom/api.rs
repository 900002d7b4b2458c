//! The classroom's HTTP routes. Every answer to bad input is a 4xx with a JSON
//! `{"error": "..."}`; a database failure is a 503, never a 500.

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;

use super::hub::Signal;
use super::store::{ClassRow, StoreError, TraineeRow, now_ms};
use super::auth::{Caller, bearer, caller};
pub use super::error::ApiError;
use super::grid::summary;
use super::{Classroom, export, grid, live, scorm, tokens};

/// The largest request body the classroom reads.
pub const MAX_BODY: usize = 16 * 1024;
const MAX_NAME: usize = 100;
const MAX_ITEMS: usize = 50;

type Shared = State<Arc<Classroom>>;

pub fn routes() -> Router<Arc<Classroom>> {
    Router::new()
        .route("/api/classes", post(create_class).get(list_classes))
        .route("/api/join", post(join))
        .route("/api/classes/{id}", get(class_info))
        .route("/api/classes/{id}/live", get(live::upgrade))
        .route("/api/classes/{id}/progress", get(progress))
        .route("/api/classes/{id}/incidents", post(incident))
        .route("/api/classes/{id}/clock", post(clock))
        .route("/api/classes/{id}/trainees/{trainee}/reset", post(reset))
        .route("/api/classes/{id}/trainees/{trainee}/timeline", get(timeline))
        .route("/api/classes/{id}/export.csv", get(export_csv))
        .route("/api/classes/{id}/export.json", get(export_json))
        .route("/api/classes/{id}/scorm/{kind}/{item}", get(scorm_package))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The class, for the instructor only: 401 without a token, 403 for a trainee, 404 for no class.
async fn instructor_class(c: &Classroom, headers: &HeaderMap, id: &str) -> Result<ClassRow, ApiError> {
    match caller(c, bearer(headers).as_deref()).await? {
        Caller::Instructor => class(c, id).await,
        Caller::Trainee(_) => Err(ApiError(StatusCode::FORBIDDEN, "only the instructor may do this".into())),
    }
}

async fn class(c: &Classroom, id: &str) -> Result<ClassRow, ApiError> {
    c.store.class(id).await?.ok_or_else(|| ApiError::not_found(format!("there is no class `{id}`")))
}

/// A display name or class name: trimmed, 1 to `MAX_NAME` characters, no control characters.
fn clean_name(what: &str, name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::bad(format!("`{what}` must have 1 to {MAX_NAME} characters")));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::bad(format!("`{what}` may not hold control characters")));
    }
    Ok(name.to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClass {
    name: String,
    #[serde(default)]
    labs: Vec<String>,
    #[serde(default)]
    quizzes: Vec<String>,
    /// How long the class runs, in minutes (no limit when absent).
    #[serde(default)]
    minutes: Option<u32>,
}

fn class_json(c: &Classroom, class: &ClassRow) -> Value {
    let labs: Vec<Value> = class
        .labs
        .iter()
        .filter_map(|id| c.content.lab(id))
        .map(|l| json!({ "id": l.id, "title": l.title, "incidents": l.incidents.iter().map(|i| json!({"id": i.id, "title": i.title})).collect::<Vec<_>>() }))
        .collect();
    let quizzes: Vec<Value> =
        class.quizzes.iter().filter_map(|id| c.content.quiz(id)).map(|q| json!({ "id": q.id, "title": q.title })).collect();
    json!({
        "id": class.id,
        "name": class.name,
        "joinCode": class.join_code,
        "joinUrl": format!("/join?code={}", class.join_code),
        "labs": labs,
        "quizzes": quizzes,
        "paused": class.paused,
        "endsAt": (class.ends_ms > 0).then_some(class.ends_ms),
        "createdAt": class.created_ms,
    })
}

async fn create_class(State(c): Shared, headers: HeaderMap, body: Result<Json<NewClass>, JsonRejection>) -> Result<Response, ApiError> {
    if !matches!(caller(&c, bearer(&headers).as_deref()).await?, Caller::Instructor) {
        return Err(ApiError(StatusCode::FORBIDDEN, "only the instructor may create a class".into()));
    }
    let Json(new) = body?;
    let name = clean_name("name", &new.name)?;
    if new.labs.is_empty() && new.quizzes.is_empty() {
        return Err(ApiError::bad("a class covers at least one lab or quiz: give `labs` (and `quizzes`)"));
    }
    if new.labs.len() + new.quizzes.len() > MAX_ITEMS {
        return Err(ApiError::bad(format!("a class covers at most {MAX_ITEMS} labs and quizzes")));
    }
    let mut labs: Vec<String> = Vec::new();
    for lab in &new.labs {
        if c.content.lab(lab).is_none() {
            return Err(ApiError::bad(format!("there is no lab called `{lab}` (GET /api/labs lists them)")));
        }
        if !labs.contains(lab) {
            labs.push(lab.clone());
        }
    }
    let mut quizzes: Vec<String> = Vec::new();
    for quiz in &new.quizzes {
        if c.content.quiz(quiz).is_none() {
            return Err(ApiError::bad(format!("there is no quiz called `{quiz}` (GET /api/quizzes lists them)")));
        }
        if !quizzes.contains(quiz) {
            quizzes.push(quiz.clone());
        }
    }
    let ends_ms = match new.minutes {
        Some(m) if m == 0 || m > 24 * 60 => return Err(ApiError::bad("`minutes` must be 1 to 1440")),
        Some(m) => now_ms() + i64::from(m) * 60_000,
        None => 0,
    };
    let class = c.store.create_class(&name, &labs, &quizzes, ends_ms).await?;
    Ok((StatusCode::CREATED, Json(class_json(&c, &class))).into_response())
}

async fn list_classes(State(c): Shared, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    match caller(&c, bearer(&headers).as_deref()).await? {
        Caller::Instructor => {
            let classes = c.store.classes().await?;
            Ok(Json(Value::Array(classes.iter().map(|k| class_json(&c, k)).collect())))
        }
        Caller::Trainee(_) => Err(ApiError(StatusCode::FORBIDDEN, "only the instructor may list classes".into())),
    }
}

/// The class as its instructor or one of its trainees sees it.
async fn class_info(State(c): Shared, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    match caller(&c, bearer(&headers).as_deref()).await? {
        Caller::Instructor => Ok(Json(class_json(&c, &class(&c, &id).await?))),
        Caller::Trainee(t) if t.class_id == id => Ok(Json(class_json(&c, &class(&c, &id).await?))),
        Caller::Trainee(_) => Err(ApiError(StatusCode::FORBIDDEN, "this token belongs to another class".into())),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Join {
    code: String,
    name: String,
}

async fn join(
    State(c): Shared,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<Join>, JsonRejection>,
) -> Result<Response, ApiError> {
    if !c.joins.allow(peer.map(|Extension(ConnectInfo(a))| a.ip())) {
        return Err(ApiError(StatusCode::TOO_MANY_REQUESTS, "too many joins from this address; wait a minute and try again".into()));
    }
    let Json(join) = body?;
    let name = clean_name("name", &join.name)?;
    let not_found = || ApiError::not_found(format!("no class has the join code `{}`; check it with your instructor", join.code.trim()));
    let code = tokens::normalize_join_code(&join.code).ok_or_else(not_found)?;
    let class = c.store.class_by_code(&code).await?.ok_or_else(not_found)?;
    let token = tokens::new_token();
    let trainee = c.store.add_trainee(&class.id, &name, &tokens::hash(&token)).await?;
    c.hub.publish(&class.id, Signal::Joined(trainee.clone())).await;
    let mut answer = class_json(&c, &class);
    if let Some(map) = answer.as_object_mut() {
        map.remove("joinCode");
        map.remove("joinUrl");
        map.insert("classId".into(), json!(class.id));
        map.insert("className".into(), json!(class.name));
        map.insert("traineeId".into(), json!(trainee.id));
        map.insert("token".into(), json!(token));
        map.insert("name".into(), json!(trainee.name));
    }
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

async fn progress(State(c): Shared, headers: HeaderMap, Path(id): Path<String>) -> Result<Json<grid::ClassSummary>, ApiError> {
    let class = instructor_class(&c, &headers, &id).await?;
    Ok(Json(summary(&c, &class).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IncidentRequest {
    lab: String,
    incident: String,
}

async fn incident(
    State(c): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<IncidentRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let class = instructor_class(&c, &headers, &id).await?;
    let Json(req) = body?;
    if !class.labs.contains(&req.lab) {
        return Err(ApiError::bad(format!("the lab `{}` is not part of this class", req.lab)));
    }
    let lab = c.content.lab(&req.lab).ok_or_else(|| ApiError::bad(format!("there is no lab called `{}`", req.lab)))?;
    let Some(incident) = lab.incidents.iter().find(|i| i.id == req.incident) else {
        let known: Vec<&str> = lab.incidents.iter().map(|i| i.id.as_str()).collect();
        return Err(ApiError::bad(format!("the lab `{}` has no incident `{}` (it has: {})", lab.id, req.incident, known.join(", "))));
    };
    let body = json!({ "type": "incident", "lab": lab.id, "incident": incident.id, "title": incident.title });
    let command = c.store.add_command(&class.id, body).await?;
    c.hub.publish(&class.id, Signal::Command(command.clone())).await;
    Ok((StatusCode::ACCEPTED, Json(command.body)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    /// `pause`, `resume` or `extend`.
    action: String,
    /// For `extend`: how many minutes to add.
    #[serde(default)]
    minutes: Option<u32>,
}

async fn clock(
    State(c): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Result<Json<ClockRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let class = instructor_class(&c, &headers, &id).await?;
    let Json(req) = body?;
    let (paused, ends_ms) = match req.action.as_str() {
        "pause" => (true, class.ends_ms),
        "resume" => (false, class.ends_ms),
        "extend" => {
            let minutes = match req.minutes {
                Some(m @ 1..=600) => m,
                _ => return Err(ApiError::bad("`extend` needs `minutes`, 1 to 600")),
            };
            (class.paused, class.ends_ms.max(now_ms()) + i64::from(minutes) * 60_000)
        }
        other => return Err(ApiError::bad(format!("`action` is pause, resume or extend, not `{other}`"))),
    };
    if paused != class.paused {
        c.store.set_paused(&class.id, paused).await?;
    }
    if ends_ms != class.ends_ms {
        c.store.set_ends(&class.id, ends_ms).await?;
    }
    let body = json!({
        "type": "clock",
        "action": req.action,
        "paused": paused,
        "endsAt": (ends_ms > 0).then_some(ends_ms),
        "minutes": req.minutes,
    });
    let command = c.store.add_command(&class.id, body).await?;
    c.hub.publish(&class.id, Signal::Command(command.clone())).await;
    Ok((StatusCode::ACCEPTED, Json(command.body)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    /// The lab to start again (every lab of the class when absent).
    #[serde(default)]
    lab: Option<String>,
}

async fn reset(
    State(c): Shared,
    headers: HeaderMap,
    Path((id, trainee_id)): Path<(String, String)>,
    body: Option<Json<ResetRequest>>,
) -> Result<Response, ApiError> {
    let class = instructor_class(&c, &headers, &id).await?;
    let trainee = c.store.trainee(&trainee_id).await?.filter(|t| t.class_id == class.id);
    let trainee = trainee.ok_or_else(|| ApiError::not_found(format!("the class has no trainee `{trainee_id}`")))?;
    let req = body.map(|Json(r)| r).unwrap_or_default();
    if let Some(lab) = &req.lab
        && !class.labs.contains(lab)
    {
        return Err(ApiError::bad(format!("the lab `{lab}` is not part of this class")));
    }
    let body = json!({ "type": "reset", "traineeId": trainee.id, "lab": req.lab });
    let command = c.store.add_command(&class.id, body).await?;
    c.hub.publish(&class.id, Signal::Command(command.clone())).await;
    Ok((StatusCode::ACCEPTED, Json(command.body)).into_response())
}

/// A trainee's reports in order (their timeline and terminal history): the instructor, or
/// that trainee, may read it.
async fn timeline(State(c): Shared, headers: HeaderMap, Path((id, trainee_id)): Path<(String, String)>) -> Result<Json<Value>, ApiError> {
    match caller(&c, bearer(&headers).as_deref()).await? {
        Caller::Instructor => {}
        Caller::Trainee(t) if t.id == trainee_id && t.class_id == id => {}
        Caller::Trainee(_) => return Err(ApiError(StatusCode::FORBIDDEN, "a trainee may read only their own timeline".into())),
    }
    let class = class(&c, &id).await?;
    let trainee = c.store.trainee(&trainee_id).await?.filter(|t| t.class_id == class.id);
    let trainee = trainee.ok_or_else(|| ApiError::not_found(format!("the class has no trainee `{trainee_id}`")))?;
    let events: Vec<Value> = c
        .store
        .progress_of_trainee(&trainee.id)
        .await?
        .into_iter()
        .map(|p| {
            let mut v = p.body;
            if let Some(map) = v.as_object_mut() {
                map.insert("receivedAt".into(), json!(p.received_ms));
            }
            v
        })
        .collect();
    Ok(Json(json!({ "trainee": { "id": trainee.id, "name": trainee.name, "joinedAt": trainee.joined_ms }, "events": events })))
}

async fn export_json(State(c): Shared, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let class = instructor_class(&c, &headers, &id).await?;
    let summary = summary(&c, &class).await?;
    let body = export::json(&summary);
    let disposition = format!("attachment; filename=\"class-{}.json\"", class.join_code);
    Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

async fn export_csv(State(c): Shared, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    let class = instructor_class(&c, &headers, &id).await?;
    let summary = summary(&c, &class).await?;
    let body = export::csv(&summary, &c.content);
    let disposition = format!("attachment; filename=\"class-{}.csv\"", class.join_code);
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response())
}

/// `GET /api/classes/{id}/scorm/labs/{lab}.zip` or `/scorm/quizzes/{topic}.zip`.
async fn scorm_package(
    State(c): Shared,
    headers: HeaderMap,
    Path((id, kind, item)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    instructor_class(&c, &headers, &id).await?;
    let item = item.strip_suffix(".zip").unwrap_or(&item);
    let origin = scorm::origin_of(&headers);
    let package = match kind.as_str() {
        "labs" => {
            let lab = c.content.lab(item).ok_or_else(|| ApiError::not_found(format!("there is no lab called `{item}`")))?;
            scorm::package(scorm::Sco::Lab { id: &lab.id, title: &lab.title }, &origin)
        }
        "quizzes" => {
            let quiz = c.content.quiz(item).ok_or_else(|| ApiError::not_found(format!("there is no quiz called `{item}`")))?;
            scorm::package(scorm::Sco::Quiz { id: &quiz.id, title: &quiz.title }, &origin)
        }
        other => return Err(ApiError::not_found(format!("a SCORM package is for `labs` or `quizzes`, not `{other}`"))),
    }
    .map_err(|e| ApiError(StatusCode::SERVICE_UNAVAILABLE, format!("could not build the package: {e}")))?;
    let disposition = format!("attachment; filename=\"gitops-lab-{kind}-{item}-scorm12.zip\"");
    Ok(([(header::CONTENT_TYPE, "application/zip".to_string()), (header::CONTENT_DISPOSITION, disposition)], package).into_response())
}
