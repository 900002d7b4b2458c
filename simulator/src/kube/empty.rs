//! An empty cluster: nodes, the system namespaces, the controllers and the
//! kubelet, and no lab, no repository and no application. `gitops-lab
//! cluster` serves it as a Kubernetes API ("kind without Docker").

use serde_json::json;

use crate::argo::{Agent, AgentConfig};
use crate::controllers::{Cluster, ImageCatalog};
use crate::git::{Git, Signature};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use crate::world::{Shell, World};

/// The nodes of an empty cluster.
pub const NODES: [&str; 3] = ["gitops-lab-control-plane", "gitops-lab-worker", "gitops-lab-worker2"];

/// A world holding only an empty cluster, created a minute before `start`.
pub fn empty_cluster(seed: u64, start: SimTime) -> World {
    let mut rng = SimRng::new(seed);
    let created = SimTime(start.0.saturating_sub(SimDuration::mins(1).0));
    let nodes: Vec<String> = NODES.iter().map(|n| n.to_string()).collect();
    let mut cluster = Cluster::new(ImageCatalog::default(), nodes.clone());
    for node in &nodes {
        let obj = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}}});
        cluster.store.create(obj, created, &mut rng).expect("a fresh store takes nodes");
    }
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}});
        cluster.store.create(obj, created, &mut rng).expect("a fresh store takes namespaces");
    }
    cluster.store.drain_events();
    let user = Signature { name: "trainee".into(), email: "trainee@gitops-lab.local".into(), time: start };
    let shell = Shell {
        cwd: "/home/trainee".into(),
        home: "/home/trainee".into(),
        user,
        kube_namespace: "default".into(),
        argocd_user: "admin".into(),
        argocd_login_at: start,
    };
    let agent = Agent::new(AgentConfig::default());
    let mut world = World::from_parts(created, rng, cluster, Git::default(), agent, shell);
    world.advance_to(start);
    world
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_cluster_has_nodes_and_system_namespaces_only() {
        let world = empty_cluster(1, SimTime(1_800_000_000_000));
        let store = &world.cluster().store;
        assert_eq!(store.list("", "Node", None).count(), 3);
        assert_eq!(store.list("", "Namespace", None).count(), 4);
        assert_eq!(store.list("apps", "Deployment", None).count(), 0);
        assert_eq!(world.now(), SimTime(1_800_000_000_000));
    }
}
