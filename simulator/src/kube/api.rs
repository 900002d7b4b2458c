//! A typed Kubernetes API over a world, for hosts that serve it to real
//! clients (a real `kubectl` over HTTPS): get, list, create, update, delete,
//! scale, logs and events, each answering as the API server does, with its
//! `Status` errors (404 NotFound, 409 AlreadyExists and Conflict, 422 Invalid).
//!
//! Everything stays sans-IO: the host passes the time in, and the world
//! settles (controllers and agents react) after every write, as it does after
//! a terminal command.

use serde_json::{Map, Value, json};

use super::meta::{self, ObjectKey, at, str_at};
use super::{ApiError, ResourceType, printers, resource_type_for};
use crate::events::{Event, EventKind};
use crate::time::SimTime;
use crate::world::World;

/// The API server's `Status` for a failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The HTTP status code: 400, 404, 409, 410, 422...
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`, `Expired`...
    pub reason: String,
    pub message: String,
    /// `details`: the object's name, its group and its resource (or kind, for Invalid).
    pub details: Option<StatusDetails>,
}

/// The `details` of a Status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusDetails {
    pub name: String,
    pub group: String,
    pub kind: String,
    /// For Invalid: (reason, message, field) per invalid field.
    pub causes: Vec<(String, String, String)>,
}

impl Status {
    fn with_details(code: u16, reason: &str, message: String, name: &str, group: &str, kind: &str) -> Status {
        Status {
            code,
            reason: reason.into(),
            message,
            details: Some(StatusDetails { name: name.into(), group: group.into(), kind: kind.into(), causes: Vec::new() }),
        }
    }

    /// 404: `deployments.apps "web" not found`.
    pub fn not_found(rt: &ResourceType, name: &str) -> Status {
        Status::with_details(404, "NotFound", format!("{} \"{name}\" not found", rt.qualified_plural()), name, rt.group, rt.plural)
    }

    /// 409: `deployments.apps "web" already exists`.
    pub fn already_exists(rt: &ResourceType, name: &str) -> Status {
        Status::with_details(409, "AlreadyExists", format!("{} \"{name}\" already exists", rt.qualified_plural()), name, rt.group, rt.plural)
    }

    /// 409: an update that carried a stale `metadata.resourceVersion`.
    pub fn conflict(rt: &ResourceType, name: &str) -> Status {
        Status::with_details(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                rt.qualified_plural()
            ),
            name,
            rt.group,
            rt.plural,
        )
    }

    /// 422: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: ...`.
    pub fn invalid(rt: &ResourceType, name: &str, causes: Vec<(String, String)>) -> Status {
        let qualified = if rt.group.is_empty() { rt.kind.to_string() } else { format!("{}.{}", rt.kind, rt.group) };
        let text = causes.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>();
        let message = if text.len() == 1 { text[0].clone() } else { format!("[{}]", text.join(", ")) };
        let mut status = Status::with_details(422, "Invalid", format!("{qualified} \"{name}\" is invalid: {message}"), name, rt.group, rt.kind);
        if let Some(d) = status.details.as_mut() {
            d.causes = causes
                .into_iter()
                .map(|(field, message)| {
                    let reason = if message.starts_with("Required value") { "FieldValueRequired" } else { "FieldValueInvalid" };
                    (reason.to_string(), message, field)
                })
                .collect();
        }
        status
    }

    /// 400 with the API server's message.
    pub fn bad_request(message: impl Into<String>) -> Status {
        Status { code: 400, reason: "BadRequest".into(), message: message.into(), details: None }
    }

    /// 405: a verb this resource does not serve.
    pub fn method_not_allowed(message: impl Into<String>) -> Status {
        Status { code: 405, reason: "MethodNotAllowed".into(), message: message.into(), details: None }
    }

    /// 410: a watch asked for a resourceVersion older than the host keeps.
    pub fn gone(message: impl Into<String>) -> Status {
        Status { code: 410, reason: "Expired".into(), message: message.into(), details: None }
    }

    /// The `Status` object as the API server sends it.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            let mut details = Map::new();
            if !d.name.is_empty() {
                details.insert("name".into(), json!(d.name));
            }
            if !d.group.is_empty() {
                details.insert("group".into(), json!(d.group));
            }
            details.insert("kind".into(), json!(d.kind));
            if !d.causes.is_empty() {
                let causes: Vec<Value> =
                    d.causes.iter().map(|(reason, message, field)| json!({"reason": reason, "message": message, "field": field})).collect();
                details.insert("causes".into(), Value::Array(causes));
            }
            v["details"] = Value::Object(details);
        }
        v
    }

    fn from_store(rt: &ResourceType, e: ApiError) -> Status {
        match e {
            ApiError::NotFound { name, .. } => Status::not_found(rt, &name),
            ApiError::AlreadyExists { name, .. } => Status::already_exists(rt, &name),
            ApiError::NamespaceNotFound { namespace } => Status::with_details(
                404,
                "NotFound",
                format!("namespaces \"{namespace}\" not found"),
                &namespace,
                "",
                "namespaces",
            ),
            ApiError::Invalid { message } => Status::bad_request(message),
        }
    }
}

