//! The HTTP side of the API host: the TLS accept loop, bearer-token
//! authentication, routing of Kubernetes API paths, and each verb.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use simulator::kube::api::Status;
use simulator::kube::{ObjectKey, ResourceType};
use std::sync::Arc;
use std::time::Duration;

use super::clock::rebase;
use super::field_validation::{self, Directive};
use super::patch::{PatchType, apply_patch};
use super::{Host, Session, discovery, protobuf};

/// The largest request body taken (the API server's limit is 3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;
/// The shortest time between two BOOKMARK events on one watch.
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(5);
/// How long a watch stays open when the client does not say.
const DEFAULT_WATCH_SECONDS: u64 = 30 * 60;

/// Accepts TLS connections and serves each with HTTP/1.1 until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    host: Arc<Host>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    // As `serve` does: a bound on connections, and deadlines for the handshake and each
    // request's headers (watches stay open as long as they ask once their headers are in).
    let limits = crate::server::listen::Limits::default();
    let permits = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else { continue };
        let acceptor = acceptor.clone();
        let host = host.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let Ok(Ok(stream)) = tokio::time::timeout(limits.header_timeout, acceptor.accept(tcp)).await else { return };
            let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let host = host.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(host, req.map(Body::new)).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn json_response(code: StatusCode, content_type: &str, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    (code, [(header::CONTENT_TYPE, content_type.to_string())], body).into_response()
}

fn ok(value: &Value) -> Response {
    json_response(StatusCode::OK, "application/json", value)
}

fn status_response(s: &Status) -> Response {
    json_response(StatusCode::from_u16(s.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), "application/json", &s.to_json())
}

/// Adds the API server's `Warning` headers (unknown fields under `fieldValidation=Warn`).
fn with_warnings(mut response: Response, warnings: &[String]) -> Response {
    for value in field_validation::warnings_header(warnings) {
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().append(header::WARNING, v);
        }
    }
    response
}

fn unauthorized() -> Response {
    let s = Status { code: 401, reason: "Unauthorized".into(), message: "Unauthorized".into(), details: None };
    status_response(&s)
}

fn not_found_path(path: &str) -> Response {
    let s =
        Status { code: 404, reason: "NotFound".into(), message: "the server could not find the requested resource".into(), details: None };
    let _ = path;
    status_response(&s)
}

/// Decodes `%XX` and `+` in a query component.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request's query parameters.
#[derive(Default, Debug)]
pub struct Query(Vec<(String, String)>);

