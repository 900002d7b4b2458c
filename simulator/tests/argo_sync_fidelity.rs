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
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  annotations:\n    argocd.argoproj.io/sync-wave: \"{wave}\"\ndata: {{a: b}}\n"
    )
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
    let w = world(
        MANUAL,
        &[("deployment.yaml", DEPLOYMENT), ("migrate.yaml", GENERATED_HOOK)],
        "",
        "migrate:1: {behaviour: completes, runSeconds: 3}",
    );
    let op = operation(&w);
    assert_eq!(op.phase, "Succeeded", "{op:?}");
    let hook = op.resources.iter().find(|r| r.kind == "Job").expect("the hook ran");
    let started = op.started_at;
    let expected = format!("migrate-{}-presync-{}", &op.revision[..7], started.0 / 1000);
    assert_eq!((hook.name.as_str(), hook.status.as_str(), hook.hook_type.as_str()), (expected.as_str(), "Succeeded", "PreSync"));
    let job =
        w.cluster().store.get(&ObjectKey::new("batch", "Job", "prod", &expected)).expect("kept: the default policy is BeforeHookCreation");
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

#[test]
fn hook_column_shows_the_hook_type() {
    let job = GENERATED_HOOK.replace("  generateName: migrate-\n", "  name: migrate\n");
    let mut w =
        world(MANUAL, &[("deployment.yaml", DEPLOYMENT), ("migrate.yaml", &job)], "", "migrate:1: {behaviour: completes, runSeconds: 3}");
    let text = run(&mut w, "argocd app get web");
    let row = text.lines().find(|l| l.contains("Job") && l.contains("migrate")).unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells, vec!["batch", "Job", "prod", "migrate", "Succeeded", "Synced", "PreSync", "job.batch/migrate", "created"], "{text}");
}

/// A parent app (`web`, path `app`) whose only manifest is the child Application `child`
/// (path `app/child`, one Deployment), with or without the resources finalizer.
fn app_of_apps(parent_policy: &str, finalizer: bool) -> World {
    let mut child = application(SELF_HEAL, "")
        .replace("name: web\n  namespace: argocd", "name: child\n  namespace: argocd")
        .replace("path: app", "path: app/child");
    if finalizer {
        child =
            child.replace("  namespace: argocd\n", "  namespace: argocd\n  finalizers:\n    - resources-finalizer.argocd.argoproj.io\n");
    }
    let w = world(parent_policy, &[("child-app.yaml", child.as_str()), ("child/deployment.yaml", DEPLOYMENT)], "", "");
    assert!(w.cluster().store.get(&deployment_key()).is_some(), "the child deployed its resources");
    w
}

fn deployment_key() -> ObjectKey {
    ObjectKey::new("apps", "Deployment", "prod", "web")
}

fn child_exists(w: &World) -> bool {
    w.cluster().store.get(&ObjectKey::new("argoproj.io", "Application", "argocd", "child")).is_some()
}

#[test]
fn deleting_an_app_with_the_resources_finalizer_cascades() {
    let mut w = app_of_apps(MANUAL, true);
    let text = run(&mut w, "kubectl delete application child -n argocd");
    assert_eq!(text, "application.argoproj.io \"child\" deleted\n");
    wait(&mut w, 5);
    assert!(w.cluster().store.get(&deployment_key()).is_none(), "its resources were deleted");
    assert!(!child_exists(&w), "then the app itself");
}

#[test]
fn deleting_an_app_without_the_finalizer_leaves_its_resources() {
    let mut w = app_of_apps(MANUAL, false);
    run(&mut w, "kubectl delete application child -n argocd");
    wait(&mut w, 5);
    assert!(!child_exists(&w));
    assert!(w.cluster().store.get(&deployment_key()).is_some(), "the resources stay");
}

#[test]
fn argocd_app_delete_cascades_unless_cascade_false() {
    let mut w = app_of_apps(MANUAL, false);
    let text = run(&mut w, "argocd app delete child --cascade=false -y");
    assert_eq!(text, "application 'argocd/child' deleted\n");
    wait(&mut w, 5);
    assert!(!child_exists(&w) && w.cluster().store.get(&deployment_key()).is_some(), "--cascade=false keeps the resources");
    let mut w = app_of_apps(MANUAL, false);
    run(&mut w, "argocd app delete child -y");
    wait(&mut w, 5);
    assert!(!child_exists(&w) && w.cluster().store.get(&deployment_key()).is_none(), "the default cascades, finalizer or not");
}

#[test]
fn app_of_apps_children_are_recreated_by_their_parent() {
    let mut w = app_of_apps(SELF_HEAL, true);
    run(&mut w, "kubectl delete application child -n argocd");
    wait(&mut w, 30);
    assert!(child_exists(&w), "the parent's self-heal recreated the child");
    assert!(w.cluster().store.get(&deployment_key()).is_some(), "and the child its resources");
    assert_eq!(w.agent().app("child").map(|a| a.status.sync_status.to_string()), Some("Synced".to_string()));
}

