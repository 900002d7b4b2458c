//! Nodes going down and coming back, as the node lifecycle controller handles
//! them: a node that stops reporting is NotReady after the 40 s grace period,
//! its pods stop being ready, and after the default 300 s toleration they are
//! evicted (left Terminating, since their kubelet is gone) and replaced on the
//! nodes that are still up.

use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

use super::events::Events;
use crate::kube::Store;
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey};
use crate::time::{SimDuration, SimTime};

/// The node lifecycle controller's grace period before a silent node is NotReady.
pub const GRACE: SimDuration = SimDuration(40_000);
/// The default `node.kubernetes.io/not-ready` toleration before pods are evicted.
pub const EVICTION: SimDuration = SimDuration(300_000);

#[derive(Clone, Debug, Default)]
pub struct NodeHealth {
    /// Nodes whose kubelet stopped, with when it stopped.
    pub down: BTreeMap<String, SimTime>,
    /// Nodes already marked NotReady, and those whose pods were evicted.
    not_ready: BTreeSet<String>,
    evicted: BTreeSet<String>,
}

impl NodeHealth {
    pub fn is_down(&self, node: &str) -> bool {
        self.down.contains_key(node)
    }

    pub fn stop(&mut self, node: &str, now: SimTime) {
        self.down.entry(node.into()).or_insert(now);
    }

    /// Brings a node back: Ready again at once.
    pub fn start(&mut self, node: &str, store: &mut Store, now: SimTime) {
        if self.down.remove(node).is_some() {
            self.not_ready.remove(node);
            self.evicted.remove(node);
            set_ready(store, node, true, now);
        }
    }

    pub fn next_timer(&self) -> Option<SimTime> {
        self.down
            .iter()
            .filter_map(|(n, t)| {
                if !self.not_ready.contains(n) {
                    Some(*t + GRACE)
                } else if !self.evicted.contains(n) {
                    Some(*t + GRACE + EVICTION)
                } else {
                    None
                }
            })
            .min()
    }

    /// Marks silent nodes NotReady and evicts their pods when due; returns whether anything changed.
    pub fn run_due(&mut self, store: &mut Store, events: &mut Events, now: SimTime) -> bool {
        let mut changed = false;
        for (node, since) in self.down.clone() {
            if !self.not_ready.contains(&node) && since + GRACE <= now {
                self.not_ready.insert(node.clone());
                changed |= set_ready(store, &node, false, now);
                for key in pods_on(store, &node) {
                    if let Some(pod) = store.get(&key).cloned() {
                        let mut status = pod["status"].clone();
                        if let Some(cs) = status["containerStatuses"].as_array_mut() {
                            for c in cs {
                                c.set_path(&["ready"], json!(false));
                            }
                        }
                        if let Some(conds) = status["conditions"].as_array_mut() {
                            for c in conds.iter_mut().filter(|c| c["type"] == "Ready" || c["type"] == "ContainersReady") {
                                c.set_path(&["status"], json!("False"));
                                c.set_path(&["lastTransitionTime"], json!(now.rfc3339()));
                            }
                        }
                        changed |= store.update_status(&key, status, now);
                    }
                }
            }
            if !self.evicted.contains(&node) && since + GRACE + EVICTION <= now {
                self.evicted.insert(node.clone());
                for key in pods_on(store, &node) {
                    if let Some(pod) = store.get(&key).cloned() {
                        events.record(
                            &pod,
                            false,
                            "TaintManagerEviction",
                            format!("Marking for deletion Pod {}/{}", key.namespace, key.name),
                            "taint-eviction-controller",
                            now,
                        );
                    }
                    changed |= store.delete(&key, now).is_ok();
                }
            }
        }
        changed
    }
}

fn pods_on(store: &Store, node: &str) -> Vec<ObjectKey> {
    store
        .list("", "Pod", None)
        .filter(|p| meta::str_at(p, &["spec", "nodeName"]) == Some(node) && !meta::is_terminating(p))
        .filter_map(ObjectKey::of)
        .collect()
}

fn set_ready(store: &mut Store, node: &str, ready: bool, now: SimTime) -> bool {
    let key = ObjectKey::new("", "Node", "", node);
    let status = json!({"conditions": [{
        "type": "Ready",
        "status": if ready { "True" } else { "Unknown" },
        "reason": if ready { "KubeletReady" } else { "NodeStatusUnknown" },
        "message": if ready { "kubelet is posting ready status" } else { "Kubelet stopped posting node status." },
        "lastTransitionTime": now.rfc3339(),
    }]});
    store.update_status(&key, status, now)
}
