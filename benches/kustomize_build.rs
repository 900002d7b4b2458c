//! `kustomize build` of a repo of 12 services, each a base and 3 overlays (dev,
//! staging, prod): the simulator's renderer against kubectl 1.33's kustomize on
//! the same files, measured in the same run, reported as a ratio.
//!
//! `cargo bench --bench kustomize_build` (the kubectl side is skipped where
//! `kubectl.1.33` is not installed).

use simulator::git::Snapshot;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SERVICES: usize = 12;
const OVERLAYS: [&str; 3] = ["dev", "staging", "prod"];

fn repo() -> Snapshot {
    let mut files = Snapshot::new();
    for i in 0..SERVICES {
        let svc = format!("service-{i:02}");
        let base = format!("apps/{svc}/base");
        files.insert(
            format!("{base}/kustomization.yaml"),
            "resources:\n- deployment.yaml\n- service.yaml\nconfigMapGenerator:\n- name: settings\n  literals:\n  - LOG_LEVEL=info\n"
                .into(),
        );
        files.insert(
            format!("{base}/deployment.yaml"),
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {svc}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {svc}}}\n  template:\n    metadata:\n      labels: {{app: {svc}}}\n    spec:\n      containers:\n      - name: {svc}\n        image: civica.azurecr.io/{svc}:1.0.0\n        envFrom:\n        - configMapRef: {{name: settings}}\n"),
        );
        files.insert(format!("{base}/service.yaml"), format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {svc}\nspec:\n  selector: {{app: {svc}}}\n  ports:\n  - port: 80\n    targetPort: 8080\n"));
        for (n, env) in OVERLAYS.iter().enumerate() {
            files.insert(
                format!("apps/{svc}/overlays/{env}/kustomization.yaml"),
                format!("namespace: {env}\nnamePrefix: {env}-\nresources:\n- ../../base\nlabels:\n- pairs:\n    env: {env}\n  includeTemplates: true\nimages:\n- name: civica.azurecr.io/{svc}\n  newTag: \"1.{n}.{i}\"\nreplicas:\n- name: {svc}\n  count: {}\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/0/env\n      value: [{{name: ENV, value: {env}}}]\n", n + 1),
            );
        }
    }
    files
}

fn overlays() -> Vec<String> {
    (0..SERVICES).flat_map(|i| OVERLAYS.iter().map(move |e| format!("apps/service-{i:02}/overlays/{e}"))).collect()
}

fn write(files: &Snapshot, root: &Path) {
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn kubectl() -> Option<PathBuf> {
    let candidates = [PathBuf::from("/usr/lib/google-cloud-sdk/bin/kubectl.1.33")];
    let on_path = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("kubectl.1.33")).find(|p| p.is_file()));
    on_path.or_else(|| candidates.into_iter().find(|p| p.is_file()))
}

fn main() {
    let files = repo();
    let dirs = overlays();
    // Ours: the whole repo (36 overlays), repeated for a stable figure.
    let rounds = 50;
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..rounds {
        for d in &dirs {
            bytes += simulator::kustomize::render(&simulator::kustomize::build(&files, d).expect("the overlays build")).len();
        }
    }
    let ours = started.elapsed() / rounds;
    println!("simulator kustomize: {} overlays in {:.2} ms per round ({} bytes a round)", dirs.len(), ms(ours), bytes / rounds as usize);
    let Some(k) = kubectl() else {
        println!("kubectl.1.33 not found: SKIPPED the comparison with kubectl's kustomize");
        return;
    };
    let root = std::env::temp_dir().join(format!("gitops-lab-kbench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    write(&files, &root);
    let mut mismatches = 0;
    let started = Instant::now();
    for d in &dirs {
        let out = Command::new(&k).arg("kustomize").arg(root.join(d)).output().expect("kubectl runs");
        let theirs = String::from_utf8_lossy(&out.stdout);
        let mine = simulator::kustomize::render(&simulator::kustomize::build(&files, d).unwrap());
        if theirs != mine {
            mismatches += 1;
        }
    }
    let theirs = started.elapsed();
    let _ = std::fs::remove_dir_all(&root);
    println!("kubectl.1.33 kustomize: {} overlays in {:.2} ms (one process per overlay)", dirs.len(), ms(theirs));
    println!(
        "ratio: kubectl / simulator = {:.1}x; outputs identical for {}/{} overlays",
        ms(theirs) / ms(ours),
        dirs.len() - mismatches,
        dirs.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
