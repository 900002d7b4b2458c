//! An API-server-like object store: uids, resource versions, generations,
//! graceful deletion, finalizers, owner-based garbage collection and a watch stream.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::meta::{self, ObjectKey, at, ensure_map};
use super::{defaults, resource_type_for, schema};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// What happened to an object, as a watch stream reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
}

/// One change to the store.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchEvent {
    pub resource_version: u64,
    pub event_type: WatchEventType,
    pub key: ObjectKey,
    /// Whether anything but `status` and `metadata.resourceVersion` changed.
    pub spec_changed: bool,
    pub at: SimTime,
}

/// An error the API server answers with; `Display` gives kubectl's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    NotFound {
        resource: String,
        name: String,
    },
    AlreadyExists {
        resource: String,
        name: String,
    },
    NamespaceNotFound {
        namespace: String,
    },
    Invalid {
        message: String,
    },
    /// A value the API server cannot decode into the kind's Go type (a 400 BadRequest).
    BadRequest {
        message: String,
    },
    /// Fields that fail validation (a 422 Invalid): the kind, the name and (field, message) pairs.
    FieldsInvalid {
        kind: String,
        name: String,
        causes: Vec<(String, String)>,
    },
    /// A kind the API server does not serve (no CRD defines it).
    NoKindMatch {
        kind: String,
        api_version: String,
    },
    /// A create refused by the namespace's quota (a 403 Forbidden).
    ExceededQuota {
        resource: String,
        name: String,
        used: usize,
        limit: usize,
    },
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::NotFound { resource, name } => write!(f, "Error from server (NotFound): {resource} \"{name}\" not found"),
            ApiError::AlreadyExists { resource, name } => {
                write!(f, "Error from server (AlreadyExists): {resource} \"{name}\" already exists")
            }
            ApiError::NamespaceNotFound { namespace } => write!(f, "Error from server (NotFound): namespaces \"{namespace}\" not found"),
            ApiError::Invalid { message } => write!(f, "The request is invalid: {message}"),
            ApiError::BadRequest { message } => write!(f, "Error from server (BadRequest): {message}"),
            ApiError::FieldsInvalid { kind, name, causes } => {
                let text: Vec<String> = causes.iter().map(|(field, message)| format!("{field}: {message}")).collect();
                let joined = if text.len() == 1 { text[0].clone() } else { format!("[{}]", text.join(", ")) };
                write!(f, "The {kind} \"{name}\" is invalid: {joined}")
            }
            ApiError::NoKindMatch { kind, api_version } => write!(f, "no matches for kind \"{kind}\" in version \"{api_version}\""),
            ApiError::ExceededQuota { resource, name, used, limit } => write!(
                f,
                "Error from server (Forbidden): {resource} \"{name}\" is forbidden: exceeded quota: {QUOTA_NAME}, requested: pods=1, used: pods={used}, limited: pods={limit}"
            ),
        }
    }
}

/// The name of the quota every namespace of the simulated cluster has, as a sandbox cluster does.
pub const QUOTA_NAME: &str = "sandbox-quota";
/// Pods per namespace that quota allows: enough for every lab, few enough that
/// `kubectl scale --replicas=2147483647` stops at once.
pub const MAX_PODS_PER_NAMESPACE: usize = 200;

/// The cluster's objects and their history of changes.
#[derive(Clone, Debug, Default)]
pub struct Store {
    objects: BTreeMap<ObjectKey, Value>,
    uids: BTreeMap<String, ObjectKey>,
    /// Owner uid to the keys of the objects it controls.
    children: BTreeMap<String, std::collections::BTreeSet<ObjectKey>>,
    /// Uids removed since the last garbage collection.
    removed_uids: Vec<String>,
    /// Objects being deleted (a `deletionTimestamp`, waiting for finalizers or a grace period),
    /// so that finalizers look at these rather than at every object of their kind.
    terminating: std::collections::BTreeSet<ObjectKey>,
    /// Keys changed since controllers last looked, and the owners of the objects changed.
    touched: std::collections::BTreeSet<ObjectKey>,
    touched_owners: std::collections::BTreeSet<String>,
    last_resource_version: u64,
    pending_events: Vec<WatchEvent>,
}

