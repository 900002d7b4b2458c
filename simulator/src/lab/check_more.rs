//! Checks for the labs on pruning, sync phases and hooks, and secrets: each a predicate on the
//! world that says what it expected and what it found.

use serde_json::Value;

use super::CheckOutcome;
use crate::kube::{ObjectKey, resource_type};
use crate::model::Model;

/// The object does not exist (any more).
pub fn absent(world: &Model, kind: &str, namespace: &str, name: &str) -> CheckOutcome {
    let expected = format!("no {kind} {namespace}/{name}");
    let Some(rt) = resource_type(kind) else {
        return CheckOutcome { passed: false, expected, found: format!("unknown kind {kind}") };
    };
    let key = ObjectKey::new(rt.group, rt.kind, if rt.namespaced { namespace } else { "" }, name);
    match world.cluster().store.get(&key) {
        None => CheckOutcome { passed: true, expected, found: format!("{kind} {name} is gone") },
        Some(obj) if obj["metadata"]["deletionTimestamp"].is_string() => {
            CheckOutcome { passed: true, expected, found: format!("{kind} {name} is being deleted") }
        }
        Some(_) => CheckOutcome { passed: false, expected, found: format!("{kind} {name} still exists") },
    }
}

/// The app lists the resource as one that requires pruning (gone from Git, still live).
pub fn requires_pruning(world: &Model, app: &str, kind: &str, name: &str) -> CheckOutcome {
    let expected = format!("{app} lists {kind} {name} as requiring pruning");
    let Some(a) = world.agent().app(app) else {
        return CheckOutcome { passed: false, expected, found: format!("no application {app}") };
    };
    match a.status.resources.iter().find(|r| r.kind.eq_ignore_ascii_case(kind) && r.name == name) {
        None => CheckOutcome { passed: false, expected, found: format!("{app} does not list {kind} {name}") },
        Some(r) => CheckOutcome {
            passed: r.requires_pruning,
            expected,
            found: if r.requires_pruning { format!("{kind} {name} requires pruning") } else { format!("{kind} {name} is {}", r.status) },
        },
    }
}

/// The app's latest sync operation ended in this phase (Succeeded, Failed or Error).
pub fn last_sync(world: &Model, app: &str, phase: &str) -> CheckOutcome {
    let expected = format!("{app}'s last sync {phase}");
    let Some(a) = world.agent().app(app) else {
        return CheckOutcome { passed: false, expected, found: format!("no application {app}") };
    };
    match &a.status.operation_state {
        None => CheckOutcome { passed: false, expected, found: format!("{app} has not synced") },
        Some(op) => CheckOutcome { passed: op.phase == phase, expected, found: format!("{app}'s last sync: {}", op.phase) },
    }
}

/// A hook of the app's latest sync ran with this result.
pub fn hook(world: &Model, app: &str, name: &str, status: &str) -> CheckOutcome {
    let expected = format!("{app}'s hook {name} {status}");
    let Some(a) = world.agent().app(app) else {
        return CheckOutcome { passed: false, expected, found: format!("no application {app}") };
    };
    let result = a.status.operation_state.as_ref().and_then(|op| op.resources.iter().find(|r| r.name == name && !r.hook_type.is_empty()));
    match result {
        None => CheckOutcome { passed: false, expected, found: format!("the last sync of {app} ran no hook {name}") },
        Some(r) => CheckOutcome { passed: r.status == status, expected, found: format!("hook {name} {}", r.status) },
    }
}

/// No file on the remote's default branch holds a plain `kind: Secret`.
pub fn no_secret_in_git(world: &Model) -> CheckOutcome {
    let expected = "no plain Secret manifest in Git".to_string();
    let Some(clone) = world.git().clones.first() else {
        return CheckOutcome { passed: false, expected, found: "no repository".into() };
    };
    let Some(tip) = world.git().resolve_remote(&clone.remote_url, "HEAD") else {
        return CheckOutcome { passed: false, expected, found: "an empty repository".into() };
    };
    let plain: Vec<String> = world
        .git()
        .db
        .snapshot(&tip)
        .iter()
        .filter(|(path, text)| {
            (path.ends_with(".yaml") || path.ends_with(".yml"))
                && crate::yaml::parse_documents(text, path)
                    .unwrap_or_default()
                    .iter()
                    .any(|d| d["kind"] == Value::from("Secret") && d["apiVersion"] == Value::from("v1"))
        })
        .map(|(path, _)| path.clone())
        .collect();
    CheckOutcome {
        passed: plain.is_empty(),
        expected,
        found: if plain.is_empty() { "no Secret in Git".into() } else { format!("a plain Secret in Git: {}", plain.join(", ")) },
    }
}

/// Some pull request on the lab's repository is in this state (`OPEN`, `MERGED`), and approved
/// when `approved` says so.
pub fn pull_request(world: &Model, state: &str, approved: Option<bool>) -> CheckOutcome {
    let expected = match approved {
        Some(true) => format!("an approved pull request, {state}"),
        Some(false) => format!("a pull request not yet approved, {state}"),
        None => format!("a pull request, {state}"),
    };
    let Some(clone) = world.git().clones.first() else {
        return CheckOutcome { passed: false, expected, found: "no repository".into() };
    };
    let pulls = world.git().remotes.get(&clone.remote_url).map(|r| r.pulls.as_slice()).unwrap_or_default();
    let hit = pulls.iter().any(|p| p.state.word().eq_ignore_ascii_case(state) && approved.is_none_or(|a| p.approved() == a));
    let found = if pulls.is_empty() {
        "no pull request yet".to_string()
    } else {
        pulls
            .iter()
            .map(|p| format!("#{} {}{}", p.number, p.state.word(), if p.approved() { ", approved" } else { "" }))
            .collect::<Vec<_>>()
            .join("; ")
    };
    CheckOutcome { passed: hit, expected, found }
}
