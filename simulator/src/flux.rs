//! Flux beside Argo CD: a source-controller and kustomize-controller as Flux
//! v2 runs them. A `GitRepository` fetches its branch every interval; a
//! `Kustomization` watches its source and applies a new artifact revision as
//! soon as the source has fetched it. Besides, at every one of its own
//! intervals it applies its path again, correcting any drift in the fields it
//! declares and pruning what left Git. There is no OutOfSync state: a
//! Kustomization is Ready or not, and drift lasts until the next interval.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

use crate::argo::app::AppSpec;
use crate::controllers::Cluster;
use crate::events::{Event, EventKind};
use crate::git::Git;
use crate::kube::{ObjectKey, apply, meta};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The namespace Flux's objects live in.
pub const FLUX_NAMESPACE: &str = "flux-system";
const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";
const KUSTOMIZE_GROUP: &str = "kustomize.toolkit.fluxcd.io";

/// A `GitRepository`'s runtime state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceState {
    pub name: String,
    pub url: String,
    pub branch: String,
    pub interval: SimDuration,
    pub suspended: bool,
    /// `main@sha1:<40 hex>` once fetched.
    pub revision: Option<String>,
    pub commit: Option<String>,
    pub next_fetch: SimTime,
    /// Why the last fetch failed, while it fails.
    pub fetch_error: Option<String>,
}

/// A `Kustomization`'s runtime state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KustomizationState {
    pub name: String,
    pub source: String,
    pub path: String,
    pub target_namespace: Option<String>,
    pub interval: SimDuration,
    pub prune: bool,
    pub suspended: bool,
    pub ready: Option<bool>,
    pub message: String,
    pub last_applied_revision: Option<String>,
    pub next_reconcile: SimTime,
    /// What it applied last time, for pruning.
    pub inventory: BTreeSet<ObjectKey>,
}

/// Flux's controllers.
#[derive(Clone, Debug, Default)]
pub struct Flux {
    pub sources: BTreeMap<String, SourceState>,
    pub kustomizations: BTreeMap<String, KustomizationState>,
}

impl Flux {
    /// Picks up new and changed GitRepository and Kustomization objects.
    pub fn discover(&mut self, cluster: &Cluster, now: SimTime) {
        let store = &cluster.store;
        let mut seen = BTreeSet::new();
        for obj in store.list(SOURCE_GROUP, "GitRepository", Some(FLUX_NAMESPACE)) {
            let name = meta::name(obj).to_string();
            seen.insert(name.clone());
            let interval = interval_of(obj, 60);
            let url = obj["spec"]["url"].as_str().unwrap_or_default().to_string();
            let branch = obj["spec"]["ref"]["branch"].as_str().unwrap_or("master").to_string();
            let suspended = obj["spec"]["suspend"].as_bool().unwrap_or(false);
            let state = self.sources.entry(name.clone()).or_insert_with(|| SourceState {
                name,
                url: url.clone(),
                branch: branch.clone(),
                interval,
                suspended,
                revision: None,
                commit: None,
                next_fetch: now,
                fetch_error: None,
            });
            state.url = url;
            state.branch = branch;
            state.interval = interval;
            state.suspended = suspended;
        }
        self.sources.retain(|n, _| seen.contains(n));
        let mut seen = BTreeSet::new();
        for obj in store.list(KUSTOMIZE_GROUP, "Kustomization", Some(FLUX_NAMESPACE)) {
            let name = meta::name(obj).to_string();
            seen.insert(name.clone());
            let interval = interval_of(obj, 600);
            let spec = &obj["spec"];
            let suspended = spec["suspend"].as_bool().unwrap_or(false);
            let state = self.kustomizations.entry(name.clone()).or_insert_with(|| KustomizationState {
                name,
                source: String::new(),
                path: String::new(),
                target_namespace: None,
                interval,
                prune: false,
                suspended,
                ready: None,
                message: "reconciliation in progress".into(),
                last_applied_revision: None,
                next_reconcile: now,
                inventory: BTreeSet::new(),
            });
            state.source = spec["sourceRef"]["name"].as_str().unwrap_or_default().to_string();
            state.path = spec["path"].as_str().unwrap_or("./").trim_start_matches("./").trim_end_matches('/').to_string();
            state.target_namespace = spec["targetNamespace"].as_str().map(String::from);
            state.interval = interval;
            state.prune = spec["prune"].as_bool().unwrap_or(false);
            if state.suspended && !suspended {
                // Resuming reconciles at once.
                state.next_reconcile = now;
            }
            state.suspended = suspended;
        }
        self.kustomizations.retain(|n, _| seen.contains(n));
    }

