//! Soak sessions: a seeded random trainee in a lab, mixing commands, incidents, clock jumps
//! and `kubectl apply` (and pushes) of mutated manifests, with the world's invariants checked
//! after every input. Shared by `tests/soak.rs` (a few hundred sessions in CI) and
//! `examples/soak.rs` (ten thousand, timed). Nothing here reads a clock: the example times
//! `Soak::apply` from outside.
#![allow(dead_code)]

use simulator::argo::diff;
use simulator::kube::{ObjectKey, meta};
use simulator::lab::Lab;
use simulator::rng::SimRng;
use simulator::{Input, SimDuration, World};

/// One input of a soak session, printable so a failure can be replayed by hand.
#[derive(Clone, Debug)]
pub enum Step {
    Command(String),
    Incident(String),
    Jump(u64),
    Hint,
    Skip,
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Command(line) => write!(f, "{line}"),
            Step::Incident(id) => write!(f, "incident {id}"),
            Step::Jump(secs) => write!(f, "(clock +{secs}s)"),
            Step::Hint => write!(f, "hint"),
            Step::Skip => write!(f, "skip"),
        }
    }
}

/// A field and a value of the wrong (or right) shape, for mutated manifests.
const MUTATIONS: &[(&str, &str)] = &[
    (".spec.replicas", "\"two\""),
    (".spec.replicas", "-1"),
    (".spec.replicas", "4"),
    (".spec", "[1]"),
    (".spec", "7"),
    (".metadata.labels.team", "5"),
    (".metadata", "x"),
    (".spec.template.spec.containers[0].image", "7"),
    (".spec.template.spec.containers[0].image", "\"nginx:1.28\""),
    (".spec.template.spec.containers", "{}"),
    (".spec.template.spec.nodeName", "[1]"),
    (".spec.selector", "\"all\""),
    (".kind", "Rollout"),
    (".apiVersion", "v1"),
    (".spec.syncPolicy", "\"manual\""),
    (".spec.source.kustomize", "3"),
    (".spec.source.helm", "{}"),
    (".spec.source.path", "[1]"),
    (".spec.interval", "\"0s\""),
    (".spec.syncPolicy.retry.limit", "-1"),
    (".data", "[1]"),
    (".resources", "5"),
    (".commonlabel", "{}"),
];

pub struct Soak {
    pub world: World,
    pub seed: u64,
    rng: SimRng,
    last_rv: u64,
    pub log: Vec<Step>,
}

impl Soak {
    pub fn new(lab: &Lab, seed: u64) -> Result<Soak, String> {
        let world = World::new(seed, lab)?;
        Ok(Soak { world, seed, rng: SimRng::new(seed ^ 0x50a6), last_rv: 0, log: Vec::new() })
    }

