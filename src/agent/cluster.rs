//! The agent's side of the Kubernetes API, through kube-rs: the connection from
//! a kubeconfig, kinds discovered once, and the namespaced reads and writes the
//! agent makes (server-side apply with its own field manager, list, prune).
//! Every call is namespaced: nothing here can reach another namespace.

use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope};
use kube::{Client, Config};
use serde_json::Value;
use simulator::kube::{ObjectKey, split_api_version};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// The field manager of every server-side apply the agent makes.
pub const FIELD_MANAGER: &str = "gitops-lab-agent";

/// What the kubeconfig's chosen context names, for the preflight and the production check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextInfo {
    pub context: String,
    pub cluster: String,
    pub server: String,
}

/// Reads the kubeconfig and the context it will use (`--context` or its current one).
pub fn read_context(kubeconfig: &Path, context: Option<&str>) -> Result<(Kubeconfig, ContextInfo), String> {
    let config = Kubeconfig::read_from(kubeconfig).map_err(|e| format!("reading the kubeconfig {}: {e}", kubeconfig.display()))?;
    let name = context.map(String::from).or_else(|| config.current_context.clone()).unwrap_or_default();
    let Some(named) = config.contexts.iter().find(|c| c.name == name) else {
        return Err(if name.is_empty() {
            format!("the kubeconfig {} has no current context: give --context", kubeconfig.display())
        } else {
            format!("context \"{name}\" does not exist in the kubeconfig {}", kubeconfig.display())
        });
    };
    let cluster = named.context.as_ref().map(|c| c.cluster.clone()).unwrap_or_default();
    let server = config
        .clusters
        .iter()
        .find(|c| c.name == cluster)
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default();
    Ok((config.clone(), ContextInfo { context: name, cluster, server }))
}

/// A client for the context.
pub async fn connect(config: Kubeconfig, context: &ContextInfo) -> Result<Client, String> {
    // kube-rs builds its TLS with rustls; with more than one crypto provider linked, rustls needs a default.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = KubeConfigOptions { context: Some(context.context.clone()), cluster: None, user: None };
    let config =
        Config::from_custom_kubeconfig(config, &options).await.map_err(|e| format!("loading context \"{}\": {e}", context.context))?;
    Client::try_from(config).map_err(|e| format!("connecting to {}: {e}", context.server))
}

/// A kind as the cluster serves it.
#[derive(Clone, Debug)]
pub struct Kind {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// The agent's handle on one namespace.
pub struct Namespace {
    pub client: Client,
    pub name: String,
    kinds: Mutex<BTreeMap<(String, String), Option<Kind>>>,
}

/// Says what went wrong in words a user can act on; a 403 names the permission and the fix.
pub fn explain(e: &kube::Error, verb: &str, what: &str, namespace: &str) -> String {
    match e {
        kube::Error::Api(status) if status.code == 403 => format!(
            "forbidden: the agent may not {verb} {what} in namespace \"{namespace}\" ({}); give its user the Role that `gitops-lab agent --print-rbac --namespace {namespace}` prints",
            status.message
        ),
        kube::Error::Api(status) if status.code == 401 => {
            format!(
                "unauthorized: the cluster refused the kubeconfig's credentials ({}); log in again or refresh the kubeconfig",
                status.message
            )
        }
        kube::Error::Api(status) => format!("{verb} {what}: {} ({})", status.message, status.code),
        other => format!("{verb} {what}: {other}"),
    }
}

fn plural_what(kind: &Kind) -> String {
    if kind.resource.group.is_empty() { kind.resource.plural.clone() } else { format!("{}.{}", kind.resource.plural, kind.resource.group) }
}

impl Namespace {
    pub fn new(client: Client, name: &str) -> Namespace {
        Namespace { client, name: name.to_string(), kinds: Mutex::new(BTreeMap::new()) }
    }

    /// How the cluster serves `apiVersion`/`kind`; `None` when it does not know the kind.
    pub async fn kind(&self, api_version: &str, kind: &str) -> Result<Option<Kind>, String> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(k) = self.kinds.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(k.clone());
        }
        let (group, version) = split_api_version(api_version);
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let found = match kube::discovery::pinned_kind(&self.client, &gvk).await {
            Ok((resource, caps)) => Some(Kind { resource, namespaced: caps.scope == Scope::Namespaced }),
            Err(kube::Error::Api(s)) if s.code == 404 => None,
            Err(kube::Error::Discovery(_)) => None,
            Err(e) => return Err(explain(&e, "discover", &format!("{kind} ({api_version})"), &self.name)),
        };
        self.kinds.lock().unwrap_or_else(|p| p.into_inner()).insert(key, found.clone());
        Ok(found)
    }

    fn api(&self, kind: &Kind) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), &self.name, &kind.resource)
    }

    /// Every object of `kind` in the namespace, as JSON with its apiVersion and kind.
    pub async fn list(&self, kind: &Kind) -> Result<Vec<Value>, String> {
        let list = self.api(kind).list(&ListParams::default()).await.map_err(|e| explain(&e, "list", &plural_what(kind), &self.name))?;
        Ok(list.items.iter().map(|o| to_value(o, kind)).collect())
    }

    /// Server-side apply of `obj` with the agent's field manager, taking over fields others changed.
    pub async fn apply(&self, kind: &Kind, obj: &Value) -> Result<Value, String> {
        let name = simulator::kube::meta::name(obj).to_string();
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let applied = self
            .api(kind)
            .patch(&name, &params, &Patch::Apply(obj))
            .await
            .map_err(|e| explain(&e, "patch", &format!("{} \"{name}\"", plural_what(kind)), &self.name))?;
        Ok(to_value(&applied, kind))
    }

    /// Deletes one object (dependents in the background, as Argo CD prunes).
    pub async fn delete(&self, kind: &Kind, key: &ObjectKey) -> Result<(), String> {
        match self.api(kind).delete(&key.name, &DeleteParams::background()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(explain(&e, "delete", &format!("{} \"{}\"", plural_what(kind), key.name), &self.name)),
        }
    }

    pub fn watch_api(&self, kind: &Kind) -> Api<DynamicObject> {
        self.api(kind)
    }
}

/// A live object as JSON, with the apiVersion and kind a list leaves out of its items.
pub fn to_value(obj: &DynamicObject, kind: &Kind) -> Value {
    let mut v = serde_json::to_value(obj).unwrap_or(Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.insert("apiVersion".into(), Value::String(kind.resource.api_version.clone()));
        m.insert("kind".into(), Value::String(kind.resource.kind.clone()));
    }
    v
}
