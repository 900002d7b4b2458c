//! `flux`: get, reconcile, suspend and resume, with Flux v2's output.

use serde_json::Value;

use super::Host;
use super::{CommandOutput, take_switch};
use crate::flux::FLUX_NAMESPACE;
use crate::kube::ObjectKey;
use crate::kube::meta::SetPath;

const KS: &str = "kustomize.toolkit.fluxcd.io";

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    // Flux's objects all live in flux-system here; `-n flux-system` is accepted and changes nothing.
    let _ = super::take_flag(&mut args, &["-n", "--namespace"]);
    let all = take_switch(&mut args, &["-A", "--all-namespaces"]);
    let with_source = take_switch(&mut args, &["--with-source"]);
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["get", "kustomizations" | "kustomization" | "ks", rest @ ..] => get_kustomizations(world, rest.first().copied(), all),
        ["get", "sources", "git", rest @ ..] | ["get", "source", "git", rest @ ..] => get_sources(world, rest.first().copied(), all),
        ["reconcile", "kustomization" | "ks", name] => reconcile_kustomization(world, name, with_source),
        ["reconcile", "source", "git", name] => reconcile_source(world, name),
        ["suspend", "kustomization" | "ks", name] => set_suspend(world, name, true),
        ["resume", "kustomization" | "ks", name] => set_suspend(world, name, false),
        ["version", ..] | ["--version"] => CommandOutput::ok("flux: v2.6.4\n"),
        [] | ["help" | "--help"] => CommandOutput::ok(
            "Command line utility for assembling Kubernetes CD pipelines the GitOps way.\n\nUsage:\n  flux [command]\n\nAvailable Commands:\n  get         Get the resources and their status\n  reconcile   Reconcile sources and resources\n  resume      Resume suspended resources\n  suspend     Suspend resources\n",
        ),
        [verb, ..] if ["get", "reconcile", "suspend", "resume"].contains(verb) => {
            CommandOutput::err(format!("✗ this lab's flux knows kustomizations and sources git; try `flux {verb} kustomization NAME`\n"), 1)
        }
        [other, ..] => CommandOutput::err(format!("✗ unknown command \"{other}\" for \"flux\"\n"), 1),
    }
}

/// Flux's tables: every cell padded to its column and followed by a tab.
fn flux_table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    rows.iter().map(|r| r.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}\t")).collect::<String>() + "\n").collect()
}

fn not_found(kind: &str, name: &str) -> CommandOutput {
    CommandOutput::err(format!("✗ {kind} object '{name}' not found in \"{FLUX_NAMESPACE}\" namespace\n"), 1)
}

fn get_kustomizations(world: &dyn Host, name: Option<&str>, all: bool) -> CommandOutput {
    let rows = world.model().flux().kustomizations.values().filter(|k| name.is_none_or(|n| n == k.name)).map(|k| {
        let ready = match k.ready {
            Some(true) => "True",
            Some(false) => "False",
            None => "Unknown",
        };
        [k.name.clone(), k.last_applied_revision.clone().unwrap_or_default(), title(k.suspended), ready.into(), k.message.clone()]
    });
    listing("Kustomization", name, all, rows.collect())
}

fn get_sources(world: &dyn Host, name: Option<&str>, all: bool) -> CommandOutput {
    let rows = world.model().flux().sources.values().filter(|s| name.is_none_or(|n| n == s.name)).map(|s| {
        let revision = s.revision.clone().unwrap_or_default();
        let (ready, message) = match (&s.fetch_error, revision.is_empty()) {
            (Some(e), _) => ("False", e.clone()),
            (None, true) => ("False", "building artifact".to_string()),
            (None, false) => ("True", format!("stored artifact for revision '{revision}'")),
        };
        [s.name.clone(), revision, title(s.suspended), ready.into(), message]
    });
    listing("GitRepository", name, all, rows.collect())
}