/// The `Status` a successful delete of an object that is gone at once answers with.
pub fn deleted_status(rt: &ResourceType, name: &str, uid: &str) -> Value {
    let mut details = json!({"name": name, "kind": rt.plural, "uid": uid});
    if !rt.group.is_empty() {
        details["group"] = json!(rt.group);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

/// Kinds whose `status` is a subresource: a write to the object itself keeps the live status.
fn has_status_subresource(kind: &str) -> bool {
    !matches!(kind, "ConfigMap" | "Secret" | "ServiceAccount" | "Event" | "CustomResourceDefinition")
}

/// The API server's name check: a lowercase RFC 1123 subdomain (a label for namespaces and services).
fn name_problem(rt: &ResourceType, name: &str) -> Option<String> {
    let label = matches!(rt.kind, "Namespace" | "Service");
    let valid_label = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    let ok = if label { valid_label(name) } else { name.len() <= 253 && name.split('.').all(valid_label) };
    if ok {
        return None;
    }
    Some(if label {
        format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        )
    } else {
        format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    })
}

/// The API server's validation of the fields the simulator reads (a small part of the real one).
fn validate(rt: &ResourceType, obj: &Value) -> Result<(), Status> {
    let name = meta::name(obj);
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push(("metadata.name".to_string(), "Required value: name or generateName is required".to_string()));
    } else if let Some(problem) = name_problem(rt, name) {
        causes.push(("metadata.name".into(), problem));
    }
    if matches!(rt.kind, "Deployment" | "ReplicaSet" | "StatefulSet") {
        if let Some(r) = at(obj, &["spec", "replicas"]).and_then(Value::as_i64).filter(|r| *r < 0) {
            causes.push(("spec.replicas".into(), format!("Invalid value: {r}: must be greater than or equal to 0")));
        }
        let containers = at(obj, &["spec", "template", "spec", "containers"]).and_then(Value::as_array);
        match containers {
            None => causes.push(("spec.template.spec.containers".into(), "Required value".into())),
            Some(cs) => {
                for (i, c) in cs.iter().enumerate() {
                    if c.get("image").and_then(Value::as_str).is_none_or(str::is_empty) {
                        causes.push((format!("spec.template.spec.containers[{i}].image"), "Required value".into()));
                    }
                }
            }
        }
        if at(obj, &["spec", "selector"]).is_none() {
            causes.push(("spec.selector".into(), "Required value".into()));
        }
    }
    if causes.is_empty() { Ok(()) } else { Err(Status::invalid(rt, name, causes)) }
}

fn key_for(rt: &ResourceType, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new(rt.group, rt.kind, if rt.namespaced { namespace } else { "" }, name)
}

