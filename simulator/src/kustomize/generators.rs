//! configMapGenerator and secretGenerator: literals, files and env files, the
//! create/merge/replace behaviours, and the content-hash name suffix.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{KustomizeError, Res, err, join};
use crate::git::Snapshot;
use crate::kube::meta;

/// Builds one generator's object.
pub fn generate(files: &Snapshot, dir: &str, g: &Value, kind: &str, global: &Value) -> Result<Res, KustomizeError> {
    let name = g.get("name").and_then(Value::as_str).ok_or_else(|| err("a generator needs a name"))?;
    let mut data = Map::new();
    let mut add = |k: String, v: String| -> Result<(), KustomizeError> {
        if data.contains_key(&k) {
            // kustomize says "configmap" for Secrets too.
            return Err(err(format!("configmap {name} illegally repeats the key `{k}`")));
        }
        data.insert(k, Value::String(v));
        Ok(())
    };
    let list = |field: &str| g.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut env_files = list("envs");
    if let Some(e) = g.get("env") {
        env_files.push(e.clone());
    }
    for env in env_files.iter().filter_map(Value::as_str) {
        let path = join(dir, env);
        let text = files.get(&path).ok_or_else(|| err(format!("env source files: [{env}]: open {path}: no such file or directory")))?;
        for (k, v) in parse_env(text) {
            add(k, v)?;
        }
    }
    for lit in list("literals").iter().filter_map(Value::as_str) {
        let (k, v) = lit.split_once('=').ok_or_else(|| err(format!("invalid literal source {lit}, expected key=value")))?;
        add(k.to_string(), strip_quotes(v).to_string())?;
    }
    for f in list("files").iter().filter_map(Value::as_str) {
        let (key, rel) = match f.split_once('=') {
            Some((k, p)) => (k.to_string(), p),
            None => (f.rsplit('/').next().unwrap_or(f).to_string(), f),
        };
        let path = join(dir, rel);
        let text = files.get(&path).ok_or_else(|| err(format!("open {path}: no such file or directory")))?;
        add(key, text.clone())?;
    }
    let local = g.get("options").cloned().unwrap_or(Value::Null);
    let mut labels = global.get("labels").and_then(Value::as_object).cloned().unwrap_or_default();
    labels.extend(local.get("labels").and_then(Value::as_object).cloned().unwrap_or_default());
    let mut annotations = global.get("annotations").and_then(Value::as_object).cloned().unwrap_or_default();
    annotations.extend(local.get("annotations").and_then(Value::as_object).cloned().unwrap_or_default());
    let disable = local
        .get("disableNameSuffixHash")
        .and_then(Value::as_bool)
        .or_else(|| global.get("disableNameSuffixHash").and_then(Value::as_bool))
        .unwrap_or(false);
    let immutable =
        local.get("immutable").and_then(Value::as_bool).or_else(|| global.get("immutable").and_then(Value::as_bool)).unwrap_or(false);

    let mut obj = json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name}});
    if let Some(ns) = g.get("namespace").and_then(Value::as_str) {
        obj["metadata"]["namespace"] = json!(ns);
    }
    if !labels.is_empty() {
        obj["metadata"]["labels"] = Value::Object(labels);
    }
    if !annotations.is_empty() {
        obj["metadata"]["annotations"] = Value::Object(annotations);
    }
    if kind == "Secret" {
        let encoded: Map<String, Value> =
            data.into_iter().map(|(k, v)| (k, Value::String(base64_lines(v.as_str().unwrap_or("").as_bytes())))).collect();
        if !encoded.is_empty() {
            obj["data"] = Value::Object(encoded);
        }
        obj["type"] = json!(g.get("type").and_then(Value::as_str).unwrap_or("Opaque"));
    } else if !data.is_empty() {
        obj["data"] = Value::Object(data);
    }
    if immutable {
        obj["immutable"] = json!(true);
    }
    let mut res = Res::new(obj);
    res.needs_hash = !disable;
    res.behavior = Some(g.get("behavior").and_then(Value::as_str).unwrap_or("create").to_string());
    Ok(res)
}

