//! A sync operation, as gitops-engine runs one: tasks planned by phase
//! (PreSync, Sync, PostSync, SyncFail), wave, kind and name; a dry run first;
//! then one (phase, wave) group applied per step, hooks and (in multi-step
//! syncs) resources waited for until healthy, two seconds between waves.
//! `Operation::step` is re-entrant: the agent calls it again when its timer fires.

use serde_json::{Value, json};

use super::app::{AppSpec, ResourceResult};
use super::health::{self, Health};
use super::render::TRACKING_ID;
use crate::kube::{ObjectKey, Store, apply, meta, resource_type_for, split_api_version};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

pub mod hook_names;
mod prune_waves;

/// Argo CD's kind order within a wave (gitops-engine `sync_tasks.go`); other kinds go last.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The pause between sync waves (`ARGOCD_SYNC_WAVE_DELAY`).
pub const WAVE_DELAY: SimDuration = SimDuration::secs(2);
/// How often a waiting operation looks again.
const RECHECK: SimDuration = SimDuration::secs(1);

pub const HOOK: &str = "argocd.argoproj.io/hook";
pub const HOOK_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

/// What to sync and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRequest {
    pub revision: String,
    pub prune: bool,
    pub dry_run: bool,
    /// Only these resources (a self-heal or `--resource` sync); `None` syncs the whole app.
    pub resources: Option<Vec<ObjectKey>>,
    pub initiated_by: String,
    pub automated: bool,
    pub self_heal_attempts: u32,
    /// How often a failed attempt is retried, and the waits between.
    pub retry: RetryPolicy,
}
pub use super::app::RetryPolicy;

/// The phases of a sync, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyncPhase {
    PreSync,
    Sync,
    PostSync,
    SyncFail,
}

