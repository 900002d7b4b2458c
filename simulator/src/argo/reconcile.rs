//! Reconciliation as pure functions, for a host that drives a real cluster
//! (`gitops-lab agent` with the `kube` feature): which rendered objects an agent
//! confined to one namespace may apply, what is out of sync with the live
//! objects, what it tracks and may prune, and the app's health. The host does
//! the IO (Git, the Kubernetes API); these functions decide, with the same
//! render, diff, health and apply order as the simulated agent.

use serde_json::Value;
use std::collections::BTreeSet;

use super::app::IgnoreDifference;
use super::diff::is_synced_ignoring;
use super::health::{self, Assessment, Health};
use super::render::{TRACKING_ID, tracking_id};
use super::sync::{apply_order_key, is_hook};
use crate::kube::{ObjectKey, meta};

/// What an agent confined to one namespace must refuse before it writes anything.
///
/// `namespaced(group, kind)` says whether a kind is namespaced (`None` when the
/// cluster does not serve the kind; kustomize's list of cluster-scoped kinds then
/// still names the well-known ones). Every problem is reported, one a line.
pub fn check_scope(desired: &[Value], namespace: &str, namespaced: impl Fn(&str, &str) -> Option<bool>) -> Result<(), String> {
    let mut problems = Vec::new();
    for obj in desired {
        let Some(key) = ObjectKey::of(obj) else {
            problems.push("an object without kind or metadata.name cannot be applied".to_string());
            continue;
        };
        let what = describe(&key);
        // A kind the cluster does not serve may still be one kustomize knows as cluster-scoped.
        let scope = namespaced(&key.group, &key.kind).or_else(|| crate::kustomize::scope::cluster_scoped(&key.kind).then_some(false));
        match scope {
            None => problems.push(format!("{what}: the cluster does not serve this kind (is its CustomResourceDefinition installed?)")),
            Some(false) => problems.push(format!(
                "{what} is cluster-scoped: the agent applies namespaced objects in namespace \"{namespace}\" only (apply it yourself with cluster-wide rights, or remove it from the path)"
            )),
            Some(true) if !key.namespace.is_empty() && key.namespace != namespace => problems.push(format!(
                "{what} names namespace \"{}\": the agent applies in namespace \"{namespace}\" only (remove metadata.namespace or set it to \"{namespace}\")",
                key.namespace
            )),
            Some(true) => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// `Deployment apps/web`, `ConfigMap settings`: how the agent names an object in its messages.
pub fn describe(key: &ObjectKey) -> String {
    if key.group.is_empty() { format!("{} {}", key.kind, key.name) } else { format!("{} {}/{}", key.kind, key.group, key.name) }
}

/// Sets each namespaced object's namespace to `namespace` and stamps the tracking id,
/// as Argo CD does for its destination namespace.
pub fn place_in_namespace(app: &str, desired: &mut [Value], namespace: &str) {
    for obj in desired.iter_mut() {
        if meta::namespace(obj).is_empty() {
            meta::ensure_map(obj, &["metadata"]).insert("namespace".into(), Value::String(namespace.to_string()));
        }
        let id = tracking_id(app, obj);
        meta::set_annotation(obj, TRACKING_ID, &id);
    }
}

/// Whether `obj` carries this app's tracking id for itself (a copied annotation does not count).
pub fn is_tracked_by(app: &str, obj: &Value) -> bool {
    meta::annotation(obj, TRACKING_ID).is_some_and(|id| id == tracking_id(app, obj))
}

/// What one pass of the agent should do.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// Objects missing or out of sync, in apply order (wave, kind, name).
    pub apply: Vec<Value>,
    /// Live objects this app tracks that the source no longer has, in reverse apply order.
    pub prune: Vec<ObjectKey>,
    /// Objects already in sync.
    pub synced: Vec<ObjectKey>,
    /// Hooks in the source, which this agent does not run.
    pub skipped_hooks: Vec<ObjectKey>,
}

impl Plan {
    /// Whether the cluster matches the source, leaving pruning aside when it is off.
    pub fn in_sync(&self, prune: bool) -> bool {
        self.apply.is_empty() && (!prune || self.prune.is_empty())
    }
}

/// Compares `desired` (placed in its namespace) with `live` (whatever the host listed:
/// objects this app does not track are never pruned).
pub fn plan(app: &str, desired: &[Value], live: &[Value], ignores: &[IgnoreDifference]) -> Plan {
    let mut out = Plan::default();
    let mut wanted = BTreeSet::new();
    let mut apply: Vec<&Value> = Vec::new();
    for obj in desired {
        let Some(key) = ObjectKey::of(obj) else { continue };
        if is_hook(obj) {
            out.skipped_hooks.push(key);
            continue;
        }
        wanted.insert(key.clone());
        match live.iter().find(|l| ObjectKey::of(l).as_ref() == Some(&key)) {
            Some(l) if is_synced_ignoring(obj, l, ignores) => out.synced.push(key),
            _ => apply.push(obj),
        }
    }
    apply.sort_by_key(|o| (apply_order_key(o), meta::name(o).to_string()));
    out.apply = apply.into_iter().cloned().collect();
    let mut prune: Vec<&Value> = live
        .iter()
        .filter(|l| is_tracked_by(app, l) && !meta::is_terminating(l))
        .filter(|l| ObjectKey::of(l).is_some_and(|k| !wanted.contains(&k)))
        .collect();
    prune.sort_by_key(|o| (apply_order_key(o), meta::name(o).to_string()));
    out.prune = prune.into_iter().rev().filter_map(ObjectKey::of).collect();
    out
}

/// The app's health from the live objects it tracks: the worst of theirs, Missing
/// when a desired object is not live, with each object's assessment.
pub fn app_health(desired: &[Value], live: &[Value]) -> (Health, Vec<(ObjectKey, Assessment)>) {
    let mut each = Vec::new();
    let mut missing = false;
    for obj in desired.iter().filter(|o| !is_hook(o)) {
        let Some(key) = ObjectKey::of(obj) else { continue };
        match live.iter().find(|l| ObjectKey::of(l).as_ref() == Some(&key)) {
            Some(l) => {
                if let Some(a) = health::health(l) {
                    each.push((key, a));
                }
            }
            None => missing = true,
        }
    }
    let worst = health::aggregate(each.iter().map(|(_, a)| Some(a)), !desired.is_empty() && !live.is_empty());
    let overall = if missing { worst.max(Health::Missing) } else { worst };
    (overall, each)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(name: &str, replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
               "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    }

    fn config_map(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}})
    }

    fn builtin(group: &str, kind: &str) -> Option<bool> {
        crate::kube::resource_type_for(group, kind).map(|rt| rt.namespaced)
    }

    fn placed(objs: Vec<Value>) -> Vec<Value> {
        let mut objs = objs;
        place_in_namespace("web", &mut objs, "demo");
        objs
    }

    #[test]
    fn cluster_scoped_other_namespace_and_unknown_kinds_are_refused_with_every_reason() {
        let ok = placed(vec![deployment("web", 2), config_map("settings")]);
        assert_eq!(check_scope(&ok, "demo", builtin), Ok(()));
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "reader"}});
        let elsewhere = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "prod"}});
        let custom = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
        let err = check_scope(&[role, elsewhere, custom], "demo", builtin).unwrap_err();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 3, "{err}");
        assert!(lines[0].starts_with("ClusterRole rbac.authorization.k8s.io/reader is cluster-scoped"), "{err}");
        assert!(lines[1].contains("ConfigMap x names namespace \"prod\""), "{err}");
        assert!(lines[2].contains("Widget example.com/w: the cluster does not serve this kind"), "{err}");
    }

    #[test]
    fn plan_applies_missing_and_drifted_objects_in_kind_order_and_prunes_only_tracked_ones() {
        let desired = placed(vec![deployment("web", 2), config_map("settings")]);
        let nothing_live = plan("web", &desired, &[], &[]);
        let order: Vec<&str> = nothing_live.apply.iter().map(meta::kind).collect();
        assert_eq!(order, vec!["ConfigMap", "Deployment"]);
        assert!(!nothing_live.in_sync(true));

        // Live: the ConfigMap as desired, the Deployment scaled by hand, an old tracked
        // ConfigMap, and one nobody tracks (or whose annotation was copied from another object).
        let mut scaled = desired[0].clone();
        scaled["spec"]["replicas"] = json!(5);
        let mut old = placed(vec![config_map("old")]).remove(0);
        old["metadata"]["uid"] = json!("1");
        let stranger = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stranger", "namespace": "demo"}});
        let mut copied = stranger.clone();
        copied["metadata"]["name"] = json!("copied");
        meta::set_annotation(&mut copied, TRACKING_ID, &tracking_id("web", &old));
        let live = vec![scaled, desired[1].clone(), old, stranger, copied];
        let p = plan("web", &desired, &live, &[]);
        assert_eq!(p.apply.len(), 1);
        assert_eq!(p.apply[0]["spec"]["replicas"], json!(2));
        assert_eq!(p.synced, vec![ObjectKey::new("", "ConfigMap", "demo", "settings")]);
        assert_eq!(p.prune, vec![ObjectKey::new("", "ConfigMap", "demo", "old")]);
        assert!(!p.in_sync(false));
    }

    #[test]
    fn server_defaults_are_not_drift_and_ignored_fields_are_not_compared() {
        let desired = placed(vec![deployment("web", 2)]);
        // The live object as the API server keeps it: defaulted, with server-set fields.
        let mut live = desired[0].clone();
        crate::kube::defaults::apply(&mut live, &mut crate::rng::SimRng::new(3));
        assert!(live["spec"].get("strategy").is_some(), "the API server's defaults are there");
        live["metadata"]["resourceVersion"] = json!("12");
        live["status"] = json!({"replicas": 2});
        assert!(plan("web", &desired, std::slice::from_ref(&live), &[]).in_sync(true));
        live["spec"]["replicas"] = json!(7);
        let ignore = IgnoreDifference {
            group: "apps".into(),
            kind: "Deployment".into(),
            json_pointers: vec!["/spec/replicas".into()],
            ..Default::default()
        };
        assert!(plan("web", &desired, std::slice::from_ref(&live), &[ignore]).in_sync(true));
        assert!(!plan("web", &desired, &[live], &[]).in_sync(true));
    }

    #[test]
    fn health_is_missing_until_every_object_is_live_then_the_worst_of_them() {
        let desired = placed(vec![deployment("web", 2), config_map("settings")]);
        assert_eq!(app_health(&desired, &[]).0, Health::Missing);
        assert_eq!(app_health(&desired, &desired[1..]).0, Health::Missing);
        let mut rolling = desired[0].clone();
        rolling["metadata"]["generation"] = json!(2);
        rolling["status"] = json!({"observedGeneration": 1});
        let (overall, each) = app_health(&desired, &[rolling, desired[1].clone()]);
        assert_eq!(overall, Health::Progressing);
        assert_eq!(each.len(), 1);
    }
}
