//! Sync edge cases against gitops-engine's `sync_context.go`: prunes across waves,
//! their reverse order, `generateName` hooks and when hooks are deleted.

mod support;

use serde_json::Value;
use simulator::kube::ObjectKey;
use simulator::{Input, World};
use support::*;

fn write_file(world: &mut World, path: &str, content: &str) {
    let now = world.now();
    world.handle_input(now, Input::WriteFile { path: path.into(), content: content.into() });
}

fn configmap(name: &str, wave: i64) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  annotations:\n    argocd.argoproj.io/sync-wave: \"{wave}\"\ndata: {{a: b}}\n")
}

fn cm_key(name: &str) -> ObjectKey {
    ObjectKey::new("", "ConfigMap", "prod", name)
}

fn operation(w: &World) -> simulator::argo::app::OperationState {
    w.agent().app("web").unwrap().status.operation_state.clone().expect("an operation")
}

#[test]
fn prune_across_waves_completes() {
    let files = [("deployment.yaml", DEPLOYMENT.to_string()), ("early.yaml", configmap("early", -1)), ("late.yaml", configmap("late", 1))];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let mut w = world(SELF_HEAL, &files, "", "");
    assert!(w.cluster().store.get(&cm_key("late")).is_some());
    write_file(&mut w, "app/early.yaml", "");
    write_file(&mut w, "app/late.yaml", "");
    commit_and_push(&mut w, "yq -i '.spec.replicas = 2' app/deployment.yaml", "drop both configmaps");
    run(&mut w, "argocd app get web --refresh");
    wait(&mut w, 60);
    let op = operation(&w);
    assert_eq!((op.phase.as_str(), op.message.as_str()), ("Succeeded", "successfully synced (all tasks run)"), "{op:?}");
    let pruned: Vec<&str> = op.resources.iter().filter(|r| r.status == "Pruned").map(|r| r.name.as_str()).collect();
    assert_eq!(pruned.len(), 2, "{:?}", op.resources);
    assert!(w.cluster().store.get(&cm_key("early")).is_none() && w.cluster().store.get(&cm_key("late")).is_none());
    assert_eq!(app(&w), ("Synced".into(), "Healthy".into()));
}

#[test]
fn prune_runs_in_reverse_wave_order() {
    let files = [
        ("deployment.yaml", DEPLOYMENT.to_string()),
        ("one.yaml", configmap("one", 1)),
        ("two.yaml", configmap("two", 2)),
        ("three.yaml", configmap("three", 3)),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let mut w = world(MANUAL, &files, "", "");
    for f in ["one", "two", "three"] {
        write_file(&mut w, &format!("app/{f}.yaml"), "");
    }
    commit_and_push(&mut w, "true", "drop the configmaps");
    run(&mut w, "argocd app sync web --prune --async");
    // The deployment's wave 0 runs first; the highest wave is pruned next, the lowest last.
    let mut gone_order = Vec::new();
    for _ in 0..60 {
        wait(&mut w, 1);
        for name in ["one", "two", "three"] {
            if w.cluster().store.get(&cm_key(name)).is_none() && !gone_order.contains(&name) {
                gone_order.push(name);
            }
        }
    }
    assert_eq!(gone_order, vec!["three", "two", "one"]);
    let op = operation(&w);
    assert_eq!(op.phase, "Succeeded", "{op:?}");
    let order: Vec<&str> = op.resources.iter().filter(|r| r.kind == "ConfigMap").map(|r| r.name.as_str()).collect();
    assert_eq!(order, vec!["three", "two", "one"]);
}

const GENERATED_HOOK: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n  annotations:\n    argocd.argoproj.io/hook: PreSync\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: \"migrate:1\"}]\n";

#[test]
fn generate_name_hooks_run() {
    let w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT), ("migrate.yaml", GENERATED_HOOK)], "", "migrate:1: {behaviour: completes, runSeconds: 3}");
    let op = operation(&w);
    assert_eq!(op.phase, "Succeeded", "{op:?}");
    let hook = op.resources.iter().find(|r| r.kind == "Job").expect("the hook ran");
    let started = simulator::SimTime::parse_rfc3339(&op.started_at).unwrap();
    let expected = format!("migrate-{}-presync-{}", &op.revision[..7], started.0 / 1000);
    assert_eq!((hook.name.as_str(), hook.status.as_str(), hook.hook_type.as_str()), (expected.as_str(), "Succeeded", "PreSync"));
    let job = w.cluster().store.get(&ObjectKey::new("batch", "Job", "prod", &expected)).expect("kept: the default policy is BeforeHookCreation");
    assert_eq!(job["metadata"]["generateName"], Value::String("migrate-".into()));
}

#[test]
fn hook_succeeded_hooks_are_deleted_when_the_whole_sync_succeeds() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: \"migrate:1\"}]\n";
    // A second wave keeps the operation running after the hook has finished.
    let late = configmap("late", 1);
    let files = [("deployment.yaml", DEPLOYMENT), ("migrate.yaml", job), ("late.yaml", late.as_str())];
    let mut w = world(MANUAL, &files, "", "migrate:1: {behaviour: completes, runSeconds: 3}");
    let key = ObjectKey::new("batch", "Job", "prod", "migrate");
    run(&mut w, "yq -i '.spec.template.spec.containers[0].image = \"nginx:1.28\"' app/deployment.yaml");
    commit_and_push(&mut w, "true", "new image");
    run(&mut w, "argocd app sync web --async");
    let mut seen_after_hook = false;
    for _ in 0..120 {
        wait(&mut w, 1);
        let op = operation(&w);
        if op.phase != "Running" {
            break;
        }
        let hook_done = op.resources.iter().any(|r| r.kind == "Job" && r.status == "Succeeded");
        if hook_done && w.cluster().store.get(&key).is_some() {
            seen_after_hook = true;
        }
    }
    assert!(seen_after_hook, "the finished hook stays while the sync still runs");
    assert_eq!(operation(&w).phase, "Succeeded");
    assert!(w.cluster().store.get(&key).is_none(), "deleted once the whole sync succeeded");
}
