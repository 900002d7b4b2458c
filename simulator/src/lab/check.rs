//! Typed checks: predicates on the world that say what they expected and what they found.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event_match::EventMatch;
use super::journal_memo::{Answer, JournalMemo, Query};
use super::observed::Observed;
use crate::kube::meta::{self, ObjectKey};
use crate::kube::resource_type;
use crate::model::Model;

/// A predicate on the world.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Check {
    /// Every check holds.
    AllOf(Vec<Check>),
    /// At least one check holds.
    AnyOf(Vec<Check>),
    /// A command of this shape ran successfully (flags and their order do not matter;
    /// resource type names may be any of kubectl's aliases).
    CommandRun(String),
    /// The app's sync status and/or health are these now.
    AppStatus {
        app: String,
        #[serde(default)]
        sync: Option<String>,
        #[serde(default)]
        health: Option<String>,
    },
    /// Something happened to the app since the lab started.
    Happened { app: String, event: EventMatch },
    /// A live object's field (a dotted path) equals a value.
    LiveField { kind: String, namespace: String, name: String, path: String, equals: Value },
    /// A Deployment has this many ready replicas and no others.
    ReadyReplicas { namespace: String, deployment: String, count: i64 },
    /// A YAML field of a file on the remote's default branch equals a value.
    RemoteFile { path: String, field: String, equals: Value },
    /// The app is synced to the newest commit of its branch.
    SyncedToHead { app: String },
    /// A command of this shape ran and failed (a refusal the lab wants the trainee to see).
    CommandFailed(String),
    /// `argocd` acts as this user (after `argocd login`).
    LoggedInAs(String),
    /// The check holds in the comparison lab's push-pipeline twin.
    InPushWorld(Box<Check>),
    /// The object does not exist (any more), or is being deleted.
    Absent { kind: String, namespace: String, name: String },
    /// The app lists this resource as requiring pruning: gone from Git, still in the cluster.
    RequiresPruning { app: String, kind: String, name: String },
    /// The app's latest sync operation ended in this phase (`Succeeded`, `Failed`, `Error`).
    LastSync { app: String, phase: String },
    /// A hook of the app's latest sync ran with this result (`Succeeded`, `Failed`).
    Hook { app: String, name: String, status: String },
    /// No file on the remote's default branch holds a plain (unencrypted) Secret.
    NoSecretInGit,
    /// A pull request on the lab's repository is in this state (`OPEN`, `MERGED`), approved or not.
    PullRequest {
        state: String,
        #[serde(default)]
        approved: Option<bool>,
    },
    /// After the latest incident disturbed the app, it was Synced and Healthy again within this many seconds.
    Recovered {
        app: String,
        #[serde(rename = "withinSeconds")]
        within_seconds: u64,
    },
}

/// A check's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub passed: bool,
    pub expected: String,
    pub found: String,
}

impl Check {
    pub fn evaluate(&self, observed: &dyn Observed) -> CheckOutcome {
        self.evaluate_with(observed, &JournalMemo::default())
    }

