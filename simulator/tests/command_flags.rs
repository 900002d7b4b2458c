//! Flags in any position, in each tool's own forms: `-n ns` before or after the
//! verb, `--flag=value` and `--flag value`, and boolean flags as cobra reads
//! them (`--exit-code`, `--exit-code=false`), with the exit codes the real tools give.

use simulator::{Input, Output, World, content};

/// Runs one line in `world`; what it printed and its exit code.
fn run(world: &mut World, line: &str) -> (String, i32) {
    let now = world.now();
    world.handle_input(now, Input::Command { line: line.into() });
    std::iter::from_fn(|| world.poll_output())
        .find_map(|o| match o {
            Output::Terminal { text, exit_code, .. } => Some((text, exit_code)),
            _ => None,
        })
        .expect("a command prints a terminal answer")
}

fn drift_lab() -> World {
    World::new(3, &content::builtin_lab("drift-2am").unwrap()).unwrap()
}

#[test]
fn kubectl_namespace_flag_works_before_and_after_the_verb() {
    let mut world = drift_lab();
    let (after, code) = run(&mut world, "kubectl get deployments -n payments");
    assert_eq!(code, 0, "{after}");
    assert!(after.contains("payment-service"), "{after}");
    for line in [
        "kubectl -n payments get deployments",
        "kubectl --namespace payments get deployments",
        "kubectl --namespace=payments get deployments",
        "kubectl get --namespace=payments deployments",
        "kubectl get deployments -npayments",
    ] {
        assert_eq!(run(&mut world, line), (after.clone(), 0), "{line}");
    }
    let (text, code) = run(&mut world, "kubectl get deployments --no-such-flag");
    assert_eq!((text.as_str(), code), ("error: unknown flag: --no-such-flag\nSee 'kubectl get --help' for usage.\n", 1));
}

#[test]
fn argocd_app_diff_reads_exit_code_as_a_boolean_flag() {
    let mut world = drift_lab();
    // Drift the agent leaves alone: self-heal off, then a hand-made scale.
    assert_eq!(run(&mut world, "argocd app set payment-service --self-heal=false").1, 0);
    assert_eq!(run(&mut world, "kubectl scale deployment payment-service -n payments --replicas=7").1, 0);
    let later = world.now() + simulator::SimDuration::secs(10);
    world.advance_to(later);
    let (diff, code) = run(&mut world, "argocd app diff payment-service");
    assert!(diff.contains("===== apps/Deployment payments/payment-service ======"), "{diff}");
    assert_eq!(code, 1, "a diff exits 1 by default");
    // `--exit-code` before the name takes no value: the name is still the app's.
    assert_eq!(run(&mut world, "argocd app diff --exit-code payment-service"), (diff.clone(), 1));
    assert_eq!(run(&mut world, "argocd app diff payment-service --exit-code"), (diff.clone(), 1));
    assert_eq!(run(&mut world, "argocd app diff --exit-code=false payment-service"), (diff.clone(), 0));
    assert_eq!(run(&mut world, "argocd app diff payment-service --exit-code=false"), (diff, 0));
}
