//! The ReplicaSet controller: keeps the number of live pods equal to
//! `spec.replicas`, deleting the least useful pods first.

use serde_json::{Value, json};

use crate::kube::Store;
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey, at, i64_at};
use crate::rng::SimRng;
use crate::time::SimTime;

/// Reconciles one object. Returns whether anything changed.
pub fn reconcile(
    store: &mut Store,
    key: &ObjectKey,
    nodes: &[String],
    now: SimTime,
    rng: &mut SimRng,
    events: &mut super::events::Events,
) -> bool {
    let Some(rs) = store.get(key).cloned() else {
        return false;
    };
    let uid = meta::uid(&rs).to_string();
    let desired = i64_at(&rs, &["spec", "replicas"]).unwrap_or(1).max(0) as usize;
    let mut pods: Vec<Value> = store.owned_by(&uid).filter(|p| !meta::is_terminating(p)).cloned().collect();
    let mut changed = false;
    if pods.len() < desired {
        for _ in pods.len()..desired {
            let pod = new_pod(&rs, nodes, store, rng);
            match store.create(pod, now, rng) {
                Ok(created) => {
                    events.record(
                        &rs,
                        false,
                        "SuccessfulCreate",
                        format!("Created pod: {}", meta::name(&created)),
                        "replicaset-controller",
                        now,
                    );
                    changed = true;
                }
                Err(e) => {
                    // The controller stops at the first refusal (a quota, a bad template) and tries
                    // again on the ReplicaSet's next change, as the real one backs off.
                    let text = e.to_string();
                    let reason = text.strip_prefix("Error from server (Forbidden): ").unwrap_or(&text);
                    events.record(&rs, true, "FailedCreate", format!("Error creating: {reason}"), "replicaset-controller", now);
                    break;
                }
            }
        }
    } else if pods.len() > desired {
        // Kubernetes deletes unscheduled, then pending, then not-ready, then the newest pods first.
        pods.sort_by_key(|p| {
            (
                pod_rank(p),
                std::cmp::Reverse(meta::str_at(p, &["metadata", "creationTimestamp"]).unwrap_or("").to_string()),
                meta::name(p).to_string(),
            )
        });
        for pod in pods.iter().take(pods.len() - desired) {
            if let Some(k) = ObjectKey::of(pod) {
                if store.delete(&k, now).is_ok() {
                    events.record(
                        &rs,
                        false,
                        "SuccessfulDelete",
                        format!("Deleted pod: {}", meta::name(pod)),
                        "replicaset-controller",
                        now,
                    );
                    changed = true;
                }
            }
        }
    }
    let live: Vec<&Value> = store.owned_by(&uid).filter(|p| !meta::is_terminating(p)).collect();
    let ready = live.iter().filter(|p| pod_ready(p)).count();
    let mut status = json!({
        "replicas": live.len(),
        "fullyLabeledReplicas": live.len(),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": i64_at(&rs, &["metadata", "generation"]).unwrap_or(1),
    });
    for zero_omitted in ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] {
        if status[zero_omitted] == json!(0) {
            status.as_object_mut().expect("status is a map").remove(zero_omitted);
        }
    }
    changed |= store.update_status(key, status, now);
    changed
}

/// Whether a pod's `Ready` condition is true.
pub fn pod_ready(pod: &Value) -> bool {
    at(pod, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

fn pod_rank(pod: &Value) -> u8 {
    match (meta::str_at(pod, &["spec", "nodeName"]), meta::str_at(pod, &["status", "phase"])) {
        (None, _) => 0,
        (_, Some("Pending")) => 1,
        _ if !pod_ready(pod) => 2,
        _ => 3,
    }
}

fn new_pod(rs: &Value, nodes: &[String], store: &Store, rng: &mut SimRng) -> Value {
    let template = at(rs, &["spec", "template"]).cloned().unwrap_or(json!({}));
    let mut name = format!("{}-{}", meta::name(rs), rng.kube_suffix(5));
    let ns = meta::namespace(rs);
    while store.get(&ObjectKey::new("", "Pod", ns, &name)).is_some() {
        name = format!("{}-{}", meta::name(rs), rng.kube_suffix(5));
    }
    let node = if nodes.is_empty() { None } else { Some(nodes[rng.below(nodes.len() as u64) as usize].clone()) };
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "generateName": format!("{}-", meta::name(rs)),
            "namespace": ns,
            "labels": at(&template, &["metadata", "labels"]).cloned().unwrap_or(json!({})),
            "ownerReferences": meta::owner_reference(rs),
        },
        "spec": at(&template, &["spec"]).cloned().unwrap_or(json!({})),
        "status": {"phase": "Pending", "qosClass": "BestEffort"},
    });
    if let Some(anns) = at(&template, &["metadata", "annotations"]) {
        pod.set_path(&["metadata", "annotations"], anns.clone());
    }
    if let Some(node) = node {
        pod.set_path(&["spec", "nodeName"], json!(node));
    }
    pod
}