    /// After a jump in time (a lab's start): as if every object had just reconciled, the next
    /// fetch and apply are one interval away, so a lab can say exactly how long drift lasts.
    pub fn reschedule(&mut self, now: SimTime) {
        for s in self.sources.values_mut() {
            s.next_fetch = now + s.interval;
        }
        for k in self.kustomizations.values_mut() {
            k.next_reconcile = now + k.interval;
        }
    }

    /// When a fetch or a reconcile is next due.
    pub fn next_timer(&self) -> Option<SimTime> {
        let fetches = self.sources.values().filter(|s| !s.suspended).map(|s| s.next_fetch);
        let applies = self.kustomizations.values().filter(|k| !k.suspended).map(|k| k.next_reconcile);
        fetches.chain(applies).min()
    }

    /// Runs every fetch and reconcile that is due; returns whether anything ran.
    pub fn run_due(&mut self, now: SimTime, cluster: &mut Cluster, git: &Git, rng: &mut SimRng, journal: &mut Vec<Event>) -> bool {
        let mut worked = false;
        let due: Vec<String> = self.sources.values().filter(|s| !s.suspended && s.next_fetch <= now).map(|s| s.name.clone()).collect();
        for name in due {
            self.fetch(&name, now, git, journal);
            worked = true;
        }
        let due: Vec<String> =
            self.kustomizations.values().filter(|k| !k.suspended && k.next_reconcile <= now).map(|k| k.name.clone()).collect();
        for name in due {
            self.reconcile(&name, now, cluster, git, rng, journal);
            worked = true;
        }
        worked
    }

    /// The source-controller's fetch: the branch's newest commit becomes the artifact.
    pub fn fetch(&mut self, name: &str, now: SimTime, git: &Git, journal: &mut Vec<Event>) -> Option<String> {
        let source = self.sources.get_mut(name)?;
        source.next_fetch = now + source.interval;
        if !git.reachable(&source.url) {
            // Flux keeps serving the last artifact; only the source reports the failure.
            let host = source.url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default().to_string();
            source.fetch_error = Some(format!(
                "failed to checkout and determine revision: unable to clone '{}': dial tcp: lookup {host}: no such host",
                source.url
            ));
            return None;
        }
        source.fetch_error = None;
        let commit = git.resolve_remote(&source.url, &source.branch)?;
        let revision = format!("{}@sha1:{commit}", source.branch);
        let new_artifact = source.revision.as_ref() != Some(&revision);
        if new_artifact {
            journal.push(Event { at: now, kind: EventKind::FluxFetched { source: name.into(), revision: revision.clone() } });
        }
        source.revision = Some(revision.clone());
        source.commit = Some(commit);
        if new_artifact {
            // Kustomizations watch their source: a new artifact is applied at once, not at their next interval.
            for ks in self.kustomizations.values_mut().filter(|k| k.source == name && !k.suspended) {
                ks.next_reconcile = ks.next_reconcile.min(now);
            }
        }
        Some(revision)
    }