/// Whether an object passes a field selector such as `metadata.name=web,metadata.namespace!=x`.
pub fn field_selector_matches(selector: &str, obj: &Value) -> Result<bool, Status> {
    for term in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (field, want, negate) = if let Some((f, v)) = term.split_once("!=") {
            (f, v, true)
        } else if let Some((f, v)) = term.split_once("==") {
            (f, v, false)
        } else if let Some((f, v)) = term.split_once('=') {
            (f, v, false)
        } else {
            return Err(Status::bad_request(format!("invalid selector: '{selector}'; can't understand '{term}'")));
        };
        let path: Vec<&str> = field.split('.').collect();
        let supported = matches!(
            field,
            "metadata.name"
                | "metadata.namespace"
                | "spec.nodeName"
                | "status.phase"
                | "involvedObject.name"
                | "involvedObject.namespace"
                | "involvedObject.uid"
                | "involvedObject.kind"
                | "involvedObject.apiVersion"
                | "involvedObject.resourceVersion"
                | "involvedObject.fieldPath"
                | "reason"
                | "type"
                | "source"
        );
        if !supported {
            return Err(Status::bad_request(format!("field label not supported: {field}")));
        }
        let value = at(obj, &path).map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string())).unwrap_or_default();
        if (value == want) == negate {
            return Ok(false);
        }
    }
    Ok(true)
}

impl World {
    /// The store's newest resourceVersion.
    pub fn api_resource_version(&self) -> u64 {
        self.cluster.store.resource_version()
    }

    /// GET one object.
    pub fn api_get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Result<Value, Status> {
        self.cluster.store.get(&key_for(rt, namespace, name)).cloned().ok_or_else(|| Status::not_found(rt, name))
    }

    /// LIST a resource in a namespace (or in all, `None`), filtered by label and field selectors.
    pub fn api_list(
        &self,
        rt: &ResourceType,
        namespace: Option<&str>,
        label_selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<Vec<Value>, Status> {
        let ns = if rt.namespaced { namespace } else { None };
        let mut out = Vec::new();
        let objects: Vec<Value> = if rt.kind == "Event" && rt.group.is_empty() {
            self.api_events(ns)
        } else {
            self.cluster.store.list(rt.group, rt.kind, ns).cloned().collect()
        };
        for o in objects {
            if label_selector.is_some_and(|s| !s.is_empty() && !meta::label_selector_matches(s, &meta::labels(&o))) {
                continue;
            }
            if let Some(f) = field_selector.filter(|f| !f.is_empty()) {
                if !field_selector_matches(f, &o)? {
                    continue;
                }
            }
            out.push(o);
        }
        Ok(out)
    }

    /// The namespace an object of this request goes to: the URL's, which the body may repeat but not contradict.
    fn request_namespace(rt: &ResourceType, namespace: &str, obj: &mut Value) -> Result<(), Status> {
        if !rt.namespaced {
            if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                md.remove("namespace");
            }
            return Ok(());
        }
        let given = meta::namespace(obj).to_string();
        if !given.is_empty() && given != namespace {
            return Err(Status::bad_request("the namespace of the provided object does not match the namespace sent on the request"));
        }
        meta::ensure_map(obj, &["metadata"]).insert("namespace".into(), json!(namespace));
        Ok(())
    }

    fn check_kind(rt: &ResourceType, obj: &mut Value) -> Result<(), Status> {
        let map = obj.as_object_mut().ok_or_else(|| Status::bad_request("the body of the request was not an object"))?;
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or(rt.kind).to_string();
        if kind != rt.kind {
            return Err(Status::bad_request(format!(
                "the API version in the data ({}) does not match the expected API version ({})",
                map.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
                rt.api_version()
            )));
        }
        map.insert("kind".into(), json!(rt.kind));
        map.insert("apiVersion".into(), json!(rt.api_version()));
        Ok(())
    }

