//! The simulated control plane and nodes: the controllers that turn a
//! Deployment into ReplicaSets and Pods, and a kubelet that starts them.
//!
//! Controllers follow kube-runtime's contract: each pass reads the store,
//! writes what differs from what it wants, and is safe to run again.

mod deployment;
pub mod events;
pub mod images;
mod job;
mod kubelet;
pub mod nodes;
mod replicaset;
mod sleep_command;

use std::collections::{BTreeMap, BTreeSet};

use crate::kube::{ObjectKey, Store};
use crate::rng::SimRng;
use crate::time::SimTime;
pub use images::{ImageBehaviour, ImageCatalog};
use kubelet::Kubelet;

/// The most controller passes one settle may take; a world that needs more is stuck.
pub const MAX_SETTLE_PASSES: usize = 64;

/// A cluster: its API server's store, its controllers and its nodes.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub store: Store,
    pub images: ImageCatalog,
    pub nodes: Vec<String>,
    kubelet: Kubelet,
    /// The Kubernetes Events the controllers and the kubelet recorded.
    pub events: events::Events,
    /// Nodes that went down (an incident), and what the node lifecycle controller did about it.
    pub node_health: nodes::NodeHealth,
    /// When each Deployment's rollout passes its progress deadline.
    deadlines: BTreeMap<ObjectKey, SimTime>,
}

/// The objects one controller pass looks at, by kind.
#[derive(Default)]
struct WorkQueue {
    deployments: BTreeSet<ObjectKey>,
    replica_sets: BTreeSet<ObjectKey>,
    jobs: BTreeSet<ObjectKey>,
    pods: BTreeSet<ObjectKey>,
}

impl WorkQueue {
    fn add(&mut self, key: ObjectKey) {
        match (key.group.as_str(), key.kind.as_str()) {
            ("apps", "Deployment") => self.deployments.insert(key),
            ("apps", "ReplicaSet") => self.replica_sets.insert(key),
            ("batch", "Job") => self.jobs.insert(key),
            ("", "Pod") => self.pods.insert(key),
            _ => false,
        };
    }
}

impl Cluster {
    pub fn new(images: ImageCatalog, nodes: Vec<String>) -> Self {
        Cluster {
            store: Store::new(),
            images,
            nodes,
            kubelet: Kubelet::default(),
            events: Default::default(),
            node_health: Default::default(),
            deadlines: BTreeMap::new(),
        }
    }

    /// Runs controllers and the kubelet until nothing more changes at `now`.
    /// Like real controllers, each pass looks only at the objects that changed
    /// (and their owners), plus the rollouts whose deadline has come.
    /// Returns the number of passes taken.
    pub fn settle(&mut self, now: SimTime, rng: &mut SimRng) -> usize {
        for pass in 1..=MAX_SETTLE_PASSES {
            let (keys, owners) = self.store.take_touched();
            let mut work = WorkQueue::default();
            for key in keys {
                work.add(key);
            }
            for uid in owners {
                if let Some(key) = self.store.get_by_uid(&uid).and_then(ObjectKey::of) {
                    work.add(key);
                }
            }
            for (key, _) in self.deadlines.iter().filter(|(_, t)| **t <= now) {
                work.deployments.insert(key.clone());
            }
            let mut changed = self.node_health.run_due(&mut self.store, &mut self.events, now);
            changed |= self.kubelet.run_due(&mut self.store, &self.images, &work.pods, now, rng, &mut self.events, &self.node_health);
            let schedulable: Vec<String> = self.nodes.iter().filter(|n| !self.node_health.is_down(n)).cloned().collect();
            for key in &work.deployments {
                changed |= deployment::reconcile(&mut self.store, key, now, rng, &mut self.events);
                match self.store.get(key).and_then(deployment::deadline) {
                    Some(t) => self.deadlines.insert(key.clone(), t),
                    None => self.deadlines.remove(key),
                };
            }
            for key in &work.replica_sets {
                changed |= replicaset::reconcile(&mut self.store, key, &schedulable, now, rng, &mut self.events);
            }
            for key in &work.jobs {
                changed |= job::reconcile(&mut self.store, key, &schedulable, now, rng);
            }
            changed |= self.store.collect_garbage(now);
            if !changed && !self.store.has_touched() {
                return pass;
            }
        }
        MAX_SETTLE_PASSES
    }

