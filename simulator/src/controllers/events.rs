//! Kubernetes Events, as controllers and the kubelet record them: what
//! `kubectl get events`, `kubectl events` and the Events section of
//! `kubectl describe` show. Repeats of the same event are counted, as the
//! API server's aggregation does; events older than an hour are not shown.

use serde_json::Value;

use crate::kube::meta;
use crate::time::{SimDuration, SimTime};

/// How long an event is kept (the API server's default `--event-ttl`).
pub const EVENT_TTL: SimDuration = SimDuration(3_600_000);
/// The most events kept in memory.
const MAX_EVENTS: usize = 2_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeEvent {
    pub namespace: String,
    /// `Deployment`, `ReplicaSet`, `Pod`...
    pub kind: String,
    pub name: String,
    pub uid: String,
    /// `Normal` or `Warning`.
    pub kind_of_event: &'static str,
    pub reason: String,
    pub message: String,
    /// The component that reported it, such as `deployment-controller` or `kubelet`.
    pub source: String,
    pub first: SimTime,
    pub last: SimTime,
    pub count: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Events {
    pub list: Vec<KubeEvent>,
}

impl Events {
    /// Records an event about `obj`; a repeat of the latest identical one is counted instead.
    pub fn record(&mut self, obj: &Value, warning: bool, reason: &str, message: String, source: &str, now: SimTime) {
        let (kind, name, namespace, uid) = (
            obj["kind"].as_str().unwrap_or_default().to_string(),
            meta::name(obj).to_string(),
            meta::namespace(obj).to_string(),
            meta::uid(obj).to_string(),
        );
        if let Some(e) = self.list.iter_mut().rev().find(|e| e.uid == uid && e.reason == reason && e.message == message) {
            e.count += 1;
            e.last = now;
            return;
        }
        self.list.push(KubeEvent {
            namespace,
            kind,
            name,
            uid,
            kind_of_event: if warning { "Warning" } else { "Normal" },
            reason: reason.into(),
            message,
            source: source.into(),
            first: now,
            last: now,
            count: 1,
        });
        if self.list.len() > MAX_EVENTS {
            self.list.drain(..self.list.len() - MAX_EVENTS);
        }
    }

    /// The events still kept at `now` (within the TTL), oldest first by their last occurrence.
    pub fn current(&self, now: SimTime) -> Vec<&KubeEvent> {
        let mut out: Vec<&KubeEvent> = self.list.iter().filter(|e| e.last + EVENT_TTL > now).collect();
        out.sort_by_key(|e| e.last);
        out
    }
}