fn sandbox_world(create_namespace: bool) -> World {
    let options = if create_namespace {
        "  syncPolicy:\n    automated: {}\n    syncOptions: [CreateNamespace=true]\n"
    } else {
        "  syncPolicy:\n    automated: {}\n"
    };
    let app = application("", "").replace("    namespace: prod\n", "    namespace: guestbook\n") + options;
    let mut files = simulator::git::Snapshot::new();
    files.insert("argocd/web.yaml".into(), app);
    files.insert("app/configmap.yaml".into(), CONFIGMAP.to_string());
    let lab = simulator::lab::sandbox::sandbox_lab("guestbook", files).expect("a sandbox lab");
    World::new(1, &lab).expect("the world builds")
}

#[test]
fn destination_namespaces_are_not_created_up_front() {
    let mut w = sandbox_world(false);
    wait(&mut w, 30);
    let op = operation(&w);
    assert!(op.phase == "Failed" && op.message.starts_with("one or more objects failed to apply (dry run)"), "{op:?}");
    assert!(op.resources.iter().any(|r| r.message == "namespaces \"guestbook\" not found"), "{:?}", op.resources);
    let text = run(&mut w, "kubectl get ns guestbook");
    assert_eq!(text, "Error from server (NotFound): namespaces \"guestbook\" not found\n");
    let mut w = sandbox_world(true);
    wait(&mut w, 30);
    assert_eq!(operation(&w).phase, "Succeeded");
    assert!(w.cluster().store.get(&ObjectKey::new("", "ConfigMap", "guestbook", "web-config")).is_some());
}

#[test]
fn a_target_revision_that_does_not_exist_cannot_be_resolved() {
    let mut w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    let text = run(&mut w, "argocd app set web --revision master");
    assert_eq!(text, "");
    run(&mut w, "argocd app get web --refresh");
    wait(&mut w, 5);
    let status = &w.agent().app("web").unwrap().status;
    assert_eq!(status.sync_status, "Unknown");
    let condition = status.conditions.iter().find(|c| c.kind == "ComparisonError").expect("a ComparisonError");
    assert_eq!(
        condition.message,
        "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = unable to resolve 'master' to a commit SHA"
    );
}

#[test]
fn an_app_with_no_resources_is_healthy() {
    let w = world(SELF_HEAL, &[("README.md", "nothing to deploy\n")], "", "");
    assert_eq!(app(&w), ("Synced".into(), "Healthy".into()));
}

const SLEEPING_JOB: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: report\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: report\n          image: busybox:1.36\n          command: [sh, -c, \"echo start; sleep 40; echo done\"]\n";

#[test]
fn jobs_take_as_long_as_their_sleep_command() {
    let mut w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    write_file(&mut w, "report.yaml", SLEEPING_JOB);
    assert_eq!(run(&mut w, "kubectl apply -f report.yaml"), "job.batch/report created\n");
    let header = "NAME     STATUS    COMPLETIONS   DURATION   AGE\n";
    let text = run(&mut w, "kubectl get jobs");
    assert!(text.starts_with(header) && text.contains("report   Running   0/1"), "{text}");
    wait(&mut w, 30);
    assert!(run(&mut w, "kubectl get jobs").contains("Running"), "still sleeping after 30 s");
    wait(&mut w, 20);
    let text = run(&mut w, "kubectl get jobs");
    let row: Vec<String> = text.lines().nth(1).unwrap().split_whitespace().map(String::from).collect();
    assert_eq!(&row[..3], &["report".to_string(), "Complete".into(), "1/1".into()], "{text}");
    let secs: u64 = row[3].trim_end_matches('s').parse().unwrap_or_else(|_| panic!("{text}"));
    assert!((40..=45).contains(&secs), "the job ran for its sleep: {text}");
}

#[test]
fn kubectl_get_all_includes_jobs_and_cronjobs() {
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: \"0 2 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: n, image: busybox:1.36}]\n";
    let mut w = world(MANUAL, &[("cron.yaml", cron)], "", "");
    write_file(&mut w, "report.yaml", SLEEPING_JOB);
    run(&mut w, "kubectl apply -f report.yaml");
    let text = run(&mut w, "kubectl get all");
    assert!(text.contains("NAME                    SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE\ncronjob.batch/nightly   0 2 * * *   <none>     False     0        <none>"), "{text}");
    assert!(text.contains("NAME               STATUS    COMPLETIONS   DURATION   AGE\njob.batch/report   Running   0/1"), "{text}");
    assert!(text.find("cronjob.batch/nightly").unwrap() < text.find("job.batch/report").unwrap(), "{text}");
}

#[test]
fn kubectl_get_ingress_prints_kubectls_columns() {
    let ing = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: shop.example.com\n      http:\n        paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]\n";
    let mut w = world(MANUAL, &[("ingress.yaml", ing)], "", "");
    let text = run(&mut w, "kubectl get ingress");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("NAME   CLASS   HOSTS              ADDRESS   PORTS   AGE"), "{text}");
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(&row[..4], &["web", "nginx", "shop.example.com", "80"], "{text}");
}
