//! Differential test: random overlays rendered by the simulator and by the real
//! kustomize in kubectl 1.33 (the Google Cloud SDK's `kubectl.1.33 kustomize`).
//! Skipped, with a message, where that binary is absent; prints the seed on a mismatch.

use simulator::git::Snapshot;
use simulator::rng::SimRng;
use std::path::PathBuf;
use std::process::Command;

fn kubectl() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join("kubectl.1.33")).find(|p| p.is_file()));
    on_path.or_else(|| Some(PathBuf::from("/usr/lib/google-cloud-sdk/bin/kubectl.1.33")).filter(|p| p.is_file()))
}

fn pick<'a>(rng: &mut SimRng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

/// A random base and overlay: names, prefixes, labels, images, replicas, patches, generators.
fn random_repo(seed: u64) -> Snapshot {
    let mut rng = SimRng::new(seed);
    let mut files = Snapshot::new();
    let app = pick(&mut rng, &["web", "api", "payments", "orders"]);
    let image = pick(&mut rng, &["nginx", "civica.azurecr.io/app", "localhost:5000/team/svc"]);
    let tag = pick(&mut rng, &["1.0", "2.3.0", "latest", "v1"]);
    let mut base_k = String::from("resources:\n- deployment.yaml\n- service.yaml\n");
    if rng.below(2) == 0 {
        base_k.push_str(&format!(
            "configMapGenerator:\n- name: {app}-config\n  literals:\n  - MODE={}\n  - RETRIES={}\n",
            pick(&mut rng, &["fast", "safe"]),
            rng.below(9)
        ));
    }
    files.insert("base/kustomization.yaml".into(), base_k);
    files.insert(
        "base/deployment.yaml".into(),
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\nspec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n      containers:\n      - name: {app}\n        image: {image}:{tag}\n        env:\n        - name: A\n          value: \"1\"\n        envFrom:\n        - configMapRef:\n            name: {app}-config\n", rng.between(1, 4)),
    );
    files.insert("base/service.yaml".into(), format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\nspec:\n  selector:\n    app: {app}\n  ports:\n  - port: 80\n    targetPort: 8080\n"));
    let env = pick(&mut rng, &["dev", "staging", "prod"]);
    let mut k = format!("resources:\n- ../base\nnamespace: {env}\n");
    if rng.below(2) == 0 {
        k.push_str(&format!("namePrefix: {env}-\n"));
    }
    if rng.below(2) == 0 {
        k.push_str(&format!("nameSuffix: -v{}\n", rng.below(3)));
    }
    match rng.below(3) {
        0 => k.push_str(&format!("commonLabels:\n  env: {env}\n")),
        1 => k.push_str(&format!("labels:\n- pairs:\n    env: {env}\n  includeTemplates: true\n")),
        _ => {}
    }
    if rng.below(2) == 0 {
        k.push_str("commonAnnotations:\n  owner: platform-team\n");
    }
    if rng.below(2) == 0 {
        k.push_str(&format!("images:\n- name: {image}\n  newTag: \"{}.{}\"\n", rng.between(1, 3), rng.below(10)));
    }
    if rng.below(2) == 0 {
        k.push_str(&format!("replicas:\n- name: {app}\n  count: {}\n", rng.between(2, 6)));
    }
    match rng.below(3) {
        0 => {
            k.push_str("patches:\n- path: patch.yaml\n");
            files.insert("overlay/patch.yaml".into(), format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\nspec:\n  template:\n    spec:\n      containers:\n      - name: {app}\n        env:\n        - name: B\n          value: two\n"));
        }
        1 => k.push_str(
            "patches:\n- target:\n    kind: Service\n  patch: |-\n    - op: replace\n      path: /spec/ports/0/port\n      value: 8081\n",
        ),
        _ => {}
    }
    if rng.below(2) == 0 {
        k.push_str(&format!("configMapGenerator:\n- name: {app}-config\n  behavior: merge\n  literals:\n  - MODE=overlay\n"));
    }
    files.insert("overlay/kustomization.yaml".into(), k);
    files
}

#[test]
fn random_overlays_match_kubectl_kustomize() {
    let Some(k) = kubectl() else {
        eprintln!("SKIPPED: kubectl.1.33 (the Google Cloud SDK's) is not installed, so there is no kustomize to compare with");
        return;
    };
    let root = std::env::temp_dir().join(format!("gitops-lab-oracle-{}", std::process::id()));
    let mut compared = 0;
    for seed in 0..40 {
        let files = random_repo(seed);
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in &files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let out = Command::new(&k).arg("kustomize").arg(root.join("overlay")).output().expect("kubectl runs");
        let theirs = String::from_utf8_lossy(&out.stdout).to_string();
        let ours = simulator::kustomize::build(&files, "overlay").map(|o| simulator::kustomize::render(&o));
        if !out.status.success() {
            assert!(ours.is_err(), "seed {seed}: kustomize failed ({}) but the simulator built it", String::from_utf8_lossy(&out.stderr));
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("seed {seed}: kustomize built it but the simulator failed: {e}\n{files:#?}"));
        assert_eq!(ours, theirs, "seed {seed}: outputs differ\n{files:#?}");
        compared += 1;
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("{compared} random overlays identical to kubectl.1.33 kustomize");
    assert!(compared > 20);
}
