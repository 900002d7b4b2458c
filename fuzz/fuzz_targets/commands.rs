//! Terminal lines in drift-2am's world (the shell's parser, pipes, every tool's flags, yq,
//! kubectl apply of what the lines wrote): up to eight lines per input, each a command.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static WORLD: OnceLock<simulator::World> = OnceLock::new();

fuzz_target!(|text: &str| {
    let start = WORLD.get_or_init(|| {
        let lab = simulator::content::builtin_lab("drift-2am").expect("drift-2am exists");
        simulator::World::new(1, &lab).expect("the world builds")
    });
    let mut world = start.clone();
    for line in text.lines().take(8) {
        let now = world.now();
        world.handle_input(now, simulator::Input::Command { line: line.to_string() });
        while world.poll_output().is_some() {}
    }
});