impl Query {
    fn parse(q: Option<&str>) -> Query {
        Query(
            q.unwrap_or("")
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1"))
    }

    fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

/// One request for a resource: `/api/v1/namespaces/NS/pods/NAME/log`.
#[derive(Debug)]
struct Target {
    rt: ResourceType,
    namespace: Option<String>,
    name: Option<String>,
    subresource: Option<String>,
}

async fn handle(host: Arc<Host>, req: axum::http::Request<Body>) -> Response {
    let authorized = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| constant_time_eq(t.trim().as_bytes(), host.token.as_bytes()));
    if !authorized {
        return unauthorized();
    }
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            let s = Status {
                code: 413,
                reason: "RequestEntityTooLarge".into(),
                message: "Request entity too large: limit is 3145728".into(),
                details: None,
            };
            return status_response(&s);
        }
    };
    let path = parts.uri.path().trim_end_matches('/').to_string();
    let query = Query::parse(parts.uri.query());
    let accept = parts.headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    match (parts.method.clone(), path.as_str()) {
        (Method::GET, "/version") => return ok(&discovery::version()),
        (Method::GET, "/healthz" | "/readyz" | "/livez") => return (StatusCode::OK, "ok").into_response(),
        (Method::GET, "/api") => {
            return if discovery::wants_aggregated(&accept) {
                let v = discovery::aggregated(&host.lock().registry, true);
                json_response(StatusCode::OK, discovery::AGGREGATED_CONTENT_TYPE, &v)
            } else {
                ok(&discovery::api_versions(&host.server_address))
            };
        }
        (Method::GET, "/apis") => {
            let registry = host.lock().registry.clone();
            return if discovery::wants_aggregated(&accept) {
                json_response(StatusCode::OK, discovery::AGGREGATED_CONTENT_TYPE, &discovery::aggregated(&registry, false))
            } else {
                ok(&discovery::api_group_list(&registry))
            };
        }
        (Method::GET, "/openapi/v3") => return ok(&discovery::openapi_index(&host.lock().registry)),
        (Method::GET, p) if p.starts_with("/openapi/v3/") => {
            let rest = &p["/openapi/v3/".len()..];
            let registry = host.lock().registry.clone();
            let doc = match rest.split('/').collect::<Vec<_>>().as_slice() {
                ["api", v] => discovery::openapi_group_version(&registry, "", v),
                ["apis", g, v] => discovery::openapi_group_version(&registry, g, v),
                _ => None,
            };
            return doc.map(|d| ok(&d)).unwrap_or_else(|| not_found_path(p));
        }
        _ => {}
    }
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(String::from).collect();
    let (group, version, rest) = match segments.first().map(String::as_str) {
        Some("api") if segments.len() >= 2 => (String::new(), segments[1].clone(), segments[2..].to_vec()),
        Some("apis") if segments.len() >= 3 => (segments[1].clone(), segments[2].clone(), segments[3..].to_vec()),
        Some("apis") if segments.len() == 2 && parts.method == Method::GET => {
            return discovery::api_group(&host.lock().registry, &segments[1]).map(|g| ok(&g)).unwrap_or_else(|| not_found_path(&path));
        }
        _ => return not_found_path(&path),
    };
    if rest.is_empty() {
        if parts.method != Method::GET {
            return not_found_path(&path);
        }
        return discovery::resource_list(&host.lock().registry, &group, &version).map(|l| ok(&l)).unwrap_or_else(|| not_found_path(&path));
    }
    let (namespace, resource, name, subresource) =
        if rest[0] == "namespaces" && rest.len() >= 3 && !matches!(rest[2].as_str(), "status" | "finalize")
            || rest[0] == "namespaces" && rest.len() >= 4
        {
            (Some(rest[1].clone()), rest[2].clone(), rest.get(3).cloned(), rest.get(4).cloned())
        } else {
            (None, rest[0].clone(), rest.get(1).cloned(), rest.get(2).cloned())
        };
    let Some(rt) = host.lock().registry.find(&group, &version, &resource) else {
        return not_found_path(&path);
    };
    if !rt.namespaced && namespace.is_some() || rt.namespaced && namespace.is_none() && name.is_some() {
        return not_found_path(&path);
    }
    let target = Target { rt, namespace, name, subresource };
    record_command(&host, &parts.headers, &parts.method, &target);
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json").to_string();
    let table = accept.contains("as=Table");
    match (parts.method, target.name.is_some()) {
        (Method::GET, false) if query.flag("watch") => watch(host, target, query, table).await,
        (Method::GET, false) => list(&host, &target, &query, table),
        (Method::GET, true) if target.subresource.as_deref() == Some("log") && query.flag("follow") => {
            follow_log(host, target, query).await
        }
        (Method::GET, true) => get(&host, &target, &query, table),
        (Method::POST, false) => create(&host, &target, &query, &content_type, &body),
        (Method::PUT, true) => update(&host, &target, &query, &content_type, &body),
        (Method::PATCH, true) => patch(&host, &target, &query, &content_type, &body),
        (Method::DELETE, true) => delete(&host, &target, &query),
        (m, _) => {
            status_response(&Status::method_not_allowed(format!("the server does not allow this method on the requested resource ({m})")))
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Writes `kubectl VERB RESOURCE [NAME] [-n NS]` to the journal, from kubectl's
/// `Kubectl-Command` header (which names only the subcommand) and the request.
fn record_command(host: &Host, headers: &HeaderMap, method: &Method, target: &Target) {
    let Some(command) = headers.get("kubectl-command").and_then(|v| v.to_str().ok()) else { return };
    let session = headers.get("kubectl-session").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut line = format!("{command} {}", target.rt.plural);
    if let Some(n) = &target.name {
        line.push(' ');
        line.push_str(n);
    }
    let mut s = host.lock();
    match &target.namespace {
        // Shapes match when their flags are a subset, so the namespace is always written.
        Some(ns) => line.push_str(&format!(" -n {ns}")),
        None if target.rt.namespaced && *method == Method::GET => line.push_str(" -A"),
        _ => {}
    }
    s.record_command(&session, &line);
}

fn served(value: &Value, offset: i64) -> Value {
    let mut v = value.clone();
    rebase(&mut v, offset);
    v
}

fn list_kind(rt: &ResourceType) -> String {
    format!("{}List", rt.kind)
}

fn table_response(s: &Session, rt: &ResourceType, objects: &[Value], rv: &str, with_columns: bool) -> Response {
    let offset = s.clock.offset_millis();
    let mut t = s.world.api_table(rt, objects, rv, with_columns);
    rebase(&mut t, offset);
    json_response(StatusCode::OK, "application/json;as=Table;v=v1;g=meta.k8s.io", &t)
}

fn list(host: &Host, target: &Target, query: &Query, table: bool) -> Response {
    host.with_session(|s| {
        let result = s.world.api_list(&target.rt, target.namespace.as_deref(), query.get("labelSelector"), query.get("fieldSelector"));
        let objects = match result {
            Ok(o) => o,
            Err(e) => return status_response(&e),
        };
        let rv = s.world.api_resource_version().to_string();
        if table {
            return table_response(s, &target.rt, &objects, &rv, true);
        }
        let offset = s.clock.offset_millis();
        let items: Vec<Value> = objects.iter().map(|o| served(o, offset)).collect();
        ok(&json!({"kind": list_kind(&target.rt), "apiVersion": target.rt.api_version(), "metadata": {"resourceVersion": rv}, "items": items}))
    })
}

fn get(host: &Host, target: &Target, query: &Query, table: bool) -> Response {
    let name = target.name.as_deref().unwrap_or_default();
    let ns = target.namespace.as_deref().unwrap_or_default();
    host.with_session(|s| {
        let offset = s.clock.offset_millis();
        match target.subresource.as_deref() {
            None | Some("status") => match s.world.api_get(&target.rt, ns, name) {
                Ok(o) if table => {
                    let rv = s.world.api_resource_version().to_string();
                    table_response(s, &target.rt, &[o], &rv, true)
                }
                Ok(o) => ok(&served(&o, offset)),
                Err(e) => status_response(&e),
            },
            Some("scale") if super::types::subresources(&target.rt).iter().any(|(n, ..)| *n == "scale") => {
                match s.world.api_get_scale(&target.rt, ns, name) {
                    Ok(o) => ok(&served(&o, offset)),
                    Err(e) => status_response(&e),
                }
            }
            Some("log") if target.rt.kind == "Pod" => match s.world.api_pod_log(ns, name, query.flag("previous")) {
                Ok(text) => {
                    let text = tail_lines(text, query.get("tailLines").and_then(|t| t.parse::<usize>().ok()));
                    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
                }
                Err(e) => status_response(&e),
            },
            Some(_) => not_found_path(""),
        }
    })
}

/// The last `n` lines of a log, or all of it.
fn tail_lines(text: String, n: Option<usize>) -> String {
    match n {
        Some(n) => {
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].iter().map(|l| format!("{l}\n")).collect()
        }
        None => text,
    }
}

/// The running container a followed log belongs to: its start, or None once it has stopped
/// (or the pod is gone), which ends the stream as the kubelet ends it.
fn running_container(s: &Session, ns: &str, name: &str) -> Option<String> {
    let pods = simulator::kube::resource_type("pods")?;
    let pod = s.world.api_get(pods, ns, name).ok()?;
    if pod["metadata"]["deletionTimestamp"].is_string() {
        return None;
    }
    pod["status"]["containerStatuses"][0]["state"]["running"]["startedAt"].as_str().map(String::from)
}

/// `kubectl logs -f`: what the container printed so far, then each new line as it prints
/// it, until the container stops, the pod goes, or the client leaves.
async fn follow_log(host: Arc<Host>, target: Target, query: Query) -> Response {
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let first =
        host.with_session(|s| s.world.api_pod_log(&ns, &name, query.flag("previous")).map(|text| (text, running_container(s, &ns, &name))));
    let (text, running) = match first {
        Ok(t) => t,
        Err(e) => return status_response(&e),
    };
    let shown = tail_lines(text.clone(), query.get("tailLines").and_then(|t| t.parse().ok()));
    let initial = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from(shown))]);
    let state = (host.clone(), host.subscribe(), text, running);
    let rest = futures_util::stream::unfold(state, move |(host, mut changes, sent, running)| {
        let (ns, name) = (ns.clone(), name.clone());
        async move {
            let started = running.clone()?;
            loop {
                if changes.changed().await.is_err() {
                    return None;
                }
                let (now_text, now_running) = {
                    let s = host.lock();
                    (s.world.api_pod_log(&ns, &name, false).ok(), running_container(&s, &ns, &name))
                };
                let grown = now_text.as_deref().and_then(|t| t.strip_prefix(sent.as_str())).filter(|d| !d.is_empty()).map(String::from);
                let still = now_running.as_deref() == Some(started.as_str());
                match (grown, still) {
                    (Some(more), _) => {
                        let next_running = if still { now_running } else { None };
                        return Some((Ok(Bytes::from(more)), (host, changes, now_text.unwrap_or_default(), next_running)));
                    }
                    (None, true) => continue,
                    (None, false) => return None,
                }
            }
        }
    });
    let body = Body::from_stream(initial.chain(rest));
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

