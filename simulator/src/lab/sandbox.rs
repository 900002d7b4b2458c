//! Free play on any repo: a lab with no steps whose Git repo is a folder of
//! manifests and Argo CD Applications, so authors and trainees can explore
//! their own team's layout.

use std::collections::BTreeSet;

use super::{CommitSpec, Lab, RepoSpec, WorldSpec};
use crate::git::Snapshot;
use crate::kube::meta;

/// The URL a sandbox repo is served under when no Application names one.
pub const SANDBOX_REPO_URL: &str = "https://git.example.com/sandbox.git";
/// When every sandbox starts.
const SANDBOX_START: &str = "2026-03-12T09:00:00Z";

/// Builds a free-play lab over `files` (paths relative to the repo root).
/// Applications found in the repo are installed; with none, one app syncs the whole repo.
pub fn sandbox_lab(name: &str, mut files: Snapshot) -> Result<Lab, String> {
    if files.is_empty() {
        return Err("the folder holds no files".into());
    }
    let mut applications = Vec::new();
    // Only the cluster's own namespaces exist up front, as in a fresh cluster: an app whose
    // destination is missing needs `CreateNamespace=true`, or its sync fails (`namespaces "x" not found`).
    let namespaces: BTreeSet<String> = BTreeSet::new();
    let mut repo_url = None;
    for (path, text) in &files {
        if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
            continue;
        }
        let Ok(docs) = crate::yaml::parse_documents(text, path) else { continue };
        for doc in &docs {
            if meta::kind(doc) == "Application" && doc["apiVersion"].as_str().is_some_and(|v| v.starts_with("argoproj.io/")) {
                if !applications.contains(path) {
                    applications.push(path.clone());
                }
                repo_url = repo_url.or_else(|| doc["spec"]["source"]["repoURL"].as_str().map(String::from));
            }
        }
    }
    let repo_url = repo_url.unwrap_or_else(|| SANDBOX_REPO_URL.into());
    if applications.is_empty() {
        // Built as a value, not as text: a folder named `2024`, `true` or `a: b` stays a string.
        let app = serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": app_name(name), "namespace": "argocd"},
            "spec": {
                "project": "default",
                "source": {"repoURL": repo_url, "targetRevision": "HEAD", "path": ".", "directory": {"recurse": true}},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "default"},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true}},
            },
        });
        files.insert(".gitops-lab/sandbox-app.yaml".into(), crate::yaml::to_yaml(&app));
        applications.push(".gitops-lab/sandbox-app.yaml".into());
    }
    let history = vec![CommitSpec {
        author: "Sandbox <sandbox@gitops.lab>".into(),
        date: "2026-03-12T08:00:00Z".into(),
        message: format!("Import {name}"),
        files: files.keys().map(|p| (p.clone(), Some("@repo".to_string()))).collect(),
    }];
    let lab = Lab {
        id: "sandbox".into(),
        title: format!("Sandbox: {name}"),
        summary: "Free play on your own repository.".into(),
        minutes: 0,
        course_section: String::new(),
        story: format!("Your repository `{name}` is the GitOps repo; Argo CD runs its {} application(s).", applications.len()),
        world: WorldSpec {
            start: SANDBOX_START.into(),
            installed_at: None,
            repo: RepoSpec {
                url: repo_url,
                dir: format!("/home/trainee/{name}"),
                history,
                branches: Default::default(),
                protected_branches: Vec::new(),
            },
            namespaces: namespaces.into_iter().collect(),
            applications,
            agent: Default::default(),
            images: Default::default(),
            trainee: "Trainee <trainee@gitops.lab>".into(),
            kube_namespace: "default".into(),
            rbac: Default::default(),
            flux: Vec::new(),
            registry: Default::default(),
            image_updater: false,
            pipeline: None,
            push_twin: None,
        },
        steps: vec![],
        quiz: vec![],
        incidents: vec![],
        debrief: None,
        objectives: vec![],
        order: None,
        level: None,
        repo_files: files,
    };
    lab.validate("sandbox").map_err(|e| e.to_string())?;
    Ok(lab)
}

/// A folder's name as a Kubernetes object name: lower case, letters, digits and `-` only.
fn app_name(folder: &str) -> String {
    let mapped: String = folder.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let mut name = String::new();
    for part in mapped.split('-').filter(|p| !p.is_empty()) {
        if !name.is_empty() {
            name.push('-');
        }
        name.push_str(part);
    }
    name.truncate(63);
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() { "sandbox".into() } else { name }
}

/// Whether a path is worth loading into a sandbox repo (text manifests and docs, not Git's own files).
pub fn wanted_path(path: &str) -> bool {
    !path.split('/').any(|part| part == ".git" || part == "node_modules" || part == "target")
}
