//! The Argo CD-like agent: it compares each Application's Git source with the
//! cluster, reports sync status and health, and syncs as Argo CD does
//! (automated sync once per revision, self-heal with back-off, polling with
//! jitter, watch-driven comparison, webhooks, manual and partial syncs).

pub mod app;
pub mod applicationset;
pub mod deletion;
pub mod diff;
pub mod health;
mod helm_source;
pub mod image_updater;
mod index;
pub mod project;
pub mod rbac;
pub mod reconcile;
pub mod render;
pub mod sync;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::controllers::Cluster;
use crate::events::{Event, EventKind};
use crate::git::Git;
use crate::kube::{ObjectKey, WatchEvent, meta};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};
use app::{AppSpec, AppStatus, Condition, HealthStatus, HistoryEntry, OpPhase, OperationState, ResourceStatus, SyncStatus};
use health::Health;
pub use sync::SyncRequest;

/// The namespace Argo CD runs in and keeps its Applications in.
pub const ARGOCD_NAMESPACE: &str = "argocd";

/// Timing knobs, with Argo CD v3's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AgentConfig {
    /// `timeout.reconciliation`: how often Git is polled (0 turns polling off).
    pub poll_seconds: u64,
    /// `timeout.reconciliation.jitter`: a random extra delay up to this.
    pub jitter_seconds: u64,
    /// Whether the Git server sends push webhooks to Argo CD.
    pub webhook: bool,
    /// How long a watch event takes to reach a comparison.
    pub watch_delay_millis: u64,
    /// How long one sync operation runs before it completes.
    pub operation_millis: u64,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig { poll_seconds: 120, jitter_seconds: 60, webhook: false, watch_delay_millis: 1000, operation_millis: 1000 }
    }
}

/// How much a refresh compares, lowest first (Argo CD's `CompareWith` levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Recompute health only.
    Tree,
    /// Diff against the last compared revision.
    Recent,
    /// Look up the branch's newest revision and diff against it.
    Latest,
    /// As `Latest`, and regenerate manifests (`--hard-refresh`).
    Hard,
}

/// An operation in progress: the re-entrant sync, when it next steps, and,
/// once its tasks are done, when it is reported complete.
#[derive(Clone, Debug)]
struct RunningOp {
    sync: sync::Operation,
    revision: String,
    next_step: SimTime,
    finish_at: Option<SimTime>,
    /// Retries done so far, and when the next one starts (a failed attempt waiting out its back-off).
    retries: u32,
    retry_at: Option<SimTime>,
}

impl RunningOp {
    fn due(&self) -> SimTime {
        self.finish_at.or(self.retry_at).unwrap_or(self.next_step)
    }
}

impl AppRuntime {
    /// When this app next has something to do: a poll, a queued comparison or its operation.
    fn due(&self) -> Option<SimTime> {
        [self.next_poll, self.refresh.map(|r| r.0), self.op.as_ref().map(RunningOp::due)].into_iter().flatten().min()
    }
}

/// The agent's private state for one Application.
#[derive(Clone, Debug)]
pub struct AppRuntime {
    pub spec: AppSpec,
    pub status: AppStatus,
    next_poll: Option<SimTime>,
    refresh: Option<(SimTime, Level)>,
    op: Option<RunningOp>,
    /// The objects the app's source rendered to, and the revision (shared, not copied, by each compare).
    desired: Option<(String, Result<Arc<Vec<Value>>, String>)>,
    /// For each desired object (by its place in `desired`), the live object's resourceVersion
    /// when it was last diffed and whether it was synced: a live object that has not changed
    /// since is not diffed again (polls of a quiet app cost no diff).
    verdicts: BTreeMap<usize, (String, bool)>,
    managed: BTreeSet<ObjectKey>,
    namespaces: BTreeSet<String>,
    spec_json: Value,
    /// The status last written to the Application object, and the object's resourceVersion
    /// after that write (while it is unchanged, the object's status is `published` as JSON).
    published: Option<AppStatus>,
    published_version: String,
}

/// The agent: every Application it manages, and its configuration.
#[derive(Clone, Debug, Default)]
pub struct Agent {
    pub config: AgentConfig,
    apps: BTreeMap<String, AppRuntime>,
    last_own_write: u64,
    /// Live objects by the app their tracking annotation names, kept current from watch events.
    tracked: BTreeMap<String, BTreeSet<ObjectKey>>,
    /// Whether every Application object must be looked at in the next `discover`.
    apps_changed: bool,
    /// Timers, interests and caches that keep each pass proportional to what changed.
    index: index::AgentIndex,
}

impl Agent {
    pub fn new(config: AgentConfig) -> Self {
        Agent { config, apps: BTreeMap::new(), last_own_write: 0, tracked: BTreeMap::new(), apps_changed: true, index: Default::default() }
    }

    pub fn app(&self, name: &str) -> Option<&AppRuntime> {
        self.apps.get(name)
    }

    pub fn apps(&self) -> impl Iterator<Item = &AppRuntime> {
        self.apps.values()
    }

    /// When the agent next has something to do.
    pub fn next_timer(&self) -> Option<SimTime> {
        self.index.next()
    }

