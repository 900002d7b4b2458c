//! Where the browser bundle comes from: compiled into the binary, or a folder.

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/site.rs"));
}

/// The built site (`pkg/frontend.js`, `pkg/frontend_bg.wasm`, `style.css`, ...).
#[derive(Clone, Debug)]
pub enum Site {
    Embedded,
    Dir(PathBuf),
}

impl Site {
    /// The embedded site if this binary carries one, else the folder `cargo xtask build-web` writes.
    pub fn default_for_binary() -> Site {
        if embedded::SITE.is_empty() {
            Site::Dir(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/site")))
        } else {
            Site::Embedded
        }
    }

    pub fn has_bundle(&self) -> bool {
        match self {
            Site::Embedded => embedded::SITE.iter().any(|(p, _)| *p == "pkg/frontend.js"),
            Site::Dir(dir) => dir.join("pkg/frontend.js").is_file(),
        }
    }

    /// Serves one file of the site, with an `ETag` of its content: the browser keeps its copy between
    /// visits and asks again with `If-None-Match`, which a `304 Not Modified` answers without a body.
    pub async fn serve(&self, path: &str, if_none_match: Option<&str>) -> Response {
        let rel = path.trim_start_matches('/');
        let rel = if rel.is_empty() { "index.html" } else { rel };
        if rel.split('/').any(|part| part == "..") {
            return StatusCode::NOT_FOUND.into_response();
        }
        // Browsers ask for /favicon.ico whatever the page links; the site's icon is an SVG.
        let (rel, bytes) = match self.read(rel).await {
            None if rel == "favicon.ico" => ("favicon.svg", self.read("favicon.svg").await),
            bytes => (rel, bytes),
        };
        let Some(bytes) = bytes else { return (StatusCode::NOT_FOUND, "not found").into_response() };
        let etag = etag_of(&bytes);
        if if_none_match.is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*")) {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), (header::CACHE_CONTROL, CACHE_CONTROL.to_string())]).into_response();
        }
        let headers = [
            (header::CONTENT_TYPE, content_type(rel).to_string()),
            (header::CACHE_CONTROL, CACHE_CONTROL.to_string()),
            (header::ETAG, etag),
        ];
        (headers, Body::from(bytes)).into_response()
    }

    async fn read(&self, rel: &str) -> Option<Vec<u8>> {
        match self {
            Site::Embedded => embedded::SITE.iter().find(|(p, _)| *p == rel).map(|(_, b)| b.to_vec()),
            Site::Dir(dir) => tokio::fs::read(dir.join(rel)).await.ok(),
        }
    }
}

/// Keep the file, but check it is still current (by its `ETag`) before each use: the bundle's
/// names carry no content hash, so a new build must not be hidden behind a stale copy.
const CACHE_CONTROL: &str = "no-cache";

/// A strong entity tag from the file's content (64-bit FNV-1a, stable across runs and builds).
fn etag_of(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    format!("\"{hash:016x}-{}\"", bytes.len())
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