impl Store {
    pub fn new() -> Self {
        Store::default()
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key)
    }

    pub fn get_by_uid(&self, uid: &str) -> Option<&Value> {
        self.uids.get(uid).and_then(|k| self.objects.get(k))
    }

    /// Objects of one kind, in key order; `namespace` `None` lists all namespaces.
    /// Keys sort by group, kind, namespace and name, so this is a range scan.
    pub fn list<'a>(&'a self, group: &'a str, kind: &'a str, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Value> + 'a {
        let start = ObjectKey::new(group, kind, namespace.unwrap_or(""), "");
        self.objects
            .range(start..)
            .take_while(move |(k, _)| k.group == group && k.kind == kind && namespace.is_none_or(|ns| k.namespace == ns))
            .map(|(_, v)| v)
    }

    /// Objects of one kind that are being deleted, in key order (see `list`).
    pub fn terminating<'a>(&'a self, group: &'a str, kind: &'a str, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Value> + 'a {
        let start = ObjectKey::new(group, kind, namespace.unwrap_or(""), "");
        self.terminating
            .range(start..)
            .take_while(move |k| k.group == group && k.kind == kind && namespace.is_none_or(|ns| k.namespace == ns))
            .filter_map(|k| self.objects.get(k))
    }

    /// Stores an object under its key, keeping the index of terminating objects; returns the
    /// object it replaced.
    fn put(&mut self, key: ObjectKey, obj: Value) -> Option<Value> {
        if meta::is_terminating(&obj) {
            self.terminating.insert(key.clone());
        } else {
            self.terminating.remove(&key);
        }
        self.objects.insert(key, obj)
    }

    /// The objects whose controlling owner has this uid.
    pub fn owned_by<'a>(&'a self, owner_uid: &str) -> impl Iterator<Item = &'a Value> + 'a {
        self.children.get(owner_uid).into_iter().flatten().filter_map(|k| self.objects.get(k))
    }

    pub fn all(&self) -> impl Iterator<Item = (&ObjectKey, &Value)> {
        self.objects.iter()
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    pub fn resource_version(&self) -> u64 {
        self.last_resource_version
    }

    /// Takes the watch events recorded since the last call.
    pub fn drain_events(&mut self) -> Vec<WatchEvent> {
        std::mem::take(&mut self.pending_events)
    }

    /// Creates an object, filling in what the API server fills in.
    pub fn create(&mut self, mut obj: Value, now: SimTime, rng: &mut SimRng) -> Result<Value, ApiError> {
        let key = ObjectKey::of(&obj).ok_or_else(|| ApiError::Invalid { message: "object has no kind or metadata.name".into() })?;
        self.admit(&key, &obj)?;
        let rt = resource_type_for(&key.group, &key.kind);
        let resource = rt.map(|r| r.qualified_plural()).unwrap_or_else(|| key.kind.to_ascii_lowercase());
        if self.objects.contains_key(&key) {
            return Err(ApiError::AlreadyExists { resource, name: key.name });
        }
        if rt.is_none_or(|r| r.namespaced) && !key.namespace.is_empty() && !self.namespace_exists(&key.namespace) {
            return Err(ApiError::NamespaceNotFound { namespace: key.namespace });
        }
        if key.group.is_empty() && key.kind == "Pod" {
            let used = self.list("", "Pod", Some(&key.namespace)).count();
            if used >= MAX_PODS_PER_NAMESPACE {
                return Err(ApiError::ExceededQuota { resource, name: key.name, used, limit: MAX_PODS_PER_NAMESPACE });
            }
        }
        let uid = rng.uuid();
        {
            let md = ensure_map(&mut obj, &["metadata"]);
            md.insert("uid".into(), json!(uid));
            md.insert("creationTimestamp".into(), json!(now.rfc3339()));
            md.remove("resourceVersion");
            md.remove("deletionTimestamp");
        }
        if has_spec_generation(&key.kind) {
            ensure_map(&mut obj, &["metadata"]).insert("generation".into(), json!(1));
        }
        defaults::apply(&mut obj, rng);
        self.bump(&mut obj);
        self.uids.insert(uid, key.clone());
        self.index_owner(&key, None, &obj);
        self.put(key.clone(), obj.clone());
        self.record(WatchEventType::Added, key, true, now);
        Ok(obj)
    }

    /// Replaces an object's metadata and spec, keeping its identity and (unless
    /// given) its status; bumps `metadata.generation` when the spec changed.
    pub fn update(&mut self, mut obj: Value, now: SimTime, rng: &mut SimRng) -> Result<Value, ApiError> {
        let key = ObjectKey::of(&obj).ok_or_else(|| ApiError::Invalid { message: "object has no kind or metadata.name".into() })?;
        self.admit(&key, &obj)?;
        let Some(old) = self.objects.get(&key) else {
            let resource = resource_type_for(&key.group, &key.kind).map(|r| r.qualified_plural()).unwrap_or(key.kind.clone());
            return Err(ApiError::NotFound { resource, name: key.name });
        };
        for field in ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences"] {
            let kept = at(old, &["metadata", field]).cloned();
            let md = ensure_map(&mut obj, &["metadata"]);
            match kept {
                Some(v) if field != "ownerReferences" || !md.contains_key(field) => {
                    md.insert(field.into(), v);
                }
                _ => {}
            }
        }
        if obj.get("status").is_none() {
            if let Some(status) = old.get("status") {
                obj.as_object_mut().expect("objects are maps").insert("status".into(), status.clone());
            }
        }
        defaults::apply(&mut obj, rng);
        let spec_changed = !same_apart_from(old, &obj, true);
        if spec_changed && has_spec_generation(&key.kind) && old.get("spec") != obj.get("spec") {
            let generation = meta::i64_at(old, &["metadata", "generation"]).unwrap_or(1) + 1;
            ensure_map(&mut obj, &["metadata"]).insert("generation".into(), json!(generation));
        }
        let unchanged = same_apart_from(old, &obj, false);
        if unchanged {
            return Ok(old.clone());
        }
        self.bump(&mut obj);
        let previous = self.put(key.clone(), obj.clone());
        self.index_owner(&key, previous.as_ref(), &obj);
        self.record(WatchEventType::Modified, key, spec_changed, now);
        Ok(obj)
    }

    /// Replaces only `status`, as a controller writing the status subresource does.
    pub fn update_status(&mut self, key: &ObjectKey, status: Value, now: SimTime) -> bool {
        let Some(obj) = self.objects.get_mut(key) else {
            return false;
        };
        if obj.get("status") == Some(&status) {
            return false;
        }
        // In place: a status write changes neither the object's identity nor its deletion.
        obj.as_object_mut().expect("objects are maps").insert("status".into(), status);
        self.last_resource_version += 1;
        let version = self.last_resource_version;
        ensure_map(obj, &["metadata"]).insert("resourceVersion".into(), json!(version.to_string()));
        self.record(WatchEventType::Modified, key.clone(), false, now);
        true
    }

    /// Replaces one field of an object's `status`: the same as `update_status` with a copy of the
    /// status that differs in that field, without building the rest of the status again.
    pub fn update_status_field(&mut self, key: &ObjectKey, field: &str, value: Value, now: SimTime) -> bool {
        let Some(status) = self.objects.get_mut(key).and_then(|o| o.get_mut("status")).and_then(Value::as_object_mut) else {
            return false;
        };
        if status.get(field) == Some(&value) {
            return false;
        }
        status.insert(field.into(), value);
        self.last_resource_version += 1;
        let version = self.last_resource_version;
        let obj = self.objects.get_mut(key).expect("looked up above");
        ensure_map(obj, &["metadata"]).insert("resourceVersion".into(), json!(version.to_string()));
        self.record(WatchEventType::Modified, key.clone(), false, now);
        true
    }

    /// Starts deleting an object. Pods terminate gracefully and objects with
    /// finalizers wait for them; everything else goes at once.
    pub fn delete(&mut self, key: &ObjectKey, now: SimTime) -> Result<(), ApiError> {
        let Some(obj) = self.objects.get(key) else {
            let resource = resource_type_for(&key.group, &key.kind).map(|r| r.qualified_plural()).unwrap_or(key.kind.clone());
            return Err(ApiError::NotFound { resource, name: key.name.clone() });
        };
        if meta::is_terminating(obj) {
            return Ok(());
        }
        let has_finalizers = at(obj, &["metadata", "finalizers"]).and_then(Value::as_array).is_some_and(|f| !f.is_empty());
        if key.kind == "Pod" && key.group.is_empty() || has_finalizers {
            let grace = if key.kind == "Pod" { meta::i64_at(obj, &["spec", "terminationGracePeriodSeconds"]).unwrap_or(30) } else { 0 };
            let mut obj = obj.clone();
            let md = ensure_map(&mut obj, &["metadata"]);
            md.insert("deletionTimestamp".into(), json!((now + SimDuration::secs(grace as u64)).rfc3339()));
            md.insert("deletionGracePeriodSeconds".into(), json!(grace));
            self.bump(&mut obj);
            self.put(key.clone(), obj);
            self.record(WatchEventType::Modified, key.clone(), true, now);
            return Ok(());
        }
        self.remove(key, now);
        Ok(())
    }

    /// Removes an object for good (after graceful termination or finalizers).
    pub fn remove(&mut self, key: &ObjectKey, now: SimTime) {
        if let Some(obj) = self.objects.remove(key) {
            self.terminating.remove(key);
            if let Some(owner) = meta::controller_uid(&obj) {
                self.touched_owners.insert(owner.to_string());
            }
            self.uids.remove(meta::uid(&obj));
            self.removed_uids.push(meta::uid(&obj).to_string());
            if let Some(owner) = meta::controller_uid(&obj) {
                if let Some(set) = self.children.get_mut(owner) {
                    set.remove(key);
                    if set.is_empty() {
                        self.children.remove(owner);
                    }
                }
            }
            self.last_resource_version += 1;
            self.record(WatchEventType::Deleted, key.clone(), true, now);
        }
    }

    /// Deletes objects whose controlling owner no longer exists (background
    /// propagation). Returns whether anything was deleted.
    pub fn collect_garbage(&mut self, now: SimTime) -> bool {
        let removed = std::mem::take(&mut self.removed_uids);
        let orphans: Vec<ObjectKey> = removed
            .iter()
            .filter(|uid| !self.uids.contains_key(*uid))
            .flat_map(|uid| self.children.get(uid).into_iter().flatten())
            .filter(|k| self.objects.get(*k).is_some_and(|o| !meta::is_terminating(o)))
            .cloned()
            .collect();
        for key in &orphans {
            let _ = self.delete(key, now);
        }
        !orphans.is_empty()
    }

    fn index_owner(&mut self, key: &ObjectKey, previous: Option<&Value>, obj: &Value) {
        let before = previous.and_then(meta::controller_uid).map(String::from);
        let after = meta::controller_uid(obj).map(String::from);
        if before == after {
            return;
        }
        if let Some(b) = before {
            if let Some(set) = self.children.get_mut(&b) {
                set.remove(key);
            }
        }
        if let Some(a) = after {
            self.children.entry(a).or_default().insert(key.clone());
        }
    }

    /// Whether the API server serves this kind: built in, modelled by the simulator, or
    /// defined by a CustomResourceDefinition in the store.
    pub fn knows_kind(&self, group: &str, kind: &str) -> bool {
        schema::is_built_in(group, kind)
            || schema::is_modelled_custom_resource(group, kind)
            || self.list("apiextensions.k8s.io", "CustomResourceDefinition", None).any(|crd| {
                meta::str_at(crd, &["spec", "group"]) == Some(group) && meta::str_at(crd, &["spec", "names", "kind"]) == Some(kind)
            })
    }

    /// What the API server checks before it stores anything: that it serves the kind, and
    /// that the object has the shape of its kind.
    fn admit(&self, key: &ObjectKey, obj: &Value) -> Result<(), ApiError> {
        if !obj.is_object() || !obj.get("metadata").is_none_or(Value::is_object) {
            return Err(ApiError::Invalid { message: "an object and its metadata must be maps".into() });
        }
        if !self.knows_kind(&key.group, &key.kind) {
            let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default().to_string();
            return Err(ApiError::NoKindMatch { kind: key.kind.clone(), api_version });
        }
        match schema::check(&key.group, &key.kind, obj) {
            Ok(()) => Ok(()),
            Err(schema::ShapeError::Decode(message)) => {
                let version = super::split_api_version(obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default()).1.to_string();
                let kind = &key.kind;
                Err(ApiError::BadRequest { message: format!("{kind} in version \"{version}\" cannot be handled as a {kind}: {message}") })
            }
            Err(schema::ShapeError::Invalid(causes)) => {
                Err(ApiError::FieldsInvalid { kind: key.kind.clone(), name: key.name.clone(), causes })
            }
        }
    }

    pub fn namespace_exists(&self, namespace: &str) -> bool {
        self.objects.contains_key(&ObjectKey::new("", "Namespace", "", namespace))
    }

    fn bump(&mut self, obj: &mut Value) {
        self.last_resource_version += 1;
        ensure_map(obj, &["metadata"]).insert("resourceVersion".into(), json!(self.last_resource_version.to_string()));
    }

    /// Takes the keys changed since the last call, and the uids of their controlling owners:
    /// the controllers' work queue.
    pub fn take_touched(&mut self) -> (std::collections::BTreeSet<ObjectKey>, std::collections::BTreeSet<String>) {
        (std::mem::take(&mut self.touched), std::mem::take(&mut self.touched_owners))
    }

    pub fn has_touched(&self) -> bool {
        !self.touched.is_empty()
    }

    fn record(&mut self, event_type: WatchEventType, key: ObjectKey, spec_changed: bool, at: SimTime) {
        if let Some(owner) = self.objects.get(&key).and_then(meta::controller_uid) {
            self.touched_owners.insert(owner.to_string());
        }
        self.touched.insert(key.clone());
        self.pending_events.push(WatchEvent { resource_version: self.last_resource_version, event_type, key, spec_changed, at });
    }
}