    /// Files an app's timers again after they (or its status) may have changed.
    fn reindex(&mut self, name: &str) {
        self.reschedule(name);
        self.index.unpublished.insert(name.to_string());
    }

    /// Files an app's timers again after they changed (its status did not).
    fn reschedule(&mut self, name: &str) {
        let due = self.apps.get(name).and_then(AppRuntime::due);
        self.index.schedule(name, due);
    }

    /// When the agent next polls Git for any app (the next scheduled reconcile).
    pub fn next_poll(&self) -> Option<SimTime> {
        self.apps.values().filter_map(|a| a.next_poll).min()
    }

    /// Picks up new, changed and deleted Application objects: every one the first time,
    /// then the ones whose watch events said they changed.
    pub fn discover(&mut self, cluster: &Cluster, now: SimTime, rng: &mut SimRng) {
        let everything = std::mem::take(&mut self.apps_changed);
        let changed = std::mem::take(&mut self.index.changed_apps);
        if !everything && changed.is_empty() {
            return;
        }
        let live = |o: &&Value| !meta::is_terminating(o);
        let count = self.apps.len();
        let objs: Vec<&Value> = if everything {
            let objs: Vec<&Value> = cluster.store.list("argoproj.io", "Application", Some(ARGOCD_NAMESPACE)).filter(live).collect();
            let names: BTreeSet<&str> = objs.iter().map(|o| meta::name(o)).collect();
            let gone: Vec<String> = self.apps.keys().filter(|n| !names.contains(n.as_str())).cloned().collect();
            for name in gone {
                self.remove_app(&name);
            }
            objs
        } else {
            let mut objs = Vec::new();
            for name in &changed {
                let key = ObjectKey::new("argoproj.io", "Application", ARGOCD_NAMESPACE, name);
                match cluster.store.get(&key).filter(live) {
                    Some(obj) => objs.push(obj),
                    None => self.remove_app(name),
                }
            }
            objs
        };
        let mut reorder = everything || self.apps.len() != count;
        for obj in objs {
            let Ok(spec) = AppSpec::from_object(obj) else {
                continue;
            };
            let spec_json = obj.get("spec").cloned().unwrap_or(Value::Null);
            let name = spec.name.clone();
            match self.apps.get_mut(&spec.name) {
                Some(rt) if rt.spec_json == spec_json => continue,
                Some(rt) => {
                    rt.spec = spec;
                    rt.spec_json = spec_json;
                    rt.desired = None;
                    request(rt, now, Level::Latest);
                }
                None => {
                    let namespaces: BTreeSet<String> = [spec.dest_namespace.clone()].into_iter().collect();
                    let jitter = self.jitter(rng);
                    self.index.set_interest(&name, &BTreeSet::new(), &BTreeSet::new(), &BTreeSet::new(), &namespaces);
                    let rt = AppRuntime {
                        spec: spec.clone(),
                        status: AppStatus::default(),
                        next_poll: (self.config.poll_seconds > 0).then(|| now + SimDuration::secs(self.config.poll_seconds) + jitter),
                        refresh: Some((now, Level::Latest)),
                        op: None,
                        desired: None,
                        verdicts: BTreeMap::new(),
                        managed: BTreeSet::new(),
                        namespaces,
                        spec_json,
                        published: None,
                        published_version: String::new(),
                    };
                    self.apps.insert(spec.name.clone(), rt);
                    reorder = true;
                }
            }
            self.reindex(&name);
        }
        if reorder {
            self.index.set_order(self.apps.keys().cloned().collect());
        }
    }

    /// Forgets an app whose Application object is gone.
    fn remove_app(&mut self, name: &str) {
        if let Some(rt) = self.apps.remove(name) {
            self.index.forget(name, &rt.managed, &rt.namespaces);
        }
    }

    /// Spreads the next polls over one polling period from `now`, as they would
    /// be at a random moment in a long-running controller's life.
    pub fn reschedule_polls(&mut self, now: SimTime, rng: &mut SimRng) {
        let period = (self.config.poll_seconds + self.config.jitter_seconds) * 1000;
        for rt in self.apps.values_mut() {
            if rt.next_poll.is_some() {
                rt.next_poll = Some(now + SimDuration::millis(rng.between(10_000, period.max(10_000))));
            }
        }
        self.reindex_all();
    }

    fn reindex_all(&mut self) {
        let names: Vec<String> = self.apps.keys().cloned().collect();
        for name in names {
            self.reindex(&name);
        }
    }

