//! The agent against Argo CD's rules, scenario by scenario: build a world,
//! act as a trainee would, drive the clock, assert what Argo CD would show.

mod support;

use simulator::events::EventKind;
use simulator::git::Snapshot;
use simulator::lab::Lab;
use simulator::{Input, SimDuration, World};
use support::*;

#[test]
fn selfheal_reverts_drift_within_seconds_not_at_the_next_poll() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    assert_eq!(app(&w), ("Synced".into(), "Healthy".into()));
    run(&mut w, "kubectl scale deployment web --replicas=5");
    let scaled_at = w.now();
    wait(&mut w, 5);
    assert_eq!(replicas(&w), 3);
    let healed = w
        .journal()
        .iter()
        .find(|e| matches!(&e.kind, EventKind::SyncFinished { self_heal: true, phase, .. } if phase == "Succeeded"))
        .expect("a self-heal sync");
    assert!(healed.at.since(scaled_at) <= SimDuration::secs(3), "healed after {:?}", healed.at.since(scaled_at));
    assert!(!w.journal().iter().any(|e| matches!(e.kind, EventKind::Poll { .. }) && e.at <= healed.at), "no poll was needed");
    let history = &w.agent().app("web").unwrap().status.history;
    assert_eq!(history.len(), 1, "self-heal syncs add no history entry");
}

#[test]
fn without_selfheal_drift_stays_out_of_sync() {
    let mut w = world(AUTO_NO_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    run(&mut w, "kubectl scale deployment web --replicas=5");
    wait(&mut w, 600);
    assert_eq!(app(&w).0, "OutOfSync");
    assert_eq!(replicas(&w), 5);
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("deployment.apps/web configured"), "{text}");
    assert_eq!(replicas(&w), 3);
    assert_eq!(app(&w).0, "Synced");
}

#[test]
fn selfheal_backoff_grows_between_repeated_attempts() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    let mut heal_times = Vec::new();
    for _ in 0..4 {
        run(&mut w, "kubectl scale deployment web --replicas=5");
        let before = w.now();
        for _ in 0..200 {
            wait(&mut w, 1);
            if replicas(&w) == 3 {
                break;
            }
        }
        heal_times.push(w.now().since(before).as_secs());
    }
    // The first heal is immediate (after the watch delay); later ones wait 2 s, then 6 s, then 18 s
    // after the previous attempt, which ended only a second or so before the next scale.
    assert!(heal_times[0] <= 3, "{heal_times:?}");
    assert!(heal_times[2] > heal_times[1] && heal_times[3] > heal_times[2], "back-off grows: {heal_times:?}");
    let waits: Vec<u64> = w
        .journal()
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::SelfHealBackoff { wait_seconds, .. } => Some(wait_seconds),
            _ => None,
        })
        .collect();
    assert!(!waits.is_empty(), "the timeline shows the back-off");
}

#[test]
fn polling_picks_up_a_push_within_three_minutes() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    commit_and_push(&mut w, "yq -i '.spec.replicas = 4' app/deployment.yaml", "four");
    let pushed = w.now();
    wait(&mut w, 181);
    assert_eq!(replicas(&w), 4);
    let synced = w.journal().iter().find(|e| matches!(&e.kind, EventKind::SyncStarted { .. })).expect("a sync").at;
    assert!(synced.since(pushed) <= SimDuration::secs(180), "picked up after {:?}", synced.since(pushed));
    assert_eq!(w.agent().app("web").unwrap().status.history.len(), 2);
}

#[test]
fn a_webhook_makes_the_agent_look_at_once() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "webhook: true", "");
    commit_and_push(&mut w, "yq -i '.spec.replicas = 4' app/deployment.yaml", "four");
    wait(&mut w, 5);
    assert_eq!(replicas(&w), 4);
    assert!(w.journal().iter().any(|e| matches!(e.kind, EventKind::Webhook { .. })));
}

