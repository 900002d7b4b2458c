//! The kubelet: pulls images, starts containers, reports readiness, restarts
//! crashing containers with back-off, and finishes graceful termination.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

use super::images::{ImageBehaviour, ImageCatalog};
use crate::kube::Store;
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The first crash-loop back-off; it doubles per restart up to five minutes.
const BACKOFF_BASE_SECS: u64 = 10;
const BACKOFF_CAP_SECS: u64 = 300;

/// Where one pod's containers are in their life.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    Creating,
    Running {
        started: SimTime,
    },
    Crashed {
        restarts: u64,
    },
    PullFailed {
        attempts: u64,
    },
    /// The container ran to completion (restartPolicy Never or OnFailure).
    Exited {
        code: i64,
    },
    Terminating,
}

#[derive(Clone, Debug)]
struct PodRuntime {
    stage: Stage,
    due: SimTime,
}

/// The state all nodes' kubelets share: one runtime per pod, and the images each node has pulled.
#[derive(Clone, Debug, Default)]
pub struct Kubelet {
    pods: BTreeMap<ObjectKey, PodRuntime>,
    /// Every pod's next transition, soonest first, so a pass looks only at the pods due.
    timers: BTreeSet<(SimTime, ObjectKey)>,
    pulled: BTreeSet<(String, String)>,
}

impl Kubelet {
    pub fn next_due(&self) -> Option<SimTime> {
        self.timers.first().map(|(t, _)| *t)
    }

    fn set(&mut self, key: ObjectKey, rt: PodRuntime) {
        self.timers.insert((rt.due, key.clone()));
        if let Some(old) = self.pods.insert(key.clone(), rt) {
            if self.pods.get(&key).is_none_or(|new| new.due != old.due) {
                self.timers.remove(&(old.due, key));
            }
        }
    }

    fn unset(&mut self, key: &ObjectKey) {
        if let Some(old) = self.pods.remove(key) {
            self.timers.remove(&(old.due, key.clone()));
        }
    }

    /// Admits the pods in `touched` that are new, starts terminating the ones
    /// being deleted, and runs every transition due by `now`.
    pub fn run_due(
        &mut self,
        store: &mut Store,
        images: &ImageCatalog,
        touched: &BTreeSet<ObjectKey>,
        now: SimTime,
        rng: &mut SimRng,
        events: &mut super::events::Events,
        nodes: &super::nodes::NodeHealth,
    ) -> bool {
        let mut changed = false;
        let on_down_node = |pod: &Value| meta::str_at(pod, &["spec", "nodeName"]).is_some_and(|n| nodes.is_down(n));
        for key in touched {
            let Some(pod) = store.get(key).cloned() else {
                self.unset(key);
                continue;
            };
            // A node whose kubelet is down does nothing for its pods, not even terminate them.
            if on_down_node(&pod) {
                continue;
            }
            let terminating = meta::is_terminating(&pod);
            match self.pods.get(key) {
                None if !terminating => {
                    let node = meta::str_at(&pod, &["spec", "nodeName"]).unwrap_or("").to_string();
                    let image = first_image(&pod);
                    let cached = self.pulled.contains(&(node.clone(), image.clone()));
                    let pull = if cached { 0 } else { rng.between(800, 2500) };
                    let policy = meta::str_at(&pod, &["spec", "restartPolicy"]).unwrap_or("Always").to_string();
                    let start = match images.behaviour_for_pod(&pod, &image, &policy) {
                        ImageBehaviour::Good { start_seconds } => start_seconds * 1000,
                        _ => 500,
                    };
                    let due = now + SimDuration::millis(pull + start);
                    events.record(
                        &pod,
                        false,
                        "Scheduled",
                        format!("Successfully assigned {}/{} to {node}", key.namespace, key.name),
                        "default-scheduler",
                        now,
                    );
                    if !cached {
                        events.record(&pod, false, "Pulling", format!("Pulling image \"{image}\""), "kubelet", now);
                    }
                    self.set(key.clone(), PodRuntime { stage: Stage::Creating, due });
                    changed |= write_status(store, key, &pod, &Stage::Creating, now, rng);
                }
                Some(rt) if terminating && rt.stage != Stage::Terminating => {
                    let container = pod["spec"]["containers"][0]["name"].as_str().unwrap_or_default().to_string();
                    events.record(&pod, false, "Killing", format!("Stopping container {container}"), "kubelet", now);
                    let grace = meta::i64_at(&pod, &["metadata", "deletionGracePeriodSeconds"]).unwrap_or(30).max(0) as u64;
                    let exit = SimDuration::millis(rng.between(500, 2500).min(grace * 1000));
                    self.set(key.clone(), PodRuntime { stage: Stage::Terminating, due: now + exit });
                }
                None => {
                    self.set(key.clone(), PodRuntime { stage: Stage::Terminating, due: now + SimDuration::secs(1) });
                }
                _ => {}
            }
        }
        // In key order, as a pass over every pod would take them.
        let due: BTreeSet<ObjectKey> = self.timers.iter().take_while(|(t, _)| *t <= now).map(|(_, k)| k.clone()).collect();
        for key in due {
            let Some(rt) = self.pods.get(&key).cloned() else {
                continue;
            };
            let Some(pod) = store.get(&key).cloned() else {
                continue;
            };
            if on_down_node(&pod) {
                // Frozen: nothing happens to it until the node is back (or it is evicted).
                self.set(key, PodRuntime { stage: rt.stage, due: SimTime(u64::MAX) });
                continue;
            }
            if rt.stage == Stage::Terminating {
                store.remove(&key, now);
                self.unset(&key);
                changed = true;
                continue;
            }
            let image = first_image(&pod);
            if rt.stage == Stage::Creating {
                let node = meta::str_at(&pod, &["spec", "nodeName"]).unwrap_or("").to_string();
                self.pulled.insert((node, image.clone()));
            }
            let policy = meta::str_at(&pod, &["spec", "restartPolicy"]).unwrap_or("Always").to_string();
            let (stage, after) = next_stage(&rt.stage, &images.behaviour_for_pod(&pod, &image, &policy), restart_count(&pod), now);
            record_transition(events, &pod, &rt, &stage, &image, now);
            changed |= write_status(store, &key, &pod, &stage, now, rng);
            let due = after.map_or(SimTime(u64::MAX), |d| now + d);
            self.set(key, PodRuntime { stage, due });
        }
        changed
    }
}

