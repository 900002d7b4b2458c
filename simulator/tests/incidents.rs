//! Incidents: set off by a step, by their time, or on demand; run as someone
//! else; and the recovery check measures the time back to Synced and Healthy.

mod support;

use simulator::{Input, Output, SimDuration, World, content};
use support::drain;

#[test]
fn a_steps_incident_fires_thirty_seconds_after_the_step_starts_and_self_heal_recovers() {
    let lab = content::builtin_lab("rogue-apply").unwrap();
    let mut world = World::new(4, &lab).unwrap();
    for line in &lab.steps[0].solution {
        let now = world.now();
        world.handle_input(now, Input::Command { line: line.clone() });
    }
    drain(&mut world);
    let started = world.now();
    world.advance_to(started + SimDuration::secs(29));
    assert!(!drain(&mut world).iter().any(|o| matches!(o, Output::Incident { .. })), "not yet");
    world.advance_to(started + SimDuration::secs(30));
    let outputs = drain(&mut world);
    assert!(outputs.iter().any(|o| matches!(o, Output::Incident { id, .. } if id == "rogue-apply")), "{outputs:?}");
    assert!(
        !world
            .journal()
            .iter()
            .any(|e| matches!(&e.kind, simulator::events::EventKind::Command { line, .. } if line.contains("2.3.0-local"))),
        "an incident's commands are not the trainee's"
    );
    world.advance_to(started + SimDuration::secs(150));
    let report = &world.step_reports()[1];
    assert!(report.passed, "{report:?}");
    assert!(report.found.starts_with("recovered ") && report.found.ends_with("s after the incident"), "{}", report.found);
}

#[test]
fn an_incident_on_demand_is_an_input_and_the_score_counts_hints_and_skips() {
    let lab = content::builtin_lab("drift-2am").unwrap();
    let mut world = World::new(1, &lab).unwrap();
    let now = world.now();
    world.handle_input(now, Input::Incident { id: "nope".into() });
    assert!(!drain(&mut world).iter().any(|o| matches!(o, Output::Incident { .. })), "an unknown incident does nothing");
    world.handle_input(now, Input::Hint);
    world.handle_input(now, Input::Hint);
    for line in &lab.steps[0].solution {
        world.handle_input(now, Input::Command { line: line.clone() });
    }
    world.handle_input(now, Input::SkipStep);
    let score = world.tracker().unwrap().score();
    assert_eq!((score.passed, score.skipped, score.hints_used), (1, 1, 2));
    assert_eq!(score.points, 4, "a step passed with two hints is worth 4 of 10");
    assert_eq!(score.max_points, 50);
}

#[test]
fn a_node_going_down_makes_its_pods_unready_then_evicts_and_replaces_them() {
    use simulator::lab::IncidentSpec;
    let mut lab = content::builtin_lab("drift-2am").unwrap();
    lab.incidents.push(IncidentSpec {
        id: "node-down".into(),
        title: "A node goes down".into(),
        at: None,
        commands: vec![],
        push_commands: vec![],
        actor: None,
        repo_unreachable: None,
        node_down: Some("any".into()),
        node_up: None,
        followed_by: None,
    });
    let mut world = World::new(6, &lab).unwrap();
    let start = world.now();
    let key = simulator::kube::ObjectKey::new("apps", "Deployment", "payments", "payment-service");
    let ready = |w: &World| w.cluster().store.get(&key).unwrap()["status"]["readyReplicas"].as_i64().unwrap_or(0);
    world.handle_input(start, Input::Incident { id: "node-down".into() });
    let down = world.cluster().node_health.down.keys().next().cloned().expect("a node is down");
    let on_down = |w: &World| {
        w.cluster()
            .store
            .list("", "Pod", Some("payments"))
            .filter(|p| p["spec"]["nodeName"] == down.as_str() && !simulator::kube::meta::is_terminating(p))
            .count()
    };
    let stranded = on_down(&world);
    assert!(stranded > 0);
    assert_eq!(ready(&world), 3, "nothing changes during the grace period");
    world.advance_to(start + SimDuration::secs(41));
    assert_eq!(ready(&world) as usize, 3 - stranded, "the node's pods are no longer ready after 40 s");
    let now = world.now();
    world.handle_input(now, Input::Command { line: "kubectl get nodes".into() });
    let text: String =
        drain(&mut world).into_iter().filter_map(|o| if let Output::Terminal { text, .. } = o { Some(text) } else { None }).collect();
    assert!(text.lines().any(|l| l.starts_with(&down) && l.contains(" NotReady ")), "{text}");
    world.advance_to(start + SimDuration::secs(400));
    assert_eq!(on_down(&world), 0, "evicted after the 300 s toleration");
    assert_eq!(ready(&world), 3, "replaced on the nodes that are up");
    assert_eq!(world.stuck_loops(), 0);
}