#[test]
fn argo_cd_2_timing_polls_every_three_minutes_without_jitter() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "pollSeconds: 180, jitterSeconds: 0", "");
    wait(&mut w, 1200);
    let polls: Vec<_> = w.journal().iter().filter(|e| matches!(e.kind, EventKind::Poll { .. })).map(|e| e.at).collect();
    assert!(polls.len() >= 5, "{polls:?}");
    for pair in polls.windows(2) {
        assert_eq!(pair[1].since(pair[0]), SimDuration::secs(180));
    }
}

#[test]
fn failed_revision_is_not_retried() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    let elsewhere = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stray\n  namespace: nowhere\ndata: {a: b}\n";
    write_file(&mut w, "app/stray.yaml", elsewhere);
    commit_and_push(&mut w, "true", "add a configmap in a missing namespace");
    run(&mut w, "argocd app get web --refresh");
    wait(&mut w, 7);
    let op = w.agent().app("web").unwrap().status.operation_state.clone().unwrap();
    assert_eq!(op.phase, "Running", "an automated sync retries (limit 5, from 5 s doubling)");
    assert!(op.message.starts_with("one or more objects failed to apply (dry run). Retrying attempt #2 at "), "{}", op.message);
    wait(&mut w, 300);
    let status = &w.agent().app("web").unwrap().status;
    let op = status.operation_state.as_ref().unwrap();
    assert_eq!(op.phase, "Failed");
    assert_eq!(op.message, "one or more objects failed to apply (dry run) (retried 5 times).");
    let condition = status.conditions.iter().find(|c| c.kind == "SyncError").expect("a SyncError condition");
    assert!(condition.message.starts_with("Failed last sync attempt to ["), "{}", condition.message);
    let attempts = |w: &World| w.journal().iter().filter(|e| matches!(e.kind, EventKind::SyncStarted { .. })).count();
    let before = attempts(&w);
    wait(&mut w, 900);
    assert_eq!(attempts(&w), before, "the same revision is not retried");
    let listed = run(&mut w, "argocd app list");
    assert!(listed.contains("SyncError(1)"), "{listed}");
    // A new commit is tried again, and succeeds.
    write_file(&mut w, "app/stray.yaml", &elsewhere.replace("nowhere", "prod"));
    commit_and_push(&mut w, "true", "put the configmap in prod");
    run(&mut w, "argocd app get web --refresh");
    wait(&mut w, 30);
    assert!(attempts(&w) > before);
    let status = &w.agent().app("web").unwrap().status;
    assert_eq!(status.operation_state.as_ref().unwrap().phase, "Succeeded");
    assert!(status.conditions.iter().all(|c| c.kind != "SyncError"), "the condition clears with the new revision");
}

#[test]
fn prune_false_leaves_extras_requiring_pruning() {
    let mut w = world(AUTO_NO_HEAL, &[("deployment.yaml", DEPLOYMENT), ("configmap.yaml", CONFIGMAP)], "", "");
    let cm_key = simulator::kube::ObjectKey::new("", "ConfigMap", "prod", "web-config");
    assert!(w.cluster().store.get(&cm_key).is_some());
    run(&mut w, "yq -i '.spec.replicas = 2' app/deployment.yaml");
    write_file(&mut w, "app/configmap.yaml", "");
    commit_and_push(&mut w, "true", "drop the configmap, two replicas");
    wait(&mut w, 200);
    let status = &w.agent().app("web").unwrap().status;
    let cm = status.resources.iter().find(|r| r.kind == "ConfigMap").expect("still listed");
    assert!(cm.requires_pruning && cm.status == "OutOfSync");
    assert_eq!(status.sync_status, "OutOfSync");
    assert_eq!(replicas(&w), 2, "the rest of the revision was applied");
    assert!(w.cluster().store.get(&cm_key).is_some(), "not pruned");
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("ignored (requires pruning)") && text.contains("1 resources require pruning"), "{text}");
    let text = run(&mut w, "argocd app sync web --prune");
    assert!(text.contains("pruned"), "{text}");
    wait(&mut w, 5);
    assert!(w.cluster().store.get(&cm_key).is_none());
    assert_eq!(app(&w).0, "Synced");
}

