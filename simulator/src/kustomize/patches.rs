//! Patches: strategic merge (kyaml merge2 semantics, new list items first)
//! and JSON 6902, addressed by a resource's current or earlier name, or by a
//! target selector.

use serde_json::{Map, Value};

use regex_lite::Regex;

use super::{KustomizeError, Res, err};
use crate::kube::meta;
use crate::kube::meta::SetPath;

/// Applies a `patches[]` entry: a list of operations is JSON 6902, anything else a strategic merge.
/// `options` are the entry's `allowNameChange` and `allowKindChange`.
pub fn apply_patch_entry(
    resources: &mut Vec<Res>,
    text: &str,
    target: Option<&Value>,
    options: Option<&Value>,
) -> Result<(), KustomizeError> {
    let docs = crate::yaml::parse_documents(text, "patch").map_err(|e| err(format!("unable to parse patch: {}", e.message)))?;
    if docs.len() == 1 && docs[0].is_array() {
        return apply_json6902(resources, &docs[0], target);
    }
    let allow = |flag: &str| options.and_then(|o| o.get(flag)).and_then(Value::as_bool).unwrap_or(false);
    apply_smp_docs_with(resources, docs, target, allow("allowNameChange"), allow("allowKindChange"))?;
    unique_ids(resources)
}

/// A rename that makes two objects one id is refused, as kustomize's resource map refuses it.
fn unique_ids(resources: &[Res]) -> Result<(), KustomizeError> {
    let mut seen = std::collections::BTreeSet::new();
    for r in resources {
        let (group, version) = crate::kube::split_api_version(r.obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""));
        let id = format!(
            "{}.{version}.{}/{}.{}",
            r.kind(),
            if group.is_empty() { "[noGrp]" } else { group },
            r.name(),
            if r.namespace().is_empty() { "[noNs]" } else { r.namespace() }
        );
        if !seen.insert(id.clone()) {
            return Err(err(format!("may not add resource with an already registered id: {id}")));
        }
    }
    Ok(())
}

pub fn apply_smp_text(resources: &mut Vec<Res>, text: &str, target: Option<&Value>) -> Result<(), KustomizeError> {
    let docs = crate::yaml::parse_documents(text, "patch").map_err(|e| err(format!("unable to parse SM or JSON patch: {}", e.message)))?;
    apply_smp_docs(resources, docs, target)
}

pub fn apply_json6902_text(resources: &mut [Res], text: &str, target: Option<&Value>) -> Result<(), KustomizeError> {
    let docs = crate::yaml::parse_documents(text, "patch").map_err(|e| err(format!("unable to parse JSON patch: {}", e.message)))?;
    let ops = docs.into_iter().next().unwrap_or(Value::Array(vec![]));
    apply_json6902(resources, &ops, target)
}

fn apply_smp_docs(resources: &mut Vec<Res>, docs: Vec<Value>, target: Option<&Value>) -> Result<(), KustomizeError> {
    apply_smp_docs_with(resources, docs, target, false, false)
}

