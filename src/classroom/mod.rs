//! The classroom: an instructor runs labs for a whole class.
//!
//! The instructor creates a class (`POST /api/classes`, bearer token), trainees join with its
//! code (`POST /api/join`), and their pages report progress over a WebSocket
//! (`/api/classes/{id}/live`) that also carries the instructor's incidents and clock commands
//! down. Everything is stored (`store`: SQLite or PostgreSQL through one code path), so a
//! restart loses nothing; replicas on PostgreSQL hear each other through LISTEN/NOTIFY (`hub`).
//!
//! Modules: `store` (tables and queries), `tokens` (secrets, join codes), `messages` (what
//! a page reports), `grid` (the instructor's summary), `hub` (broadcast), `live`
//! (WebSockets), `api` (HTTP routes), `pages` (`/instructor`, `/join`), `export` (CSV,
//! JSON), `scorm` (SCORM 1.2 packages), `limits` (rate limits).

mod api;
mod auth;
mod error;
mod export;
pub mod grid;
pub mod hub;
mod limits;
mod live;
pub mod messages;
mod pages;
mod scorm;
pub mod store;
pub mod tokens;

use axum::Router;
use simulator::content::{self, ContentFiles};
use std::sync::Arc;

pub use store::{DEFAULT_DATABASE, Store};

/// The environment variable that sets the instructor token.
pub const TOKEN_VARIABLE: &str = "GITOPS_LAB_INSTRUCTOR_TOKEN";
const TOKEN_SETTING: &str = "instructor_token_sha256";

/// How a server's classroom is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// `sqlite://FILE` or `postgres://...`.
    pub database: String,
    /// The instructor token to use (from the environment); `None` keeps the stored one or makes one.
    pub instructor_token: Option<String>,
    /// Joins allowed per client address per minute.
    pub joins_per_minute: u32,
    /// Minutes without progress after which a trainee shows as stuck.
    pub stuck_minutes: i64,
}

impl Options {
    /// The defaults, with the instructor token from the environment.
    pub fn new(database: &str) -> Options {
        Options {
            database: database.to_string(),
            instructor_token: std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.trim().is_empty()),
            joins_per_minute: 30,
            stuck_minutes: grid::DEFAULT_STUCK_MINUTES,
        }
    }
}

/// A step or incident as the classroom knows it.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: String,
    pub title: String,
}

/// A lab as the classroom knows it.
#[derive(Clone, Debug)]
pub struct LabInfo {
    pub id: String,
    pub title: String,
    pub steps: Vec<Item>,
    pub incidents: Vec<Item>,
    pub has_quiz: bool,
}

/// The labs and quizzes a class may cover.
#[derive(Clone, Debug)]
pub struct Content {
    pub labs: Vec<LabInfo>,
    pub quizzes: Vec<Item>,
}

impl Content {
    pub fn of(files: &ContentFiles) -> Result<Content, String> {
        let labs = content::labs(files)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|l| LabInfo {
                id: l.id.clone(),
                title: l.title.clone(),
                steps: l.steps.iter().map(|s| Item { id: s.id.clone(), title: s.title.clone() }).collect(),
                incidents: l.incidents.iter().map(|i| Item { id: i.id.clone(), title: i.title.clone() }).collect(),
                has_quiz: !l.quiz.is_empty(),
            })
            .collect();
        let quizzes = content::banks(files)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|b| Item { id: b.topic.clone(), title: b.title.clone() })
            .chain(std::iter::once(Item { id: simulator::quiz::FINAL_QUIZ.into(), title: "Final check: every topic".into() }))
            .collect();
        Ok(Content { labs, quizzes })
    }

    pub fn lab(&self, id: &str) -> Option<&LabInfo> {
        self.labs.iter().find(|l| l.id == id)
    }

    pub fn quiz(&self, id: &str) -> Option<&Item> {
        self.quizzes.iter().find(|q| q.id == id)
    }
}

/// A running classroom: its database, broadcast hub, content and limits.
pub struct Classroom {
    pub store: Store,
    pub hub: Arc<hub::Hub>,
    pub content: Content,
    instructor_hash: String,
    joins: limits::RateLimit,
    stuck_minutes: i64,
}

/// What starting a classroom tells the person who started it.
pub struct Started {
    pub classroom: Arc<Classroom>,
    /// The instructor token, when this start generated it (print it once).
    pub new_token: Option<String>,
}

impl Classroom {
    /// Opens the database, settles the instructor token and starts listening to the other
    /// replicas (PostgreSQL). Must run inside a tokio runtime.
    pub async fn start(options: &Options, files: &ContentFiles) -> Result<Started, String> {
        let content = Content::of(files)?;
        let store = Store::open(&options.database).await.map_err(|e| e.to_string())?;
        let (instructor_hash, new_token) = match &options.instructor_token {
            Some(token) => {
                let hash = tokens::hash(token.trim());
                store.put_setting(TOKEN_SETTING, &hash, true).await.map_err(|e| e.to_string())?;
                (hash, None)
            }
            None => match store.setting(TOKEN_SETTING).await.map_err(|e| e.to_string())? {
                Some(hash) => (hash, None),
                None => {
                    let token = tokens::new_token();
                    let hash = tokens::hash(&token);
                    // Another replica starting at the same moment may have stored its own first.
                    if store.put_setting(TOKEN_SETTING, &hash, false).await.map_err(|e| e.to_string())? {
                        (hash, Some(token))
                    } else {
                        (store.setting(TOKEN_SETTING).await.map_err(|e| e.to_string())?.unwrap_or_default(), None)
                    }
                }
            },
        };
        let hub = hub::Hub::new(store.clone());
        hub.start_listening();
        let classroom = Classroom {
            store,
            hub,
            content,
            instructor_hash,
            joins: limits::RateLimit::per_minute(options.joins_per_minute),
            stuck_minutes: options.stuck_minutes,
        };
        Ok(Started { classroom: Arc::new(classroom), new_token })
    }

    /// Whether `token` is the instructor's (compared in constant time).
    pub fn is_instructor(&self, token: &str) -> bool {
        tokens::matches(token, &self.instructor_hash)
    }
}

/// The classroom's routes: the API, the WebSocket and the two pages.
pub fn router(classroom: Arc<Classroom>) -> Router {
    api::routes().merge(pages::routes()).with_state(classroom)
}
