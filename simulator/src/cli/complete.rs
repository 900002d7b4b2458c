//! Tab completion for the terminal: commands, subcommands, flags and the
//! names in the world (resources, applications, files), computed from a
//! snapshot so a host can complete without holding the world.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::Host;
use crate::kube::RESOURCE_TYPES;

/// What completion can offer in one world, taken after each input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletionData {
    /// Object names by every name kubectl accepts for their type (`deploy`, `deployments`, ...).
    pub names: BTreeMap<String, Vec<String>>,
    pub namespaces: Vec<String>,
    pub apps: Vec<String>,
    pub projects: Vec<String>,
    /// Paths relative to the shell's current folder, folders ending in `/`.
    pub paths: Vec<String>,
    pub branches: Vec<String>,
    pub kustomizations: Vec<String>,
}

const KUBECTL: &[&str] =
    &["apply", "delete", "describe", "edit", "events", "explain", "get", "kustomize", "logs", "rollout", "scale", "set"];
const KUBECTL_FLAGS: &[&str] = &["--all-namespaces", "--namespace", "--output", "--replicas=", "-A", "-f", "-k", "-l", "-n", "-o"];
const OUTPUTS: &[&str] = &["json", "jsonpath=", "name", "wide", "yaml"];
const ROLLOUT: &[&str] = &["history", "restart", "status", "undo"];
const TYPES: &[&str] = &["applications", "configmaps", "deployments", "events", "namespaces", "nodes", "pods", "replicasets", "services"];
const GIT: &[&str] = &[
    "add", "blame", "branch", "checkout", "commit", "diff", "fetch", "log", "merge", "pull", "push", "remote", "reset", "revert", "show",
    "status", "switch",
];
const GIT_FLAGS: &[&str] = &["--allow-empty", "--graph", "--no-edit", "--oneline", "-am", "-m", "-n"];
const ARGOCD: &[&str] = &["account", "app", "login", "logout", "proj", "version"];
const ARGOCD_APP: &[&str] = &["delete", "diff", "get", "history", "list", "refresh", "rollback", "set", "sync", "terminate-op", "wait"];
const ARGOCD_FLAGS: &[&str] = &[
    "--auto-prune",
    "--hard-refresh",
    "--health",
    "--prune",
    "--refresh",
    "--revision",
    "--self-heal",
    "--sync",
    "--sync-policy",
    "--timeout",
];

impl CompletionData {
    pub fn of(world: &dyn Host) -> CompletionData {
        let store = &world.model().cluster().store;
        let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for rt in RESOURCE_TYPES {
            let mut found: Vec<String> = store.list(rt.group, rt.kind, None).map(|o| crate::kube::meta::name(o).to_string()).collect();
            found.sort();
            found.dedup();
            if found.is_empty() {
                continue;
            }
            for alias in [rt.plural, rt.singular].iter().chain(rt.short_names.iter()) {
                names.insert(alias.to_string(), found.clone());
            }
        }
        let namespaces = names.get("namespaces").cloned().unwrap_or_default();
        let apps: Vec<String> = world.model().agent().apps().map(|a| a.spec.name.clone()).collect();
        let projects = names.get("appprojects").cloned().unwrap_or_default();
        let clone = world.model().git().clone_at(&world.shell().cwd).and_then(|i| world.model().git().clones.get(i));
        let paths = clone.map(|c| relative_paths(c.worktree.keys(), &c.dir, &world.shell().cwd)).unwrap_or_default();
        let branches = clone.map(|c| c.branches.keys().cloned().collect()).unwrap_or_default();
        let kustomizations = world.model().flux().kustomizations.keys().cloned().collect();
        CompletionData { names, namespaces, apps, projects, paths, branches, kustomizations }
    }
}

