//! `argocd`, as the Argo CD v3 CLI prints it.

use super::Host;
use super::{CommandOutput, table, take_flag, take_switch};
use crate::argo::app::{AppStatus, SyncStatus};
use crate::argo::{AppRuntime, SyncRequest, diff};
use crate::kube::ObjectKey;
use crate::kube::meta::SetPath;
use crate::time::{SimDuration, go_duration};

/// The argocd CLI exits with 20 on any fatal error.
const EXIT_FATAL: i32 = 20;
const SERVER: &str = "argocd.example.com";

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if args.is_empty() {
        return CommandOutput::ok("argocd controls a Argo CD server\n\nUsage:\n  argocd [flags]\n  argocd [command]\n");
    }
    let group = args.remove(0);
    match group.as_str() {
        "app" | "apps" | "application" | "applications" => {
            if args.is_empty() {
                return CommandOutput::ok("Manage applications\n\nUsage:\n  argocd app [flags]\n  argocd app [command]\n");
            }
            let sub = args.remove(0);
            match sub.as_str() {
                "list" | "ls" => list(world, args),
                "get" => get(world, args),
                "sync" => sync(world, args),
                "diff" => app_diff(world, args),
                "history" => history(world, args),
                "refresh" => {
                    let Some(name) = args.first().cloned() else {
                        return fatal("app name required");
                    };
                    let now = world.now();
                    if !world.model_mut().agent_mut().refresh(&name, false, now) {
                        return not_found(&name);
                    }
                    world.settle();
                    get(world, vec![name])
                }
                "wait" => wait(world, args),
                "rollback" => rollback(world, args),
                "set" => set(world, args),
                "terminate-op" => {
                    let name = app_name(&args);
                    if let Err(denied) = authorize(world, "sync", &name) {
                        return denied;
                    }
                    match world.model_mut().agent_mut().terminate(&name) {
                        Ok(()) => {
                            world.settle();
                            CommandOutput::ok(format!("Application '{name}' operation terminating\n"))
                        }
                        Err(e) => fatal(&e),
                    }
                }
                "delete" => delete(world, args),
                other => cobra_unknown(other, "argocd app"),
            }
        }
        "login" => login(world, args),
        "logout" => {
            world.shell_mut().argocd_user.clear();
            CommandOutput::ok(format!("Logged out from '{}'\n", args.first().cloned().unwrap_or_else(|| SERVER.into())))
        }
        "account" if args.first().map(String::as_str) == Some("get-user-info") => {
            let user = world.shell().argocd_user.clone();
            if user.is_empty() {
                return CommandOutput::ok("Logged In: false\n");
            }
            CommandOutput::ok(format!("Logged In: true\nUsername: {user}\nIssuer: argocd\nGroups: \n"))
        }
        "proj" | "project" | "projects" => proj(world, args),
        "appset" | "appsets" | "applicationset" | "applicationsets" => super::argocd_appset::run(world, args),
        "version" => CommandOutput::ok(
            "argocd: v3.1.8+becb020\n  BuildDate: 2025-09-30T15:33:46Z\n  GoVersion: go1.24.6\n  Platform: linux/amd64\nargocd-server: v3.1.8+becb020\n",
        ),
        other => cobra_unknown(other, "argocd"),
    }
}

/// Checks RBAC for the logged-in user; `Err` carries Argo CD's PermissionDenied answer.
fn authorize(world: &dyn Host, action: &str, app_name: &str) -> Result<(), CommandOutput> {
    let user = &world.shell().argocd_user;
    if user.is_empty() {
        return Err(fatal("rpc error: code = Unauthenticated desc = invalid session: token is missing"));
    }
    let project = world.model().agent().app(app_name).map(|a| a.spec.project.clone()).unwrap_or_else(|| "default".into());
    let object = format!("{project}/{app_name}");
    if world.model().rbac().can(user, "applications", action, &object) {
        Ok(())
    } else {
        Err(fatal(&format!(
            "rpc error: code = PermissionDenied desc = permission denied: applications, {action}, {object}, sub: {user}, iat: {}",
            world.shell().argocd_login_at.rfc3339()
        )))
    }
}

