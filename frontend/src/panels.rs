//! The page's panels, each a function of the world: clock, guide, quiz,
//! editor, status and timeline.

use simulator::World;
use simulator::kube::meta;
use simulator::pipeline::RunStatus;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::msg::{Msg, Selected, Send};

/// An icon and a word: status is never shown by colour alone.
pub fn badge(word: &str) -> Html {
    let icon = match word {
        "Synced" | "Healthy" | "Running" | "Succeeded" | "passed" | "Ready" => "✔",
        "OutOfSync" => "⚠",
        "Progressing" | "Pending" | "Queued" | "ContainerCreating" | "Terminating" => "◌",
        "Degraded" | "Failed" | "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull" | "NotReady" | "Warning" => "✖",
        "Missing" | "Unknown" => "?",
        _ => "•",
    };
    html! { <span class={classes!("badge", word.to_lowercase())}><span aria-hidden="true">{icon}</span>{" "}{word}</span> }
}

pub fn clock(world: &World, speed: u32, auto_pause: bool, reset_asked: bool, send: &Send) -> Html {
    let speed_button = |s: u32, label: &str| {
        let pressed = (speed == s).to_string();
        html! { <button type="button" id={format!("speed-{s}")} aria-pressed={pressed} onclick={send.reform(move |_| Msg::SetSpeed(s))}>{label}</button> }
    };
    let now = world.now();
    // The countdown to the agent's next look at Git: the poll-and-jitter lessons made concrete.
    let next_poll = world.agent().next_poll().map(|t| t.0.saturating_sub(now.0).div_ceil(1000));
    html! {
        <div class="clock" role="group" aria-label="Simulated clock">
            <span class="time" aria-label="Simulated time" id="sim-time" title={now.rfc3339()}>
                <span class="sim-label">{"simulated "}</span>{now.clock()}
            </span>
            if let Some(s) = next_poll {
                <span class="next-poll" id="next-poll">{format!("next poll in {s} s")}</span>
            }
            { speed_button(0, "Pause") }
            { speed_button(1, "x1") }
            { speed_button(10, "x10") }
            { speed_button(60, "x60") }
            <button type="button" id="next-event" onclick={send.reform(|_| Msg::NextEvent)}>{"Next event"}</button>
            <button type="button" id="next-reconcile" disabled={world.agent().next_poll().is_none()} onclick={send.reform(|_| Msg::NextReconcile)}>{"Next reconcile"}</button>
            <label class="auto-pause" title="Stop the clock when an app first turns OutOfSync, so you can look">
                <input type="checkbox" id="auto-pause" checked={auto_pause}
                    onchange={send.reform(|e: Event| Msg::SetAutoPause(e.target_unchecked_into::<HtmlInputElement>().checked()))} />
                {" pause at key moments"}
            </label>
            <span class="reset-group">
                if reset_asked {
                    <span role="alert" class="reset-question">{"Start this lab again? Your steps and score are lost; a completed lab stays completed. "}</span>
                    <button type="button" id="reset-confirm" class="danger" onclick={send.reform(|_| Msg::Reset)}>{"Yes, reset"}</button>
                    <button type="button" id="reset-cancel" onclick={send.reform(|_| Msg::AskReset(false))}>{"Cancel"}</button>
                } else {
                    <button type="button" id="reset-lab" onclick={send.reform(|_| Msg::AskReset(true))}>{"Reset lab…"}</button>
                }
            </span>
        </div>
    }
}

pub fn editor(world: &World, open: Option<&str>, send: &Send) -> Html {
    let Some(clone) = world.git().clones.first() else { return html! {} };
    let files: Vec<&String> = clone.worktree.keys().collect();
    let content = open.and_then(|p| clone.worktree.get(p)).cloned().unwrap_or_default();
    let onchange = send.reform(|e: Event| Msg::OpenFile(e.target_unchecked_into::<HtmlSelectElement>().value()));
    let on_save = send.reform(|(path, content): (String, String)| Msg::SaveFile(path, content));
    let message = NodeRef::default();
    let commit = {
        let message = message.clone();
        send.reform(move |_| Msg::CommitAndPush(message.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()))
    };
    html! {
        <div class="editor">
            <label for="file-select">{"Edit a file in the repo: "}</label>
            <select id="file-select" {onchange}>
                <option value="" selected={open.is_none()}>{"choose a file"}</option>
                { for files.iter().map(|f| html! { <option value={f.to_string()} selected={open == Some(f.as_str())}>{f.to_string()}</option> }) }
            </select>
            if let Some(path) = open {
                <crate::editor::FileEditor path={path.to_string()} saved={content} {on_save} />
            }
            <div class="commit-box">
                <label for="commit-message">{"Commit message: "}</label>
                <input id="commit-message" ref={message.clone()} type="text" placeholder="Describe the change" />
                <button type="button" id="commit-push" onclick={commit}>{"Commit and push"}</button>
            </div>
        </div>
    }
}

