//! The events a check can wait for, and whether a journal event is one of them.

use serde::{Deserialize, Serialize};

use crate::events::EventKind;

/// Kinds of event a check can wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EventMatch {
    /// The app went OutOfSync.
    OutOfSync,
    /// A self-heal sync succeeded.
    SelfHealed,
    /// A full sync (not self-heal) succeeded.
    Synced,
    /// The app's health became Degraded.
    Degraded,
}

/// Whether an event is `event` happening to `app`.
pub(crate) fn happened(kind: &EventKind, app: &str, event: EventMatch) -> bool {
    match (kind, event) {
        (EventKind::SyncStatusChanged { app: a, to, .. }, EventMatch::OutOfSync) => a == app && to == "OutOfSync",
        (EventKind::SyncFinished { app: a, phase, self_heal, .. }, EventMatch::SelfHealed) => {
            a == app && phase == "Succeeded" && *self_heal
        }
        (EventKind::SyncFinished { app: a, phase, self_heal, .. }, EventMatch::Synced) => a == app && phase == "Succeeded" && !*self_heal,
        (EventKind::HealthChanged { app: a, to, .. }, EventMatch::Degraded) => a == app && to == "Degraded",
        _ => false,
    }
}