/// `flux get`'s table of NAME, REVISION, SUSPENDED, READY, MESSAGE (NAMESPACE first with -A), or its "not found".
fn listing(kind: &str, name: Option<&str>, all: bool, rows: Vec<[String; 5]>) -> CommandOutput {
    if rows.is_empty() {
        return match name {
            Some(n) => not_found(kind, n),
            None => CommandOutput::err(format!("no {kind} objects found in \"{FLUX_NAMESPACE}\" namespace\n"), 0),
        };
    }
    let header = ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"].map(String::from);
    let table: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows)
        .enumerate()
        .map(|(i, row)| {
            let first = if i == 0 { "NAMESPACE" } else { FLUX_NAMESPACE };
            all.then(|| first.to_string()).into_iter().chain(row).collect()
        })
        .collect();
    CommandOutput::ok(flux_table(&table))
}

fn title(b: bool) -> String {
    if b { "True".into() } else { "False".into() }
}

fn reconcile_source(world: &mut dyn Host, name: &str) -> CommandOutput {
    if !world.model().flux().sources.contains_key(name) {
        return not_found("GitRepository", name);
    }
    let mut out = format!(
        "► annotating GitRepository {name} in {FLUX_NAMESPACE} namespace\n✔ GitRepository annotated\n◎ waiting for GitRepository reconciliation\n"
    );
    match world.model_mut().flux_fetch(name) {
        Some(revision) => out.push_str(&format!("✔ fetched revision {revision}\n")),
        None => return CommandOutput { stdout: out, stderr: "✗ failed to checkout and determine revision\n".into(), exit_code: 1 },
    }
    world.settle();
    CommandOutput::ok(out)
}

fn reconcile_kustomization(world: &mut dyn Host, name: &str, with_source: bool) -> CommandOutput {
    let Some(ks) = world.model().flux().kustomizations.get(name).cloned() else { return not_found("Kustomization", name) };
    if ks.suspended {
        return CommandOutput::err("✗ resource is suspended\n", 1);
    }
    let mut out = String::new();
    if with_source {
        let source = reconcile_source(world, &ks.source);
        out.push_str(&source.stdout);
        if source.exit_code != 0 {
            return CommandOutput { stdout: out, ..source };
        }
    }
    out.push_str(&format!("► annotating Kustomization {name} in {FLUX_NAMESPACE} namespace\n✔ Kustomization annotated\n◎ waiting for Kustomization reconciliation\n"));
    world.model_mut().flux_reconcile(name);
    world.settle();
    let after = world.model().flux().kustomizations.get(name).cloned();
    match after {
        Some(k) if k.ready == Some(true) => {
            out.push_str(&format!("✔ applied revision {}\n", k.last_applied_revision.unwrap_or_default()));
            CommandOutput::ok(out)
        }
        Some(k) => CommandOutput { stdout: out, stderr: format!("✗ {}\n", k.message), exit_code: 1 },
        None => CommandOutput::ok(out),
    }
}

fn set_suspend(world: &mut dyn Host, name: &str, suspend: bool) -> CommandOutput {
    let key = ObjectKey::new(KS, "Kustomization", FLUX_NAMESPACE, name);
    let Some(mut obj) = world.model().cluster().store.get(&key).cloned() else { return not_found("Kustomization", name) };
    let (verb, done) = if suspend { ("suspending", "suspended") } else { ("resuming", "resumed") };
    obj.set_path(&["spec", "suspend"], Value::Bool(suspend));
    if let Err(e) = world.model_mut().update_object(obj) {
        return CommandOutput::err(format!("✗ {e}\n"), 1);
    }
    world.settle();
    let mut out = format!("► {verb} kustomization {name} in {FLUX_NAMESPACE} namespace\n✔ kustomization {done}\n");
    if !suspend {
        let revision = world.model().flux().kustomizations.get(name).and_then(|k| k.last_applied_revision.clone()).unwrap_or_default();
        out.push_str(&format!(
            "◎ waiting for Kustomization reconciliation\n✔ Kustomization reconciliation completed\n✔ applied revision {revision}\n"
        ));
    }
    CommandOutput::ok(out)
}