/// The app's sync policy in full, as Argo CD's summary shows it: automated or manual, prune, self-heal.
pub fn sync_policy(spec: &simulator::argo::app::AppSpec) -> String {
    match &spec.automated {
        None => "Manual sync (no automated sync)".into(),
        Some(a) => {
            format!("Automated sync · prune {} · self-heal {}", if a.prune { "on" } else { "off" }, if a.self_heal { "on" } else { "off" })
        }
    }
}

/// The commit a revision names: its subject and author, as a one-liner.
pub fn commit_line(world: &World, revision: &str) -> String {
    match world.git().db.commit(revision) {
        Some(c) => format!("{} {} ({})", &revision[..7.min(revision.len())], c.subject(), c.author.name),
        None if revision.is_empty() => "no revision yet".into(),
        None => revision[..7.min(revision.len())].to_string(),
    }
}

/// A node is Ready unless its Ready condition says otherwise (a node that never reported has none).
fn node_ready(node: &serde_json::Value) -> bool {
    !node["status"]["conditions"].as_array().into_iter().flatten().any(|c| c["type"] == "Ready" && c["status"] != "True")
}

pub fn status(world: &World) -> Html {
    let store = &world.cluster().store;
    // Nodes are shown once one is not Ready: the lesson of "a node goes down".
    let nodes: Vec<(String, bool)> = store.list("", "Node", None).map(|n| (meta::name(n).to_string(), node_ready(n))).collect();
    let some_down = nodes.iter().any(|(_, ready)| !ready);
    html! {
        <>
            if some_down {
                <section class="nodes" aria-label="Nodes" id="nodes">
                    <h2>{"Nodes"}</h2>
                    <ul>{ for nodes.iter().map(|(name, ready)| html! { <li>{ badge(if *ready { "Ready" } else { "NotReady" }) }{" "}<code>{name}</code></li> }) }</ul>
                </section>
            }
            { for world.agent().apps().map(|app| {
                let ns = app.spec.dest_namespace.clone();
                let deployments: Vec<_> = store.list("apps", "Deployment", Some(&ns)).collect();
                let pods: Vec<_> = store.list("", "Pod", Some(&ns)).collect();
                html! {
                    <section class="app-status" aria-label={format!("Application {}", app.spec.name)}>
                        <h2>{"Application "}{&app.spec.name}</h2>
                        <p class="app-badges" id={format!("app-{}", app.spec.name)}>{ badge(app.status.sync_status.word()) }{" "}{ badge(app.status.health.status.word()) }</p>
                        <p class="revision" title="The revision the app is synced to">{"to "}{ commit_line(world, &app.status.revision) }</p>
                        <p class="policy" id={format!("policy-{}", app.spec.name)}>{ sync_policy(&app.spec) }</p>
                        if !app.status.health.message.is_empty() {
                            <p class="message">{&app.status.health.message}</p>
                        }
                        if !app.status.conditions.is_empty() {
                            <ul class="conditions" aria-label="App conditions">
                                { for app.status.conditions.iter().map(|c| html! { <li class="condition">{ badge("Warning") }<strong>{&c.kind}</strong>{": "}{&c.message}</li> }) }
                            </ul>
                        }
                        if let Some(op) = &app.status.operation_state {
                            <p class="operation">{format!("Last sync: {} {}", op.phase.word(), op.message)}</p>
                        }
                        <h3>{"Deployments"}</h3>
                        { deployment_list(&deployments, None) }
                        <h3>{format!("Pods ({})", pods.len())}</h3>
                        <ul class="pods">
                            { for pods.iter().map(|p| {
                                // The same words as kubectl's STATUS column.
                                let phase = simulator::cli::pod_status(p);
                                html! { <li class="pod">{ badge(&phase) }{" "}<code>{meta::name(p)}</code></li> }
                            }) }
                        </ul>
                    </section>
                }
            }) }
        </>
    }
}

