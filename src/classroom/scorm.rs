//! SCORM 1.2 packages, so that a corporate LMS can host a lab or a quiz and record its
//! result. A package is a zip with `imsmanifest.xml` and one SCO, `index.html`: it finds the
//! LMS's API, calls `LMSInitialize`, opens the lab or quiz from this server in a frame, and
//! on each result the page posts (`{source: "gitops-lab", ...}`) sets
//! `cmi.core.lesson_status` and `cmi.core.score.raw`, then `LMSCommit`; `LMSFinish` on leaving.

use axum::http::{HeaderMap, header};
use std::io::Write;

use super::export::MASTERY_PERCENT;

/// What a package holds.
pub enum Sco<'a> {
    Lab { id: &'a str, title: &'a str },
    Quiz { id: &'a str, title: &'a str },
}

impl Sco<'_> {
    fn parts(&self) -> (&'static str, &str, &str, String) {
        match self {
            Sco::Lab { id, title } => ("lab", id, title, format!("/labs/{id}?scorm=1")),
            Sco::Quiz { id, title } => ("quiz", id, title, format!("/quizzes/{id}?scorm=1")),
        }
    }
}

/// `scheme://host` of this server as the request reached it (behind a proxy, its
/// `X-Forwarded-Proto` and `X-Forwarded-Host`).
pub fn origin_of(headers: &HeaderMap) -> String {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(|v| v.split(',').next().unwrap_or("").trim().to_string());
    let host =
        get("x-forwarded-host").or_else(|| get(header::HOST.as_str())).filter(|h| !h.is_empty()).unwrap_or_else(|| "127.0.0.1:8080".into());
    let host: String = host.chars().filter(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(*c)).collect();
    let scheme = match get("x-forwarded-proto").as_deref() {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

fn manifest(kind: &str, id: &str, title: &str) -> String {
    let ident = format!("gitops-lab-{kind}-{id}");
    let title = xml_escape(title);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="{ident}-org">
    <organization identifier="{ident}-org">
      <title>GitOps Lab: {title}</title>
      <item identifier="{ident}-item" identifierref="{ident}-sco" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>{MASTERY_PERCENT}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="{ident}-sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"#
    )
}

fn launcher(kind: &str, id: &str, title: &str, origin: &str, path: &str) -> String {
    let title = xml_escape(title);
    let src = xml_escape(&format!("{origin}{path}"));
    let config = serde_json::json!({ "origin": origin, "kind": kind, "id": id }).to_string().replace('<', "\\u003c");
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} · GitOps Lab</title>
<style>html,body{{margin:0;height:100%}}iframe{{border:0;width:100%;height:calc(100% - 1.6em)}}p{{margin:0;font:14px sans-serif;padding:.2em .5em}}</style>
</head>
<body>
<p id="lms-status">Connecting to the LMS…</p>
<iframe id="lab" src="{src}" title="{title}" allow="clipboard-write"></iframe>
<script>
// SCORM 1.2 run-time: find the LMS's API object in a parent frame or the opener.
var config = {config};
function findAPI(win) {{
  for (var hops = 0; win && hops < 500; hops++) {{
    if (win.API) return win.API;
    if (win.parent === win) break;
    win = win.parent;
  }}
  return null;
}}
var api = findAPI(window) || (window.opener ? findAPI(window.opener) : null);
var status = document.getElementById("lms-status");
var finished = false;
if (api) {{
  api.LMSInitialize("");
  if (api.LMSGetValue("cmi.core.lesson_status") === "not attempted") {{
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
    api.LMSCommit("");
  }}
  status.textContent = "Your result is recorded by your LMS.";
}} else {{
  status.textContent = "No LMS found: this result is not recorded.";
}}
// The lab or quiz page posts each result: {{source, kind, id, score (0-100), status}}.
window.addEventListener("message", function (event) {{
  var d = event.data;
  if (event.origin !== config.origin || !d || d.source !== "gitops-lab" || d.kind !== config.kind || d.id !== config.id) return;
  var score = Math.max(0, Math.min(100, Math.round(Number(d.score) || 0)));
  var allowed = ["passed", "failed", "completed", "incomplete"];
  var lesson = allowed.indexOf(d.status) >= 0 ? d.status : "incomplete";
  status.textContent = "Score " + score + ", " + lesson + ".";
  if (!api) return;
  api.LMSSetValue("cmi.core.score.min", "0");
  api.LMSSetValue("cmi.core.score.max", "100");
  api.LMSSetValue("cmi.core.score.raw", String(score));
  api.LMSSetValue("cmi.core.lesson_status", lesson);
  api.LMSCommit("");
}});
function finish() {{
  if (api && !finished) {{ finished = true; api.LMSCommit(""); api.LMSFinish(""); }}
}}
window.addEventListener("pagehide", finish);
window.addEventListener("beforeunload", finish);
</script>
</body>
</html>
"#
    )
}

/// The package as zip bytes.
pub fn package(sco: Sco<'_>, origin: &str) -> Result<Vec<u8>, String> {
    let (kind, id, title, path) = sco.parts();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in [("imsmanifest.xml", manifest(kind, id, title)), ("index.html", launcher(kind, id, title, origin, &path))] {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}
