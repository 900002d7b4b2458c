//! The resource types a session serves: the simulator's, the few only an API
//! host needs (events, CRDs, access reviews), and those its CRDs define.

use serde_json::Value;
use simulator::kube::{RESOURCE_TYPES, ResourceType};

/// Types served only by the API host.
pub const HOST_TYPES: &[ResourceType] = &[
    ResourceType { group: "", version: "v1", kind: "Event", plural: "events", singular: "event", short_names: &["ev"], namespaced: true },
    ResourceType {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        singular: "customresourcedefinition",
        short_names: &["crd", "crds"],
        namespaced: false,
    },
    ResourceType {
        group: "authorization.k8s.io",
        version: "v1",
        kind: "SelfSubjectAccessReview",
        plural: "selfsubjectaccessreviews",
        singular: "selfsubjectaccessreview",
        short_names: &[],
        namespaced: false,
    },
];

/// Every type the session serves, in discovery order (core first, then by group).
#[derive(Clone, Debug)]
pub struct Registry {
    pub types: Vec<ResourceType>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry { types: RESOURCE_TYPES.iter().chain(HOST_TYPES).copied().collect() }
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

impl Registry {
    /// The type served at `group`/`version` under `plural`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.types.iter().find(|t| t.group == group && t.version == version && t.plural == plural).copied()
    }

    /// The groups with their versions, in order of first appearance.
    pub fn groups(&self) -> Vec<(&'static str, Vec<&'static str>)> {
        let mut out: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
        for t in &self.types {
            match out.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, versions)) if !versions.contains(&t.version) => versions.push(t.version),
                Some(_) => {}
                None => out.push((t.group, vec![t.version])),
            }
        }
        out
    }

    /// Registers the types a CustomResourceDefinition defines (each of its served versions).
    /// Returns whether anything new is served. A type the simulator already serves is kept as is.
    pub fn register_crd(&mut self, crd: &Value) -> bool {
        let spec = &crd["spec"];
        let (Some(group), Some(kind), Some(plural)) =
            (spec["group"].as_str(), spec["names"]["kind"].as_str(), spec["names"]["plural"].as_str())
        else {
            return false;
        };
        let singular = spec["names"]["singular"].as_str().map(String::from).unwrap_or_else(|| kind.to_ascii_lowercase());
        let namespaced = spec["scope"].as_str() != Some("Cluster");
        let short: Vec<&'static str> =
            spec["names"]["shortNames"].as_array().into_iter().flatten().filter_map(Value::as_str).map(leak).collect();
        let mut added = false;
        for v in spec["versions"].as_array().into_iter().flatten() {
            let Some(version) = v["name"].as_str() else { continue };
            if v["served"] == false || self.find(group, version, plural).is_some() {
                continue;
            }
            self.types.push(ResourceType {
                group: leak(group),
                version: leak(version),
                kind: leak(kind),
                plural: leak(plural),
                singular: leak(&singular),
                short_names: Box::leak(short.clone().into_boxed_slice()),
                namespaced,
            });
            added = true;
        }
        added
    }
}

/// The verbs a type serves.
pub fn verbs(t: &ResourceType) -> Vec<&'static str> {
    match t.kind {
        "SelfSubjectAccessReview" => vec!["create"],
        _ => vec!["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    }
}

/// The subresources a type serves: (name, group, version, kind, verbs).
pub fn subresources(t: &ResourceType) -> Vec<(&'static str, &'static str, &'static str, &'static str, Vec<&'static str>)> {
    let mut out = Vec::new();
    if matches!(t.kind, "Deployment" | "ReplicaSet" | "StatefulSet") {
        out.push(("scale", "autoscaling", "v1", "Scale", vec!["get", "patch", "update"]));
    }
    if t.kind == "Pod" && t.group.is_empty() {
        out.push(("log", "", "v1", "Pod", vec!["get"]));
    }
    if !matches!(t.kind, "ConfigMap" | "Secret" | "ServiceAccount" | "Event" | "SelfSubjectAccessReview") {
        out.push(("status", t.group, t.version, t.kind, vec!["get", "patch", "update"]));
    }
    out
}

/// The categories (`kubectl get all`) a type belongs to.
pub fn categories(t: &ResourceType) -> Vec<&'static str> {
    match (t.group, t.kind) {
        ("", "Pod" | "Service") | ("apps", _) | ("batch", _) | ("autoscaling", _) => vec!["all"],
        _ => vec![],
    }
}
