//! One app's loop: a pass on every poll (fetch, render, compare, sync a new
//! revision) and on every watch event about an object it tracks (compare, and
//! self-heal drift after the simulator's back-off). Passes run one at a time.

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace as CoreNamespace};
use kube::api::{Api, ObjectMeta, PostParams};
use kube::config::Kubeconfig;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher;
use serde_json::Value;
use simulator::argo::app::AppSpec;
use simulator::argo::health::Health;
use simulator::argo::reconcile::{self, Plan};
use simulator::kube::{ObjectKey, meta, split_api_version};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Options;
use super::cluster::{self, ContextInfo, Kind, Namespace};
use super::history::{self, Entry};
use super::repo::Source;

/// What the agent has done, for tests, benchmarks and `--once`.
#[derive(Debug, Default)]
pub struct Stats {
    pub passes: AtomicU64,
    /// Syncs of a new revision.
    pub syncs: AtomicU64,
    /// Self-heals: drift undone without a new revision.
    pub heals: AtomicU64,
    pub pruned: AtomicU64,
    /// Complete lists the watches made (one when each starts, one after each restart).
    pub watch_lists: AtomicU64,
    /// Watches that the API server ended with 410 Gone and that started again from a new list.
    pub watch_restarts: AtomicU64,
    /// Writes of the history that met 409 Conflict and were retried.
    pub conflicts: AtomicU64,
    /// The last revision synced.
    pub revision: Mutex<String>,
    pub health: Mutex<String>,
    pub last_error: Mutex<Option<String>>,
    /// Every line the agent printed (the newest 1,000).
    pub log: Mutex<Vec<String>>,
}

impl Stats {
    pub fn revision(&self) -> String {
        self.revision.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    pub fn health(&self) -> String {
        self.health.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    pub fn log_text(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).join("\n")
    }
}

#[derive(Default)]
struct State {
    /// The revision the last fetch resolved.
    fetched: Option<String>,
    /// The revision the last successful sync applied.
    synced: Option<String>,
    heal_attempts: u32,
    last_heal: Option<Instant>,
    /// A self-heal waiting out its back-off is already scheduled.
    heal_scheduled: bool,
    health: Option<Health>,
    out_of_sync_reported: bool,
    /// Kinds that held this app's objects (listed on every pass, so a removed file's object is found).
    tracked_kinds: BTreeMap<(String, String), Kind>,
}

/// An agent ready to run: connected, its namespace present, its repository opened.
pub struct Agent {
    inner: Arc<Inner>,
    triggers: mpsc::UnboundedReceiver<()>,
}

struct Inner {
    options: Options,
    spec: AppSpec,
    ns: Namespace,
    config_maps: Api<ConfigMap>,
    source: Mutex<Source>,
    state: tokio::sync::Mutex<State>,
    stats: Arc<Stats>,
    trigger: mpsc::UnboundedSender<()>,
    watched: Mutex<BTreeSet<(String, String)>>,
    watchers: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// A running agent's handle: its stats, and a way to stop it.
pub struct Running {
    pub stats: Arc<Stats>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
    }
}

fn now_text() -> String {
    simulator::SimTime(crate::kubeapi::clock::wall_millis()).rfc3339()
}

fn short(revision: &str) -> &str {
    &revision[..revision.len().min(7)]
}

impl Agent {
    /// Connects to the context, makes sure the namespace exists (creating it with
    /// `create_namespace`), and opens the repository's mirror.
    pub async fn start(options: Options, kubeconfig: Kubeconfig, info: ContextInfo) -> Result<Agent, String> {
        let client = cluster::connect(kubeconfig, &info).await?;
        Agent::with_client(options, client).await
    }

