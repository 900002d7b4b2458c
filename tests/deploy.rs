//! deploy/ (the server's own GitOps manifests) builds with the project's `gitops-lab
//! kustomize build` and runs in its `sandbox`: Argo CD syncs the Application and the
//! server's Deployment, Service, Ingress and volume appear.

use std::path::{Path, PathBuf};
use std::process::Command;

fn gitops_lab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gitops-lab")).args(args).output().expect("gitops-lab runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn docs(yaml: &str) -> Vec<serde_json::Value> {
    simulator::yaml::parse_documents(yaml, "kustomize build").expect("kustomize build prints YAML")
}

fn find<'a>(objects: &'a [serde_json::Value], kind: &str, name: &str) -> &'a serde_json::Value {
    objects.iter().find(|o| o["kind"] == kind && o["metadata"]["name"] == name).unwrap_or_else(|| panic!("{kind}/{name} in {objects:#?}"))
}

#[test]
fn the_single_instance_overlay_runs_sqlite_on_a_volume() {
    let dir = deploy_dir().join("overlays/single");
    let (code, out, err) = gitops_lab(&["kustomize", "build", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let objects = docs(&out);
    let deployment = find(&objects, "Deployment", "gitops-lab");
    assert_eq!(deployment["metadata"]["namespace"], "gitops-lab");
    assert_eq!(deployment["spec"]["replicas"], 1);
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.example.com/gitops-lab:0.1.0");
    assert_eq!(container["env"][0], serde_json::json!({ "name": "DATABASE_URL", "value": "sqlite:///data/gitops-lab.db" }));
    assert_eq!(deployment["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "gitops-lab-data");
    find(&objects, "PersistentVolumeClaim", "gitops-lab-data");
    find(&objects, "Service", "gitops-lab");
    find(&objects, "Ingress", "gitops-lab");
    // The labels select the server's pods only.
    assert_eq!(deployment["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"], "gitops-lab");
}

#[test]
fn the_postgres_overlay_runs_replicas_with_the_database_from_a_secret() {
    let dir = deploy_dir().join("overlays/postgres");
    let (code, out, err) = gitops_lab(&["kustomize", "build", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let objects = docs(&out);
    let deployment = find(&objects, "Deployment", "gitops-lab");
    assert_eq!(deployment["spec"]["replicas"], 3);
    let env = &deployment["spec"]["template"]["spec"]["containers"][0]["env"][0];
    assert_eq!(env["valueFrom"]["secretKeyRef"]["name"], "gitops-lab-database");
    assert!(objects.iter().all(|o| o["kind"] != "PersistentVolumeClaim"));
}

#[test]
fn the_sandbox_syncs_the_argo_cd_application_for_deploy() {
    // The repository as Argo CD sees it: deploy/ at its root.
    let root = std::env::temp_dir().join(format!("gitops-lab-deploy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy(&deploy_dir(), &root.join("deploy"));
    let script = root.join("script.txt");
    std::fs::write(&script, "argocd app get gitops-lab\nkubectl get deploy,svc,ingress,pvc -n gitops-lab\n").unwrap();
    let (code, out, err) = gitops_lab(&["sandbox", "--repo", root.to_str().unwrap(), "--script", script.to_str().unwrap(), "--seed", "1"]);
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Sync Status:        Synced"), "{out}");
    for object in [
        "deployment.apps/gitops-lab",
        "service/gitops-lab",
        "ingress.networking.k8s.io/gitops-lab",
        "persistentvolumeclaim/gitops-lab-data",
    ] {
        assert!(out.contains(object), "{object} in {out}");
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}