/// The object of a create or update request, from JSON, YAML or protobuf.
fn decode_body(content_type: &str, body: &Bytes) -> Result<Value, Response> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "application/vnd.kubernetes.protobuf" => protobuf::decode(body)
            .map_err(|e| status_response(&Status { code: 415, reason: "UnsupportedMediaType".into(), message: e, details: None })),
        "application/yaml" => {
            let text = std::str::from_utf8(body).map_err(|_| status_response(&Status::bad_request("the body is not UTF-8")))?;
            simulator::yaml::parse_documents(text, "body")
                .ok()
                .and_then(|d| d.into_iter().next())
                .ok_or_else(|| status_response(&Status::bad_request("the body is not a YAML object")))
        }
        _ => serde_json::from_slice(body).map_err(|e| status_response(&Status::bad_request(format!("error decoding the body: {e}")))),
    }
}

fn create(host: &Host, target: &Target, query: &Query, content_type: &str, body: &Bytes) -> Response {
    let directive = match Directive::parse(query.get("fieldValidation"), "CreateOptions") {
        Ok(d) => d,
        Err(e) => return status_response(&e),
    };
    let mut obj = match decode_body(content_type, body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let warnings = match field_validation::enforce(&target.rt, &mut obj, None, directive, |e| field_validation::body_refused(&target.rt, e))
    {
        Ok(w) => w,
        Err(e) => return status_response(&e),
    };
    if target.rt.kind == "SelfSubjectAccessReview" {
        let mut review = obj;
        review["status"] = json!({"allowed": true, "reason": "the simulated cluster allows everything"});
        return json_response(StatusCode::CREATED, "application/json", &review);
    }
    let ns = target.namespace.clone().unwrap_or_default();
    host.with_session(|s| {
        let now = s.clock.now().max(s.world.now());
        match s.world.api_create(now, &target.rt, &ns, obj, query.dry_run()) {
            Ok(created) => {
                if target.rt.kind == "CustomResourceDefinition" && !query.dry_run() {
                    s.registry.register_crd(&created);
                }
                let offset = s.clock.offset_millis();
                with_warnings(json_response(StatusCode::CREATED, "application/json", &served(&created, offset)), &warnings)
            }
            Err(e) => status_response(&e),
        }
    })
}

fn ns_of(target: &Target) -> String {
    target.namespace.clone().unwrap_or_default()
}

fn update(host: &Host, target: &Target, query: &Query, content_type: &str, body: &Bytes) -> Response {
    let directive = match Directive::parse(query.get("fieldValidation"), "UpdateOptions") {
        Ok(d) => d,
        Err(e) => return status_response(&e),
    };
    let mut obj = match decode_body(content_type, body) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let live = target
        .subresource
        .is_none()
        .then(|| host.lock().world.api_get(&target.rt, &ns_of(target), target.name.as_deref().unwrap_or_default()).ok())
        .flatten();
    let warnings = if target.subresource.is_none() {
        match field_validation::enforce(&target.rt, &mut obj, live.as_ref(), directive, |e| field_validation::body_refused(&target.rt, e)) {
            Ok(w) => w,
            Err(e) => return status_response(&e),
        }
    } else {
        Vec::new()
    };
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    host.with_session(|s| {
        let now = s.clock.now().max(s.world.now());
        let offset = s.clock.offset_millis();
        let result = match target.subresource.as_deref() {
            None => s.world.api_update(now, &target.rt, &ns, &name, obj, query.dry_run()),
            Some("scale") => s.world.api_update_scale(now, &target.rt, &ns, &name, &obj, query.dry_run()),
            Some(other) => Err(Status::method_not_allowed(format!("the simulated cluster does not write the {other} subresource"))),
        };
        match result {
            Ok(o) => with_warnings(ok(&served(&o, offset)), &warnings),
            Err(e) => status_response(&e),
        }
    })
}

fn patch(host: &Host, target: &Target, query: &Query, content_type: &str, body: &Bytes) -> Response {
    let Some(kind) = PatchType::from_content_type(content_type) else {
        let s = Status {
            code: 415,
            reason: "UnsupportedMediaType".into(),
            message: format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type})"
            ),
            details: None,
        };
        return status_response(&s);
    };
    let directive = match Directive::parse(query.get("fieldValidation"), "PatchOptions") {
        Ok(d) => d,
        Err(e) => return status_response(&e),
    };
    let patch_value: Value = if kind == PatchType::Apply {
        match std::str::from_utf8(body)
            .ok()
            .and_then(|t| simulator::yaml::parse_documents(t, "patch").ok())
            .and_then(|d| d.into_iter().next())
        {
            Some(v) => v,
            None => return status_response(&Status::bad_request("error decoding YAML: the apply configuration is not an object")),
        }
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return status_response(&Status::bad_request(format!("error decoding patch: {e}"))),
        }
    };
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    let custom = !simulator::kube::RESOURCE_TYPES
        .iter()
        .chain(super::types::HOST_TYPES)
        .any(|t| t.group == target.rt.group && t.kind == target.rt.kind)
        || matches!(target.rt.group, "argoproj.io" | "source.toolkit.fluxcd.io" | "kustomize.toolkit.fluxcd.io");
    host.with_session(|s| {
        let now = s.clock.now().max(s.world.now());
        let offset = s.clock.offset_millis();
        let dry_run = query.dry_run();
        if target.subresource.as_deref() == Some("scale") {
            let mut scale = match s.world.api_get_scale(&target.rt, &ns, &name) {
                Ok(v) => v,
                Err(e) => return status_response(&e),
            };
            if let Err(e) = apply_patch(kind, &mut scale, &patch_value, false) {
                return status_response(&Status::bad_request(e));
            }
            return match s.world.api_update_scale(now, &target.rt, &ns, &name, &scale, dry_run) {
                Ok(o) => ok(&served(&o, offset)),
                Err(e) => status_response(&e),
            };
        }
        if target.subresource.is_some() {
            return status_response(&Status::method_not_allowed("the simulated cluster patches objects and their scale only"));
        }
        let live = match s.world.api_get(&target.rt, &ns, &name) {
            Ok(v) => v,
            Err(_) if kind == PatchType::Apply => {
                return match s.world.api_create(now, &target.rt, &ns, patch_value, dry_run) {
                    Ok(o) => json_response(StatusCode::CREATED, "application/json", &served(&o, offset)),
                    Err(e) => status_response(&e),
                };
            }
            Err(e) => return status_response(&e),
        };
        let mut patched = live.clone();
        if let Err(e) = apply_patch(kind, &mut patched, &patch_value, custom) {
            let code = if kind == PatchType::Strategic && custom { 415 } else { 422 };
            let reason = if code == 415 { "UnsupportedMediaType" } else { "Invalid" };
            return status_response(&Status { code, reason: reason.into(), message: e, details: None });
        }
        if ObjectKey::of(&patched) != ObjectKey::of(&live) {
            return status_response(&Status::bad_request("a patch may not change an object's kind, name or namespace"));
        }
        // A strategic merge patch is shown as Go prints the decoded patch; the others as the patched object.
        let shown = if kind == PatchType::Strategic {
            field_validation::go_format(&patch_value)
        } else {
            serde_json::to_string(&patched).unwrap_or_default()
        };
        // Server-side apply reports unknown fields through its own typed merge, not simulated here.
        let directive = if kind == PatchType::Apply { Directive::Ignore } else { directive };
        let warnings = match field_validation::enforce(&target.rt, &mut patched, Some(&live), directive, |e| {
            field_validation::patch_refused(&shown, e)
        }) {
            Ok(w) => w,
            Err(e) => return status_response(&e),
        };
        match s.world.api_update(now, &target.rt, &ns, &name, patched, dry_run) {
            Ok(o) => with_warnings(ok(&served(&o, offset)), &warnings),
            Err(e) => status_response(&e),
        }
    })
}

