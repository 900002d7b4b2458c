//! The Deployment controller: one ReplicaSet per pod template, rolled by the
//! RollingUpdate or Recreate strategy, and the status that health checks read.

use serde_json::{Value, json};

use crate::kube::Store;
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey, at, i64_at};
use crate::rng::{SimRng, fnv32a, kube_safe_encode};
use crate::time::{SimDuration, SimTime};

const REVISION: &str = "deployment.kubernetes.io/revision";

/// When a rollout in progress passes its progress deadline, if it is in progress.
pub fn deadline(d: &Value) -> Option<SimTime> {
    let cond = progressing_condition(d)?;
    if cond.get("status")? != "True" || cond.get("reason")? != "ReplicaSetUpdated" {
        return None;
    }
    let since = SimTime::parse_rfc3339(cond.get("lastUpdateTime")?.as_str()?)?;
    let deadline = i64_at(d, &["spec", "progressDeadlineSeconds"]).unwrap_or(600) as u64;
    Some(since + SimDuration::secs(deadline) + SimDuration::millis(1))
}

/// Reconciles one Deployment. Returns whether anything changed.
pub fn reconcile(store: &mut Store, key: &ObjectKey, now: SimTime, rng: &mut SimRng, events: &mut super::events::Events) -> bool {
    let Some(deploy) = store.get(key).cloned() else {
        return false;
    };
    let uid = meta::uid(&deploy).to_string();
    let desired = i64_at(&deploy, &["spec", "replicas"]).unwrap_or(1);
    let template = at(&deploy, &["spec", "template"]).cloned().unwrap_or(json!({}));
    let hash = kube_safe_encode(fnv32a(serde_json::to_string(&template).expect("JSON values serialize").as_bytes()));
    let owned: Vec<Value> =
        store.owned_by(&uid).filter(|rs| meta::kind(rs) == "ReplicaSet" && !meta::is_terminating(rs)).cloned().collect();
    let max_revision = owned.iter().filter_map(|rs| meta::annotation(rs, REVISION)?.parse::<i64>().ok()).max().unwrap_or(0);
    let mut changed = false;

    let new_rs =
        match owned.iter().find(|rs| at(rs, &["metadata", "labels", "pod-template-hash"]).and_then(Value::as_str) == Some(hash.as_str())) {
            Some(rs) => {
                let current: i64 = meta::annotation(rs, REVISION).and_then(|r| r.parse().ok()).unwrap_or(0);
                if current < max_revision {
                    let mut rs = rs.clone();
                    meta::set_annotation(&mut rs, REVISION, &(max_revision + 1).to_string());
                    changed = true;
                    store.update(rs, now, rng).unwrap_or_else(|_| Value::Null)
                } else {
                    rs.clone()
                }
            }
            None => {
                let rs = new_replica_set(&deploy, &template, &hash, max_revision + 1);
                changed = true;
                match store.create(rs, now, rng) {
                    Ok(rs) => rs,
                    Err(_) => return changed,
                }
            }
        };
    let new_name = meta::name(&new_rs).to_string();
    let olds: Vec<&Value> = owned.iter().filter(|rs| meta::name(rs) != new_name).collect();
    let revision = meta::annotation(&new_rs, REVISION).unwrap_or("1").to_string();
    if meta::annotation(&deploy, REVISION) != Some(revision.as_str()) {
        let mut d = deploy.clone();
        meta::set_annotation(&mut d, REVISION, &revision);
        if let Ok(updated) = store.update(d, now, rng) {
            changed |= updated != deploy;
        }
    }

    let spec_replicas = |rs: &Value| i64_at(rs, &["spec", "replicas"]).unwrap_or(0);
    let available = |rs: &Value| i64_at(rs, &["status", "availableReplicas"]).unwrap_or(0);
    let old_total: i64 = olds.iter().map(|rs| spec_replicas(rs)).sum();
    let recreate = at(&deploy, &["spec", "strategy", "type"]).and_then(Value::as_str) == Some("Recreate");
    let (max_surge, max_unavailable) = surge_and_unavailable(&deploy, desired);

    let mut scale = |store: &mut Store, rs: &Value, replicas: i64| -> bool {
        let from = spec_replicas(rs);
        if from == replicas {
            return false;
        }
        let direction = if replicas > from { "up" } else { "down" };
        events.record(
            &deploy,
            false,
            "ScalingReplicaSet",
            format!("Scaled {direction} replica set {} from {from} to {replicas}", meta::name(rs)),
            "deployment-controller",
            now,
        );
        let mut rs = rs.clone();
        rs.set_path(&["spec", "replicas"], json!(replicas));
        meta::set_annotation(&mut rs, "deployment.kubernetes.io/desired-replicas", &desired.to_string());
        meta::set_annotation(&mut rs, "deployment.kubernetes.io/max-replicas", &(desired + max_surge).to_string());
        store.update(rs, now, rng).is_ok()
    };

    if old_total == 0 {
        changed |= scale(store, &new_rs, desired);
    } else if recreate {
        for rs in &olds {
            changed |= scale(store, rs, 0);
        }
        let old_pods_left = olds.iter().any(|rs| store.owned_by(meta::uid(rs)).next().is_some());
        if !old_pods_left {
            changed |= scale(store, &new_rs, desired);
        }
    } else {
        // Scale up the new ReplicaSet as far as maxSurge allows.
        let total = old_total + spec_replicas(&new_rs);
        let max_total = desired + max_surge;
        if total < max_total && spec_replicas(&new_rs) < desired {
            let up = (spec_replicas(&new_rs) + (max_total - total)).min(desired);
            changed |= scale(store, &new_rs, up);
        } else if spec_replicas(&new_rs) > desired {
            changed |= scale(store, &new_rs, desired);
        }
        // Scale down old ReplicaSets as far as maxUnavailable allows.
        let new_rs = store.get(&ObjectKey::of(&new_rs).expect("created objects have keys")).cloned().unwrap_or(new_rs);
        let min_available = desired - max_unavailable;
        let new_unavailable = (spec_replicas(&new_rs) - available(&new_rs)).max(0);
        let all = old_total + spec_replicas(&new_rs);
        let mut budget = all - min_available - new_unavailable;
        for rs in &olds {
            // Unavailable old pods can always go.
            let unhealthy = (spec_replicas(rs) - available(rs)).max(0);
            let mut target = spec_replicas(rs) - unhealthy.min(spec_replicas(rs));
            let extra = target.min(budget.max(0));
            target -= extra;
            budget -= extra;
            changed |= scale(store, rs, target);
        }
    }

    changed |= write_status(store, key, &new_name, now);
    changed
}