    /// When the cluster next changes by itself (a pod starts, becomes ready,
    /// crashes or finishes terminating; a rollout's deadline passes).
    pub fn next_timer(&self) -> Option<SimTime> {
        let kubelet = self.kubelet.next_due();
        let deadlines = self.deadlines.values().min().copied();
        [kubelet, deadlines, self.node_health.next_timer()].into_iter().flatten().min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::{ObjectKey, meta};
    use crate::time::SimDuration;
    use serde_json::json;

    pub(crate) fn cluster_with_web(replicas: i64, image: &str) -> (Cluster, SimRng, SimTime) {
        let mut cluster = Cluster::new(ImageCatalog::default(), vec!["node-a".into(), "node-b".into()]);
        let mut rng = SimRng::new(3);
        let t = SimTime(1_000_000);
        cluster.store.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}), t, &mut rng).unwrap();
        cluster.store.create(web(replicas, image), t, &mut rng).unwrap();
        (cluster, rng, t)
    }

    pub(crate) fn web(replicas: i64, image: &str) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
               "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": image}]}}}})
    }

    /// Drives the cluster until it has no timers left before `limit`.
    pub(crate) fn run_until(cluster: &mut Cluster, rng: &mut SimRng, mut now: SimTime, limit: SimTime) -> SimTime {
        cluster.settle(now, rng);
        for _ in 0..10_000 {
            match cluster.next_timer() {
                Some(t) if t <= limit => {
                    now = t.max(now);
                    cluster.settle(now, rng);
                }
                _ => return limit,
            }
        }
        panic!("cluster did not go idle");
    }

    fn ready_pods(cluster: &Cluster) -> usize {
        cluster
            .store
            .list("", "Pod", Some("prod"))
            .filter(|p| !meta::is_terminating(p))
            .filter(|p| {
                p["status"]["conditions"].as_array().is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
            })
            .count()
    }

    #[test]
    fn deployment_brings_up_ready_pods() {
        let (mut cluster, mut rng, t) = cluster_with_web(3, "nginx:1.27");
        let t = run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(60));
        assert_eq!(ready_pods(&cluster), 3);
        let d = cluster.store.get(&ObjectKey::new("apps", "Deployment", "prod", "web")).unwrap();
        assert_eq!(d["status"]["readyReplicas"], 3);
        assert_eq!(d["status"]["observedGeneration"], 1);
        assert!(t > SimTime(0));
    }

    #[test]
    fn scaling_down_terminates_extra_pods() {
        let (mut cluster, mut rng, t) = cluster_with_web(5, "nginx:1.27");
        let t = run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(60));
        cluster.store.update(web(3, "nginx:1.27"), t, &mut rng).unwrap();
        run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(60));
        assert_eq!(cluster.store.list("", "Pod", Some("prod")).count(), 3);
        assert_eq!(ready_pods(&cluster), 3);
    }

    #[test]
    fn job_runs_a_pod_to_completion() {
        let (mut cluster, mut rng, t) = cluster_with_web(0, "nginx:1.27");
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "prod"},
                         "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "migrate:1"}]}}}});
        cluster.store.create(job, t, &mut rng).unwrap();
        run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(60));
        let job = cluster.store.get(&ObjectKey::new("batch", "Job", "prod", "migrate")).unwrap();
        assert_eq!(crate::argo::health::health(job).unwrap().status, crate::argo::health::Health::Healthy, "{job}");
        let pod = cluster.store.list("", "Pod", Some("prod")).next().unwrap();
        assert_eq!(pod["status"]["phase"], "Succeeded");
    }

    #[test]
    fn failing_job_stops_at_its_backoff_limit() {
        let (mut cluster, mut rng, t) = cluster_with_web(0, "nginx:1.27");
        cluster.images.images.insert("broken:1".into(), ImageBehaviour::Completes { run_seconds: 2, exit_code: 1 });
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "prod"},
                         "spec": {"backoffLimit": 1, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "m", "image": "broken:1"}]}}}});
        cluster.store.create(job, t, &mut rng).unwrap();
        run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(120));
        let job = cluster.store.get(&ObjectKey::new("batch", "Job", "prod", "migrate")).unwrap();
        let h = crate::argo::health::health(job).unwrap();
        assert_eq!((h.status, h.message.as_str()), (crate::argo::health::Health::Degraded, "Job has reached the specified backoff limit"));
        assert_eq!(cluster.store.list("", "Pod", Some("prod")).count(), 2);
    }

    #[test]
    fn rolling_update_replaces_every_pod() {
        let (mut cluster, mut rng, t) = cluster_with_web(4, "nginx:1.27");
        let t = run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(60));
        cluster.store.update(web(4, "nginx:1.28"), t, &mut rng).unwrap();
        run_until(&mut cluster, &mut rng, t, t + SimDuration::secs(300));
        let images: Vec<String> = cluster
            .store
            .list("", "Pod", Some("prod"))
            .map(|p| p["spec"]["containers"][0]["image"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(images, vec!["nginx:1.28"; 4]);
        assert_eq!(cluster.store.list("apps", "ReplicaSet", Some("prod")).count(), 2);
        let d = cluster.store.get(&ObjectKey::new("apps", "Deployment", "prod", "web")).unwrap();
        assert_eq!(d["status"]["updatedReplicas"], 4);
        assert_eq!(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
    }
}