/// Strategic merge patches; a patch's own name (or kind) replaces its target's only where allowed.
fn apply_smp_docs_with(
    resources: &mut Vec<Res>,
    docs: Vec<Value>,
    target: Option<&Value>,
    allow_name_change: bool,
    allow_kind_change: bool,
) -> Result<(), KustomizeError> {
    for patch in docs {
        let indexes: Vec<usize> = match target {
            Some(t) => {
                let target = Target::new(t)?;
                resources.iter().enumerate().filter(|(_, r)| target.selects(r)).map(|(i, _)| i).collect()
            }
            None => {
                let (kind, name, ns) =
                    (meta::kind(&patch).to_string(), meta::name(&patch).to_string(), meta::namespace(&patch).to_string());
                let hit: Vec<usize> = resources
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.kind() == kind && r.had_name(&name) && same_namespace(r, &ns))
                    .map(|(i, _)| i)
                    .collect();
                // kustomize needs exactly one target for a patch without one of its own.
                if hit.len() != 1 {
                    let (group, version) = crate::kube::split_api_version(patch.get("apiVersion").and_then(Value::as_str).unwrap_or(""));
                    let id = format!(
                        "{kind}.{version}.{}/{name}.{}",
                        if group.is_empty() { "[noGrp]".to_string() } else { group.to_string() },
                        if ns.is_empty() { "[noNs]".to_string() } else { ns.clone() }
                    );
                    return Err(err(format!(
                        "no resource matches strategic merge patch \"{id}\": no matches for Id {id}; failed to find unique target for patch {id}"
                    )));
                }
                hit
            }
        };
        let delete = patch.get("$patch").and_then(Value::as_str) == Some("delete");
        if delete {
            let mut i = 0;
            resources.retain(|_| {
                let keep = !indexes.contains(&i);
                i += 1;
                keep
            });
            continue;
        }
        for i in indexes {
            let r = &mut resources[i];
            let mut p = patch.clone();
            // The patch's own identity (kind, name, namespace) does not change its target.
            if let Some(m) = p.as_object_mut() {
                m.remove("apiVersion");
                m.remove("kind");
            }
            if let Some(md) = p.get_mut("metadata").and_then(Value::as_object_mut) {
                md.remove("name");
                md.remove("namespace");
            }
            merge(&mut r.obj, &p, "");
            if allow_kind_change && !meta::kind(&patch).is_empty() && meta::kind(&patch) != r.kind() {
                for field in ["apiVersion", "kind"] {
                    if let Some(v) = patch.get(field) {
                        r.obj.set_path(&[field], v.clone());
                    }
                }
            }
            let new_name = meta::name(&patch);
            if allow_name_change && !new_name.is_empty() && new_name != r.name() {
                r.rename(new_name.to_string());
            }
        }
    }
    Ok(())
}

/// Whether a resource has (or had) the namespace of a patch's id; kustomize takes no
/// namespace and `default` to be the same.
fn same_namespace(r: &Res, ns: &str) -> bool {
    if ns.is_empty() || ns == "default" { r.had_namespace("") || r.had_namespace("default") } else { r.had_namespace(ns) }
}

fn apply_json6902(resources: &mut [Res], ops: &Value, target: Option<&Value>) -> Result<(), KustomizeError> {
    let target = target.ok_or_else(|| err("must specify a target for patch"))?;
    let patch: json_patch::Patch = serde_json::from_value(ops.clone()).map_err(|e| err(format!("unable to parse JSON patch: {e}")))?;
    let target = Target::new(target)?;
    for r in resources.iter_mut().filter(|r| target.selects(r)) {
        let before = (r.name().to_string(), r.namespace().to_string());
        json_patch::patch(&mut r.obj, &patch).map_err(|e| err(format!("failed to apply json patch: {e}")))?;
        // A patch that renames its target is a rename like any other: references follow it.
        if (r.name(), r.namespace()) != (before.0.as_str(), before.1.as_str()) {
            r.previous.push(before);
        }
    }
    Ok(())
}

/// A patch target: group, version, kind, name and namespace as Go regular expressions
/// anchored at both ends (kustomize compiles each as `^(?:pattern)$`), and selectors.
struct Target<'a> {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    label_selector: &'a str,
    annotation_selector: &'a str,
}

