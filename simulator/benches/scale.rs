//! How the simulator's cost grows with the size of what it simulates: each
//! measurement runs at three sizes, so a curve shows (linear growth keeps the
//! time per unit flat; a quadratic cost doubles it with every doubling).
//!
//! `cargo bench -p simulator --bench scale` runs every section; name sections to
//! run only those: `cargo bench -p simulator --bench scale -- world fleet commands replay yaml helm`.
//! `--max N` skips sizes above N (to measure an old build that would not finish);
//! `--sizes A,B,C` replaces each section's sizes (small ones to profile under callgrind:
//! `valgrind --tool=callgrind target/release/deps/scale-* world --sizes 100,200`).
//!
//! - `world`: build a world of N Applications (a plain Deployment and Service each),
//!   one comparison pass over it, and the memory it holds per application;
//! - `fleet`: 24 simulated hours of the course's fleet (`lab::fleet::fleet_lab`);
//! - `commands`: N commands typed into a lab with steps (drift-2am);
//! - `replay`: restoring a lab from N saved inputs (what a page reload does);
//! - `yaml`: parsing pathological YAML (deep flow nesting, deep block nesting, size);
//! - `helm`: `helm template` of the 30-template bench chart (`helm::bench_chart`), as the
//!   browser's `?bench=reconcile` page renders it too.

use simulator::Input;
use simulator::git::Snapshot;
use simulator::lab::Lab;
use simulator::replay::Replay;
use simulator::{SimDuration, World, content};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts the bytes live on the heap, and the most that were at once.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A digest of everything a world shows or will act on: every object in the cluster, the
/// journal, each app's status and the position of the random stream. Two builds that
/// print the same digest made the same world (an optimisation must not change it).
fn fingerprint(world: &World) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    for (key, obj) in world.cluster().store.all() {
        format!("{key:?}").hash(&mut h);
        obj.to_string().hash(&mut h);
    }
    for event in world.journal() {
        format!("{event:?}").hash(&mut h);
    }
    for app in world.agent().apps() {
        format!("{:?}", app.status).hash(&mut h);
    }
    format!("{:?}", world.model().rng()).hash(&mut h);
    format!("{:016x}", h.finish())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// A lab of `apps` Applications, each a plain Deployment (no replicas) and a Service,
