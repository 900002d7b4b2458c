//! Issue 12's reproductions, one test each: nothing a trainee or a lab author does may
//! panic, hang or be silently ignored. Each answers with the real tool's text, or (for
//! what no real tool does) a clear error that names what is wrong.

mod support;

use simulator::kube::ObjectKey;
use simulator::lab::Lab;
use simulator::{Input, Output, SimDuration, World, content};
use support::*;

/// Runs a line and returns what the terminal printed and the exit code.
fn cmd(world: &mut World, line: &str) -> (String, i32) {
    let now = world.now();
    world.handle_input(now, Input::Command { line: line.into() });
    let mut text = String::new();
    let mut code = 0;
    for o in drain(world) {
        if let Output::Terminal { text: t, exit_code, .. } = o {
            text.push_str(&t);
            code = exit_code;
        }
    }
    (text, code)
}

fn write(world: &mut World, path: &str, content: &str) {
    let now = world.now();
    world.handle_input(now, Input::WriteFile { path: path.into(), content: content.into() });
    drain(world);
}

fn drift() -> World {
    World::new(1, &content::builtin_lab("drift-2am").expect("drift-2am exists")).expect("the world builds")
}

#[test]
fn an_application_of_the_wrong_shape_gets_the_crd_schemas_422_and_argocd_app_set_still_works() {
    let mut w = drift();
    assert_eq!(cmd(&mut w, "yq -i '.spec.syncPolicy = \"manual\"' argocd/payment-service.yaml").1, 0);
    let (text, code) = cmd(&mut w, "kubectl apply -f argocd/payment-service.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "The Application \"payment-service\" is invalid: spec.syncPolicy: Invalid value: \"string\": spec.syncPolicy in body must be of type object: \"string\"\n"
    );
    let (text, code) = cmd(&mut w, "argocd app set payment-service --sync-policy automated");
    assert_eq!(code, 0, "{text}");
}

#[test]
fn a_kustomize_source_that_is_a_number_is_refused() {
    let mut w = drift();
    cmd(&mut w, "git checkout -- .");
    assert_eq!(cmd(&mut w, "yq -i '.spec.source.kustomize = 3' argocd/payment-service.yaml").1, 0);
    let (text, code) = cmd(&mut w, "kubectl apply -f argocd/payment-service.yaml");
    assert_eq!(code, 1);
    assert!(
        text.contains(
            "spec.source.kustomize: Invalid value: \"integer\": spec.source.kustomize in body must be of type object: \"integer\""
        ),
        "{text}"
    );
}

#[test]
fn a_deployment_of_the_wrong_shape_gets_the_decoders_400_and_later_commands_work() {
    let mut w = drift();
    assert_eq!(cmd(&mut w, "yq -i '.spec = [1]' apps/payment-service/deployment.yaml").1, 0);
    let (text, code) = cmd(&mut w, "kubectl apply -n payments -f apps/payment-service/deployment.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "Error from server (BadRequest): Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec\n"
    );
    for line in [
        "kubectl scale deploy payment-service -n payments --replicas=2",
        "kubectl set image deployment/payment-service -n payments payment-service=payment-service:9.9.9",
        "kubectl rollout undo deployment/payment-service -n payments",
    ] {
        let (text, code) = cmd(&mut w, line);
        assert!(code == 0 || text.starts_with("error:") || text.starts_with("Error from server"), "{line}: {text}");
    }
    assert_eq!(w.stuck_loops(), 0);
}

#[test]
fn a_replica_set_with_a_node_name_that_is_not_a_string_is_refused() {
    let mut w = drift();
    let rs = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: odd\n  namespace: payments\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: odd}\n  template:\n    metadata:\n      labels: {app: odd}\n    spec:\n      nodeName: [1]\n      containers:\n      - name: odd\n        image: nginx:1.27\n";
    write(&mut w, "rs.yaml", rs);
    let (text, code) = cmd(&mut w, "kubectl apply -f rs.yaml");
    assert_eq!(code, 1);
    assert!(
        text.contains("json: cannot unmarshal array into Go struct field PodSpec.spec.template.spec.nodeName of type string"),
        "{text}"
    );
}