fn delete(host: &Host, target: &Target, query: &Query) -> Response {
    let ns = target.namespace.clone().unwrap_or_default();
    let name = target.name.clone().unwrap_or_default();
    host.with_session(|s| {
        let now = s.clock.now().max(s.world.now());
        let offset = s.clock.offset_millis();
        match s.world.api_delete(now, &target.rt, &ns, &name, query.dry_run()) {
            Ok(o) => ok(&served(&o, offset)),
            Err(e) => status_response(&e),
        }
    })
}

/// One watch event line, as the API server streams it.
fn event_line(event_type: &str, object: &Value) -> Bytes {
    let mut line = serde_json::to_vec(&json!({"type": event_type, "object": object})).unwrap_or_default();
    line.push(b'\n');
    Bytes::from(line)
}

fn matches_target(target: &Target, query: &Query, key: &ObjectKey, obj: &Value) -> bool {
    if key.group != target.rt.group || key.kind != target.rt.kind {
        return false;
    }
    if let Some(ns) = &target.namespace {
        if key.namespace != *ns {
            return false;
        }
    }
    if let Some(sel) = query.get("labelSelector").filter(|s| !s.is_empty()) {
        if !simulator::kube::meta::label_selector_matches(sel, &simulator::kube::meta::labels(obj)) {
            return false;
        }
    }
    if let Some(sel) = query.get("fieldSelector").filter(|s| !s.is_empty()) {
        if !simulator::kube::api::field_selector_matches(sel, obj).unwrap_or(false) {
            return false;
        }
    }
    true
}

