//! The classroom's two pages: `/instructor` (create a class, the live grid, a trainee's
//! timeline, incidents and clock commands) and `/join` (a trainee types the code and a name).
//! Both are askama templates with a small plain-JavaScript file each, served from the binary.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;

use super::{Classroom, Item};

#[derive(Template, WebTemplate)]
#[template(path = "instructor.html")]
struct InstructorPage {
    labs: Vec<Item>,
    quizzes: Vec<Item>,
}

#[derive(Template, WebTemplate)]
#[template(path = "join.html")]
struct JoinPage;

pub fn routes() -> Router<Arc<Classroom>> {
    Router::new()
        .route("/instructor", get(instructor))
        .route("/join", get(|| async { JoinPage }))
        .route("/classroom/instructor.js", get(|| async { script(include_str!("assets/instructor.js")) }))
        .route("/classroom/join.js", get(|| async { script(include_str!("assets/join.js")) }))
}

fn script(source: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "no-cache")], source)
}

async fn instructor(State(c): State<Arc<Classroom>>) -> InstructorPage {
    InstructorPage {
        labs: c.content.labs.iter().map(|l| Item { id: l.id.clone(), title: l.title.clone() }).collect(),
        quizzes: c.content.quizzes.clone(),
    }
}
