//! `kubectl edit`: the world asks its host to open the live object, and
//! applies what the editor saves, as kubectl does when the editor closes.

mod support;

use simulator::{Input, Output, World, content};
use support::{drain, terminal_text};

#[test]
fn edit_opens_the_live_object_and_saving_applies_it() {
    let lab = content::builtin_lab("drift-2am").unwrap();
    let mut world = World::new(2, &lab).unwrap();
    let now = world.now();
    world.handle_input(now, Input::Command { line: "kubectl edit deploy/payment-service -n payments".into() });
    let out = drain(&mut world);
    let Some(Output::Edit { target, namespace, yaml }) = out.iter().find(|o| matches!(o, Output::Edit { .. })).cloned() else {
        panic!("no editor was opened: {out:?}");
    };
    assert_eq!((target.as_str(), namespace.as_str()), ("deployment/payment-service", "payments"));
    assert!(yaml.starts_with("# Please edit the object below.") && yaml.contains("  replicas: 3\n"), "{yaml}");

    world.handle_input(now, Input::SaveEdit { target: target.clone(), namespace: namespace.clone(), content: yaml.clone() });
    let text = terminal_text(&mut world);
    assert_eq!(text, "Edit cancelled, no changes made.\n");

    world.handle_input(
        now,
        Input::SaveEdit {
            target: target.clone(),
            namespace: namespace.clone(),
            content: yaml.replace("  replicas: 3\n", "  replicas: 4\n"),
        },
    );
    assert_eq!(terminal_text(&mut world), "deployment.apps/payment-service edited\n");
    let key = simulator::kube::ObjectKey::new("apps", "Deployment", "payments", "payment-service");
    assert_eq!(world.cluster().store.get(&key).unwrap()["spec"]["replicas"], 4, "applied at once; self-heal will follow");

    world.handle_input(
        now,
        Input::SaveEdit {
            target: target.clone(),
            namespace: namespace.clone(),
            content: yaml.replace("name: payment-service\n", "name: other\n"),
        },
    );
    assert!(terminal_text(&mut world).starts_with("error: At least one of apiVersion, kind and name was changed"));
    world.handle_input(now, Input::Command { line: "kubectl edit deploy/nope -n payments".into() });
    assert_eq!(terminal_text(&mut world), "Error from server (NotFound): deployments.apps \"nope\" not found\n");
}
