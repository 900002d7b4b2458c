//! Manifest generation: turns an app's source at a Git revision into the
//! objects it wants in the cluster.

use serde_json::Value;

use super::app::AppSpec;
use crate::git::Snapshot;
use crate::kube::{meta, resource_type_for, split_api_version};
use crate::yaml;

/// The annotation Argo CD v3 tracks its resources with.
pub const TRACKING_ID: &str = "argocd.argoproj.io/tracking-id";

/// Renders a plain directory source. Errors read like Argo CD's ComparisonError.
pub fn render(app: &AppSpec, files: &Snapshot) -> Result<Vec<Value>, String> {
    let prefix = if app.path.is_empty() || app.path == "." { String::new() } else { format!("{}/", app.path) };
    let mut found_dir = prefix.is_empty();
    let mut objects = Vec::new();
    for (path, content) in files {
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        found_dir = true;
        if rest.contains('/') && !app.recurse {
            continue;
        }
        if !(rest.ends_with(".yaml") || rest.ends_with(".yml") || rest.ends_with(".json")) {
            continue;
        }
        let docs = yaml::parse_documents(content, path).map_err(|e| {
            format!("rpc error: code = Unknown desc = Manifest generation error (cached): failed to unmarshal {path}: {}", e.message)
        })?;
        for mut obj in docs {
            if obj.get("kind").is_none() || obj.get("apiVersion").is_none() {
                continue;
            }
            let (group, _) = split_api_version(obj["apiVersion"].as_str().unwrap_or(""));
            let namespaced = resource_type_for(group, meta::kind(&obj)).is_none_or(|rt| rt.namespaced);
            if namespaced && meta::namespace(&obj).is_empty() && !app.dest_namespace.is_empty() {
                meta::ensure_map(&mut obj, &["metadata"]).insert("namespace".into(), Value::String(app.dest_namespace.clone()));
            }
            let id = tracking_id(&app.name, &obj);
            meta::set_annotation(&mut obj, TRACKING_ID, &id);
            objects.push(obj);
        }
    }
    if !found_dir {
        return Err(format!("rpc error: code = Unknown desc = Manifest generation error (cached): {}: app path does not exist", app.path));
    }
    Ok(objects)
}

/// `payment-service:apps/Deployment:payments/payment-service`.
pub fn tracking_id(app: &str, obj: &Value) -> String {
    let (group, _) = split_api_version(obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""));
    format!("{app}:{group}/{}:{}/{}", meta::kind(obj), meta::namespace(obj), meta::name(obj))
}