impl<'a> Target<'a> {
    fn new(t: &'a Value) -> Result<Target<'a>, KustomizeError> {
        let field = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("");
        let anchored = |k: &str| -> Result<Option<Regex>, KustomizeError> {
            match field(k) {
                "" => Ok(None),
                pattern => {
                    let anchored = format!("^(?:{pattern})$");
                    Regex::new(&anchored).map(Some).map_err(|e| {
                        let reason = e.to_string().lines().next().unwrap_or_default().to_string();
                        err(format!("error parsing regexp: {reason}: `{anchored}`"))
                    })
                }
            }
        };
        Ok(Target {
            group: anchored("group")?,
            version: anchored("version")?,
            kind: anchored("kind")?,
            name: anchored("name")?,
            namespace: anchored("namespace")?,
            label_selector: t.get("labelSelector").and_then(Value::as_str).unwrap_or(""),
            annotation_selector: t.get("annotationSelector").and_then(Value::as_str).unwrap_or(""),
        })
    }

    /// Whether a resource matches (by its current or any earlier name and namespace).
    fn selects(&self, r: &Res) -> bool {
        let matches = |re: &Option<Regex>, text: &str| re.as_ref().is_none_or(|re| re.is_match(text));
        let api = r.obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let (group, version) = crate::kube::split_api_version(api);
        let name_ok = self.name.is_none()
            || std::iter::once(r.name().to_string()).chain(r.previous.iter().map(|(n, _)| n.clone())).any(|n| matches(&self.name, &n));
        let ns_ok = self.namespace.is_none()
            || std::iter::once(r.namespace().to_string())
                .chain(r.previous.iter().map(|(_, n)| n.clone()))
                .any(|n| matches(&self.namespace, &n));
        matches(&self.group, group)
            && matches(&self.version, version)
            && matches(&self.kind, r.kind())
            && name_ok
            && ns_ok
            && selector_ok(self.label_selector, &meta::labels(&r.obj))
            && selector_ok(self.annotation_selector, &r.obj["metadata"]["annotations"].as_object().cloned().unwrap_or_default())
    }
}

fn selector_ok(selector: &str, labels: &Map<String, Value>) -> bool {
    if selector.is_empty() {
        return true;
    }
    // `key in (a,b)` and `key notin (a,b)` besides the equality forms.
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in selector.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    terms.push(current);
    terms.iter().all(|term| {
        let term = term.trim();
        if let Some((k, rest)) = term.split_once(" notin ") {
            let values: Vec<&str> = rest.trim().trim_matches(['(', ')']).split(',').map(str::trim).collect();
            !labels.get(k.trim()).and_then(Value::as_str).is_some_and(|v| values.contains(&v))
        } else if let Some((k, rest)) = term.split_once(" in ") {
            let values: Vec<&str> = rest.trim().trim_matches(['(', ')']).split(',').map(str::trim).collect();
            labels.get(k.trim()).and_then(Value::as_str).is_some_and(|v| values.contains(&v))
        } else {
            meta::label_selector_matches(term, labels)
        }
    })
}

/// The strategic-merge key of a list, by its field name and the patch's items.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => Some("containerPort"),
        "ports" => Some("port"),
        _ => None,
    }
}

/// Strategic merge of `patch` into `target`.
pub fn merge(target: &mut Value, patch: &Value, field: &str) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            if p.get("$patch").and_then(Value::as_str) == Some("replace") {
                let mut replaced = p.clone();
                replaced.remove("$patch");
                *t = replaced;
                return;
            }
            for (k, v) in p {
                if k.starts_with('$') {
                    continue;
                }
                match v {
                    Value::Null => {
                        t.remove(k);
                    }
                    _ => match t.get_mut(k) {
                        Some(existing) if existing.is_object() && v.is_object() || existing.is_array() && v.is_array() => {
                            merge(existing, v, k)
                        }
                        _ => {
                            let mut fresh = v.clone();
                            strip_directives(&mut fresh);
                            t.insert(k.clone(), fresh);
                        }
                    },
                }
            }
        }
        (Value::Array(t), Value::Array(p)) => {
            let Some(key) = merge_key(field, p) else {
                *t = p.clone();
                return;
            };
            let mut out = Vec::new();
            let mut used = vec![false; t.len()];
            for item in p {
                let id = item.get(key);
                let pos = t.iter().position(|x| id.is_some() && x.get(key) == id);
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                match pos {
                    Some(i) => {
                        used[i] = true;
                        if !delete {
                            let mut merged = t[i].clone();
                            merge(&mut merged, item, "");
                            out.push(merged);
                        }
                    }
                    None if !delete => {
                        let mut fresh = item.clone();
                        strip_directives(&mut fresh);
                        out.push(fresh);
                    }
                    None => {}
                }
            }
            out.extend(t.iter().zip(used).filter(|(_, u)| !u).map(|(x, _)| x.clone()));
            *t = out;
        }
        (t, p) => *t = p.clone(),
    }
}

fn strip_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, v| !k.starts_with('$') && !v.is_null());
            for child in m.values_mut() {
                strip_directives(child);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_directives),
        _ => {}
    }
}
