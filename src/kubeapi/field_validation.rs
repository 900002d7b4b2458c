//! Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`), as the API
//! server does it for built-in types: a field the type's schema does not declare is
//! refused (Strict, kubectl's default since 1.27), reported in a `Warning` header (Warn)
//! or dropped silently (Ignore).
//!
//! The schema is Kubernetes 1.33's own, through `k8s-openapi`'s types: an object is
//! decoded into its typed struct and encoded back, and every field of the request that
//! did not survive the round trip is unknown. Custom resources (no typed struct here) are
//! not checked. Paths are written as the API server's strict decoder writes them:
//! `spec.template.spec.containers[0].imagee`.

use serde_json::Value;
use simulator::kube::ResourceType;
use simulator::kube::api::Status;

/// What the request asked for in `fieldValidation` (the API server's default is Warn).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Directive {
    Ignore,
    Warn,
    Strict,
}

impl Directive {
    /// Reads the query parameter of a request whose options are `options` (`CreateOptions`,
    /// `UpdateOptions`, `PatchOptions`); an unknown value is refused as the API server refuses it.
    pub fn parse(value: Option<&str>, options: &str) -> Result<Directive, Status> {
        match value {
            None | Some("") | Some("Warn") => Ok(Directive::Warn),
            Some("Strict") => Ok(Directive::Strict),
            Some("Ignore") => Ok(Directive::Ignore),
            Some(other) => {
                let cause = format!("Unsupported value: {}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"", go_quote(other));
                Err(Status {
                    code: 422,
                    reason: "Invalid".into(),
                    message: format!("{options}.meta.k8s.io \"\" is invalid: fieldValidation: {cause}"),
                    details: Some(simulator::kube::api::StatusDetails {
                        name: String::new(),
                        group: "meta.k8s.io".into(),
                        kind: options.into(),
                        causes: vec![("FieldValueNotSupported".into(), cause, "fieldValidation".into())],
                    }),
                })
            }
        }
    }
}

/// Decodes `obj` as the typed struct `T` and encodes it back.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(obj: &Value) -> Option<Value> {
    let typed: T = serde_json::from_value(obj.clone()).ok()?;
    serde_json::to_value(&typed).ok()
}

/// The object as its Kubernetes 1.33 type keeps it, or None for a type without a schema here
/// (custom resources) or a body that does not decode (other validation answers for that).
fn as_schema_keeps(rt: &ResourceType, obj: &Value) -> Option<Value> {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core, networking::v1 as networking,
    };
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
    match (rt.group, rt.version, rt.kind) {
        ("", "v1", "Pod") => round_trip::<core::Pod>(obj),
        ("", "v1", "Service") => round_trip::<core::Service>(obj),
        ("", "v1", "ConfigMap") => round_trip::<core::ConfigMap>(obj),
        ("", "v1", "Secret") => round_trip::<core::Secret>(obj),
        ("", "v1", "ServiceAccount") => round_trip::<core::ServiceAccount>(obj),
        ("", "v1", "Namespace") => round_trip::<core::Namespace>(obj),
        ("", "v1", "Node") => round_trip::<core::Node>(obj),
        ("", "v1", "PersistentVolumeClaim") => round_trip::<core::PersistentVolumeClaim>(obj),
        ("", "v1", "Event") => round_trip::<core::Event>(obj),
        ("apps", "v1", "Deployment") => round_trip::<apps::Deployment>(obj),
        ("apps", "v1", "ReplicaSet") => round_trip::<apps::ReplicaSet>(obj),
        ("apps", "v1", "StatefulSet") => round_trip::<apps::StatefulSet>(obj),
        ("apps", "v1", "DaemonSet") => round_trip::<apps::DaemonSet>(obj),
        ("batch", "v1", "Job") => round_trip::<batch::Job>(obj),
        ("batch", "v1", "CronJob") => round_trip::<batch::CronJob>(obj),
        ("autoscaling", "v2", "HorizontalPodAutoscaler") => round_trip::<autoscaling::HorizontalPodAutoscaler>(obj),
        ("networking.k8s.io", "v1", "Ingress") => round_trip::<networking::Ingress>(obj),
        ("apiextensions.k8s.io", "v1", "CustomResourceDefinition") => round_trip::<apiextensions::CustomResourceDefinition>(obj),
        _ => None,
    }
}

