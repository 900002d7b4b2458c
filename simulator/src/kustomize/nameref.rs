//! Name references: once names are final, every field that named an object
//! by an earlier name is rewritten to its new one (ConfigMaps and Secrets in
//! pod specs, ServiceAccounts, Roles, Services, claims, scale targets).

use serde_json::Value;

use super::Res;
use super::scope::cluster_scoped;

struct Rename {
    kind: String,
    old_names: Vec<String>,
    new_name: String,
    namespace: String,
}

pub fn fix(resources: &mut [Res]) {
    let renames: Vec<Rename> = resources
        .iter()
        .filter(|r| !r.previous.is_empty())
        .map(|r| Rename {
            kind: r.kind().to_string(),
            old_names: r.previous.iter().map(|(n, _)| n.clone()).filter(|n| n != r.name()).collect(),
            new_name: r.name().to_string(),
            namespace: r.namespace().to_string(),
        })
        .collect();
    for res in resources.iter_mut() {
        let referrer_ns = res.namespace().to_string();
        let referrer_cluster = cluster_scoped(res.kind());
        let kind = res.kind().to_string();
        for rn in &renames {
            let same_ns = referrer_cluster || rn.kind == "ServiceAccount" || cluster_scoped(&rn.kind) || rn.namespace == referrer_ns;
            if !same_ns {
                continue;
            }
            let swap = |v: &mut Value| {
                if let Some(s) = v.as_str() {
                    if rn.old_names.iter().any(|o| o == s) {
                        *v = Value::String(rn.new_name.clone());
                    }
                }
            };
            rewrite(&mut res.obj, &kind, rn, swap);
        }
    }
}

fn pod_spec<'a>(obj: &'a mut Value, kind: &str) -> Option<&'a mut Value> {
    match kind {
        "Pod" => obj.get_mut("spec"),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "ReplicationController" => {
            obj.pointer_mut("/spec/template/spec")
        }
        "CronJob" => obj.pointer_mut("/spec/jobTemplate/spec/template/spec"),
        "PodTemplate" => obj.pointer_mut("/template/spec"),
        _ => None,
    }
}

fn each<'a>(v: Option<&'a mut Value>) -> impl Iterator<Item = &'a mut Value> {
    v.and_then(Value::as_array_mut).into_iter().flatten()
}

fn rewrite(obj: &mut Value, kind: &str, rn: &Rename, mut swap: impl FnMut(&mut Value)) {
    let target = rn.kind.as_str();
    if let Some(spec) = pod_spec(obj, kind) {
        for containers in ["containers", "initContainers"] {
            for c in each(spec.get_mut(containers)) {
                for e in each(c.get_mut("env")) {
                    let path = match target {
                        "ConfigMap" => "/valueFrom/configMapKeyRef/name",
                        "Secret" => "/valueFrom/secretKeyRef/name",
                        _ => continue,
                    };
                    if let Some(v) = e.pointer_mut(path) {
                        swap(v);
                    }
                }
                for e in each(c.get_mut("envFrom")) {
                    let path = match target {
                        "ConfigMap" => "/configMapRef/name",
                        "Secret" => "/secretRef/name",
                        _ => continue,
                    };
                    if let Some(v) = e.pointer_mut(path) {
                        swap(v);
                    }
                }
            }
        }
        for vol in each(spec.get_mut("volumes")) {
            let path = match target {
                "ConfigMap" => "/configMap/name",
                "Secret" => "/secret/secretName",
                "PersistentVolumeClaim" => "/persistentVolumeClaim/claimName",
                _ => "",
            };
            if !path.is_empty() {
                if let Some(v) = vol.pointer_mut(path) {
                    swap(v);
                }
            }
            for src in each(vol.pointer_mut("/projected/sources")) {
                let p = match target {
                    "ConfigMap" => "/configMap/name",
                    "Secret" => "/secret/name",
                    _ => continue,
                };
                if let Some(v) = src.pointer_mut(p) {
                    swap(v);
                }
            }
        }
        if target == "Secret" {
            for s in each(spec.get_mut("imagePullSecrets")) {
                if let Some(v) = s.get_mut("name") {
                    swap(v);
                }
            }
        }
        if target == "ServiceAccount" {
            for field in ["serviceAccountName", "serviceAccount"] {
                if let Some(v) = spec.get_mut(field) {
                    swap(v);
                }
            }
        }
    }
    match (kind, target) {
        ("Role" | "ClusterRole", "ConfigMap" | "Secret") => {
            for rule in each(obj.get_mut("rules")) {
                for n in each(rule.get_mut("resourceNames")) {
                    swap(n);
                }
            }
        }
        ("RoleBinding" | "ClusterRoleBinding", "Role" | "ClusterRole") => {
            if obj.pointer("/roleRef/kind").and_then(Value::as_str) == Some(target) {
                if let Some(v) = obj.pointer_mut("/roleRef/name") {
                    swap(v);
                }
            }
        }
        ("RoleBinding" | "ClusterRoleBinding", "ServiceAccount") => {
            for s in each(obj.get_mut("subjects")) {
                if s.get("kind").and_then(Value::as_str) == Some("ServiceAccount") {
                    let before = s.get("name").cloned();
                    if let Some(v) = s.get_mut("name") {
                        swap(v);
                    }
                    if s.get("name") != before.as_ref() && !rn.namespace.is_empty() {
                        s["namespace"] = Value::String(rn.namespace.clone());
                    }
                }
            }
        }
        ("ServiceAccount", "Secret") => {
            for s in each(obj.get_mut("imagePullSecrets")) {
                if let Some(v) = s.get_mut("name") {
                    swap(v);
                }
            }
        }
        ("StatefulSet", "Service") => {
            if let Some(v) = obj.pointer_mut("/spec/serviceName") {
                swap(v);
            }
        }
        ("Ingress", "Service") => {
            if let Some(v) = obj.pointer_mut("/spec/defaultBackend/service/name") {
                swap(v);
            }
            for rule in each(obj.pointer_mut("/spec/rules")) {
                for path in each(rule.pointer_mut("/http/paths")) {
                    for p in ["/backend/service/name", "/backend/serviceName"] {
                        if let Some(v) = path.pointer_mut(p) {
                            swap(v);
                        }
                    }
                }
            }
        }
        ("Ingress", "Secret") => {
            for tls in each(obj.pointer_mut("/spec/tls")) {
                if let Some(v) = tls.get_mut("secretName") {
                    swap(v);
                }
            }
        }
        ("ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration", "Service") => {
            for w in each(obj.get_mut("webhooks")) {
                let before = w.pointer("/clientConfig/service/name").cloned();
                if let Some(v) = w.pointer_mut("/clientConfig/service/name") {
                    swap(v);
                }
                // A rewritten service reference also follows the service's namespace.
                if w.pointer("/clientConfig/service/name") != before.as_ref() && !rn.namespace.is_empty() {
                    if let Some(svc) = w.pointer_mut("/clientConfig/service").and_then(Value::as_object_mut) {
                        svc.insert("namespace".into(), Value::String(rn.namespace.clone()));
                    }
                }
            }
        }
        ("APIService", "Service") => {
            if let Some(v) = obj.pointer_mut("/spec/service/name") {
                swap(v);
            }
        }
        ("HorizontalPodAutoscaler", "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController") => {
            if obj.pointer("/spec/scaleTargetRef/kind").and_then(Value::as_str) == Some(target) {
                if let Some(v) = obj.pointer_mut("/spec/scaleTargetRef/name") {
                    swap(v);
                }
            }
        }
        _ => {}
    }
}