    /// CREATE (POST): fills in what the API server fills in; `dry_run` answers without storing.
    pub fn api_create(&mut self, now: SimTime, rt: &ResourceType, namespace: &str, mut obj: Value, dry_run: bool) -> Result<Value, Status> {
        self.advance_to(now);
        Self::check_kind(rt, &mut obj)?;
        Self::request_namespace(rt, namespace, &mut obj)?;
        if meta::name(&obj).is_empty() {
            if let Some(prefix) = str_at(&obj, &["metadata", "generateName"]).map(String::from) {
                let name = format!("{prefix}{}", self.rng.kube_suffix(5));
                meta::ensure_map(&mut obj, &["metadata"]).insert("name".into(), json!(name));
            }
        }
        validate(rt, &obj)?;
        if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            md.remove("managedFields");
            md.remove("selfLink");
        }
        if dry_run {
            let (mut store, mut rng) = (self.cluster.store.clone(), self.rng.clone());
            return store.create(obj, self.now, &mut rng).map_err(|e| Status::from_store(rt, e));
        }
        let created = self.cluster.store.create(obj, self.now, &mut self.rng).map_err(|e| Status::from_store(rt, e))?;
        self.settle();
        Ok(self.cluster.store.get(&ObjectKey::of(&created).expect("created objects have keys")).cloned().unwrap_or(created))
    }

    /// UPDATE (PUT): replaces the object; a stale `metadata.resourceVersion` is a 409 Conflict.
    /// The live status is kept for kinds whose status is a subresource.
    pub fn api_update(
        &mut self,
        now: SimTime,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        mut obj: Value,
        dry_run: bool,
    ) -> Result<Value, Status> {
        self.advance_to(now);
        Self::check_kind(rt, &mut obj)?;
        Self::request_namespace(rt, namespace, &mut obj)?;
        let body_name = meta::name(&obj).to_string();
        if body_name.is_empty() {
            meta::ensure_map(&mut obj, &["metadata"]).insert("name".into(), json!(name));
        } else if body_name != name {
            return Err(Status::bad_request(format!("the name of the object ({body_name}) does not match the name on the URL ({name})")));
        }
        let key = key_for(rt, namespace, name);
        let live = self.cluster.store.get(&key).cloned().ok_or_else(|| Status::not_found(rt, name))?;
        let given_rv = str_at(&obj, &["metadata", "resourceVersion"]).unwrap_or_default().to_string();
        if !given_rv.is_empty() && Some(given_rv.as_str()) != str_at(&live, &["metadata", "resourceVersion"]) {
            return Err(Status::conflict(rt, name));
        }
        validate(rt, &obj)?;
        if has_status_subresource(rt.kind) {
            match live.get("status") {
                Some(status) => obj["status"] = status.clone(),
                None => {
                    if let Some(m) = obj.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        }
        if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            md.remove("managedFields");
            md.remove("selfLink");
        }
        if dry_run {
            let (mut store, mut rng) = (self.cluster.store.clone(), self.rng.clone());
            return store.update(obj, self.now, &mut rng).map_err(|e| Status::from_store(rt, e));
        }
        let updated = self.cluster.store.update(obj, self.now, &mut self.rng).map_err(|e| Status::from_store(rt, e))?;
        self.settle();
        Ok(self.cluster.store.get(&key).cloned().unwrap_or(updated))
    }

    /// DELETE: graceful for pods and objects with finalizers (the object comes back with its
    /// `deletionTimestamp`), at once for the rest (a `Status` of Success). Deleting a namespace
    /// deletes what is in it.
    pub fn api_delete(&mut self, now: SimTime, rt: &ResourceType, namespace: &str, name: &str, dry_run: bool) -> Result<Value, Status> {
        self.advance_to(now);
        let key = key_for(rt, namespace, name);
        let live = self.cluster.store.get(&key).cloned().ok_or_else(|| Status::not_found(rt, name))?;
        if dry_run {
            return Ok(live);
        }
        if rt.kind == "Namespace" && rt.group.is_empty() {
            let inside: Vec<ObjectKey> = self.cluster.store.all().map(|(k, _)| k.clone()).filter(|k| k.namespace == name).collect();
            for k in inside {
                let _ = self.cluster.store.delete(&k, self.now);
            }
        }
        self.cluster.store.delete(&key, self.now).map_err(|e| Status::from_store(rt, e))?;
        self.settle();
        Ok(match self.cluster.store.get(&key) {
            Some(still) => still.clone(),
            None => deleted_status(rt, name, meta::uid(&live)),
        })
    }

    /// GET `/scale`: the `autoscaling/v1` Scale of a Deployment, ReplicaSet or StatefulSet.
    pub fn api_get_scale(&self, rt: &ResourceType, namespace: &str, name: &str) -> Result<Value, Status> {
        let obj = self.api_get(rt, namespace, name)?;
        let selector = at(&obj, &["spec", "selector", "matchLabels"])
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(","))
            .unwrap_or_default();
        let md = &obj["metadata"];
        Ok(json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": md["name"], "namespace": md["namespace"], "uid": md["uid"],
                "resourceVersion": md["resourceVersion"], "creationTimestamp": md["creationTimestamp"],
            },
            "spec": {"replicas": at(&obj, &["spec", "replicas"]).cloned().unwrap_or(json!(1))},
            "status": {"replicas": at(&obj, &["status", "replicas"]).cloned().unwrap_or(json!(0)), "selector": selector},
        }))
    }

    /// PUT/PATCH `/scale`: sets `spec.replicas` from a Scale object.
    pub fn api_update_scale(
        &mut self,
        now: SimTime,
        rt: &ResourceType,
        namespace: &str,
        name: &str,
        scale: &Value,
        dry_run: bool,
    ) -> Result<Value, Status> {
        let mut obj = self.api_get(rt, namespace, name)?;
        let given_rv = str_at(scale, &["metadata", "resourceVersion"]).unwrap_or_default();
        if !given_rv.is_empty() && Some(given_rv) != str_at(&obj, &["metadata", "resourceVersion"]) {
            return Err(Status::conflict(rt, name));
        }
        let Some(replicas) = at(scale, &["spec", "replicas"]).and_then(Value::as_i64) else {
            return Err(Status::invalid(rt, name, vec![("spec.replicas".into(), "Required value".into())]));
        };
        if replicas < 0 {
            return Err(Status::invalid(rt, name, vec![("spec.replicas".into(), format!("Invalid value: {replicas}: must be greater than or equal to 0"))]));
        }
        obj["spec"]["replicas"] = json!(replicas);
        if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            md.remove("resourceVersion");
        }
        self.api_update(now, rt, namespace, name, obj, dry_run)?;
        self.api_get_scale(rt, namespace, name)
    }

    /// GET `pods/NAME/log`: what the pod's container printed, as `kubectl logs` shows it.
    pub fn api_pod_log(&self, namespace: &str, name: &str, previous: bool) -> Result<String, Status> {
        let mut args = vec![name.to_string()];
        if previous {
            args.push("--previous".into());
        }
        let out = crate::cli::kubectl_describe::logs(self, namespace, args);
        if out.exit_code == 0 {
            return Ok(out.stdout);
        }
        let text = out.stderr.trim_end().trim_start_matches("error: ").to_string();
        if let Some(rest) = text.strip_prefix("Error from server (NotFound): ") {
            let pods = super::resource_type("pods").expect("pods are served");
            let _ = rest;
            return Err(Status::not_found(pods, name));
        }
        let message = text.strip_prefix("Error from server (BadRequest): ").unwrap_or(&text).to_string();
        Err(Status::bad_request(message))
    }

    /// The cluster's Kubernetes Events as `v1` Event objects, oldest first.
    pub fn api_events(&self, namespace: Option<&str>) -> Vec<Value> {
        let now = self.now;
        self.cluster
            .events
            .current(now)
            .into_iter()
            .filter(|e| namespace.is_none_or(|ns| e.namespace == ns))
            .map(|e| {
                let api_version = resource_type_for_kind(&e.kind).map(|rt| rt.api_version()).unwrap_or_else(|| "v1".into());
                let id = fnv(&[&e.uid, &e.reason, &e.message, &e.first.0.to_string()]);
                json!({
                    "kind": "Event",
                    "apiVersion": "v1",
                    "metadata": {
                        "name": format!("{}.{id:016x}", e.name),
                        "namespace": e.namespace,
                        "uid": format!("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", id >> 32, (id >> 16) & 0xffff, id & 0xfff, (id >> 4) & 0xfff, id & 0xffff_ffff_ffff),
                        "resourceVersion": self.cluster.store.resource_version().to_string(),
                        "creationTimestamp": e.first.rfc3339(),
                    },
                    "involvedObject": {"kind": e.kind, "namespace": e.namespace, "name": e.name, "uid": e.uid, "apiVersion": api_version},
                    "reason": e.reason,
                    "message": e.message,
                    "source": {"component": e.source},
                    "firstTimestamp": e.first.rfc3339(),
                    "lastTimestamp": e.last.rfc3339(),
                    "count": e.count,
                    "type": e.kind_of_event,
                    "eventTime": null,
                    "reportingComponent": e.source,
                    "reportingInstance": "",
                })
            })
            .collect()
    }

    /// Notes a command a real client ran (kubectl's `Kubectl-Command` header, completed with the
    /// request's resource, name and namespace) in the journal, so command checks can see it.
    pub fn api_record_command(&mut self, now: SimTime, line: &str) {
        self.advance_to(now);
        let tool = line.split_whitespace().next().unwrap_or_default().to_string();
        self.journal.push(Event { at: self.now, kind: EventKind::Command { line: line.to_string(), tool, exit_code: 0 } });
        self.settle();
    }

    /// A `meta.k8s.io/v1` Table of objects, with kubectl's columns (the same printers as the
    /// emulated terminal's `kubectl get`), each row carrying its object's metadata.
    pub fn api_table(&self, rt: &ResourceType, objects: &[Value], resource_version: &str, with_columns: bool) -> Value {
        let columns = printers::columns(rt);
        let definitions: Vec<Value> = columns
            .iter()
            .map(|c| {
                let format = if c.name == "Name" { "name" } else { "" };
                json!({"name": c.name, "type": c.kind, "format": format, "description": c.description, "priority": c.priority})
            })
            .collect();
        let rows: Vec<Value> = objects
            .iter()
            .map(|o| {
                let cells: Vec<Value> = printers::cells(rt, o, self.now, self)
                    .into_iter()
                    .zip(&columns)
                    .map(|(cell, c)| match (c.kind, cell.parse::<i64>()) {
                        ("integer", Ok(n)) => json!(n),
                        _ => json!(cell),
                    })
                    .collect();
                json!({
                    "cells": cells,
                    "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o.get("metadata").cloned().unwrap_or(json!({}))},
                })
            })
            .collect();
        let mut table = json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": if with_columns { Value::Array(definitions) } else { Value::Null },
            "rows": rows,
        });
        if !with_columns {
            table["columnDefinitions"] = Value::Null;
        }
        table
    }
}