/// Saves a file as the editor panel does (an empty file renders no objects).
fn write_file(world: &mut World, path: &str, content: &str) {
    let now = world.now();
    world.handle_input(now, Input::WriteFile { path: path.into(), content: content.into() });
}

#[test]
fn sync_waves_run_in_order_two_seconds_apart_and_wait_for_health() {
    let cm = CONFIGMAP.replace("  name: web-config\n", "  name: web-config\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\n");
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT), ("configmap.yaml", &cm), ("service.yaml", svc)], "", "");
    let created = |kind: &str, name: &str| {
        let key = simulator::kube::ObjectKey::new(if kind == "Deployment" { "apps" } else { "" }, kind, "prod", name);
        simulator::SimTime::parse_rfc3339(w.cluster().store.get(&key).unwrap()["metadata"]["creationTimestamp"].as_str().unwrap()).unwrap()
    };
    let (c, d, s) = (created("ConfigMap", "web-config"), created("Deployment", "web"), created("Service", "web"));
    assert!(d.since(c) >= SimDuration::secs(2), "wave 0 starts 2 s after wave -1");
    assert!(s.since(d) >= SimDuration::secs(4), "wave 1 waits for the deployment to be healthy, then 2 s: {:?}", s.since(d));
    assert_eq!(app(&w), ("Synced".into(), "Healthy".into()));
}

#[test]
fn presync_hook_job_runs_before_the_sync_and_is_not_tracked() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: \"migrate:1\"}]\n";
    let w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT), ("migrate.yaml", job)], "", "");
    let status = &w.agent().app("web").unwrap().status;
    assert!(status.resources.iter().all(|r| r.kind != "Job"), "hooks have no sync status");
    let op = status.operation_state.as_ref().unwrap();
    assert_eq!(op.phase, "Succeeded");
    let hook = op.resources.iter().find(|r| r.kind == "Job").expect("the hook's result");
    assert_eq!((hook.status.as_str(), hook.hook_type.as_str()), ("Succeeded", "PreSync"));
    assert!(
        w.cluster().store.get(&simulator::kube::ObjectKey::new("batch", "Job", "prod", "migrate")).is_none(),
        "HookSucceeded deleted it"
    );
    let d = w.cluster().store.get(&simulator::kube::ObjectKey::new("apps", "Deployment", "prod", "web")).unwrap();
    let pod_started = w
        .cluster()
        .store
        .list("", "Pod", Some("prod"))
        .map(|p| p["metadata"]["creationTimestamp"].as_str().unwrap().to_string())
        .min()
        .unwrap();
    assert!(d["metadata"]["creationTimestamp"].as_str().unwrap() >= pod_started.as_str());
}

#[test]
fn a_degraded_resource_fails_a_multi_wave_sync() {
    let bad = DEPLOYMENT.replace("nginx:1.27", "web:crash").replace("  replicas: 3\n", "  replicas: 1\n  progressDeadlineSeconds: 20\n");
    let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    argocd.argoproj.io/sync-wave: \"1\"\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let w = world(MANUAL, &[("deployment.yaml", &bad), ("service.yaml", svc)], "", "web:crash: {behaviour: crash, runSeconds: 0}");
    let status = &w.agent().app("web").unwrap().status;
    let op = status.operation_state.as_ref().unwrap();
    assert_eq!(op.phase, "Failed", "{op:?}");
    assert_eq!(op.message, "one or more synchronization tasks completed unsuccessfully");
    assert_eq!(status.health.status, "Degraded");
    assert!(w.cluster().store.get(&simulator::kube::ObjectKey::new("", "Service", "prod", "web")).is_none(), "wave 1 never ran");
}

#[test]
fn sync_to_a_missing_namespace_fails_its_dry_run_unless_create_namespace_is_set() {
    let moved = CONFIGMAP.replace("  name: web-config\n", "  name: web-config\n  namespace: staging\n");
    let mut w = world(MANUAL, &[("configmap.yaml", &moved)], "", "");
    let op = w.agent().app("web").unwrap().status.operation_state.clone().unwrap();
    assert_eq!((op.phase.as_str(), op.message.as_str()), ("Failed", "one or more objects failed to apply (dry run)"));
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("Operation has completed with phase: Failed"), "{text}");
}

