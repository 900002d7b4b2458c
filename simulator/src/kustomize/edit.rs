//! `kustomize edit set image`: adds or updates an `images` entry.

use crate::kube::meta::SetPath;
use serde_json::{Map, Value};

/// Parses an image argument: `name`, `name=newName:tag`, `name:tag`, `name@digest`,
/// `name=newName@digest`, `*` for "keep".
pub fn image_entry(arg: &str) -> Map<String, Value> {
    let (name, image) = match arg.split_once('=') {
        Some((n, i)) => (n.to_string(), i.to_string()),
        None => (super::images::split(arg).0, arg.to_string()),
    };
    let (new_name, tag, digest) = super::images::split(&image);
    let mut entry = Map::new();
    entry.insert("name".into(), Value::String(name.clone()));
    if new_name != name && new_name != "*" {
        entry.insert("newName".into(), Value::String(new_name));
    }
    if let Some(t) = tag.filter(|t| t != "*") {
        entry.insert("newTag".into(), Value::String(t));
    }
    if let Some(d) = digest {
        entry.insert("digest".into(), Value::String(d));
    }
    entry
}

/// Adds `entry` to the kustomization's `images`, or merges it into the entry of the same name:
/// a new tag drops the digest and a digest drops the tag.
pub fn upsert_image(k: &mut Value, entry: Map<String, Value>) {
    let Some(map) = k.as_object_mut() else { return };
    let list = map.entry("images").or_insert_with(|| Value::Array(vec![]));
    if !list.is_array() {
        *list = Value::Array(vec![]);
    }
    let items = list.as_array_mut().expect("made an array above");
    match items.iter_mut().find(|i| i.get("name") == entry.get("name")) {
        Some(existing) => {
            let e = existing.as_object_mut().expect("image entries are maps");
            if let Some(n) = entry.get("newName") {
                e.insert("newName".into(), n.clone());
            }
            match (entry.get("newTag"), entry.get("digest")) {
                (Some(t), Some(d)) => {
                    e.insert("newTag".into(), t.clone());
                    e.insert("digest".into(), d.clone());
                }
                (Some(t), None) => {
                    e.insert("newTag".into(), t.clone());
                    e.remove("digest");
                }
                (None, Some(d)) => {
                    e.insert("digest".into(), d.clone());
                    e.remove("newTag");
                }
                (None, None) => {}
            }
        }
        None => items.push(Value::Object(entry)),
    }
}

/// `kustomize edit set image` failures, in kustomize's words.
pub const ERR_NO_IMAGE: &str = "no image specified";
pub const ERR_INVALID_ARGS: &str = "invalid format of image, use one of the following options:
- <image>=<newimage>:<newtag>
- <image>=<newimage>@<digest>
- <image>=<newimage>:<newtag>@<digest>
- <image>=<newimage>
- <image>:<newtag>
- <image>:<newtag>@<digest>
- <image>@<digest>";

/// The top-level fields of a kustomization, in the order kustomize writes new ones.
const CANONICAL: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "sortOptions",
    "resources",
    "bases",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "crds",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "configMapGenerator",
    "secretGenerator",
    "helmCharts",
    "helmChartInflationGenerator",
    "helmGlobals",
    "generatorOptions",
    "vars",
    "images",
    "replacements",
    "replicas",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "components",
    "openapi",
    "buildMetadata",
];

/// Runs `kustomize edit set image ARGS...` on the text of a kustomization file.
pub fn set_image(text: &str, args: &[String]) -> Result<String, String> {
    if args.is_empty() {
        return Err(ERR_NO_IMAGE.into());
    }
    let mut k = crate::yaml::parse_documents(text, "kustomization.yaml")
        .map_err(|e| e.message)?
        .into_iter()
        .next()
        .unwrap_or(Value::Object(Map::new()));
    if let Some(problem) = super::fields::not_a_map(&k) {
        return Err(problem);
    }
    if !k.is_object() {
        k = Value::Object(Map::new());
    }
    let existing: Vec<Value> = k.get("images").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut images: Vec<Value> = existing.clone();
    for arg in args {
        let entry = parse_arg(arg)?;
        let name = entry["name"].as_str().unwrap_or("").to_string();
        let old = existing.iter().find(|i| i.get("name").and_then(Value::as_str) == Some(name.as_str()));
        let mut resolved = Map::new();
        resolved.insert("name".into(), Value::String(name.clone()));
        for field in ["newName", "newTag", "digest"] {
            match entry.get(field).and_then(Value::as_str) {
                Some("*") => {
                    if let Some(v) = old.and_then(|o| o.get(field)) {
                        resolved.insert(field.into(), v.clone());
                    }
                }
                Some(v) => {
                    resolved.insert(field.into(), Value::String(v.to_string()));
                }
                None => {}
            }
        }
        images.retain(|i| i.get("name").and_then(Value::as_str) != Some(name.as_str()));
        images.push(Value::Object(resolved));
    }
    images.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    k.set_path(&["images"], Value::Array(images));
    Ok(write(text, &k))
}