const ROLLOUT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: canary\nspec:\n  replicas: 1\n";

const ROLLOUT_CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: rollouts.argoproj.io\nspec:\n  group: argoproj.io\n  names:\n    kind: Rollout\n    plural: rollouts\n  scope: Namespaced\n  versions:\n  - name: v1alpha1\n    served: true\n    storage: true\n";

#[test]
fn a_custom_resource_needs_its_crd_as_kubectl_says() {
    let mut w = drift();
    write(&mut w, "rollout.yaml", ROLLOUT);
    let (text, code) = cmd(&mut w, "kubectl apply -f rollout.yaml");
    assert_eq!(code, 1);
    assert_eq!(
        text,
        "error: resource mapping not found for name: \"canary\" namespace: \"\" from \"rollout.yaml\": no matches for kind \"Rollout\" in version \"argoproj.io/v1alpha1\"\nensure CRDs are installed first\n"
    );
    write(&mut w, "crd.yaml", ROLLOUT_CRD);
    assert_eq!(
        cmd(&mut w, "kubectl apply -f crd.yaml"),
        ("customresourcedefinition.apiextensions.k8s.io/rollouts.argoproj.io created\n".into(), 0)
    );
    assert_eq!(cmd(&mut w, "kubectl apply -f rollout.yaml"), ("rollout.argoproj.io/canary created\n".into(), 0));
}

#[test]
fn argo_cd_fails_to_sync_a_kind_without_its_crd_with_argo_cds_message() {
    let w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT), ("rollout.yaml", ROLLOUT)], "", "");
    let app = w.agent().app("web").expect("the app exists");
    let op = app.status.operation_state.as_ref().expect("the bootstrap synced the app");
    let rollout = op.resources.iter().find(|r| r.kind == "Rollout").expect("the Rollout was a task");
    assert_eq!(rollout.status, "SyncFailed");
    assert_eq!(
        rollout.message,
        "The Kubernetes API could not find argoproj.io/Rollout for requested resource prod/canary. Make sure the \"Rollout\" CRD is installed on the destination cluster."
    );
    assert!(w.cluster().store.get(&ObjectKey::new("argoproj.io", "Rollout", "prod", "canary")).is_none());
}

#[test]
fn scaling_to_int32_max_stops_at_the_namespace_quota_with_the_api_servers_text() {
    let mut w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    let (text, code) = cmd(&mut w, "kubectl scale deployment web --replicas=2147483647");
    assert_eq!((text.as_str(), code), ("deployment.apps/web scaled\n", 0));
    let pods = w.cluster().store.list("", "Pod", Some("prod")).count();
    assert_eq!(pods, simulator::kube::store::MAX_PODS_PER_NAMESPACE);
    let (events, _) = cmd(&mut w, "kubectl get events");
    assert!(
        events.contains("is forbidden: exceeded quota: sandbox-quota, requested: pods=1, used: pods=200, limited: pods=200"),
        "{events}"
    );
    wait(&mut w, 120);
    assert_eq!(w.cluster().store.list("", "Pod", Some("prod")).count(), pods);
    assert_eq!(w.stuck_loops(), 0);
}

/// drift-2am with an incident that follows itself after `after` seconds.
fn self_following_lab(after: u64) -> Lab {
    let mut lab = content::builtin_lab("drift-2am").expect("drift-2am exists");
    let mut incident = lab.incidents.first().cloned().expect("drift-2am has an incident");
    incident.at = None;
    incident.followed_by = Some(simulator::lab::FollowUp { incident: incident.id.clone(), after_seconds: after });
    lab.incidents = vec![incident];
    lab.steps.iter_mut().for_each(|s| s.incident = None);
    lab
}