#[test]
fn rollback_is_refused_under_auto_sync_and_leaves_the_app_out_of_sync() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    let text = run(&mut w, "argocd app rollback web");
    assert!(text.contains("rollback cannot be initiated when auto-sync is enabled"), "{text}");
    run(&mut w, "argocd app set web --sync-policy none");
    assert!(w.agent().app("web").unwrap().spec.automated.is_none());
    let text = run(&mut w, "argocd app rollback web");
    assert!(text.contains("application 'web' should have at least two successful deployments"), "{text}");
    commit_and_push(&mut w, "yq -i '.spec.replicas = 4' app/deployment.yaml", "four");
    run(&mut w, "argocd app sync web");
    assert_eq!(replicas(&w), 4);
    let text = run(&mut w, "argocd app rollback web 9");
    assert!(text.contains("does not have deployment id '9' in history"), "{text}");
    let text = run(&mut w, "argocd app rollback web 0");
    assert!(text.contains("Phase:              Succeeded"), "{text}");
    assert_eq!(replicas(&w), 3);
    assert_eq!(app(&w).0, "OutOfSync", "Git still says 4 replicas");
    let history = run(&mut w, "argocd app history web");
    assert_eq!(history.lines().count(), 5, "{history}");
}

#[test]
fn app_of_apps_creates_and_syncs_its_children() {
    let child = application(SELF_HEAL, "")
        .replace("name: web\n  namespace: argocd", "name: child\n  namespace: argocd")
        .replace("path: app", "path: child");
    let parent_files = [("child-app.yaml", child.as_str())];
    let mut repo_world = world(SELF_HEAL, &parent_files, "", "");
    // The parent app's path holds an Application: syncing it creates the child, which the agent then runs.
    let _ = run(&mut repo_world, "true");
    let apps: Vec<String> = repo_world.agent().apps().map(|a| a.spec.name.clone()).collect();
    assert_eq!(apps, vec!["child".to_string(), "web".to_string()]);
    let parent = repo_world.agent().app("web").unwrap();
    assert_eq!(parent.status.sync_status, "Synced");
    assert_eq!(parent.status.health.status, "Healthy", "a child Application has no health of its own to count");
}

#[test]
fn terminate_op_fails_a_running_operation() {
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: slow\n  annotations:\n    argocd.argoproj.io/hook: PreSync\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: \"slow:1\"}]\n";
    let mut w =
        world(MANUAL, &[("deployment.yaml", DEPLOYMENT), ("slow.yaml", job)], "", "slow:1: {behaviour: completes, runSeconds: 240}");
    run(&mut w, "argocd app sync web --async");
    wait(&mut w, 5);
    let op = w.agent().app("web").unwrap().status.operation_state.clone().unwrap();
    assert_eq!(op.phase, "Running");
    assert!(op.message.starts_with("waiting for completion of hook batch/Job/slow"), "{}", op.message);
    let text = run(&mut w, "argocd app terminate-op web");
    assert_eq!(text, "Application 'web' operation terminating\n");
    wait(&mut w, 5);
    let op = w.agent().app("web").unwrap().status.operation_state.clone().unwrap();
    assert_eq!((op.phase.as_str(), op.message.as_str()), ("Failed", "Operation terminated"));
}

#[test]
fn rbac_lets_a_team_sync_its_own_apps_only() {
    let mut repo = Snapshot::new();
    let _ = &mut repo;
    let mut w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    w = with_rbac(w);
    let text = run(&mut w, "argocd login argocd.example.com --username mallory --password x");
    assert!(text.contains("Invalid username or password"), "{text}");
    let text = run(&mut w, "argocd login argocd.example.com --username alice --password s3cret");
    assert_eq!(text, "'alice:login' logged in successfully\nContext 'argocd.example.com' updated\n");
    assert_eq!(run(&mut w, "argocd account get-user-info"), "Logged In: true\nUsername: alice\nIssuer: argocd\nGroups: \n");
    let text = run(&mut w, "argocd app get web");
    assert!(text.contains("Name:               argocd/web"), "readonly by default: {text}");
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("PermissionDenied desc = permission denied: applications, sync, default/web, sub: alice"), "{text}");
    run(&mut w, "argocd login argocd.example.com --username bob --password s3cret");
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("successfully synced"), "{text}");
}

