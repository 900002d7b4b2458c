//! The Application resource: the parts of its spec the agent reads, and the
//! status it writes back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kube::meta;

/// The in-cluster destination server.
pub const IN_CLUSTER: &str = "https://kubernetes.default.svc";

/// An Application's spec, as far as the agent uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSpec {
    pub name: String,
    pub namespace: String,
    pub project: String,
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
    pub recurse: bool,
    pub dest_server: String,
    pub dest_namespace: String,
    pub automated: Option<Automated>,
    pub sync_options: Vec<String>,
    pub ignore_differences: Vec<IgnoreDifference>,
    /// `syncPolicy.retry`, if set.
    pub retry: Option<super::sync::RetryPolicy>,
    /// `spec.source.kustomize`: options Argo CD applies with `kustomize edit` before building.
    pub kustomize: Option<Value>,
    /// `spec.source.helm`: value files, values, parameters, release name, skipCrds.
    pub helm: Option<Value>,
}

/// One `spec.ignoreDifferences` entry: which objects, and which fields not to compare.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IgnoreDifference {
    pub group: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub json_pointers: Vec<String>,
    pub jq_path_expressions: Vec<String>,
}

impl IgnoreDifference {
    /// Whether this entry applies to an object of `group`/`kind` named `name` in `namespace`.
    pub fn matches(&self, group: &str, kind: &str, namespace: &str, name: &str) -> bool {
        let any = |want: &str, got: &str| want.is_empty() || want == "*" || want == got;
        any(&self.group, group) && any(&self.kind, kind) && any(&self.name, name) && any(&self.namespace, namespace)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Automated {
    pub prune: bool,
    pub self_heal: bool,
    pub allow_empty: bool,
}

impl AppSpec {
    /// A plain source: `path` of `repo_url` at `revision`, objects without a namespace going to
    /// `dest_namespace`; what the push pipeline and Flux render with.
    pub fn for_path(name: &str, repo_url: &str, path: &str, revision: &str, dest_namespace: &str, recurse: bool) -> AppSpec {
        AppSpec {
            name: name.into(),
            namespace: String::new(),
            project: String::new(),
            repo_url: repo_url.into(),
            path: path.into(),
            target_revision: revision.into(),
            recurse,
            dest_server: String::new(),
            dest_namespace: dest_namespace.into(),
            automated: None,
            sync_options: Vec::new(),
            ignore_differences: Vec::new(),
            retry: None,
            kustomize: None,
            helm: None,
        }
    }

    /// Reads an Application object. Errors name the missing field.
    pub fn from_object(obj: &Value) -> Result<AppSpec, String> {
        let spec = obj.get("spec").ok_or("spec is missing")?;
        let source = spec.get("source").ok_or("spec.source is missing")?;
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let repo_url = s(source, "repoURL").ok_or("spec.source.repoURL is missing")?;
        let automated = spec.get("syncPolicy").and_then(|p| p.get("automated")).filter(|a| a.is_object()).and_then(|a| {
            let flag = |k: &str| a.get(k).and_then(Value::as_bool).unwrap_or(false);
            let enabled = a.get("enabled").and_then(Value::as_bool).unwrap_or(true);
            enabled.then(|| Automated { prune: flag("prune"), self_heal: flag("selfHeal"), allow_empty: flag("allowEmpty") })
        });
        let dest = spec.get("destination").cloned().unwrap_or(Value::Null);
        Ok(AppSpec {
            name: meta::name(obj).to_string(),
            namespace: meta::namespace(obj).to_string(),
            project: s(spec, "project").filter(|p| !p.is_empty()).unwrap_or_else(|| "default".into()),
            repo_url,
            path: s(source, "path").unwrap_or_default().trim_matches('/').to_string(),
            target_revision: s(source, "targetRevision").filter(|r| !r.is_empty()).unwrap_or_else(|| "HEAD".into()),
            recurse: source.get("directory").and_then(|d| d.get("recurse")).and_then(Value::as_bool).unwrap_or(false),
            dest_server: s(&dest, "server").unwrap_or_else(|| IN_CLUSTER.into()),
            dest_namespace: s(&dest, "namespace").unwrap_or_default(),
            automated,
            sync_options: spec
                .get("syncPolicy")
                .and_then(|p| p.get("syncOptions"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|o| o.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            retry: spec.get("syncPolicy").and_then(|p| p.get("retry")).map(parse_retry),
            kustomize: source.get("kustomize").cloned(),
            helm: source.get("helm").cloned(),
            ignore_differences: spec
                .get("ignoreDifferences")
                .map(|v| serde_json::from_value(v.clone()).map_err(|e| format!("spec.ignoreDifferences: {e}")))
                .transpose()?
                .unwrap_or_default(),
        })
    }

    /// An app with no options, for tasks that need none (SyncFail hooks).
    pub fn placeholder() -> AppSpec {
        AppSpec {
            name: String::new(),
            namespace: String::new(),
            project: "default".into(),
            repo_url: String::new(),
            path: String::new(),
            target_revision: "HEAD".into(),
            recurse: false,
            dest_server: IN_CLUSTER.into(),
            dest_namespace: String::new(),
            automated: None,
            sync_options: vec![],
            ignore_differences: vec![],
            retry: None,
            kustomize: None,
            helm: None,
        }
    }

    /// `argocd/payment-service`, as the argocd CLI names apps.
    pub fn qualified_name(&self) -> String {
        if self.namespace.is_empty() { self.name.clone() } else { format!("{}/{}", self.namespace, self.name) }
    }

    /// `Manual`, `Automated` or `Automated (Prune)`, as `argocd app get` prints it.
    pub fn sync_policy_label(&self) -> &'static str {
        match self.automated {
            None => "Manual",
            Some(a) if a.prune => "Automated (Prune)",
            Some(_) => "Automated",
        }
    }

    pub fn has_option(&self, option: &str) -> bool {
        self.sync_options.iter().any(|o| o == option)
    }
}

/// One managed resource in the app's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthStatus>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub requires_pruning: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthStatus {
    pub status: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub message: String,
}

/// One resource's result in a sync operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceResult {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status: String,
    pub message: String,
    pub sync_phase: String,
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub hook_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationState {
    pub phase: String,
    pub message: String,
    pub revision: String,
    pub started_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    pub initiated_by: String,
    pub automated: bool,
    pub self_heal_attempts: u32,
    #[serde(default)]
    pub retry_count: u32,
    /// Whether the operation synced only some resources (self-heal, `--resource`).
    pub partial: bool,
    pub resources: Vec<ResourceResult>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub id: u64,
    pub revision: String,
    pub deployed_at: String,
    pub deploy_started_at: String,
    pub initiated_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    #[serde(rename = "lastTransitionTime")]
    pub last_transition_time: String,
}

/// The status the agent writes to an Application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub sync_status: String,
    pub revision: String,
    pub health: HealthStatus,
    pub resources: Vec<ResourceStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_state: Option<OperationState>,
    pub history: Vec<HistoryEntry>,
    pub reconciled_at: String,
    pub conditions: Vec<Condition>,
    pub source_type: String,
    pub images: Vec<String>,
}

impl Default for AppStatus {
    fn default() -> Self {
        AppStatus {
            sync_status: "Unknown".into(),
            revision: String::new(),
            health: HealthStatus { status: "Unknown".into(), message: String::new() },
            resources: vec![],
            operation_state: None,
            history: vec![],
            reconciled_at: String::new(),
            conditions: vec![],
            source_type: "Directory".into(),
            images: vec![],
        }
    }
}

impl AppStatus {
    /// The status in the Application CRD's own shape, for `kubectl get app -o yaml`.
    pub fn to_crd_json(&self) -> Value {
        let mut status = serde_json::json!({
            "sync": {"status": self.sync_status, "revision": self.revision},
            "health": {"status": self.health.status},
            "resources": self.resources,
            "history": self.history,
            "reconciledAt": self.reconciled_at,
            "sourceType": self.source_type,
            "summary": {"images": self.images},
        });
        if !self.conditions.is_empty() {
            status["conditions"] = serde_json::to_value(&self.conditions).expect("conditions serialize");
        }
        if let Some(op) = &self.operation_state {
            status["operationState"] = serde_json::json!({
                "phase": op.phase,
                "message": op.message,
                "startedAt": op.started_at,
                "finishedAt": op.finished_at,
                "operation": {"sync": {"revision": op.revision, "autoHealAttemptsCount": op.self_heal_attempts}, "initiatedBy": if op.automated { serde_json::json!({"automated": true}) } else { serde_json::json!({"username": op.initiated_by}) }},
                "syncResult": {"revision": op.revision, "resources": op.resources},
            });
        }
        status
    }
}

/// Reads `syncPolicy.retry` with Argo CD's defaults (5s, ×2, at most 3m).
fn parse_retry(v: &Value) -> super::sync::RetryPolicy {
    let base = super::sync::RetryPolicy::NONE;
    let duration = |key: &str, default: crate::time::SimDuration| {
        v.get("backoff").and_then(|b| b.get(key)).and_then(Value::as_str).and_then(parse_go_duration).unwrap_or(default)
    };
    super::sync::RetryPolicy {
        limit: v.get("limit").and_then(Value::as_i64).unwrap_or(0),
        duration: duration("duration", base.duration),
        factor: v.get("backoff").and_then(|b| b.get("factor")).and_then(Value::as_u64).unwrap_or(base.factor),
        max_duration: duration("maxDuration", base.max_duration),
    }
}

/// Parses Go durations such as `5s`, `3m`, `1m30s`.
pub fn parse_go_duration(text: &str) -> Option<crate::time::SimDuration> {
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            's' => 1000,
            'm' => 60_000,
            'h' => 3_600_000,
            _ => return None,
        };
    }
    if !number.is_empty() {
        return None;
    }
    Some(crate::time::SimDuration(total))
}