/// A built-in lab loaded from its files after `edit` changed them, as `gitops-lab check` loads it.
fn load_edited(dir: &str, edit: impl FnOnce(&mut simulator::content::ContentFiles)) -> Result<Lab, simulator::lab::ContentError> {
    let mut files = content::builtin();
    edit(&mut files);
    content::lab(&files, dir)
}

#[test]
fn check_refuses_an_incident_that_follows_itself_with_no_delay() {
    let cycle = |after: u64| {
        load_edited("drift-2am", |files| {
            let text = files.get_mut("labs/drift-2am/lab.yaml").unwrap();
            *text = text.replace(
                "followedBy: {incident: node-up, afterSeconds: 900}",
                &format!("followedBy: {{incident: node-down, afterSeconds: {after}}}"),
            );
        })
    };
    let e = cycle(0).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("incidents[1].followedBy.afterSeconds"), "{e}");
    assert!(e.to_string().contains("node-down → node-down") && e.to_string().contains("with no delay"), "{e}");
    assert!(cycle(30).is_ok(), "a delayed cycle is a lab author's choice");
}

#[test]
fn an_incident_that_follows_itself_with_no_delay_is_bounded_at_run_time() {
    let lab = self_following_lab(0);
    let mut w = World::new(1, &lab).expect("the world builds without check");
    let id = lab.incidents[0].id.clone();
    let now = w.now();
    w.handle_input(now, Input::Incident { id });
    // The follow-up is due at once: the host advances to it, and the chain stops at the bound.
    w.advance_to(now);
    let fired = drain(&mut w).iter().filter(|o| matches!(o, Output::Incident { .. })).count();
    assert_eq!(fired, 1 + simulator::session::MAX_INCIDENTS_PER_INSTANT);
    assert!(w.stuck_loops() > 0, "the bound is reported");
    assert!(w.poll_timeout().is_none_or(|t| t > w.now()), "nothing is due at this instant any more");
}

#[test]
fn check_refuses_a_flux_file_that_does_not_exist_and_a_zero_interval() {
    let e = load_edited("flux-vs-argo", |files| {
        let text = files.get_mut("labs/flux-vs-argo/lab.yaml").unwrap();
        *text = text.replace("flux: [clusters/prod/payment-service-flux.yaml]", "flux: [clusters/prod/missing.yaml]");
    })
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("world.flux[0]"), "{e}");
    assert!(e.to_string().contains("clusters/prod/missing.yaml is not in the lab's repo/ folder"), "{e}");
    let e = load_edited("flux-vs-argo", |files| {
        let text = files.get_mut("labs/flux-vs-argo/repo/clusters/prod/payment-service-flux.yaml").unwrap();
        *text = text.replace("interval: 1m", "interval: 0s");
    })
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("world.flux[0]"), "{e}");
    assert!(e.to_string().contains("spec.interval is 0"), "{e}");
}

#[test]
fn a_flux_interval_of_zero_does_not_stop_the_clock() {
    let mut w = World::new(1, &content::builtin_lab("flux-vs-argo").unwrap()).unwrap();
    let (text, code) = cmd(&mut w, "yq -i '.spec.interval = \"0s\"' clusters/prod/payment-service-flux.yaml");
    assert_eq!(code, 0, "{text}");
    let (text, code) = cmd(&mut w, "kubectl apply -f clusters/prod/payment-service-flux.yaml");
    assert_eq!(code, 0, "{text}");
    assert!(w.poll_timeout().is_some_and(|t| t > w.now()), "a timer is due at this very instant");
    let before = w.now();
    cmd(&mut w, "sleep 60");
    assert_eq!(w.now(), before + SimDuration::secs(60));
    assert_eq!(w.stuck_loops(), 0);
}

