//! The Argo CD application view, modelled on Argo CD's own UI: the app's
//! status cards, a graphical resource tree (kind icons, health and sync
//! badges, arrows from owner to owned), and the toolbar's SYNC, REFRESH,
//! HARD REFRESH, HISTORY AND ROLLBACK, APP DIFF and APP DETAILS. Every button
//! that acts runs the `argocd` (or `kubectl`) command that does the same, through
//! the terminal's own command path, so the trainee sees the CLI the UI stands for.

use simulator::World;
use simulator::argo::AppRuntime;
use simulator::kube::{ObjectKey, meta};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::msg::{ArgoMsg, Msg, Panel, ResourceTab, Send};
use crate::panels::{TimelineEntry, badge, commit_line, sync_policy};

/// What the view shows: which app, which panel, the sync options and the chosen resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArgoState {
    pub app: Option<String>,
    pub panel: Option<Panel>,
    pub prune: bool,
    pub dry_run: bool,
    pub resource: Option<ObjectKey>,
    pub tab: ResourceTab,
}

impl ArgoState {
    /// The app shown: the chosen one, or the first.
    pub fn app_name(&self, world: &World) -> Option<String> {
        self.app.clone().filter(|a| world.agent().app(a).is_some()).or_else(|| world.agent().apps().next().map(|a| a.spec.name.clone()))
    }

    /// Applies a message; returns the command line it stands for, to run as if typed.
    pub fn update(&mut self, msg: ArgoMsg, world: &World) -> Option<String> {
        let app = self.app_name(world)?;
        match msg {
            ArgoMsg::SelectApp(name) => {
                self.app = Some(name);
                self.panel = None;
                self.resource = None;
                None
            }
            ArgoMsg::Open(panel) => {
                self.panel = Some(panel);
                self.resource = None;
                match panel {
                    Panel::Sync => None,
                    Panel::History => Some(format!("argocd app history {app}")),
                    Panel::Diff => Some(format!("argocd app diff {app}")),
                    Panel::Details => Some(format!("argocd app get {app}")),
                }
            }
            ArgoMsg::Close => {
                self.panel = None;
                self.resource = None;
                None
            }
            ArgoMsg::Prune(on) => {
                self.prune = on;
                None
            }
            ArgoMsg::DryRun(on) => {
                self.dry_run = on;
                None
            }
            ArgoMsg::Synchronize => {
                self.panel = None;
                Some(sync_command(&app, self.prune, self.dry_run))
            }
            ArgoMsg::Refresh(hard) => Some(format!("argocd app get {app} {}", if hard { "--hard-refresh" } else { "--refresh" })),
            ArgoMsg::Rollback(id) => {
                self.panel = None;
                Some(format!("argocd app rollback {app} {id}"))
            }
            ArgoMsg::Resource(key) => {
                self.panel = None;
                self.resource = Some(key);
                self.tab = ResourceTab::Summary;
                None
            }
            ArgoMsg::Tab(tab) => {
                self.tab = tab;
                let key = self.resource.as_ref()?;
                let ns = if key.namespace.is_empty() { String::new() } else { format!(" -n {}", key.namespace) };
                match tab {
                    ResourceTab::Events => Some(format!("kubectl events --for {}/{}{ns}", key.kind.to_lowercase(), key.name)),
                    ResourceTab::Logs => Some(format!("kubectl logs {}{ns}", key.name)),
                    ResourceTab::Manifest => Some(format!("kubectl get {} {}{ns} -o yaml", key.kind.to_lowercase(), key.name)),
                    _ => None,
                }
            }
        }
    }
}

/// The command SYNCHRONIZE runs with the chosen options.
pub fn sync_command(app: &str, prune: bool, dry_run: bool) -> String {
    let mut line = format!("argocd app sync {app}");
    if prune {
        line.push_str(" --prune");
    }
    if dry_run {
        line.push_str(" --dry-run");
    }
    line
}

/// Argo CD's short names for the kinds it draws.
fn kind_icon(kind: &str) -> String {
    match kind {
        "Application" => "app",
        "Deployment" => "deploy",
        "ReplicaSet" => "rs",
        "Pod" => "pod",
        "Service" => "svc",
        "ConfigMap" => "cm",
        "Secret" => "secret",
        "Ingress" => "ing",
        "StatefulSet" => "sts",
        "DaemonSet" => "ds",
        "Job" => "job",
        "CronJob" => "cj",
        "HorizontalPodAutoscaler" => "hpa",
        "Namespace" => "ns",
        "ServiceAccount" => "sa",
        "PersistentVolumeClaim" => "pvc",
        "Endpoints" => "ep",
        "EndpointSlice" => "eps",
        "AppProject" => "proj",
        other => return other.chars().filter(|c| c.is_uppercase()).collect::<String>().to_lowercase(),
    }
    .to_string()
}

