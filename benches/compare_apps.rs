//! One full comparison pass over many Applications: every app renders its
//! source, diffs each object against the cluster and computes health.
//!
//! `cargo bench --bench compare_apps`

use criterion::{Criterion, criterion_group, criterion_main};
use simulator::World;
use simulator::git::Snapshot;
use simulator::lab::Lab;

const APPS: usize = 1000;

fn lab(apps: usize) -> Lab {
    let mut repo = Snapshot::new();
    for i in 0..apps {
        let name = format!("svc-{i:04}");
        repo.insert(
            format!("argocd/{name}.yaml"),
            format!("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://git.example.com/cfg.git\n    targetRevision: HEAD\n    path: apps/{name}\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: prod\n"),
        );
        repo.insert(
            format!("apps/{name}/deployment.yaml"),
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels: {{app: {name}}}\nspec:\n  replicas: 0\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: civica.azurecr.io/{name}:1.0.{i}\n          ports: [{{containerPort: 8080}}]\n"),
        );
        repo.insert(format!("apps/{name}/service.yaml"), format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"));
    }
    let apps_list: Vec<String> = repo.keys().filter(|p| p.starts_with("argocd/")).cloned().collect();
    let files: String = repo.keys().map(|p| format!("          {p}: \"@repo\"\n")).collect();
    let yaml = format!(
        "id: bench\ntitle: Bench\nsummary: bench\nminutes: 1\ncourseSection: bench\nstory: bench\nworld:\n  start: \"2026-03-12T01:58:00Z\"\n  namespaces: [prod]\n  applications: {apps_list:?}\n  repo:\n    url: https://git.example.com/cfg.git\n    dir: /home/trainee/cfg\n    history:\n      - author: \"Dev <dev@example.com>\"\n        date: \"2026-03-10T10:00:00Z\"\n        message: initial\n        files:\n{files}steps:\n  - id: only\n    title: Only\n    text: only\n    check: {{commandRun: \"true\"}}\n    solution: [\"true\"]\n"
    );
    Lab::load(&yaml, "bench.yaml", repo).expect("the bench lab loads")
}

fn bench(c: &mut Criterion) {
    let lab = lab(APPS);
    let world = World::new(1, &lab).expect("the world builds");
    assert_eq!(world.agent().apps().count(), APPS);
    assert!(world.agent().apps().all(|a| a.status.sync_status == "Synced"), "every app starts Synced");
    let mut group = c.benchmark_group("agent");
    group.sample_size(10);
    group.bench_function("one comparison pass over 1000 applications", |b| {
        b.iter_batched(
            || world.clone(),
            |mut w| {
                w.compare_all();
                w
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let fleet = World::new(1, &simulator::lab::fleet::fleet_lab(12, &["dev", "staging", "prod"])).expect("the fleet builds");
    assert_eq!(fleet.agent().apps().count(), 36);
    group.bench_function("one comparison pass over 36 kustomize applications (12 services x 3 overlays)", |b| {
        b.iter_batched(
            || fleet.clone(),
            |mut w| {
                w.compare_all();
                w
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
