//! A synthetic estate for benchmarks: the course's "12 microservices across
//! dev, staging and prod", as a Kustomize base and one overlay per
//! environment per service, each overlay an Argo CD Application.

use crate::git::Snapshot;

use super::Lab;

/// A lab whose world runs `services` × `environments.len()` Applications, all Synced at the start.
pub fn fleet_lab(services: usize, environments: &[&str]) -> Lab {
    let mut repo = Snapshot::new();
    for i in 0..services {
        let name = format!("svc-{i:02}");
        let base = format!("apps/{name}/base");
        repo.insert(format!("{base}/kustomization.yaml"), "resources:\n  - deployment.yaml\n  - service.yaml\n".into());
        repo.insert(
            format!("{base}/deployment.yaml"),
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels: {{app: {name}}}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: civica.azurecr.io/{name}:1.0.0\n          ports: [{{containerPort: 8080}}]\n"),
        );
        repo.insert(format!("{base}/service.yaml"), format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"));
        for (e, env) in environments.iter().enumerate() {
            let app = format!("{name}-{env}");
            repo.insert(
                format!("apps/{name}/overlays/{env}/kustomization.yaml"),
                format!("namespace: {env}\nresources:\n  - ../../base\nimages:\n  - name: civica.azurecr.io/{name}\n    newTag: 1.{e}.{i}\nreplicas:\n  - name: {name}\n    count: {}\ncommonLabels:\n  env: {env}\n", e + 1),
            );
            repo.insert(
                format!("argocd/{app}.yaml"),
                format!("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {app}\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: https://git.example.com/cfg.git\n    targetRevision: HEAD\n    path: apps/{name}/overlays/{env}\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: {env}\n  syncPolicy:\n    automated:\n      selfHeal: true\n"),
            );
        }
    }
    let applications: Vec<String> = repo.keys().filter(|p| p.starts_with("argocd/")).cloned().collect();
    let files: String = repo.keys().map(|p| format!("          {p}: \"@repo\"\n")).collect();
    let yaml = format!(
        "id: fleet\ntitle: Fleet\nsummary: A synthetic estate\nminutes: 1\ncourseSection: bench\nstory: bench\nworld:\n  start: \"2026-03-12T01:58:00Z\"\n  namespaces: {environments:?}\n  applications: {applications:?}\n  repo:\n    url: https://git.example.com/cfg.git\n    dir: /home/trainee/cfg\n    history:\n      - author: \"Dev <dev@example.com>\"\n        date: \"2026-03-10T10:00:00Z\"\n        message: initial\n        files:\n{files}steps:\n  - id: only\n    title: Only\n    text: only\n    check: {{commandRun: \"true\"}}\n    solution: [\"true\"]\n"
    );
    Lab::load(&yaml, "fleet.yaml", repo).expect("the synthetic fleet lab is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fleet_starts_synced_and_healthy() {
        let world = crate::World::new(1, &fleet_lab(12, &["dev", "staging", "prod"])).unwrap();
        assert_eq!(world.agent().apps().count(), 36);
        assert!(world.agent().apps().all(|a| a.status.sync_status == "Synced" && a.status.health.status == "Healthy"));
    }
}