/// A health word as Argo CD's icon: a heart for Healthy, and so on, with the word for screen readers.
fn health_icon(word: &str) -> Html {
    let icon = match word {
        "Healthy" => "♥",
        "Progressing" => "◌",
        "Degraded" => "✖",
        "Suspended" => "⏸",
        "Missing" => "⊘",
        _ => "?",
    };
    html! { <span class={classes!("health-icon", word.to_lowercase())} title={word.to_string()} aria-label={word.to_string()}>{icon}</span> }
}

fn sync_icon(word: &str) -> Html {
    let icon = match word {
        "Synced" => "✔",
        "OutOfSync" => "⚠",
        _ => "?",
    };
    html! { <span class={classes!("sync-icon", word.to_lowercase())} title={word.to_string()} aria-label={word.to_string()}>{icon}</span> }
}

/// One box of the resource tree.
struct Node {
    key: Option<ObjectKey>,
    kind: String,
    name: String,
    health: Option<String>,
    sync: Option<String>,
    depth: usize,
    children: Vec<usize>,
    row: f64,
}

const COLUMN: f64 = 250.0;
const NODE_W: f64 = 206.0;
const NODE_H: f64 = 48.0;
const ROW: f64 = 60.0;
const PAD: f64 = 10.0;

/// The app's tree: the Application, the resources it manages, and what they own (two levels down).
fn build_tree(world: &World, app: &AppRuntime) -> Vec<Node> {
    let store = &world.cluster().store;
    let mut nodes = vec![Node {
        key: None,
        kind: "Application".into(),
        name: app.spec.name.clone(),
        health: Some(app.status.health.status.word().to_string()),
        sync: Some(app.status.sync_status.word().to_string()),
        depth: 0,
        children: Vec::new(),
        row: 0.0,
    }];
    fn owned(world: &World, nodes: &mut Vec<Node>, parent: usize, uid: &str, depth: usize) {
        if depth > 3 {
            return;
        }
        let mut children: Vec<&serde_json::Value> = world.cluster().store.owned_by(uid).collect();
        children.sort_by_key(|c| (meta::kind(c).to_string(), meta::name(c).to_string()));
        for child in children {
            let Some(key) = ObjectKey::of(child) else { continue };
            let health = simulator::argo::health::health(child).map(|a| a.status.word().to_string());
            let index = nodes.len();
            nodes.push(Node {
                kind: key.kind.clone(),
                name: key.name.clone(),
                key: Some(key),
                health,
                sync: None,
                depth,
                children: Vec::new(),
                row: 0.0,
            });
            nodes[parent].children.push(index);
            owned(world, nodes, index, meta::uid(child), depth + 1);
        }
    }
    for r in &app.status.resources {
        let key = ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name);
        let index = nodes.len();
        let uid = store.get(&key).map(|o| meta::uid(o).to_string());
        nodes.push(Node {
            key: Some(key),
            kind: r.kind.clone(),
            name: r.name.clone(),
            health: r.health.as_ref().map(|h| h.status.word().to_string()),
            sync: Some(r.status.word().to_string()),
            depth: 1,
            children: Vec::new(),
            row: 0.0,
        });
        nodes[0].children.push(index);
        if let Some(uid) = uid {
            owned(world, &mut nodes, index, &uid, 2);
        }
    }
    // Rows: each leaf takes the next row; a parent sits level with the middle of its children.
    fn place(nodes: &mut [Node], i: usize, next: &mut f64) {
        if nodes[i].children.is_empty() {
            nodes[i].row = *next;
            *next += 1.0;
            return;
        }
        let children = nodes[i].children.clone();
        for c in &children {
            place(nodes, *c, next);
        }
        let first = nodes[children[0]].row;
        let last = nodes[children[children.len() - 1]].row;
        nodes[i].row = (first + last) / 2.0;
    }
    let mut next = 0.0;
    place(&mut nodes, 0, &mut next);
    nodes
}