fn with_rbac(_w: World) -> World {
    // Rebuild the world with an RBAC policy: bob's team may sync default/*; everyone reads.
    let mut repo = Snapshot::new();
    repo.insert("argocd/web.yaml".into(), application(MANUAL, ""));
    repo.insert("app/deployment.yaml".into(), DEPLOYMENT.into());
    let files: String = repo.keys().map(|p| format!("          {p}: \"@repo\"\n")).collect();
    let lab_yaml = format!(
        "id: scenario\ntitle: S\nsummary: S\nminutes: 1\ncourseSection: t\nstory: t\nworld:\n  start: \"2026-03-12T01:58:00Z\"\n  namespaces: [prod]\n  applications: [argocd/web.yaml]\n  rbac:\n    policyDefault: role:readonly\n    users: [alice, bob]\n    policy: |\n      p, role:deployer, applications, sync, default/*, allow\n      g, bob, role:deployer\n  repo:\n    url: https://git.example.com/cfg.git\n    dir: /home/trainee/cfg\n    history:\n      - author: \"Dev <dev@example.com>\"\n        date: \"2026-03-10T10:00:00Z\"\n        message: initial\n        files:\n{files}steps:\n  - id: only\n    title: Only\n    text: only\n    check: {{commandRun: \"true\"}}\n    solution: [\"true\"]\n"
    );
    World::new(5, &Lab::load(&lab_yaml, "rbac.yaml", repo).unwrap_or_else(|e| panic!("{e}"))).unwrap()
}

#[test]
fn projects_restrict_destinations_and_kinds() {
    let project = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team-a\n  namespace: argocd\nspec:\n  sourceRepos: ['https://git.example.com/*']\n  destinations:\n    - server: https://kubernetes.default.svc\n      namespace: prod\n  namespaceResourceBlacklist:\n    - group: ''\n      kind: ConfigMap\n";
    let mut repo = Snapshot::new();
    repo.insert("argocd/web.yaml".into(), application(MANUAL, "").replace("project: default", "project: team-a"));
    repo.insert("argocd/project.yaml".into(), project.into());
    repo.insert("app/deployment.yaml".into(), DEPLOYMENT.into());
    repo.insert("app/configmap.yaml".into(), CONFIGMAP.into());
    let files: String = repo.keys().map(|p| format!("          {p}: \"@repo\"\n")).collect();
    let lab_yaml = format!(
        "id: scenario\ntitle: S\nsummary: S\nminutes: 1\ncourseSection: t\nstory: t\nworld:\n  start: \"2026-03-12T01:58:00Z\"\n  namespaces: [prod]\n  applications: [argocd/project.yaml, argocd/web.yaml]\n  repo:\n    url: https://git.example.com/cfg.git\n    dir: /home/trainee/cfg\n    history:\n      - author: \"Dev <dev@example.com>\"\n        date: \"2026-03-10T10:00:00Z\"\n        message: initial\n        files:\n{files}steps:\n  - id: only\n    title: Only\n    text: only\n    check: {{commandRun: \"true\"}}\n    solution: [\"true\"]\n"
    );
    let mut w = World::new(5, &Lab::load(&lab_yaml, "proj.yaml", repo).unwrap_or_else(|e| panic!("{e}"))).unwrap();
    let status = &w.agent().app("web").unwrap().status;
    let cm = status.resources.iter().find(|r| r.kind == "ConfigMap").unwrap();
    assert_eq!(cm.status, "Unknown");
    let op = status.operation_state.as_ref().unwrap();
    assert!(op.message.starts_with("one or more synchronization tasks are not valid"), "{op:?}");
    let text = run(&mut w, "argocd proj list");
    assert!(text.contains("team-a") && text.contains("https://kubernetes.default.svc,prod"), "{text}");
    let text = run(&mut w, "argocd proj get team-a");
    assert!(text.contains("Denied Namespaced Resources: /ConfigMap"), "{text}");
    run(&mut w, "argocd app set web --path app");
    // Point the app at a namespace the project does not allow.
    let key = simulator::kube::ObjectKey::new("argoproj.io", "Application", "argocd", "web");
    let mut obj = w.cluster().store.get(&key).unwrap().clone();
    obj["spec"]["destination"]["namespace"] = serde_json::json!("kube-system");
    let yaml = simulator::yaml::to_yaml(&obj);
    let now = w.now();
    w.handle_input(now, Input::WriteFile { path: "argocd/web.yaml".into(), content: yaml });
    run(&mut w, "kubectl apply -f argocd/web.yaml");
    wait(&mut w, 5);
    let status = &w.agent().app("web").unwrap().status;
    let cond = status.conditions.iter().find(|c| c.kind == "InvalidSpecError").expect("an InvalidSpecError");
    assert!(cond.message.contains("do not match any of the allowed destinations in project 'team-a'"), "{}", cond.message);
    assert_eq!((status.sync_status.as_str(), status.health.status.as_str()), ("Unknown", "Unknown"));
}