#[test]
fn an_endless_retry_with_a_zero_back_off_does_not_stop_the_clock() {
    // `check` refuses such a retry in a lab; a trainee can still apply one.
    let mut w = world(AUTO_NO_HEAL, &[("rollout.yaml", ROLLOUT)], "", "");
    for line in [
        "yq -i '.spec.syncPolicy.retry.limit = -1' argocd/web.yaml",
        "yq -i '.spec.syncPolicy.retry.backoff.duration = \"0s\"' argocd/web.yaml",
        "yq -i '.spec.syncPolicy.retry.backoff.factor = 1' argocd/web.yaml",
        "kubectl apply -f argocd/web.yaml",
        "argocd app sync web",
    ] {
        cmd(&mut w, line);
    }
    assert!(w.poll_timeout().is_some_and(|t| t > w.now()));
    let before = w.now();
    cmd(&mut w, "sleep 60");
    assert_eq!(w.now(), before + SimDuration::secs(60));
    assert_eq!(w.stuck_loops(), 0);
}

#[test]
fn yq_assignment_without_a_value_is_yqs_error_and_leaves_the_file() {
    let mut w = drift();
    let (before, _) = cmd(&mut w, "cat apps/payment-service/deployment.yaml");
    let (text, code) = cmd(&mut w, "yq -i '.spec.replicas =' apps/payment-service/deployment.yaml");
    assert_eq!((text.as_str(), code), ("Error: '=' expects 2 args but there is 1\n", 1));
    assert_eq!(cmd(&mut w, "cat apps/payment-service/deployment.yaml").0, before);
}

#[test]
fn a_200_kb_yq_path_is_refused_at_once() {
    let mut w = drift();
    let path = ".a".repeat(100_000);
    let (text, code) = cmd(&mut w, &format!("yq '{path}' apps/payment-service/deployment.yaml"));
    assert_eq!(code, 1);
    assert!(text.starts_with("Error: the path has 100000 steps"), "{}", &text[..text.len().min(200)]);
}

fn files(entries: &[(&str, &str)]) -> simulator::git::Snapshot {
    entries.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

#[test]
fn kustomize_refuses_kustomizations_that_are_not_maps_unknown_fields_and_what_it_does_not_build() {
    let build = |k: &str| simulator::kustomize::build(&files(&[("k/kustomization.yaml", k), ("k/cm.yaml", CONFIGMAP)]), "k");
    for (k, want) in [
        ("- a\n- b\n", "Error: invalid Kustomization: json: cannot unmarshal array into Go value of type types.Kustomization"),
        ("just words\n", "Error: invalid Kustomization: json: cannot unmarshal string into Go value of type types.Kustomization"),
        ("resources: [cm.yaml]\ncommonlabel:\n  a: b\n", "Error: invalid Kustomization: json: unknown field \"commonlabel\""),
    ] {
        assert_eq!(build(k).unwrap_err().to_string(), want);
    }
    for field in ["replacements: [{source: {kind: ConfigMap}}]", "vars: [{name: X}]", "helmCharts: [{name: x}]", "transformers: [t.yaml]"] {
        let e = build(&format!("resources: [cm.yaml]\n{field}\n")).unwrap_err().to_string();
        let name = field.split(':').next().unwrap();
        assert!(e.contains(&format!("does not implement `{name}`")) && e.contains("k/kustomization.yaml"), "{e}");
    }
    assert!(build("resources: [cm.yaml]\n").is_ok());
}

#[test]
fn kustomize_edit_set_image_refuses_a_list_and_leaves_it() {
    let e = simulator::kustomize::edit::set_image("- resources\n- x\n", &["nginx=nginx:1.28".to_string()]).unwrap_err();
    assert_eq!(e, "invalid Kustomization: json: cannot unmarshal array into Go value of type types.Kustomization");
}

/// No code outside tests writes into an object by `value["key"] = ...`, which panics when the
/// value there is a string or a list: writes go through `SetPath::set_path`.
#[test]
fn no_code_writes_into_a_json_value_by_index() {
    let pattern = regex_lite::Regex::new(r#"\[("[^"]*"|field|key)\](\[[^\]]*\])*\s*=[^=>]"#).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate().take_while(|(_, l)| !l.contains("#[cfg(test)]")) {
                if pattern.is_match(line) && !line.trim_start().starts_with("//") {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "write through SetPath::set_path instead:\n{}", offenders.join("\n"));
}

fn comparison_error(w: &World) -> String {
    let app = w.agent().app("web").expect("the app exists");
    app.status.conditions.iter().find(|c| c.kind == "ComparisonError").map(|c| c.message.clone()).unwrap_or_default()
}

#[test]
fn a_jsonnet_folder_is_a_comparison_error_that_names_it_never_an_empty_synced_app() {
    let w = world(SELF_HEAL, &[("main.jsonnet", "{ apiVersion: 'v1', kind: 'ConfigMap' }\n")], "", "");
    let message = comparison_error(&w);
    assert!(message.contains("app/main.jsonnet: Jsonnet is not rendered"), "{message}");
    assert_ne!(app(&w).0, "Synced");
}

#[test]
fn a_config_management_plugin_is_argo_cds_plugin_not_found() {
    let mut w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT)], "", "");
    assert_eq!(cmd(&mut w, "yq -i '.spec.source.plugin.name = \"cdk8s\"' argocd/web.yaml").1, 0);
    assert_eq!(cmd(&mut w, "kubectl apply -f argocd/web.yaml").1, 0);
    cmd(&mut w, "argocd app get web --refresh");
    assert_eq!(
        comparison_error(&w),
        "rpc error: code = Unknown desc = Manifest generation error (cached): plugin sidecar failed. couldn't find cmp-server plugin with name \"cdk8s\" supporting the given repository"
    );
    assert_eq!(app(&w).0, "Unknown");
}