fn position(node: &Node) -> (f64, f64) {
    (PAD + node.depth as f64 * COLUMN, PAD + node.row * ROW)
}

fn tree(world: &World, app: &AppRuntime, selected: Option<&ObjectKey>, send: &Send) -> Html {
    let nodes = build_tree(world, app);
    let rows = nodes.iter().map(|n| n.row).fold(0.0, f64::max) + 1.0;
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0) as f64 + 1.0;
    let (width, height) = (depth * COLUMN + PAD, rows * ROW + PAD);
    let arrows: Vec<String> = nodes
        .iter()
        .flat_map(|parent| {
            let (px, py) = position(parent);
            parent.children.iter().map(move |c| (px, py, *c))
        })
        .map(|(px, py, c)| {
            let (cx, cy) = position(&nodes[c]);
            let (x1, y1, x2, y2) = (px + NODE_W, py + NODE_H / 2.0, cx - 4.0, cy + NODE_H / 2.0);
            format!("M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}", x1 + 22.0, x2 - 22.0)
        })
        .collect();
    html! {
        <div class="argo-tree" id="argo-tree" role="tree" aria-label={format!("Resource tree of {}", app.spec.name)}
            style={format!("width:{width}px;height:{height}px")}>
            <svg class="argo-arrows" width={width.to_string()} height={height.to_string()} aria-hidden="true">
                <defs>
                    <marker id="argo-arrowhead" markerWidth="8" markerHeight="8" refX="6" refY="4" orient="auto">
                        <path d="M0,0 L8,4 L0,8 z" class="arrowhead" />
                    </marker>
                </defs>
                { for arrows.iter().map(|d| html! { <path d={d.clone()} class="arrow" marker-end="url(#argo-arrowhead)" /> }) }
            </svg>
            { for nodes.iter().map(|n| {
                let (x, y) = position(n);
                let label = format!(
                    "{} {}{}{}",
                    n.kind,
                    n.name,
                    n.health.as_ref().map(|h| format!(", {h}")).unwrap_or_default(),
                    n.sync.as_ref().map(|s| format!(", {s}")).unwrap_or_default()
                );
                let onclick = match &n.key {
                    Some(key) => { let key = key.clone(); send.reform(move |_| Msg::Argo(ArgoMsg::Resource(key.clone()))) }
                    None => send.reform(|_| Msg::Argo(ArgoMsg::Open(Panel::Details))),
                };
                let chosen = n.key.is_some() && n.key.as_ref() == selected;
                html! {
                    <button type="button" role="treeitem" class={classes!("argo-node", format!("kind-{}", kind_icon(&n.kind)), chosen.then_some("chosen"), (n.depth == 0).then_some("root"))}
                        style={format!("left:{x}px;top:{y}px;width:{NODE_W}px;height:{NODE_H}px")} aria-label={label} {onclick}>
                        <span class="kind-icon" aria-hidden="true">{ kind_icon(&n.kind) }</span>
                        <span class="node-text">
                            <span class="node-name">{&n.name}</span>
                            <span class="node-kind">{&n.kind}</span>
                        </span>
                        <span class="node-badges">
                            { n.health.as_deref().map(health_icon).unwrap_or_default() }
                            { n.sync.as_deref().map(sync_icon).unwrap_or_default() }
                        </span>
                    </button>
                }
            }) }
        </div>
    }
}

/// The live object and the desired one, as Argo CD compares them (normalized; ignored differences removed).
fn live_and_desired(world: &World, app: &AppRuntime, desired: &[serde_json::Value], key: &ObjectKey) -> (String, String) {
    use simulator::argo::diff::{normalize, predicted_live, strip_ignored};
    let live = world.cluster().store.get(key);
    let target = desired.iter().find(|o| ObjectKey::of(o).as_ref() == Some(key));
    let stripped = |mut v: serde_json::Value| {
        strip_ignored(&mut v, &app.spec.ignore_differences);
        simulator::yaml::to_yaml(&v)
    };
    let live_yaml = live.map(|l| stripped(normalize(l))).unwrap_or_default();
    let target_yaml = match (live, target) {
        (Some(l), Some(d)) => stripped(predicted_live(l, d)),
        (None, Some(d)) => stripped(normalize(d)),
        _ => String::new(),
    };
    (live_yaml, target_yaml)
}