/// The stage a pod's containers move to when their current stage's timer fires,
/// and how long until the next timer.
fn next_stage(stage: &Stage, behaviour: &ImageBehaviour, restarts: u64, now: SimTime) -> (Stage, Option<SimDuration>) {
    match (stage, behaviour) {
        (Stage::Creating, ImageBehaviour::PullError) => (Stage::PullFailed { attempts: 1 }, Some(backoff(1))),
        (Stage::PullFailed { attempts }, _) => (Stage::PullFailed { attempts: attempts + 1 }, Some(backoff(attempts + 1))),
        (Stage::Creating | Stage::Crashed { .. }, ImageBehaviour::Crash { run_seconds, .. }) => {
            (Stage::Running { started: now }, Some(SimDuration::secs(*run_seconds)))
        }
        (Stage::Running { .. }, ImageBehaviour::Crash { .. }) => (Stage::Crashed { restarts: restarts + 1 }, Some(backoff(restarts + 1))),
        (Stage::Creating, ImageBehaviour::Completes { run_seconds, .. }) => {
            (Stage::Running { started: now }, Some(SimDuration::secs(*run_seconds)))
        }
        (Stage::Running { .. }, ImageBehaviour::Completes { exit_code, .. }) => (Stage::Exited { code: *exit_code }, None),
        (Stage::Creating, _) => (Stage::Running { started: now }, None),
        (other, _) => (other.clone(), None),
    }
}

