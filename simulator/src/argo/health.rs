//! Resource health, by Argo CD's built-in rules (gitops-engine `pkg/health`).
//!
//! `health` returns `None` for kinds without a check; those kinds do not count
//! towards an app's health.

use serde_json::Value;

use crate::kube::meta::{self, at, i64_at, str_at};

/// Health statuses, ordered from best to worst as Argo CD ranks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Health {
    Healthy,
    Suspended,
    Progressing,
    Missing,
    Degraded,
    Unknown,
}

impl Health {
    pub fn word(self) -> &'static str {
        match self {
            Health::Healthy => "Healthy",
            Health::Suspended => "Suspended",
            Health::Progressing => "Progressing",
            Health::Missing => "Missing",
            Health::Degraded => "Degraded",
            Health::Unknown => "Unknown",
        }
    }
}

/// A health status with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub status: Health,
    pub message: String,
}

fn assess(status: Health, message: impl Into<String>) -> Option<Assessment> {
    Some(Assessment { status, message: message.into() })
}

/// The health of one live object, or `None` when Argo CD has no check for its kind.
pub fn health(obj: &Value) -> Option<Assessment> {
    if meta::is_terminating(obj) && !finalizers(obj).iter().any(|f| f == "argocd.argoproj.io/hook-finalizer") {
        return assess(Health::Progressing, "Pending deletion");
    }
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let (group, version) = crate::kube::split_api_version(api_version);
    match (group, meta::kind(obj)) {
        ("apps", "Deployment") if version == "v1" => deployment(obj),
        ("apps", "Deployment") => assess(Health::Unknown, format!("unsupported Deployment GVK: {api_version}, Kind=Deployment")),
        ("apps", "ReplicaSet") => replica_set(obj),
        ("apps", "StatefulSet") => stateful_set(obj),
        ("apps", "DaemonSet") => daemon_set(obj),
        ("", "Pod") if version == "v1" => pod(obj),
        ("", "Service") if version == "v1" => service(obj),
        ("", "PersistentVolumeClaim") if version == "v1" => pvc(obj),
        ("networking.k8s.io" | "extensions", "Ingress") => load_balanced(obj),
        ("batch", "Job") => job(obj),
        ("batch", "CronJob") => cron_job(obj),
        ("policy", "PodDisruptionBudget") => pod_disruption_budget(obj),
        ("autoscaling", "HorizontalPodAutoscaler") => hpa(obj, version),
        ("apiregistration.k8s.io", "APIService") => api_service(obj),
        ("argoproj.io", "Workflow") => workflow(obj),
        _ => None,
    }
}

/// An app's health: the worst of its resources' health.
pub fn aggregate<'a>(resources: impl IntoIterator<Item = Option<&'a Assessment>>, any_live: bool) -> Health {
    if !any_live {
        return Health::Missing;
    }
    resources.into_iter().flatten().map(|a| a.status).filter(|h| *h != Health::Missing).fold(Health::Healthy, Ord::max)
}