/// The app's desired objects at the revision it compares against.
fn desired_objects(world: &World, app: &AppRuntime) -> Vec<serde_json::Value> {
    let files = world.git().db.snapshot(&app.status.revision);
    simulator::argo::render::render(&app.spec, &files).unwrap_or_default()
}

/// A side-by-side diff, live on the left and desired on the right, long unchanged runs folded.
fn side_by_side(live: &str, desired: &str) -> Html {
    use similar::{DiffTag, TextDiff};
    let left: Vec<&str> = live.lines().collect();
    let right: Vec<&str> = desired.lines().collect();
    let diff = TextDiff::from_lines(live, desired);
    let mut rows: Vec<Html> = Vec::new();
    let row = |class: &'static str, l: Option<(usize, &str)>, r: Option<(usize, &str)>| {
        html! {
            <tr class={class}>
                <td class="ln">{ l.map(|(n, _)| (n + 1).to_string()).unwrap_or_default() }</td>
                <td class={classes!("code", (class == "changed" || class == "removed").then_some("old"))}>{ l.map(|(_, t)| t.to_string()).unwrap_or_default() }</td>
                <td class="ln">{ r.map(|(n, _)| (n + 1).to_string()).unwrap_or_default() }</td>
                <td class={classes!("code", (class == "changed" || class == "added").then_some("new"))}>{ r.map(|(_, t)| t.to_string()).unwrap_or_default() }</td>
            </tr>
        }
    };
    let ops = diff.ops().to_vec();
    for (i, op) in ops.iter().enumerate() {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                let pairs: Vec<(usize, usize)> = old.clone().zip(new.clone()).collect();
                let (keep_start, keep_end) = (if i == 0 { 0 } else { 3 }, if i + 1 == ops.len() { 0 } else { 3 });
                if pairs.len() > keep_start + keep_end + 2 {
                    for (a, b) in &pairs[..keep_start] {
                        rows.push(row("same", Some((*a, left[*a])), Some((*b, right[*b]))));
                    }
                    rows.push(html! { <tr class="fold"><td colspan="4">{format!("⋯ {} unchanged lines", pairs.len() - keep_start - keep_end)}</td></tr> });
                    for (a, b) in &pairs[pairs.len() - keep_end..] {
                        rows.push(row("same", Some((*a, left[*a])), Some((*b, right[*b]))));
                    }
                } else {
                    for (a, b) in pairs {
                        rows.push(row("same", Some((a, left[a])), Some((b, right[b]))));
                    }
                }
            }
            DiffTag::Delete => rows.extend(old.clone().map(|a| row("removed", Some((a, left[a])), None))),
            DiffTag::Insert => rows.extend(new.clone().map(|b| row("added", None, Some((b, right[b]))))),
            DiffTag::Replace => {
                let (o, n): (Vec<usize>, Vec<usize>) = (old.clone().collect(), new.clone().collect());
                for k in 0..o.len().max(n.len()) {
                    rows.push(row("changed", o.get(k).map(|a| (*a, left[*a])), n.get(k).map(|b| (*b, right[*b]))));
                }
            }
        }
    }
    html! {
        <table class="side-diff" aria-label="Live manifest against desired manifest">
            <thead><tr><th colspan="2">{"Live manifest"}</th><th colspan="2">{"Desired manifest (Git)"}</th></tr></thead>
            <tbody>{ for rows }</tbody>
        </table>
    }
}

fn status_cards(world: &World, app: &AppRuntime) -> Html {
    let commit = world.git().db.commit(&app.status.revision);
    html! {
        <div class="argo-status-cards">
            <div class="card" id="argo-health">
                <h3>{"APP HEALTH"}</h3>
                <p class="big">{ health_icon(app.status.health.status.word()) }{" "}{app.status.health.status.word()}</p>
                if !app.status.health.message.is_empty() { <p class="small">{&app.status.health.message}</p> }
            </div>
            <div class="card" id="argo-sync-status">
                <h3>{"SYNC STATUS"}</h3>
                <p class="big">{ sync_icon(app.status.sync_status.word()) }{" "}{app.status.sync_status.word()}{" to "}{&app.spec.target_revision}</p>
                <p class="small">{ sync_policy(&app.spec) }</p>
                if let Some(c) = commit {
                    <p class="small commit">
                        <code>{&app.status.revision[..7.min(app.status.revision.len())]}</code>{" "}{c.subject()}<br />
                        {format!("Author: {} · {}", c.author.name, c.author.time.git_date())}
                    </p>
                }
            </div>
            <div class="card" id="argo-last-sync">
                <h3>{"LAST SYNC"}</h3>
                if let Some(op) = &app.status.operation_state {
                    <p class="big">{ badge(op.phase.word()) }</p>
                    <p class="small">{format!("{} by {}", op.finished_at.unwrap_or(op.started_at).rfc3339(), if op.automated { "automated sync policy" } else { op.initiated_by.as_str() })}</p>
                    <p class="small">{ commit_line(world, &op.revision) }</p>
                    if !op.message.is_empty() { <p class="small">{&op.message}</p> }
                } else {
                    <p class="small">{"No sync yet"}</p>
                }
            </div>
        </div>
    }
}