/// The lab's incidents, to set off on purpose (to practise, or as an instructor demonstrating).
pub fn incidents(lab: &simulator::lab::Lab, world: &World, send: &Send) -> Html {
    if world.incidents().is_empty() {
        return html! {};
    }
    // Only say the lab sets them off when some are timed or follow a step.
    let timed = world.incidents().iter().any(|i| i.at.is_some()) || lab.steps.iter().any(|s| s.incident.is_some());
    let down: Vec<String> =
        world.cluster().store.list("", "Node", None).filter(|n| !node_ready(n)).map(|n| meta::name(n).to_string()).collect();
    html! {
        <section class="incidents" aria-label="Incidents">
            <h2>{"Incidents"}</h2>
            <p class="hint">{ if timed { "The lab sets some of these off at their moment; you can also set one off now." } else { "Set one off when you are ready to see it." } }</p>
            { for world.incidents().iter().filter(|i| match i.node_up.as_deref() {
                // "The node is back" only while a node is down.
                Some(node) => !down.is_empty() && (node == "any" || down.iter().any(|d| d == node)),
                None => true,
            }).map(|i| {
                let id = i.id.clone();
                html! { <button type="button" id={format!("incident-{}", i.id)} onclick={send.reform(move |_| Msg::Incident(id.clone()))}>{format!("Set off: {}", i.title)}</button> }
            }) }
        </section>
    }
}

/// One line of the reconciliation timeline: when, which loop phase (or the push
/// pipeline), and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEntry {
    pub clock: String,
    pub label: &'static str,
    pub text: String,
    pub push_world: bool,
}

impl TimelineEntry {
    pub fn of(event: &simulator::events::Event, push_world: bool) -> Option<TimelineEntry> {
        let label = event.kind.timeline_label()?;
        Some(TimelineEntry { clock: event.at.clock(), label, text: event.kind.describe(), push_world })
    }
}