    /// As `start`, with a client made elsewhere (tests give one over a mock service).
    pub async fn with_client(options: Options, client: kube::Client) -> Result<Agent, String> {
        let namespaces: Api<CoreNamespace> = Api::all(client.clone());
        let ns_name = options.namespace.clone();
        let exists = namespaces
            .get_opt(&ns_name)
            .await
            .map_err(|e| cluster::explain(&e, "get", &format!("namespaces \"{ns_name}\""), &ns_name))?
            .is_some();
        if !exists {
            if !options.create_namespace {
                return Err(format!("namespace \"{ns_name}\" does not exist: create it, or pass --create-namespace"));
            }
            let ns = CoreNamespace { metadata: ObjectMeta { name: Some(ns_name.clone()), ..Default::default() }, ..Default::default() };
            match namespaces.create(&PostParams { field_manager: Some(cluster::FIELD_MANAGER.into()), ..Default::default() }, &ns).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                Err(e) => return Err(cluster::explain(&e, "create", &format!("namespaces \"{ns_name}\""), &ns_name)),
            }
            if !options.quiet {
                println!("{}  namespace/{ns_name} created", now_text());
            }
        }
        let source = Source::open(&options.repo, &options.revision, &options.cache)?;
        let spec = AppSpec::for_path(&options.app, source.url(), &options.path, &options.revision, &options.namespace, false);
        let (trigger, triggers) = mpsc::unbounded_channel();
        let inner = Inner {
            config_maps: Api::namespaced(client.clone(), &ns_name),
            ns: Namespace::new(client, &ns_name),
            spec,
            source: Mutex::new(source),
            state: tokio::sync::Mutex::new(State::default()),
            stats: Arc::new(Stats::default()),
            trigger,
            watched: Mutex::new(BTreeSet::new()),
            watchers: Mutex::new(Vec::new()),
            options,
        };
        Ok(Agent { inner: Arc::new(inner), triggers })
    }

    pub fn stats(&self) -> Arc<Stats> {
        self.inner.stats.clone()
    }

    /// One pass with a fetch; whether it ended without an error.
    pub async fn pass_once(&self) -> bool {
        self.inner.pass(true).await
    }

    /// Runs the loop in a task: a pass with a fetch every poll, a pass without one
    /// shortly after any watch event about the app's objects.
    pub fn spawn(self) -> Running {
        let Agent { inner, mut triggers } = self;
        let stats = inner.stats.clone();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut next_poll = Instant::now();
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next_poll) => {
                        next_poll = Instant::now() + inner.options.poll;
                        inner.pass(true).await;
                    }
                    Some(()) = triggers.recv() => {
                        // Events come in bursts (an object and its status): take them as one.
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        while triggers.try_recv().is_ok() {}
                        inner.pass(false).await;
                    }
                    _ = &mut stop_rx => break,
                }
            }
            for w in inner.watchers.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
                w.abort();
            }
        });
        Running { stats, stop: Some(stop_tx), task }
    }
}

impl Inner {
    fn say(&self, line: String) {
        if !self.options.quiet {
            println!("{}  {line}", now_text());
        }
        let mut log = self.stats.log.lock().unwrap_or_else(|p| p.into_inner());
        log.push(line);
        let excess = log.len().saturating_sub(1000);
        log.drain(..excess);
    }

    fn fail(&self, e: String) -> bool {
        let repeated = self.stats.last_error().as_deref() == Some(e.as_str());
        if !repeated {
            self.say(format!("error: {e}"));
        }
        *self.stats.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        false
    }

    /// One comparison (after a fetch when `fetch`), and the sync or self-heal it calls for.
    async fn pass(self: &Arc<Self>, fetch: bool) -> bool {
        self.stats.passes.fetch_add(1, Ordering::Relaxed);
        let mut state = self.state.lock().await;
        if fetch || state.fetched.is_none() {
            let fetched = self.source.lock().unwrap_or_else(|p| p.into_inner()).fetch();
            match fetched {
                Ok(rev) => state.fetched = Some(rev),
                Err(e) => return self.fail(e),
            }
        }
        let revision = state.fetched.clone().unwrap_or_default();
        match self.compare_and_sync(&mut state, &revision).await {
            Ok(()) => {
                *self.stats.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                true
            }
            Err(e) => self.fail(e),
        }
    }

    async fn desired(&self, revision: &str) -> Result<Vec<Value>, String> {
        let files = self.source.lock().unwrap_or_else(|p| p.into_inner()).files(revision)?;
        let mut desired = simulator::argo::render::render(&self.spec, &files)?;
        reconcile::place_in_namespace(&self.options.app, &mut desired, &self.options.namespace);
        Ok(desired)
    }