fn finalizers(obj: &Value) -> Vec<String> {
    at(obj, &["metadata", "finalizers"])
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|f| f.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    at(obj, &["status", "conditions"])?.as_array()?.iter().find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn deployment(obj: &Value) -> Option<Assessment> {
    if at(obj, &["spec", "paused"]).and_then(Value::as_bool) == Some(true) {
        return assess(Health::Suspended, "Deployment is paused");
    }
    let generation = i64_at(obj, &["metadata", "generation"]).unwrap_or(0);
    let observed = i64_at(obj, &["status", "observedGeneration"]).unwrap_or(0);
    if generation > observed {
        return assess(Health::Progressing, "Waiting for rollout to finish: observed deployment generation less than desired generation");
    }
    if condition(obj, "Progressing").and_then(|c| c.get("reason")).and_then(Value::as_str) == Some("ProgressDeadlineExceeded") {
        return assess(Health::Degraded, format!("Deployment \"{}\" exceeded its progress deadline", meta::name(obj)));
    }
    let replicas = i64_at(obj, &["spec", "replicas"]).unwrap_or(1);
    let updated = i64_at(obj, &["status", "updatedReplicas"]).unwrap_or(0);
    let total = i64_at(obj, &["status", "replicas"]).unwrap_or(0);
    let available = i64_at(obj, &["status", "availableReplicas"]).unwrap_or(0);
    if updated < replicas {
        return assess(
            Health::Progressing,
            format!("Waiting for rollout to finish: {updated} out of {replicas} new replicas have been updated..."),
        );
    }
    if total > updated {
        return assess(
            Health::Progressing,
            format!("Waiting for rollout to finish: {} old replicas are pending termination...", total - updated),
        );
    }
    if available < updated {
        return assess(
            Health::Progressing,
            format!("Waiting for rollout to finish: {available} of {updated} updated replicas are available..."),
        );
    }
    assess(Health::Healthy, "")
}

fn stateful_set(obj: &Value) -> Option<Assessment> {
    let generation = i64_at(obj, &["metadata", "generation"]).unwrap_or(0);
    let observed = i64_at(obj, &["status", "observedGeneration"]).unwrap_or(0);
    if observed == 0 || generation > observed {
        return assess(Health::Progressing, "Waiting for statefulset spec update to be observed...");
    }
    let replicas = i64_at(obj, &["spec", "replicas"]).unwrap_or(1);
    let ready = i64_at(obj, &["status", "readyReplicas"]).unwrap_or(0);
    if ready < replicas {
        return assess(Health::Progressing, format!("Waiting for {} pods to be ready...", replicas - ready));
    }
    let strategy = str_at(obj, &["spec", "updateStrategy", "type"]).unwrap_or("RollingUpdate");
    let updated = i64_at(obj, &["status", "updatedReplicas"]).unwrap_or(0);
    if strategy == "RollingUpdate" {
        if let Some(ru) = at(obj, &["spec", "updateStrategy", "rollingUpdate"]) {
            if let Some(partition) = ru.get("partition").and_then(Value::as_i64) {
                if updated < replicas - partition {
                    return assess(
                        Health::Progressing,
                        format!(
                            "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                            replicas - partition
                        ),
                    );
                }
                return assess(Health::Healthy, format!("partitioned roll out complete: {updated} new pods have been updated..."));
            }
        }
    }
    if strategy == "OnDelete" {
        return assess(Health::Healthy, format!("statefulset has {ready} ready pods"));
    }
    let (update_rev, current_rev) =
        (str_at(obj, &["status", "updateRevision"]).unwrap_or(""), str_at(obj, &["status", "currentRevision"]).unwrap_or(""));
    if update_rev != current_rev {
        return assess(
            Health::Progressing,
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}..."),
        );
    }
    let current = i64_at(obj, &["status", "currentReplicas"]).unwrap_or(0);
    assess(Health::Healthy, format!("statefulset rolling update complete {current} pods at revision {current_rev}..."))
}

fn daemon_set(obj: &Value) -> Option<Assessment> {
    let generation = i64_at(obj, &["metadata", "generation"]).unwrap_or(0);
    let observed = i64_at(obj, &["status", "observedGeneration"]).unwrap_or(0);
    if generation > observed {
        return assess(Health::Progressing, "Waiting for rollout to finish: observed daemon set generation less than desired generation");
    }
    let desired = i64_at(obj, &["status", "desiredNumberScheduled"]).unwrap_or(0);
    let updated = i64_at(obj, &["status", "updatedNumberScheduled"]).unwrap_or(0);
    if str_at(obj, &["spec", "updateStrategy", "type"]) == Some("OnDelete") {
        return assess(Health::Healthy, format!("daemon set {updated} out of {desired} new pods have been updated"));
    }
    let name = meta::name(obj);
    if updated < desired {
        return assess(
            Health::Progressing,
            format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated..."),
        );
    }
    let available = i64_at(obj, &["status", "numberAvailable"]).unwrap_or(0);
    if available < desired {
        return assess(
            Health::Progressing,
            format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available..."),
        );
    }
    assess(Health::Healthy, "")
}

