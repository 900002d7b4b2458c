//! A push-style deployment pipeline, as a CI server runs one: on every push to
//! its branch it checks out the commit and runs `kubectl apply` with the
//! cluster credentials it holds, then never looks at the cluster again.
//!
//! It is the "traditional CI/CD" side of the course's comparison: what it
//! deploys is whatever Git said at the last push, and drift in between goes
//! unnoticed (fire-and-forget).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::argo::app::AppSpec;
use crate::controllers::Cluster;
use crate::events::{Event, EventKind};
use crate::git::Git;
use crate::kube::{ObjectKey, apply, meta};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// What a lab declares about its pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PipelineSpec {
    /// The workflow's name, as `gh run list` shows it.
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    /// The folder applied with `kubectl apply` (a kustomization is built first, as `kubectl apply -k`).
    pub path: String,
    /// The namespace for objects that name none.
    pub namespace: String,
    /// Seconds a run waits for a free runner.
    #[serde(default = "default_queue_seconds")]
    pub queue_seconds: u64,
    /// Seconds from a run's start to its `kubectl apply` (checkout, setup, login).
    #[serde(default = "default_run_seconds")]
    pub run_seconds: u64,
}

/// A run's state, in GitHub Actions' words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    InProgress,
    Success,
    Failure,
}

/// One run of the pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineRun {
    pub id: u64,
    pub commit: String,
    /// The commit's subject.
    pub title: String,
    pub queued_at: SimTime,
    pub started_at: Option<SimTime>,
    pub finished_at: Option<SimTime>,
    pub status: RunStatus,
    /// The run's log: each step and what `kubectl apply` printed.
    pub log: Vec<String>,
}

/// The pipeline and its runs.
#[derive(Clone, Debug)]
pub struct Pipeline {
    pub spec: PipelineSpec,
    pub repo_url: String,
    pub runs: Vec<PipelineRun>,
    next_id: u64,
}

impl Pipeline {
    pub fn new(spec: PipelineSpec, repo_url: &str, rng: &mut SimRng) -> Pipeline {
        // Run ids look like GitHub's: ten digits.
        let next_id = 7_000_000_000 + rng.below(1_000_000_000);
        Pipeline { spec, repo_url: repo_url.into(), runs: Vec::new(), next_id }
    }

    /// A push to `branch` of `repo` queues a run of its commit.
    pub fn on_push(&mut self, repo: &str, branch: &str, commit: &str, git: &Git, now: SimTime, journal: &mut Vec<Event>) {
        if repo != self.repo_url || branch != self.spec.branch {
            return;
        }
        let title = git.db.commit(commit).map(|c| c.subject().to_string()).unwrap_or_default();
        let id = self.next_id;
        self.next_id += 1 + (id % 7);
        self.runs.push(PipelineRun {
            id,
            commit: commit.into(),
            title,
            queued_at: now,
            started_at: None,
            finished_at: None,
            status: RunStatus::Queued,
            log: Vec::new(),
        });
        journal.push(Event { at: now, kind: EventKind::PipelineQueued { run: id, commit: commit.into() } });
    }

    /// When a queued run starts or a running one applies.
    pub fn next_timer(&self) -> Option<SimTime> {
        self.runs
            .iter()
            .filter_map(|r| match r.status {
                RunStatus::Queued => Some(r.queued_at + SimDuration::secs(self.spec.queue_seconds)),
                RunStatus::InProgress => r.started_at.map(|s| s + SimDuration::secs(self.spec.run_seconds)),
                _ => None,
            })
            .min()
    }

    /// Starts and finishes the runs that are due; returns whether anything happened.
    pub fn run_due(&mut self, now: SimTime, cluster: &mut Cluster, git: &Git, rng: &mut SimRng, journal: &mut Vec<Event>) -> bool {
        let mut worked = false;
        let spec = self.spec.clone();
        for run in &mut self.runs {
            if run.status == RunStatus::Queued && run.queued_at + SimDuration::secs(spec.queue_seconds) <= now {
                run.status = RunStatus::InProgress;
                run.started_at = Some(now);
                run.log.push(format!("Run actions/checkout@v4 ({})", crate::git::diff::short(&run.commit)));
                run.log.push("Run azure/k8s-set-context@v4 (using the KUBECONFIG secret)".into());
                journal.push(Event { at: now, kind: EventKind::PipelineStarted { run: run.id } });
                worked = true;
            }
            if run.status == RunStatus::InProgress && !git.reachable(&self.repo_url) {
                run.log.push(crate::git::Git::unreachable_error(&self.repo_url));
                run.log.push("Error: The process '/usr/bin/git' failed with exit code 128".into());
                run.status = RunStatus::Failure;
                run.finished_at = Some(now);
                journal
                    .push(Event { at: now, kind: EventKind::PipelineFinished { run: run.id, commit: run.commit.clone(), success: false } });
                worked = true;
                continue;
            }
            if run.status == RunStatus::InProgress && run.started_at.is_some_and(|s| s + SimDuration::secs(spec.run_seconds) <= now) {
                run.log.push(format!(
                    "Run kubectl apply {} {}",
                    if is_kustomize(git, &run.commit, &spec.path) { "-k" } else { "-f" },
                    spec.path
                ));
                let (lines, ok) = deploy(&spec, &self.repo_url, &run.commit, cluster, git, now, rng);
                run.log.extend(lines);
                run.status = if ok { RunStatus::Success } else { RunStatus::Failure };
                run.finished_at = Some(now);
                journal.push(Event { at: now, kind: EventKind::PipelineFinished { run: run.id, commit: run.commit.clone(), success: ok } });
                worked = true;
            }
        }
        worked
    }

