//! Manifest generation: turns an app's source at a Git revision into the
//! objects it wants in the cluster.

use serde_json::Value;

use super::app::AppSpec;
use crate::git::Snapshot;
use crate::kube::{meta, resource_type_for, split_api_version};
use crate::yaml;

/// The annotation Argo CD v3 tracks its resources with.
pub const TRACKING_ID: &str = "argocd.argoproj.io/tracking-id";

/// The tool that renders an app's source: `Kustomize` when its path holds a
/// kustomization, `Helm` when it holds a `Chart.yaml` (Argo CD's discovery lets
/// the kustomization win when both are there).
pub fn source_type(app: &AppSpec, files: &Snapshot) -> &'static str {
    if crate::kustomize::is_kustomization_dir(files, &app.path) {
        "Kustomize"
    } else if crate::helm::is_chart_dir(files, &app.path) {
        "Helm"
    } else {
        "Directory"
    }
}

/// Renders an app's source at one revision. Errors read like Argo CD's ComparisonError.
pub fn render(app: &AppSpec, files: &Snapshot) -> Result<Vec<Value>, String> {
    match source_type(app, files) {
        "Kustomize" => return render_kustomize(&with_parameter_overrides(app, files), files),
        "Helm" => {
            let mut objects = super::helm_source::render(app, files)?;
            for obj in objects.iter_mut() {
                finish_object(app, obj);
            }
            return Ok(objects);
        }
        _ => {}
    }
    render_directory(app, files)
}

/// Argo CD's parameter override files in the app's path: `.argocd-source.yaml`, then
/// `.argocd-source-<app>.yaml` (which Argo CD Image Updater writes back), merged over
/// `spec.source.kustomize`.
fn with_parameter_overrides(app: &AppSpec, files: &Snapshot) -> AppSpec {
    let mut app = app.clone();
    let dir = if app.path.is_empty() || app.path == "." { String::new() } else { format!("{}/", app.path) };
    for name in [".argocd-source.yaml".to_string(), format!(".argocd-source-{}.yaml", app.name)] {
        let Some(text) = files.get(&format!("{dir}{name}")) else { continue };
        let Some(overrides) = yaml::parse_documents(text, &name).ok().and_then(|d| d.into_iter().next()) else { continue };
        let Some(images) = overrides["kustomize"]["images"].as_array() else { continue };
        let mut opts = app.kustomize.clone().unwrap_or_else(|| serde_json::json!({}));
        let list = opts.as_object_mut().expect("kustomize options are a map").entry("images").or_insert(Value::Array(vec![]));
        if let Some(existing) = list.as_array_mut() {
            existing.extend(images.iter().cloned());
        }
        app.kustomize = Some(opts);
    }
    app
}

/// Argo CD runs `kustomize edit` with `spec.source.kustomize` before building.
fn render_kustomize(app: &AppSpec, files: &Snapshot) -> Result<Vec<Value>, String> {
    // The repository is copied only when `kustomize edit` changes a file in it.
    let mut files = std::borrow::Cow::Borrowed(files);
    if let Some(opts) = app.kustomize.as_ref().filter(|o| o.as_object().is_some_and(|m| !m.is_empty())) {
        let files = files.to_mut();
        let path = crate::kustomize::kustomization_file(&files, &app.path).expect("a kustomization directory has its file");
        let mut k = crate::yaml::parse_documents(&files[&path], &path)
            .map_err(|e| e.to_string())?
            .into_iter()
            .next()
            .unwrap_or(serde_json::json!({}));
        for field in ["namePrefix", "nameSuffix", "namespace"] {
            if let Some(v) = opts.get(field).and_then(Value::as_str).filter(|v| !v.is_empty()) {
                k[field] = Value::String(v.to_string());
            }
        }
        for field in ["commonLabels", "commonAnnotations"] {
            if let Some(m) = opts.get(field).and_then(Value::as_object) {
                crate::kube::meta::ensure_map(&mut k, &[field]).extend(m.clone());
            }
        }
        for image in opts.get("images").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            let entry = crate::kustomize::edit::image_entry(image);
            crate::kustomize::edit::upsert_image(&mut k, entry);
        }
        for r in opts.get("replicas").and_then(Value::as_array).into_iter().flatten() {
            let list = k.as_object_mut().expect("a kustomization is a map").entry("replicas").or_insert(Value::Array(vec![]));
            if let Some(items) = list.as_array_mut() {
                items.retain(|x| x.get("name") != r.get("name"));
                items.push(r.clone());
            }
        }
        files.insert(path, crate::yaml::to_yaml(&k));
    }
    let mut objects = crate::kustomize::build(&files, &app.path).map_err(|e| {
        format!(
            "rpc error: code = Unknown desc = Manifest generation error (cached): `kustomize build {}` failed exit status 1: {e}",
            app.path
        )
    })?;
    for obj in objects.iter_mut() {
        finish_object(app, obj);
    }
    Ok(objects)
}

fn finish_object(app: &AppSpec, obj: &mut Value) {
    let (group, _) = split_api_version(obj["apiVersion"].as_str().unwrap_or(""));
    let namespaced = resource_type_for(group, meta::kind(obj)).is_none_or(|rt| rt.namespaced);
    if namespaced && meta::namespace(obj).is_empty() && !app.dest_namespace.is_empty() {
        meta::ensure_map(obj, &["metadata"]).insert("namespace".into(), Value::String(app.dest_namespace.clone()));
    }
    let id = tracking_id(&app.name, obj);
    meta::set_annotation(obj, TRACKING_ID, &id);
}

fn render_directory(app: &AppSpec, files: &Snapshot) -> Result<Vec<Value>, String> {
    let prefix = if app.path.is_empty() || app.path == "." { String::new() } else { format!("{}/", app.path) };
    let mut found_dir = prefix.is_empty();
    let mut objects = Vec::new();
    // Paths sort as strings, so the folder's files are one range of the snapshot.
    for (path, content) in files.range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded)) {
        let Some(rest) = path.strip_prefix(&prefix) else {
            break;
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
            finish_object(app, &mut obj);
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