fn job(obj: &Value) -> Option<Assessment> {
    let (mut failed, mut complete, mut suspended) = (false, false, false);
    let (mut failed_message, mut complete_message, mut suspended_message) = (String::new(), String::new(), String::new());
    for c in at(obj, &["status", "conditions"]).and_then(Value::as_array).into_iter().flatten() {
        let message = c.get("message").and_then(Value::as_str).unwrap_or("").to_string();
        match c.get("type").and_then(Value::as_str) {
            Some("Failed") => {
                failed = true;
                complete = true;
                failed_message = message;
            }
            Some("Complete") => {
                complete = true;
                complete_message = message;
            }
            Some("Suspended") => {
                complete = true;
                suspended_message = message;
                suspended = c.get("status").and_then(Value::as_str) == Some("True");
            }
            _ => {}
        }
    }
    if !complete {
        assess(Health::Progressing, "")
    } else if failed {
        assess(Health::Degraded, failed_message)
    } else if suspended {
        assess(Health::Suspended, suspended_message)
    } else {
        assess(Health::Healthy, complete_message)
    }
}

fn cron_job(obj: &Value) -> Option<Assessment> {
    if at(obj, &["spec", "suspend"]).and_then(Value::as_bool) == Some(true) {
        return assess(Health::Healthy, "CronJob is Suspended");
    }
    let Some(status) = obj.get("status") else {
        return assess(Health::Progressing, "Waiting for CronJob");
    };
    let Some(last_schedule) = status.get("lastScheduleTime").and_then(Value::as_str) else {
        return assess(Health::Healthy, "CronJob has not been scheduled yet");
    };
    let Some(last_success) = status.get("lastSuccessfulTime").and_then(Value::as_str) else {
        return assess(Health::Healthy, "The CronJob never completed successfully. It may not be healthy");
    };
    if status.get("active").and_then(Value::as_array).is_some_and(|a| !a.is_empty()) {
        return assess(Health::Healthy, "The job is running. Its last execution may not have been successful");
    }
    // RFC 3339 UTC times compare correctly as strings.
    if last_success < last_schedule {
        return assess(Health::Degraded, "CronJob has not completed its last execution successfully");
    }
    assess(Health::Healthy, "CronJob has completed its last execution successfully")
}

fn pod_disruption_budget(obj: &Value) -> Option<Assessment> {
    let conditions = at(obj, &["status", "conditions"]).and_then(Value::as_array).filter(|cs| !cs.is_empty());
    let Some(conditions) = conditions else {
        return assess(Health::Progressing, "Waiting for status");
    };
    let reason = |c: &Value| c.get("reason").and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(c) = conditions.iter().find(|c| c.get("status").and_then(Value::as_str) == Some("False") && reason(c) != "InsufficientPods")
    {
        return assess(Health::Degraded, format!("PodDisruptionBudget has {}", reason(c)));
    }
    // Argo CD's Lua check reports the last condition's reason.
    assess(Health::Healthy, format!("PodDisruptionBudget has {}", conditions.last().map(reason).unwrap_or_default()))
}

/// The (type, reason) pairs that make an HPA Degraded (Argo CD v3.5 and later).
const HPA_DEGRADED: &[(&str, &str)] = &[
    ("AbleToScale", "FailedGetScale"),
    ("AbleToScale", "FailedUpdateScale"),
    ("ScalingActive", "FailedGetResourceMetric"),
    ("ScalingActive", "FailedGetObjectMetric"),
    ("ScalingActive", "FailedGetPodsMetric"),
    ("ScalingActive", "FailedGetExternalMetric"),
    ("ScalingActive", "FailedComputeMetricsReplicas"),
    ("ScalingActive", "InvalidSelector"),
];

