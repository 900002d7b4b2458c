//! The HTTP surface: catalog, lab pages, the JSON API and the site files.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use gitops_lab::server::{Site, router};
use simulator::content;
use tower::ServiceExt;

async fn get(path: &str, site: Site) -> (StatusCode, String, String) {
    let app = router(&content::builtin(), site).expect("the built-in content loads");
    let response = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = to_bytes(response.into_body(), 10 << 20).await.unwrap();
    (status, content_type, String::from_utf8_lossy(&body).to_string())
}

fn site_with_bundle() -> (tempdir::Dir, Site) {
    let dir = tempdir::Dir::new();
    std::fs::create_dir_all(dir.0.join("pkg")).unwrap();
    std::fs::write(dir.0.join("pkg/frontend.js"), "export default function init() {}").unwrap();
    std::fs::write(dir.0.join("pkg/frontend_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dir.0.join("style.css"), "body{}").unwrap();
    let site = Site::Dir(dir.0.clone());
    (dir, site)
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let p = std::env::temp_dir().join(format!("gitops-lab-site-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[tokio::test]
async fn catalog_lists_every_lab_with_summary_and_time() {
    let (_d, site) = site_with_bundle();
    let (status, ct, body) = get("/", site).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(body.contains("It&#39;s 2 AM: the manual scale"), "{body}");
    assert!(body.contains("About 15 minutes"));
    assert!(body.contains("href=\"/labs/drift-2am\""));
    assert!(!body.contains("bundle is not built"));
}

#[tokio::test]
async fn lab_page_loads_the_bundle_for_its_lab() {
    let (_d, site) = site_with_bundle();
    let (status, _, body) = get("/labs/drift-2am", site).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("data-lab=\"drift-2am\""));
    assert!(body.contains("import init from '/pkg/frontend.js'"));
}

#[tokio::test]
async fn unknown_lab_is_a_404_with_a_message() {
    let (_d, site) = site_with_bundle();
    let (status, _, body) = get("/labs/nope", site).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("no lab called `nope`"));
}

#[tokio::test]
async fn site_files_are_served_with_their_types() {
    let (_d, site) = site_with_bundle();
    let (status, ct, _) = get("/pkg/frontend_bg.wasm", site.clone()).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/wasm"));
    let (status, ct, _) = get("/pkg/frontend.js", site.clone()).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/javascript"));
    let (status, _, _) = get("/../Cargo.toml", site).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_missing_bundle_is_explained_not_blank() {
    let dir = tempdir::Dir::new();
    let (_, _, body) = get("/labs/drift-2am", Site::Dir(dir.0.clone())).await;
    assert!(body.contains("The browser bundle is not built"), "{body}");
    assert!(body.contains("gitops-lab play drift-2am"));
}

#[tokio::test]
async fn api_lists_labs_as_json() {
    let (_d, site) = site_with_bundle();
    let (status, ct, body) = get("/api/labs", site).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/json"));
    let labs: serde_json::Value = serde_json::from_str(&body).unwrap();
    let drift = labs.as_array().unwrap().iter().find(|l| l["id"] == "drift-2am").expect("the drift lab is listed");
    assert_eq!(drift["steps"], 5);
}

#[tokio::test]
async fn sandbox_page_loads_the_bundle_in_sandbox_mode() {
    let (_d, site) = site_with_bundle();
    let (status, _, body) = get("/sandbox", site.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("data-lab=\"sandbox\""));
    let (_, _, catalog) = get("/", site).await;
    assert!(catalog.contains("href=\"/sandbox\""));
}

#[tokio::test]
async fn every_quiz_has_a_page_and_the_catalog_lists_them_with_their_status_slot() {
    let (_d, site) = site_with_bundle();
    let (_, _, catalog) = get("/", site.clone()).await;
    let banks = content::banks(&content::builtin()).unwrap();
    for topic in banks.iter().map(|b| b.topic.as_str()).chain(["final"]) {
        assert!(catalog.contains(&format!("href=\"/quizzes/{topic}\"")), "{topic}");
        assert!(catalog.contains(&format!("data-progress=\"quiz:{topic}\"")), "{topic}");
        let (status, _, page) = get(&format!("/quizzes/{topic}"), site.clone()).await;
        assert_eq!(status, StatusCode::OK, "{topic}");
        assert!(page.contains(&format!("data-quiz=\"{topic}\"")) && page.contains("/pkg/frontend.js"), "{page}");
    }
    assert!(catalog.contains("data-progress=\"lab:drift-2am\""), "the catalog has a status slot per lab");
    let (status, _, body) = get("/quizzes/nope", site.clone()).await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, "There is no quiz called `nope`."));
    let (_, ct, json) = get("/api/quizzes", site).await;
    assert!(ct.starts_with("application/json"));
    let quizzes: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(quizzes.as_array().unwrap().len(), banks.len() + 1);
}
