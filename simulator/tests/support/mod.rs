//! Shared test helpers: a world of one app over a few manifests, and ways to drive it.
#![allow(dead_code)]

use simulator::git::Snapshot;
use simulator::lab::Lab;
use simulator::{Input, SimDuration, World};

pub const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
";

pub const CONFIGMAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: hello
";

pub fn application(policy: &str, extra_spec: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.com/cfg.git
    targetRevision: HEAD
    path: app
  destination:
    server: https://kubernetes.default.svc
    namespace: prod
{policy}{extra_spec}"
    )
}

pub const SELF_HEAL: &str = "  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n";
pub const AUTO_NO_HEAL: &str = "  syncPolicy:\n    automated:\n      prune: false\n";
pub const MANUAL: &str = "";

/// A world with one app over `files` (paths under `app/`), the clock at its start.
pub fn world(policy: &str, files: &[(&str, &str)], agent: &str, images: &str) -> World {
    let mut repo = Snapshot::new();
    repo.insert("argocd/web.yaml".into(), application(policy, ""));
    for (path, text) in files {
        repo.insert(format!("app/{path}"), text.to_string());
    }
    let file_list: String = repo.keys().map(|p| format!("          {p}: \"@repo\"\n")).collect();
    let lab_yaml = format!(
        "id: scenario
title: Scenario
summary: A scenario
minutes: 1
courseSection: test
story: test
world:
  start: \"2026-03-12T01:58:00Z\"
  namespaces: [prod]
  applications: [argocd/web.yaml]
  kubeNamespace: prod
  agent: {{{agent}}}
  images: {{{images}}}
  repo:
    url: https://git.example.com/cfg.git
    dir: /home/trainee/cfg
    history:
      - author: \"Dev <dev@example.com>\"
        date: \"2026-03-10T10:00:00Z\"
        message: initial
        files:
{file_list}steps:
  - id: only
    title: Only
    text: only
    check: {{commandRun: \"true\"}}
    solution: [\"true\"]
"
    );
    let lab = Lab::load(&lab_yaml, "scenario.yaml", repo).unwrap_or_else(|e| panic!("{e}"));
    World::new(5, &lab).expect("the world builds")
}

pub fn run(world: &mut World, line: &str) -> String {
    let now = world.now();
    world.handle_input(now, Input::Command { line: line.into() });
    terminal_text(world)
}

/// Everything the world has to tell its host, in order.
pub fn drain(world: &mut World) -> Vec<simulator::Output> {
    std::iter::from_fn(|| world.poll_output()).collect()
}

/// What the terminal printed since the last look.
pub fn terminal_text(world: &mut World) -> String {
    drain(world).into_iter().filter_map(|o| if let simulator::Output::Terminal { text, .. } = o { Some(text) } else { None }).collect()
}

pub fn wait(world: &mut World, secs: u64) {
    let t = world.now() + SimDuration::secs(secs);
    world.advance_to(t);
}

pub fn app(world: &World) -> (String, String) {
    let a = world.agent().app("web").expect("the app exists");
    (a.status.sync_status.to_string(), a.status.health.status.to_string())
}

pub fn replicas(world: &World) -> i64 {
    let d =
        world.cluster().store.get(&simulator::kube::ObjectKey::new("apps", "Deployment", "prod", "web")).expect("the deployment exists");
    d["spec"]["replicas"].as_i64().unwrap()
}

pub fn commit_and_push(world: &mut World, edit: &str, message: &str) {
    for line in [edit.to_string(), "git add -A".to_string(), format!("git commit -m \"{message}\""), "git push".to_string()] {
        run(world, &line);
    }
}
pub mod soak;