impl SyncPhase {
    pub fn word(self) -> &'static str {
        match self {
            SyncPhase::PreSync => "PreSync",
            SyncPhase::Sync => "Sync",
            SyncPhase::PostSync => "PostSync",
            SyncPhase::SyncFail => "SyncFail",
        }
    }

    fn parse(word: &str) -> Option<SyncPhase> {
        match word.trim() {
            "PreSync" => Some(SyncPhase::PreSync),
            "Sync" => Some(SyncPhase::Sync),
            "PostSync" => Some(SyncPhase::PostSync),
            "SyncFail" => Some(SyncPhase::SyncFail),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TaskState {
    Pending,
    Running,
    Succeeded,
    Failed,
}

#[derive(Clone, Debug)]
struct Task {
    key: ObjectKey,
    /// The manifest to apply; `None` for a prune.
    obj: Option<Value>,
    phase: SyncPhase,
    wave: i64,
    hook: bool,
    state: TaskState,
    /// The kubectl-style result (`deployment.apps/x configured`, `pruned`, an error).
    message: String,
    result: &'static str,
}

impl Task {
    fn group(&self) -> (SyncPhase, i64) {
        (self.phase, self.wave)
    }

    fn label(&self) -> String {
        format!("{}/{}/{}", self.key.group, self.key.kind, self.key.name)
    }
}

pub use super::app::OpPhase;

/// A sync operation in progress.
#[derive(Clone, Debug)]
pub struct Operation {
    pub request: SyncRequest,
    pub phase: OpPhase,
    pub message: String,
    tasks: Vec<Task>,
    create_namespace: Option<String>,
    dry_run_done: bool,
    multi_step: bool,
    sync_fail_started: bool,
}

/// What the operation wants next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Call `step` again at this time.
    At(SimTime),
    /// The operation has completed.
    Done,
}

fn annotation_wave(obj: &Value) -> i64 {
    meta::annotation(obj, SYNC_WAVE).and_then(|w| w.trim().parse().ok()).or_else(|| crate::helm::hooks::weight(obj)).unwrap_or(0)
}

fn kind_rank(kind: &str) -> usize {
    KIND_ORDER.iter().position(|k| *k == kind).unwrap_or(KIND_ORDER.len())
}

/// Where an object goes in a sync's apply order: its wave, then its kind's rank
/// (then, for the caller, its name), as gitops-engine orders a phase's tasks.
pub fn apply_order_key(obj: &Value) -> (i64, usize) {
    (annotation_wave(obj), kind_rank(meta::kind(obj)))
}

/// The hook phases an object declares, if it is a hook.
pub fn hook_phases(obj: &Value) -> Option<Vec<SyncPhase>> {
    let Some(text) = meta::annotation(obj, HOOK) else {
        // Helm's hooks, as Argo CD maps them.
        return crate::helm::hooks::is_hook(obj)
            .then(|| crate::helm::hooks::argo_hook_types(obj).into_iter().filter_map(SyncPhase::parse).collect());
    };
    Some(text.split(',').filter_map(SyncPhase::parse).collect())
}

/// Whether an object is a hook (or `Skip`): such objects have no sync status and no health in the app.
pub fn is_hook(obj: &Value) -> bool {
    meta::annotation(obj, HOOK).is_some() || crate::helm::hooks::is_hook(obj)
}

fn has_sync_option(obj: &Value, option: &str) -> bool {
    meta::annotation(obj, SYNC_OPTIONS).is_some_and(|o| o.split(',').any(|x| x.trim() == option))
}

impl Operation {
    /// Plans the tasks for `desired` (and prunes of `extras`).
    pub fn plan(
        app: &AppSpec,
        project: &super::project::Project,
        desired: &[Value],
        extras: &[ObjectKey],
        live: &Store,
        req: SyncRequest,
    ) -> Operation {
        let wanted = |key: &ObjectKey| req.resources.as_ref().is_none_or(|r| r.contains(key));
        let mut tasks = Vec::new();
        for obj in desired {
            let Some(key) = ObjectKey::of(obj) else { continue };
            match hook_phases(obj) {
                // Hooks run on full syncs only, in each phase they name.
                Some(phases) => {
                    if req.resources.is_none() {
                        for phase in phases {
                            tasks.push(Task {
                                key: key.clone(),
                                obj: Some(obj.clone()),
                                phase,
                                wave: annotation_wave(obj),
                                hook: true,
                                state: TaskState::Pending,
                                message: String::new(),
                                result: "Synced",
                            });
                        }
                    }
                }
                None if wanted(&key) => {
                    if req.resources.is_none()
                        && app.has_option("ApplyOutOfSyncOnly=true")
                        && live.get(&key).is_some_and(|l| super::diff::is_synced_ignoring(obj, l, &app.ignore_differences))
                    {
                        continue;
                    }
                    tasks.push(Task {
                        key,
                        obj: Some(obj.clone()),
                        phase: SyncPhase::Sync,
                        wave: annotation_wave(obj),
                        hook: false,
                        state: TaskState::Pending,
                        message: String::new(),
                        result: "Synced",
                    });
                }
                None => {}
            }
        }
        for key in extras.iter().filter(|k| wanted(k)) {
            tasks.push(Task {
                key: key.clone(),
                obj: None,
                phase: SyncPhase::Sync,
                wave: live.get(key).map(annotation_wave).unwrap_or(0),
                hook: false,
                state: TaskState::Pending,
                message: String::new(),
                result: "Pruned",
            });
        }
        prune_waves::reorder(&mut tasks, app.has_option("PruneLast=true"), live);
        tasks.sort_by_key(|t| (t.phase, t.wave, kind_rank(&t.key.kind), t.key.name.clone()));
        let mut invalid = Vec::new();
        for t in tasks.iter_mut() {
            if t.obj.as_ref().is_some_and(|o| !project.permits(o)) {
                t.state = TaskState::Failed;
                t.message = format!("resource {}:{} is not permitted in project {}", t.key.group, t.key.kind, project.name);
                invalid.push(t.message.clone());
            }
        }
        let mut groups: Vec<(SyncPhase, i64)> = tasks.iter().filter(|t| t.phase != SyncPhase::SyncFail).map(Task::group).collect();
        groups.dedup();
        let create_namespace =
            (app.has_option("CreateNamespace=true") && !app.dest_namespace.is_empty()).then(|| app.dest_namespace.clone());
        let mut op = Operation {
            request: req,
            phase: OpPhase::Running,
            message: "one or more tasks are running".into(),
            tasks,
            create_namespace,
            dry_run_done: false,
            multi_step: groups.len() > 1,
            sync_fail_started: false,
        };
        if let Some(first) = invalid.first() {
            op.dry_run_done = true;
            op.finish(OpPhase::Failed, &format!("one or more synchronization tasks are not valid: {first}"));
        }
        op
    }

    /// The per-resource results so far, in task order (hooks included).
    pub fn results(&self) -> Vec<ResourceResult> {
        self.tasks
            .iter()
            .filter(|t| t.state != TaskState::Pending)
            .map(|t| {
                let version = t.obj.as_ref().and_then(|o| o["apiVersion"].as_str()).map(|v| split_api_version(v).1.to_string());
                let version =
                    version.unwrap_or_else(|| resource_type_for(&t.key.group, &t.key.kind).map(|r| r.version).unwrap_or("v1").to_string());
                let status = if t.hook {
                    match t.state {
                        TaskState::Succeeded => "Succeeded",
                        TaskState::Failed => "Failed",
                        _ => "Running",
                    }
                } else if t.state == TaskState::Failed {
                    "SyncFailed"
                } else {
                    t.result
                };
                ResourceResult {
                    group: t.key.group.clone(),
                    version,
                    kind: t.key.kind.clone(),
                    namespace: t.key.namespace.clone(),
                    name: t.key.name.clone(),
                    status: status.into(),
                    message: t.message.clone(),
                    sync_phase: t.phase.word().into(),
                    hook_type: if t.hook { t.phase.word().into() } else { String::new() },
                }
            })
            .collect()
    }

    /// Asks the operation to stop (`argocd app terminate-op`).
    pub fn terminate(&mut self) {
        if !self.phase.completed() {
            self.phase = OpPhase::Terminating;
        }
    }

    /// Moves the operation on as far as it can at `now`.
    pub fn step(&mut self, app: &AppSpec, store: &mut Store, now: SimTime, rng: &mut SimRng) -> Next {
        if self.phase.completed() {
            return Next::Done;
        }
        if self.phase == OpPhase::Terminating {
            return self.finish(OpPhase::Failed, "Operation terminated");
        }
        if !self.dry_run_done {
            self.dry_run_done = true;
            if let Some(reason) = self.dry_run(store) {
                for t in self.tasks.iter_mut().filter(|t| t.phase != SyncPhase::SyncFail) {
                    t.state = TaskState::Failed;
                    t.message = reason.clone();
                }
                return self.finish(OpPhase::Failed, "one or more objects failed to apply (dry run)");
            }
            if self.request.dry_run {
                for t in self.tasks.iter_mut().filter(|t| t.phase != SyncPhase::SyncFail) {
                    t.state = TaskState::Succeeded;
                    let live = store.get(&t.key).is_some();
                    t.message = match (&t.obj, live) {
                        (None, _) if self.request.prune => "pruned (dry run)".into(),
                        (None, _) => "ignored (requires pruning)".into(),
                        (Some(_), true) => format!("{} configured (dry run)", t.key.kubectl_ref()),
                        (Some(_), false) => format!("{} created (dry run)", t.key.kubectl_ref()),
                    };
                }
                return self.finish(OpPhase::Succeeded, "successfully synced (all tasks run)");
            }
            if let Some(ns) = self.create_namespace.clone() {
                if !store.namespace_exists(&ns) {
                    let _ = store.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}), now, rng);
                }
            }
        }
        // Update the tasks still running from their live state.
        let multi = self.multi_step;
        for t in self.tasks.iter_mut().filter(|t| t.state == TaskState::Running) {
            let waits_for_health = t.hook || multi;
            if !waits_for_health {
                t.state = TaskState::Succeeded;
                continue;
            }
            let assessed = store.get(&t.key).map(|o| health::health(o));
            t.state = match assessed {
                // A hook that is gone was deleted by its policy after success.
                None if t.hook => TaskState::Succeeded,
                None => TaskState::Running,
                Some(None) => TaskState::Succeeded,
                Some(Some(a)) => match a.status {
                    Health::Healthy => TaskState::Succeeded,
                    Health::Degraded | Health::Unknown if t.hook || a.status == Health::Degraded => {
                        t.message = a.message.clone();
                        TaskState::Failed
                    }
                    _ => TaskState::Running,
                },
            };
        }
        let running: Vec<&Task> = self.tasks.iter().filter(|t| t.state == TaskState::Running).collect();
        if let Some(first) = running.first() {
            let what = if first.hook {
                format!("waiting for completion of hook {}", first.label())
            } else {
                format!("waiting for healthy state of {}", first.label())
            };
            let more = running.len() - 1;
            self.message = match more {
                0 => what,
                n => format!("{what} and {n} more {}", if running.iter().skip(1).all(|t| t.hook) { "hooks" } else { "resources" }),
            };
            return Next::At(now + RECHECK);
        }
        // Pruned objects that are still terminating (finalizers) are waited for.
        let deleting: Vec<&Task> = self
            .tasks
            .iter()
            .filter(|t| t.obj.is_none() && t.result == "Pruned" && store.get(&t.key).is_some_and(meta::is_terminating))
            .collect();
        if let Some(first) = deleting.first() {
            let what = format!("waiting for deletion of {}", first.label());
            self.message = match deleting.len() - 1 {
                0 => what,
                n => format!("{what} and {n} more resources"),
            };
            return Next::At(now + RECHECK);
        }
        if self.sync_fail_started {
            self.delete_hooks(store, now, "HookFailed");
            return self.finish(OpPhase::Failed, "one or more synchronization tasks completed unsuccessfully");
        }
        if self.tasks.iter().any(|t| t.state == TaskState::Failed) {
            return self.fail_with_hooks(store, now, rng, "one or more synchronization tasks completed unsuccessfully");
        }
        let Some(group) =
            self.tasks.iter().filter(|t| t.state == TaskState::Pending && t.phase != SyncPhase::SyncFail).map(Task::group).min()
        else {
            self.delete_hooks(store, now, "HookSucceeded");
            return self.finish(OpPhase::Succeeded, "successfully synced (no more tasks)");
        };
        let mut failure = None;
        let prune = self.request.prune;
        for t in self.tasks.iter_mut().filter(|t| t.group() == group && t.state == TaskState::Pending) {
            match run_task(t, app, prune, store, now, rng) {
                // A prune is done once the delete is sent (gitops-engine's Pruned and PruneSkipped are Succeeded).
                Ok(()) if t.obj.is_none() => t.state = TaskState::Succeeded,
                Ok(()) => t.state = TaskState::Running,
                Err(reason) => {
                    t.state = TaskState::Failed;
                    t.message = reason.clone();
                    failure.get_or_insert(reason);
                }
            }
        }
        if let Some(reason) = failure {
            return self.fail_with_hooks(store, now, rng, &format!("one or more objects failed to apply, reason: {reason}"));
        }
        let last = !self.tasks.iter().any(|t| t.state == TaskState::Pending && t.phase != SyncPhase::SyncFail);
        let has_hooks = self.tasks.iter().any(|t| t.group() == group && t.hook);
        if last && !has_hooks && !self.multi_step {
            for t in self.tasks.iter_mut().filter(|t| t.state == TaskState::Running) {
                t.state = TaskState::Succeeded;
            }
            self.delete_hooks(store, now, "HookSucceeded");
            return self.finish(OpPhase::Succeeded, "successfully synced (all tasks run)");
        }
        if last && !has_hooks {
            // Argo CD reports success once the final wave is applied, even before it is healthy.
            for t in self.tasks.iter_mut().filter(|t| t.state == TaskState::Running && t.group() == group) {
                t.state = TaskState::Succeeded;
            }
            if !self.tasks.iter().any(|t| t.state == TaskState::Running) {
                self.delete_hooks(store, now, "HookSucceeded");
                return self.finish(OpPhase::Succeeded, "successfully synced (all tasks run)");
            }
        }
        self.message = "one or more tasks are running".into();
        Next::At(now + if last { RECHECK } else { WAVE_DELAY })
    }

    fn dry_run(&self, store: &Store) -> Option<String> {
        let creating: Vec<&str> =
            self.tasks.iter().filter(|t| t.key.kind == "Namespace" && t.key.group.is_empty()).map(|t| t.key.name.as_str()).collect();
        for t in self.tasks.iter().filter(|t| t.obj.is_some()) {
            let ns = &t.key.namespace;
            let namespaced = resource_type_for(&t.key.group, &t.key.kind).is_none_or(|r| r.namespaced);
            if namespaced
                && !ns.is_empty()
                && !store.namespace_exists(ns)
                && !creating.contains(&ns.as_str())
                && self.create_namespace.as_deref() != Some(ns.as_str())
            {
                return Some(format!("namespaces \"{ns}\" not found"));
            }
        }
        None
    }

    fn fail_with_hooks(&mut self, store: &mut Store, now: SimTime, rng: &mut SimRng, message: &str) -> Next {
        let has_fail_hooks = self.tasks.iter().any(|t| t.phase == SyncPhase::SyncFail);
        if has_fail_hooks && !self.sync_fail_started {
            self.sync_fail_started = true;
            self.message = message.to_string();
            let prune = self.request.prune;
            let app = AppSpec::placeholder();
            for t in self.tasks.iter_mut().filter(|t| t.phase == SyncPhase::SyncFail) {
                t.state = match run_task(t, &app, prune, store, now, rng) {
                    Ok(()) => TaskState::Running,
                    Err(_) => TaskState::Failed,
                };
            }
            return Next::At(now + RECHECK);
        }
        self.delete_hooks(store, now, "HookFailed");
        self.finish(OpPhase::Failed, message)
    }

    /// Deletes the completed hooks whose delete policy names `policy`: `HookSucceeded`
    /// hooks once the whole sync has succeeded, `HookFailed` hooks once it has failed.
    fn delete_hooks(&self, store: &mut Store, now: SimTime, policy: &str) {
        for t in self.tasks.iter().filter(|t| t.hook && t.state != TaskState::Pending && t.state != TaskState::Running) {
            if hook_delete_policies(t).contains(&policy) && store.get(&t.key).is_some() {
                let _ = store.delete(&t.key, now);
            }
        }
    }

    fn finish(&mut self, phase: OpPhase, message: &str) -> Next {
        self.phase = phase;
        self.message = message.to_string();
        Next::Done
    }
}