/// The events the kubelet reports as a pod's container moves to `stage`.
fn record_transition(events: &mut super::events::Events, pod: &Value, rt: &PodRuntime, stage: &Stage, image: &str, now: SimTime) {
    let container = pod["spec"]["containers"][0]["name"].as_str().unwrap_or_default();
    let pod_ref = format!("{}_{}({})", meta::name(pod), meta::namespace(pod), meta::uid(pod));
    match (&rt.stage, stage) {
        (Stage::Creating, Stage::PullFailed { .. }) | (Stage::PullFailed { .. }, Stage::PullFailed { .. }) => {
            events.record(pod, true, "Failed", format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found"), "kubelet", now);
            events.record(pod, true, "Failed", "Error: ErrImagePull".into(), "kubelet", now);
            events.record(pod, false, "BackOff", format!("Back-off pulling image \"{image}\""), "kubelet", now);
            events.record(pod, true, "Failed", "Error: ImagePullBackOff".into(), "kubelet", now);
        }
        (Stage::Creating | Stage::Crashed { .. }, Stage::Running { .. }) => {
            if rt.stage == Stage::Creating {
                let pull = now.since(pod_created(pod).unwrap_or(now)).0;
                let took = format!("{}.{:03}s", pull / 1000, pull % 1000);
                events.record(
                    pod,
                    false,
                    "Pulled",
                    format!("Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: 52435622 bytes."),
                    "kubelet",
                    now,
                );
            } else {
                events.record(pod, false, "Pulled", format!("Container image \"{image}\" already present on machine"), "kubelet", now);
            }
            events.record(pod, false, "Created", format!("Created container: {container}"), "kubelet", now);
            events.record(pod, false, "Started", format!("Started container {container}"), "kubelet", now);
        }
        (_, Stage::Crashed { .. }) => {
            events.record(
                pod,
                true,
                "BackOff",
                format!("Back-off restarting failed container {container} in pod {pod_ref}"),
                "kubelet",
                now,
            );
        }
        _ => {}
    }
}

fn pod_created(pod: &Value) -> Option<SimTime> {
    meta::str_at(pod, &["metadata", "creationTimestamp"]).and_then(SimTime::parse_rfc3339)
}

fn backoff(restarts: u64) -> SimDuration {
    let secs = BACKOFF_BASE_SECS.saturating_mul(1 << restarts.saturating_sub(1).min(10)).min(BACKOFF_CAP_SECS);
    SimDuration::secs(secs)
}

fn first_image(pod: &Value) -> String {
    pod["spec"]["containers"][0]["image"].as_str().unwrap_or("").to_string()
}

fn restart_count(pod: &Value) -> u64 {
    pod["status"]["containerStatuses"][0]["restartCount"].as_u64().unwrap_or(0)
}

fn write_status(store: &mut Store, key: &ObjectKey, pod: &Value, stage: &Stage, now: SimTime, rng: &mut SimRng) -> bool {
    let old = pod.get("status").cloned().unwrap_or(json!({}));
    let ts = now.rfc3339();
    let start_time = old.get("startTime").cloned().unwrap_or(json!(ts));
    let pod_ip = old.get("podIP").cloned().unwrap_or_else(|| json!(format!("10.244.{}.{}", rng.between(0, 3), rng.between(2, 254))));
    let host_ip = old.get("hostIP").cloned().unwrap_or_else(|| json!(format!("10.224.0.{}", rng.between(4, 6))));
    let restarts = match stage {
        Stage::Crashed { restarts } => *restarts,
        _ => restart_count(pod),
    };
    let containers = pod["spec"]["containers"].as_array().cloned().unwrap_or_default();
    let ready = matches!(stage, Stage::Running { .. }) && !matches!(stage, Stage::Crashed { .. });
    let crash_running = matches!(stage, Stage::Running { .. }) && restarts > 0;
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap_or("");
            let image = c["image"].as_str().unwrap_or("");
            let mut s = json!({"name": name, "image": image, "imageID": "", "ready": ready, "restartCount": restarts, "started": ready});
            let state = match stage {
                Stage::Creating => json!({"waiting": {"reason": "ContainerCreating"}}),
                Stage::Running { started } => {
                    s.set_path(&["imageID"], json!(format!("{image}@sha256:{}", image_digest(image))));
                    json!({"running": {"startedAt": started.rfc3339()}})
                }
                Stage::Crashed { restarts } => json!({"waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": format!("Back-off {} restarting failed container={} pod={}_{}({})", crate::time::go_duration(backoff(*restarts)), name, key.name, key.namespace, meta::uid(pod)),
                }}),
                Stage::PullFailed { attempts } => {
                    let reason = if attempts % 2 == 1 { "ErrImagePull" } else { "ImagePullBackOff" };
                    let message = if reason == "ErrImagePull" {
                        format!("rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found")
                    } else {
                        format!("Back-off pulling image \"{image}\"")
                    };
                    json!({"waiting": {"reason": reason, "message": message}})
                }
                Stage::Exited { code } => json!({"terminated": {
                    "exitCode": code,
                    "reason": if *code == 0 { "Completed" } else { "Error" },
                    "startedAt": old["containerStatuses"][0]["state"]["running"]["startedAt"].clone(),
                    "finishedAt": ts,
                }}),
                Stage::Terminating => old["containerStatuses"][0]["state"].clone(),
            };
            s.set_path(&["state"], state);
            if matches!(stage, Stage::Crashed { .. }) || crash_running {
                s.set_path(&["lastState"], json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ts, "finishedAt": ts}}));
            }
            s
        })
        .collect();
    let cond = |t: &str, ok: bool| {
        let prev = old["conditions"].as_array().and_then(|cs| cs.iter().find(|c| c["type"] == t).cloned());
        let since = match prev {
            Some(p) if p["status"] == if ok { "True" } else { "False" } => p["lastTransitionTime"].clone(),
            _ => json!(ts),
        };
        json!({"type": t, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": since})
    };
    let phase = match stage {
        Stage::Creating | Stage::PullFailed { .. } => "Pending",
        Stage::Exited { code: 0 } => "Succeeded",
        Stage::Exited { .. } => "Failed",
        _ => "Running",
    };
    let status = json!({
        "phase": phase,
        "conditions": [cond("PodReadyToStartContainers", !matches!(stage, Stage::Creating)), cond("Initialized", true), cond("Ready", ready), cond("ContainersReady", ready), cond("PodScheduled", true)],
        "hostIP": host_ip,
        "podIP": pod_ip,
        "startTime": start_time,
        "containerStatuses": statuses,
        "qosClass": "BestEffort",
    });
    store.update_status(key, status, now)
}

/// A stable fake digest for an image reference.
fn image_digest(image: &str) -> String {
    let h = sha1_smol::Sha1::from(image.as_bytes()).digest().to_string();
    format!("{h}{}", &h[..24])
}
