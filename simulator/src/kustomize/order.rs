//! Output order: kustomize's legacy kind order (the CLI's default), FIFO, or
//! a legacy order with custom first and last kinds.

use serde_json::Value;
use std::cmp::Ordering;

use super::Res;

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

pub fn sort(resources: &mut [Res], options: Option<&Value>) {
    let order = options.and_then(|o| o.get("order")).and_then(Value::as_str).unwrap_or("legacy");
    if order == "fifo" {
        return;
    }
    let strings = |k: &str| -> Option<Vec<String>> {
        options?.get("legacySortOptions")?.get(k)?.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
    };
    let first = strings("orderFirst").unwrap_or_else(|| ORDER_FIRST.iter().map(|s| s.to_string()).collect());
    let last = strings("orderLast").unwrap_or_else(|| ORDER_LAST.iter().map(|s| s.to_string()).collect());
    let rank = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return i as i64 + 1;
        }
        0
    };
    resources.sort_by(|a, b| {
        let (ra, rb) = (rank(a.kind()), rank(b.kind()));
        if ra != rb {
            return ra.cmp(&rb);
        }
        let gvk = |r: &Res| {
            let (g, v) = crate::kube::split_api_version(r.obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""));
            let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
            (or(g, "~G"), or(v, "~V"), or(r.kind(), "~K"))
        };
        let (ga, gb) = (gvk(a), gvk(b));
        if ga != gb {
            return format!("{}_{}_{}", ga.0, ga.1, ga.2).cmp(&format!("{}_{}_{}", gb.0, gb.1, gb.2));
        }
        let id = |r: &Res| {
            let ns = if r.namespace().is_empty() { "~X".to_string() } else { r.namespace().to_string() };
            let name = if r.name().is_empty() { "~N".to_string() } else { r.name().to_string() };
            format!("{}|{name}", ns)
        };
        id(a).cmp(&id(b)).then(Ordering::Equal)
    });
}
