//! The Job controller: runs a pod to completion, retries failed pods up to
//! `backoffLimit`, and reports Complete or Failed as Kubernetes does.

use serde_json::{Value, json};

use crate::kube::Store;
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey, at, i64_at};
use crate::rng::SimRng;
use crate::time::SimTime;

fn has_condition(job: &Value, kind: &str) -> bool {
    at(job, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == kind && c["status"] == "True"))
}

/// Reconciles one Job. Returns whether anything changed.
pub fn reconcile(store: &mut Store, key: &ObjectKey, nodes: &[String], now: SimTime, rng: &mut SimRng) -> bool {
    let Some(job) = store.get(key).cloned() else { return false };
    if has_condition(&job, "Complete")
        || has_condition(&job, "Failed")
        || at(&job, &["spec", "suspend"]).and_then(Value::as_bool) == Some(true)
    {
        return false;
    }
    let uid = meta::uid(&job).to_string();
    let pods: Vec<Value> = store.owned_by(&uid).cloned().collect();
    let phase = |p: &Value| meta::str_at(p, &["status", "phase"]).unwrap_or("Pending").to_string();
    let succeeded = pods.iter().filter(|p| phase(p) == "Succeeded").count() as i64;
    let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as i64;
    let active = pods.iter().filter(|p| !matches!(phase(p).as_str(), "Succeeded" | "Failed") && !meta::is_terminating(p)).count() as i64;
    let backoff_limit = i64_at(&job, &["spec", "backoffLimit"]).unwrap_or(6);
    let ts = now.rfc3339();
    let mut status = json!({"startTime": at(&job, &["status", "startTime"]).cloned().unwrap_or(json!(ts)), "ready": 0, "terminating": 0});
    let mut changed = false;
    if succeeded > 0 {
        status.set_path(&["succeeded"], json!(succeeded));
        status.set_path(&["completionTime"], json!(ts));
        status.set_path(&["conditions"], json!([
            {"type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": ts, "lastTransitionTime": ts},
            {"type": "Complete", "status": "True", "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods", "lastProbeTime": ts, "lastTransitionTime": ts},
        ]));
    } else if failed > backoff_limit {
        status.set_path(&["failed"], json!(failed));
        status.set_path(&["conditions"], json!([
            {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": ts, "lastTransitionTime": ts},
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastProbeTime": ts, "lastTransitionTime": ts},
        ]));
    } else {
        if active == 0 {
            changed |= store.create(new_pod(&job, nodes, rng), now, rng).is_ok();
        }
        status.set_path(&["active"], json!(active.max(1)));
        if failed > 0 {
            status.set_path(&["failed"], json!(failed));
        }
    }
    changed |= store.update_status(key, status, now);
    changed
}

fn new_pod(job: &Value, nodes: &[String], rng: &mut SimRng) -> Value {
    let name = meta::name(job);
    let mut labels = at(job, &["spec", "template", "metadata", "labels"]).cloned().unwrap_or(json!({}));
    labels.set_path(&["job-name"], json!(name));
    labels.set_path(&["batch.kubernetes.io/job-name"], json!(name));
    labels.set_path(&["controller-uid"], json!(meta::uid(job)));
    let mut spec = at(job, &["spec", "template", "spec"]).cloned().unwrap_or(json!({}));
    if spec.get("restartPolicy").is_none() {
        spec.set_path(&["restartPolicy"], json!("Never"));
    }
    if !nodes.is_empty() {
        spec.set_path(&["nodeName"], json!(nodes[rng.below(nodes.len() as u64) as usize]));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": format!("{name}-{}", rng.kube_suffix(5)),
            "generateName": format!("{name}-"),
            "namespace": meta::namespace(job),
            "labels": labels,
            "ownerReferences": meta::owner_reference(job),
        },
        "spec": spec,
        "status": {"phase": "Pending"},
    })
}