/// One `set image` argument as an images entry (`*` kept literally, resolved by the caller).
fn parse_arg(arg: &str) -> Result<Map<String, Value>, String> {
    let mut entry = Map::new();
    match arg.split_once('=') {
        Some((key, value)) => {
            let (name, tag, digest) = super::images::split(value);
            entry.insert("name".into(), Value::String(key.to_string()));
            if !name.is_empty() {
                entry.insert("newName".into(), Value::String(name));
            }
            if let Some(t) = tag {
                entry.insert("newTag".into(), Value::String(t));
            }
            if let Some(d) = digest {
                entry.insert("digest".into(), Value::String(d));
            }
        }
        None => {
            let (name, tag, digest) = super::images::split(arg);
            if tag.is_none() && digest.is_none() {
                return Err(ERR_INVALID_ARGS.into());
            }
            entry.insert("name".into(), Value::String(name));
            if let Some(t) = tag {
                entry.insert("newTag".into(), Value::String(t));
            }
            if let Some(d) = digest {
                entry.insert("digest".into(), Value::String(d));
            }
        }
    }
    Ok(entry)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

/// Writes a kustomization as kustomize's kustfile does: the original top-level order, comments
/// kept before their field, empty fields dropped, each field re-serialised, new fields last.
pub fn write(original: &str, k: &Value) -> String {
    let mut sections: Vec<(Vec<String>, String)> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for line in original.lines() {
        let top_key = !line.starts_with([' ', '\t', '#', '-']) && line.contains(':');
        if top_key {
            let key = line.split(':').next().unwrap_or("").trim().to_string();
            let canonical = CANONICAL.iter().find(|c| c.eq_ignore_ascii_case(&key)).map(|c| c.to_string()).unwrap_or(key);
            sections.push((std::mem::take(&mut pending), canonical));
        } else if line.trim_start().starts_with('#') || line.trim().is_empty() {
            pending.push(line.to_string());
        } else if line.trim_start().starts_with('#') {
            pending.push(line.trim_start().to_string());
        }
    }
    let map = k.as_object().cloned().unwrap_or_default();
    let mut out = String::new();
    let mut written: Vec<String> = Vec::new();
    let emit = |out: &mut String, key: &str| {
        if let Some(v) = map.get(key).filter(|v| !is_empty(v)) {
            let mut single = Map::new();
            single.insert(key.to_string(), v.clone());
            out.push_str(&crate::yaml::to_yaml(&Value::Object(single)));
        }
    };
    for (comments, key) in &sections {
        for c in comments.iter().filter(|c| !c.trim().is_empty()) {
            out.push_str(c);
            out.push('\n');
        }
        emit(&mut out, key);
        written.push(key.clone());
    }
    for c in pending.iter().filter(|c| !c.trim().is_empty()) {
        out.push_str(c);
        out.push('\n');
    }
    let mut extra: Map<String, Value> = map.clone();
    if !extra.contains_key("apiVersion") {
        extra.insert("apiVersion".into(), Value::String("kustomize.config.k8s.io/v1beta1".into()));
    }
    if !extra.contains_key("kind") {
        extra.insert("kind".into(), Value::String("Kustomization".into()));
    }
    let extra_value = Value::Object(extra);
    let emit_extra = |out: &mut String, key: &str| {
        if let Some(v) = extra_value.get(key).filter(|v| !is_empty(v)) {
            let mut single = Map::new();
            single.insert(key.to_string(), v.clone());
            out.push_str(&crate::yaml::to_yaml(&Value::Object(single)));
        }
    };
    for key in CANONICAL.iter().filter(|c| !written.iter().any(|w| w == *c)) {
        emit_extra(&mut out, key);
    }
    for key in map.keys().filter(|k| !CANONICAL.contains(&k.as_str()) && !written.contains(k)) {
        emit_extra(&mut out, key);
    }
    out
}
