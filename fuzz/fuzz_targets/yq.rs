//! yq expressions against a real manifest, read and written in place.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static WORLD: OnceLock<simulator::World> = OnceLock::new();

fuzz_target!(|expr: &str| {
    if expr.contains('\'') {
        return;
    }
    let start = WORLD.get_or_init(|| {
        let lab = simulator::content::builtin_lab("drift-2am").expect("drift-2am exists");
        simulator::World::new(1, &lab).expect("the world builds")
    });
    let mut world = start.clone();
    for line in [
        format!("yq '{expr}' apps/payment-service/deployment.yaml"),
        format!("yq -i '{expr}' apps/payment-service/deployment.yaml"),
        "kubectl apply -f apps/payment-service/deployment.yaml".to_string(),
    ] {
        let now = world.now();
        world.handle_input(now, simulator::Input::Command { line });
        while world.poll_output().is_some() {}
    }
});