fn hook_delete_policies(t: &Task) -> Vec<&str> {
    let argo = t.obj.as_ref().and_then(|o| meta::annotation(o, HOOK_DELETE_POLICY));
    let helm = t.obj.as_ref().map(crate::helm::hooks::delete_policies).unwrap_or_default();
    let mut policies: Vec<&str> = argo.map(|a| a.split(',').map(str::trim).collect()).unwrap_or_default();
    policies.extend(helm);
    if policies.is_empty() {
        policies.push("BeforeHookCreation");
    }
    policies
}

/// Applies, creates (hooks) or prunes one task's object.
fn run_task(t: &mut Task, app: &AppSpec, prune: bool, store: &mut Store, now: SimTime, rng: &mut SimRng) -> Result<(), String> {
    let key = t.key.clone();
    let strip = |e: crate::kube::ApiError| match e {
        crate::kube::ApiError::NoKindMatch { kind, .. } => format!(
            "The Kubernetes API could not find {}/{kind} for requested resource {}/{}. Make sure the \"{kind}\" CRD is installed on the destination cluster.",
            key.group, key.namespace, key.name
        ),
        e => e
            .to_string()
            .trim_start_matches("Error from server (NotFound): ")
            .trim_start_matches("Error from server (AlreadyExists): ")
            .to_string(),
    };
    let Some(obj) = t.obj.clone() else {
        let no_prune = store.get(&t.key).is_some_and(|o| has_sync_option(o, "Prune=false"));
        if no_prune {
            t.result = "PruneSkipped";
            t.message = "ignored (no prune)".into();
        } else if !prune {
            t.result = "PruneSkipped";
            t.message = "ignored (requires pruning)".into();
        } else {
            let _ = store.delete(&t.key, now);
            t.result = "Pruned";
            t.message = "pruned".into();
        }
        return Ok(());
    };
    if t.hook {
        // The default delete policy replaces the previous run's hook object.
        if store.get(&t.key).is_some() {
            store.remove(&t.key, now);
        }
        let mut hook = apply::merge(None, &obj);
        meta::ensure_map(&mut hook, &["metadata", "annotations"]).remove(apply::LAST_APPLIED);
        store.create(hook, now, rng).map_err(strip)?;
        t.message = format!("{} created", t.key.kubectl_ref());
        return Ok(());
    }
    let live = store.get(&t.key).cloned();
    let replace = app.has_option("Replace=true") || has_sync_option(&obj, "Replace=true");
    let outcome = match &live {
        None => store.create(apply::merge(None, &obj), now, rng).map(|_| apply::ApplyOutcome::Created),
        Some(before) => {
            let next = if replace { replace_object(before, &obj) } else { apply::merge(Some(before), &obj) };
            store.update(next, now, rng).map(|after| {
                if meta::str_at(&after, &["metadata", "resourceVersion"]) == meta::str_at(before, &["metadata", "resourceVersion"]) {
                    apply::ApplyOutcome::Unchanged
                } else {
                    apply::ApplyOutcome::Configured
                }
            })
        }
    };
    match outcome {
        Ok(o) => {
            let word = if replace && o != apply::ApplyOutcome::Created { "replaced" } else { o.word() };
            t.message = format!("{} {word}", t.key.kubectl_ref());
            Ok(())
        }
        Err(e) => Err(strip(e)),
    }
}