fn sync_panel(app: &AppRuntime, state: &ArgoState, send: &Send) -> Html {
    let out_of_sync: Vec<&simulator::argo::app::ResourceStatus> =
        app.status.resources.iter().filter(|r| r.status.word() != "Synced").collect();
    html! {
        <>
            <h2>{format!("Synchronize {}", app.spec.name)}</h2>
            <p>{"Revision: "}<code>{&app.spec.target_revision}</code></p>
            <fieldset class="sync-options">
                <legend>{"SYNC OPTIONS"}</legend>
                <label><input type="checkbox" id="argo-prune" checked={state.prune}
                    onchange={send.reform(|e: Event| Msg::Argo(ArgoMsg::Prune(e.target_unchecked_into::<HtmlInputElement>().checked())))} />{" PRUNE"}</label>
                <label><input type="checkbox" id="argo-dry-run" checked={state.dry_run}
                    onchange={send.reform(|e: Event| Msg::Argo(ArgoMsg::DryRun(e.target_unchecked_into::<HtmlInputElement>().checked())))} />{" DRY RUN"}</label>
            </fieldset>
            <p>{format!("{} of {} resources out of sync", out_of_sync.len(), app.status.resources.len())}</p>
            <ul class="sync-resources">
                { for app.status.resources.iter().map(|r| html! { <li>{ sync_icon(r.status.word()) }{format!(" {}/{}", r.kind, r.name)}</li> }) }
            </ul>
            <p class="cli">{"Runs: "}<code>{ sync_command(&app.spec.name, state.prune, state.dry_run) }</code></p>
            <button type="button" id="argo-synchronize" class="primary" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Synchronize))}>{"SYNCHRONIZE"}</button>
        </>
    }
}