fn login(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let username = take_flag(&mut args, &["--username"]);
    let password = take_flag(&mut args, &["--password"]);
    let _ = take_switch(&mut args, &["--insecure", "--grpc-web", "--sso", "--plaintext"]);
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let server = args.first().cloned().unwrap_or_else(|| SERVER.into());
    let (Some(username), Some(password)) = (username, password) else {
        return fatal("this terminal cannot prompt: give --username and --password");
    };
    if password.is_empty() || (username != "admin" && !world.model().rbac_users().contains(&username)) {
        return fatal("rpc error: code = Unauthenticated desc = Invalid username or password");
    }
    world.shell_mut().argocd_user = username.clone();
    let now = world.now();
    world.shell_mut().argocd_login_at = now;
    CommandOutput::ok(format!("'{username}:login' logged in successfully\nContext '{server}' updated\n"))
}

fn proj(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    if args.is_empty() {
        return CommandOutput::ok("Manage projects\n\nUsage:\n  argocd proj [flags]\n  argocd proj [command]\n");
    }
    let sub = args.remove(0);
    let mut projects: Vec<crate::argo::project::Project> = world
        .model()
        .cluster()
        .store
        .list("argoproj.io", "AppProject", Some(crate::argo::ARGOCD_NAMESPACE))
        .map(crate::argo::project::Project::from_object)
        .collect();
    if !projects.iter().any(|p| p.name == "default") {
        projects.insert(0, crate::argo::project::Project::default_project());
    }
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    let list = |items: &[(String, String)], sep: &str| -> String {
        if items.is_empty() { "<none>".into() } else { items.iter().map(|(a, b)| format!("{a}{sep}{b}")).collect::<Vec<_>>().join(", ") }
    };
    let count = |items: &[(String, String)], what: &str, sep: &str| -> String {
        match items.len() {
            0 => "<none>".into(),
            1 => list(items, sep),
            n => format!("{n} {what}"),
        }
    };
    match sub.as_str() {
        "list" | "ls" => {
            let mut rows = vec![
                [
                    "NAME",
                    "DESCRIPTION",
                    "DESTINATIONS",
                    "SOURCES",
                    "CLUSTER-RESOURCE-WHITELIST",
                    "NAMESPACE-RESOURCE-BLACKLIST",
                    "SIGNATURE-KEYS",
                    "ORPHANED-RESOURCES",
                    "DESTINATION-SERVICE-ACCOUNTS",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
            ];
            for p in &projects {
                let sources = match p.source_repos.len() {
                    0 => "<none>".to_string(),
                    1 => p.source_repos[0].clone(),
                    n => format!("{n} repos"),
                };
                rows.push(vec![
                    p.name.clone(),
                    p.description.clone(),
                    count(&p.destinations, "destinations", ","),
                    sources,
                    count(&p.cluster_whitelist, "resources", "/"),
                    count(&p.namespace_blacklist, "resources", "/"),
                    "<none>".into(),
                    "disabled".into(),
                    "<none>".into(),
                ]);
            }
            CommandOutput::ok(table::argocd(&rows))
        }
        "get" => {
            let name = args.first().cloned().unwrap_or_default();
            let Some(p) = projects.iter().find(|p| p.name == name) else {
                return fatal(&format!("rpc error: code = NotFound desc = appprojects.argoproj.io \"{name}\" not found"));
            };
            let kv = |k: &str, v: &str| format!("{:<29}{v}\n", format!("{k}:"));
            let mut text = String::new();
            text.push_str(&kv("Name", &p.name));
            text.push_str(&kv("Description", &p.description));
            text.push_str(&kv("Destinations", &list(&p.destinations, ",")));
            text.push_str(&kv("Repositories", &if p.source_repos.is_empty() { "<none>".into() } else { p.source_repos.join(", ") }));
            text.push_str(&kv("Scoped Repositories", "<none>"));
            text.push_str(&kv("Allowed Cluster Resources", &list(&p.cluster_whitelist, "/")));
            text.push_str(&kv("Scoped Clusters", "<none>"));
            text.push_str(&kv("Denied Namespaced Resources", &list(&p.namespace_blacklist, "/")));
            text.push_str(&kv("Signature keys", "<none>"));
            text.push_str(&kv("Orphaned Resources", "disabled"));
            CommandOutput::ok(text)
        }
        other => cobra_unknown(other, "argocd proj"),
    }
}

fn cobra_unknown(word: &str, parent: &str) -> CommandOutput {
    if word.starts_with('-') {
        return CommandOutput::err(format!("Error: unknown flag: {word}\n"), 1);
    }
    CommandOutput::err(format!("Error: unknown command \"{word}\" for \"{parent}\"\nRun '{parent} --help' for usage.\n"), 1)
}

fn fatal(message: &str) -> CommandOutput {
    CommandOutput::err(format!("FATA[0000] {message}\n"), EXIT_FATAL)
}

fn not_found(name: &str) -> CommandOutput {
    fatal(&format!("rpc error: code = NotFound desc = applications.argoproj.io \"{name}\" not found"))
}

fn check_flags(args: &[String]) -> Option<CommandOutput> {
    args.iter()
        .find(|a| a.starts_with('-'))
        .map(|f| CommandOutput::err(format!("Error: unknown flag: {}\n", f.split('=').next().unwrap_or(f)), 1))
}

fn app_name(args: &[String]) -> String {
    let name = args.first().cloned().unwrap_or_default();
    name.rsplit('/').next().unwrap_or(&name).to_string()
}

fn short_sha(rev: &str) -> &str {
    &rev[..rev.len().min(7)]
}

fn is_sha(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

fn sync_status_line(app: &AppRuntime) -> String {
    let target = &app.spec.target_revision;
    let sha =
        if is_sha(target) || app.status.revision.is_empty() { String::new() } else { format!(" ({})", short_sha(&app.status.revision)) };
    match app.status.sync_status {
        SyncStatus::Synced => format!("Synced to {target}{sha}"),
        SyncStatus::OutOfSync => format!("OutOfSync from {target}{sha}"),
        SyncStatus::Unknown => "Unknown".into(),
    }
}

fn summary(app: &AppRuntime) -> String {
    let s = &app.spec;
    let kv = |k: &str, v: &str| format!("{:<20}{v}\n", format!("{k}:"));
    let mut text = String::new();
    text.push_str(&kv("Name", &s.qualified_name()));
    text.push_str(&kv("Project", &s.project));
    text.push_str(&kv("Server", &s.dest_server));
    text.push_str(&kv("Namespace", &s.dest_namespace));
    text.push_str(&kv("URL", &format!("https://{SERVER}/applications/{}", s.name)));
    text.push_str("Source:\n");
    text.push_str(&kv("- Repo", &s.repo_url));
    text.push_str(&kv("  Target", &s.target_revision));
    text.push_str(&kv("  Path", &s.path));
    if let Some(prefix) =
        s.kustomize.as_ref().and_then(|k| k.get("namePrefix")).and_then(serde_json::Value::as_str).filter(|p| !p.is_empty())
    {
        text.push_str(&kv("  Name Prefix", prefix));
    }
    text.push_str(&kv("SyncWindow", "Sync Allowed"));
    text.push_str(&kv("Sync Policy", s.sync_policy_label()));
    text.push_str(&kv("Sync Status", &sync_status_line(app)));
    text.push_str(&kv("Health Status", app.status.health.status.word()));
    text
}

fn conditions_table(status: &AppStatus) -> String {
    if status.conditions.is_empty() {
        return String::new();
    }
    let mut rows = vec![vec!["CONDITION".to_string(), "MESSAGE".into(), "LAST TRANSITION".into()]];
    for c in &status.conditions {
        let t = c.last_transition_time.go_time();
        rows.push(vec![c.kind.clone(), c.message.clone(), t]);
    }
    format!("\n{}", table::argocd(&rows))
}

/// STATUS, HEALTH and HOOK for one sync result, as `getResourceStates` fills them: a hook or a
/// resource the app no longer lists shows the result's phase and result code (`Succeeded  Pruned`),
/// any other resource its current sync status and health.
fn result_state(app: &AppRuntime, r: &crate::argo::app::ResourceResult) -> (String, String, String) {
    let current =
        app.status.resources.iter().find(|s| s.group == r.group && s.kind == r.kind && s.namespace == r.namespace && s.name == r.name);
    match current {
        Some(c) if r.hook_type.is_empty() => {
            (c.status.to_string(), c.health.as_ref().map(|h| h.status.to_string()).unwrap_or_default(), String::new())
        }
        _ if !r.hook_type.is_empty() => {
            // The simulator keeps a hook's phase in `status`; its result code is that of its creation.
            (r.status.clone(), "Synced".to_string(), r.hook_type.clone())
        }
        _ => {
            let phase = if r.status == "SyncFailed" { "Failed" } else { "Succeeded" };
            (phase.to_string(), r.status.clone(), String::new())
        }
    }
}

fn resource_table(app: &AppRuntime) -> String {
    let mut rows = vec![
        ["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK", "MESSAGE"].iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    ];
    let results = app.status.operation_state.as_ref().map(|o| o.resources.clone()).unwrap_or_default();
    let mut shown = Vec::new();
    for r in &results {
        let (status, health, hook) = result_state(app, r);
        rows.push(vec![r.group.clone(), r.kind.clone(), r.namespace.clone(), r.name.clone(), status, health, hook, r.message.clone()]);
        shown.push((r.group.clone(), r.kind.clone(), r.namespace.clone(), r.name.clone()));
    }
    for s in &app.status.resources {
        if shown.contains(&(s.group.clone(), s.kind.clone(), s.namespace.clone(), s.name.clone())) {
            continue;
        }
        rows.push(vec![
            s.group.clone(),
            s.kind.clone(),
            s.namespace.clone(),
            s.name.clone(),
            s.status.to_string(),
            s.health.as_ref().map(|h| h.status.to_string()).unwrap_or_default(),
            String::new(),
            String::new(),
        ]);
    }
    table::argocd(&rows)
}

fn operation_block(app: &AppRuntime) -> String {
    let Some(op) = &app.status.operation_state else {
        return String::new();
    };
    let kv = |k: &str, v: &str| format!("{:<20}{v}\n", format!("{k}:"));
    let started = op.started_at;
    let finished = op.finished_at;
    let mut text = String::new();
    text.push_str(&kv("Operation", "Sync"));
    text.push_str(&kv("Sync Revision", &op.revision));
    text.push_str(&kv("Phase", op.phase.word()));
    text.push_str(&kv("Start", &started.go_time()));
    text.push_str(&kv("Finished", &finished.map(|f| f.go_time()).unwrap_or_default()));
    text.push_str(&kv("Duration", &go_duration(finished.unwrap_or(started).since(started))));
    text.push_str(&kv("Message", &op.message));
    text
}

fn get(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let refresh = take_switch(&mut args, &["--refresh"]);
    let hard = take_switch(&mut args, &["--hard-refresh"]);
    let show_operation = take_switch(&mut args, &["--show-operation"]);
    let output = take_flag(&mut args, &["-o", "--output"]).unwrap_or_else(|| "wide".into());
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    if name.is_empty() {
        return CommandOutput::err("Error: accepts 1 arg(s), received 0\n", 1);
    }
    if let Err(denied) = authorize(world, "get", &name) {
        return if world.model().agent().app(&name).is_none() { not_found(&name) } else { denied };
    }
    if refresh || hard {
        let now = world.now();
        if !world.model_mut().agent_mut().refresh(&name, hard, now) {
            return not_found(&name);
        }
        world.settle();
    }
    let Some(app) = world.model().agent().app(&name) else {
        return not_found(&name);
    };
    match output.as_str() {
        "json" | "yaml" => {
            let key = ObjectKey::new("argoproj.io", "Application", crate::argo::ARGOCD_NAMESPACE, &name);
            let obj = world.model().cluster().store.get(&key).cloned().unwrap_or_default();
            if output == "yaml" {
                CommandOutput::ok(crate::yaml::to_yaml(&obj))
            } else {
                CommandOutput::ok(format!("{}\n", serde_json::to_string_pretty(&obj).unwrap_or_default()))
            }
        }
        "tree" => {
            let mut rows = vec![vec!["KIND/NAME".to_string(), "STATUS".into(), "HEALTH".into(), "MESSAGE".into()]];
            for r in &app.status.resources {
                let (health, message) = r.health.as_ref().map(|h| (h.status.to_string(), h.message.clone())).unwrap_or_default();
                rows.push(vec![format!("{}/{}", r.kind, r.name), r.status.to_string(), health, message]);
            }
            CommandOutput::ok(format!("{}{}\n{}", summary(app), conditions_table(&app.status), table::argocd(&rows)))
        }
        _ => {
            let op = if show_operation { format!("\n{}", operation_block(app)) } else { String::new() };
            CommandOutput::ok(format!("{}{}{op}\n{}", summary(app), conditions_table(&app.status), resource_table(app)))
        }
    }
}

fn list(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let output = take_flag(&mut args, &["-o", "--output"]).unwrap_or_else(|| "wide".into());
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let user = world.shell().argocd_user.clone();
    let apps: Vec<&AppRuntime> = world
        .model()
        .agent()
        .apps()
        .filter(|a| world.model().rbac().can(&user, "applications", "get", &format!("{}/{}", a.spec.project, a.spec.name)))
        .collect();
    if output == "name" {
        return CommandOutput::ok(apps.iter().map(|a| format!("{}\n", a.spec.qualified_name())).collect::<String>());
    }
    let mut rows = vec![
        ["NAME", "CLUSTER", "NAMESPACE", "PROJECT", "STATUS", "HEALTH", "SYNCPOLICY", "CONDITIONS", "REPO", "PATH", "TARGET"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    ];
    for a in apps {
        let policy = match a.spec.automated {
            None => "Manual",
            Some(p) if p.prune => "Auto-Prune",
            Some(_) => "Auto",
        };
        let mut kinds: Vec<&str> = a.status.conditions.iter().map(|c| c.kind.as_str()).collect();
        kinds.sort();
        let conditions =
            if kinds.is_empty() { "<none>".to_string() } else { kinds.iter().map(|k| format!("{k}(1)")).collect::<Vec<_>>().join(",") };
        rows.push(vec![
            a.spec.qualified_name(),
            a.spec.dest_server.clone(),
            a.spec.dest_namespace.clone(),
            a.spec.project.clone(),
            a.status.sync_status.to_string(),
            a.status.health.status.to_string(),
            policy.into(),
            conditions,
            a.spec.repo_url.clone(),
            a.spec.path.clone(),
            a.spec.target_revision.clone(),
        ]);
    }
    CommandOutput::ok(table::argocd(&rows))
}

fn history(world: &mut dyn Host, args: Vec<String>) -> CommandOutput {
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    if world.model().agent().app(&name).is_some() {
        if let Err(denied) = authorize(world, "get", &name) {
            return denied;
        }
    }
    let Some(app) = world.model().agent().app(&name) else {
        return not_found(&name);
    };
    let mut rows = vec![vec!["ID".to_string(), "DATE".into(), "REVISION".into()]];
    for h in &app.status.history {
        let date = h.deployed_at.go_time();
        rows.push(vec![h.id.to_string(), date, format!("{} ({})", app.spec.target_revision, short_sha(&h.revision))]);
    }
    CommandOutput::ok(format!("SOURCE  {}\n{}", app.spec.repo_url, table::argocd(&rows)))
}

fn app_diff(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let _ = take_switch(&mut args, &["--refresh", "--hard-refresh"]);
    // A boolean flag, as cobra reads it: `--exit-code` or `--exit-code=false`, never `--exit-code false`.
    let exit_code_flag = super::take_bool(&mut args, "--exit-code");
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    if world.model().agent().app(&name).is_some() {
        if let Err(denied) = authorize(world, "get", &name) {
            return denied;
        }
    }
    if world.model().agent().app(&name).is_none() {
        return not_found(&name);
    }
    let desired = match world.model_mut().desired_manifests(&name) {
        Ok(d) => d,
        Err(e) => return fatal(&e),
    };
    let app = world.model().agent().app(&name).expect("checked above");
    let mut text = String::new();
    for r in &app.status.resources {
        let key = ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name);
        if r.status == "Synced" || r.kind == "Secret" {
            continue;
        }
        let want = desired.iter().find(|d| ObjectKey::of(d).as_ref() == Some(&key));
        let live = world.model().cluster().store.get(&key);
        let body = diff::diff_text(live, want, &app.spec.ignore_differences);
        if body.is_empty() {
            continue;
        }
        text.push_str(&format!("\n===== {}/{} {}/{} ======\n{body}", r.group, r.kind, r.namespace, r.name));
    }
    let code = if text.is_empty() || exit_code_flag == Some(false) { 0 } else { 1 };
    CommandOutput { stdout: text, stderr: String::new(), exit_code: code }
}

fn sync(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let prune = take_switch(&mut args, &["--prune"]);
    let dry_run = take_switch(&mut args, &["--dry-run"]);
    let is_async = take_switch(&mut args, &["--async"]);
    let revision = take_flag(&mut args, &["--revision"]);
    let timeout = take_flag(&mut args, &["--timeout"]).and_then(|t| t.parse::<u64>().ok());
    let retry_limit = take_flag(&mut args, &["--retry-limit"]).and_then(|t| t.parse::<i64>().ok());
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    if world.model().agent().app(&name).is_some() {
        if let Err(denied) = authorize(world, "sync", &name) {
            return denied;
        }
    }
    let Some(app) = world.model().agent().app(&name) else {
        return not_found(&name);
    };
    let retry = match retry_limit {
        Some(limit) => crate::argo::sync::RetryPolicy { limit, ..crate::argo::sync::RetryPolicy::NONE },
        None => crate::argo::sync::RetryPolicy::NONE,
    };
    let req = SyncRequest {
        revision: revision.unwrap_or_else(|| app.spec.target_revision.clone()),
        prune,
        dry_run,
        resources: None,
        initiated_by: world.shell().argocd_user.clone(),
        automated: false,
        self_heal_attempts: 0,
        retry,
    };
    let started = world.now();
    if let Err(e) = world.start_sync(&name, req) {
        return fatal(&e);
    }
    if is_async {
        return CommandOutput::default();
    }
    let limit = SimDuration::secs(timeout.unwrap_or(300));
    let done = super::run_until(world, limit, |w| !w.agent().operation_running(&name));
    let app = world.model().agent().app(&name).expect("app exists");
    if !done {
        return fatal(&format!("rpc error: code = Unknown desc = Operation did not complete within {}s", limit.as_secs()));
    }
    // The CLI prints header and rows through `%s\t%5s\t%10s\t%10s\t%20s\t%8s\t%7s\t%10s\t%s`.
    let table_line = |c: [&str; 9]| -> Vec<String> {
        let widths = [0, 5, 10, 10, 20, 8, 7, 10, 0];
        c.iter().zip(widths).map(|(cell, w)| format!("{cell:>w$}")).collect()
    };
    let mut rows = vec![table_line(["TIMESTAMP", "GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK", "MESSAGE"])];
    for r in app.status.operation_state.iter().flat_map(|o| o.resources.iter()) {
        let (status, health, hook) = result_state(app, r);
        rows.push(table_line([&started.rfc3339_offset(), &r.group, &r.kind, &r.namespace, &r.name, &status, &health, &hook, &r.message]));
    }
    let stream = table::argocd(&rows);
    let mut out = CommandOutput::ok(format!("{stream}\n{}\n{}\n{}", summary(app), operation_block(app), resource_table(app)));
    let phase = app.status.operation_state.as_ref().map(|o| o.phase.to_string()).unwrap_or_default();
    if phase != "Succeeded" {
        out.stderr = format!("FATA[0000] Operation has completed with phase: {phase}\n");
        out.exit_code = EXIT_FATAL;
    } else if !prune {
        let leftovers = app.status.resources.iter().filter(|r| r.requires_pruning).count();
        if leftovers > 0 {
            out.stderr = format!("FATA[0000] {leftovers} resources require pruning\n");
            out.exit_code = EXIT_FATAL;
        }
    }
    out
}

fn wait(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let timeout = take_flag(&mut args, &["--timeout"]).and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
    let want_health = take_switch(&mut args, &["--health"]);
    let want_sync = take_switch(&mut args, &["--sync"]);
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let (want_health, want_sync) = if !want_health && !want_sync { (true, true) } else { (want_health, want_sync) };
    let name = app_name(&args);
    if world.model().agent().app(&name).is_some() {
        if let Err(denied) = authorize(world, "get", &name) {
            return denied;
        }
    }
    if world.model().agent().app(&name).is_none() {
        return not_found(&name);
    }
    let limit = if timeout == 0 { SimDuration::secs(3600) } else { SimDuration::secs(timeout) };
    let done = super::run_until(world, limit, |w| {
        w.agent().app(&name).is_some_and(|a| {
            (!want_health || a.status.health.status == "Healthy")
                && (!want_sync || a.status.sync_status == "Synced")
                && !w.agent().operation_running(&name)
        })
    });
    if !done {
        return fatal(&format!("timed out ({}s) waiting for app \"{name}\" match desired state", limit.as_secs()));
    }
    let app = world.model().agent().app(&name).expect("checked above");
    CommandOutput::ok(format!("{}{}\n{}", summary(app), conditions_table(&app.status), resource_table(app)))
}

fn rollback(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let prune = take_switch(&mut args, &["--prune"]);
    let timeout = take_flag(&mut args, &["--timeout"]).and_then(|t| t.parse::<u64>().ok()).unwrap_or(300);
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    let Some(app) = world.model().agent().app(&name) else { return not_found(&name) };
    if let Err(denied) = authorize(world, "sync", &name) {
        return denied;
    }
    if app.spec.automated.is_some() {
        return fatal("rpc error: code = FailedPrecondition desc = rollback cannot be initiated when auto-sync is enabled");
    }
    let history = &app.status.history;
    let entry = match args.get(1) {
        Some(id) => match history.iter().find(|h| h.id.to_string() == *id) {
            Some(h) => h.clone(),
            None => {
                return fatal(&format!(
                    "rpc error: code = InvalidArgument desc = application '{name}' does not have deployment id '{id}' in history"
                ));
            }
        },
        None if history.len() < 2 => {
            return fatal(&format!(
                "rpc error: code = InvalidArgument desc = application '{name}' should have at least two successful deployments"
            ));
        }
        None => history[history.len() - 2].clone(),
    };
    let req = SyncRequest {
        revision: entry.revision.clone(),
        prune,
        dry_run: false,
        resources: None,
        initiated_by: world.shell().argocd_user.clone(),
        automated: false,
        self_heal_attempts: 0,
        retry: crate::argo::sync::RetryPolicy::NONE,
    };
    if let Err(e) = world.start_sync(&name, req) {
        return fatal(&e);
    }
    if !super::run_until(world, SimDuration::secs(timeout), |w| !w.agent().operation_running(&name)) {
        return fatal(&format!("timed out ({timeout}s) waiting for app \"{name}\" match desired state"));
    }
    // A rollback syncs an old revision without changing the spec, so the app compares as OutOfSync afterwards.
    let now = world.now();
    world.model_mut().agent_mut().refresh(&name, false, now);
    world.settle();
    let app = world.model().agent().app(&name).expect("checked above");
    CommandOutput::ok(format!("{}{}\n{}\n{}", summary(app), conditions_table(&app.status), operation_block(app), resource_table(app)))
}

fn set(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let policy = take_flag(&mut args, &["--sync-policy"]);
    let self_heal = take_switch(&mut args, &["--self-heal"]);
    let no_self_heal = take_switch(&mut args, &["--self-heal=false"]);
    let auto_prune = take_switch(&mut args, &["--auto-prune"]);
    let no_auto_prune = take_switch(&mut args, &["--auto-prune=false"]);
    let revision = take_flag(&mut args, &["--revision"]);
    let path = take_flag(&mut args, &["--path"]);
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    let key = ObjectKey::new("argoproj.io", "Application", crate::argo::ARGOCD_NAMESPACE, &name);
    let Some(mut obj) = world.model().cluster().store.get(&key).cloned() else { return not_found(&name) };
    if let Err(denied) = authorize(world, "update", &name) {
        return denied;
    }
    let spec = &mut obj["spec"];
    match policy.as_deref() {
        Some("none") | Some("manual") => {
            if let Some(p) = spec.get_mut("syncPolicy").and_then(serde_json::Value::as_object_mut) {
                p.remove("automated");
            }
        }
        Some("automated") | Some("automatic") | Some("auto") => {
            if spec["syncPolicy"]["automated"].is_null() {
                spec.set_path(&["syncPolicy", "automated"], serde_json::json!({}));
            }
        }
        Some(other) => return fatal(&format!("Invalid sync policy '{other}'")),
        None => {}
    }
    let automated = !spec["syncPolicy"]["automated"].is_null();
    if (self_heal || no_self_heal || auto_prune || no_auto_prune) && !automated {
        return fatal("Cannot set --self-heal or --auto-prune: application not configured with automatic sync");
    }
    if self_heal || no_self_heal {
        spec.set_path(&["syncPolicy", "automated", "selfHeal"], serde_json::json!(self_heal));
    }
    if auto_prune || no_auto_prune {
        spec.set_path(&["syncPolicy", "automated", "prune"], serde_json::json!(auto_prune));
    }
    if let Some(r) = revision {
        spec.set_path(&["source", "targetRevision"], serde_json::json!(r));
    }
    if let Some(p) = path {
        spec.set_path(&["source", "path"], serde_json::json!(p));
    }
    match world.model_mut().update_object(obj) {
        Ok(_) => {
            world.settle();
            CommandOutput::default()
        }
        Err(e) => fatal(&e.to_string()),
    }
}

fn delete(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    let yes = take_switch(&mut args, &["-y", "--yes"]);
    let cascade = !take_switch(&mut args, &["--cascade=false"]);
    let _ = take_switch(&mut args, &["--cascade"]);
    if let Some(e) = check_flags(&args) {
        return e;
    }
    let name = app_name(&args);
    let Some(app) = world.model().agent().app(&name) else { return not_found(&name) };
    if let Err(denied) = authorize(world, "delete", &name) {
        return denied;
    }
    let qualified = app.spec.qualified_name();
    if !yes {
        let what = if cascade { format!("'{name}' and all its resources") } else { format!("'{name}'") };
        return CommandOutput::err(
            format!("Are you sure you want to delete {what}? [y/n] \nThis terminal cannot answer prompts: add --yes to delete.\n"),
            1,
        );
    }
    // The API server sets or removes the resources finalizer, then deletes; the controller cascades.
    let now = world.now();
    let key = ObjectKey::new("argoproj.io", "Application", crate::argo::ARGOCD_NAMESPACE, &name);
    if let Some(mut obj) = world.model().cluster().store.get(&key).cloned() {
        crate::argo::deletion::set_cascade(&mut obj, cascade);
        let _ = world.model_mut().update_object(obj);
    }
    let _ = world.model_mut().cluster_mut().store.delete(&key, now);
    world.settle();
    CommandOutput::ok(format!("application '{qualified}' deleted\n"))
}