    fn pick<'a>(&mut self, items: &'a [String]) -> Option<&'a String> {
        (!items.is_empty()).then(|| &items[self.rng.below(items.len() as u64) as usize])
    }

    /// The next random input, drawn from what the world holds now.
    pub fn next_step(&mut self) -> Step {
        let w = &self.world;
        let deployments: Vec<String> = w
            .cluster()
            .store
            .all()
            .filter(|(k, _)| k.kind == "Deployment")
            .map(|(k, _)| format!("{} -n {}", k.name, k.namespace))
            .collect();
        let pods: Vec<String> =
            w.cluster().store.all().filter(|(k, _)| k.kind == "Pod").map(|(k, _)| format!("{} -n {}", k.name, k.namespace)).collect();
        let apps: Vec<String> = w.agent().apps().map(|a| a.spec.name.clone()).collect();
        let files: Vec<String> = w
            .git()
            .clones
            .first()
            .map(|c| c.worktree.keys().filter(|p| p.ends_with(".yaml") || p.ends_with(".yml")).cloned().collect())
            .unwrap_or_default();
        let dirs: Vec<String> = files.iter().filter_map(|f| f.rsplit_once('/').map(|(d, _)| d.to_string())).collect();
        let incidents: Vec<String> = w.incidents().iter().map(|i| i.id.clone()).collect();
        let roll = self.rng.below(100);
        let n = self.rng.below(7);
        let command = |s: String| Step::Command(s);
        match roll {
            0..=4 => match self.pick(&incidents) {
                Some(id) => Step::Incident(id.clone()),
                None => Step::Jump(30),
            },
            5..=12 => Step::Jump([1, 5, 30, 180, 600, 3600][self.rng.below(6) as usize]),
            13 => Step::Hint,
            14 => Step::Skip,
            15..=29 => {
                // A mutated manifest, applied straight to the cluster or pushed for the agents.
                let Some(file) = self.pick(&files).cloned() else { return command("kubectl get pods -A".into()) };
                let (path, value) = MUTATIONS[self.rng.below(MUTATIONS.len() as u64) as usize];
                let then = match self.rng.below(3) {
                    0 => format!("kubectl apply -f {file}"),
                    1 => "git commit -qam mutate && git push".to_string(),
                    _ => format!("kubectl apply -f {file} --dry-run=client"),
                };
                command(format!("yq -i '{path} = {value}' {file} && {then}"))
            }
            30..=34 => command("git checkout -- . && git status --short".into()),
            35..=37 => command("git revert HEAD --no-edit && git push".into()),
            38..=45 => match self.pick(&deployments).cloned() {
                Some(d) => command(match n {
                    0 => format!("kubectl scale deployment {d} --replicas={}", self.rng.below(5)),
                    1 => format!("kubectl set image deployment/{} nginx=nginx:1.{}", d.replacen(' ', " ", 1), self.rng.below(30)),
                    2 => format!("kubectl rollout undo deployment/{d}"),
                    3 => format!("kubectl rollout status deployment/{d}"),
                    4 => format!("kubectl delete deployment {d}"),
                    5 => format!("kubectl describe deployment {d}"),
                    _ => format!("kubectl get deployment {d} -o yaml"),
                }),
                None => command("kubectl get deploy -A".into()),
            },
            46..=50 => match self.pick(&pods).cloned() {
                Some(p) => command(if n % 2 == 0 { format!("kubectl delete pod {p}") } else { format!("kubectl logs {p}") }),
                None => command("kubectl get pods -A".into()),
            },
            51..=62 => match self.pick(&apps).cloned() {
                Some(a) => command(match n {
                    0 => format!("argocd app sync {a}"),
                    1 => format!("argocd app sync {a} --prune"),
                    2 => format!("argocd app get {a} --refresh"),
                    3 => format!("argocd app set {a} --sync-policy automated --self-heal"),
                    4 => format!("argocd app set {a} --sync-policy none"),
                    5 => format!("argocd app rollback {a}"),
                    _ => format!("argocd app diff {a}"),
                }),
                None => command("argocd app list".into()),
            },
            63..=66 => match self.pick(&dirs).cloned() {
                Some(d) => command(format!("kustomize build {d}")),
                None => command("kustomize build .".into()),
            },
            67..=70 => command(
                ["flux get kustomizations", "flux reconcile kustomization payment-service", "flux get sources git"][(n % 3) as usize]
                    .into(),
            ),
            71..=75 => command(
                ["kubectl get all -A", "kubectl get events -A", "kubectl get applications -n argocd", "git log --oneline", "ls -R"]
                    [(n % 5) as usize]
                    .into(),
            ),
            76..=80 => match self.pick(&files).cloned() {
                Some(f) => command(format!("yq '.spec' {f} | head -5")),
                None => command("yq '.a' nothing.yaml".into()),
            },
            _ => command(format!("sleep {}", [1, 10, 60, 300][(n % 4) as usize])),
        }
    }

    /// Gives the world one input and checks its invariants afterwards.
    pub fn apply(&mut self, step: &Step) -> Result<(), String> {
        self.log.push(step.clone());
        let now = self.world.now();
        match step {
            Step::Command(line) => self.world.handle_input(now, Input::Command { line: line.clone() }),
            Step::Incident(id) => self.world.handle_input(now, Input::Incident { id: id.clone() }),
            Step::Hint => self.world.handle_input(now, Input::Hint),
            Step::Skip => self.world.handle_input(now, Input::SkipStep),
            Step::Jump(secs) => self.world.advance_to(now + SimDuration::secs(*secs)),
        }
        while self.world.poll_output().is_some() {}
        self.check_invariants()
    }

    /// The failure report: the seed and every input so far.
    pub fn report(&self, lab: &str, problem: &str) -> String {
        let steps: Vec<String> = self.log.iter().map(|s| format!("  {s}")).collect();
        format!("lab {lab}, seed {}: {problem}\ninputs:\n{}", self.seed, steps.join("\n"))
    }

    fn check_invariants(&mut self) -> Result<(), String> {
        let world = &self.world;
        let store = &world.cluster().store;
        let rv = store.resource_version();
        if rv < self.last_rv {
            return Err(format!("resourceVersion went back from {} to {rv}", self.last_rv));
        }
        self.last_rv = rv;
        for (key, obj) in store.all() {
            let obj_rv: u64 = meta::str_at(obj, &["metadata", "resourceVersion"]).and_then(|v| v.parse().ok()).unwrap_or(0);
            if obj_rv > rv {
                return Err(format!("{key} has resourceVersion {obj_rv} above the store's {rv}"));
            }
            if let Some(owner) = meta::controller_uid(obj)
                && store.get_by_uid(owner).is_none()
                && !meta::is_terminating(obj)
            {
                return Err(format!("{key} points at a missing owner {owner}"));
            }
        }
        if world.stuck_loops() > 0 {
            return Err(format!("{} loops hit their bound", world.stuck_loops()));
        }
        if world.poll_timeout().is_some_and(|t| t < world.now()) {
            return Err("a timer is overdue after the input".into());
        }
        for app in world.agent().apps() {
            let settling = world.agent().operation_running(&app.spec.name) || world.agent().refresh_pending(&app.spec.name);
            if app.status.sync_status != "Synced" || settling {
                continue;
            }
            let git = world.git();
            if git.db.commit(&app.status.revision).is_none() {
                continue;
            }
            let files = git.db.snapshot(&app.status.revision);
            let Ok(desired) = simulator::argo::render::render(&app.spec, &files) else { continue };
            for r in &app.status.resources {
                let key = ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name);
                let Some(want) = desired.iter().find(|d| ObjectKey::of(d).as_ref() == Some(&key)) else { continue };
                let Some(live) = store.get(&key) else {
                    return Err(format!("{} is Synced but {key} is missing", app.spec.name));
                };
                if !diff::is_synced_ignoring(want, live, &app.spec.ignore_differences) {
                    return Err(format!("{} reports Synced but {key} differs from Git", app.spec.name));
                }
            }
        }
        Ok(())
    }
}
