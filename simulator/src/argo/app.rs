//! The Application resource: the parts of its spec the agent reads, and the
//! status it writes back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::health::Health;
use crate::kube::meta;
use crate::kube::meta::SetPath;
use crate::time::{SimDuration, SimTime};

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
    pub retry: Option<RetryPolicy>,
    /// `spec.source.kustomize`: options Argo CD applies with `kustomize edit` before building.
    pub kustomize: Option<Value>,
    /// `spec.source.helm`: value files, values, parameters, release name, skipCrds.
    pub helm: Option<Value>,
    /// `spec.source.plugin`'s name: a config management plugin, which the simulator does not run.
    pub plugin: Option<String>,
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
            plugin: None,
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
            plugin: source
                .get("plugin")
                .filter(|p| !p.is_null())
                .map(|p| p.get("name").and_then(Value::as_str).unwrap_or_default().to_string()),
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
            plugin: None,
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

/// An app's or a resource's sync status, in Argo CD's words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncStatus {
    Synced,
    OutOfSync,
    #[default]
    Unknown,
}

impl SyncStatus {
    pub fn word(self) -> &'static str {
        match self {
            SyncStatus::Synced => "Synced",
            SyncStatus::OutOfSync => "OutOfSync",
            SyncStatus::Unknown => "Unknown",
        }
    }
}

/// The phase of an operation, in Argo CD's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpPhase {
    Running,
    Terminating,
    Succeeded,
    Failed,
    Error,
}

impl OpPhase {
    pub fn word(self) -> &'static str {
        match self {
            OpPhase::Running => "Running",
            OpPhase::Terminating => "Terminating",
            OpPhase::Succeeded => "Succeeded",
            OpPhase::Failed => "Failed",
            OpPhase::Error => "Error",
        }
    }

    pub fn completed(self) -> bool {
        matches!(self, OpPhase::Succeeded | OpPhase::Failed | OpPhase::Error)
    }
}

/// Status words print as Argo CD prints them, and compare with them (`status == "Synced"`).
macro_rules! status_word {
    ($($t:ty),*) => {$(
        impl $t {
            /// The word as Argo CD prints it (the same as `word`).
            pub fn as_str(&self) -> &'static str {
                self.word()
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.word())
            }
        }

        impl PartialEq<str> for $t {
            fn eq(&self, other: &str) -> bool {
                self.word() == other
            }
        }

        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.word() == *other
            }
        }

        impl PartialEq<String> for $t {
            fn eq(&self, other: &String) -> bool {
                self.word() == other
            }
        }

        impl PartialEq<$t> for String {
            fn eq(&self, other: &$t) -> bool {
                self == other.word()
            }
        }
    )*};
}

status_word!(SyncStatus, OpPhase, Health);

/// One managed resource in the app's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status: SyncStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<HealthStatus>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub requires_pruning: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthStatus {
    pub status: Health,
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
    pub phase: OpPhase,
    pub message: String,
    pub revision: String,
    #[serde(with = "crate::time::rfc3339")]
    pub started_at: SimTime,
    #[serde(skip_serializing_if = "Option::is_none", with = "crate::time::rfc3339_option", default)]
    pub finished_at: Option<SimTime>,
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
    #[serde(with = "crate::time::rfc3339")]
    pub deployed_at: SimTime,
    #[serde(with = "crate::time::rfc3339")]
    pub deploy_started_at: SimTime,
    pub initiated_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    #[serde(rename = "lastTransitionTime", with = "crate::time::rfc3339")]
    pub last_transition_time: SimTime,
}

/// The status the agent writes to an Application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    pub sync_status: SyncStatus,
    pub revision: String,
    pub health: HealthStatus,
    pub resources: Vec<ResourceStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_state: Option<OperationState>,
    pub history: Vec<HistoryEntry>,
    /// When the app was last compared (none before its first comparison).
    #[serde(with = "crate::time::rfc3339_option", default)]
    pub reconciled_at: Option<SimTime>,
    pub conditions: Vec<Condition>,
    pub source_type: String,
    pub images: Vec<String>,
}

impl Default for AppStatus {
    fn default() -> Self {
        AppStatus {
            sync_status: SyncStatus::Unknown,
            revision: String::new(),
            health: HealthStatus { status: Health::Unknown, message: String::new() },
            resources: vec![],
            operation_state: None,
            history: vec![],
            reconciled_at: None,
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
            "reconciledAt": self.reconciled_at.map(SimTime::rfc3339).unwrap_or_default(),
            "sourceType": self.source_type,
            "summary": {"images": self.images},
        });
        if !self.conditions.is_empty() {
            status.set_path(&["conditions"], serde_json::to_value(&self.conditions).expect("conditions serialize"));
        }
        if let Some(op) = &self.operation_state {
            status.set_path(&["operationState"], serde_json::json!({
                "phase": op.phase,
                "message": op.message,
                "startedAt": op.started_at.rfc3339(),
                "finishedAt": op.finished_at.map(SimTime::rfc3339),
                "operation": {"sync": {"revision": op.revision, "autoHealAttemptsCount": op.self_heal_attempts}, "initiatedBy": if op.automated { serde_json::json!({"automated": true}) } else { serde_json::json!({"username": op.initiated_by}) }},
                "syncResult": {"revision": op.revision, "resources": op.resources},
            }));
        }
        status
    }
}

/// Reads `syncPolicy.retry` with Argo CD's defaults (5s, ×2, at most 3m).
fn parse_retry(v: &Value) -> RetryPolicy {
    let base = RetryPolicy::NONE;
    let duration = |key: &str, default: crate::time::SimDuration| {
        v.get("backoff").and_then(|b| b.get(key)).and_then(Value::as_str).and_then(parse_go_duration).unwrap_or(default)
    };
    RetryPolicy {
        limit: v.get("limit").and_then(Value::as_i64).unwrap_or(0),
        duration: duration("duration", base.duration),
        factor: v.get("backoff").and_then(|b| b.get("factor")).and_then(Value::as_u64).unwrap_or(base.factor),
        max_duration: duration("maxDuration", base.max_duration),
    }
}

/// Parses Go durations such as `5s`, `3m`, `1m30s`.
pub fn parse_go_duration(text: &str) -> Option<crate::time::SimDuration> {
    crate::time::parse_duration(text, crate::time::DurationSyntax::Go)
}

/// `syncPolicy.retry`: the limit (-1 for no limit) and the back-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub limit: i64,
    pub duration: SimDuration,
    pub factor: u64,
    pub max_duration: SimDuration,
}

impl RetryPolicy {
    /// No retries: what `argocd app sync` asks for unless given `--retry-limit`.
    pub const NONE: RetryPolicy = RetryPolicy { limit: 0, duration: SimDuration::secs(5), factor: 2, max_duration: SimDuration::secs(180) };
    /// What an automated sync gets when the app sets no retry policy.
    pub const AUTOMATED_DEFAULT: RetryPolicy = RetryPolicy { limit: 5, ..RetryPolicy::NONE };

    /// The wait before retry number `done + 1`: duration × factor^done, capped, and at least
    /// one second (a `0s` back-off with `limit: -1` would retry for ever at one instant).
    pub fn backoff(&self, done: u32) -> SimDuration {
        let ms = self.duration.0.saturating_mul(self.factor.saturating_pow(done));
        SimDuration(ms.min(self.max_duration.0).max(1_000))
    }
}