/// `kubectl replace`: the manifest as it is, keeping only the object's identity.
fn replace_object(live: &Value, desired: &Value) -> Value {
    let mut next = desired.clone();
    if let Some(tracking) = meta::annotation(desired, TRACKING_ID) {
        meta::set_annotation(&mut next, TRACKING_ID, tracking);
    }
    if let (Some(status), Some(map)) = (live.get("status"), next.as_object_mut()) {
        map.insert("status".into(), status.clone());
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automated_retries_wait_5_10_20_40_80_seconds_capped_at_3_minutes() {
        let waits: Vec<u64> = (0..7).map(|n| RetryPolicy::AUTOMATED_DEFAULT.backoff(n).as_secs()).collect();
        assert_eq!(waits, vec![5, 10, 20, 40, 80, 160, 180]);
        assert_eq!(crate::argo::app::parse_go_duration("1m30s"), Some(SimDuration::secs(90)));
        assert_eq!(crate::argo::app::parse_go_duration("5x"), None);
        assert_eq!(SimTime::parse_rfc3339("2026-03-12T15:04:00Z").unwrap().kitchen(), "3:04PM");
        assert_eq!(SimTime::parse_rfc3339("2026-03-12T00:30:00Z").unwrap().kitchen(), "12:30AM");
    }
}