#[test]
fn sync_options_apply_out_of_sync_only_replace_and_prune_false() {
    let opts = "  syncPolicy:\n    syncOptions: [ApplyOutOfSyncOnly=true]\n";
    let keep =
        CONFIGMAP.replace("  name: web-config\n", "  name: web-config\n  annotations:\n    argocd.argoproj.io/sync-options: Prune=false\n");
    let mut w = world(opts, &[("deployment.yaml", DEPLOYMENT), ("configmap.yaml", &keep)], "", "");
    run(&mut w, "kubectl scale deployment web --replicas=5");
    wait(&mut w, 2);
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("deployment.apps/web configured"), "{text}");
    assert!(!text.contains("configmap/web-config"), "only out-of-sync resources are applied: {text}");
    write_file(&mut w, "app/configmap.yaml", "");
    commit_and_push(&mut w, "true", "drop the configmap");
    run(&mut w, "argocd app get web --refresh");
    let text = run(&mut w, "argocd app sync web --prune");
    assert!(text.contains("ignored (no prune)"), "{text}");
    assert!(w.cluster().store.get(&simulator::kube::ObjectKey::new("", "ConfigMap", "prod", "web-config")).is_some());

    let mut w = world("  syncPolicy:\n    syncOptions: [Replace=true]\n", &[("deployment.yaml", DEPLOYMENT)], "", "");
    commit_and_push(&mut w, "yq -i '.spec.replicas = 2' app/deployment.yaml", "two");
    let text = run(&mut w, "argocd app sync web");
    assert!(text.contains("deployment.apps/web replaced"), "{text}");
    assert_eq!(replicas(&w), 2);
}

