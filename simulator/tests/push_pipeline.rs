//! The push model, as the course describes it: the pipeline deploys each
//! pushed commit with `kubectl apply` and never looks at the cluster again.

mod support;

use simulator::content;
use simulator::pipeline::RunStatus;
use simulator::{Input, SimDuration, World};
use support::run;

fn twin_lab_world(seed: u64) -> World {
    World::new(seed, &content::builtin_lab("push-vs-pull").unwrap()).unwrap()
}

fn replicas(world: &World) -> i64 {
    let key = simulator::kube::ObjectKey::new("apps", "Deployment", "payments", "payment-service");
    world.cluster().store.get(&key).and_then(|d| d["spec"]["replicas"].as_i64()).unwrap()
}

#[test]
fn the_pipeline_applies_each_push_once_after_its_queue_and_run_time() {
    let mut world = twin_lab_world(3);
    let push = world.twin().expect("the comparison lab has a push twin");
    assert!(push.agent().apps().next().is_none(), "the push world has no Applications");
    assert_eq!(push.pipeline().unwrap().runs.len(), 1, "the install run");
    run(&mut world, "yq -i '.spec.replicas = 4' apps/payment-service/deployment.yaml");
    run(&mut world, "git commit -am 'Run 4 replicas'");
    run(&mut world, "git push");
    let pushed_at = world.now();
    world.advance_to(pushed_at + SimDuration::secs(54));
    let push = world.twin().unwrap();
    assert_eq!(push.pipeline().unwrap().runs[1].status, RunStatus::InProgress);
    assert_eq!(replicas(push), 3, "nothing is applied before the run's kubectl apply");
    world.advance_to(pushed_at + SimDuration::secs(55));
    let push = world.twin().unwrap();
    assert_eq!(push.pipeline().unwrap().runs[1].status, RunStatus::Success);
    assert_eq!(replicas(push), 4);
}

#[test]
fn the_pipeline_never_notices_drift_but_the_agent_heals_it() {
    let mut world = twin_lab_world(8);
    run(&mut world, "kubectl scale deployment payment-service -n payments --replicas=1");
    let t = world.now();
    world.advance_to(t + SimDuration::mins(60));
    assert_eq!(replicas(world.twin().unwrap()), 1, "the push world keeps the drift");
    assert_eq!(world.twin().unwrap().pipeline().unwrap().runs.len(), 1, "no run started by itself");
    assert_eq!(replicas(&world), 3, "the pull world healed");
}

#[test]
fn argocd_goes_only_to_the_pull_world_and_gh_only_to_the_push_world() {
    let mut world = twin_lab_world(1);
    let now = world.now();
    world.handle_input(now, Input::Command { line: "gh run list".into() });
    let mut outputs = Vec::new();
    while let Some(o) = world.poll_output() {
        outputs.push(o);
    }
    let terminal: Vec<&simulator::Output> = outputs.iter().filter(|o| matches!(o, simulator::Output::Terminal { .. })).collect();
    assert_eq!(terminal.len(), 1);
    assert!(matches!(terminal[0], simulator::Output::Terminal { text, exit_code: 0, .. } if text.starts_with("STATUS  TITLE")));
    assert!(!outputs.iter().any(|o| matches!(o, simulator::Output::TwinTerminal { .. })));
    world.handle_input(now, Input::Command { line: "argocd app list".into() });
    while let Some(o) = world.poll_output() {
        assert!(!matches!(o, simulator::Output::TwinTerminal { .. }), "argocd never runs in the push world");
    }
}
