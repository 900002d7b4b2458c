//! The waves prune tasks run in, as gitops-engine assigns them (`getSyncTasks`):
//! pruning undoes creation, so the prune waves are mirrored (the highest wave is
//! pruned first), and `PruneLast` prunes go one wave after the last wave of the
//! Sync phase.

use std::collections::BTreeSet;

use super::{SyncPhase, Task, has_sync_option};
use crate::kube::Store;

/// Rewrites the waves of the prune tasks in `tasks` (those without a manifest).
pub(super) fn reorder(tasks: &mut [Task], prune_last_app: bool, live: &Store) {
    let waves: Vec<i64> = tasks.iter().filter(|t| t.obj.is_none()).map(|t| t.wave).collect::<BTreeSet<_>>().into_iter().collect();
    // A symmetric swap: the lowest prune wave trades places with the highest, and so on inwards.
    let mirrored = |wave: i64| waves.iter().position(|w| *w == wave).map(|i| waves[waves.len() - 1 - i]).unwrap_or(wave);
    for t in tasks.iter_mut().filter(|t| t.obj.is_none()) {
        t.wave = mirrored(t.wave);
    }
    // The last wave of the Sync phase counts the prune tasks as they now stand, and is never below 0.
    let last_sync_wave = tasks.iter().filter(|t| t.phase == SyncPhase::Sync).map(|t| t.wave).fold(0, i64::max);
    for t in tasks.iter_mut().filter(|t| t.obj.is_none()) {
        let prune_last = prune_last_app || live.get(&t.key).is_some_and(|o| has_sync_option(o, "PruneLast=true"));
        if prune_last {
            t.wave = last_sync_wave + 1;
        }
    }
}
