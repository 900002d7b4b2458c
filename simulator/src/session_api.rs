//! The Kubernetes API over a session, for hosts that serve it to real clients
//! (a real `kubectl` over HTTPS, real `git` pushing to a bare repository):
//! get, list, create, update, delete, scale, logs, events and tables, each
//! answering as the API server does (`kube::api::Status`), and pushes made with
//! real Git. Everything stays sans-IO: the host passes the time in, and the
//! session settles (controllers, agents and the lab's steps react) after every
//! write, as it does after a terminal command.

use serde_json::{Value, json};

use crate::cli::Host;
use crate::events::EventKind;
use crate::git::Signature;
use crate::git::import::ImportedCommit;
use crate::kube::api::{
    Status, deleted_status, field_selector_matches, fnv, has_status_subresource, key_for, resource_type_for_kind, validate,
};
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey, at, str_at};
use crate::kube::{ResourceType, printers};
use crate::model::Model;
use crate::session::{Session, Shell};
use crate::time::SimTime;

impl Session {
    /// The store's newest resourceVersion.
    pub fn api_resource_version(&self) -> u64 {
        self.model().cluster().store.resource_version()
    }

    /// GET one object.
    pub fn api_get(&self, rt: &ResourceType, namespace: &str, name: &str) -> Result<Value, Status> {
        self.model().cluster().store.get(&key_for(rt, namespace, name)).cloned().ok_or_else(|| Status::not_found(rt, name))
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
            self.model().cluster().store.list(rt.group, rt.kind, ns).cloned().collect()
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
                let name = format!("{prefix}{}", self.model_mut().rng_mut().kube_suffix(5));
                meta::ensure_map(&mut obj, &["metadata"]).insert("name".into(), json!(name));
            }
        }
        validate(rt, &obj)?;
        if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            md.remove("managedFields");
            md.remove("selfLink");
        }
        if dry_run {
            let (mut store, mut rng) = (self.model().cluster().store.clone(), self.model().rng().clone());
            return store.create(obj, self.now(), &mut rng).map_err(|e| Status::from_store(rt, e));
        }
        let created = self.model_mut().create_object(obj).map_err(|e| Status::from_store(rt, e))?;
        Host::settle(self);
        Ok(self.model().cluster().store.get(&ObjectKey::of(&created).expect("created objects have keys")).cloned().unwrap_or(created))
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
        let live = self.model().cluster().store.get(&key).cloned().ok_or_else(|| Status::not_found(rt, name))?;
        let given_rv = str_at(&obj, &["metadata", "resourceVersion"]).unwrap_or_default().to_string();
        if !given_rv.is_empty() && Some(given_rv.as_str()) != str_at(&live, &["metadata", "resourceVersion"]) {
            return Err(Status::conflict(rt, name));
        }
        validate(rt, &obj)?;
        if has_status_subresource(rt.kind) {
            match live.get("status") {
                Some(status) => obj.set_path(&["status"], status.clone()),
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
            let (mut store, mut rng) = (self.model().cluster().store.clone(), self.model().rng().clone());
            return store.update(obj, self.now(), &mut rng).map_err(|e| Status::from_store(rt, e));
        }
        let updated = self.model_mut().update_object(obj).map_err(|e| Status::from_store(rt, e))?;
        Host::settle(self);
        Ok(self.model().cluster().store.get(&key).cloned().unwrap_or(updated))
    }

    /// DELETE: graceful for pods and objects with finalizers (the object comes back with its
    /// `deletionTimestamp`), at once for the rest (a `Status` of Success). Deleting a namespace
    /// deletes what is in it.
    pub fn api_delete(&mut self, now: SimTime, rt: &ResourceType, namespace: &str, name: &str, dry_run: bool) -> Result<Value, Status> {
        self.advance_to(now);
        let key = key_for(rt, namespace, name);
        let live = self.model().cluster().store.get(&key).cloned().ok_or_else(|| Status::not_found(rt, name))?;
        if dry_run {
            return Ok(live);
        }
        if rt.kind == "Namespace" && rt.group.is_empty() {
            let inside: Vec<ObjectKey> =
                self.model().cluster().store.all().map(|(k, _)| k.clone()).filter(|k| k.namespace == name).collect();
            for k in inside {
                let now = self.now();
                let _ = self.model_mut().cluster_mut().store.delete(&k, now);
            }
        }
        let now = self.now();
        self.model_mut().cluster_mut().store.delete(&key, now).map_err(|e| Status::from_store(rt, e))?;
        Host::settle(self);
        Ok(match self.model().cluster().store.get(&key) {
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
            return Err(Status::invalid(
                rt,
                name,
                vec![("spec.replicas".into(), format!("Invalid value: {replicas}: must be greater than or equal to 0"))],
            ));
        }
        obj.set_path(&["spec", "replicas"], json!(replicas));
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
        if let Some(rest) =
            text.strip_prefix("Error from server (NotFound): ").or_else(|| text.strip_prefix("error from server (NotFound): "))
        {
            let pods = crate::kube::resource_type("pods").expect("pods are served");
            let _ = rest;
            return Err(Status::not_found(pods, name));
        }
        let message = text.strip_prefix("Error from server (BadRequest): ").unwrap_or(&text).to_string();
        Err(Status::bad_request(message))
    }

    /// The cluster's Kubernetes Events as `v1` Event objects, oldest first.
    pub fn api_events(&self, namespace: Option<&str>) -> Vec<Value> {
        let now = self.now();
        self.model()
            .cluster()
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
                        "resourceVersion": self.model().cluster().store.resource_version().to_string(),
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
        self.model_mut().record(EventKind::Command { line: line.to_string(), tool, exit_code: 0 });
        Host::settle(self);
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
                let cells: Vec<Value> = printers::cells(rt, o, self.now(), self.model().app_columns(meta::name(o)).filter(|_| rt.kind == "Application").as_ref())
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
            table.set_path(&["columnDefinitions"], Value::Null);
        }
        table
    }
}