/// Kinds whose spec changes bump `metadata.generation`.
fn has_spec_generation(kind: &str) -> bool {
    matches!(
        kind,
        "Deployment"
            | "ReplicaSet"
            | "StatefulSet"
            | "DaemonSet"
            | "Job"
            | "CronJob"
            | "HorizontalPodAutoscaler"
            | "Application"
            | "AppProject"
            | "Ingress"
    )
}

/// Whether two objects are equal apart from `metadata.resourceVersion` (and `status`, when
/// `ignore_status`), compared in place rather than on copies with those fields removed.
fn same_apart_from(a: &Value, b: &Value, ignore_status: bool) -> bool {
    let skip_top = |k: &str| ignore_status && k == "status";
    let skip_metadata = |k: &str| k == "resourceVersion";
    match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => same_maps(a, b, skip_top, |key, x, y| match (key, x.as_object(), y.as_object()) {
            ("metadata", Some(x), Some(y)) => same_maps(x, y, skip_metadata, |_, x, y| x == y),
            _ => x == y,
        }),
        _ => a == b,
    }
}

/// Whether two maps hold the same keys (leaving out those `skip` names), with values `same`.
fn same_maps(
    a: &serde_json::Map<String, Value>,
    b: &serde_json::Map<String, Value>,
    skip: impl Fn(&str) -> bool,
    same: impl Fn(&str, &Value, &Value) -> bool,
) -> bool {
    let kept = |m: &serde_json::Map<String, Value>| m.keys().filter(|k| !skip(k)).count();
    kept(a) == kept(b) && a.iter().filter(|(k, _)| !skip(k)).all(|(k, x)| b.get(k).is_some_and(|y| same(k, x, y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    }

    fn deploy(replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
               "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    }

    #[test]
    fn resource_versions_grow_and_generation_tracks_spec() {
        let (mut store, mut rng, t) = (Store::new(), SimRng::new(1), SimTime(0));
        store.create(ns("prod"), t, &mut rng).unwrap();
        let created = store.create(deploy(3), t, &mut rng).unwrap();
        assert_eq!(meta::i64_at(&created, &["metadata", "generation"]), Some(1));
        let rv1: u64 = meta::str_at(&created, &["metadata", "resourceVersion"]).unwrap().parse().unwrap();
        let updated = store.update(deploy(5), t, &mut rng).unwrap();
        let rv2: u64 = meta::str_at(&updated, &["metadata", "resourceVersion"]).unwrap().parse().unwrap();
        assert!(rv2 > rv1);
        assert_eq!(meta::i64_at(&updated, &["metadata", "generation"]), Some(2));
        assert_eq!(meta::uid(&updated), meta::uid(&created));
    }

    #[test]
    fn create_needs_the_namespace_and_a_free_name() {
        let (mut store, mut rng, t) = (Store::new(), SimRng::new(1), SimTime(0));
        let err = store.create(deploy(1), t, &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "Error from server (NotFound): namespaces \"prod\" not found");
        store.create(ns("prod"), t, &mut rng).unwrap();
        store.create(deploy(1), t, &mut rng).unwrap();
        let err = store.create(deploy(1), t, &mut rng).unwrap_err();
        assert_eq!(err.to_string(), "Error from server (AlreadyExists): deployments.apps \"web\" already exists");
    }

    #[test]
    fn objects_compare_apart_from_resource_version_and_status() {
        let a = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {"x": 1}, "status": {"y": 1}});
        let b = json!({"metadata": {"name": "a", "resourceVersion": "2"}, "spec": {"x": 1}, "status": {"y": 2}});
        assert!(!same_apart_from(&a, &b, false), "the status differs");
        assert!(same_apart_from(&a, &b, true), "only the resourceVersion and the status differ");
        let c = json!({"metadata": {"name": "a"}, "spec": {"x": 1}});
        assert!(same_apart_from(&a, &c, true), "a missing resourceVersion or status is no difference");
        let d = json!({"metadata": {"name": "a", "labels": {}}, "spec": {"x": 1}});
        assert!(!same_apart_from(&c, &d, true), "an added field is a difference");
        assert!(!same_apart_from(&d, &c, true), "a removed field is a difference");
        let e = json!({"metadata": {"name": "a"}, "spec": {"x": 2}});
        assert!(!same_apart_from(&c, &e, true));
    }

    #[test]
    fn terminating_objects_are_indexed_until_they_go() {
        let (mut store, mut rng, t) = (Store::new(), SimRng::new(1), SimTime(0));
        store.create(ns("prod"), t, &mut rng).unwrap();
        let held = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "namespace": "prod", "finalizers": ["example.com/hold"]}});
        store.create(held, t, &mut rng).unwrap();
        store
            .create(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "prod"}}), t, &mut rng)
            .unwrap();
        assert_eq!(store.terminating("", "ConfigMap", Some("prod")).count(), 0);
        let key = ObjectKey::new("", "ConfigMap", "prod", "held");
        store.delete(&key, t).unwrap();
        let names: Vec<&str> = store.terminating("", "ConfigMap", Some("prod")).map(meta::name).collect();
        assert_eq!(names, vec!["held"], "a finalizer keeps it, terminating");
        assert_eq!(store.terminating("", "ConfigMap", Some("default")).count(), 0, "another namespace has none");
        assert!(store.update_status(&key, json!({"phase": "x"}), t), "a status write keeps it terminating");
        assert_eq!(store.terminating("", "ConfigMap", None).count(), 1);
        store.remove(&key, t);
        assert_eq!(store.terminating("", "ConfigMap", None).count(), 0, "gone for good");
    }

    #[test]
    fn a_status_field_write_is_a_status_write() {
        let (mut one, mut rng, t) = (Store::new(), SimRng::new(1), SimTime(0));
        one.create(ns("prod"), t, &mut rng).unwrap();
        one.create(deploy(1), t, &mut rng).unwrap();
        let key = ObjectKey::new("apps", "Deployment", "prod", "web");
        one.update_status(&key, json!({"a": 1, "b": "x"}), t);
        let mut two = one.clone();
        assert!(one.update_status(&key, json!({"a": 1, "b": "y"}), t));
        assert!(two.update_status_field(&key, "b", json!("y"), t));
        assert_eq!(one.get(&key), two.get(&key));
        assert_eq!(one.drain_events(), two.drain_events());
        assert!(!two.update_status_field(&key, "b", json!("y"), t), "the same value is no write");
        assert_eq!(two.resource_version(), one.resource_version());
    }

    #[test]
    fn garbage_collection_follows_owner_references() {
        let (mut store, mut rng, t) = (Store::new(), SimRng::new(1), SimTime(0));
        store.create(ns("prod"), t, &mut rng).unwrap();
        let owner = store.create(deploy(1), t, &mut rng).unwrap();
        let mut child = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "child", "namespace": "prod"}});
        meta::set_at(&mut child, &["metadata", "ownerReferences"], meta::owner_reference(&owner));
        store.create(child, t, &mut rng).unwrap();
        store.delete(&ObjectKey::new("apps", "Deployment", "prod", "web"), t).unwrap();
        assert!(store.collect_garbage(t));
        assert!(store.get(&ObjectKey::new("", "ConfigMap", "prod", "child")).is_none());
    }
}
