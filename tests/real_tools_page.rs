//! A real-tools session hosted by `serve`: its page and the state the page renders
//! (status: clock, steps, applications; the timeline), following what the world does.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use gitops_lab::real_tools_page::{Hosted, router};
use std::sync::Arc;
use tower::ServiceExt;

async fn get(hosted: &Arc<Hosted>, path: &str) -> (StatusCode, String) {
    let response = router(hosted.clone()).oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    (status, String::from_utf8(to_bytes(response.into_body(), 10 << 20).await.unwrap().to_vec()).unwrap())
}

fn start(name: &str) -> Arc<Hosted> {
    let dir = std::env::temp_dir().join(format!("gitops-lab-page-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = gitops_lab::content_dir::load(None).unwrap();
    Arc::new(Hosted::start(&files, "drift-2am", &dir, 1.0, Some(5)).unwrap())
}

#[tokio::test]
async fn the_page_shows_status_and_timeline_of_a_real_tools_session() {
    let hosted = start("state");
    let (status, html) = get(&hosted, "/real-tools").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("fetch(\"/api/real-tools\"") && html.contains("id=\"timeline\"") && html.contains("id=\"apps\""), "{html}");

    let (status, body) = get(&hosted, "/api/real-tools").await;
    assert_eq!(status, StatusCode::OK);
    let state: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(state["lab"]["id"], "drift-2am");
    assert!(state["kubeconfig"].as_str().unwrap().ends_with("/kubeconfig"), "{state}");
    assert_eq!(state["clones"].as_array().unwrap().len(), 1, "{state}");
    let steps = state["steps"].as_array().unwrap();
    assert!(steps.len() >= 3, "{state}");
    assert_eq!(steps.iter().filter(|s| s["active"] == true).count(), 1, "one active step: {state}");
    let apps = state["applications"].as_array().unwrap();
    assert!(apps.iter().any(|a| a["name"] == "payment-service" && a["sync"] == "Synced"), "{state}");
    let before = state["timeline"].as_array().unwrap().len();

    // What a real kubectl does reaches the page: a scale drifts the app, and the timeline grows.
    hosted.server.host.with_session(|s| {
        let now = s.world.now();
        s.world.handle_input(
            now,
            simulator::Input::Command { line: "kubectl scale deployment payment-service --replicas=5 -n payments".into() },
        );
        let later = simulator::SimTime(now.0 + 60_000);
        s.world.advance_to(later);
    });
    let (_, body) = get(&hosted, "/api/real-tools").await;
    let after: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(after["timeline"].as_array().unwrap().len() > before, "the timeline did not grow: {after}");
    assert_ne!(after["clock"], state["clock"], "{after}");
}