fn new_replica_set(deploy: &Value, template: &Value, hash: &str, revision: i64) -> Value {
    let mut template = template.clone();
    meta::ensure_map(&mut template, &["metadata", "labels"]).insert("pod-template-hash".into(), json!(hash));
    let mut labels = at(&template, &["metadata", "labels"]).cloned().unwrap_or(json!({}));
    labels.set_path(&["pod-template-hash"], json!(hash));
    let mut selector = at(deploy, &["spec", "selector"]).cloned().unwrap_or(json!({"matchLabels": {}}));
    meta::ensure_map(&mut selector, &["matchLabels"]).insert("pod-template-hash".into(), json!(hash));
    json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{}-{}", meta::name(deploy), hash),
            "namespace": meta::namespace(deploy),
            "labels": labels,
            "annotations": {REVISION: revision.to_string()},
            "ownerReferences": meta::owner_reference(deploy),
        },
        "spec": {"replicas": 0, "selector": selector, "template": template},
    })
}

/// Resolves maxSurge (rounded up) and maxUnavailable (rounded down) for `replicas`.
fn surge_and_unavailable(deploy: &Value, replicas: i64) -> (i64, i64) {
    let get = |field: &str, round_up: bool| -> i64 {
        match at(deploy, &["spec", "strategy", "rollingUpdate", field]) {
            Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
            Some(Value::String(s)) if s.ends_with('%') => {
                let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(25);
                let scaled = replicas * pct;
                if round_up { (scaled + 99) / 100 } else { scaled / 100 }
            }
            Some(Value::String(s)) => s.parse().unwrap_or(0),
            _ => {
                let scaled = replicas * 25;
                if round_up { (scaled + 99) / 100 } else { scaled / 100 }
            }
        }
    };
    let (surge, unavailable) = (get("maxSurge", true), get("maxUnavailable", false));
    if surge == 0 && unavailable == 0 { (0, 1) } else { (surge, unavailable) }
}