#[test]
fn auto_sync_will_not_wipe_out_every_resource_unless_allow_empty() {
    let mut w = world(SELF_HEAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    write_file(&mut w, "app/deployment.yaml", "");
    commit_and_push(&mut w, "true", "empty the app");
    run(&mut w, "argocd app get web --refresh");
    wait(&mut w, 5);
    let status = &w.agent().app("web").unwrap().status;
    let cond = status.conditions.iter().find(|c| c.kind == "SyncError").expect("a SyncError");
    assert!(
        cond.message.starts_with("Skipping sync attempt to [") && cond.message.ends_with("]: auto-sync will wipe out all resources"),
        "{}",
        cond.message
    );
    assert_eq!(replicas(&w), 3, "nothing was pruned");
}

#[test]
fn prune_last_prunes_after_everything_else() {
    let opts = "  syncPolicy:\n    syncOptions: [PruneLast=true]\n";
    let mut w = world(opts, &[("deployment.yaml", DEPLOYMENT), ("configmap.yaml", CONFIGMAP)], "", "");
    write_file(&mut w, "app/configmap.yaml", "");
    commit_and_push(&mut w, "yq -i '.spec.replicas = 2' app/deployment.yaml", "two replicas, no configmap");
    let text = run(&mut w, "argocd app sync web --prune");
    let applied = text.find("deployment.apps/web configured").expect("applied");
    let pruned = text.rfind("pruned").expect("pruned");
    assert!(applied < pruned, "{text}");
}

#[test]
fn kustomize_overlays_render_and_promote_with_edit_set_image() {
    let base_k = "resources:\n- deployment.yaml\n";
    let prod_k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\nnamePrefix: prod-\nresources:\n- ../../base\nimages:\n- name: nginx\n  newTag: \"1.27\"\n";
    let mut repo = Snapshot::new();
    let app_yaml = application(SELF_HEAL, "")
        .replace("path: app", "path: app/overlays/prod")
        .replace("    targetRevision: HEAD\n", "    targetRevision: HEAD\n    kustomize:\n      commonLabels:\n        team: payments\n");
    repo.insert("argocd/web.yaml".into(), app_yaml);
    repo.insert("app/base/deployment.yaml".into(), DEPLOYMENT.replace("image: nginx:1.27", "image: nginx"));
    repo.insert("app/base/kustomization.yaml".into(), base_k.into());
    repo.insert("app/overlays/prod/kustomization.yaml".into(), prod_k.into());
    let files: String = repo.keys().map(|p| format!("          {p}: \"@repo\"\n")).collect();
    let lab_yaml = format!(
        "id: scenario\ntitle: S\nsummary: S\nminutes: 1\ncourseSection: t\nstory: t\nworld:\n  start: \"2026-03-12T01:58:00Z\"\n  namespaces: [prod]\n  applications: [argocd/web.yaml]\n  kubeNamespace: prod\n  repo:\n    url: https://git.example.com/cfg.git\n    dir: /home/trainee/cfg\n    history:\n      - author: \"Dev <dev@example.com>\"\n        date: \"2026-03-10T10:00:00Z\"\n        message: initial\n        files:\n{files}steps:\n  - id: only\n    title: Only\n    text: only\n    check: {{commandRun: \"true\"}}\n    solution: [\"true\"]\n"
    );
    let mut w = World::new(5, &Lab::load(&lab_yaml, "k.yaml", repo).unwrap_or_else(|e| panic!("{e}"))).unwrap();
    let key = simulator::kube::ObjectKey::new("apps", "Deployment", "prod", "prod-web");
    let image = |w: &World| {
        w.cluster().store.get(&key).map(|d| d["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap().to_string())
    };
    assert_eq!(image(&w).as_deref(), Some("nginx:1.27"));
    let d = w.cluster().store.get(&key).unwrap();
    assert_eq!(d["metadata"]["labels"]["team"], "payments", "spec.source.kustomize.commonLabels applied");
    assert_eq!(w.agent().app("web").unwrap().status.source_type, "Kustomize");
    assert_eq!(app(&w), ("Synced".into(), "Healthy".into()));

    let built = run(&mut w, "kustomize build app/overlays/prod");
    assert!(built.contains("name: prod-web") && built.contains("image: nginx:1.27"), "{built}");
    assert_eq!(run(&mut w, "kubectl kustomize app/overlays/prod"), built);
    run(&mut w, "cd app/overlays/prod");
    assert_eq!(run(&mut w, "kustomize edit set image nginx=nginx:1.28"), "");
    let k = run(&mut w, "cat kustomization.yaml");
    assert!(k.contains("images:\n- name: nginx\n  newName: nginx\n  newTag: \"1.28\"\n"), "{k}");
    run(&mut w, "git commit -am \"Promote nginx 1.28 to prod\"");
    run(&mut w, "git push");
    run(&mut w, "argocd app sync web");
    wait(&mut w, 30);
    assert_eq!(image(&w).as_deref(), Some("nginx:1.28"));
    let text = run(&mut w, "kustomize edit set image nginx");
    assert!(text.starts_with("Error: invalid format of image"), "{text}");
    let text = run(&mut w, "kustomize build ../nowhere");
    assert!(text.starts_with("Error: "), "{text}");
}
