//! Argo CD Image Updater (v1.x): every two minutes it reads its `ImageUpdater`
//! resources (`argocd-image-updater.argoproj.io/v1alpha1`), each selecting
//! Applications by name pattern with the images to watch, looks in the
//! registry for a newer tag that meets each image's constraint, and writes the
//! update back to Git (the `git` write-back method: a
//! `.argocd-source-<app>.yaml` file), so Git stays the source of truth.
//!
//! The v0.x annotations on an Application (`argocd-image-updater.argoproj.io/image-list`
//! and friends) are read only when an `ImageUpdater` selects the app with
//! `useAnnotations: true`, as v1.x does; on their own they do nothing.

use serde_json::Value;

use crate::argo::{ARGOCD_NAMESPACE, render};
use crate::controllers::Cluster;
use crate::git::{Git, Signature, Snapshot};
use crate::kube::meta;
use crate::registry::{Registry, newest};
use crate::time::{SimDuration, SimTime};

const PREFIX: &str = "argocd-image-updater.argoproj.io/";
/// The API group of the `ImageUpdater` resource.
pub const GROUP: &str = "argocd-image-updater.argoproj.io";

/// One image an `ImageUpdater` asks to watch for one Application.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Watched {
    /// The image name with an optional constraint: `civica.azurecr.io/payments/payment-service:~2.3`.
    image: String,
    strategy: String,
    /// `git` (commit to the app's repository) or `argocd` (patch the Application).
    method: String,
}
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
            let watched = watched_images(cluster, &app);
            if watched.is_empty() {
                continue;
            }
            let Ok(spec) = crate::argo::app::AppSpec::from_object(&app) else { continue };
            let Some(head) = git.resolve_remote(&spec.repo_url, &spec.target_revision) else { continue };
            let files = git.db.snapshot(&head);
            let current = current_images(&spec, &files);
            let branch = if spec.target_revision.is_empty() || spec.target_revision == "HEAD" {
                git.remotes.get(&spec.repo_url).map(|r| r.default_branch.clone()).unwrap_or_else(|| "main".into())
            } else {
                spec.target_revision.clone()
            };
            for Watched { image, strategy, method } in watched {
                let (name, constraint) = split_constraint(&image);
                if strategy != "semver" {
                    continue;
                }
                let Some(from) = current.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()) else { continue };
                let Some(to) = registry.tags(name).and_then(|tags| newest(tags, constraint)) else { continue };
                let newer = crate::registry::Semver::parse(&to) > crate::registry::Semver::parse(&from);
                if !newer {
                    continue;
                }
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

/// The images the `ImageUpdater` resources ask to watch for this Application, in the order of
/// the resources' names and their entries.
fn watched_images(cluster: &Cluster, app: &Value) -> Vec<Watched> {
    let name = meta::name(app);
    let mut out = Vec::new();
    for updater in cluster.store.list(GROUP, "ImageUpdater", Some(meta::namespace(app))) {
        let spec = &updater["spec"];
        let method = |v: &Value| v["writeBackConfig"]["method"].as_str().map(String::from);
        let strategy_of = |v: &Value| v["commonUpdateSettings"]["updateStrategy"].as_str().map(String::from);
        let default_method = method(spec).unwrap_or_else(|| "argocd".into());
        let default_strategy = strategy_of(spec).unwrap_or_else(|| "semver".into());
        for r in spec["applicationRefs"].as_array().into_iter().flatten() {
            if !glob_matches(r["namePattern"].as_str().unwrap_or_default(), name) {
                continue;
            }
            let method = method(r).unwrap_or_else(|| default_method.clone());
            let strategy = strategy_of(r).unwrap_or_else(|| default_strategy.clone());
            if r["useAnnotations"].as_bool() == Some(true) {
                out.extend(annotated_images(app, &method));
                continue;
            }
            for img in r["images"].as_array().into_iter().flatten() {
                let Some(image) = img["imageName"].as_str() else { continue };
                out.push(Watched {
                    image: image.to_string(),
                    strategy: strategy_of(img).unwrap_or_else(|| strategy.clone()),
                    method: method.clone(),
                });
            }
        }
    }
    out
}

/// The legacy v0.x annotations of an Application, read for a ref with `useAnnotations: true`.
fn annotated_images(app: &Value, default_method: &str) -> Vec<Watched> {
    let annotations = app["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
    let get = |key: &str| annotations.get(&format!("{PREFIX}{key}")).and_then(Value::as_str);
    let Some(list) = get("image-list") else { return Vec::new() };
    let method = get("write-back-method").unwrap_or(default_method).to_string();
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|entry| {
            let (alias, image) = entry.split_once('=').unwrap_or((entry, entry));
            let strategy = get(&format!("{alias}.update-strategy")).unwrap_or("semver").to_string();
            Watched { image: image.to_string(), strategy, method: method.clone() }
        })
        .collect()
}

/// Matches a name against a pattern where `*` stands for any run of characters and `?` for one.
fn glob_matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    go(&p, &n)
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

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn name_patterns_match_as_globs() {
        assert!(glob_matches("payment-service-staging", "payment-service-staging"));
        assert!(glob_matches("payment-service-*", "payment-service-staging"));
        assert!(glob_matches("*-staging", "order-service-staging"));
        assert!(glob_matches("payment-service-???", "payment-service-dev"));
        assert!(!glob_matches("payment-service-*", "order-service-staging"));
        assert!(!glob_matches("", "payment-service"));
    }
}
