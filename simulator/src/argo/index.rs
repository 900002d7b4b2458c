//! What keeps the agent's cost proportional to what changed rather than to the
//! number of Applications: each app's next timer in time order, which apps manage
//! an object or watch a namespace, the apps whose status may need publishing, the
//! Application objects changed since the last discovery, and the repository
//! snapshots the apps of one revision share.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::git::{Git, Oid, Snapshot};
use crate::kube::ObjectKey;
use crate::time::SimTime;

/// The most revisions whose files are kept at once (apps mostly share one or two).
const MAX_SNAPSHOTS: usize = 8;

#[derive(Clone, Debug, Default)]
pub(crate) struct AgentIndex {
    /// Each app's next due time, soonest first, and the time each app is filed under.
    timers: BTreeSet<(SimTime, String)>,
    filed: BTreeMap<String, SimTime>,
    /// Every app's name in order: an app's rank is the number of jitter draws made
    /// before its own in one pass over all apps (see `Agent::run_due`).
    order: Vec<String>,
    /// Apps whose status may differ from what was last written to their Application object.
    pub unpublished: BTreeSet<String>,
    /// Application objects (in Argo CD's namespace) created, changed or deleted since discovery.
    pub changed_apps: BTreeSet<String>,
    /// Which apps manage each object, and which watch each namespace.
    managed_by: BTreeMap<ObjectKey, BTreeSet<String>>,
    watching: BTreeMap<String, BTreeSet<String>>,
    /// For each namespace, a time by which every app watching it has a refresh queued (a
    /// health refresh was asked of them all, and none has refreshed or started watching
    /// since): asking again for that time or later changes no app, so it is skipped.
    health_queued: BTreeMap<String, SimTime>,
    /// The app whose tracking id each live object carries.
    pub tracked_of: BTreeMap<ObjectKey, String>,
    snapshots: BTreeMap<Oid, Arc<Snapshot>>,
}

impl AgentIndex {
    /// Files `app` under its next due time (or takes it off the timers).
    pub fn schedule(&mut self, app: &str, due: Option<SimTime>) {
        if self.filed.get(app).copied() == due {
            return;
        }
        if let Some(old) = self.filed.remove(app) {
            self.timers.remove(&(old, app.to_string()));
        }
        if let Some(t) = due {
            self.filed.insert(app.to_string(), t);
            self.timers.insert((t, app.to_string()));
        }
    }

    /// The soonest timer of any app.
    pub fn next(&self) -> Option<SimTime> {
        self.timers.first().map(|(t, _)| *t)
    }

    /// The apps with a timer due by `now`, in name order.
    pub fn due(&self, now: SimTime) -> BTreeSet<String> {
        self.timers.iter().take_while(|(t, _)| *t <= now).map(|(_, a)| a.clone()).collect()
    }

    /// Sets the names of every app, in order.
    pub fn set_order(&mut self, names: Vec<String>) {
        self.order = names;
    }

    /// How many apps sort before `app`.
    pub fn rank(&self, app: &str) -> usize {
        self.order.binary_search_by(|n| n.as_str().cmp(app)).unwrap_or_else(|i| i)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Records that `app` now manages `managed` and watches `namespaces`, having managed
    /// `old_managed` and watched `old_namespaces`.
    pub fn set_interest(
        &mut self,
        app: &str,
        old_managed: &BTreeSet<ObjectKey>,
        managed: &BTreeSet<ObjectKey>,
        old_namespaces: &BTreeSet<String>,
        namespaces: &BTreeSet<String>,
    ) {
        for key in old_managed.difference(managed) {
            remove_from(&mut self.managed_by, key, app);
        }
        for key in managed.difference(old_managed) {
            self.managed_by.entry(key.clone()).or_default().insert(app.to_string());
        }
        for ns in old_namespaces.difference(namespaces) {
            remove_from(&mut self.watching, ns, app);
        }
        for ns in namespaces.difference(old_namespaces) {
            self.watching.entry(ns.clone()).or_default().insert(app.to_string());
            self.health_queued.remove(ns);
        }
    }

    /// Whether every app watching `namespace` already has a refresh queued by `at`.
    pub fn health_queued_by(&self, namespace: &str, at: SimTime) -> bool {
        self.health_queued.get(namespace).is_some_and(|t| *t <= at)
    }

    /// Records that every app watching `namespace` now has a refresh queued by `at`.
    pub fn set_health_queued(&mut self, namespace: &str, at: SimTime) {
        self.health_queued.insert(namespace.to_string(), at);
    }

    /// Records that an app watching `namespaces` ran its queued refresh (it has none now).
    pub fn refreshed(&mut self, namespaces: &BTreeSet<String>) {
        for ns in namespaces {
            self.health_queued.remove(ns);
        }
    }

    /// Forgets an app that is gone.
    pub fn forget(&mut self, app: &str, managed: &BTreeSet<ObjectKey>, namespaces: &BTreeSet<String>) {
        self.set_interest(app, managed, &BTreeSet::new(), namespaces, &BTreeSet::new());
        self.schedule(app, None);
        self.unpublished.remove(app);
    }

    /// The apps that manage `key`.
    pub fn managers(&self, key: &ObjectKey) -> impl Iterator<Item = &String> {
        self.managed_by.get(key).into_iter().flatten()
    }

    /// The apps that watch `namespace`.
    pub fn watchers(&self, namespace: &str) -> impl Iterator<Item = &String> {
        self.watching.get(namespace).into_iter().flatten()
    }

    /// The files of a revision, shared by every app that renders it.
    pub fn snapshot(&mut self, git: &Git, revision: &str) -> Arc<Snapshot> {
        if let Some(s) = self.snapshots.get(revision) {
            return s.clone();
        }
        if self.snapshots.len() >= MAX_SNAPSHOTS {
            self.snapshots.clear();
        }
        let s = Arc::new(git.db.snapshot(revision));
        self.snapshots.insert(revision.to_string(), s.clone());
        s
    }
}

fn remove_from<K: Ord + Clone>(map: &mut BTreeMap<K, BTreeSet<String>>, key: &K, app: &str) {
    if let Some(set) = map.get_mut(key) {
        set.remove(app);
        if set.is_empty() {
            map.remove(key);
        }
    }
}