impl Session {
    /// A session over an empty cluster (nodes, system namespaces, controllers; no lab, no
    /// repository, no application), created a minute before `start`: `gitops-lab cluster`.
    pub fn empty_cluster(seed: u64, start: SimTime) -> Session {
        let user = Signature { name: "trainee".into(), email: "trainee@gitops-lab.local".into(), time: start };
        let shell = Shell {
            cwd: "/home/trainee".into(),
            home: "/home/trainee".into(),
            user,
            kube_namespace: "default".into(),
            argocd_user: "admin".into(),
            argocd_login_at: start,
        };
        let mut session = Session::over(Model::empty_cluster(seed, start), shell);
        session.advance_to(start);
        session
    }

    /// A push to one of the world's remotes made with real Git: stores `commits` (parents
    /// first), moves `branch` to `tip`, brings the simulated clone along, and tells the agents
    /// and the push pipeline as a push from the terminal would.
    pub fn receive_push(&mut self, now: SimTime, url: &str, branch: &str, commits: Vec<ImportedCommit>, tip: &str) -> Result<(), String> {
        self.advance_to(now);
        if let Some(old) = self.model_mut().git_mut().import_push(url, branch, commits, tip)? {
            Host::pushed(self, url, branch, old, tip.to_string());
            Host::settle(self);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_cluster_has_nodes_and_system_namespaces_only() {
        let session = Session::empty_cluster(1, SimTime(1_800_000_000_000));
        let store = &session.cluster().store;
        assert_eq!(store.list("", "Node", None).count(), 3);
        assert_eq!(store.list("", "Namespace", None).count(), 4);
        assert_eq!(store.list("apps", "Deployment", None).count(), 0);
        assert_eq!(session.now(), SimTime(1_800_000_000_000));
    }
}