/// WATCH: the changes after `resourceVersion` (or everything now as ADDED, for none or `0`),
/// streamed as they happen until `timeoutSeconds` or the client goes away.
async fn watch(host: Arc<Host>, target: Target, query: Query, table: bool) -> Response {
    if let Some(sel) = query.get("fieldSelector").filter(|s| !s.is_empty()) {
        if let Err(e) = simulator::kube::api::field_selector_matches(sel, &json!({})) {
            return status_response(&e);
        }
    }
    let timeout = query.get("timeoutSeconds").and_then(|t| t.parse::<u64>().ok()).unwrap_or(DEFAULT_WATCH_SECONDS);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let requested: Option<u64> = query.get("resourceVersion").filter(|v| !v.is_empty() && *v != "0").and_then(|v| v.parse().ok());
    let (initial, since) = host.with_session(|s| {
        let rv = s.world.api_resource_version();
        match requested {
            Some(r) => (Vec::new(), r),
            None => {
                let objs = s
                    .world
                    .api_list(&target.rt, target.namespace.as_deref(), query.get("labelSelector"), query.get("fieldSelector"))
                    .unwrap_or_default();
                let offset = s.clock.offset_millis();
                let lines: Vec<Bytes> = objs
                    .iter()
                    .map(|o| {
                        let object = if table { table_object(s, &target.rt, o, offset) } else { served(o, offset) };
                        event_line("ADDED", &object)
                    })
                    .collect();
                (lines, rv)
            }
        }
    });
    let content_type = if table { "application/json;as=Table;v=v1;g=meta.k8s.io" } else { "application/json" };
    let bookmarks = query.flag("allowWatchBookmarks") && !table;
    // When the last BOOKMARK went out (`None`: none yet, so the first is sent at once).
    let last_bookmark: Option<tokio::time::Instant> = None;
    let state = (host.clone(), host.subscribe(), since, false, last_bookmark);
    let target = Arc::new(target);
    let query = Arc::new(query);
    let stream = futures_util::stream::unfold(state, move |(host, mut changes, since, done, last_bookmark)| {
        let target = target.clone();
        let query = query.clone();
        async move {
            if done {
                return None;
            }
            let mut since = since;
            loop {
                let (batch, newest) = {
                    let s = host.lock();
                    match s.cache.since(since) {
                        None => {
                            let status = Status::gone(format!("too old resource version: {since} ({})", s.cache.oldest()));
                            (Err(event_line("ERROR", &status.to_json())), since)
                        }
                        Some(log) => {
                            let offset = s.clock.offset_millis();
                            let newest = log.last().map(|c| c.resource_version).unwrap_or(since);
                            let lines: Vec<Bytes> = log
                                .iter()
                                .filter(|c| matches_target(&target, &query, &c.key, &c.object))
                                .map(|c| {
                                    let object =
                                        if table { table_object(&s, &target.rt, &c.object, offset) } else { served(&c.object, offset) };
                                    event_line(c.event_type.word(), &object)
                                })
                                .collect();
                            (Ok(lines), newest)
                        }
                    }
                };
                match batch {
                    Err(line) => return Some((Ok::<Bytes, std::io::Error>(line), (host, changes, since, true, last_bookmark))),
                    Ok(lines) if !lines.is_empty() => {
                        return Some((Ok(Bytes::from(lines.concat())), (host, changes, newest, false, last_bookmark)));
                    }
                    // Changes this watch does not show: a BOOKMARK (when asked for, at most one per
                    // interval) moves the client's resourceVersion on, so it resumes without 410 Gone.
                    Ok(_) if bookmarks && newest > since && last_bookmark.is_none_or(|t| t.elapsed() >= BOOKMARK_INTERVAL) => {
                        let line = event_line("BOOKMARK", &bookmark_object(&target.rt, newest));
                        return Some((Ok(line), (host, changes, newest, false, Some(tokio::time::Instant::now()))));
                    }
                    Ok(_) => since = newest,
                }
                tokio::select! {
                    r = changes.changed() => if r.is_err() { return None; },
                    _ = tokio::time::sleep_until(deadline) => return None,
                }
            }
        }
    });
    let initial_stream = futures_util::stream::iter(initial.into_iter().map(Ok::<Bytes, std::io::Error>));
    let body = Body::from_stream(initial_stream.chain(stream));
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache, private")], body).into_response()
}

/// A BOOKMARK event's object: the watched kind with only a resourceVersion, as the API server sends it.
fn bookmark_object(rt: &ResourceType, resource_version: u64) -> Value {
    json!({"kind": rt.kind, "apiVersion": rt.api_version(), "metadata": {"resourceVersion": resource_version.to_string()}})
}

/// A one-row Table for a watch event.
fn table_object(s: &Session, rt: &ResourceType, obj: &Value, offset: i64) -> Value {
    let mut t = s.world.api_table(rt, std::slice::from_ref(obj), obj["metadata"]["resourceVersion"].as_str().unwrap_or(""), true);
    rebase(&mut t, offset);
    t
}
