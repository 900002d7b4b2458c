//! The model: the simulated world as state and rules only. It holds the
//! cluster (store and controllers), Git, the agents (Argo CD, Flux, the push
//! pipeline, Image Updater), the container registry and the clock, and lets
//! them react to each other. It knows nothing of labs, terminals or hosts: a
//! session (`crate::session`) drives it, and hosts drive the session.
//!
//! A model is built complete by `Model::bootstrap` from a `Bootstrap`, the
//! plain description of a starting world (a lab translates its `world:`
//! section into one).

use crate::argo::image_updater::ImageUpdater;
use crate::argo::rbac::{Enforcer, RbacConfig};
use crate::argo::{Agent, AgentConfig, SyncRequest};
use crate::controllers::{Cluster, ImageCatalog};
use crate::events::{Event, EventKind};
use crate::flux::Flux;
use crate::git::{Git, Signature, Snapshot};
use crate::kube::ApiError;
use crate::pipeline::{Pipeline, PipelineSpec};
use crate::registry::Registry;
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The most settle rounds between cluster and agents at one instant.
const MAX_ROUNDS_PER_INSTANT: usize = 32;
/// The most timer firings one `advance_to` may process; a model needing more is stuck.
pub const MAX_STEPS_PER_ADVANCE: usize = 1_000_000;

/// The nodes of an empty cluster (`Model::empty_cluster`).
pub const EMPTY_CLUSTER_NODES: [&str; 3] = ["gitops-lab-control-plane", "gitops-lab-worker", "gitops-lab-worker2"];

/// One commit of a starting repository: its author (with the commit's time), message and files.
pub type CommitParts = (Signature, String, Snapshot);

/// Everything a starting world is made of, as plain data.
#[derive(Clone, Debug, Default)]
pub struct Bootstrap {
    pub repo_url: String,
    /// Where the trainee's clone lives.
    pub repo_dir: String,
    /// The main branch's history, oldest first.
    pub history: Vec<CommitParts>,
    /// Other branches, each growing from the last commit of `history`.
    pub branches: Vec<(String, Vec<CommitParts>)>,
    /// Branches the Git server takes changes to only through an approved pull request.
    pub protected_branches: Vec<String>,
    pub images: ImageCatalog,
    /// Namespaces beyond `default`, `kube-system`, `argocd` (and `flux-system` when there are Flux objects).
    pub namespaces: Vec<String>,
    /// Paths in the repository of Application manifests installed into the cluster.
    pub applications: Vec<String>,
    /// Paths in the repository of Flux objects installed into `flux-system`.
    pub flux: Vec<String>,
    pub agent: AgentConfig,
    pub rbac: RbacConfig,
    pub registry: Registry,
    /// Run Argo CD Image Updater beside the agent.
    pub image_updater: bool,
    /// A push pipeline that deploys on every push.
    pub pipeline: Option<PipelineSpec>,
    /// When the cluster was installed and the apps first synced.
    pub installed: SimTime,
    /// When the world starts (nothing happens between install and start).
    pub start: SimTime,
}

/// A push to a remote branch: what the other world of a comparison lab must hear of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    pub repo: String,
    pub branch: String,
    pub new: String,
}

/// The simulated world: state and the rules that move it.
#[derive(Clone, Debug)]
pub struct Model {
    now: SimTime,
    rng: SimRng,
    cluster: Cluster,
    git: Git,
    agent: Agent,
    rbac: Enforcer,
    rbac_users: Vec<String>,
    pipeline: Option<Pipeline>,
    registry: Registry,
    image_updater: Option<ImageUpdater>,
    flux: Flux,
    journal: Vec<Event>,
    /// Pushes made by the model's own agents (Image Updater's write-back), not yet taken.
    pushes: Vec<Push>,
    /// How often a loop hit its bound: a stuck world, which tests treat as a failure.
    stuck_loops: usize,
}

