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
    let mut k = read(text)?;
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

/// Reads a kustomization as kustomize's kustfile does before an edit: the first document,
/// unknown top-level fields refused in kustomize's words, then `fix_kustomization`.
pub fn read(text: &str) -> Result<Value, String> {
    let docs = crate::yaml::parse_documents(text, "kustomization.yaml").map_err(|e| e.message)?;
    let mut k = docs.into_iter().find(|d| !d.is_null()).unwrap_or(Value::Object(Map::new()));
    if let Some(problem) = super::fields::not_a_map(&k) {
        return Err(problem);
    }
    if !k.is_object() {
        k = Value::Object(Map::new());
    }
    let known = |key: &String| CANONICAL.iter().chain(&["imageTags"]).any(|c| c.eq_ignore_ascii_case(key));
    if let Some(unknown) = k.as_object().and_then(|m| m.keys().find(|key| !known(key))) {
        return Err(format!("invalid Kustomization: json: unknown field {unknown:?}"));
    }
    fix_kustomization(&mut k);
    Ok(k)
}

/// Reads and writes a kustomization without changing it, as every `kustomize edit` does
/// around its change (comments move, keys are normalised, missing `apiVersion`/`kind` added).
pub fn rewrite(text: &str) -> Result<String, String> {
    Ok(write(text, &read(text)?))
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

/// What kustomize does to a kustomization it reads before editing it: keys matched to
/// its fields without regard to case (Go's JSON decoder does so), `bases` appended to
/// `resources`, `imageTags` to `images`, and a generator's `env` to its `envs`.
pub fn fix_kustomization(k: &mut Value) {
    let Some(map) = k.as_object_mut() else { return };
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        let canonical = CANONICAL.iter().chain(&["imageTags"]).find(|c| c.eq_ignore_ascii_case(&key) && **c != key);
        if let Some(c) = canonical {
            if let Some(v) = map.remove(&key) {
                map.insert(c.to_string(), v);
            }
        }
    }
    for (old, new) in [("bases", "resources"), ("imageTags", "images")] {
        if let Some(Value::Array(moved)) = map.remove(old) {
            let list = map.entry(new).or_insert_with(|| Value::Array(vec![]));
            if let Some(items) = list.as_array_mut() {
                items.extend(moved);
            }
        }
    }
    for generators in ["configMapGenerator", "secretGenerator"] {
        for g in map.get_mut(generators).and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(g) = g.as_object_mut() else { continue };
            if let Some(Value::String(env)) = g.remove("env").filter(|e| !is_empty(e)) {
                let envs = g.entry("envs").or_insert_with(|| Value::Array(vec![]));
                if let Some(list) = envs.as_array_mut() {
                    list.push(Value::String(env));
                }
            }
        }
    }
}

/// The field a line opens, as kustomize's kustfile finds it: a known field's name in any
/// case at the very start of the line, followed by a colon.
fn opened_field(line: &str) -> Option<&'static str> {
    CANONICAL.iter().copied().find(|field| {
        line.len() > field.len()
            && line.is_char_boundary(field.len())
            && line[..field.len()].eq_ignore_ascii_case(field)
            && line[field.len()..].starts_with(':')
    })
}

/// A comment or a blank line, as kustfile counts them (leading spaces, not tabs, skipped).
fn is_comment_or_blank(line: &str) -> bool {
    let s = line.trim_start_matches(' ').trim_end_matches('\n');
    s.is_empty() || s.starts_with('#')
}

/// Writes a kustomization as kustomize v5.6's kustfile does: the fields of the original file
/// in their order, each preceded by the comments and blank lines above it and by those inside
/// its body (which move up above the field), re-serialised with lower-case keys; then the
/// fields the original did not have, in kustomize's order. Comments after the last field are
/// dropped, and only lines that end in a newline are read for fields and comments.
pub fn write(original: &str, k: &Value) -> String {
    let mut fields: Vec<(String, &'static str)> = Vec::new();
    let mut comments = String::new();
    for line in original.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
        if is_comment_or_blank(line) {
            comments.push_str(line);
        } else if let Some(field) = opened_field(line) {
            fields.push((std::mem::take(&mut comments), field));
        } else if !comments.is_empty() {
            if let Some(last) = fields.last_mut() {
                last.0.push_str(&std::mem::take(&mut comments));
            }
        }
    }
    let mut full = k.clone();
    if let Some(map) = full.as_object_mut() {
        let defaults = [("kind", "Kustomization"), ("apiVersion", "kustomize.config.k8s.io/v1beta1")];
        for (key, value) in defaults {
            if map.get(key).is_none_or(is_empty) {
                let value = if key == "apiVersion" && map.get("kind").and_then(Value::as_str) == Some("Component") {
                    "kustomize.config.k8s.io/v1alpha1"
                } else {
                    value
                };
                map.insert(key.into(), Value::String(value.into()));
            }
        }
    }
    let map = full.as_object().cloned().unwrap_or_default();
    let field_text = |key: &str| -> String {
        match map.get(key).filter(|v| !is_empty(v)) {
            Some(v) => {
                let mut single = Map::new();
                single.insert(key.to_string(), v.clone());
                crate::yaml::to_yaml(&Value::Object(single))
            }
            None => String::new(),
        }
    };
    let mut out = String::new();
    for (comment, field) in &fields {
        out.push_str(comment);
        out.push_str(&field_text(field));
    }
    for field in CANONICAL.iter().filter(|c| !fields.iter().any(|(_, f)| f == *c)) {
        out.push_str(&field_text(field));
    }
    out
}