    /// Reacts to watch events from the cluster: a change to a managed object
    /// queues a comparison within seconds; other changes in the app's
    /// namespaces refresh its health.
    pub fn observe(&mut self, events: &[WatchEvent], store: &crate::kube::Store, now: SimTime, journal: &mut Vec<Event>) {
        // For each app concerned, in name order: the events about objects it manages, in order,
        // and whether any event happened in a namespace it watches.
        let mut concerned: BTreeMap<String, (Vec<&WatchEvent>, bool)> = BTreeMap::new();
        let mut namespaces: BTreeSet<&str> = BTreeSet::new();
        for ev in events {
            if ev.key.kind == "Application" && ev.key.group == "argoproj.io" && ev.spec_changed && ev.key.namespace == ARGOCD_NAMESPACE {
                self.index.changed_apps.insert(ev.key.name.clone());
            }
            if let Some(app) = self.index.tracked_of.remove(&ev.key) {
                if let Some(set) = self.tracked.get_mut(&app) {
                    set.remove(&ev.key);
                }
            }
            let tracking = store.get(&ev.key).and_then(|o| meta::annotation(o, render::TRACKING_ID)).and_then(|id| id.split(':').next());
            if let Some(app) = tracking {
                self.tracked.entry(app.to_string()).or_default().insert(ev.key.clone());
                self.index.tracked_of.insert(ev.key.clone(), app.to_string());
            }
            for app in self.index.managers(&ev.key) {
                concerned.entry(app.clone()).or_default().0.push(ev);
            }
            namespaces.insert(&ev.key.namespace);
        }
        let delay = SimDuration::millis(self.config.watch_delay_millis);
        // A health refresh only lowers the time and keeps the level of what is queued, so one
        // stands for many, and it never changes whether a watch event is reported: the apps that
        // watch a namespace are asked once, and only those whose queue it changes are filed again.
        // Once every watcher of a namespace has a refresh queued, further events there change
        // nothing until one of them refreshes, so a busy namespace costs one pass, not one per event.
        let mut moved = Vec::new();
        for ns in namespaces {
            if self.index.health_queued_by(ns, now + delay) {
                continue;
            }
            for app in self.index.watchers(ns) {
                let Some(rt) = self.apps.get_mut(app) else { continue };
                let before = rt.refresh;
                request(rt, now + delay, Level::Tree);
                if rt.refresh != before {
                    moved.push(app.clone());
                }
            }
            self.index.set_health_queued(ns, now + delay);
        }
        for name in moved {
            self.reschedule(&name);
        }
        for (name, (managed_events, watched)) in concerned {
            let Some(rt) = self.apps.get_mut(&name) else { continue };
            let mut health = watched;
            for ev in managed_events {
                if ev.spec_changed {
                    let own = ev.resource_version <= self.last_own_write;
                    if !own && rt.refresh.is_none_or(|(_, l)| l < Level::Recent) {
                        journal.push(Event {
                            at: now,
                            kind: EventKind::WatchTriggered { app: rt.spec.name.clone(), object: ev.key.kubectl_ref() },
                        });
                    }
                    request(rt, now + delay, Level::Recent);
                } else {
                    health = true;
                }
            }
            if health {
                request(rt, now + delay, Level::Tree);
            }
            self.reschedule(&name);
        }
    }

    /// Tells the agent about a push, as a Git webhook would.
    pub fn on_push(&mut self, repo_url: &str, branch: &str, now: SimTime, journal: &mut Vec<Event>) {
        if !self.config.webhook {
            return;
        }
        let mut hooked = Vec::new();
        for rt in self.apps.values_mut().filter(|a| same_repo(&a.spec.repo_url, repo_url)) {
            if matches!(rt.spec.target_revision.as_str(), "HEAD" | "") || rt.spec.target_revision == branch {
                journal.push(Event { at: now, kind: EventKind::Webhook { app: rt.spec.name.clone() } });
                request(rt, now + SimDuration::secs(1), Level::Latest);
                hooked.push(rt.spec.name.clone());
            }
        }
        for name in hooked {
            self.reindex(&name);
        }
    }

    /// Queues a comparison of every app at `now` against the revision it last compared
    /// (what a burst of watch events does), for benchmarks and instructors' incidents.
    pub fn refresh_all(&mut self, now: SimTime) {
        for rt in self.apps.values_mut() {
            request(rt, now, Level::Recent);
        }
        self.reindex_all();
    }

    /// Asks for a refresh now (`argocd app get --refresh`).
    pub fn refresh(&mut self, name: &str, hard: bool, now: SimTime) -> bool {
        let Some(rt) = self.apps.get_mut(name) else {
            return false;
        };
        if hard {
            rt.desired = None;
        }
        request(rt, now, if hard { Level::Hard } else { Level::Latest });
        self.reindex(name);
        true
    }

