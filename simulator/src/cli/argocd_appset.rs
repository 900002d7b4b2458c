//! `argocd appset list|get`: ApplicationSets as the Argo CD v3 CLI prints them.

use serde_json::Value;

use super::{CommandOutput, Host, table};
use crate::kube::meta;

pub fn run(world: &dyn Host, mut args: Vec<String>) -> CommandOutput {
    if args.is_empty() {
        return CommandOutput::ok("Manage ApplicationSets\n\nUsage:\n  argocd appset [flags]\n  argocd appset [command]\n");
    }
    let sub = args.remove(0);
    let sets: Vec<&Value> =
        world.model().cluster().store.list("argoproj.io", "ApplicationSet", Some(crate::argo::ARGOCD_NAMESPACE)).collect();
    match sub.as_str() {
        "list" | "ls" => {
            if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
                return CommandOutput::err(format!("Error: unknown flag: {flag}\n"), 1);
            }
            let header = ["NAME", "PROJECT", "SYNCPOLICY", "CONDITIONS", "REPO", "PATH", "TARGET"];
            let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
            for s in &sets {
                let spec = &s["spec"]["template"]["spec"];
                rows.push(vec![
                    meta::name(s).to_string(),
                    spec["project"].as_str().unwrap_or("default").to_string(),
                    sync_policy(spec),
                    conditions_inline(s),
                    spec["source"]["repoURL"].as_str().unwrap_or_default().to_string(),
                    spec["source"]["path"].as_str().unwrap_or_default().to_string(),
                    spec["source"]["targetRevision"].as_str().unwrap_or_default().to_string(),
                ]);
            }
            CommandOutput::ok(table::tabwrite(&rows, 0, 2))
        }
        "get" => {
            let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
                return CommandOutput::err("FATA[0000] missing ApplicationSet name\n", 20);
            };
            let Some(s) = sets.iter().find(|s| meta::name(s) == name) else {
                return CommandOutput::err(
                    format!(
                        "FATA[0000] rpc error: code = NotFound desc = error getting ApplicationSet: applicationsets.argoproj.io \"{name}\" not found\n"
                    ),
                    20,
                );
            };
            CommandOutput::ok(describe(s))
        }
        other if other.starts_with('-') => CommandOutput::err(format!("Error: unknown flag: {other}\n"), 1),
        other => CommandOutput::err(
            format!("Error: unknown command \"{other}\" for \"argocd appset\"\nRun 'argocd appset --help' for usage.\n"),
            1,
        ),
    }
}

fn sync_policy(spec: &Value) -> String {
    if spec["syncPolicy"]["automated"].is_null() { "nil".into() } else { "Automated".into() }
}

fn conditions_inline(s: &Value) -> String {
    let items: Vec<String> = s["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            format!(
                "{{{} {} {} {} {}}}",
                c["type"].as_str().unwrap_or_default(),
                c["message"].as_str().unwrap_or_default(),
                c["lastTransitionTime"].as_str().unwrap_or_default(),
                c["status"].as_str().unwrap_or_default(),
                c["reason"].as_str().unwrap_or_default()
            )
        })
        .collect();
    format!("[{}]", items.join(" "))
}

fn describe(s: &Value) -> String {
    let spec = &s["spec"]["template"]["spec"];
    let policy = match (spec["syncPolicy"]["automated"].is_null(), spec["syncPolicy"]["automated"]["prune"].as_bool()) {
        (true, _) => "<none>".to_string(),
        (false, Some(true)) => "Automated (Prune)".into(),
        (false, _) => "Automated".into(),
    };
    let mut out = String::new();
    let line = |out: &mut String, k: &str, v: &str| out.push_str(&format!("{:<20}{v}\n", format!("{k}:")));
    line(&mut out, "Name", &format!("{}/{}", crate::argo::ARGOCD_NAMESPACE, meta::name(s)));
    line(&mut out, "Project", spec["project"].as_str().unwrap_or("default"));
    line(&mut out, "Server", spec["destination"]["server"].as_str().unwrap_or_default());
    line(&mut out, "Namespace", spec["destination"]["namespace"].as_str().unwrap_or_default());
    out.push_str("Source:\n");
    out.push_str(&format!("{:<20}{}\n", "- Repo:", spec["source"]["repoURL"].as_str().unwrap_or_default()));
    out.push_str(&format!("{:<20}{}\n", "  Target:", spec["source"]["targetRevision"].as_str().unwrap_or_default()));
    out.push_str(&format!("{:<20}{}\n", "  Path:", spec["source"]["path"].as_str().unwrap_or_default()));
    line(&mut out, "SyncPolicy", &policy);
    out.push('\n');
    let mut rows = vec![vec!["CONDITION".to_string(), "STATUS".into(), "MESSAGE".into(), "LAST TRANSITION".into()]];
    for c in s["status"]["conditions"].as_array().into_iter().flatten() {
        rows.push(vec![
            c["type"].as_str().unwrap_or_default().to_string(),
            c["status"].as_str().unwrap_or_default().to_string(),
            c["message"].as_str().unwrap_or_default().to_string(),
            c["lastTransitionTime"].as_str().unwrap_or_default().to_string(),
        ]);
    }
    out.push_str(&table::tabwrite(&rows, 0, 2));
    out
}
