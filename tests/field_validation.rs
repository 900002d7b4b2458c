//! Server-side field validation (`src/kubeapi/field_validation.rs`): unknown fields found
//! against Kubernetes 1.33's types, in the API server's words, for each directive.

use gitops_lab::kubeapi::field_validation::*;
use simulator::kube::ResourceType;

use serde_json::json;

fn deployments() -> &'static ResourceType {
    simulator::kube::resource_type("deployments").unwrap()
}

#[test]
fn a_misspelt_field_is_unknown_with_its_full_path() {
    let obj = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "replicass": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx", "imagePullPolicyy": "Always"}]}}
    }});
    assert_eq!(
        unknown_fields(deployments(), &obj),
        vec![
            "unknown field \"spec.replicass\"".to_string(),
            "unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"".to_string()
        ]
    );
    assert_eq!(
        body_refused(deployments(), &unknown_fields(deployments(), &obj)).message,
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicass\", unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""
    );
}

#[test]
fn a_valid_object_with_nulls_and_int_or_strings_has_no_unknown_field() {
    let obj = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "creationTimestamp": null, "labels": {}},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081}]}});
    assert!(unknown_fields(simulator::kube::resource_type("services").unwrap(), &obj).is_empty());
}

#[test]
fn warn_and_ignore_drop_unknown_fields_and_strict_refuses_them() {
    let rt = simulator::kube::resource_type("configmaps").unwrap();
    let given =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labelz": {"a": "b"}}, "data": {"k": "v"}, "extra": 1});
    let mut warned = given.clone();
    let warnings = enforce(rt, &mut warned, None, Directive::Warn, |e| body_refused(rt, e)).unwrap();
    assert_eq!(warnings, vec!["unknown field \"extra\"".to_string(), "unknown field \"metadata.labelz\"".to_string()]);
    assert_eq!(warned, json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}));
    let mut ignored = given.clone();
    assert!(enforce(rt, &mut ignored, None, Directive::Ignore, |e| body_refused(rt, e)).unwrap().is_empty());
    assert_eq!(ignored, warned);
    let mut strict = given.clone();
    let refused = enforce(rt, &mut strict, None, Directive::Strict, |e| body_refused(rt, e)).unwrap_err();
    assert_eq!(refused.code, 400);
    assert_eq!(strict, given, "a refused body is left as it came");
    let mut patched = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "extra": 1, "data": {"k": "v2"}});
    let live = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "extra": 1});
    assert!(
        enforce(rt, &mut patched, Some(&live), Directive::Strict, |e| body_refused(rt, e)).is_ok(),
        "unknown fields the stored object already had are not the request's"
    );
    assert_eq!(warnings_header(&warnings)[0], "299 - \"unknown field \\\"extra\\\"\"");
}

#[test]
fn custom_resources_are_not_checked() {
    let obj = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"}, "spec": {"anything": 1}});
    assert!(unknown_fields(simulator::kube::resource_type("applications").unwrap(), &obj).is_empty());
}

#[test]
fn a_patch_is_printed_as_go_prints_a_map() {
    let patch = json!({"spec": {"replicass": 3, "template": {"metadata": {"annotations": {"note": "say \"hi\""}}}}, "metadata": {"labels": ["a", "b"]}});
    let status = patch_refused(&go_format(&patch), &["unknown field \"spec.replicass\"".to_string()]);
    assert_eq!(status.code, 422);
    assert_eq!(
        status.message,
        " \"\" is invalid: patch: Invalid value: \"map[metadata:map[labels:[a b]] spec:map[replicass:3 template:map[metadata:map[annotations:map[note:say \\\"hi\\\"]]]]]\": strict decoding error: unknown field \"spec.replicass\""
    );
}

#[test]
fn the_directive_is_read_as_the_api_server_reads_it() {
    assert_eq!(Directive::parse(None, "CreateOptions").unwrap(), Directive::Warn);
    assert_eq!(Directive::parse(Some("Strict"), "CreateOptions").unwrap(), Directive::Strict);
    let refused = Directive::parse(Some("strict"), "PatchOptions").unwrap_err();
    assert_eq!(
        refused.message,
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldValidation: Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\""
    );
}