    /// Runs every timer due at `now`. Returns whether anything happened.
    ///
    /// Only the apps with a timer due are looked at. A pass over every app would draw one
    /// poll jitter per app from the world's random stream, due or not; the stream is moved
    /// on by as many draws as the apps in between would have made, so what follows draws
    /// the same numbers (the same seed and inputs give the same world).
    pub fn run_due(&mut self, now: SimTime, cluster: &mut Cluster, git: &Git, rng: &mut SimRng, journal: &mut Vec<Event>) -> bool {
        let mut worked = deletion::finalize(&self.tracked, &mut cluster.store, now, rng);
        let draws = self.config.jitter_seconds > 0;
        let mut drawn = 0;
        for name in self.index.due(now) {
            let rank = self.index.rank(&name);
            if draws {
                rng.skip(rank.saturating_sub(drawn) as u64);
            }
            drawn = rank + 1;
            let jitter = self.jitter(rng);
            let poll = SimDuration::secs(self.config.poll_seconds);
            let Some(rt) = self.apps.get_mut(&name) else {
                continue;
            };
            if rt.op.as_ref().is_some_and(|o| o.retry_at.is_some_and(|t| t <= now)) {
                // A retry plans the same revision again, from the cluster as it is now.
                let op = rt.op.as_mut().expect("checked above");
                let (revision, request) = (op.revision.clone(), op.sync.request.clone());
                let desired = desired_for(rt, &revision, git, &mut self.index).unwrap_or_default();
                let extras = extras(rt, &self.tracked, &desired, cluster);
                let started = rt.status.operation_state.as_ref().map_or(now, |s| s.started_at);
                let desired = sync::hook_names::name_hooks(&desired, &revision, started);
                let project = project_of(&rt.spec, cluster).unwrap_or_else(|_| project::Project::default_project());
                let op = rt.op.as_mut().expect("checked above");
                op.sync = sync::Operation::plan(&rt.spec, &project, &desired, &extras, &cluster.store, request);
                op.retry_at = None;
                op.next_step = now;
            }
            if rt.op.as_ref().is_some_and(|o| o.due() <= now) {
                let op_millis = self.config.operation_millis;
                let done = step_operation(rt, now, op_millis, cluster, rng);
                self.last_own_write = cluster.store.resource_version();
                if done {
                    let op = rt.op.take().expect("checked above");
                    finish_operation(rt, &op, now, journal);
                    // Argo CD compares with the latest revision once an operation completes.
                    request(rt, now, Level::Latest);
                }
                worked = true;
            }
            if rt.next_poll.is_some_and(|t| t <= now) {
                rt.next_poll = Some(now + poll + jitter);
                journal.push(Event { at: now, kind: EventKind::Poll { app: name.clone() } });
                request(rt, now, Level::Latest);
            }
            if let Some((_, level)) = rt.refresh.filter(|(at, _)| *at <= now) {
                rt.refresh = None;
                self.index.refreshed(&rt.namespaces);
                if level >= Level::Latest && self.config.poll_seconds > 0 {
                    rt.next_poll = Some(now + poll + jitter);
                }
                let (managed, namespaces) = (rt.managed.clone(), rt.namespaces.clone());
                compare(rt, &self.tracked, level, now, cluster, git, &mut self.index, journal);
                self.index.set_interest(&name, &managed, &rt.managed, &namespaces, &rt.namespaces);
                if level >= Level::Recent {
                    self.auto_sync(&name, now, cluster, git, rng, journal);
                }
                worked = true;
            }
            self.reindex(&name);
        }
        if draws {
            rng.skip(self.index.len().saturating_sub(drawn) as u64);
        }
        worked
    }

    /// Starts a sync operation (manual, automated or self-heal).
    pub fn start_sync(
        &mut self,
        name: &str,
        req: SyncRequest,
        now: SimTime,
        cluster: &mut Cluster,
        git: &Git,
        rng: &mut SimRng,
        journal: &mut Vec<Event>,
    ) -> Result<(), String> {
        let op_millis = self.config.operation_millis;
        let rt = self
            .apps
            .get_mut(name)
            .ok_or_else(|| format!("rpc error: code = NotFound desc = applications.argoproj.io \"{name}\" not found"))?;
        if rt.op.is_some() {
            return Err("rpc error: code = FailedPrecondition desc = another operation is already in progress".into());
        }
        let revision = git
            .resolve_remote(&rt.spec.repo_url, &req.revision)
            .ok_or_else(|| format!("rpc error: code = Unknown desc = unable to resolve '{}' to a commit SHA", req.revision))?;
        if let Some(c) = rt.status.conditions.iter().find(|c| c.kind == "InvalidSpecError") {
            return Err(format!(
                "rpc error: code = InvalidArgument desc = application spec for {name} is invalid: InvalidSpecError: {}",
                c.message
            ));
        }
        let project = project_of(&rt.spec, cluster)?;
        let desired = desired_for(rt, &revision, git, &mut self.index)?;
        let extras: Vec<ObjectKey> = extras(rt, &self.tracked, &desired, cluster);
        journal.push(Event {
            at: now,
            kind: EventKind::SyncStarted {
                app: name.into(),
                revision: revision.clone(),
                initiated_by: req.initiated_by.clone(),
                self_heal: req.self_heal_attempts > 0 && req.resources.is_some(),
                resources: desired.len(),
            },
        });
        let partial = req.resources.is_some() || req.dry_run;
        let state = OperationState {
            phase: OpPhase::Running,
            message: "one or more tasks are running".into(),
            revision: revision.clone(),
            started_at: now,
            finished_at: None,
            initiated_by: req.initiated_by.clone(),
            automated: req.automated,
            self_heal_attempts: req.self_heal_attempts,
            retry_count: 0,
            partial,
            resources: vec![],
        };
        rt.status.operation_state = Some(state);
        let desired = sync::hook_names::name_hooks(&desired, &revision, now);
        let op = sync::Operation::plan(&rt.spec, &project, &desired, &extras, &cluster.store, req);
        rt.op = Some(RunningOp { sync: op, revision, next_step: now, finish_at: None, retries: 0, retry_at: None });
        // The first step runs now; completion is reported when the finish timer fires.
        step_operation(rt, now, op_millis, cluster, rng);
        self.last_own_write = cluster.store.resource_version();
        self.reindex(name);
        Ok(())
    }

