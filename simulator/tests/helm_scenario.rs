//! The "done when": a chart with named templates, `include ... | nindent`,
//! `range` over maps, `toYaml`, `default .Chart.AppVersion`, a value file, an
//! Application parameter and a `pre-install` hook Job syncs with the objects
//! `helm template` gives (as the real Helm engine rendered them, recorded in
//! testdata/helm/oracle/expected/web-prod.json) and the hook in PreSync.

mod support;

use serde_json::Value;
use simulator::content;
use simulator::kube::ObjectKey;
use simulator::{Input, World};
use support::*;

/// Whether every field of `want` is in `got` with the same value (the API server adds defaults).
fn contains(got: &Value, want: &Value, path: &str) -> Result<(), String> {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                let gv = g.get(k).ok_or_else(|| format!("{path}.{k} is missing"))?;
                contains(gv, wv, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                contains(gv, wv, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if got == want => Ok(()),
        _ => Err(format!("{path}: want {want}, got {got}")),
    }
}

fn lab_world() -> World {
    {
        let lab = content::lab(&content::builtin(), "helm-charts").unwrap_or_else(|e| panic!("{e:?}"));
        World::new(11, &lab).unwrap_or_else(|e| panic!("{e}"))
    }
}

fn helm_rendered() -> Vec<(String, Value)> {
    let recorded: Value = serde_json::from_str(include_str!("../testdata/helm/oracle/expected/web-prod.json")).unwrap();
    let mut out = Vec::new();
    for (path, text) in recorded["files"].as_object().unwrap() {
        for doc in simulator::yaml::parse_documents(text.as_str().unwrap(), path).unwrap() {
            if doc.is_object() {
                out.push((path.clone(), doc));
            }
        }
    }
    out
}

#[test]
fn chart_syncs_with_helm_templates_objects_and_the_hook_in_presync() {
    let w = lab_world();
    let app = w.agent().app("web-prod").expect("the app exists");
    assert_eq!(app.status.source_type, "Helm");
    assert_eq!((app.status.sync_status.as_str(), app.status.health.status.as_str()), ("Synced", "Healthy"), "{:?}", app.status.conditions);
    let rendered = helm_rendered();
    assert_eq!(rendered.len(), 4, "configmap, deployment, service and the hook Job");
    for (path, mut want) in rendered {
        let kind = want["kind"].as_str().unwrap().to_string();
        let name = want["metadata"]["name"].as_str().unwrap().to_string();
        let group = if kind == "Deployment" {
            "apps"
        } else if kind == "Job" {
            "batch"
        } else {
            ""
        };
        let key = ObjectKey::new(group, &kind, "shop", &name);
        if kind == "Job" {
            // The hook ran and was deleted by its hook-succeeded policy.
            assert!(w.cluster().store.get(&key).is_none(), "the hook Job was deleted after it succeeded");
            continue;
        }
        if kind == "Deployment" {
            // The Application's parameter replicaCount=3 wins over values-prod.yaml's 4.
            assert_eq!(want["spec"]["replicas"], 4);
            want["spec"]["replicas"] = Value::from(3);
        }
        let live = w.cluster().store.get(&key).unwrap_or_else(|| panic!("{path}: {kind}/{name} is live"));
        contains(live, &want, &format!("{kind}/{name}")).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let op = app.status.operation_state.as_ref().expect("the app was synced");
    let job = op.resources.iter().position(|r| r.kind == "Job" && r.name == "web-prod-migrate").expect("the hook ran in the sync");
    assert_eq!(op.resources[job].hook_type, "PreSync");
    assert_eq!(op.resources[job].sync_phase, "PreSync");
    let deployment = op.resources.iter().position(|r| r.kind == "Deployment").expect("the deployment synced");
    assert!(job < deployment, "the PreSync hook runs before the Deployment is applied");
}

#[test]
fn the_hook_runs_again_on_the_next_sync_and_the_upgrade_follows_appversion() {
    let mut w = lab_world();
    commit_and_push(&mut w, "yq -i '.appVersion = \"1.28\"' charts/web/Chart.yaml", "appVersion 1.28");
    let out = run(&mut w, "argocd app sync web-prod");
    assert!(out.contains("job.batch/web-prod-migrate created"), "{out}");
    let op = w.agent().app("web-prod").unwrap().status.operation_state.clone().expect("a sync ran");
    assert!(op.revision != w.agent().app("web-prod").unwrap().status.history[0].revision, "the sync deployed the new commit");
    assert!(op.resources.iter().any(|r| r.name == "web-prod-migrate" && r.hook_type == "PreSync"), "{op:?}");
    wait(&mut w, 30);
    let d = w.cluster().store.get(&ObjectKey::new("apps", "Deployment", "shop", "web-prod")).unwrap();
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.28");
    assert_eq!(d["metadata"]["labels"]["app.kubernetes.io/version"], "1.28");
    let a = w.agent().app("web-prod").unwrap();
    assert_eq!((a.status.sync_status.as_str(), a.status.health.status.as_str()), ("Synced", "Healthy"));
}

#[test]
fn a_template_error_is_a_comparison_error_in_helms_words() {
    let mut w = lab_world();
    let now = w.now();
    let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ .Values.nope.deeper }}\n";
    w.handle_input(now, Input::WriteFile { path: "charts/web/templates/broken.yaml".into(), content: broken.into() });
    for line in ["git add -A", "git commit -m broken", "git push", "argocd app get web-prod --refresh"] {
        run(&mut w, line);
    }
    let a = w.agent().app("web-prod").unwrap();
    let cond = a.status.conditions.iter().find(|c| c.kind == "ComparisonError").expect("a ComparisonError");
    assert!(
        cond.message.contains(
            "Error: template: web/templates/broken.yaml:6:15: executing \"web/templates/broken.yaml\" at <.Values.nope.deeper>: nil pointer evaluating interface {}.deeper"
        ),
        "{}",
        cond.message
    );
    assert!(cond.message.contains("`helm template . --name-template web-prod --namespace shop --kube-version 1.33 --values values-prod.yaml --set replicaCount=3 --include-crds`"), "{}", cond.message);
}

#[test]
fn helm_template_in_the_terminal() {
    let mut w = lab_world();
    let out = run(&mut w, "helm template web-prod charts/web -f charts/web/values-prod.yaml");
    assert!(out.starts_with("---\n# Source: web/templates/configmap.yaml\n"), "{out}");
    let hook = out.find("# Source: web/templates/migrate-job.yaml").expect("the hook is printed");
    let deployment = out.find("# Source: web/templates/deployment.yaml").expect("the deployment is printed");
    assert!(deployment < hook, "hooks come last");
    assert!(out.contains("  replicas: 4\n"));
    let out = run(&mut w, "helm template web-prod charts/web --set replicaCount=7 --show-only templates/deployment.yaml");
    assert!(out.contains("  replicas: 7\n") && !out.contains("kind: Service"), "{out}");
    let out = run(&mut w, "helm template charts/nope");
    assert_eq!(out, "Error: path \"charts/nope\" not found\n");
    let out = run(&mut w, "helm lint charts/web");
    assert_eq!(out, "==> Linting charts/web\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n");
}
