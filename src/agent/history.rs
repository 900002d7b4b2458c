//! The agent's sync history, kept in the namespace it manages: a ConfigMap
//! `gitops-lab-agent-<app>` whose `history` key holds the last syncs as JSON
//! (id, revision, time, resources), as `argocd app history` lists them.
//! Writes carry the resourceVersion they read; on 409 Conflict (someone else
//! wrote in between) the agent reads again and adds its entry to the newer list.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ObjectMeta, PostParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many syncs the ConfigMap keeps (Argo CD's default `revisionHistoryLimit`).
pub const HISTORY_LIMIT: usize = 10;
/// How many times a conflicting write is retried.
const MAX_CONFLICT_RETRIES: usize = 5;

/// One sync, as the history lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: u64,
    pub revision: String,
    pub deployed_at: String,
    /// `deployment.apps/web`-style names of what the sync applied or pruned.
    pub resources: Vec<String>,
    /// `sync` for a new revision, `self-heal` for drift undone, `prune`.
    pub reason: String,
}

/// The ConfigMap's name for `app`.
pub fn config_map_name(app: &str) -> String {
    format!("gitops-lab-agent-{app}")
}

/// The entries a ConfigMap holds (none when its `history` key is missing or unreadable).
pub fn entries(cm: &ConfigMap) -> Vec<Entry> {
    cm.data.as_ref().and_then(|d| d.get("history")).and_then(|h| serde_json::from_str(h).ok()).unwrap_or_default()
}

fn with_entry(mut list: Vec<Entry>, mut entry: Entry) -> Vec<Entry> {
    entry.id = list.iter().map(|e| e.id).max().map_or(0, |m| m + 1);
    list.push(entry);
    let excess = list.len().saturating_sub(HISTORY_LIMIT);
    list.drain(..excess);
    list
}

fn set_entries(cm: &mut ConfigMap, list: &[Entry]) {
    let text = serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
    cm.data.get_or_insert_with(BTreeMap::new).insert("history".into(), text);
}

/// Reads the app's history ConfigMap (`None` when it does not exist yet).
pub async fn load(api: &Api<ConfigMap>, app: &str) -> Result<Option<ConfigMap>, String> {
    api.get_opt(&config_map_name(app))
        .await
        .map_err(|e| super::cluster::explain(&e, "get", &format!("configmaps \"{}\"", config_map_name(app)), api_namespace(api)))
}

fn api_namespace(api: &Api<ConfigMap>) -> &str {
    api.namespace().unwrap_or("")
}

/// Adds `entry` to the history, starting from `read` (the ConfigMap as last read, or `None`
/// when it did not exist). Returns the number of 409 conflicts it met and retried.
pub async fn record(api: &Api<ConfigMap>, app: &str, read: Option<ConfigMap>, entry: Entry) -> Result<usize, String> {
    let name = config_map_name(app);
    let ns = api_namespace(api).to_string();
    let mut current = read;
    let mut conflicts = 0;
    loop {
        let result = match current.take() {
            Some(mut cm) => {
                let list = with_entry(entries(&cm), entry.clone());
                set_entries(&mut cm, &list);
                api.replace(&name, &PostParams { field_manager: Some(super::cluster::FIELD_MANAGER.into()), ..Default::default() }, &cm)
                    .await
            }
            None => {
                let mut cm = ConfigMap {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        labels: Some(BTreeMap::from([("app.kubernetes.io/managed-by".to_string(), "gitops-lab-agent".to_string())])),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                set_entries(&mut cm, &with_entry(Vec::new(), entry.clone()));
                api.create(&PostParams { field_manager: Some(super::cluster::FIELD_MANAGER.into()), ..Default::default() }, &cm).await
            }
        };
        match result {
            Ok(_) => return Ok(conflicts),
            Err(kube::Error::Api(s)) if s.code == 409 && conflicts < MAX_CONFLICT_RETRIES => {
                conflicts += 1;
                current = load(api, app).await?;
            }
            Err(e) => return Err(super::cluster::explain(&e, "write", &format!("configmaps \"{name}\""), &ns)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(revision: &str) -> Entry {
        Entry { id: 0, revision: revision.into(), deployed_at: String::new(), resources: vec![], reason: "sync".into() }
    }

    #[test]
    fn ids_grow_and_only_the_last_ten_are_kept() {
        let mut list = Vec::new();
        for i in 0..12 {
            list = with_entry(list, entry(&format!("r{i}")));
        }
        assert_eq!(list.len(), HISTORY_LIMIT);
        assert_eq!(list.first().map(|e| (e.id, e.revision.as_str())), Some((2, "r2")));
        assert_eq!(list.last().map(|e| e.id), Some(11));
    }
}