fn progressing_condition(deploy: &Value) -> Option<&Value> {
    at(deploy, &["status", "conditions"])?.as_array()?.iter().find(|c| c.get("type") == Some(&json!("Progressing")))
}

fn write_status(store: &mut Store, key: &ObjectKey, new_rs_name: &str, now: SimTime) -> bool {
    let Some(deploy) = store.get(key) else {
        return false;
    };
    let uid = meta::uid(deploy).to_string();
    let desired = i64_at(deploy, &["spec", "replicas"]).unwrap_or(1);
    let (_, max_unavailable) = surge_and_unavailable(deploy, desired);
    let rss: Vec<&Value> = store.owned_by(&uid).filter(|rs| meta::kind(rs) == "ReplicaSet").collect();
    let sum = |field: &str| -> i64 { rss.iter().map(|rs| i64_at(rs, &["status", field]).unwrap_or(0)).sum() };
    let (replicas, ready, available) = (sum("replicas"), sum("readyReplicas"), sum("availableReplicas"));
    let new_rs = rss.iter().find(|rs| meta::name(rs) == new_rs_name);
    let updated = new_rs.and_then(|rs| i64_at(rs, &["status", "replicas"])).unwrap_or(0);
    let new_observed = new_rs.is_some_and(|rs| i64_at(rs, &["status", "observedGeneration"]) >= i64_at(rs, &["metadata", "generation"]));
    let complete = updated == desired && replicas == desired && available == desired && new_observed;
    let ts = now.rfc3339();

    let old_status = deploy.get("status").cloned().unwrap_or(json!({}));
    let old_conditions: Vec<Value> = old_status.get("conditions").and_then(Value::as_array).cloned().unwrap_or_default();
    let find_old = |t: &str| old_conditions.iter().find(|c| c["type"] == t).cloned();
    let count = |s: &Value, k: &str| s.get(k).and_then(Value::as_i64).unwrap_or(0);
    let made_progress = (count(&old_status, "updatedReplicas"), count(&old_status, "availableReplicas"), count(&old_status, "replicas"))
        != (updated, available, replicas);

    let condition = |t: &str, status: &str, reason: &str, message: String, touch: bool| -> Value {
        let old = find_old(t);
        let same = old.as_ref().is_some_and(|o| o["status"] == status && o["reason"] == reason && o["message"] == message.as_str());
        let transition = match &old {
            Some(o) if o["status"] == status => o["lastTransitionTime"].clone(),
            _ => json!(ts),
        };
        let update = if same && !touch { old.as_ref().map(|o| o["lastUpdateTime"].clone()).unwrap_or(json!(ts)) } else { json!(ts) };
        json!({"type": t, "status": status, "reason": reason, "message": message, "lastTransitionTime": transition, "lastUpdateTime": update})
    };

    let available_cond = if available >= desired - max_unavailable {
        condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.".into(), false)
    } else {
        condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.".into(), false)
    };
    let deadline = i64_at(deploy, &["spec", "progressDeadlineSeconds"]).unwrap_or(600) as u64;
    let old_progress = find_old("Progressing");
    let timed_out = old_progress.as_ref().is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded");
    let progressing_cond = if complete {
        condition(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{new_rs_name}\" has successfully progressed."),
            false,
        )
    } else if timed_out && !made_progress {
        old_progress.clone().expect("checked above")
    } else {
        let last_update = old_progress
            .as_ref()
            .filter(|c| c["reason"] == "ReplicaSetUpdated" && !made_progress)
            .and_then(|c| SimTime::parse_rfc3339(c["lastUpdateTime"].as_str()?));
        match last_update {
            Some(since) if now > since + SimDuration::secs(deadline) => condition(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                format!("ReplicaSet \"{new_rs_name}\" has timed out progressing."),
                true,
            ),
            _ => condition(
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{new_rs_name}\" is progressing."),
                made_progress,
            ),
        }
    };

    let mut status = json!({
        "observedGeneration": i64_at(deploy, &["metadata", "generation"]).unwrap_or(1),
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "conditions": [available_cond, progressing_cond],
    });
    let unavailable = (replicas.max(desired) - available).max(0);
    if unavailable > 0 {
        status.set_path(&["unavailableReplicas"], json!(unavailable));
    }
    for zero_omitted in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"] {
        if status[zero_omitted] == json!(0) {
            status.as_object_mut().expect("status is a map").remove(zero_omitted);
        }
    }
    store.update_status(key, status, now)
}