/// Every way to complete the line's last word, as whole lines, sorted.
pub fn complete(data: &CompletionData, line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let ends_with_space = line.ends_with(' ') || line.is_empty();
    let (done, partial): (&[&str], &str) = if ends_with_space { (&words, "") } else { (&words[..words.len() - 1], words[words.len() - 1]) };
    let previous = done.last().copied().unwrap_or("");
    let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    // kubectl takes its flags anywhere (`kubectl -n payments logs pay`): the words are matched without them.
    let positional = if matches!(done.first(), Some(&"kubectl" | &"k")) { without_flags(done) } else { done.to_vec() };
    let candidates: Vec<String> = match positional.as_slice() {
        [] => owned(&super::tools::completed_names().collect::<Vec<_>>()),
        ["kubectl" | "k"] => owned(KUBECTL),
        ["kubectl" | "k", ..] if matches!(previous, "-n" | "--namespace") => data.namespaces.clone(),
        ["kubectl" | "k", ..] if matches!(previous, "-o" | "--output") => owned(OUTPUTS),
        ["kubectl" | "k", ..] if matches!(previous, "-f" | "-k") => paths(data, partial),
        ["kubectl" | "k", "rollout"] => owned(ROLLOUT),
        ["kubectl" | "k", "rollout", _] => {
            data.names.get("deployments").map(|n| n.iter().map(|d| format!("deployment/{d}")).collect()).unwrap_or_default()
        }
        ["kubectl" | "k", "get" | "describe" | "delete" | "edit" | "explain" | "scale"] => owned(TYPES),
        ["kubectl" | "k", "logs"] => data.names.get("pods").cloned().unwrap_or_default(),
        ["kubectl" | "k", "get" | "describe" | "delete" | "edit" | "scale", kind] if !partial.starts_with('-') => {
            data.names.get(*kind).cloned().unwrap_or_default()
        }
        ["kubectl" | "k", ..] => owned(KUBECTL_FLAGS),
        ["git"] => owned(GIT),
        ["git", "add" | "diff" | "blame" | "checkout" | "log" | "show"] if !partial.starts_with('-') => paths(data, partial),
        ["git", "switch" | "merge" | "branch" | "checkout", ..] => data.branches.clone(),
        ["git", ..] => owned(GIT_FLAGS),
        ["argocd"] => owned(ARGOCD),
        ["argocd", "app"] => owned(ARGOCD_APP),
        ["argocd", "proj"] => owned(&["get", "list"]),
        ["argocd", "proj", "get"] => data.projects.clone(),
        ["argocd", "app", "list"] => owned(&["-o"]),
        ["argocd", "app", _] if !partial.starts_with('-') => data.apps.clone(),
        ["argocd", "app", ..] => owned(ARGOCD_FLAGS),
        ["kustomize"] => owned(&["build", "edit"]),
        ["kustomize", "edit"] => owned(&["set"]),
        ["kustomize", "edit", "set"] => owned(&["image"]),
        ["flux"] => owned(&["get", "reconcile", "resume", "suspend"]),
        ["flux", "get"] => owned(&["kustomizations", "sources"]),
        ["flux", "get", "sources"] | ["flux", "reconcile", "source"] => owned(&["git"]),
        ["flux", "reconcile"] => owned(&["kustomization", "source"]),
        ["flux", "suspend" | "resume"] => owned(&["kustomization"]),
        ["flux", "reconcile" | "suspend" | "resume", "kustomization" | "ks"] => data.kustomizations.clone(),
        ["flux", "reconcile", "kustomization" | "ks", _] => owned(&["--with-source"]),
        ["gh"] => owned(&["run"]),
        ["gh", "run"] => owned(&["list", "view"]),
        ["cat" | "cd" | "ls" | "yq" | "kustomize", ..] => paths(data, partial),
        _ => Vec::new(),
    };
    let prefix: String = done.iter().map(|w| format!("{w} ")).collect();
    let mut lines: Vec<String> =
        candidates.into_iter().filter(|c| c.starts_with(partial) && c != partial).map(|c| format!("{prefix}{c}")).collect();
    lines.sort();
    lines.dedup();
    lines
}

/// kubectl's flags that take the next word as their value.
const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-f",
    "--filename",
    "-k",
    "-l",
    "--selector",
    "-c",
    "--container",
    "--replicas",
    "--tail",
    "--context",
];

/// The words without flags and the values they take, so a name is completed wherever the flags stand.
fn without_flags<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip_value = false;
    for w in words {
        if skip_value {
            skip_value = false;
        } else if w.starts_with('-') && w.len() > 1 {
            skip_value = KUBECTL_VALUE_FLAGS.contains(w);
        } else {
            out.push(*w);
        }
    }
    out
}

/// The paths one level below what is typed so far: `ap` offers `apps/`, not everything inside it.
fn paths(data: &CompletionData, partial: &str) -> Vec<String> {
    data.paths.iter().filter(|p| p.strip_prefix(partial).is_some_and(|rest| !rest.trim_end_matches('/').contains('/'))).cloned().collect()
}

