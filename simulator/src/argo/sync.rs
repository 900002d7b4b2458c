//! A sync operation's tasks: ordered by wave, kind and name, applied with
//! `kubectl apply` semantics, extras pruned or skipped.

use serde_json::{Value, json};

use super::app::{AppSpec, ResourceResult};
use crate::kube::{ObjectKey, Store, apply, meta, resource_type_for, split_api_version};
use crate::rng::SimRng;
use crate::time::SimTime;

/// Argo CD's kind order within a wave (gitops-engine `sync_tasks.go`); other kinds go last.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// What to sync and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRequest {
    pub revision: String,
    pub prune: bool,
    pub dry_run: bool,
    /// Only these resources (a self-heal or `--resource` sync); `None` syncs the whole app.
    pub resources: Option<Vec<ObjectKey>>,
    pub initiated_by: String,
    pub automated: bool,
    pub self_heal_attempts: u32,
}

/// The outcome of applying a sync's tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncOutcome {
    pub succeeded: bool,
    pub message: String,
    pub results: Vec<ResourceResult>,
}

fn wave(obj: &Value) -> i64 {
    meta::annotation(obj, "argocd.argoproj.io/sync-wave").and_then(|w| w.trim().parse().ok()).unwrap_or(0)
}

fn kind_rank(kind: &str) -> usize {
    KIND_ORDER.iter().position(|k| *k == kind).unwrap_or(KIND_ORDER.len())
}

/// Applies `desired` (and prunes `extras`) as one sync operation.
pub fn run(
    app: &AppSpec,
    desired: &[Value],
    extras: &[ObjectKey],
    req: &SyncRequest,
    store: &mut Store,
    now: SimTime,
    rng: &mut SimRng,
) -> SyncOutcome {
    let wanted = |key: &ObjectKey| req.resources.as_ref().is_none_or(|r| r.contains(key));
    let mut tasks: Vec<&Value> = desired.iter().filter(|o| ObjectKey::of(o).is_some_and(|k| wanted(&k))).collect();
    tasks.sort_by_key(|o| (wave(o), kind_rank(meta::kind(o)), meta::name(o).to_string()));
    let mut results = Vec::new();
    let mut failure: Option<String> = None;

    if app.has_option("CreateNamespace=true")
        && !app.dest_namespace.is_empty()
        && !store.namespace_exists(&app.dest_namespace)
        && !req.dry_run
    {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": app.dest_namespace}});
        let _ = store.create(ns, now, rng);
    }
    for obj in tasks {
        let key = ObjectKey::of(obj).expect("filtered above");
        let (_, version) = split_api_version(obj["apiVersion"].as_str().unwrap_or(""));
        let live = store.get(&key).cloned();
        let merged = apply::merge(live.as_ref(), obj);
        let outcome = if req.dry_run {
            Ok(if live.is_none() { apply::ApplyOutcome::Created } else { apply::ApplyOutcome::Configured })
        } else {
            match &live {
                None => store.create(merged, now, rng).map(|_| apply::ApplyOutcome::Created),
                Some(before) => store.update(merged, now, rng).map(|after| {
                    if meta::str_at(&after, &["metadata", "resourceVersion"]) == meta::str_at(before, &["metadata", "resourceVersion"]) {
                        apply::ApplyOutcome::Unchanged
                    } else {
                        apply::ApplyOutcome::Configured
                    }
                }),
            }
        };
        let (status, message) = match outcome {
            Ok(o) => {
                let suffix = if req.dry_run { " (dry run)" } else { "" };
                ("Synced".to_string(), format!("{} {}{suffix}", key.kubectl_ref(), o.word()))
            }
            Err(e) => {
                let text = e.to_string().trim_start_matches("Error from server (NotFound): ").to_string();
                failure.get_or_insert_with(|| text.clone());
                ("SyncFailed".to_string(), text)
            }
        };
        results.push(result_for(&key, version, &status, &message));
    }
    for key in extras.iter().filter(|k| wanted(k)) {
        let version = store.get(key).and_then(|o| o["apiVersion"].as_str()).map(|v| split_api_version(v).1.to_string()).unwrap_or_default();
        let no_prune =
            store.get(key).and_then(|o| meta::annotation(o, "argocd.argoproj.io/sync-options")).is_some_and(|o| o.contains("Prune=false"));
        let (status, message) = if no_prune {
            ("PruneSkipped", "ignored (no prune)".to_string())
        } else if !req.prune {
            ("PruneSkipped", "ignored (requires pruning)".to_string())
        } else if req.dry_run {
            ("Pruned", "pruned (dry run)".to_string())
        } else {
            let _ = store.delete(key, now);
            ("Pruned", "pruned".to_string())
        };
        results.push(result_for(key, &version, status, &message));
    }
    match failure {
        Some(reason) => {
            SyncOutcome { succeeded: false, message: format!("one or more objects failed to apply, reason: {reason}"), results }
        }
        None => SyncOutcome { succeeded: true, message: "successfully synced (all tasks run)".into(), results },
    }
}

fn result_for(key: &ObjectKey, version: &str, status: &str, message: &str) -> ResourceResult {
    let version = if version.is_empty() {
        resource_type_for(&key.group, &key.kind).map(|r| r.version).unwrap_or("v1").to_string()
    } else {
        version.to_string()
    };
    ResourceResult {
        group: key.group.clone(),
        version,
        kind: key.kind.clone(),
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        status: status.into(),
        message: message.into(),
        sync_phase: "Sync".into(),
    }
}