    /// Applies the pipeline's path at `commit` straight away, recorded as the run that installed the app.
    pub fn deploy_now(&mut self, commit: &str, cluster: &mut Cluster, git: &Git, now: SimTime, rng: &mut SimRng) -> Result<(), String> {
        let (applied, ok) = deploy(&self.spec, &self.repo_url, commit, cluster, git, now, rng);
        if !ok {
            return Err(applied.join("\n"));
        }
        let mut lines = vec![
            format!("Run actions/checkout@v4 ({})", crate::git::diff::short(commit)),
            "Run azure/k8s-set-context@v4 (using the KUBECONFIG secret)".to_string(),
            format!("Run kubectl apply {} {}", if is_kustomize(git, commit, &self.spec.path) { "-k" } else { "-f" }, self.spec.path),
        ];
        lines.extend(applied);
        let queued_at = now - SimDuration::secs(self.spec.queue_seconds + self.spec.run_seconds);
        self.runs.push(PipelineRun {
            id: self.next_id,
            commit: commit.into(),
            title: git.db.commit(commit).map(|c| c.subject().to_string()).unwrap_or_default(),
            queued_at,
            started_at: Some(queued_at + SimDuration::secs(self.spec.queue_seconds)),
            finished_at: Some(now),
            status: RunStatus::Success,
            log: lines,
        });
        self.next_id += 3;
        Ok(())
    }
}

fn is_kustomize(git: &Git, commit: &str, path: &str) -> bool {
    crate::kustomize::is_kustomization_dir(&git.db.snapshot(commit), path)
}

/// `kubectl apply` of the path at `commit`: the lines it prints and whether it succeeded.
fn deploy(
    spec: &PipelineSpec,
    repo: &str,
    commit: &str,
    cluster: &mut Cluster,
    git: &Git,
    now: SimTime,
    rng: &mut SimRng,
) -> (Vec<String>, bool) {
    let source = AppSpec::for_path(&spec.name, repo, &spec.path, commit, &spec.namespace, false);
    let objects = match crate::argo::render::render(&source, &git.db.snapshot(commit)) {
        Ok(o) => o,
        Err(e) => return (vec![format!("error: {e}"), "Error: Process completed with exit code 1.".into()], false),
    };
    let mut lines = Vec::new();
    let mut ok = true;
    for mut obj in objects {
        if let Some(annotations) = obj.get_mut("metadata").and_then(|m| m.get_mut("annotations")).and_then(Value::as_object_mut) {
            annotations.remove(crate::argo::render::TRACKING_ID);
        }
        let (group, _) = crate::kube::split_api_version(obj["apiVersion"].as_str().unwrap_or(""));
        let namespaced = crate::kube::resource_type_for(group, obj["kind"].as_str().unwrap_or("")).is_none_or(|r| r.namespaced);
        if meta::namespace(&obj).is_empty() && namespaced {
            meta::ensure_map(&mut obj, &["metadata"]).insert("namespace".into(), Value::String(spec.namespace.clone()));
        }
        let Some(key) = ObjectKey::of(&obj) else { continue };
        let live = cluster.store.get(&key).cloned();
        let merged = apply::merge(live.as_ref(), &obj);
        let word = match &live {
            None => cluster.store.create(merged, now, rng).map(|_| "created"),
            Some(before) => cluster.store.update(merged, now, rng).map(|after| {
                let version = |o: &Value| o.get("metadata").and_then(|m| m.get("resourceVersion")).cloned();
                if version(&after) == version(before) { "unchanged" } else { "configured" }
            }),
        };
        match word {
            Ok(w) => lines.push(format!("{} {w}", key.kubectl_ref())),
            Err(e) => {
                lines.push(e.to_string());
                ok = false;
            }
        }
    }
    if !ok {
        lines.push("Error: Process completed with exit code 1.".into());
    }
    (lines, ok)
}

fn default_name() -> String {
    "deploy".into()
}

fn default_branch() -> String {
    "main".into()
}

fn default_queue_seconds() -> u64 {
    15
}

fn default_run_seconds() -> u64 {
    40
}