    /// Asks a running operation to stop.
    pub fn terminate(&mut self, name: &str) -> Result<(), String> {
        let rt = self
            .apps
            .get_mut(name)
            .ok_or_else(|| format!("rpc error: code = NotFound desc = applications.argoproj.io \"{name}\" not found"))?;
        match rt.op.as_mut() {
            Some(op) if op.finish_at.is_none() => {
                op.sync.terminate();
                if let Some(state) = rt.status.operation_state.as_mut() {
                    state.phase = OpPhase::Terminating;
                }
                self.reindex(name);
                Ok(())
            }
            _ => Err("rpc error: code = FailedPrecondition desc = Unable to terminate operation. No operation is in progress".into()),
        }
    }

    /// Whether a comparison is queued for `name` (its status may be a moment behind the cluster).
    pub fn refresh_pending(&self, name: &str) -> bool {
        self.apps.get(name).is_some_and(|a| a.refresh.is_some())
    }

    /// Whether an operation is still running for `name`.
    pub fn operation_running(&self, name: &str) -> bool {
        self.apps.get(name).is_some_and(|a| a.op.is_some())
    }

    /// The desired objects of an app at its compared revision, for `argocd app diff`.
    pub fn desired(&mut self, name: &str, git: &Git) -> Result<Vec<Value>, String> {
        let rt = self.apps.get_mut(name).ok_or_else(|| format!("applications.argoproj.io \"{name}\" not found"))?;
        let revision = git.resolve_remote(&rt.spec.repo_url, &rt.spec.target_revision).unwrap_or_default();
        let desired = desired_for(rt, &revision, git, &mut self.index).map(|d| d.as_ref().clone());
        self.reindex(name);
        desired
    }

    /// Writes each app's status into its Application object.
    pub fn publish(&mut self, cluster: &mut Cluster, now: SimTime) {
        for name in std::mem::take(&mut self.index.unpublished) {
            let Some(rt) = self.apps.get_mut(&name) else { continue };
            if rt.published.as_ref() == Some(&rt.status) {
                continue;
            }
            let key = ObjectKey::new("argoproj.io", "Application", ARGOCD_NAMESPACE, &rt.spec.name);
            let version = |cluster: &Cluster| {
                cluster.store.get(&key).and_then(|o| meta::str_at(o, &["metadata", "resourceVersion"])).unwrap_or_default().to_string()
            };
            // A refresh that changed only `reconciledAt` (every poll of a quiet app) rewrites only
            // that field, when the object still holds the status last written.
            let only_reconciled = rt.published_version == version(cluster)
                && rt.published.as_mut().is_some_and(|p| {
                    let before = std::mem::replace(&mut p.reconciled_at, rt.status.reconciled_at);
                    let same = *p == rt.status;
                    if !same {
                        p.reconciled_at = before;
                    }
                    same
                });
            if only_reconciled {
                let at = rt.status.reconciled_at.map(SimTime::rfc3339).unwrap_or_default();
                cluster.store.update_status_field(&key, "reconciledAt", Value::String(at), now);
            } else {
                cluster.store.update_status(&key, rt.status.to_crd_json(), now);
                rt.published = Some(rt.status.clone());
            }
            rt.published_version = version(cluster);
        }
    }

    fn jitter(&self, rng: &mut SimRng) -> SimDuration {
        SimDuration::millis(rng.below(self.config.jitter_seconds * 1000))
    }

    fn auto_sync(&mut self, name: &str, now: SimTime, cluster: &mut Cluster, git: &Git, rng: &mut SimRng, journal: &mut Vec<Event>) {
        let Some(rt) = self.apps.get_mut(name) else {
            return;
        };
        let Some(auto) = rt.spec.automated else {
            return;
        };
        if rt.op.is_some() || rt.status.sync_status != SyncStatus::OutOfSync {
            return;
        }
        let out_of_sync: Vec<&ResourceStatus> = rt.status.resources.iter().filter(|r| r.status != "Synced").collect();
        if !auto.prune && out_of_sync.iter().all(|r| r.requires_pruning) {
            return;
        }
        if auto.prune && !auto.allow_empty && !rt.status.resources.is_empty() && rt.status.resources.iter().all(|r| r.requires_pruning) {
            set_condition(
                rt,
                "SyncError",
                &format!("Skipping sync attempt to [{}]: auto-sync will wipe out all resources", rt.status.revision),
                now,
            );
            return;
        }
        let revision = rt.status.revision.clone();
        let last = rt.status.operation_state.clone();
        let attempted = last.as_ref().filter(|op| op.revision == revision);
        let mut req = SyncRequest {
            revision: revision.clone(),
            prune: auto.prune,
            dry_run: false,
            resources: None,
            initiated_by: "automated".into(),
            automated: true,
            self_heal_attempts: 0,
            retry: rt.spec.retry.unwrap_or(sync::RetryPolicy::AUTOMATED_DEFAULT),
        };
        if let Some(op) = attempted {
            if op.phase != OpPhase::Succeeded {
                set_condition(rt, "SyncError", &format!("Failed last sync attempt to [{revision}]: {}", op.message), now);
                return;
            }
            if !auto.self_heal {
                return;
            }
            let attempts = op.self_heal_attempts;
            let finished = op.finished_at.unwrap_or(now);
            let wait = self_heal_backoff(attempts);
            let ready_at = finished + wait;
            if ready_at > now {
                journal.push(Event {
                    at: now,
                    kind: EventKind::SelfHealBackoff {
                        app: name.into(),
                        attempt: attempts + 1,
                        wait_seconds: ready_at.since(now).as_secs().max(1),
                    },
                });
                request(rt, ready_at, Level::Recent);
                return;
            }
            req.self_heal_attempts = attempts + 1;
            req.resources = Some(
                rt.status
                    .resources
                    .iter()
                    .filter(|r| r.status != SyncStatus::Synced && !r.requires_pruning)
                    .map(|r| ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name))
                    .collect(),
            );
        }
        let _ = self.start_sync(name, req, now, cluster, git, rng, journal);
    }
}