fn hpa(obj: &Value, version: &str) -> Option<Assessment> {
    let conditions: Vec<Value> = match version {
        "v1" => meta::annotation(obj, "autoscaling.alpha.kubernetes.io/conditions")
            .and_then(|a| serde_json::from_str::<Vec<Value>>(a).ok())
            .unwrap_or_default(),
        "v2" => at(obj, &["status", "conditions"]).and_then(Value::as_array).cloned().unwrap_or_default(),
        other => return assess(Health::Unknown, format!("unsupported HPA GVK: autoscaling/{other}, Kind=HorizontalPodAutoscaler")),
    };
    let field = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(c) = conditions.iter().find(|c| HPA_DEGRADED.contains(&(field(c, "type").as_str(), field(c, "reason").as_str()))) {
        return assess(Health::Degraded, field(c, "message"));
    }
    if let Some(c) =
        conditions.iter().find(|c| matches!(field(c, "type").as_str(), "AbleToScale" | "ScalingLimited") && field(c, "status") == "True")
    {
        return assess(Health::Healthy, field(c, "message"));
    }
    assess(Health::Progressing, "Waiting to Autoscale")
}

fn api_service(obj: &Value) -> Option<Assessment> {
    match condition(obj, "Available") {
        Some(c) => {
            let text = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            let message = format!("{}: {}", text("reason"), text("message"));
            assess(if text("status") == "True" { Health::Healthy } else { Health::Progressing }, message)
        }
        None => assess(Health::Progressing, "Waiting to be processed"),
    }
}

fn workflow(obj: &Value) -> Option<Assessment> {
    let message = str_at(obj, &["status", "message"]).unwrap_or("").to_string();
    match str_at(obj, &["status", "phase"]).unwrap_or("") {
        "" | "Pending" | "Running" => assess(Health::Progressing, message),
        "Succeeded" => assess(Health::Healthy, message),
        "Failed" | "Error" => assess(Health::Degraded, message),
        _ => assess(Health::Unknown, message),
    }
}

fn replica_set(obj: &Value) -> Option<Assessment> {
    let generation = i64_at(obj, &["metadata", "generation"]).unwrap_or(0);
    let observed = i64_at(obj, &["status", "observedGeneration"]).unwrap_or(0);
    if generation > observed {
        return assess(Health::Progressing, "Waiting for rollout to finish: observed replica set generation less than desired generation");
    }
    if let Some(c) = condition(obj, "ReplicaFailure").filter(|c| c.get("status").and_then(Value::as_str) == Some("True")) {
        return assess(Health::Degraded, c.get("message").and_then(Value::as_str).unwrap_or(""));
    }
    let replicas = i64_at(obj, &["spec", "replicas"]).unwrap_or(1);
    let available = i64_at(obj, &["status", "availableReplicas"]).unwrap_or(0);
    if available < replicas {
        return assess(
            Health::Progressing,
            format!("Waiting for rollout to finish: {available} out of {replicas} new replicas are available..."),
        );
    }
    assess(Health::Healthy, "")
}

