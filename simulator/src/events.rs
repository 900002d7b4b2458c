//! The world's journal: everything that happened, in order, as typed events.
//! Lab checks read it, the timeline draws it, and replays compare it.

use serde::{Deserialize, Serialize};

use crate::time::SimTime;

/// One thing that happened in the world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The four phases of the reconciliation loop the course names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoopPhase {
    Commit,
    Detect,
    CompareAndApply,
    Verify,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum EventKind {
    /// A terminal command ran.
    Command { line: String, tool: String, exit_code: i32 },
    /// A commit was pushed to a remote branch.
    Push { repo: String, branch: String, old: Option<String>, new: String },
    /// The agent polled Git for an app.
    Poll { app: String },
    /// A Git webhook told the agent about a push.
    Webhook { app: String },
    /// A watch event on a managed object made the agent look again.
    WatchTriggered { app: String, object: String },
    /// The agent compared Git with the cluster.
    Compared { app: String, revision: String, sync: String, health: String },
    /// The app's sync status changed.
    SyncStatusChanged { app: String, from: String, to: String },
    /// The app's health changed.
    HealthChanged { app: String, from: String, to: String },
    /// A self-heal attempt has to wait out its back-off.
    SelfHealBackoff { app: String, attempt: u32, wait_seconds: u64 },
    /// A sync operation started.
    SyncStarted { app: String, revision: String, initiated_by: String, self_heal: bool, resources: usize },
    /// A sync operation ended.
    SyncFinished { app: String, revision: String, phase: String, message: String, self_heal: bool },
    /// A lab step passed.
    StepPassed { step: String },
    /// A lab incident was injected.
    Incident { name: String },
    /// Argo CD Image Updater wrote a newer image tag back to Git.
    ImageUpdated { app: String, image: String, from: String, to: String },
    /// Flux's source-controller fetched a new revision.
    FluxFetched { source: String, revision: String },
    /// Flux's kustomize-controller applied a revision (every interval, drift or not).
    FluxApplied { kustomization: String, revision: String, changed: usize, pruned: usize },
    /// A push queued a run of the push pipeline.
    PipelineQueued { run: u64, commit: String },
    /// A pipeline run started on a runner.
    PipelineStarted { run: u64 },
    /// A pipeline run ran `kubectl apply` and ended; it will not look at the cluster again.
    PipelineFinished { run: u64, commit: String, success: bool },
}

impl EventKind {
    /// The loop phase this event belongs to, if any.
    pub fn loop_phase(&self) -> Option<LoopPhase> {
        match self {
            EventKind::Push { .. } | EventKind::ImageUpdated { .. } => Some(LoopPhase::Commit),
            EventKind::Poll { .. } | EventKind::Webhook { .. } | EventKind::WatchTriggered { .. } | EventKind::FluxFetched { .. } => {
                Some(LoopPhase::Detect)
            }
            EventKind::FluxApplied { .. } => Some(LoopPhase::CompareAndApply),
            EventKind::Compared { .. }
            | EventKind::SyncStarted { .. }
            | EventKind::SyncFinished { .. }
            | EventKind::SelfHealBackoff { .. }
            | EventKind::SyncStatusChanged { .. } => Some(LoopPhase::CompareAndApply),
            EventKind::HealthChanged { .. } => Some(LoopPhase::Verify),
            _ => None,
        }
    }

    /// A one-line description for the timeline and the terminal's event log.
    pub fn describe(&self) -> String {
        match self {
            EventKind::Command { line, exit_code, .. } => format!("$ {line} (exit {exit_code})"),
            EventKind::Push { branch, new, .. } => {
                format!("pushed {} to {branch}", &new[..7.min(new.len())])
            }
            EventKind::Poll { app } => format!("{app}: polled Git"),
            EventKind::Webhook { app } => format!("{app}: webhook received"),
            EventKind::WatchTriggered { app, object } => format!("{app}: watch event on {object}"),
            EventKind::Compared { app, revision, sync, health } => {
                format!("{app}: compared with {} → {sync}, {health}", &revision[..7.min(revision.len())])
            }
            EventKind::SyncStatusChanged { app, from, to } => format!("{app}: {from} → {to}"),
            EventKind::HealthChanged { app, from, to } => format!("{app}: health {from} → {to}"),
            EventKind::SelfHealBackoff { app, attempt, wait_seconds } => {
                format!("{app}: self-heal attempt {attempt} waits {wait_seconds}s")
            }
            EventKind::SyncStarted { app, revision, initiated_by, self_heal, .. } => {
                let what = if *self_heal { "self-heal sync" } else { "sync" };
                format!("{app}: {what} to {} started by {initiated_by}", &revision[..7.min(revision.len())])
            }
            EventKind::SyncFinished { app, phase, message, .. } => format!("{app}: sync {phase}: {message}"),
            EventKind::StepPassed { step } => format!("step passed: {step}"),
            EventKind::Incident { name } => format!("incident: {name}"),
            EventKind::ImageUpdated { app, image, from, to } => format!("image updater: {app}: {image} {from} → {to}, written back to Git"),
            EventKind::FluxFetched { source, revision } => format!("flux: GitRepository {source} fetched {revision}"),
            EventKind::FluxApplied { kustomization, revision, changed, pruned } => {
                format!("flux: Kustomization {kustomization} applied {revision} ({changed} changed, {pruned} pruned)")
            }
            EventKind::PipelineQueued { run, commit } => format!("pipeline run {run} queued for {}", &commit[..7.min(commit.len())]),
            EventKind::PipelineStarted { run } => format!("pipeline run {run} started: checkout, kubectl set-context"),
            EventKind::PipelineFinished { run, commit, success } => format!(
                "pipeline run {run} {} kubectl apply of {}; it will not look again",
                if *success { "succeeded:" } else { "failed:" },
                &commit[..7.min(commit.len())]
            ),
        }
    }

    /// The tag the timeline shows: the loop phase, or what else this is; `None` for what it leaves out.
    pub fn timeline_label(&self) -> Option<&'static str> {
        if let Some(phase) = self.loop_phase() {
            return Some(phase.label());
        }
        match self {
            EventKind::PipelineQueued { .. } | EventKind::PipelineStarted { .. } | EventKind::PipelineFinished { .. } => {
                Some("push pipeline")
            }
            EventKind::Incident { .. } => Some("incident"),
            _ => None,
        }
    }
}

impl LoopPhase {
    /// The phase's name as the course gives it.
    pub fn label(self) -> &'static str {
        match self {
            LoopPhase::Commit => "commit",
            LoopPhase::Detect => "detect",
            LoopPhase::CompareAndApply => "compare and apply",
            LoopPhase::Verify => "verify",
        }
    }
}
