//! Random trainees: many seeds, each a random run of commands and incidents,
//! with the world's invariants checked after every step. A failure prints the
//! seed and the commands so far, to replay it.

mod support;

use simulator::World;
use simulator::argo::diff;
use simulator::kube::{ObjectKey, meta};
use simulator::rng::SimRng;
use support::*;

const SEEDS: u64 = 40;
const STEPS: usize = 40;

fn random_command(rng: &mut SimRng, world: &World) -> String {
    let pods: Vec<String> = world.cluster().store.list("", "Pod", Some("prod")).map(|p| meta::name(p).to_string()).collect();
    match rng.below(14) {
        0 | 1 => format!("kubectl scale deployment web --replicas={}", rng.below(6)),
        2 => format!(
            "kubectl set image deployment/web web={}",
            ["nginx:1.26", "nginx:1.27", "nginx:1.28", "web:crash", "web:missing"][rng.below(5) as usize]
        ),
        3 if !pods.is_empty() => format!("kubectl delete pod {}", pods[rng.below(pods.len() as u64) as usize]),
        4 => "kubectl delete deployment web".into(),
        5 => format!("yq -i '.spec.replicas = {}' app/deployment.yaml && git commit -qam scale && git push", rng.below(5) + 1),
        6 => "argocd app sync web".into(),
        7 => ["argocd app set web --sync-policy none", "argocd app set web --sync-policy automated", "argocd app set web --self-heal"]
            [rng.below(3) as usize]
            .into(),
        8 => "argocd app rollback web".into(),
        9 => "git revert HEAD --no-edit && git push".into(),
        10 => "argocd app get web --refresh".into(),
        _ => format!("sleep {}", rng.between(1, 240)),
    }
}

fn check_invariants(world: &World, last_rv: &mut u64) -> Result<(), String> {
    let store = &world.cluster().store;
    let rv = store.resource_version();
    if rv < *last_rv {
        return Err(format!("resourceVersion went back from {last_rv} to {rv}"));
    }
    *last_rv = rv;
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
    for app in world.agent().apps() {
        // Status is eventually consistent: only a settled app must agree with the cluster.
        let settling = world.agent().operation_running(&app.spec.name) || world.agent().refresh_pending(&app.spec.name);
        if app.status.sync_status != "Synced" || settling {
            continue;
        }
        for r in &app.status.resources {
            let key = ObjectKey::new(&r.group, &r.kind, &r.namespace, &r.name);
            let Some(live) = store.get(&key) else { return Err(format!("{} is Synced but {key} is missing", app.spec.name)) };
            let git = world.git();
            let Some(rev) = git.db.commit(&app.status.revision).map(|_| app.status.revision.clone()) else { continue };
            let files = git.db.snapshot(&rev);
            let desired = simulator::argo::render::render(&app.spec, &files).unwrap_or_default();
            if let Some(want) = desired.iter().find(|d| ObjectKey::of(d).as_ref() == Some(&key))
                && !diff::is_synced_ignoring(want, live, &app.spec.ignore_differences)
            {
                return Err(format!("{} reports Synced but {key} differs from Git", app.spec.name));
            }
        }
    }
    Ok(())
}

#[test]
fn random_sessions_keep_the_worlds_invariants() {
    for seed in 0..SEEDS {
        let policy = if seed % 2 == 0 { SELF_HEAL } else { MANUAL };
        let mut w = world(
            policy,
            &[("deployment.yaml", DEPLOYMENT), ("configmap.yaml", CONFIGMAP)],
            "",
            "web:crash: {behaviour: crash}, web:missing: {behaviour: pullError}",
        );
        let mut rng = SimRng::new(seed);
        let mut last_rv = 0;
        let mut log = Vec::new();
        for _ in 0..STEPS {
            let command = random_command(&mut rng, &w);
            log.push(command.clone());
            run(&mut w, &command);
            if let Err(e) = check_invariants(&w, &mut last_rv) {
                panic!("seed {seed}: {e}\ncommands:\n{}", log.join("\n"));
            }
        }
    }
}