    async fn compare_and_sync(self: &Arc<Self>, state: &mut State, revision: &str) -> Result<(), String> {
        let desired = self.desired(revision).await?;
        // How the cluster serves each kind the revision holds; refuse before writing anything.
        let mut kinds: BTreeMap<(String, String), Option<Kind>> = BTreeMap::new();
        for obj in &desired {
            let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = meta::kind(obj).to_string();
            if !kinds.contains_key(&(api_version.clone(), kind.clone())) {
                let found = self.ns.kind(&api_version, &kind).await?;
                kinds.insert((api_version, kind), found);
            }
        }
        let by_group: BTreeMap<(String, String), Option<bool>> = kinds
            .iter()
            .map(|((av, k), found)| ((split_api_version(av).0.to_string(), k.clone()), found.as_ref().map(|f| f.namespaced)))
            .collect();
        reconcile::check_scope(&desired, &self.options.namespace, |g, k| by_group.get(&(g.to_string(), k.to_string())).copied().flatten())
            .map_err(|e| format!("revision {} cannot be applied:\n{e}", short(revision)))?;
        for (key, kind) in kinds.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))) {
            state.tracked_kinds.insert(key, kind);
        }
        let mut live = Vec::new();
        for kind in state.tracked_kinds.values() {
            live.extend(self.ns.list(kind).await?);
        }
        self.ensure_watches(&state.tracked_kinds);
        let plan = reconcile::plan(&self.options.app, &desired, &live, &self.spec.ignore_differences);
        self.report_health(state, &desired, &live);
        let new_revision = state.synced.as_deref() != Some(revision);
        if new_revision {
            self.sync(state, revision, &plan, &live, "sync").await?;
            state.synced = Some(revision.to_string());
            state.heal_attempts = 0;
            state.out_of_sync_reported = false;
            *self.stats.revision.lock().unwrap_or_else(|p| p.into_inner()) = revision.to_string();
            return Ok(());
        }
        if plan.in_sync(self.options.prune) {
            state.out_of_sync_reported = false;
            return Ok(());
        }
        if !self.options.self_heal {
            if !state.out_of_sync_reported {
                state.out_of_sync_reported = true;
                self.say(format!("OutOfSync: {} (self-heal is off)", drift_list(&plan, self.options.prune)));
            }
            return Ok(());
        }
        let wait = simulator::argo::self_heal_backoff(state.heal_attempts);
        let ready = state.last_heal.map_or_else(Instant::now, |t| t + std::time::Duration::from_millis(wait.0));
        if ready > Instant::now() {
            if !state.heal_scheduled {
                state.heal_scheduled = true;
                self.say(format!("self-heal backs off {}s (attempt {})", wait.as_secs(), state.heal_attempts + 1));
                let trigger = self.trigger.clone();
                tokio::spawn(async move {
                    tokio::time::sleep_until(ready).await;
                    let _ = trigger.send(());
                });
            }
            return Ok(());
        }
        state.heal_scheduled = false;
        state.heal_attempts += 1;
        self.say(format!("self-heal: {}", drift_list(&plan, self.options.prune)));
        let result = self.sync(state, revision, &plan, &live, "self-heal").await;
        state.last_heal = Some(Instant::now());
        result
    }

    async fn sync(&self, state: &mut State, revision: &str, plan: &Plan, live: &[Value], reason: &str) -> Result<(), String> {
        let mut done = Vec::new();
        for obj in &plan.apply {
            let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = state
                .tracked_kinds
                .get(&(api_version.clone(), meta::kind(obj).to_string()))
                .cloned()
                .ok_or_else(|| format!("{} {}: kind not discovered", meta::kind(obj), meta::name(obj)))?;
            self.ns.apply(&kind, obj).await?;
            let name = ObjectKey::of(obj).map(|k| k.kubectl_ref()).unwrap_or_default();
            done.push(format!("{name} serverside-applied"));
        }
        if self.options.prune {
            for key in &plan.prune {
                let Some(obj) = live.iter().find(|l| ObjectKey::of(l).as_ref() == Some(key)) else { continue };
                let api_version = obj["apiVersion"].as_str().unwrap_or_default().to_string();
                let Some(kind) = state.tracked_kinds.get(&(api_version, key.kind.clone())).cloned() else { continue };
                self.ns.delete(&kind, key).await?;
                self.stats.pruned.fetch_add(1, Ordering::Relaxed);
                done.push(format!("{} pruned", key.kubectl_ref()));
            }
        } else if !plan.prune.is_empty() {
            let names: Vec<String> = plan.prune.iter().map(|k| k.kubectl_ref()).collect();
            self.say(format!("requires pruning (pass --prune): {}", names.join(", ")));
        }
        for hook in &plan.skipped_hooks {
            self.say(format!("{} skipped: the agent does not run hooks", hook.kubectl_ref()));
        }
        match reason {
            "sync" => self.stats.syncs.fetch_add(1, Ordering::Relaxed),
            _ => self.stats.heals.fetch_add(1, Ordering::Relaxed),
        };
        if done.is_empty() && reason == "sync" {
            self.say(format!("revision {} is already in the cluster", short(revision)));
        } else {
            self.say(format!(
                "{reason} to {}: {}",
                short(revision),
                if done.is_empty() { "nothing to do".into() } else { done.join(", ") }
            ));
        }
        if !done.is_empty() || reason == "sync" {
            let read = history::load(&self.config_maps, &self.options.app).await?;
            let entry =
                Entry { id: 0, revision: revision.to_string(), deployed_at: now_text(), resources: done, reason: reason.to_string() };
            let conflicts = history::record(&self.config_maps, &self.options.app, read, entry).await?;
            self.stats.conflicts.fetch_add(conflicts as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    fn report_health(&self, state: &mut State, desired: &[Value], live: &[Value]) {
        let tracked: Vec<Value> = live.iter().filter(|l| reconcile::is_tracked_by(&self.options.app, l)).cloned().collect();
        let (health, each) = reconcile::app_health(desired, &tracked);
        if state.health != Some(health) {
            state.health = Some(health);
            let worst = each
                .iter()
                .filter(|(_, a)| a.status == health && !a.message.is_empty())
                .map(|(k, a)| format!("{}: {}", k.kubectl_ref(), a.message))
                .next();
            self.say(format!("health {}{}", health.word(), worst.map(|w| format!(" ({w})")).unwrap_or_default()));
            *self.stats.health.lock().unwrap_or_else(|p| p.into_inner()) = health.word().to_string();
        }
    }

    /// Starts a watch on each kind not yet watched; any event about an object this
    /// app tracks asks for a pass.
    fn ensure_watches(self: &Arc<Self>, kinds: &BTreeMap<(String, String), Kind>) {
        let mut watched = self.watched.lock().unwrap_or_else(|p| p.into_inner());
        for (key, kind) in kinds {
            if !watched.insert(key.clone()) {
                continue;
            }
            let api = self.ns.watch_api(kind);
            let me = Arc::downgrade(self);
            let kind = kind.clone();
            let handle = tokio::spawn(async move {
                let mut events = watcher::watcher(api, watcher::Config::default()).default_backoff().boxed();
                let mut listed_once = false;
                while let Some(event) = events.next().await {
                    let Some(me) = me.upgrade() else { return };
                    let wake = match event {
                        Ok(watcher::Event::Apply(obj) | watcher::Event::Delete(obj)) => {
                            reconcile::is_tracked_by(&me.options.app, &cluster::to_value(&obj, &kind))
                        }
                        // A new list after a restart may hide changes made while the watch was down.
                        Ok(watcher::Event::InitDone) => {
                            me.stats.watch_lists.fetch_add(1, Ordering::Relaxed);
                            std::mem::replace(&mut listed_once, true)
                        }
                        Ok(_) => false,
                        Err(watcher::Error::WatchError(status)) if status.code == 410 => {
                            me.stats.watch_restarts.fetch_add(1, Ordering::Relaxed);
                            false
                        }
                        Err(_) => false,
                    };
                    if wake {
                        let _ = me.trigger.send(());
                    }
                }
            });
            self.watchers.lock().unwrap_or_else(|p| p.into_inner()).push(handle);
        }
    }
}

fn drift_list(plan: &Plan, prune: bool) -> String {
    let mut names: Vec<String> = plan.apply.iter().filter_map(ObjectKey::of).map(|k| k.kubectl_ref()).collect();
    if prune {
        names.extend(plan.prune.iter().map(|k| format!("{} (to prune)", k.kubectl_ref())));
    }
    names.join(", ")
}
