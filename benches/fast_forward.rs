//! How fast the simulator runs a lab's world: 24 simulated hours of the drift
//! lab (polls every 2 to 3 minutes, watch events, pods) fast-forwarded, and
//! the time to build the lab's starting world.
//!
//! `cargo bench --bench fast_forward`

use criterion::{Criterion, criterion_group, criterion_main};
use simulator::{SimDuration, World, content};

fn bench(c: &mut Criterion) {
    let lab = content::builtin_lab("drift-2am").expect("the drift lab is built in");
    c.bench_function("drift-2am: build the starting world", |b| b.iter(|| World::new(7, &lab).unwrap()));
    c.bench_function("drift-2am: fast-forward 24 simulated hours", |b| {
        b.iter_batched(
            || World::new(7, &lab).unwrap(),
            |mut world| {
                let end = world.now() + SimDuration::mins(24 * 60);
                world.advance_to(end);
                world
            },
            criterion::BatchSize::LargeInput,
        )
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
