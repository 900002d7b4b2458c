//! The bundle over HTTP: compressed when the browser accepts gzip, kept by the
//! browser between visits (an ETag answered with 304), and a favicon.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use gitops_lab::server::{Site, router};
use simulator::content;
use tower::ServiceExt;

struct SiteDir(std::path::PathBuf);

impl Drop for SiteDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A site with a bundle of realistic size: 200 KB of repetitive JavaScript.
fn site() -> (SiteDir, Site) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("gitops-lab-http-{}-{n}", std::process::id()));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    let js: String = (0..4000).map(|i| format!("export function f{i}(x) {{ return x + {i}; }}\n")).collect();
    std::fs::write(dir.join("pkg/frontend.js"), &js).unwrap();
    std::fs::write(dir.join("pkg/frontend_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(dir.join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let site = Site::Dir(dir.clone());
    (SiteDir(dir), site)
}

async fn send(site: Site, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let app = router(&content::builtin(), site).expect("the built-in content loads");
    let response = app.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, to_bytes(body, 10 << 20).await.unwrap().to_vec())
}

#[tokio::test]
async fn the_bundle_is_sent_gzip_compressed_to_a_browser_that_accepts_it() {
    let (_dir, site) = site();
    let plain = std::fs::read(_dir.0.join("pkg/frontend.js")).unwrap();
    let request = Request::get("/pkg/frontend.js").header(header::ACCEPT_ENCODING, "gzip, deflate, br").body(Body::empty()).unwrap();
    let (status, headers, body) = send(site.clone(), request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
    assert!(headers.get(header::VARY).is_some_and(|v| v.to_str().unwrap().to_lowercase().contains("accept-encoding")));
    assert!(body.len() * 5 < plain.len(), "gzip makes {} bytes of {}", body.len(), plain.len());
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
    // Without Accept-Encoding the same file comes as it is.
    let (_, headers, body) = send(site, Request::get("/pkg/frontend.js").body(Body::empty()).unwrap()).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(body, plain);
}

#[tokio::test]
async fn a_browser_keeps_the_bundle_and_revalidates_it_with_its_etag() {
    let (dir, site) = site();
    let (status, headers, _) = send(site.clone(), Request::get("/pkg/frontend.js").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    let etag = headers.get(header::ETAG).expect("an ETag").to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    let again = Request::get("/pkg/frontend.js").header(header::IF_NONE_MATCH, &etag).body(Body::empty()).unwrap();
    let (status, _, body) = send(site.clone(), again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    // A new build changes the tag, so the browser fetches it again.
    std::fs::write(dir.0.join("pkg/frontend.js"), "export default function init() { return 2; }").unwrap();
    let stale = Request::get("/pkg/frontend.js").header(header::IF_NONE_MATCH, &etag).body(Body::empty()).unwrap();
    let (status, headers, _) = send(site, stale).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers.get(header::ETAG).unwrap().to_str().unwrap(), etag);
}

#[tokio::test]
async fn the_favicon_is_served_and_linked_from_every_page() {
    let (_dir, site) = site();
    let (status, headers, _) = send(site.clone(), Request::get("/favicon.ico").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "image/svg+xml");
    let (_, _, page) = send(site, Request::get("/labs/drift-2am").body(Body::empty()).unwrap()).await;
    assert!(String::from_utf8_lossy(&page).contains("<link rel=\"icon\" href=\"/favicon.svg\""));
}

#[tokio::test]
async fn the_static_sites_query_addresses_lead_to_the_lab_and_the_quiz() {
    let (_dir, site) = site();
    for (asked, to) in [
        ("/?lab=drift-2am", "/labs/drift-2am"),
        ("/?quiz=final&seed=7", "/quizzes/final?seed=7"),
        ("/?quiz=rollback", "/quizzes/rollback"),
        ("/?lab=..%2Fetc", "/labs/..%2Fetc"),
    ] {
        let (status, headers, _) = send(site.clone(), Request::get(asked).body(Body::empty()).unwrap()).await;
        assert!(status.is_redirection(), "{asked}: {status}");
        assert_eq!(headers.get(header::LOCATION).unwrap(), to, "{asked}");
    }
    let (status, _, body) = send(site, Request::get("/?bench=reconcile").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("data-page=\"catalog\""), "the bundle runs the benchmark on the catalog page");
}
