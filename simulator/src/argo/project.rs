//! AppProjects: which repos an app may use, where it may deploy, and which
//! kinds it may manage.

use serde_json::Value;

use super::app::AppSpec;
use super::rbac::glob;
use crate::kube::{resource_type_for, split_api_version};

/// The parts of an AppProject the agent enforces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    pub name: String,
    pub description: String,
    pub source_repos: Vec<String>,
    pub destinations: Vec<(String, String)>,
    pub cluster_whitelist: Vec<(String, String)>,
    pub cluster_blacklist: Vec<(String, String)>,
    /// `None` (absent) allows every namespaced kind; an empty list allows none.
    pub namespace_whitelist: Option<Vec<(String, String)>>,
    pub namespace_blacklist: Vec<(String, String)>,
}

fn group_kinds(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(|items| {
            items.iter().map(|i| (i["group"].as_str().unwrap_or("").to_string(), i["kind"].as_str().unwrap_or("").to_string())).collect()
        })
        .unwrap_or_default()
}

impl Project {
    /// The built-in `default` project: every repo, destination and kind.
    pub fn default_project() -> Project {
        Project {
            name: "default".into(),
            description: String::new(),
            source_repos: vec!["*".into()],
            destinations: vec![("*".into(), "*".into())],
            cluster_whitelist: vec![("*".into(), "*".into())],
            cluster_blacklist: vec![],
            namespace_whitelist: None,
            namespace_blacklist: vec![],
        }
    }

    pub fn from_object(obj: &Value) -> Project {
        let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
        Project {
            name: crate::kube::meta::name(obj).to_string(),
            description: spec["description"].as_str().unwrap_or("").to_string(),
            source_repos: spec["sourceRepos"]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            destinations: spec["destinations"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|d| {
                            (
                                d["server"].as_str().or(d["name"].as_str()).unwrap_or("").to_string(),
                                d["namespace"].as_str().unwrap_or("").to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            cluster_whitelist: group_kinds(spec.get("clusterResourceWhitelist")),
            cluster_blacklist: group_kinds(spec.get("clusterResourceBlacklist")),
            namespace_whitelist: spec.get("namespaceResourceWhitelist").map(|v| group_kinds(Some(v))),
            namespace_blacklist: group_kinds(spec.get("namespaceResourceBlacklist")),
        }
    }

    /// The InvalidSpecError message when the app's source or destination is not allowed.
    pub fn check_app(&self, app: &AppSpec) -> Option<String> {
        if !self.source_repos.iter().any(|r| glob(r, &app.repo_url)) {
            return Some(format!("application repo {} is not permitted in project '{}'", app.repo_url, self.name));
        }
        if !self.destinations.iter().any(|(server, ns)| glob(server, &app.dest_server) && glob(ns, &app.dest_namespace)) {
            return Some(format!(
                "application destination server '{}' and namespace '{}' do not match any of the allowed destinations in project '{}'",
                app.dest_server, app.dest_namespace, self.name
            ));
        }
        None
    }

    /// Whether the project lets its apps manage objects of this kind.
    pub fn permits(&self, obj: &Value) -> bool {
        let (group, _) = split_api_version(obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""));
        let kind = crate::kube::meta::kind(obj);
        let matches = |list: &[(String, String)]| list.iter().any(|(g, k)| glob(g, group) && glob(k, kind));
        let namespaced = resource_type_for(group, kind).is_none_or(|r| r.namespaced);
        if namespaced {
            let whitelisted = self.namespace_whitelist.as_ref().is_none_or(|w| matches(w));
            whitelisted && !matches(&self.namespace_blacklist)
        } else {
            // An empty cluster whitelist denies every cluster-scoped kind.
            matches(&self.cluster_whitelist) && !matches(&self.cluster_blacklist)
        }
    }
}