fn history_panel(world: &World, app: &AppRuntime, send: &Send) -> Html {
    let automated = app.spec.automated.is_some();
    html! {
        <>
            <h2>{"History and rollback"}</h2>
            if automated {
                <p class="note">{"Auto-sync is on: Argo CD refuses a rollback until it is turned off (argocd app set NAME --sync-policy none)."}</p>
            }
            <ol class="argo-history">
                { for app.status.history.iter().rev().map(|h| {
                    let id = h.id;
                    let current = h.revision == app.status.revision && Some(h) == app.status.history.last();
                    html! {
                        <li class="history-entry">
                            <p><strong>{format!("ID {id}")}</strong>{" · deployed "}{h.deployed_at.rfc3339()}{" · by "}{&h.initiated_by}</p>
                            <p>{ commit_line(world, &h.revision) }</p>
                            if current {
                                <span class="marker">{"current"}</span>
                            } else {
                                <button type="button" class="rollback" id={format!("argo-rollback-{id}")} onclick={send.reform(move |_| Msg::Argo(ArgoMsg::Rollback(id)))}>{"Rollback"}</button>
                            }
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

fn diff_panel(world: &World, app: &AppRuntime) -> Html {
    let desired = desired_objects(world, app);
    let changed: Vec<&simulator::argo::app::ResourceStatus> = app.status.resources.iter().filter(|r| r.status.word() != "Synced").collect();
    html! {
        <>
            <h2>{format!("App diff: {}", app.spec.name)}</h2>
            if changed.is_empty() {
                <p>{"No differences: every resource matches Git."}</p>
            }
            { for changed.iter().map(|r| {
                let key = ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name);
                let (live, target) = live_and_desired(world, app, &desired, &key);
                html! {
                    <section class="resource-diff">
                        <h3>{format!("{}/{}", r.kind, r.name)}</h3>
                        { side_by_side(&live, &target) }
                    </section>
                }
            }) }
        </>
    }
}

fn details_panel(app: &AppRuntime, events: &[TimelineEntry]) -> Html {
    let spec = &app.spec;
    let rows = [
        ("PROJECT", spec.project.clone()),
        ("REPO URL", spec.repo_url.clone()),
        ("TARGET REVISION", spec.target_revision.clone()),
        ("PATH", spec.path.clone()),
        ("DESTINATION", spec.dest_server.clone()),
        ("NAMESPACE", spec.dest_namespace.clone()),
        ("SYNC POLICY", sync_policy(spec)),
        ("SYNC OPTIONS", if spec.sync_options.is_empty() { "none".into() } else { spec.sync_options.join(", ") }),
    ];
    let mine: Vec<&TimelineEntry> = events.iter().rev().filter(|e| !e.push_world && e.text.contains(&spec.name)).take(25).collect();
    html! {
        <>
            <h2>{format!("App details: {}", spec.name)}</h2>
            <table class="argo-summary">{ for rows.iter().map(|(k, v)| html! { <tr><th>{*k}</th><td>{v.clone()}</td></tr> }) }</table>
            <h3>{"CONDITIONS"}</h3>
            if app.status.conditions.is_empty() {
                <p>{"No conditions."}</p>
            } else {
                <ul class="conditions">{ for app.status.conditions.iter().map(|c| html! { <li>{ badge("Warning") }<strong>{&c.kind}</strong>{": "}{&c.message}</li> }) }</ul>
            }
            <h3>{"EVENTS"}</h3>
            <ol class="argo-events">{ for mine.iter().map(|e| html! { <li><time>{&e.clock}</time>{" "}{&e.text}</li> }) }</ol>
        </>
    }
}

fn resource_panel(
    world: &World,
    app: &AppRuntime,
    state: &ArgoState,
    key: &ObjectKey,
    last_output: Option<&(String, String)>,
    send: &Send,
) -> Html {
    let live = world.cluster().store.get(key);
    let managed = app.status.resources.iter().find(|r| r.kind == key.kind && r.name == key.name && r.namespace == key.namespace);
    let health = live.and_then(simulator::argo::health::health);
    let tab_button = |tab: ResourceTab, label: &str| {
        html! {
            <button type="button" role="tab" id={format!("argo-tab-{}", label.to_lowercase().replace(' ', "-"))} aria-selected={(state.tab == tab).to_string()}
                onclick={send.reform(move |_| Msg::Argo(ArgoMsg::Tab(tab)))}>{label}</button>
        }
    };
    // The command a tab ran, and what it printed, from the terminal.
    let output_of = |prefix: &str| last_output.filter(|(c, _)| c.starts_with(prefix)).map(|(c, t)| (c.clone(), t.clone()));
    let body = match state.tab {
        ResourceTab::Summary => html! {
            <table class="argo-summary">
                <tr><th>{"KIND"}</th><td>{&key.kind}</td></tr>
                <tr><th>{"NAME"}</th><td>{&key.name}</td></tr>
                <tr><th>{"NAMESPACE"}</th><td>{&key.namespace}</td></tr>
                <tr><th>{"CREATED AT"}</th><td>{ live.and_then(|l| meta::str_at(l, &["metadata", "creationTimestamp"])).unwrap_or("").to_string() }</td></tr>
                if let Some(r) = managed { <tr><th>{"STATUS"}</th><td>{ sync_icon(r.status.word()) }{" "}{r.status.word()}</td></tr> }
                if let Some(h) = &health { <tr><th>{"HEALTH"}</th><td>{ health_icon(h.status.word()) }{" "}{h.status.word()}{" "}{&h.message}</td></tr> }
                if live.is_none() { <tr><th>{"LIVE"}</th><td>{"Missing from the cluster"}</td></tr> }
            </table>
        },
        ResourceTab::Manifest => {
            html! { <pre class="manifest">{ live.map(simulator::yaml::to_yaml).unwrap_or_else(|| "(missing from the cluster)".into()) }</pre> }
        }
        ResourceTab::Diff => {
            let (l, d) = live_and_desired(world, app, &desired_objects(world, app), key);
            if d.is_empty() {
                html! { <p>{"Not in Git: a controller created it, so there is nothing to compare."}</p> }
            } else {
                side_by_side(&l, &d)
            }
        }
        ResourceTab::Events => match output_of("kubectl events") {
            Some((c, t)) => html! { <><p class="cli">{"$ "}{c}</p><pre class="events">{t}</pre></> },
            None => html! { <p>{"Loading events…"}</p> },
        },
        ResourceTab::Logs => match output_of("kubectl logs") {
            Some((c, t)) => html! { <><p class="cli">{"$ "}{c}</p><pre class="logs">{t}</pre></> },
            None => html! { <p>{"Loading logs…"}</p> },
        },
    };
    html! {
        <>
            <h2>{ kind_icon(&key.kind) }{" "}{format!("{}/{}", key.kind, key.name)}</h2>
            <div class="argo-tabs" role="tablist">
                { tab_button(ResourceTab::Summary, "SUMMARY") }
                { tab_button(ResourceTab::Manifest, "LIVE MANIFEST") }
                if managed.is_some() { { tab_button(ResourceTab::Diff, "DIFF") } }
                { tab_button(ResourceTab::Events, "EVENTS") }
                if key.kind == "Pod" { { tab_button(ResourceTab::Logs, "LOGS") } }
            </div>
            <div class="argo-tab-body" role="tabpanel">{ body }</div>
        </>
    }
}

/// The whole view: app tiles (when there are several), toolbar, status cards, tree and the open panel.
pub fn view(world: &World, state: &ArgoState, events: &[TimelineEntry], last_output: Option<&(String, String)>, send: &Send) -> Html {
    let Some(name) = state.app_name(world) else {
        return html! { <div class="argo-ui" id="argo-ui"><p>{"No Argo CD applications in this lab."}</p></div> };
    };
    let Some(app) = world.agent().app(&name) else { return html! {} };
    let apps: Vec<&AppRuntime> = world.agent().apps().collect();
    let close = send.reform(|_| Msg::Argo(ArgoMsg::Close));
    let panel = match (state.panel, &state.resource) {
        (Some(Panel::Sync), _) => Some(sync_panel(app, state, send)),
        (Some(Panel::History), _) => Some(history_panel(world, app, send)),
        (Some(Panel::Diff), _) => Some(diff_panel(world, app)),
        (Some(Panel::Details), _) => Some(details_panel(app, events)),
        (None, Some(key)) => Some(resource_panel(world, app, state, key, last_output, send)),
        (None, None) => None,
    };
    html! {
        <div class="argo-ui" id="argo-ui">
            if apps.len() > 1 {
                <nav class="argo-apps" aria-label="Applications">
                    { for apps.iter().map(|a| {
                        let n = a.spec.name.clone();
                        html! {
                            <button type="button" class={classes!("app-tile", (a.spec.name == name).then_some("chosen"))} onclick={send.reform(move |_| Msg::Argo(ArgoMsg::SelectApp(n.clone())))}>
                                { health_icon(a.status.health.status.word()) }{ sync_icon(a.status.sync_status.word()) }{" "}{&a.spec.name}
                            </button>
                        }
                    }) }
                </nav>
            }
            <div class="argo-toolbar" role="toolbar" aria-label={format!("Actions on {name}")}>
                <span class="argo-app-name">{ "Applications / " }<strong>{&name}</strong></span>
                <button type="button" id="argo-details" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Open(Panel::Details)))}>{"ⓘ APP DETAILS"}</button>
                <button type="button" id="argo-diff" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Open(Panel::Diff)))}>{"▤ APP DIFF"}</button>
                <button type="button" id="argo-sync" class="primary" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Open(Panel::Sync)))}>{"⟳ SYNC"}</button>
                <button type="button" id="argo-history" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Open(Panel::History)))}>{"↺ HISTORY AND ROLLBACK"}</button>
                <button type="button" id="argo-refresh" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Refresh(false)))}>{"↻ REFRESH"}</button>
                <button type="button" id="argo-hard-refresh" onclick={send.reform(|_| Msg::Argo(ArgoMsg::Refresh(true)))}>{"HARD REFRESH"}</button>
            </div>
            // The panels slide over the app below the toolbar, so its buttons stay within reach.
            <div class="argo-body">
                { status_cards(world, app) }
                <div class="argo-tree-wrap">{ tree(world, app, state.resource.as_ref(), send) }</div>
                if let Some(body) = panel {
                    <aside class="argo-panel" aria-label="Panel" id="argo-panel">
                        <button type="button" class="close" id="argo-close" onclick={close}>{"✕"}</button>
                        { body }
                    </aside>
                }
            </div>
        </div>
    }
}