#[test]
fn a_sync_that_prunes_in_two_waves_finishes() {
    let wave = |name: &str, w: u32| {
        DEPLOYMENT
            .replacen("name: web\n", &format!("name: {name}\n  annotations:\n    argocd.argoproj.io/sync-wave: \"{w}\"\n"), 1)
            .replace("app: web", &format!("app: {name}"))
    };
    let (first, second) = (wave("first", 0), wave("second", 5));
    let mut w = world(MANUAL, &[("deployment.yaml", DEPLOYMENT), ("first.yaml", &first), ("second.yaml", &second)], "", "");
    wait(&mut w, 60);
    assert!(w.cluster().store.get(&ObjectKey::new("apps", "Deployment", "prod", "second")).is_some());
    commit_and_push(&mut w, "git rm -q app/first.yaml app/second.yaml", "remove both waves");
    cmd(&mut w, "argocd app get web --refresh");
    let (text, code) = cmd(&mut w, "argocd app sync web --prune");
    assert_eq!(code, 0, "{text}");
    wait(&mut w, 120);
    let app = w.agent().app("web").unwrap();
    let op = app.status.operation_state.as_ref().unwrap();
    assert_eq!(op.phase.to_string(), "Succeeded", "{}", op.message);
    assert!(w.cluster().store.get(&ObjectKey::new("apps", "Deployment", "prod", "first")).is_none());
    assert!(w.cluster().store.get(&ObjectKey::new("apps", "Deployment", "prod", "second")).is_none());
}

#[test]
fn sleep_bounds_the_duration_not_the_number() {
    let mut w = drift();
    let start = w.now();
    for arg in ["70d", "604800m", "1000000000000s"] {
        let (text, code) = cmd(&mut w, &format!("sleep {arg}"));
        assert_eq!(code, 1);
        assert_eq!(text, format!("sleep: '{arg}' is longer than this terminal lets time jump at once (7 days of simulated time)\n"));
    }
    assert_eq!(w.now(), start);
    assert_eq!(cmd(&mut w, "sleep 7d").1, 0);
    assert_eq!(w.now(), start + SimDuration::secs(7 * 86_400));
    assert_eq!(cmd(&mut w, "sleep 2x").0, "sleep: invalid time interval '2x'\nTry 'sleep --help' for more information.\n");
}