    /// Evaluates the check, reading what `memo` already learnt from the journal instead of
    /// reading the journal again (the memo is moved on over events it has not seen).
    pub fn evaluate_with(&self, observed: &dyn Observed, memo: &JournalMemo) -> CheckOutcome {
        let world = observed.model();
        let ask = |query: Query| memo.answer(&query, world.journal());
        match self {
            Check::AllOf(checks) => {
                let outcomes: Vec<CheckOutcome> = checks.iter().map(|c| c.evaluate_with(observed, memo)).collect();
                let failed: Vec<&CheckOutcome> = outcomes.iter().filter(|o| !o.passed).collect();
                CheckOutcome {
                    passed: failed.is_empty(),
                    expected: outcomes.iter().map(|o| o.expected.clone()).collect::<Vec<_>>().join("; "),
                    found: if failed.is_empty() {
                        "all of them".into()
                    } else {
                        failed.iter().map(|o| o.found.clone()).collect::<Vec<_>>().join("; ")
                    },
                }
            }
            Check::AnyOf(checks) => {
                let outcomes: Vec<CheckOutcome> = checks.iter().map(|c| c.evaluate_with(observed, memo)).collect();
                CheckOutcome {
                    passed: outcomes.iter().any(|o| o.passed),
                    expected: outcomes.iter().map(|o| o.expected.clone()).collect::<Vec<_>>().join(" or "),
                    found: outcomes.iter().map(|o| o.found.clone()).collect::<Vec<_>>().join("; "),
                }
            }
            Check::InPushWorld(check) => match observed.push_world() {
                Some(twin) => {
                    let none = JournalMemo::default();
                    let o = check.evaluate_with(twin, memo.twin().unwrap_or(&none));
                    CheckOutcome {
                        passed: o.passed,
                        expected: format!("in the push world: {}", o.expected),
                        found: format!("in the push world: {}", o.found),
                    }
                }
                None => CheckOutcome {
                    passed: false,
                    expected: "a push world".into(),
                    found: "this lab has no push world (world.pushTwin)".into(),
                },
            },
            Check::CommandFailed(shape) => {
                let Answer::FirstFailure(failed) = ask(Query::Failed(shape.clone())) else { unreachable!("a failure query's answer") };
                CheckOutcome {
                    passed: failed.is_some(),
                    expected: format!("`{shape}` tried, and refused"),
                    found: match failed {
                        Some(code) => format!("`{shape}` was refused (exit code {code})"),
                        None => format!("`{shape}` not tried yet, or it succeeded"),
                    },
                }
            }
            Check::LoggedInAs(user) => CheckOutcome {
                passed: observed.argocd_user() == user,
                expected: format!("argocd logged in as {user}"),
                found: format!("argocd logged in as {}", observed.argocd_user()),
            },
            Check::Recovered { app, within_seconds } => {
                let expected = format!("{app} Synced and Healthy again within {within_seconds} s of the incident");
                let Answer::Recovery(state) = ask(Query::Recovery(app.clone())) else { unreachable!("a recovery query's answer") };
                match state.seconds() {
                    Some(Some(s)) => CheckOutcome {
                        passed: s <= *within_seconds,
                        expected,
                        found: format!("recovered {} after the incident", crate::time::go_duration(crate::time::SimDuration::secs(s))),
                    },
                    Some(None) => CheckOutcome { passed: false, expected, found: format!("{app} has not recovered yet") },
                    None => CheckOutcome { passed: false, expected, found: "no incident has disturbed it yet".into() },
                }
            }
            Check::Absent { kind, namespace, name } => super::check_more::absent(world, kind, namespace, name),
            Check::RequiresPruning { app, kind, name } => super::check_more::requires_pruning(world, app, kind, name),
            Check::LastSync { app, phase } => super::check_more::last_sync(world, app, phase),
            Check::Hook { app, name, status } => super::check_more::hook(world, app, name, status),
            Check::NoSecretInGit => super::check_more::no_secret_in_git(world),
            Check::PullRequest { state, approved } => super::check_more::pull_request(world, state, *approved),
            Check::CommandRun(shape) => {
                let ran = ask(Query::Ran(shape.clone())) == Answer::Seen(true);
                CheckOutcome {
                    passed: ran,
                    expected: format!("`{shape}` run successfully"),
                    found: if ran { format!("`{shape}` was run") } else { format!("`{shape}` not run yet") },
                }
            }
            Check::AppStatus { app, sync, health } => {
                let expected = [sync.clone(), health.clone()].into_iter().flatten().collect::<Vec<_>>().join(" and ");
                match world.agent().app(app) {
                    None => CheckOutcome { passed: false, expected: format!("{app} {expected}"), found: format!("no application {app}") },
                    Some(a) => {
                        let ok = sync.as_ref().is_none_or(|s| *s == a.status.sync_status)
                            && health.as_ref().is_none_or(|h| *h == a.status.health.status);
                        CheckOutcome {
                            passed: ok,
                            expected: format!("{app} {expected}"),
                            found: format!("{app} {} and {}", a.status.sync_status, a.status.health.status),
                        }
                    }
                }
            }
            Check::Happened { app, event } => {
                let hit = ask(Query::Happened(app.clone(), *event)) == Answer::Seen(true);
                let what = match event {
                    EventMatch::OutOfSync => "go OutOfSync",
                    EventMatch::SelfHealed => "self-heal",
                    EventMatch::Synced => "sync successfully",
                    EventMatch::Degraded => "turn Degraded",
                };
                CheckOutcome {
                    passed: hit,
                    expected: format!("{app} to {what}"),
                    found: if hit { format!("{app} did {what}") } else { format!("{app} has not yet had to {what}") },
                }
            }
            Check::LiveField { kind, namespace, name, path, equals } => {
                let expected = format!("{kind}/{name} {path} = {equals}");
                let Some(rt) = resource_type(kind) else {
                    return CheckOutcome { passed: false, expected, found: format!("unknown kind {kind}") };
                };
                let key = ObjectKey::new(rt.group, rt.kind, if rt.namespaced { namespace } else { "" }, name);
                match world.cluster().store.get(&key) {
                    None => CheckOutcome { passed: false, expected, found: format!("{kind}/{name} does not exist") },
                    Some(obj) => {
                        let found = field_at(obj, path).cloned().unwrap_or(Value::Null);
                        CheckOutcome { passed: values_equal(&found, equals), expected, found: format!("{path} = {found}") }
                    }
                }
            }
            Check::ReadyReplicas { namespace, deployment, count } => {
                let key = ObjectKey::new("apps", "Deployment", namespace, deployment);
                let expected = format!("deployment {deployment} with {count}/{count} ready pods");
                match world.cluster().store.get(&key) {
                    None => CheckOutcome { passed: false, expected, found: format!("no deployment {deployment}") },
                    Some(d) => {
                        let ready = meta::i64_at(d, &["status", "readyReplicas"]).unwrap_or(0);
                        let desired = meta::i64_at(d, &["spec", "replicas"]).unwrap_or(1);
                        let total = meta::i64_at(d, &["status", "replicas"]).unwrap_or(0);
                        let uid = meta::uid(d);
                        let pods =
                            world.cluster().store.list("", "Pod", Some(namespace)).filter(|p| is_descendant(world, p, uid)).count() as i64;
                        let ok = ready == *count && desired == *count && total == *count && pods == *count;
                        CheckOutcome { passed: ok, expected, found: format!("spec.replicas {desired}, {ready} ready, {pods} pods") }
                    }
                }
            }
            Check::RemoteFile { path, field, equals } => {
                let expected = format!("{path} {field} = {equals} on the remote");
                let Some(clone) = world.git().clones.first() else {
                    return CheckOutcome { passed: false, expected, found: "no repository".into() };
                };
                let Some(tip) = world.git().resolve_remote(&clone.remote_url, "HEAD") else {
                    return CheckOutcome { passed: false, expected, found: "an empty repository".into() };
                };
                let Some(text) = world.git().db.file(&tip, path) else {
                    return CheckOutcome { passed: false, expected, found: format!("{path} is not on the remote") };
                };
                let docs = crate::yaml::parse_documents(text, path).unwrap_or_default();
                let found = docs.iter().find_map(|d| field_at(d, field).cloned()).unwrap_or(Value::Null);
                CheckOutcome { passed: values_equal(&found, equals), expected, found: format!("{field} = {found} on the remote") }
            }
            Check::SyncedToHead { app } => {
                let expected = format!("{app} synced to the newest commit");
                match world.agent().app(app) {
                    None => CheckOutcome { passed: false, expected, found: format!("no application {app}") },
                    Some(a) => {
                        let head = world.git().resolve_remote(&a.spec.repo_url, &a.spec.target_revision).unwrap_or_default();
                        let ok = a.status.sync_status == "Synced" && a.status.revision == head;
                        let short = |s: &str| s[..s.len().min(7)].to_string();
                        CheckOutcome {
                            passed: ok,
                            expected,
                            found: format!("{} to {} (newest is {})", a.status.sync_status, short(&a.status.revision), short(&head)),
                        }
                    }
                }
            }
        }
    }

