//! The four patch types kubectl sends: strategic merge (apply, edit, set
//! image, rollout restart), JSON merge (scale, label, anything on a CRD), JSON
//! patch (rollout undo) and server-side apply.

use serde_json::{Map, Value};

/// The patch types, by their content type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Strategic,
    Merge,
    Json,
    Apply,
}

impl PatchType {
    pub fn from_content_type(content_type: &str) -> Option<PatchType> {
        match content_type.split(';').next().unwrap_or("").trim() {
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/json-patch+json" => Some(PatchType::Json),
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => Some(PatchType::Apply),
            _ => None,
        }
    }
}

/// Applies `patch` of `kind` to `target`; the error is the API server's message.
pub fn apply_patch(kind: PatchType, target: &mut Value, patch: &Value, custom_resource: bool) -> Result<(), String> {
    match kind {
        PatchType::Merge => {
            json_patch::merge(target, patch);
            Ok(())
        }
        PatchType::Strategic if custom_resource => {
            Err("strategic merge patch is not supported for custom resources; use a merge patch (--type merge)".into())
        }
        PatchType::Strategic | PatchType::Apply => {
            if !patch.is_object() {
                return Err("couldn't get patch meta from a non-object patch".into());
            }
            strategic_merge(target, patch, "");
            Ok(())
        }
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|e| format!("error decoding patch: {e}"))?;
            json_patch::patch(target, &ops).map_err(|e| e.to_string())
        }
    }
}

/// The merge key of a list field, as the types' `patchMergeKey` tags say; `None` replaces the list.
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" | "imagePullSecrets" => Some("name"),
        "volumeMounts" | "volumeDevices" => Some("mountPath"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        "hostAliases" => Some("ip"),
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => Some("containerPort"),
        "ports" => Some("port"),
        _ => None,
    }
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, v)| (k.clone(), strip_directives(v))).collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

/// Kubernetes' strategic merge: maps merge, `null` deletes, lists with a merge key merge by it
/// (`$patch: delete` removes an item), `$patch: replace` replaces, `$retainKeys` keeps only the
/// listed keys, `$deleteFromPrimitiveList/F` removes values, `$setElementOrder/F` is ordering only.
pub fn strategic_merge(target: &mut Value, patch: &Value, field: &str) {
    let Value::Object(p) = patch else {
        *target = strip_directives(patch);
        return;
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        *target = strip_directives(patch);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if let Some(list) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(items)), Some(remove)) = (t.get_mut(list), v.as_array()) {
                items.retain(|i| !remove.contains(i));
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(_) => {
                if v.get("$patch").and_then(Value::as_str) == Some("delete") {
                    t.remove(k);
                } else {
                    strategic_merge(t.entry(k.clone()).or_insert(Value::Null), v, k);
                }
            }
            Value::Array(items) => match (merge_key(k, items), t.get_mut(k)) {
                (Some(key), Some(Value::Array(live))) => merge_list(live, items, key),
                _ => {
                    let kept: Vec<Value> = items.iter().filter(|i| i.get("$patch").is_none()).map(strip_directives).collect();
                    t.insert(k.clone(), Value::Array(kept));
                }
            },
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
    if let Some(Value::Array(keep)) = p.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        t.retain(|k, _| keep.contains(&k.as_str()));
    }
    let _ = field;
}

fn merge_list(live: &mut Vec<Value>, patch: &[Value], key: &str) {
    for item in patch {
        let id = item.get(key).cloned();
        let position = id.as_ref().and_then(|id| live.iter().position(|l| l.get(key) == Some(id)));
        match (item.get("$patch").and_then(Value::as_str), position) {
            (Some("delete"), Some(i)) => {
                live.remove(i);
            }
            (Some("delete"), None) => {}
            (_, Some(i)) => strategic_merge(&mut live[i], item, ""),
            (_, None) => live.push(strip_directives(item)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_merges_containers_by_name_and_deletes_with_null() {
        let mut live = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "a:1"}, {"name": "side", "image": "s:1"}]}}}, "metadata": {"labels": {"a": "1", "b": "2"}}});
        let patch = json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "web"}], "containers": [{"name": "web", "image": "a:2"}, {"name": "side", "$patch": "delete"}]}}}, "metadata": {"labels": {"b": null}}});
        apply_patch(PatchType::Strategic, &mut live, &patch, false).unwrap();
        assert_eq!(
            live,
            json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "a:2"}]}}}, "metadata": {"labels": {"a": "1"}}})
        );
    }

    #[test]
    fn json_patch_and_merge_patch_follow_their_rfcs() {
        let mut live = json!({"spec": {"replicas": 3}});
        apply_patch(PatchType::Merge, &mut live, &json!({"spec": {"replicas": 5}}), false).unwrap();
        assert_eq!(live["spec"]["replicas"], 5);
        apply_patch(PatchType::Json, &mut live, &json!([{"op": "replace", "path": "/spec/replicas", "value": 2}]), false).unwrap();
        assert_eq!(live["spec"]["replicas"], 2);
        assert!(apply_patch(PatchType::Json, &mut live, &json!([{"op": "remove", "path": "/nope"}]), false).is_err());
    }
}