/// the shape of `benches/compare_apps.rs`.
pub fn apps_lab(apps: usize) -> Lab {
    let mut repo = Snapshot::new();
    for i in 0..apps {
        let name = format!("svc-{i:05}");
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

fn world_section(max: usize, sizes: Option<&[usize]>) {
    println!("## world: build N Applications, one comparison pass, memory per application");
    println!(
        "{:>7} {:>9} {:>12} {:>10} {:>12} {:>12} {:>12}  {:<16}",
        "apps", "build s", "build µs/app", "compare s", "cmp µs/app", "KiB/app", "peak MiB", "world digest"
    );
    for apps in sizes.map_or([1_000, 3_000, 10_000].to_vec(), <[usize]>::to_vec) {
        if apps > max {
            println!("{apps:>7} skipped (--max {max})");
            continue;
        }
        let lab = apps_lab(apps);
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let started = Instant::now();
        let world = World::new(1, &lab).expect("the world builds");
        let build = started.elapsed();
        let live = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(before);
        assert_eq!(world.agent().apps().count(), apps);
        assert!(world.agent().apps().all(|a| a.status.sync_status == "Synced"), "every app starts Synced");
        assert_eq!(world.stuck_loops(), 0);
        let mut copy = world.clone();
        let started = Instant::now();
        copy.compare_all();
        let compare = started.elapsed();
        assert!(copy.agent().apps().all(|a| a.status.sync_status == "Synced"));
        println!(
            "{apps:>7} {:>9.3} {:>12.1} {:>10.3} {:>12.1} {:>12.1} {:>12.1}  {}",
            secs(build),
            secs(build) * 1e6 / apps as f64,
            secs(compare),
            secs(compare) * 1e6 / apps as f64,
            live as f64 / 1024.0 / apps as f64,
            mib(peak),
            fingerprint(&copy)
        );
    }
}

fn fleet_section(max: usize, sizes: Option<&[usize]>) {
    println!("## fleet: 24 simulated hours of lab::fleet::fleet_lab (services x dev, staging, prod)");
    println!("{:>7} {:>9} {:>9} {:>12} {:>10} {:>8}  {:<16}", "apps", "build s", "24 h s", "ms/app", "polls", "stuck", "world digest");
    for services in sizes.map_or([12, 48, 120].to_vec(), <[usize]>::to_vec) {
        let apps = services * 3;
        if apps > max {
            println!("{apps:>7} skipped (--max {max})");
            continue;
        }
        let lab = simulator::lab::fleet::fleet_lab(services, &["dev", "staging", "prod"]);
        let started = Instant::now();
        let mut world = World::new(1, &lab).expect("the fleet builds");
        let build = started.elapsed();
        let end = world.now() + SimDuration::mins(24 * 60);
        let started = Instant::now();
        world.advance_to(end);
        let run = started.elapsed();
        let polls = world.journal().iter().filter(|e| matches!(e.kind, simulator::events::EventKind::Poll { .. })).count();
        println!(
            "{apps:>7} {:>9.3} {:>9.3} {:>12.2} {:>10} {:>8}  {}",
            secs(build),
            secs(run),
            secs(run) * 1e3 / apps as f64,
            polls,
            world.stuck_loops(),
            fingerprint(&world)
        );
    }
}

fn commands_section(max: usize, sizes: Option<&[usize]>) {
    println!("## commands: N `pwd` typed into drift-2am (a lab with steps), half a second apart");
    println!("{:>7} {:>9} {:>12}  {:<16}", "inputs", "s", "µs/input", "world digest");
    let lab = content::builtin_lab("drift-2am").expect("the drift lab is built in");
    for n in sizes.map_or([2_500, 5_000, 10_000].to_vec(), <[usize]>::to_vec) {
        if n > max {
            println!("{n:>7} skipped (--max {max})");
            continue;
        }
        let mut world = World::new(7, &lab).unwrap();
        let started = Instant::now();
        for _ in 0..n {
            let at = world.now() + SimDuration::millis(500);
            world.handle_input(at, Input::Command { line: "pwd".into() });
            while world.poll_output().is_some() {}
        }
        let took = started.elapsed();
        println!("{n:>7} {:>9.3} {:>12.1}  {}", secs(took), secs(took) * 1e6 / n as f64, fingerprint(&world));
    }
}

/// A replay record of `n` inputs in drift-2am: a mix of what trainees type, two seconds apart.
pub fn saved_inputs(n: usize) -> Replay {
    let lab = content::builtin_lab("drift-2am").expect("the drift lab is built in");
    let world = World::new(7, &lab).unwrap();
    let lines = [
        "kubectl get pods -n payments",
        "git status",
        "argocd app get payment-service",
        "pwd",
        "kubectl get deploy -n payments",
        "git log --oneline",
        "ls",
        "argocd app list",
    ];
    let mut replay = Replay::new(7, "drift-2am");
    let mut at = world.now();
    for i in 0..n {
        at = at + SimDuration::secs(2);
        replay.inputs.push((at, Input::Command { line: lines[i % lines.len()].into() }));
    }
    replay
}

fn replay_section(max: usize, sizes: Option<&[usize]>) {
    println!("## replay: restore drift-2am from N saved inputs (a page reload)");
    println!("{:>7} {:>9} {:>12} {:>9}  {:<16}", "inputs", "s", "µs/input", "outputs", "world digest");
    let lab = content::builtin_lab("drift-2am").expect("the drift lab is built in");
    for n in sizes.map_or([500, 1_000, 2_000].to_vec(), <[usize]>::to_vec) {
        if n > max {
            println!("{n:>7} skipped (--max {max})");
            continue;
        }
        let replay = saved_inputs(n);
        let started = Instant::now();
        let (world, outputs) = replay.run(&lab).expect("the replay runs");
        let took = started.elapsed();
        assert_eq!(world.stuck_loops(), 0);
        println!("{n:>7} {:>9.3} {:>12.1} {:>9}  {}", secs(took), secs(took) * 1e6 / n as f64, outputs.len(), fingerprint(&world));
    }
}

fn yaml_section(_max: usize) {
    println!("## yaml: parse pathological inputs (the error, or the documents)");
    println!("{:<34} {:>9} {:>10}  result", "input", "KiB", "ms");
    let mut cases: Vec<(String, String)> = Vec::new();
    for kib in [10, 30, 100] {
        cases.push((format!("`[` x {kib} KiB"), "[".repeat(kib * 1024)));
    }
    for kib in [10, 30, 100] {
        cases.push((format!("`{{a: ` x {kib} KiB"), "{a: ".repeat(kib * 1024 / 4)));
    }
    for kib in [10, 30, 100] {
        cases.push((format!("`- ` x {kib} KiB"), "- ".repeat(kib * 512)));
    }
    for mib in [1, 3, 10] {
        let item = "- name: item\n  value: \"some text that is neither short nor long\"\n";
        cases.push((format!("list of maps, {mib} MiB"), item.repeat(mib * 1024 * 1024 / item.len())));
    }
    for (name, text) in cases {
        let started = Instant::now();
        let result = simulator::yaml::parse_documents(&text, "big.yaml");
        let took = started.elapsed();
        let summary = match result {
            Ok(docs) => format!("{} document(s)", docs.len()),
            Err(e) => {
                let s = e.to_string();
                s.chars().take(90).collect()
            }
        };
        println!("{name:<34} {:>9} {:>10.1}  {summary}", text.len() / 1024, secs(took) * 1e3);
    }
}

fn helm_section(_max: usize) {
    use simulator::helm::bench_chart::{CHART_DIR, chart};
    println!("## helm: `helm template` of a 30-template chart (29 manifests), 200 renders");
    println!("{:>9} {:>9} {:>9}", "median ms", "p99 ms", "max ms");
    let files = chart();
    let opts = simulator::helm::Options::new("shop", "prod");
    let mut samples: Vec<f64> = (0..200)
        .map(|_| {
            let started = Instant::now();
            let out = simulator::helm::template(&files, CHART_DIR, &opts).expect("the bench chart renders");
            let took = secs(started.elapsed()) * 1e3;
            assert_eq!(out.manifests.len(), 29);
            took
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    println!("{:>9.3} {:>9.3} {:>9.3}", samples[samples.len() / 2], samples[samples.len() * 99 / 100], samples[samples.len() - 1]);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut max = usize::MAX;
    let mut sizes: Option<Vec<usize>> = None;
    let mut sections = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--max" {
            max = it.next().and_then(|n| n.parse().ok()).expect("--max takes a number");
        } else if a == "--sizes" {
            let list = it.next().expect("--sizes takes a comma-separated list");
            sizes = Some(list.split(',').map(|n| n.trim().parse().expect("--sizes takes numbers")).collect());
        } else {
            sections.push(a.as_str());
        }
    }
    let all = sections.is_empty();
    let run = |name: &str| all || sections.contains(&name);
    let started = Instant::now();
    if run("world") {
        world_section(max, sizes.as_deref());
    }
    if run("fleet") {
        fleet_section(max, sizes.as_deref());
    }
    if run("commands") {
        commands_section(max, sizes.as_deref());
    }
    if run("replay") {
        replay_section(max, sizes.as_deref());
    }
    if run("yaml") {
        yaml_section(max);
    }
    if run("helm") {
        helm_section(max);
    }
    println!("(all sections in {:.1} s)", secs(started.elapsed()));
}
