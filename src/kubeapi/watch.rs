//! The watch cache: after every write and every clock tick the host compares
//! the store with what it saw last (by resourceVersion) and logs the changes
//! as ADDED, MODIFIED and DELETED events, which watches stream from. Changes
//! within one tick fold into one event, as a compacted watch cache's do. The
//! log keeps the newest events only; a watch from before them gets 410 Gone.

use serde_json::Value;
use simulator::kube::{ObjectKey, Store};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// The most events kept.
pub const MAX_EVENTS: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn word(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One logged change.
#[derive(Clone, Debug)]
pub struct Change {
    pub resource_version: u64,
    pub event_type: EventType,
    pub key: ObjectKey,
    pub object: Arc<Value>,
}

#[derive(Debug, Default)]
pub struct WatchCache {
    known: HashMap<ObjectKey, (String, Arc<Value>)>,
    log: VecDeque<Change>,
    /// Watches from this resourceVersion on can be served.
    oldest: u64,
    synced_at: Option<u64>,
}

impl WatchCache {
    /// A cache that knows the store as it is, with no history before it.
    pub fn new(store: &Store) -> WatchCache {
        let mut cache = WatchCache::default();
        cache.sync(store);
        cache.log.clear();
        cache.oldest = store.resource_version();
        cache
    }

    /// The oldest resourceVersion a watch may start from.
    pub fn oldest(&self) -> u64 {
        self.oldest
    }

    /// Logs what changed in the store since the last call.
    pub fn sync(&mut self, store: &Store) {
        let rv = store.resource_version();
        if self.synced_at == Some(rv) {
            return;
        }
        self.synced_at = Some(rv);
        let mut changes = Vec::new();
        let mut seen = std::collections::HashSet::with_capacity(self.known.len());
        for (key, obj) in store.all() {
            let object_rv = obj["metadata"]["resourceVersion"].as_str().unwrap_or_default();
            seen.insert(key);
            let event_type = match self.known.get(key) {
                None => EventType::Added,
                Some((known_rv, _)) if known_rv != object_rv => EventType::Modified,
                Some(_) => continue,
            };
            let object = Arc::new(obj.clone());
            self.known.insert(key.clone(), (object_rv.to_string(), object.clone()));
            changes.push(Change { resource_version: object_rv.parse().unwrap_or(rv), event_type, key: key.clone(), object });
        }
        let gone: Vec<ObjectKey> = self.known.keys().filter(|k| !seen.contains(k)).cloned().collect();
        for key in gone {
            if let Some((_, last)) = self.known.remove(&key) {
                let mut object = (*last).clone();
                object["metadata"]["resourceVersion"] = Value::String(rv.to_string());
                changes.push(Change { resource_version: rv, event_type: EventType::Deleted, key, object: Arc::new(object) });
            }
        }
        changes.sort_by_key(|c| c.resource_version);
        self.log.extend(changes);
        while self.log.len() > MAX_EVENTS {
            if let Some(c) = self.log.pop_front() {
                self.oldest = c.resource_version;
            }
        }
    }

    /// The changes after `since`, oldest first; `None` when `since` is older than the log.
    pub fn since(&self, since: u64) -> Option<Vec<Change>> {
        if since < self.oldest {
            return None;
        }
        let start = self.log.partition_point(|c| c.resource_version <= since);
        Some(self.log.iter().skip(start).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_additions_changes_and_deletions_and_forgets_nothing_it_keeps() {
        let mut world = simulator::Session::empty_cluster(1, simulator::SimTime(1_800_000_000_000));
        let mut cache = WatchCache::new(&world.cluster().store);
        let start = world.api_resource_version();
        let ns = simulator::kube::resource_type("ns").unwrap();
        let now = world.now();
        world
            .api_create(now, ns, "", serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}), false)
            .unwrap();
        cache.sync(&world.cluster().store);
        world.api_delete(now, ns, "", "team", false).unwrap();
        cache.sync(&world.cluster().store);
        let changes = cache.since(start).unwrap();
        let kinds: Vec<EventType> = changes.iter().filter(|c| c.key.name == "team").map(|c| c.event_type).collect();
        assert_eq!(kinds, vec![EventType::Added, EventType::Deleted]);
        assert!(cache.since(start - 1).is_none());
    }
}