fn resource_type_for_kind(kind: &str) -> Option<&'static ResourceType> {
    super::RESOURCE_TYPES.iter().find(|rt| rt.kind == kind).or_else(|| resource_type_for("", kind))
}

/// FNV-1a over some strings: a stable id for objects the store does not hold (events).
fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::resource_type;

    #[test]
    fn statuses_carry_the_api_servers_words() {
        let deploy = resource_type("deploy").unwrap();
        assert_eq!(Status::not_found(deploy, "web").to_json()["message"], "deployments.apps \"web\" not found");
        assert_eq!(Status::not_found(deploy, "web").to_json()["details"]["kind"], "deployments");
        let invalid = Status::invalid(deploy, "web", vec![("spec.replicas".into(), "Invalid value: -1: must be greater than or equal to 0".into())]);
        assert_eq!(invalid.code, 422);
        assert_eq!(invalid.message, "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0");
    }

    #[test]
    fn field_selectors_match_names_and_reject_unknown_fields() {
        let obj = json!({"metadata": {"name": "web", "namespace": "prod"}});
        assert!(field_selector_matches("metadata.name=web", &obj).unwrap());
        assert!(!field_selector_matches("metadata.name!=web", &obj).unwrap());
        assert!(field_selector_matches("spec.color=blue", &obj).is_err());
    }
}
