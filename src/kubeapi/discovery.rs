//! Discovery as kubectl 1.33 reads it: `/version`, `/api`, `/apis` (plain and
//! aggregated, `apidiscovery.k8s.io/v2`), the per-version resource lists, and
//! a minimal `/openapi/v3` that declares `fieldValidation` on PATCH.

use serde_json::{Value, json};

use super::types::{Registry, categories, subresources, verbs};

/// The content type of aggregated discovery; kubectl ignores any other for it.
pub const AGGREGATED_CONTENT_TYPE: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": "v1.33.3",
        "gitCommit": "80779bd6ff08b451e1c165a338a7b69351e9b0b8",
        "gitTreeState": "clean",
        "buildDate": "2025-07-15T17:59:16Z",
        "goVersion": "go1.24.4",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// Whether a request's Accept header asks for aggregated discovery.
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|media| {
        let params: Vec<&str> = media.split(';').map(str::trim).collect();
        params.contains(&"g=apidiscovery.k8s.io") && params.contains(&"v=v2") && params.contains(&"as=APIGroupDiscoveryList")
    })
}

fn resource_entry(registry: &Registry, group: &str, version: &str) -> Vec<Value> {
    registry
        .types
        .iter()
        .filter(|t| t.group == group && t.version == version)
        .map(|t| {
            let mut r = json!({
                "resource": t.plural,
                "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
                "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
                "singularResource": t.singular,
                "verbs": verbs(t),
            });
            if !t.short_names.is_empty() {
                r["shortNames"] = json!(t.short_names);
            }
            let cats = categories(t);
            if !cats.is_empty() {
                r["categories"] = json!(cats);
            }
            let subs: Vec<Value> = subresources(t)
                .into_iter()
                .map(|(name, g, v, k, verbs)| json!({"subresource": name, "responseKind": {"group": g, "version": v, "kind": k}, "verbs": verbs}))
                .collect();
            if !subs.is_empty() {
                r["subresources"] = Value::Array(subs);
            }
            r
        })
        .collect()
}

/// Aggregated discovery for `/api` (`core`) or `/apis`.
pub fn aggregated(registry: &Registry, core: bool) -> Value {
    let items: Vec<Value> = registry
        .groups()
        .into_iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| json!({"version": v, "resources": resource_entry(registry, g, v), "freshness": "Current"}))
                .collect();
            let metadata = if core { json!({"creationTimestamp": null}) } else { json!({"name": g, "creationTimestamp": null}) };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

/// Plain `/api`.
pub fn api_versions(server_address: &str) -> Value {
    json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]})
}

/// Plain `/apis`.
pub fn api_group_list(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry
        .groups()
        .into_iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, versions)| {
            let vs: Vec<Value> = versions.iter().map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v})).collect();
            json!({"name": g, "versions": vs, "preferredVersion": vs[0]})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/GROUP`.
pub fn api_group(registry: &Registry, group: &str) -> Option<Value> {
    let (_, versions) = registry.groups().into_iter().find(|(g, _)| *g == group && !g.is_empty())?;
    let vs: Vec<Value> = versions.iter().map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v})).collect();
    Some(json!({"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs, "preferredVersion": vs[0]}))
}

/// `/api/v1` or `/apis/GROUP/VERSION`: an APIResourceList.
pub fn resource_list(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types: Vec<_> = registry.types.iter().filter(|t| t.group == group && t.version == version).collect();
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for t in types {
        let mut r = json!({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced, "kind": t.kind, "verbs": verbs(t)});
        if !t.short_names.is_empty() {
            r["shortNames"] = json!(t.short_names);
        }
        let cats = categories(t);
        if !cats.is_empty() {
            r["categories"] = json!(cats);
        }
        resources.push(r);
        for (name, g, v, k, verbs) in subresources(t) {
            resources.push(json!({"name": format!("{}/{name}", t.plural), "singularName": "", "namespaced": t.namespaced, "group": g, "version": v, "kind": k, "verbs": verbs}));
        }
    }
    let gv = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    Some(json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}))
}

/// `/openapi/v3`: one path per group version.
pub fn openapi_index(registry: &Registry) -> Value {
    let mut paths = serde_json::Map::new();
    for (g, versions) in registry.groups() {
        for v in versions {
            let path = if g.is_empty() { format!("api/{v}") } else { format!("apis/{g}/{v}") };
            paths.insert(path.clone(), json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", hash_of(&path))}));
        }
    }
    json!({"paths": paths})
}

fn hash_of(path: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016X}")
}

/// `/openapi/v3/api/v1` or `/openapi/v3/apis/GROUP/VERSION`: each resource's PATCH with its
/// query parameters (`fieldValidation` among them) and group-version-kind; no schemas.
pub fn openapi_group_version(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types: Vec<_> = registry.types.iter().filter(|t| t.group == group && t.version == version).collect();
    if types.is_empty() {
        return None;
    }
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    let mut paths = serde_json::Map::new();
    let param = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    for t in types {
        let path = if t.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", t.plural)
        } else {
            format!("{prefix}/{}/{{name}}", t.plural)
        };
        let gvk = json!({"group": t.group, "version": t.version, "kind": t.kind});
        paths.insert(
            path,
            json!({
                "get": {"operationId": format!("read{}", t.kind), "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk},
                "put": {"operationId": format!("replace{}", t.kind), "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation")], "x-kubernetes-action": "put", "x-kubernetes-group-version-kind": gvk},
                "patch": {"operationId": format!("patch{}", t.kind), "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation"), param("force")], "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk},
                "delete": {"operationId": format!("delete{}", t.kind), "x-kubernetes-action": "delete", "x-kubernetes-group-version-kind": gvk},
            }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.3"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}