/// The longest common start of the candidates, and whether it is a whole word (one candidate).
pub fn extend(line: &str, candidates: &[String]) -> Option<String> {
    let first = candidates.first()?;
    if candidates.len() == 1 {
        let done = first.ends_with('/') || first.ends_with('=');
        return Some(if done { first.clone() } else { format!("{first} ") });
    }
    let common: String =
        candidates.iter().fold(first.clone(), |acc, c| acc.chars().zip(c.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect());
    (common.len() > line.len()).then_some(common)
}

fn relative_paths<'a>(files: impl Iterator<Item = &'a String>, root: &str, cwd: &str) -> Vec<String> {
    let here = cwd.strip_prefix(root).unwrap_or("").trim_start_matches('/');
    let mut out = std::collections::BTreeSet::new();
    for f in files {
        let Some(rest) = (if here.is_empty() { Some(f.as_str()) } else { f.strip_prefix(&format!("{here}/")) }) else { continue };
        // Every folder along the way, and the file itself.
        let mut acc = String::new();
        for part in rest.split('/') {
            if !acc.is_empty() || part != rest {
                acc.push_str(part);
                if acc.len() < rest.len() {
                    out.insert(format!("{acc}/"));
                    acc.push('/');
                    continue;
                }
            }
            out.insert(rest.to_string());
            break;
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> CompletionData {
        let lab = crate::content::builtin_lab("drift-2am").unwrap();
        CompletionData::of(&crate::session::Session::new(1, &lab).unwrap())
    }

    #[test]
    fn completes_commands_subcommands_flags_and_names() {
        let d = data();
        assert_eq!(complete(&d, "kub"), vec!["kubectl", "kubeseal"]);
        assert_eq!(complete(&d, "kubec"), vec!["kubectl"]);
        assert!(complete(&d, "kubectl get ").contains(&"kubectl get deployments".to_string()));
        assert_eq!(complete(&d, "kubectl get deploy pay"), vec!["kubectl get deploy payment-service"]);
        assert_eq!(complete(&d, "kubectl get pods -n pay"), vec!["kubectl get pods -n payments"]);
        assert_eq!(complete(&d, "kubectl rollout undo dep"), vec!["kubectl rollout undo deployment/payment-service"]);
        assert_eq!(complete(&d, "argocd app sync p"), vec!["argocd app sync payment-service"]);
        assert!(complete(&d, "argocd app sync payment-service --").contains(&"argocd app sync payment-service --prune".to_string()));
        assert_eq!(complete(&d, "git rev"), vec!["git revert"]);
        assert_eq!(complete(&d, "cat apps/payment-service/dep"), vec!["cat apps/payment-service/deployment.yaml"]);
        assert_eq!(complete(&d, "cat ap"), vec!["cat apps/"]);
        assert!(complete(&d, "nosuchtool ").is_empty());
    }

    #[test]
    fn kubectl_names_complete_wherever_the_flags_stand() {
        let d = data();
        let pods = d.names.get("pods").cloned().unwrap_or_default();
        let pod = pods.first().expect("the drift lab runs pods");
        // The shortest start of its name no other pod shares.
        let start = (1..pod.len())
            .map(|n| &pod[..n])
            .find(|s| pods.iter().filter(|p| p.starts_with(s)).count() == 1)
            .expect("a start only this pod has");
        assert_eq!(complete(&d, &format!("kubectl logs -n payments {start}")), vec![format!("kubectl logs -n payments {pod}")]);
        assert_eq!(complete(&d, &format!("kubectl -n payments logs {start}")), vec![format!("kubectl -n payments logs {pod}")]);
        assert_eq!(
            complete(&d, &format!("kubectl describe pod -n payments {start}")),
            vec![format!("kubectl describe pod -n payments {pod}")]
        );
        assert_eq!(complete(&d, "kubectl -n payments get deploy pay"), vec!["kubectl -n payments get deploy payment-service"]);
        assert_eq!(complete(&d, "kubectl get pods -o wi"), vec!["kubectl get pods -o wide"]);
    }

    #[test]
    fn extending_stops_at_the_common_start() {
        assert_eq!(
            extend("kubectl get deploy pay", &["kubectl get deploy payment-service".into()]).as_deref(),
            Some("kubectl get deploy payment-service ")
        );
        assert_eq!(extend("cat ap", &["cat apps/".into()]).as_deref(), Some("cat apps/"));
        assert_eq!(extend("git re", &["git remote".into(), "git reset".into(), "git revert".into()]).as_deref(), None);
        assert_eq!(extend("git r", &["git remote".into(), "git reset".into(), "git revert".into()]).as_deref(), Some("git re"));
    }
}