impl Model {
    /// Builds a starting world: its Git history, a cluster with the apps installed and
    /// synced, then the clock moved to the start. The journal starts empty.
    pub fn bootstrap(seed: u64, spec: &Bootstrap) -> Result<Model, String> {
        let mut rng = SimRng::new(seed);
        let last_commit = spec.history.last().map(|h| h.0.time).ok_or("the lab has no history")?;
        let first_commit = spec.history.first().map(|h| h.0.time).unwrap_or(last_commit);
        let (installed, start) = (spec.installed, spec.start);
        if start < installed {
            return Err(format!("the lab starts ({start}) before its cluster is installed ({installed})"));
        }

        let mut git = Git::default();
        let main_tip = git.init_with_history(&spec.repo_url, &spec.repo_dir, &spec.history).ok_or("the lab has no history")?;
        for (branch, commits) in &spec.branches {
            git.add_remote_branch(&spec.repo_url, branch, &main_tip, commits);
        }
        if let Some(remote) = git.remotes.get_mut(&spec.repo_url) {
            remote.protected = spec.protected_branches.iter().cloned().collect();
        }
        let nodes: Vec<String> = (0..3).map(|i| format!("aks-userpool-31415926-vmss00000{i}")).collect();
        let mut cluster = Cluster::new(spec.images.clone(), nodes.clone());
        let cluster_created = first_commit - SimDuration::mins(60 * 24);
        for node in &nodes {
            let obj = serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node, "agentpool": "userpool"}}});
            cluster.store.create(obj, cluster_created, &mut rng).map_err(|e| e.to_string())?;
        }
        let mut namespaces = vec!["default".to_string(), "kube-system".into(), "argocd".into()];
        if !spec.flux.is_empty() {
            namespaces.push(crate::flux::FLUX_NAMESPACE.into());
        }
        namespaces.extend(spec.namespaces.iter().cloned());
        for ns in namespaces {
            let obj = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}});
            let _ = cluster.store.create(obj, cluster_created, &mut rng);
        }
        cluster.store.drain_events();

        let mut model = Model {
            now: installed,
            rng,
            cluster,
            git,
            agent: Agent::new(spec.agent.clone()),
            rbac: Enforcer::new(&spec.rbac)?,
            rbac_users: spec.rbac.users.clone(),
            pipeline: None,
            registry: spec.registry.clone(),
            image_updater: None,
            flux: Flux::default(),
            journal: Vec::new(),
            pushes: Vec::new(),
            stuck_loops: 0,
        };

        // Install the Applications, as a bootstrap would, and sync the ones without automation.
        let tip = model.git.clones[0].worktree.clone();
        for path in spec.applications.iter().chain(&spec.flux) {
            let text = tip.get(path).ok_or_else(|| format!("{path} is not in the repository"))?;
            let docs = crate::yaml::parse_documents(text, path).map_err(|e| e.to_string())?;
            for doc in docs {
                let merged = crate::kube::apply::merge(None, &doc);
                model.create_object(merged).map_err(|e| format!("{path}: {e}"))?;
            }
        }
        model.settle();
        let manual: Vec<String> = model.agent.apps().filter(|a| a.spec.automated.is_none()).map(|a| a.spec.name.clone()).collect();
        for name in manual {
            let target = model.agent.app(&name).map(|a| a.spec.target_revision.clone()).unwrap_or_default();
            let req = SyncRequest {
                revision: target,
                prune: false,
                dry_run: false,
                resources: None,
                initiated_by: "admin".into(),
                automated: false,
                self_heal_attempts: 0,
                retry: crate::argo::app::RetryPolicy::NONE,
            };
            model.start_sync(&name, req)?;
            model.settle();
        }
        if let Some(pipeline_spec) = &spec.pipeline {
            let mut pipeline = Pipeline::new(pipeline_spec.clone(), &spec.repo_url, &mut model.rng);
            let head = model.git.resolve_remote(&spec.repo_url, &pipeline_spec.branch).ok_or("the pipeline's branch does not exist")?;
            let Model { cluster, git, rng, now, .. } = &mut model;
            pipeline.deploy_now(&head, cluster, git, *now, rng).map_err(|e| format!("world.pipeline: {e}"))?;
            model.pipeline = Some(pipeline);
            model.settle();
        }
        model.advance_to(installed + SimDuration::mins(10));
        // Nothing changes between install and the start, so jump there.
        if start > model.now {
            model.now = start;
            let Model { agent, rng, now, flux, .. } = &mut model;
            agent.reschedule_polls(*now, rng);
            flux.reschedule(*now);
        }
        // Image Updater starts with the world, its first run two minutes later.
        model.image_updater = spec.image_updater.then(|| ImageUpdater::start(start));
        // The bootstrap is not part of the world's story.
        model.journal.clear();
        model.pushes.clear();
        Ok(model)
    }

    /// A model holding only an empty cluster (nodes, the system namespaces, the controllers;
    /// no repository and no application), created a minute before `start`.
    pub fn empty_cluster(seed: u64, start: SimTime) -> Model {
        let mut rng = SimRng::new(seed);
        let created = start - SimDuration::mins(1);
        let nodes: Vec<String> = EMPTY_CLUSTER_NODES.iter().map(|n| n.to_string()).collect();
        let mut cluster = Cluster::new(ImageCatalog::default(), nodes.clone());
        for node in &nodes {
            let obj = serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}}});
            cluster.store.create(obj, created, &mut rng).expect("a fresh store takes nodes");
        }
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let obj = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}});
            cluster.store.create(obj, created, &mut rng).expect("a fresh store takes namespaces");
        }
        cluster.store.drain_events();
        Model {
            now: created,
            rng,
            cluster,
            git: Git::default(),
            agent: Agent::new(AgentConfig::default()),
            rbac: Enforcer::new(&RbacConfig::default()).expect("the default RBAC policy is valid"),
            rbac_users: Vec::new(),
            pipeline: None,
            registry: Registry::default(),
            image_updater: None,
            flux: Flux::default(),
            journal: Vec::new(),
            pushes: Vec::new(),
            stuck_loops: 0,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    pub fn git(&self) -> &Git {
        &self.git
    }

    pub fn git_mut(&mut self) -> &mut Git {
        &mut self.git
    }

    /// Replaces the repositories with another world's (the push twin shares the pull world's).
    pub fn share_git(&mut self, git: &Git) {
        self.git = git.clone();
    }

    pub fn agent(&self) -> &Agent {
        &self.agent
    }

    pub fn agent_mut(&mut self) -> &mut Agent {
        &mut self.agent
    }

    /// Argo CD's RBAC enforcer, and its local users.
    pub fn rbac(&self) -> &Enforcer {
        &self.rbac
    }

    pub fn rbac_users(&self) -> &[String] {
        &self.rbac_users
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    pub fn flux(&self) -> &Flux {
        &self.flux
    }

    /// The push pipeline, in a world deployed by one.
    pub fn pipeline(&self) -> Option<&Pipeline> {
        self.pipeline.as_ref()
    }

    pub fn pipeline_mut(&mut self) -> Option<&mut Pipeline> {
        self.pipeline.as_mut()
    }

    /// An Application's columns for kubectl's table (`None` when the agent has no such app).
    pub fn app_columns(&self, name: &str) -> Option<crate::kube::printers::AppStatus> {
        self.agent.app(name).map(|a| crate::kube::printers::AppStatus {
            sync: a.status.sync_status.to_string(),
            health: a.status.health.status.to_string(),
            revision: a.status.revision.clone(),
            project: a.spec.project.clone(),
        })
    }

    /// The world's randomness, read-only (a dry run draws from a copy).
    pub fn rng(&self) -> &SimRng {
        &self.rng
    }

    /// The world's randomness (seeded), for whatever a command creates.
    pub fn rng_mut(&mut self) -> &mut SimRng {
        &mut self.rng
    }

    pub fn journal(&self) -> &[Event] {
        &self.journal
    }

    /// Records that something happened now.
    pub fn record(&mut self, kind: EventKind) {
        self.journal.push(Event { at: self.now, kind });
    }

    /// How many times a bounded loop ran out of rounds (zero in a healthy world).
    pub fn stuck_loops(&self) -> usize {
        self.stuck_loops
    }

    /// Notes that a loop above the model (a session's incidents) hit its bound.
    pub fn record_stuck_loop(&mut self) {
        self.stuck_loops += 1;
    }

    /// Creates an object now, as the API server would.
    pub fn create_object(&mut self, obj: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        self.cluster.store.create(obj, self.now, &mut self.rng)
    }

    /// Replaces an object now, as the API server would.
    pub fn update_object(&mut self, obj: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        self.cluster.store.update(obj, self.now, &mut self.rng)
    }

    /// What an app's source renders to at its target revision now (`argocd app diff`).
    pub fn desired_manifests(&mut self, app: &str) -> Result<Vec<serde_json::Value>, String> {
        let Model { agent, git, .. } = self;
        agent.desired(app, git)
    }

    /// When something in the model next happens by itself.
    pub fn next_timer(&self) -> Option<SimTime> {
        [
            self.cluster.next_timer(),
            self.agent.next_timer(),
            self.pipeline.as_ref().and_then(|p| p.next_timer()),
            self.flux.next_timer(),
            self.image_updater.as_ref().and_then(|u| u.next_timer()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Moves the clock forward to `t` (never back) without running anything.
    pub fn move_clock_to(&mut self, t: SimTime) {
        self.now = self.now.max(t);
    }

    /// Runs every timer due up to `now`, and settles at each.
    pub fn advance_to(&mut self, now: SimTime) {
        for _ in 0..MAX_STEPS_PER_ADVANCE {
            match self.next_timer() {
                Some(t) if t <= now => {
                    self.move_clock_to(t);
                    self.settle();
                }
                _ => break,
            }
        }
        self.move_clock_to(now);
        self.settle();
    }

    /// Lets controllers and agents react to everything that happened at `now`.
    pub fn settle(&mut self) {
        let mut settled = false;
        for _ in 0..MAX_ROUNDS_PER_INSTANT {
            if self.cluster.settle(self.now, &mut self.rng) >= crate::controllers::MAX_SETTLE_PASSES {
                self.stuck_loops += 1;
            }
            let events = self.cluster.store.drain_events();
            self.agent.observe(&events, &self.cluster.store, self.now, &mut self.journal);
            self.agent.discover(&self.cluster, self.now, &mut self.rng);
            let mut worked = self.agent.run_due(self.now, &mut self.cluster, &self.git, &mut self.rng, &mut self.journal);
            if let Some(p) = self.pipeline.as_mut() {
                worked |= p.run_due(self.now, &mut self.cluster, &self.git, &mut self.rng, &mut self.journal);
            }
            if let Some(updater) = self.image_updater.as_mut() {
                let written = updater.run_due(self.now, &self.cluster, &mut self.git, &self.registry);
                for w in written {
                    self.journal.push(Event {
                        at: self.now,
                        kind: EventKind::ImageUpdated {
                            app: w.app.clone(),
                            image: w.image.clone(),
                            from: w.from.clone(),
                            to: w.to.clone(),
                        },
                    });
                    self.pushed(&w.repo, &w.branch, Some(w.old), w.new);
                    worked = true;
                }
            }
            self.flux.discover(&self.cluster, self.now);
            worked |= self.flux.run_due(self.now, &mut self.cluster, &self.git, &mut self.rng, &mut self.journal);
            worked |= crate::sealed_secrets::reconcile(&mut self.cluster, self.now, &mut self.rng);
            worked |= crate::argo::applicationset::reconcile(&mut self.cluster, &self.git, self.now, &mut self.rng);
            if !worked && self.cluster.next_timer().is_none_or(|t| t > self.now) {
                settled = true;
                break;
            }
        }
        if !settled {
            self.stuck_loops += 1;
        }
        self.agent.publish(&mut self.cluster, self.now);
        self.flux.publish(&mut self.cluster, self.now);
        self.cluster.store.drain_events();
    }

    /// Compares every app with the cluster now (one full comparison pass).
    pub fn compare_all(&mut self) {
        self.agent.refresh_all(self.now);
        self.settle();
    }

    /// Starts a sync, as `argocd app sync` and the bootstrap do (the caller settles).
    pub fn start_sync(&mut self, app: &str, req: SyncRequest) -> Result<(), String> {
        let Model { agent, cluster, git, rng, journal, now, .. } = self;
        agent.start_sync(app, req, *now, cluster, git, rng, journal)
    }

    /// Tells the agents about a push (the webhook and the pipeline's trigger) and records it.
    pub fn pushed(&mut self, repo: &str, branch: &str, old: Option<String>, new: String) {
        self.journal
            .push(Event { at: self.now, kind: EventKind::Push { repo: repo.into(), branch: branch.into(), old, new: new.clone() } });
        let Model { agent, journal, now, pipeline, git, .. } = self;
        agent.on_push(repo, branch, *now, journal);
        if let Some(p) = pipeline.as_mut() {
            p.on_push(repo, branch, &new, git, *now, journal);
        }
        self.pushes.push(Push { repo: repo.into(), branch: branch.into(), new });
    }

    /// The pushes made since the last call (for a world that shares this one's repository).
    pub fn take_pushes(&mut self) -> Vec<Push> {
        std::mem::take(&mut self.pushes)
    }

    /// Fetches a Flux GitRepository now (`flux reconcile source git`); its revision, if it could.
    pub fn flux_fetch(&mut self, source: &str) -> Option<String> {
        let Model { flux, git, journal, now, .. } = self;
        flux.fetch(source, *now, git, journal)
    }

    /// Applies a Flux Kustomization now (`flux reconcile kustomization`).
    pub fn flux_reconcile(&mut self, name: &str) {
        let Model { flux, cluster, git, rng, journal, now, .. } = self;
        flux.reconcile(name, *now, cluster, git, rng, journal);
    }

    /// Suspends or resumes a Flux Kustomization; whether it exists.
    pub fn flux_mut(&mut self) -> &mut Flux {
        &mut self.flux
    }

    /// Takes every remote down (`true`) or brings them back.
    pub fn set_remotes_unreachable(&mut self, down: bool) {
        for remote in self.git.remotes.values_mut() {
            remote.unreachable = down;
        }
    }

    /// A node by name, or for `any` the first node that runs a pod outside kube-system.
    pub fn node_named(&self, name: &str) -> Option<String> {
        if name != "any" {
            return self.cluster.nodes.iter().find(|n| *n == name).cloned();
        }
        let busy: std::collections::BTreeSet<&str> = self
            .cluster
            .store
            .list("", "Pod", None)
            .filter(|p| crate::kube::meta::namespace(p) != "kube-system")
            .filter_map(|p| crate::kube::meta::str_at(p, &["spec", "nodeName"]))
            .collect();
        self.cluster.nodes.iter().find(|n| busy.contains(n.as_str())).cloned()
    }

    /// Stops a node's kubelet (`any`: the first node running a pod outside kube-system).
    pub fn stop_node(&mut self, name: &str) {
        if let Some(node) = self.node_named(name) {
            self.cluster.node_health.stop(&node, self.now);
        }
    }

    /// Brings a node back (`any`: the first node that is down).
    pub fn start_node(&mut self, name: &str) {
        let node = if name == "any" { self.cluster.node_health.down.keys().next().cloned() } else { self.node_named(name) };
        if let Some(node) = node {
            self.cluster.node_health.start(&node, &mut self.cluster.store, self.now);
        }
    }
}