/// Self-heal waits `2s × 3^(n−1)` after the previous attempt, capped at 300 s.
pub fn self_heal_backoff(attempts_so_far: u32) -> SimDuration {
    if attempts_so_far == 0 {
        return SimDuration::ZERO;
    }
    let secs = 2u64.saturating_mul(3u64.saturating_pow(attempts_so_far - 1)).min(300);
    SimDuration::secs(secs)
}

fn request(rt: &mut AppRuntime, at: SimTime, level: Level) {
    rt.refresh = Some(match rt.refresh {
        Some((t, l)) => (t.min(at), l.max(level)),
        None => (at, level),
    });
}

/// The app's project: an AppProject object, or the built-in `default`.
pub fn project_of(app: &AppSpec, cluster: &Cluster) -> Result<project::Project, String> {
    let key = ObjectKey::new("argoproj.io", "AppProject", ARGOCD_NAMESPACE, &app.project);
    match cluster.store.get(&key) {
        Some(obj) => Ok(project::Project::from_object(obj)),
        None if app.project == "default" => Ok(project::Project::default_project()),
        None => Err(format!("Application referencing project {} which does not exist", app.project)),
    }
}

fn same_repo(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').trim_end_matches(".git") == b.trim_end_matches('/').trim_end_matches(".git")
}

fn desired_for(rt: &mut AppRuntime, revision: &str, git: &Git, index: &mut index::AgentIndex) -> Result<Arc<Vec<Value>>, String> {
    if let Some((rev, result)) = &rt.desired {
        if rev == revision {
            return result.clone();
        }
    }
    let files = index.snapshot(git, revision);
    let result = render::render(&rt.spec, &files).map(Arc::new);
    // The source type only changes with the revision, so it is worked out with the render
    // (snapshotting the repository for every app on every compare made large fleets quadratic).
    rt.status.source_type = render::source_type(&rt.spec, &files).into();
    rt.desired = Some((revision.to_string(), result.clone()));
    rt.verdicts.clear();
    result
}

/// Whether the live object matches the desired object at `position` of the app's desired
/// objects; remembered until the live object's resourceVersion or the desired objects change.
fn synced(rt: &mut AppRuntime, position: usize, desired: &Value, live: &Value) -> bool {
    let version = meta::str_at(live, &["metadata", "resourceVersion"]);
    if let (Some(v), Some((seen, synced))) = (version, rt.verdicts.get(&position)) {
        if v == seen {
            return *synced;
        }
    }
    let synced = diff::is_synced_ignoring(desired, live, &rt.spec.ignore_differences);
    if let Some(v) = version {
        rt.verdicts.insert(position, (v.to_string(), synced));
    }
    synced
}

fn extras(rt: &AppRuntime, tracked: &BTreeMap<String, BTreeSet<ObjectKey>>, desired: &[Value], cluster: &Cluster) -> Vec<ObjectKey> {
    let wanted: BTreeSet<ObjectKey> = desired.iter().filter_map(ObjectKey::of).collect();
    let prefix = format!("{}:", rt.spec.name);
    tracked
        .get(&rt.spec.name)
        .into_iter()
        .flatten()
        .filter(|k| !wanted.contains(*k))
        .filter(|k| {
            cluster
                .store
                .get(k)
                .is_some_and(|o| !sync::is_hook(o) && meta::annotation(o, render::TRACKING_ID).is_some_and(|id| id.starts_with(&prefix)))
        })
        .cloned()
        .collect()
}

fn set_condition(rt: &mut AppRuntime, kind: &str, message: &str, now: SimTime) {
    if rt.status.conditions.iter().any(|c| c.kind == kind && c.message == message) {
        return;
    }
    rt.status.conditions.retain(|c| c.kind != kind);
    rt.status.conditions.push(Condition { kind: kind.into(), message: message.into(), last_transition_time: now });
}