    /// Object names and kinds a check refers to, for `gitops-lab check`.
    /// The objects this check names in the world it runs in, as (kind as written, namespace, name);
    /// checks about the push twin are left out.
    pub fn objects(&self) -> Vec<(&str, &str, &str)> {
        match self {
            Check::AllOf(c) | Check::AnyOf(c) => c.iter().flat_map(Check::objects).collect(),
            Check::LiveField { kind, namespace, name, .. } => vec![(kind.as_str(), namespace.as_str(), name.as_str())],
            Check::ReadyReplicas { namespace, deployment, .. } => vec![("deployment", namespace.as_str(), deployment.as_str())],
            _ => vec![],
        }
    }

    pub fn apps(&self) -> Vec<&str> {
        match self {
            Check::AllOf(c) | Check::AnyOf(c) => c.iter().flat_map(Check::apps).collect(),
            Check::AppStatus { app, .. } | Check::Happened { app, .. } | Check::SyncedToHead { app } => vec![app.as_str()],
            Check::RequiresPruning { app, .. } | Check::LastSync { app, .. } | Check::Hook { app, .. } => vec![app.as_str()],
            _ => vec![],
        }
    }
}

/// Follows a dotted path; numeric segments index lists (`spec.template.spec.containers.0.image`),
/// and `\.` is a dot inside a key (`metadata.annotations.argocd\.argoproj\.io/sync-options`).
fn field_at<'a>(obj: &'a Value, path: &str) -> Option<&'a Value> {
    let segments: Vec<String> = path.replace("\\.", "\u{0}").split('.').map(|s| s.replace('\u{0}', ".")).collect();
    segments.iter().try_fold(obj, |v, seg| match v {
        Value::Array(items) => items.get(seg.parse::<usize>().ok()?),
        _ => v.get(seg.as_str()),
    })
}

fn values_equal(found: &Value, expected: &Value) -> bool {
    found == expected || found.as_str().is_some_and(|s| s == expected.to_string().trim_matches('"'))
}

fn is_descendant(world: &Model, pod: &Value, deploy_uid: &str) -> bool {
    meta::controller_uid(pod).and_then(|rs| world.cluster().store.get_by_uid(rs)).and_then(meta::controller_uid) == Some(deploy_uid)
}

/// A journal memo for every journal query in `checks`.
pub fn journal_memo_for<'a>(checks: impl IntoIterator<Item = &'a Check>) -> JournalMemo {
    let mut memo = JournalMemo::default();
    for c in checks {
        register(&mut memo, c);
    }
    memo
}

fn register(memo: &mut JournalMemo, check: &Check) {
    let query = match check {
        Check::AllOf(cs) | Check::AnyOf(cs) => {
            for c in cs {
                register(memo, c);
            }
            return;
        }
        Check::InPushWorld(c) => {
            register(memo.twin_mut(), c);
            return;
        }
        Check::CommandRun(shape) => Query::Ran(shape.clone()),
        Check::CommandFailed(shape) => Query::Failed(shape.clone()),
        Check::Happened { app, event } => Query::Happened(app.clone(), *event),
        Check::Recovered { app, .. } => Query::Recovery(app.clone()),
        _ => return,
    };
    memo.ask(query);
}