fn pod(obj: &Value) -> Option<Assessment> {
    let restart_policy = str_at(obj, &["spec", "restartPolicy"]).unwrap_or("Always");
    let statuses = at(obj, &["status", "containerStatuses"]).and_then(Value::as_array).cloned().unwrap_or_default();
    // On master, a non-hook pod may ask to be judged as if it restarted Always.
    let ignore_policy = meta::annotation(obj, "argocd.argoproj.io/ignore-restart-policy") == Some("true")
        && meta::annotation(obj, "argocd.argoproj.io/hook").is_none();
    let restart_policy = if ignore_policy { "Always" } else { restart_policy };
    if restart_policy == "Always" {
        let waiting: Vec<String> = statuses
            .iter()
            .filter_map(|s| at(s, &["state", "waiting"]))
            .filter(|w| {
                let reason = w.get("reason").and_then(Value::as_str).unwrap_or("");
                reason.starts_with("Err") || reason.ends_with("Error") || reason.ends_with("BackOff")
            })
            .map(|w| w.get("message").and_then(Value::as_str).unwrap_or("").to_string())
            .collect();
        if !waiting.is_empty() {
            return assess(Health::Degraded, waiting.join(", "));
        }
    }
    let message = str_at(obj, &["status", "message"]).unwrap_or("").to_string();
    match str_at(obj, &["status", "phase"]).unwrap_or("") {
        "Pending" => assess(Health::Progressing, message),
        "Succeeded" => assess(Health::Healthy, message),
        "Failed" => {
            if !message.is_empty() {
                return assess(Health::Degraded, message);
            }
            let init = at(obj, &["status", "initContainerStatuses"]).and_then(Value::as_array).cloned().unwrap_or_default();
            let failure = init.iter().chain(statuses.iter()).find_map(|s| {
                let t = at(s, &["state", "terminated"])?;
                if let Some(m) = t.get("message").and_then(Value::as_str).filter(|m| !m.is_empty()) {
                    return Some(m.to_string());
                }
                if t.get("reason").and_then(Value::as_str) == Some("OOMKilled") {
                    return Some("OOMKilled".into());
                }
                let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
                (code != 0)
                    .then(|| format!("container \"{}\" failed with exit code {code}", s.get("name").and_then(Value::as_str).unwrap_or("")))
            });
            assess(Health::Degraded, failure.unwrap_or_default())
        }
        "Running" => match restart_policy {
            "Always" => {
                if condition(obj, "Ready").and_then(|c| c.get("status")).and_then(Value::as_str) == Some("True") {
                    assess(Health::Healthy, message)
                } else if statuses.iter().any(|s| at(s, &["lastState", "terminated"]).is_some()) {
                    assess(Health::Degraded, message)
                } else {
                    assess(Health::Progressing, message)
                }
            }
            _ => assess(Health::Progressing, message),
        },
        _ => assess(Health::Unknown, message),
    }
}

fn service(obj: &Value) -> Option<Assessment> {
    if str_at(obj, &["spec", "type"]) == Some("LoadBalancer") {
        return load_balanced(obj);
    }
    assess(Health::Healthy, "")
}

fn load_balanced(obj: &Value) -> Option<Assessment> {
    let assigned = at(obj, &["status", "loadBalancer", "ingress"]).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    assess(if assigned { Health::Healthy } else { Health::Progressing }, "")
}

fn pvc(obj: &Value) -> Option<Assessment> {
    match str_at(obj, &["status", "phase"]).unwrap_or("") {
        "Bound" => assess(Health::Healthy, ""),
        "Pending" => assess(Health::Progressing, ""),
        "Lost" => assess(Health::Degraded, ""),
        _ => assess(Health::Unknown, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployment_rules_in_order() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "generation": 2},
                           "spec": {"replicas": 3}, "status": {"observedGeneration": 1}});
        assert_eq!(health(&d).unwrap().status, Health::Progressing);
        d["status"] = json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 2});
        assert_eq!(health(&d).unwrap().message, "Waiting for rollout to finish: 2 of 3 updated replicas are available...");
        d["status"]["availableReplicas"] = json!(3);
        assert_eq!(health(&d).unwrap(), Assessment { status: Health::Healthy, message: String::new() });
        d["status"]["conditions"] = json!([{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]);
        assert_eq!(health(&d).unwrap().message, "Deployment \"web\" exceeded its progress deadline");
    }

    #[test]
    fn crash_looping_pod_is_degraded_with_the_waiting_message() {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {},
                       "status": {"phase": "Running", "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s"}}}]}});
        assert_eq!(health(&p).unwrap(), Assessment { status: Health::Degraded, message: "back-off 10s".into() });
    }

    #[test]
    fn aggregate_takes_the_worst_and_ignores_unchecked_kinds() {
        let healthy = Assessment { status: Health::Healthy, message: String::new() };
        let progressing = Assessment { status: Health::Progressing, message: String::new() };
        assert_eq!(aggregate([Some(&healthy), None, Some(&progressing)], true), Health::Progressing);
        assert_eq!(aggregate([None], false), Health::Missing);
        assert_eq!(health(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})), None);
    }
}