fn compare(
    rt: &mut AppRuntime,
    tracked: &BTreeMap<String, BTreeSet<ObjectKey>>,
    level: Level,
    now: SimTime,
    cluster: &Cluster,
    git: &Git,
    index: &mut index::AgentIndex,
    journal: &mut Vec<Event>,
) {
    let revision = if level >= Level::Latest || rt.status.revision.is_empty() {
        git.resolve_remote(&rt.spec.repo_url, &rt.spec.target_revision).unwrap_or_default()
    } else {
        rt.status.revision.clone()
    };
    let (old_sync, old_health) = (rt.status.sync_status, rt.status.health.status);
    let project = match project_of(&rt.spec, cluster).and_then(|p| p.check_app(&rt.spec).map_or(Ok(p), Err)) {
        Ok(p) => {
            rt.status.conditions.retain(|c| c.kind != "InvalidSpecError");
            p
        }
        Err(message) => {
            rt.status.sync_status = SyncStatus::Unknown;
            rt.status.health.status = Health::Unknown;
            set_condition(rt, "InvalidSpecError", &message, now);
            emit_changes(rt, old_sync, old_health, now, journal);
            return;
        }
    };
    if level >= Level::Latest && !git.reachable(&rt.spec.repo_url) {
        let host = rt.spec.repo_url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
        let message = format!(
            "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to list refs: Get \"{}/info/refs?service=git-upload-pack\": dial tcp: lookup {host} on 10.0.0.10:53: no such host",
            rt.spec.repo_url
        );
        rt.status.sync_status = SyncStatus::Unknown;
        set_condition(rt, "ComparisonError", &message, now);
        emit_changes(rt, old_sync, old_health, now, journal);
        return;
    }
    if revision.is_empty() && git.reachable(&rt.spec.repo_url) {
        // A branch, tag or commit the repository does not have: the repo server cannot resolve it.
        let message = format!(
            "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = unable to resolve '{}' to a commit SHA",
            rt.spec.target_revision
        );
        rt.status.sync_status = SyncStatus::Unknown;
        set_condition(rt, "ComparisonError", &message, now);
        emit_changes(rt, old_sync, old_health, now, journal);
        return;
    }
    let desired = match desired_for(rt, &revision, git, index) {
        Ok(d) => d,
        Err(message) => {
            rt.status.sync_status = SyncStatus::Unknown;
            rt.status.health.status = Health::Unknown;
            set_condition(rt, "ComparisonError", &message, now);
            emit_changes(rt, old_sync, old_health, now, journal);
            return;
        }
    };
    rt.status.conditions.retain(|c| c.kind != "ComparisonError");
    let mut resources = Vec::new();
    let mut any_live = false;
    let mut images = BTreeSet::new();
    let mut assessments = Vec::new();
    for (position, obj) in desired.iter().enumerate().filter(|(_, o)| !sync::is_hook(o)) {
        let Some(key) = ObjectKey::of(obj) else {
            continue;
        };
        let live = cluster.store.get(&key);
        any_live |= live.is_some();
        let status = match live {
            _ if !project.permits(obj) => SyncStatus::Unknown,
            Some(l) if synced(rt, position, obj, l) => SyncStatus::Synced,
            _ => SyncStatus::OutOfSync,
        };
        let health = match live {
            Some(l) => health::health(l),
            None => Some(health::Assessment { status: Health::Missing, message: String::new() }),
        };
        if let Some(l) = live {
            collect_images(l, &mut images);
        }
        assessments.push(health.clone());
        resources.push(resource_status(&key, obj, status, health.as_ref(), false));
    }
    for key in extras(rt, tracked, &desired, cluster) {
        let live = cluster.store.get(&key).expect("extras are live");
        any_live = true;
        let health = health::health(live);
        assessments.push(health.clone());
        resources.push(resource_status(&key, live, SyncStatus::OutOfSync, health.as_ref(), true));
    }
    resources.sort_by(|a, b| (&a.group, &a.kind, &a.namespace, &a.name).cmp(&(&b.group, &b.kind, &b.namespace, &b.name)));
    // An app with no resources at all is Healthy (there is nothing to be missing).
    let app_health = health::aggregate(assessments.iter().map(Option::as_ref), any_live || resources.is_empty());
    rt.managed = resources.iter().map(|r| ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name)).collect();
    rt.namespaces = resources.iter().map(|r| r.namespace.clone()).chain([rt.spec.dest_namespace.clone()]).collect();
    let sync_status = if resources.iter().any(|r| r.status != SyncStatus::Synced) { SyncStatus::OutOfSync } else { SyncStatus::Synced };
    if revision != rt.status.revision {
        rt.status.conditions.retain(|c| c.kind != "SyncError");
    }
    rt.status.sync_status = sync_status;
    rt.status.revision = revision.clone();
    rt.status.health = HealthStatus { status: app_health, message: String::new() };
    rt.status.resources = resources;
    rt.status.images = images.into_iter().collect();
    if level >= Level::Latest {
        rt.status.reconciled_at = Some(now);
    }
    if level >= Level::Recent {
        journal.push(Event {
            at: now,
            kind: EventKind::Compared {
                app: rt.spec.name.clone(),
                revision,
                sync: sync_status.word().into(),
                health: app_health.word().into(),
            },
        });
    }
    emit_changes(rt, old_sync, old_health, now, journal);
}