pub fn timeline(events: &[TimelineEntry]) -> Html {
    html! {
        <section class="timeline" aria-label="Reconciliation timeline">
            <h2>{"The loop: commit, detect, compare and apply, verify"}</h2>
            <ol role="log" aria-live="polite" aria-label="What the agent and the pipeline did, newest first">
                { for events.iter().rev().take(40).map(|e| {
                    let slug = e.label.replace(' ', "-");
                    html! {
                        <li class={classes!("event", e.push_world.then_some("push-world"))}>
                            <span class={classes!("phase", format!("phase-{slug}"))}>{e.label}</span>
                            {" "}<time>{&e.clock}</time>{" "}
                            if e.push_world { <span class="world-tag">{"push world: "}</span> }
                            {&e.text}
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// Each Deployment with its ready and desired replicas.
fn deployment_list(deployments: &[&serde_json::Value], id: Option<&str>) -> Html {
    html! {
        <ul class="deployments" id={id.map(String::from)}>
            { for deployments.iter().map(|d| {
                let desired = meta::i64_at(d, &["spec", "replicas"]).unwrap_or(1);
                let ready = meta::i64_at(d, &["status", "readyReplicas"]).unwrap_or(0);
                html! { <li class="deployment">{meta::name(d)}{": "}<span class="replicas">{format!("{ready}/{desired} ready")}</span></li> }
            }) }
        </ul>
    }
}

/// The push-pipeline twin of a comparison lab: its Deployments, Pods and pipeline runs.
pub fn push_world(twin: &World) -> Html {
    let store = &twin.cluster().store;
    let Some(pipeline) = twin.pipeline() else { return html! {} };
    let ns = pipeline.spec.namespace.clone();
    let deployments: Vec<_> = store.list("apps", "Deployment", Some(&ns)).collect();
    let pods: Vec<_> = store.list("", "Pod", Some(&ns)).collect();
    html! {
        <section class="app-status push-world-status" aria-label="The push world">
            <p class="world-title">{"Push world: a CI pipeline holding the cluster's credentials"}</p>
            <p class="hint">{"Runs kubectl apply on every push; never looks at the cluster again."}</p>
            <h3>{"Deployments"}</h3>
            { deployment_list(&deployments, Some("push-deployments")) }
            <h3>{format!("Pods ({})", pods.len())}</h3>
            <ul class="pods">
                { for pods.iter().map(|p| html! { <li class="pod">{ badge(&simulator::cli::pod_status(p)) }{" "}<code>{meta::name(p)}</code></li> }) }
            </ul>
            <h3>{"Pipeline runs"}</h3>
            <ol class="pipeline-runs" id="pipeline-runs">
                { for pipeline.runs.iter().rev().take(5).map(|r| {
                    let word = match r.status {
                        RunStatus::Queued => "Queued",
                        RunStatus::InProgress => "Running",
                        RunStatus::Success => "Succeeded",
                        RunStatus::Failure => "Failed",
                    };
                    html! { <li>{ badge(word) }{format!(" {} ({})", r.title, &r.commit[..7.min(r.commit.len())])}</li> }
                }) }
            </ol>
        </section>
    }
}

fn object_button(app: &str, key: &simulator::kube::ObjectKey, label: String, badges: Html, send: &Send) -> Html {
    let (app, k) = (app.to_string(), key.clone());
    let onclick = send.reform(move |_| Msg::Select(Selected::Object { app: app.clone(), key: k.clone() }));
    html! { <button type="button" class="tree-node" {onclick}>{label}{" "}{badges}</button> }
}

/// The application tree as Argo CD draws it: Application, its resources, their ReplicaSets and Pods.
pub fn tree(world: &World, send: &Send) -> Html {
    let store = &world.cluster().store;
    html! {
        <section class="app-tree" aria-label="Application tree">
            <h2>{"Resources"}</h2>
            { for world.agent().apps().map(|app| {
                let name = app.spec.name.clone();
                html! {
                    <ul role="tree" aria-label={format!("Resources of {name}")}>
                        <li role="treeitem" aria-expanded="true">
                            <span class="tree-root">{"Application "}{&name}</span>
                            <ul role="group">
                                { for app.status.resources.iter().map(|r| {
                                    let key = simulator::kube::ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name);
                                    let health = r.health.as_ref().map(|h| badge(h.status.word())).unwrap_or_default();
                                    let uid = store.get(&key).map(|o| meta::uid(o).to_string()).unwrap_or_default();
                                    let children: Vec<_> = store.owned_by(&uid).cloned().collect();
                                    html! {
                                        <li role="treeitem" aria-expanded="true">
                                            { object_button(&name, &key, format!("{}/{}", r.kind, r.name), html!{<>{badge(r.status.word())}{" "}{health}</>}, send) }
                                            if !children.is_empty() {
                                                <ul role="group">
                                                    { for children.iter().map(|child| {
                                                        let ck = simulator::kube::ObjectKey::of(child).expect("stored objects have keys");
                                                        let grandchildren: Vec<_> = store.owned_by(meta::uid(child)).cloned().collect();
                                                        let h = simulator::argo::health::health(child).map(|a| badge(a.status.word())).unwrap_or_default();
                                                        html! {
                                                            <li role="treeitem">
                                                                { object_button(&name, &ck, format!("{}/{}", ck.kind, ck.name), h, send) }
                                                                if !grandchildren.is_empty() {
                                                                    <ul role="group">
                                                                        { for grandchildren.iter().map(|g| {
                                                                            let gk = simulator::kube::ObjectKey::of(g).expect("stored objects have keys");
                                                                            let gh = simulator::argo::health::health(g).map(|a| badge(a.status.word())).unwrap_or_default();
                                                                            html! { <li role="treeitem">{ object_button(&name, &gk, format!("{}/{}", gk.kind, gk.name), gh, send) }</li> }
                                                                        }) }
                                                                    </ul>
                                                                }
                                                            </li>
                                                        }
                                                    }) }
                                                </ul>
                                            }
                                        </li>
                                    }
                                }) }
                            </ul>
                        </li>
                    </ul>
                }
            }) }
        </section>
    }
}

/// The GitOps repo's history, with where each app is deployed and where HEAD is.
pub fn history(world: &World, send: &Send) -> Html {
    let git = world.git();
    let Some(clone) = git.clones.first() else { return html! {} };
    let Some(tip) = git.resolve_remote(&clone.remote_url, "HEAD") else { return html! {} };
    let deployed: Vec<(String, String)> = world.agent().apps().map(|a| (a.status.revision.clone(), a.spec.name.clone())).collect();
    html! {
        <section class="git-history" aria-label="Git history">
            <h2>{"Git history (origin/main)"}</h2>
            <ol>
                { for git.history(&tip).into_iter().take(30).map(|oid| {
                    let c = git.db.commit(&oid).expect("history holds commits");
                    let here: Vec<&String> = deployed.iter().filter(|(r, _)| *r == oid).map(|(_, n)| n).collect();
                    let id = oid.clone();
                    let onclick = send.reform(move |_| Msg::Select(Selected::Commit(id.clone())));
                    html! {
                        <li class="commit">
                            <button type="button" class="tree-node" {onclick}><code>{&oid[..7]}</code>{" "}{c.subject()}</button>
                            <div class="commit-meta">{format!("{} · {}", c.author.name, c.author.time.git_date())}</div>
                            if oid == tip { <span class="marker">{"HEAD"}</span> }
                            { for here.iter().map(|n| html! { <span class="marker deployed">{format!("deployed here: {n}")}</span> }) }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// A diff in colour: removed lines (`<`, `-`) red, added lines (`>`, `+`) green.
fn diff_lines(diff: &str) -> Html {
    if diff.is_empty() {
        return html! { {"(no differences)"} };
    }
    html! {
        { for diff.lines().map(|l| {
            let class = match l.chars().next() {
                Some('<') | Some('-') if !l.starts_with("---") => "del",
                Some('>') | Some('+') if !l.starts_with("+++") => "add",
                _ => "ctx",
            };
            html! { <span class={class}>{l}{"\n"}</span> }
        }) }
    }
}

/// The detail pane: an object's live YAML, desired YAML and diff, or a commit's patch.
pub fn detail(world: &World, selected: &Selected, send: &Send) -> Html {
    let close = send.reform(|_| Msg::CloseDetail);
    let body = match selected {
        Selected::Commit(oid) => {
            let git = world.git();
            let subject = git.db.commit(oid).map(|c| c.subject().to_string()).unwrap_or_default();
            html! {
                <>
                    <h2>{format!("Commit {} {subject}", &oid[..7.min(oid.len())])}</h2>
                    <pre class="patch" aria-label="Diff of the commit">{ diff_lines(&git.commit_patch(oid)) }</pre>
                </>
            }
        }
        Selected::Object { app, key } => {
            let live = world.cluster().store.get(key);
            let rt = world.agent().app(app);
            let desired = rt.and_then(|a| {
                let files = world.git().db.snapshot(&a.status.revision);
                simulator::argo::render::render(&a.spec, &files)
                    .ok()?
                    .into_iter()
                    .find(|o| simulator::kube::ObjectKey::of(o).as_ref() == Some(key))
            });
            let ignores = rt.map(|a| a.spec.ignore_differences.clone()).unwrap_or_default();
            let diff = if desired.is_some() { simulator::argo::diff::diff_text(live, desired.as_ref(), &ignores) } else { String::new() };
            let yaml = |v: Option<&serde_json::Value>| v.map(simulator::yaml::to_yaml).unwrap_or_else(|| "(none)".into());
            html! {
                <>
                    <h2>{format!("{}/{}", key.kind, key.name)}</h2>
                    // The diff comes first: it is what the pane is opened for. Each column scrolls on its own,
                    // so a long line (the last-applied annotation) cannot push the others off-screen.
                    <div class="detail-grid">
                        <section><h3>{"Diff"}</h3><pre class="diff" aria-label="Diff of live against desired">{ diff_lines(&diff) }</pre></section>
                        <section><h3>{"Live"}</h3><pre aria-label="Live YAML">{yaml(live)}</pre></section>
                        <section><h3>{"Desired (Git)"}</h3><pre aria-label="Desired YAML">{if desired.is_some() { yaml(desired.as_ref()) } else { "(not in Git: created by a controller)".into() }}</pre></section>
                    </div>
                </>
            }
        }
    };
    html! {
        <section class="detail" aria-label="Details">
            <button type="button" class="close" onclick={close}>{"Close"}</button>
            { body }
        </section>
    }
}