/// Adds a generated object, merging into or replacing an existing one as its behaviour says.
pub fn add_generated(resources: &mut Vec<Res>, new: Res) -> Result<(), KustomizeError> {
    let behavior = new.behavior.clone().unwrap_or_else(|| "create".into());
    let existing = resources
        .iter_mut()
        .find(|r| r.kind() == new.kind() && r.had_name(new.name()) && (new.namespace().is_empty() || r.had_namespace(new.namespace())));
    match (behavior.as_str(), existing) {
        ("create", None) => {
            resources.push(new);
            Ok(())
        }
        ("create", Some(_)) => Err(err(format!(
            "cannot use 'create' behavior to add a {} named {} that already exists; use 'merge' or 'replace'",
            new.kind(),
            new.name()
        ))),
        ("merge", Some(base)) => {
            for field in ["data", "binaryData"] {
                if let Some(d) = new.obj.get(field).and_then(Value::as_object) {
                    meta::ensure_map(&mut base.obj, &[field]).extend(d.clone());
                }
            }
            for field in ["labels", "annotations"] {
                if let Some(m) = new.obj["metadata"].get(field).and_then(Value::as_object) {
                    meta::ensure_map(&mut base.obj, &["metadata", field]).extend(m.clone());
                }
            }
            base.needs_hash = base.needs_hash && new.needs_hash;
            Ok(())
        }
        ("replace", Some(base)) => {
            for field in ["data", "binaryData"] {
                match new.obj.get(field) {
                    Some(d) => base.obj[field] = d.clone(),
                    None => {
                        if let Some(m) = base.obj.as_object_mut() {
                            m.remove(field);
                        }
                    }
                }
            }
            for field in ["labels", "annotations"] {
                if let Some(m) = new.obj["metadata"].get(field).and_then(Value::as_object) {
                    meta::ensure_map(&mut base.obj, &["metadata", field]).extend(m.clone());
                }
            }
            base.needs_hash = base.needs_hash && new.needs_hash;
            Ok(())
        }
        (b, None) => Err(err(format!("id {}|{} does not exist; cannot merge or replace (behavior {b})", new.kind(), new.name()))),
        (b, _) => Err(err(format!("unknown generator behavior '{b}'"))),
    }
}

/// Appends the content-hash suffix to every generated object that wants one.
pub fn add_hashes(resources: &mut [Res]) {
    for r in resources.iter_mut().filter(|r| r.needs_hash) {
        let hash = content_hash(&r.obj);
        let name = format!("{}-{hash}", r.name());
        r.rename(name);
        r.needs_hash = false;
    }
}

/// Kustomize's hash: sha256 of the Go-JSON encoding of kind, an empty name and the data, first
/// ten hex digits, with vowels and look-alikes swapped out.
pub fn content_hash(obj: &Value) -> String {
    let kind = meta::kind(obj);
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("name".into(), json!(""));
    m.insert("data".into(), obj.get("data").cloned().unwrap_or(json!("")));
    if kind == "Secret" {
        m.insert("type".into(), obj.get("type").cloned().unwrap_or(json!("")));
        if let Some(sd) = obj.get("stringData") {
            m.insert("stringData".into(), sd.clone());
        }
    } else if obj.get("binaryData").and_then(Value::as_object).is_some_and(|b| !b.is_empty()) {
        m.insert("binaryData".into(), obj["binaryData"].clone());
    }
    let text = serde_json::to_string(&Value::Object(m)).expect("JSON values serialize");
    let go = text
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    let digest = Sha256::digest(go.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

fn strip_quotes(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' && b[b.len() - 1] == b'"' || b[0] == b'\'' && b[b.len() - 1] == b'\'') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Env-file lines: `KEY=value`, `#` comments and blank lines skipped, a key alone gets "".
fn parse_env(text: &str) -> Vec<(String, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// kustomize's `encodeBase64` for generated Secrets: base64 in lines of 70 characters,
/// each ending in a newline, once the encoding is 70 characters or longer (shorter ones stay
/// on one line without a newline). The data's hash is of this text, newlines included.
pub fn base64_lines(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = crate::base64_text::encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_configmap_hash_is_kustomizes() {
        assert_eq!(content_hash(&json!({"kind": "ConfigMap", "metadata": {"name": "x"}})), "6ct58987ht");
        assert_eq!(crate::base64_text::encode(b"admin"), "YWRtaW4=");
        assert_eq!(crate::base64_text::encode(b"ab"), "YWI=");
    }
}