/// One step of a path into an object: a map key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A path as the strict decoder writes it: `spec.containers[0].imagee`.
fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Collects the paths of `given` that `kept` lacks (null values count as absent in both).
fn collect_missing(given: &Value, kept: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match (given, kept) {
        (Value::Object(g), Value::Object(k)) => {
            let mut keys: Vec<&String> = g.keys().collect();
            keys.sort();
            for key in keys {
                let value = &g[key];
                if value.is_null() {
                    continue;
                }
                path.push(Step::Key(key.clone()));
                match k.get(key) {
                    Some(kept_value) => collect_missing(value, kept_value, path, out),
                    None => out.push(path.clone()),
                }
                path.pop();
            }
        }
        (Value::Array(g), Value::Array(k)) => {
            for (i, (gv, kv)) in g.iter().zip(k).enumerate() {
                path.push(Step::Index(i));
                collect_missing(gv, kv, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn unknown_paths(rt: &ResourceType, obj: &Value) -> Vec<Vec<Step>> {
    let Some(kept) = as_schema_keeps(rt, obj) else { return Vec::new() };
    let mut paths = Vec::new();
    collect_missing(obj, &kept, &mut Vec::new(), &mut paths);
    paths
}

/// The fields of `obj` that its type does not declare, in the strict decoder's words
/// (`unknown field "spec.replicass"`), sorted by path; empty for custom resources.
pub fn unknown_fields(rt: &ResourceType, obj: &Value) -> Vec<String> {
    unknown_paths(rt, obj).iter().map(|p| format!("unknown field \"{}\"", path_text(p))).collect()
}

/// Removes the fields at `paths` from `obj` (deepest and last first, so indexes stay true).
fn drop_paths(obj: &mut Value, paths: &[Vec<Step>]) {
    for path in paths.iter().rev() {
        let Some((Step::Key(last), parent)) = path.split_last() else { continue };
        let mut node = &mut *obj;
        for step in parent {
            node = match step {
                Step::Key(k) => &mut node[k.as_str()],
                Step::Index(i) => &mut node[*i],
            };
        }
        if let Some(map) = node.as_object_mut() {
            map.remove(last);
        }
    }
}

/// What a write does with the unknown fields of `obj` under `directive`: Strict refuses
/// them (`refuse` builds the API server's answer), Warn drops them with warnings, Ignore
/// drops them silently. Returns the warnings. Fields already unknown in `live` (the stored
/// object an update or patch starts from, which the simulator may have written) are left be.
pub fn enforce(
    rt: &ResourceType,
    obj: &mut Value,
    live: Option<&Value>,
    directive: Directive,
    refuse: impl FnOnce(&[String]) -> Status,
) -> Result<Vec<String>, Status> {
    let already: Vec<Vec<Step>> = live.map(|l| unknown_paths(rt, l)).unwrap_or_default();
    let paths: Vec<Vec<Step>> = unknown_paths(rt, obj).into_iter().filter(|p| !already.contains(p)).collect();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let words: Vec<String> = paths.iter().map(|p| format!("unknown field \"{}\"", path_text(p))).collect();
    match directive {
        Directive::Strict => Err(refuse(&words)),
        Directive::Warn => {
            drop_paths(obj, &paths);
            Ok(words)
        }
        Directive::Ignore => {
            drop_paths(obj, &paths);
            Ok(Vec::new())
        }
    }
}

/// `strict decoding error: unknown field "a", unknown field "b"`.
pub fn strict_decoding_error(errors: &[String]) -> String {
    format!("strict decoding error: {}", errors.join(", "))
}

/// A create's or an update's body with unknown fields under Strict: 400, as the API server's
/// decoder answers (`Deployment in version "v1" cannot be handled as a Deployment: ...`).
pub fn body_refused(rt: &ResourceType, errors: &[String]) -> Status {
    Status::bad_request(format!(
        "{kind} in version \"{version}\" cannot be handled as a {kind}: {}",
        strict_decoding_error(errors),
        kind = rt.kind,
        version = rt.version
    ))
}

/// A patch whose result has unknown fields under Strict: 422, with `shown` quoted (`%q`), as
/// the API server's patch handler answers. `shown` is the patch printed as Go prints a map
/// (`go_format`) for a strategic merge patch, the patched object's JSON for the others.
pub fn patch_refused(shown: &str, errors: &[String]) -> Status {
    let value = go_quote(shown);
    let cause = format!("Invalid value: {value}: {}", strict_decoding_error(errors));
    Status {
        code: 422,
        reason: "Invalid".into(),
        message: format!(" \"\" is invalid: patch: {cause}"),
        details: Some(simulator::kube::api::StatusDetails {
            name: String::new(),
            group: String::new(),
            kind: String::new(),
            causes: vec![("FieldValueInvalid".into(), cause.clone(), "patch".into())],
        }),
    }
}

/// The `Warning` header values for unknown fields under Warn (`299 - "unknown field \"x\""`).
pub fn warnings_header(errors: &[String]) -> Vec<String> {
    errors.iter().map(|e| format!("299 - {}", go_quote(e))).collect()
}

/// A JSON value as Go's `fmt` prints the decoded `interface{}` with `%+v`: maps as
/// `map[k:v ...]` in key order, slices as `[a b]`, strings bare, null as `<nil>`.
pub fn go_format(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_format).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            format!("map[{}]", keys.iter().map(|k| format!("{k}:{}", go_format(&map[*k]))).collect::<Vec<_>>().join(" "))
        }
    }
}

/// Go's `strconv.Quote`: double quotes, with `"`, `\` and control characters escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
