//! The lab site: askama pages for the catalog and each lab's shell, the
//! browser bundle (embedded, or from `--site`), and a small JSON API.

pub mod listen;
mod site;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use simulator::content::{self, ContentFiles};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use site::Site;

/// One lab as the catalog lists it.
#[derive(Clone, Debug, Serialize)]
pub struct LabCard {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub minutes: u32,
    pub steps: usize,
    pub course_section: String,
    /// The lab's level on the learning path (Foundations, Practitioner, Advanced).
    pub level: String,
    /// The first lab of the course's order.
    pub start_here: bool,
}

/// One quiz as the catalog lists it.
#[derive(Clone, Debug, Serialize)]
pub struct QuizCard {
    pub topic: String,
    pub title: String,
    pub questions: usize,
}

struct AppState {
    labs: Vec<LabCard>,
    quizzes: Vec<QuizCard>,
    site: Site,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog.html")]
struct CatalogPage {
    labs: Vec<LabCard>,
    quizzes: Vec<QuizCard>,
    site_missing: bool,
}

/// The page a lab, the sandbox or a quiz runs in: the bundle mounts on `#app`, told what to show
/// by one data attribute.
#[derive(Template, WebTemplate)]
#[template(path = "app.html")]
struct AppPage {
    title: String,
    /// `data-lab` or `data-quiz`.
    attribute: &'static str,
    id: String,
    /// The same thing in a terminal, for the no-bundle and no-JavaScript cases.
    terminal: String,
    site_missing: bool,
}

impl AppPage {
    fn lab(lab: &LabCard, site: &Site) -> AppPage {
        AppPage {
            title: lab.title.clone(),
            attribute: "data-lab",
            id: lab.id.clone(),
            terminal: if lab.id == "sandbox" { "gitops-lab sandbox --repo DIR".into() } else { format!("gitops-lab play {}", lab.id) },
            site_missing: !site.has_bundle(),
        }
    }
}

/// The router, for the binary and for tests.
pub fn router(files: &ContentFiles, site: Site) -> Result<Router, String> {
    let labs = content::labs(files).map_err(|e| e.to_string())?;
    let labs = labs
        .iter()
        .enumerate()
        .map(|(i, l)| LabCard {
            id: l.id.clone(),
            title: l.title.clone(),
            summary: l.summary.clone(),
            minutes: l.minutes,
            steps: l.steps.len(),
            course_section: l.course_section.clone(),
            level: l.level.map_or("", |v| v.name()).to_string(),
            start_here: i == 0,
        })
        .collect();
    let banks = content::banks(files).map_err(|e| e.to_string())?;
    let quizzes = banks
        .iter()
        .map(|b| QuizCard { topic: b.topic.clone(), title: b.title.clone(), questions: b.questions.len() })
        .chain(std::iter::once(QuizCard {
            topic: simulator::quiz::FINAL_QUIZ.into(),
            title: "Final check: every topic".into(),
            questions: simulator::quiz::FINAL_QUESTIONS,
        }))
        .collect();
    let state = Arc::new(AppState { labs, quizzes, site });
    Ok(Router::new()
        .route("/", get(catalog))
        .route("/labs/{id}", get(lab_page))
        .route("/sandbox", get(sandbox_page))
        .route("/quizzes/{topic}", get(quiz_page))
        .route("/api/labs", get(api_labs))
        .route("/api/quizzes", get(api_quizzes))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(get(static_file))
        .with_state(state)
        // The bundle is mostly WebAssembly and JavaScript: gzip sends about a third of it.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http()))
}

/// The catalog; `/?lab=ID` and `/?quiz=TOPIC&seed=N` (the static site's addresses, shared with classes)
/// are sent on to the lab's or quiz's page, and `/?bench=reconcile` is left to the bundle.
async fn catalog(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(query): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    if let Some(lab) = query.get("lab") {
        return axum::response::Redirect::to(&format!("/labs/{}", percent_path(lab))).into_response();
    }
    if let Some(quiz) = query.get("quiz") {
        let seed = query.get("seed").filter(|s| s.parse::<u64>().is_ok()).map(|s| format!("?seed={s}")).unwrap_or_default();
        return axum::response::Redirect::to(&format!("/quizzes/{}{seed}", percent_path(quiz))).into_response();
    }
    CatalogPage { labs: state.labs.clone(), quizzes: state.quizzes.clone(), site_missing: !state.site.has_bundle() }.into_response()
}

/// A path segment with everything but letters, digits, `-`, `_` and `.` percent-encoded.
fn percent_path(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

async fn quiz_page(State(state): State<Arc<AppState>>, Path(topic): Path<String>) -> Response {
    match state.quizzes.iter().find(|q| q.topic == topic) {
        Some(quiz) => AppPage {
            title: quiz.title.clone(),
            attribute: "data-quiz",
            id: quiz.topic.clone(),
            terminal: format!("gitops-lab quiz {}", quiz.topic),
            site_missing: !state.site.has_bundle(),
        }
        .into_response(),
        None => (StatusCode::NOT_FOUND, format!("There is no quiz called `{topic}`.")).into_response(),
    }
}

async fn api_quizzes(State(state): State<Arc<AppState>>) -> Json<Vec<QuizCard>> {
    Json(state.quizzes.clone())
}

async fn lab_page(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    match state.labs.iter().find(|l| l.id == id) {
        Some(lab) => AppPage::lab(lab, &state.site).into_response(),
        None => (StatusCode::NOT_FOUND, format!("There is no lab called `{id}`.")).into_response(),
    }
}

async fn sandbox_page(State(state): State<Arc<AppState>>) -> AppPage {
    let lab = LabCard {
        id: "sandbox".into(),
        title: "Sandbox: your own GitOps repo".into(),
        summary: "Free play on a folder of manifests and Argo CD Applications.".into(),
        minutes: 0,
        steps: 0,
        course_section: String::new(),
        level: String::new(),
        start_here: false,
    };
    AppPage::lab(&lab, &state.site)
}

async fn api_labs(State(state): State<Arc<AppState>>) -> Json<Vec<LabCard>> {
    Json(state.labs.clone())
}

async fn static_file(State(state): State<Arc<AppState>>, uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let if_none_match = headers.get(axum::http::header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    state.site.serve(uri.path(), if_none_match).await
}

/// Serves until Ctrl-C: the site and, beside it, the classroom (`crate::classroom`), and a
/// real-tools session's page when `real_tools` is given (`crate::real_tools_page`).
pub fn run(
    addr: &str,
    site_dir: Option<PathBuf>,
    files: ContentFiles,
    classroom: crate::classroom::Options,
    real_tools: Option<std::sync::Arc<crate::real_tools_page::Hosted>>,
) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let site = match site_dir {
        Some(dir) => Site::Dir(dir),
        None => Site::default_for_binary(),
    };
    let router = match router(&files, site) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    runtime.block_on(async move {
        let started = match crate::classroom::Classroom::start(&classroom, &files).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: the classroom cannot start: {e}");
                return ExitCode::from(2);
            }
        };
        let mut router = router.merge(crate::classroom::router(started.classroom));
        if let Some(hosted) = &real_tools {
            router = router.merge(crate::real_tools_page::router(hosted.clone()));
        }
        let listener = match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {addr}: {e}");
                return ExitCode::from(1);
            }
        };
        let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| addr.to_string());
        // One write, so that a reader of the first line also gets the token (printed once only).
        let token = match &started.new_token {
            Some(t) => format!(
                "\nInstructor token, shown this once (stored hashed; set {} to choose your own): {t}",
                crate::classroom::TOKEN_VARIABLE
            ),
            None => String::new(),
        };
        println!(
            "GitOps Lab is running on http://{local}/ (Ctrl-C to stop)\nClassroom: http://{local}/instructor, database {}{token}",
            crate::classroom::store::redact(&classroom.database)
        );
        if let Some(hosted) = &real_tools {
            println!(
                "Real tools: the lab `{}` serves the Kubernetes API on https://{}; its status and timeline: http://{local}/real-tools\n  export KUBECONFIG={}",
                hosted.lab.id,
                hosted.server.addr,
                hosted.dir.join("kubeconfig").display()
            );
            for clone in &hosted.clones {
                println!("  cd {}        # your clone", clone.display());
            }
        }
        tracing::info!(%local, "listening");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        listen::serve(listener, router, listen::Limits::default(), shutdown).await;
        ExitCode::SUCCESS
    })
}