    /// The kustomize-controller's reconcile: build, apply (correcting drift), prune, report.
    pub fn reconcile(&mut self, name: &str, now: SimTime, cluster: &mut Cluster, git: &Git, rng: &mut SimRng, journal: &mut Vec<Event>) {
        let Some(ks) = self.kustomizations.get(name).cloned() else { return };
        let source = self.sources.get(&ks.source).cloned();
        let mut ks_next = ks.clone();
        ks_next.next_reconcile = now + ks.interval;
        let (Some(commit), Some(revision)) =
            (source.as_ref().and_then(|s| s.commit.clone()), source.as_ref().and_then(|s| s.revision.clone()))
        else {
            ks_next.ready = Some(false);
            ks_next.message = format!("GitRepository.source.toolkit.fluxcd.io '{}' not found or not ready", ks.source);
            self.kustomizations.insert(name.into(), ks_next);
            return;
        };
        let target = ks.target_namespace.clone().unwrap_or_else(|| "default".into());
        let spec = AppSpec::for_path(name, &source.map(|s| s.url).unwrap_or_default(), &ks.path, &commit, &target, true);
        let objects = match crate::argo::render::render(&spec, &git.db.snapshot(&commit)) {
            Ok(o) => o,
            Err(e) => {
                ks_next.ready = Some(false);
                ks_next.message = format!("kustomize build failed: {e}");
                self.kustomizations.insert(name.into(), ks_next);
                return;
            }
        };
        let mut inventory = BTreeSet::new();
        let mut changed = 0;
        for mut obj in objects {
            let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) else { continue };
            if let Some(annotations) = md.get_mut("annotations").and_then(Value::as_object_mut) {
                annotations.remove(crate::argo::render::TRACKING_ID);
                if annotations.is_empty() {
                    md.remove("annotations");
                }
            }
            let labels = meta::ensure_map(&mut obj, &["metadata", "labels"]);
            labels.insert("kustomize.toolkit.fluxcd.io/name".into(), json!(name));
            labels.insert("kustomize.toolkit.fluxcd.io/namespace".into(), json!(FLUX_NAMESPACE));
            let Some(key) = ObjectKey::of(&obj) else { continue };
            inventory.insert(key.clone());
            let live = cluster.store.get(&key).cloned();
            let merged = apply::merge(live.as_ref(), &obj);
            let result = match &live {
                None => cluster.store.create(merged, now, rng).map(|_| true),
                Some(before) => cluster.store.update(merged, now, rng).map(|after| {
                    after.get("metadata").and_then(|m| m.get("resourceVersion"))
                        != before.get("metadata").and_then(|m| m.get("resourceVersion"))
                }),
            };
            changed += usize::from(result.unwrap_or(false));
        }
        let mut pruned = 0;
        if ks.prune {
            for gone in ks.inventory.difference(&inventory) {
                if cluster.store.delete(gone, now).is_ok() {
                    pruned += 1;
                }
            }
        }
        ks_next.inventory = inventory;
        ks_next.ready = Some(true);
        ks_next.message = format!("Applied revision: {revision}");
        ks_next.last_applied_revision = Some(revision.clone());
        journal.push(Event { at: now, kind: EventKind::FluxApplied { kustomization: name.into(), revision, changed, pruned } });
        self.kustomizations.insert(name.into(), ks_next);
    }

    /// Writes each object's status, as `kubectl get kustomizations` and `flux get` read it.
    pub fn publish(&self, cluster: &mut Cluster, now: SimTime) {
        for s in self.sources.values() {
            let key = ObjectKey::new(SOURCE_GROUP, "GitRepository", FLUX_NAMESPACE, &s.name);
            let ready = s.revision.is_some() && s.fetch_error.is_none();
            let message = match (&s.fetch_error, &s.revision) {
                (Some(e), _) => e.clone(),
                (None, Some(r)) => format!("stored artifact for revision '{r}'"),
                (None, None) => "building artifact".into(),
            };
            let status = json!({
                "artifact": s.revision.as_ref().map(|r| json!({"revision": r})),
                "conditions": [condition(ready, if ready { "Succeeded" } else { "Progressing" }, &message)],
            });
            if cluster.store.get(&key).is_some_and(|o| o.get("status") != Some(&status)) {
                cluster.store.update_status(&key, status, now);
            }
        }
        for k in self.kustomizations.values() {
            let key = ObjectKey::new(KUSTOMIZE_GROUP, "Kustomization", FLUX_NAMESPACE, &k.name);
            let reason = match k.ready {
                Some(true) => "ReconciliationSucceeded",
                Some(false) => "ReconciliationFailed",
                None => "Progressing",
            };
            let status = json!({
                "lastAppliedRevision": k.last_applied_revision,
                "conditions": [condition(k.ready == Some(true), reason, &k.message)],
            });
            if cluster.store.get(&key).is_some_and(|o| o.get("status") != Some(&status)) {
                cluster.store.update_status(&key, status, now);
            }
        }
    }
}

fn condition(ready: bool, reason: &str, message: &str) -> Value {
    json!({"type": "Ready", "status": if ready { "True" } else { "False" }, "reason": reason, "message": message})
}

/// The shortest interval the world runs a Flux object at: `interval: 0s` would stop the clock
/// (every instant would be due again), so anything shorter waits one second.
pub const MIN_INTERVAL: SimDuration = SimDuration::secs(1);

fn interval_of(obj: &Value, default_secs: u64) -> SimDuration {
    let interval =
        meta::str_at(obj, &["spec", "interval"]).and_then(crate::argo::app::parse_go_duration).unwrap_or(SimDuration::secs(default_secs));
    interval.max(MIN_INTERVAL)
}
