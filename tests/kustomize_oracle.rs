//! Differential test: random overlays rendered by the simulator and by the real
//! kustomize in kubectl 1.33 (the Google Cloud SDK's `kubectl.1.33 kustomize`).
//! Skipped, with a message, only where that binary is absent and CI is not set: under
//! `CI=true`, or where the binary is at its usual place but cannot run, the test fails.
//! Prints the seed on a mismatch.

mod common_kubectl;

use simulator::git::Snapshot;
use simulator::rng::SimRng;
use std::path::PathBuf;
use std::process::Command;

/// The kustomize to compare with, or `None` to skip: skipping is allowed only off CI and where
/// no kubectl 1.33 is installed. A binary that is there but does not answer fails the test.
fn oracle() -> Option<PathBuf> {
    let k = common_kubectl::required_for("the kustomize differential test")?;
    let version = Command::new(&k).args(["version", "--client"]).output();
    match version {
        Ok(out) if out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Kustomize Version: v5.") => Some(k),
        Ok(out) => panic!(
            "{} is installed but did not report a kustomize v5 (exit {:?}): {}{}",
            k.display(),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("{} is installed but cannot run: {e}", k.display()),
    }
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

/// Builds every seed's repository with both kustomizes; returns how many built identically
/// (seeds where both fail count as agreeing but not as compared).
fn compare_seeds(k: &PathBuf, label: &str, seeds: std::ops::Range<u64>, generate: fn(u64) -> Snapshot) -> usize {
    let root = std::env::temp_dir().join(format!("gitops-lab-oracle-{label}-{}", std::process::id()));
    let mut compared = 0;
    for seed in seeds {
        let files = generate(seed);
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in &files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let out = Command::new(k).arg("kustomize").arg(root.join("overlay")).output().expect("kubectl runs");
        let theirs = String::from_utf8_lossy(&out.stdout).to_string();
        let ours = simulator::kustomize::build(&files, "overlay").map(|o| simulator::kustomize::render(&o));
        if !out.status.success() {
            assert!(
                ours.is_err(),
                "{label} seed {seed}: kustomize failed ({}) but the simulator built it\n{files:#?}",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("{label} seed {seed}: kustomize built it but the simulator failed: {e}\n{files:#?}"));
        assert_eq!(ours, theirs, "{label} seed {seed}: outputs differ\n{files:#?}");
        compared += 1;
    }
    let _ = std::fs::remove_dir_all(&root);
    compared
}

#[test]
fn random_overlays_match_kubectl_kustomize() {
    let Some(k) = oracle() else { return };
    let compared = compare_seeds(&k, "overlays", 0..40, random_repo);
    println!("{compared} random overlays identical to kubectl.1.33 kustomize");
    assert!(compared > 20);
}

/// A random repository exercising the behaviours of issue 16: generated key order, long Secret
/// values, commonLabels in pod and network selectors, typed lists, patch options, JSON 6902
/// renames of RBAC objects, and one base included twice under different prefixes.
fn random_feature_repo(seed: u64) -> Snapshot {
    let mut rng = SimRng::new(seed ^ 0x16);
    let mut files = Snapshot::new();
    let app = pick(&mut rng, &["web", "api", "shop"]);
    let mut keys = vec!["LOG_LEVEL=debug", "LOGIN_URL=https://login", "item9=a", "item10=b", "x01=1", "x1=2", "B_=3", "Ba=4"];
    for i in (1..keys.len()).rev() {
        keys.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let literals: String = keys.iter().take(rng.between(2, 8) as usize).map(|k| format!("  - {k}\n")).collect();
    let long = "s".repeat(rng.between(40, 140) as usize);
    let mut base_k = format!(
        "resources:\n- workload.yaml\n- rbac.yaml\nconfigMapGenerator:\n- name: {app}-config\n  literals:\n{literals}secretGenerator:\n- name: {app}-secret\n  literals:\n  - TOKEN={long}\n  - short=x\n"
    );
    let affinity = if rng.below(2) == 0 {
        format!(
            "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - labelSelector:\n              matchLabels:\n                app: {app}\n            topologyKey: kubernetes.io/hostname\n"
        )
    } else {
        String::new()
    };
    let spread = if rng.below(2) == 0 {
        format!(
            "      topologySpreadConstraints:\n      - maxSkew: 1\n        topologyKey: zone\n        whenUnsatisfiable: ScheduleAnyway\n        labelSelector:\n          matchLabels:\n            app: {app}\n"
        )
    } else {
        String::new()
    };
    let workload_kind = pick(&mut rng, &["Deployment", "StatefulSet"]);
    let service_name = if workload_kind == "StatefulSet" { format!("  serviceName: {app}\n") } else { String::new() };
    files.insert(
        "base/workload.yaml".into(),
        format!(
            "apiVersion: apps/v1\nkind: {workload_kind}\nmetadata:\n  name: {app}\nspec:\n{service_name}  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n{affinity}{spread}      serviceAccountName: {app}\n      containers:\n      - name: {app}\n        image: nginx:1.27\n        envFrom:\n        - configMapRef:\n            name: {app}-config\n        - secretRef:\n            name: {app}-secret\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {app}\nspec:\n  podSelector:\n    matchLabels:\n      app: {app}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: front\n"
        ),
    );
    files.insert(
        "base/rbac.yaml".into(),
        format!(
            "apiVersion: v1\nkind: ServiceAccountList\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: {app}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: read-pods\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: reader\nsubjects:\n- kind: ServiceAccount\n  name: {app}\n"
        ),
    );
    if rng.below(2) == 0 {
        base_k.push_str("patches:\n- target:\n    kind: Role\n    name: reader\n  patch: |-\n    - op: replace\n      path: /metadata/name\n      value: pod-reader\n");
    }
    files.insert("base/kustomization.yaml".into(), base_k);
    let mut k = String::new();
    if rng.below(2) == 0 {
        // The base twice, under two prefixes.
        files.insert("blue/kustomization.yaml".into(), "namePrefix: blue-\nresources:\n- ../base\n".into());
        files.insert("green/kustomization.yaml".into(), "namePrefix: green-\nresources:\n- ../base\n".into());
        k.push_str("resources:\n- ../blue\n- ../green\n");
    } else {
        k.push_str(&format!("resources:\n- ../base\nnamePrefix: {}-\n", pick(&mut rng, &["dev", "prod"])));
    }
    match rng.below(3) {
        0 => k.push_str(&format!("commonLabels:\n  team: {}\n", pick(&mut rng, &["pay", "core"]))),
        1 => k.push_str("labels:\n- pairs:\n    team: ops\n  includeSelectors: true\n"),
        _ => {}
    }
    if rng.below(2) == 0 {
        let allow = if rng.below(2) == 0 { "  options:\n    allowNameChange: true\n" } else { "" };
        k.push_str(&format!(
            "patches:\n- target:\n    kind: NetworkPolicy\n  patch: |-\n    apiVersion: networking.k8s.io/v1\n    kind: NetworkPolicy\n    metadata:\n      name: renamed\n    spec:\n      policyTypes: [Ingress]\n{allow}"
        ));
    }
    files.insert("overlay/kustomization.yaml".into(), k);
    files
}

#[test]
fn random_feature_repos_match_kubectl_kustomize() {
    let Some(k) = oracle() else { return };
    let compared = compare_seeds(&k, "features", 0..40, random_feature_repo);
    println!("{compared} random feature repositories identical to kubectl.1.33 kustomize");
    assert!(compared > 20);
}
