//! Client-side `kubectl apply`: a three-way merge of the last applied
//! configuration, the new manifest and the live object.

use serde_json::{Map, Value};

use super::meta;

/// The annotation where `kubectl apply` keeps the configuration it last applied.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What an apply did, in kubectl's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyOutcome {
    Created,
    Configured,
    Unchanged,
}

impl ApplyOutcome {
    pub fn word(self) -> &'static str {
        match self {
            ApplyOutcome::Created => "created",
            ApplyOutcome::Configured => "configured",
            ApplyOutcome::Unchanged => "unchanged",
        }
    }
}

/// The object `kubectl apply` would write: `desired` merged over `live`, with
/// fields dropped that were applied before and are no longer in `desired`.
pub fn merge(live: Option<&Value>, desired: &Value) -> Value {
    let mut config = desired.clone();
    if let Some(md) = config.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(anns) = md.get_mut("annotations").and_then(Value::as_object_mut) {
            anns.remove(LAST_APPLIED);
            if anns.is_empty() {
                md.remove("annotations");
            }
        }
    }
    let recorded = format!("{}\n", serde_json::to_string(&config).expect("JSON values serialize"));
    let mut merged = match live {
        None => config.clone(),
        Some(live) => {
            let previous: Option<Value> = meta::annotation(live, LAST_APPLIED).and_then(|s| serde_json::from_str(s).ok());
            let mut out = live.clone();
            merge_value(&mut out, previous.as_ref(), &config, "");
            out
        }
    };
    meta::set_annotation(&mut merged, LAST_APPLIED, &recorded);
    merged
}

fn merge_value(live: &mut Value, previous: Option<&Value>, desired: &Value, field: &str) {
    match (live, desired) {
        (Value::Object(live_map), Value::Object(desired_map)) => merge_map(live_map, previous.and_then(Value::as_object), desired_map),
        (Value::Array(live_items), Value::Array(desired_items)) if merge_key(field).is_some() => {
            let key = merge_key(field).expect("checked above");
            let prev_items = previous.and_then(Value::as_array);
            let mut out = Vec::new();
            for d in desired_items {
                let id = d.get(key);
                let existing = live_items.iter().find(|l| id.is_some() && l.get(key) == id);
                let prev = prev_items.and_then(|p| p.iter().find(|l| id.is_some() && l.get(key) == id));
                match existing {
                    Some(l) => {
                        let mut l = l.clone();
                        merge_value(&mut l, prev, d, "");
                        out.push(l);
                    }
                    None => out.push(d.clone()),
                }
            }
            *live_items = out;
        }
        (live, desired) => *live = desired.clone(),
    }
}

fn merge_map(live: &mut Map<String, Value>, previous: Option<&Map<String, Value>>, desired: &Map<String, Value>) {
    if let Some(prev) = previous {
        for key in prev.keys() {
            if !desired.contains_key(key) && key != "status" {
                live.remove(key);
            }
        }
    }
    for (key, d) in desired {
        let prev = previous.and_then(|p| p.get(key));
        match live.get_mut(key) {
            Some(l) if l.is_object() && d.is_object() || l.is_array() && d.is_array() => merge_value(l, prev, d, key),
            _ => {
                live.insert(key.clone(), d.clone());
            }
        }
    }
}

/// The strategic-merge key for lists that Kubernetes merges item by item.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "env" | "volumes" | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_keeps_defaults_and_drops_removed_fields() {
        let first = json!({"kind": "Deployment", "metadata": {"name": "w", "labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}}});
        let mut live = merge(None, &first);
        live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
        let second = json!({"kind": "Deployment", "metadata": {"name": "w", "labels": {"a": "1"}}, "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "c", "image": "x:2"}]}}}});
        let merged = merge(Some(&live), &second);
        assert_eq!(merged["spec"]["replicas"], 5);
        assert_eq!(merged["metadata"]["labels"], json!({"a": "1"}));
        assert_eq!(merged["spec"]["template"]["spec"]["containers"][0]["image"], "x:2");
        assert_eq!(merged["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert!(meta::annotation(&merged, LAST_APPLIED).unwrap().ends_with("}\n"));
    }
}