fn emit_changes(rt: &AppRuntime, old_sync: SyncStatus, old_health: Health, now: SimTime, journal: &mut Vec<Event>) {
    let app = rt.spec.name.clone();
    if rt.status.sync_status != old_sync {
        journal.push(Event {
            at: now,
            kind: EventKind::SyncStatusChanged { app: app.clone(), from: old_sync.word().into(), to: rt.status.sync_status.word().into() },
        });
    }
    if rt.status.health.status != old_health {
        journal.push(Event {
            at: now,
            kind: EventKind::HealthChanged { app, from: old_health.word().into(), to: rt.status.health.status.word().into() },
        });
    }
}

/// Runs one step of the app's operation; returns whether it is complete (its finish time reached).
fn step_operation(rt: &mut AppRuntime, now: SimTime, op_millis: u64, cluster: &mut Cluster, rng: &mut SimRng) -> bool {
    let Some(op) = rt.op.as_mut() else { return false };
    if let Some(finish) = op.finish_at {
        return finish <= now;
    }
    let next = op.sync.step(&rt.spec, &mut cluster.store, now, rng);
    if let Some(state) = rt.status.operation_state.as_mut() {
        state.message = op.sync.message.clone();
        state.resources = op.sync.results();
    }
    match next {
        sync::Next::At(t) => op.next_step = t,
        sync::Next::Done if op.sync.phase != sync::OpPhase::Succeeded && op.sync.message != "Operation terminated" => {
            let limit = op.sync.request.retry.limit;
            if limit < 0 || i64::from(op.retries) < limit {
                let wait = op.sync.request.retry.backoff(op.retries);
                op.retries += 1;
                op.retry_at = Some(now + wait);
                if let Some(state) = rt.status.operation_state.as_mut() {
                    state.phase = OpPhase::Running;
                    state.message = format!("{}. Retrying attempt #{} at {}.", op.sync.message, op.retries, (now + wait).kitchen());
                    state.retry_count = op.retries;
                }
            } else {
                if op.retries > 0 {
                    op.sync.message = format!("{} (retried {} times).", op.sync.message, op.retries);
                }
                op.finish_at = Some(now + SimDuration::millis(op_millis));
            }
        }
        sync::Next::Done => op.finish_at = Some(now + SimDuration::millis(op_millis)),
    }
    false
}

fn finish_operation(rt: &mut AppRuntime, op: &RunningOp, now: SimTime, journal: &mut Vec<Event>) {
    let Some(mut state) = rt.status.operation_state.clone() else { return };
    state.finished_at = Some(now);
    state.phase = op.sync.phase;
    state.message = op.sync.message.clone();
    state.resources = op.sync.results();
    state.revision = op.revision.clone();
    let succeeded = state.phase == OpPhase::Succeeded;
    if succeeded && !state.partial {
        let id = rt.status.history.last().map_or(0, |h| h.id + 1);
        rt.status.history.push(HistoryEntry {
            id,
            revision: state.revision.clone(),
            deployed_at: now,
            deploy_started_at: state.started_at,
            initiated_by: state.initiated_by.clone(),
        });
        let excess = rt.status.history.len().saturating_sub(10);
        rt.status.history.drain(..excess);
    }
    journal.push(Event {
        at: now,
        kind: EventKind::SyncFinished {
            app: rt.spec.name.clone(),
            revision: state.revision.clone(),
            phase: state.phase.word().into(),
            message: state.message.clone(),
            self_heal: state.self_heal_attempts > 0 && state.partial,
        },
    });
    rt.status.operation_state = Some(state);
}

fn resource_status(
    key: &ObjectKey,
    obj: &Value,
    status: SyncStatus,
    health: Option<&health::Assessment>,
    requires_pruning: bool,
) -> ResourceStatus {
    let version =
        obj.get("apiVersion").and_then(Value::as_str).map(|v| crate::kube::split_api_version(v).1.to_string()).unwrap_or_default();
    ResourceStatus {
        group: key.group.clone(),
        version,
        kind: key.kind.clone(),
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        status,
        health: health.map(|h| HealthStatus { status: h.status, message: h.message.clone() }),
        requires_pruning,
    }
}

fn collect_images(obj: &Value, images: &mut BTreeSet<String>) {
    for path in [&["spec", "template", "spec", "containers"][..], &["spec", "containers"][..]] {
        if let Some(cs) = meta::at(obj, path).and_then(Value::as_array) {
            images.extend(cs.iter().filter_map(|c| c.get("image").and_then(Value::as_str).map(String::from)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selfheal_backoff_grows_to_five_minutes() {
        let secs: Vec<u64> = (0..9).map(|n| self_heal_backoff(n).as_secs()).collect();
        assert_eq!(secs, vec![0, 2, 6, 18, 54, 162, 300, 300, 300]);
    }
}
