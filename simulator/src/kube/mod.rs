//! The Kubernetes model: objects, their kinds, and an API-server-like store.

pub mod api;
pub mod apply;
pub mod defaults;
pub mod meta;
pub mod printers;
mod printers_jobs;
pub mod schema;
pub mod store;

pub use meta::ObjectKey;
pub use store::{ApiError, Store, WatchEvent, WatchEventType};

/// What the simulator knows about one resource type, as discovery would tell kubectl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceType {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
}

impl ResourceType {
    /// `deployment.apps` or `service`: the prefix kubectl prints before `/<name>`.
    pub fn kubectl_name(&self) -> String {
        if self.group.is_empty() { self.singular.to_string() } else { format!("{}.{}", self.singular, self.group) }
    }

    /// `deployments.apps`, as the API server names the resource in errors.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() { self.plural.to_string() } else { format!("{}.{}", self.plural, self.group) }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.to_string() } else { format!("{}/{}", self.group, self.version) }
    }
}

macro_rules! rt {
    ($group:expr, $version:expr, $kind:expr, $plural:expr, $singular:expr, [$($short:expr),*], $namespaced:expr) => {
        ResourceType { group: $group, version: $version, kind: $kind, plural: $plural, singular: $singular, short_names: &[$($short),*], namespaced: $namespaced }
    };
}

/// The resource types the simulated API server serves.
pub const RESOURCE_TYPES: &[ResourceType] = &[
    rt!("", "v1", "Pod", "pods", "pod", ["po"], true),
    rt!("", "v1", "Service", "services", "service", ["svc"], true),
    rt!("", "v1", "ConfigMap", "configmaps", "configmap", ["cm"], true),
    rt!("", "v1", "Secret", "secrets", "secret", [], true),
    rt!("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", ["sa"], true),
    rt!("", "v1", "Namespace", "namespaces", "namespace", ["ns"], false),
    rt!("", "v1", "Node", "nodes", "node", ["no"], false),
    rt!("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", ["pvc"], true),
    rt!("apps", "v1", "Deployment", "deployments", "deployment", ["deploy"], true),
    rt!("apps", "v1", "ReplicaSet", "replicasets", "replicaset", ["rs"], true),
    rt!("apps", "v1", "StatefulSet", "statefulsets", "statefulset", ["sts"], true),
    rt!("apps", "v1", "DaemonSet", "daemonsets", "daemonset", ["ds"], true),
    rt!("batch", "v1", "Job", "jobs", "job", [], true),
    rt!("batch", "v1", "CronJob", "cronjobs", "cronjob", ["cj"], true),
    rt!("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", ["hpa"], true),
    rt!("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", ["ing"], true),
    rt!("argoproj.io", "v1alpha1", "Application", "applications", "application", ["app", "apps"], true),
    rt!("argoproj.io", "v1alpha1", "ApplicationSet", "applicationsets", "applicationset", ["appset", "appsets"], true),
    rt!("argoproj.io", "v1alpha1", "AppProject", "appprojects", "appproject", ["appproj", "appprojs"], true),
    rt!("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories", "gitrepository", ["gitrepo"], true),
    rt!("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations", "kustomization", ["ks"], true),
    rt!("bitnami.com", "v1alpha1", "SealedSecret", "sealedsecrets", "sealedsecret", [], true),
    rt!("argocd-image-updater.argoproj.io", "v1alpha1", "ImageUpdater", "imageupdaters", "imageupdater", [], true),
];

/// Finds a resource type by any name kubectl accepts: plural, singular, short name,
/// kind, or any of those qualified by group (`deployments.apps`).
pub fn resource_type(name: &str) -> Option<&'static ResourceType> {
    let lower = name.to_ascii_lowercase();
    let (base, group) = match lower.split_once('.') {
        Some((b, g)) => (b.to_string(), Some(g.to_string())),
        None => (lower.clone(), None),
    };
    RESOURCE_TYPES.iter().find(|rt| {
        let names_match =
            rt.plural == base || rt.singular == base || rt.short_names.contains(&base.as_str()) || rt.kind.to_ascii_lowercase() == base;
        names_match && group.as_deref().is_none_or(|g| g == rt.group)
    })
}

/// Finds a resource type by its group and kind.
pub fn resource_type_for(group: &str, kind: &str) -> Option<&'static ResourceType> {
    RESOURCE_TYPES.iter().find(|rt| rt.group == group && rt.kind == kind)
}

/// Splits an `apiVersion` such as `apps/v1` into group and version.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_types_by_every_name_kubectl_accepts() {
        for name in ["deploy", "deployment", "deployments", "Deployment", "deployments.apps"] {
            assert_eq!(resource_type(name).map(|r| r.kind), Some("Deployment"), "{name}");
        }
        assert_eq!(resource_type("po").map(|r| r.kind), Some("Pod"));
        assert_eq!(resource_type("deployments.batch"), None);
        assert_eq!(resource_type("widgets"), None);
        assert_eq!(resource_type("deploy").unwrap().kubectl_name(), "deployment.apps");
    }
}
