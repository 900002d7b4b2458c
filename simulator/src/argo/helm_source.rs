//! Argo CD's Helm source: how the repo server turns `spec.source.helm` into a
//! `helm template` run (`valueFiles`, `values`/`valuesObject`, `parameters`
//! with `forceString`, `releaseName`, `skipCrds`) and reports its failure.

use serde_json::Value;

use crate::helm::render::Options;
use super::app::AppSpec;
use crate::git::Snapshot;

/// The Kubernetes version Argo CD passes as `--kube-version` (the simulated cluster's).
pub const KUBE_VERSION: &str = "1.33";

/// Renders an app whose path holds a chart. Errors read like Argo CD's ComparisonError.
pub fn render(app: &AppSpec, files: &Snapshot) -> Result<Vec<Value>, String> {
    let (opts, command) = options(app, files)?;
    let rendered = crate::helm::render::template(files, &app.path, &opts).map_err(|e| {
        format!("rpc error: code = Unknown desc = Manifest generation error (cached): `{command}` failed exit status 1: Error: {e}")
    })?;
    rendered.objects().map_err(|e| format!("rpc error: code = Unknown desc = Manifest generation error (cached): {e}"))
}

fn generation_error(message: String) -> String {
    format!("rpc error: code = Unknown desc = Manifest generation error (cached): {message}")
}

/// The options Argo CD's `helm template` gets, and the command line it would log.
pub fn options(app: &AppSpec, files: &Snapshot) -> Result<(Options, String), String> {
    let helm = app.helm.clone().unwrap_or(Value::Null);
    let release = helm.get("releaseName").and_then(Value::as_str).filter(|s| !s.is_empty()).unwrap_or(&app.name).to_string();
    let mut opts = Options::new(&release, &app.dest_namespace);
    opts.kube_version = format!("v{KUBE_VERSION}.0");
    opts.seed = crate::rng::fnv32a(app.name.as_bytes()) as u64;
    let mut command = format!("helm template . --name-template {release} --namespace {} --kube-version {KUBE_VERSION}", app.dest_namespace);
    let ignore_missing = helm.get("ignoreMissingValueFiles").and_then(Value::as_bool).unwrap_or(false);
    for f in helm.get("valueFiles").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        let path = resolve(&app.path, f);
        match files.get(&path) {
            Some(text) => {
                opts.value_files.push((f.to_string(), text.clone()));
                command.push_str(&format!(" --values {f}"));
            }
            None if ignore_missing => {}
            None => return Err(generation_error(format!("{f}: no such file or directory"))),
        }
    }
    // `valuesObject` wins over `values`; Argo CD writes either to a temporary file passed last.
    let inline = match (helm.get("valuesObject"), helm.get("values")) {
        (Some(obj), _) if obj.is_object() => Some(crate::yaml::to_yaml(obj)),
        (_, Some(Value::String(s))) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    };
    if let Some(text) = inline {
        opts.value_files.push(("values".into(), text));
        command.push_str(" --values <temp file>");
    }
    for p in helm.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let value = match p.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        // Argo CD escapes commas so that a value stays one value.
        let arg = format!("{name}={}", value.replace(',', "\\,"));
        if p.get("forceString").and_then(Value::as_bool).unwrap_or(false) {
            command.push_str(&format!(" --set-string {arg}"));
            opts.set_string.push(arg);
        } else {
            command.push_str(&format!(" --set {arg}"));
            opts.set.push(arg);
        }
    }
    let skip_crds = helm.get("skipCrds").and_then(Value::as_bool).unwrap_or(false);
    opts.include_crds = !skip_crds;
    if !skip_crds {
        command.push_str(" --include-crds");
    }
    Ok((opts, command))
}

/// A value file's path in the repository: relative to the chart's folder.
fn resolve(chart_dir: &str, file: &str) -> String {
    let mut parts: Vec<&str> = if chart_dir.is_empty() || chart_dir == "." { Vec::new() } else { chart_dir.split('/').collect() };
    if file.starts_with('/') {
        parts.clear();
    }
    for seg in file.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}
