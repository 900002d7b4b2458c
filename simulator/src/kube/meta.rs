//! Keys and metadata accessors for objects held as JSON values.

use serde_json::{Map, Value};
use std::fmt;

use super::{resource_type_for, split_api_version};

/// Identifies one object: group, kind, namespace (empty when cluster-scoped) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(group: &str, kind: &str, namespace: &str, name: &str) -> Self {
        ObjectKey { group: group.into(), kind: kind.into(), namespace: namespace.into(), name: name.into() }
    }

    /// The key of an object value; `None` when kind or name is missing.
    pub fn of(obj: &Value) -> Option<ObjectKey> {
        let (group, _) = split_api_version(obj.get("apiVersion")?.as_str()?);
        Some(ObjectKey {
            group: group.to_string(),
            kind: obj.get("kind")?.as_str()?.to_string(),
            namespace: str_at(obj, &["metadata", "namespace"]).unwrap_or_default().to_string(),
            name: str_at(obj, &["metadata", "name"])?.to_string(),
        })
    }

    /// `deployment.apps/payment-service`, as kubectl names an object in its messages.
    pub fn kubectl_ref(&self) -> String {
        match resource_type_for(&self.group, &self.kind) {
            Some(rt) => format!("{}/{}", rt.kubectl_name(), self.name),
            // kubectl names any other kind by its lower-case kind and group, as discovery gives them.
            None if self.group.is_empty() => format!("{}/{}", self.kind.to_ascii_lowercase(), self.name),
            None => format!("{}.{}/{}", self.kind.to_ascii_lowercase(), self.group, self.name),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}/{}", self.group, self.kind, self.namespace, self.name)
    }
}

/// Follows a path of object keys; `None` if any step is missing.
pub fn at<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(obj, |v, k| v.get(*k))
}

pub fn str_at<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(obj, path)?.as_str()
}

pub fn i64_at(obj: &Value, path: &[&str]) -> Option<i64> {
    at(obj, path)?.as_i64()
}

/// Returns the object at `path`, creating empty objects along the way.
pub fn ensure_map<'a>(obj: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut cur = obj;
    for key in path {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        cur = cur.as_object_mut().expect("just made an object").entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
    if !cur.is_object() {
        *cur = Value::Object(Map::new());
    }
    cur.as_object_mut().expect("just made an object")
}

/// Sets the value at `path`, creating objects along the way.
pub fn set_at(obj: &mut Value, path: &[&str], value: Value) {
    if let Some((last, parents)) = path.split_last() {
        ensure_map(obj, parents).insert(last.to_string(), value);
    }
}

/// Writing into an object tree by path, never panicking on its shape (a string or a list where
/// a map belongs is replaced by a map): the only way the simulator writes into objects, so that
/// no `value["key"] = ...` can panic on a shape a user stored.
pub trait SetPath {
    fn set_path(&mut self, path: &[&str], value: Value);
}

impl SetPath for Value {
    fn set_path(&mut self, path: &[&str], value: Value) {
        set_at(self, path, value);
    }
}

pub fn name(obj: &Value) -> &str {
    str_at(obj, &["metadata", "name"]).unwrap_or("")
}

pub fn namespace(obj: &Value) -> &str {
    str_at(obj, &["metadata", "namespace"]).unwrap_or("")
}

pub fn kind(obj: &Value) -> &str {
    obj.get("kind").and_then(Value::as_str).unwrap_or("")
}

pub fn uid(obj: &Value) -> &str {
    str_at(obj, &["metadata", "uid"]).unwrap_or("")
}

pub fn labels(obj: &Value) -> Map<String, Value> {
    at(obj, &["metadata", "labels"]).and_then(Value::as_object).cloned().unwrap_or_default()
}

pub fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    at(obj, &["metadata", "annotations", key])?.as_str()
}

pub fn set_annotation(obj: &mut Value, key: &str, value: &str) {
    ensure_map(obj, &["metadata", "annotations"]).insert(key.to_string(), Value::String(value.to_string()));
}

pub fn is_terminating(obj: &Value) -> bool {
    at(obj, &["metadata", "deletionTimestamp"]).is_some()
}

/// The uid of the controlling owner, if any.
pub fn controller_uid(obj: &Value) -> Option<&str> {
    at(obj, &["metadata", "ownerReferences"])?
        .as_array()?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .and_then(|r| r.get("uid")?.as_str())
}

/// An owner reference pointing at `owner`, marked as its controller.
pub fn owner_reference(owner: &Value) -> Value {
    serde_json::json!([{
        "apiVersion": owner.get("apiVersion").cloned().unwrap_or(Value::Null),
        "kind": kind(owner),
        "name": name(owner),
        "uid": uid(owner),
        "controller": true,
        "blockOwnerDeletion": true,
    }])
}

/// Whether every `key: value` of a match-labels selector is among `labels`.
pub fn selector_matches(selector: &Map<String, Value>, labels: &Map<String, Value>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Parses a kubectl `-l` selector of `k=v`, `k==v`, `k!=v` and bare `k` terms.
pub fn label_selector_matches(selector: &str, labels: &Map<String, Value>) -> bool {
    selector.split(',').map(str::trim).filter(|t| !t.is_empty()).all(|term| {
        if let Some((k, v)) = term.split_once("!=") {
            labels.get(k.trim()).and_then(Value::as_str) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            labels.get(k.trim()).and_then(Value::as_str) == Some(v.trim())
        } else if let Some(k) = term.strip_prefix('!') {
            !labels.contains_key(k)
        } else {
            labels.contains_key(term)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_and_refs() {
        let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}});
        let key = ObjectKey::of(&obj).unwrap();
        assert_eq!(key, ObjectKey::new("apps", "Deployment", "prod", "web"));
        assert_eq!(key.kubectl_ref(), "deployment.apps/web");
    }

    #[test]
    fn label_selectors() {
        let labels = json!({"app": "web", "tier": "front"}).as_object().unwrap().clone();
        assert!(label_selector_matches("app=web", &labels));
        assert!(label_selector_matches("app==web,tier", &labels));
        assert!(!label_selector_matches("app!=web", &labels));
        assert!(label_selector_matches("!missing", &labels));
    }
}
