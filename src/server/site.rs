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

    /// Serves one file of the site.
    pub async fn serve(&self, path: &str) -> Response {
        let rel = path.trim_start_matches('/');
        let rel = if rel.is_empty() { "index.html" } else { rel };
        if rel.split('/').any(|part| part == "..") {
            return StatusCode::NOT_FOUND.into_response();
        }
        let bytes: Option<Vec<u8>> = match self {
            Site::Embedded => embedded::SITE.iter().find(|(p, _)| *p == rel).map(|(_, b)| b.to_vec()),
            Site::Dir(dir) => tokio::fs::read(dir.join(rel)).await.ok(),
        };
        match bytes {
            Some(b) => ([(header::CONTENT_TYPE, content_type(rel)), (header::CACHE_CONTROL, "no-cache")], Body::from(b)).into_response(),
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
