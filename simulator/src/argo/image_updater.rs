//! Argo CD Image Updater: every two minutes it reads the Applications it is
//! asked to watch (by annotation), looks in the registry for a newer tag that
//! meets each image's constraint, and writes the update back to Git (the
//! `git` write-back method: a `.argocd-source-<app>.yaml` file, or the
//! kustomization itself), so Git stays the source of truth.

use serde_json::Value;

use crate::argo::{ARGOCD_NAMESPACE, render};
use crate::controllers::Cluster;
use crate::git::{Git, Signature, Snapshot};
use crate::kube::meta;
use crate::registry::{Registry, newest};
use crate::time::{SimDuration, SimTime};

const PREFIX: &str = "argocd-image-updater.argoproj.io/";
/// Image Updater's default check interval.
pub const INTERVAL_SECS: u64 = 120;

/// One update written back to Git.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteBack {
    pub app: String,
    pub image: String,
    pub from: String,
    pub to: String,
    pub repo: String,
    pub branch: String,
    pub old: String,
    pub new: String,
}

/// The updater's schedule.
#[derive(Clone, Debug, Default)]
pub struct ImageUpdater {
    pub next_run: Option<SimTime>,
}

impl ImageUpdater {
    pub fn start(now: SimTime) -> ImageUpdater {
        ImageUpdater { next_run: Some(now + SimDuration::secs(INTERVAL_SECS)) }
    }

    pub fn next_timer(&self) -> Option<SimTime> {
        self.next_run
    }

    /// Checks every annotated Application if a run is due; returns what it wrote back.
    pub fn run_due(&mut self, now: SimTime, cluster: &Cluster, git: &mut Git, registry: &Registry) -> Vec<WriteBack> {
        match self.next_run {
            Some(t) if t <= now => self.next_run = Some(now + SimDuration::secs(INTERVAL_SECS)),
            _ => return Vec::new(),
        }
        let apps: Vec<Value> = cluster.store.list("argoproj.io", "Application", Some(ARGOCD_NAMESPACE)).cloned().collect();
        let mut done = Vec::new();
        for app in apps {
            let annotations = app["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
            let Some(list) = annotations.get(&format!("{PREFIX}image-list")).and_then(Value::as_str) else { continue };
            let Ok(spec) = crate::argo::app::AppSpec::from_object(&app) else { continue };
            let Some(head) = git.resolve_remote(&spec.repo_url, &spec.target_revision) else { continue };
            let files = git.db.snapshot(&head);
            let current = current_images(&spec, &files);
            let branch = if spec.target_revision.is_empty() || spec.target_revision == "HEAD" {
                git.remotes.get(&spec.repo_url).map(|r| r.default_branch.clone()).unwrap_or_else(|| "main".into())
            } else {
                spec.target_revision.clone()
            };
            for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let (alias, image) = entry.split_once('=').unwrap_or((entry, entry));
                let (name, constraint) = split_constraint(image);
                let strategy = annotations.get(&format!("{PREFIX}{alias}.update-strategy")).and_then(Value::as_str).unwrap_or("semver");
                if strategy != "semver" {
                    continue;
                }
                let Some(from) = current.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()) else { continue };
                let Some(to) = registry.tags(name).and_then(|tags| newest(tags, constraint)) else { continue };
                let newer = crate::registry::Semver::parse(&to) > crate::registry::Semver::parse(&from);
                if !newer {
                    continue;
                }
                let method = annotations.get(&format!("{PREFIX}write-back-method")).and_then(Value::as_str).unwrap_or("argocd");
                if !method.starts_with("git") {
                    // The `argocd` method patches the Application; this simulator writes back to Git only.
                    continue;
                }
                let file = format!("{}/.argocd-source-{}.yaml", spec.path.trim_end_matches('/'), spec.name);
                let content = format!("kustomize:\n  images:\n  - {name}:{to}\n");
                let changes: Snapshot = [(file, content)].into();
                let sig = Signature { name: "argocd-image-updater".into(), email: "noreply@argoproj.io".into(), time: now };
                let message =
                    format!("build: automatic update of {}\n\nupdates image {} tag '{from}' to '{to}'\n", spec.name, short_name(name));
                if let Some((old, new)) = git.commit_to_remote(&spec.repo_url, &branch, &changes, &sig, &message) {
                    done.push(WriteBack {
                        app: spec.name.clone(),
                        image: name.to_string(),
                        from,
                        to,
                        repo: spec.repo_url.clone(),
                        branch: branch.clone(),
                        old,
                        new,
                    });
                }
            }
        }
        done
    }
}

/// `civica.azurecr.io/payments/payment-service:~2.3` is the image and its constraint.
fn split_constraint(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((name, c)) if !c.contains('/') => (name, c),
        _ => (image, ""),
    }
}

/// `payments/payment-service`, as Image Updater names images in its messages.
fn short_name(image: &str) -> &str {
    image.split_once('/').map_or(image, |(_, rest)| rest)
}

/// Each container image the app renders, as (name, tag).
fn current_images(spec: &crate::argo::app::AppSpec, files: &Snapshot) -> Vec<(String, String)> {
    let Ok(objects) = render::render(spec, files) else { return Vec::new() };
    let mut out = Vec::new();
    for obj in objects {
        for path in [&["spec", "template", "spec", "containers"][..], &["spec", "containers"][..]] {
            for c in meta::at(&obj, path).and_then(Value::as_array).into_iter().flatten() {
                if let Some((name, tag)) = c["image"].as_str().and_then(|i| i.rsplit_once(':')) {
                    out.push((name.to_string(), tag.to_string()));
                }
            }
        }
    }
    out
}
