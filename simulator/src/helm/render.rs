//! `helm template`: values from files, inline values and `--set`, the
//! built-in objects, every template rendered, then Helm's manifest sorter
//! (files in path order, split on `---`, hooks apart, `InstallOrder` by kind)
//! and the `---\n# Source: ...` stream.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::chart::{self, Chart};
use super::template::value::Struct;
use super::template::{Env, TemplateSet, Value};
use crate::git::Snapshot;

/// What `helm template` is given besides the chart.
#[derive(Clone, Debug)]
pub struct Options {
    pub release_name: String,
    pub namespace: String,
    /// `-f` files in order: a name for errors, and the text.
    pub value_files: Vec<(String, String)>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    /// `v1.33.0`.
    pub kube_version: String,
    /// `--api-versions`; empty means Helm's defaults.
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub is_upgrade: bool,
    /// The seed for `randAlphaNum` and friends.
    pub seed: u64,
    pub now_ms: i64,
}

impl Options {
    pub fn new(release_name: &str, namespace: &str) -> Options {
        Options {
            release_name: release_name.into(),
            namespace: namespace.into(),
            value_files: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            kube_version: "v1.33.0".into(),
            api_versions: Vec::new(),
            include_crds: false,
            is_upgrade: false,
            seed: 0,
            now_ms: 0,
        }
    }
}

/// A hook's Helm annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

/// One document of the output and the template it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub source: String,
    pub content: String,
    pub kind: String,
    pub hook: Option<Hook>,
}

#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub crds: Vec<Manifest>,
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Manifest>,
    pub notes: String,
}

impl Rendered {
    /// The text `helm template` prints (CRDs when asked, manifests, then hooks).
    pub fn to_text(&self) -> String {
        let mut manifest = String::new();
        for m in self.crds.iter().chain(self.manifests.iter()) {
            manifest.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.content));
        }
        let mut out = format!("{}\n", manifest.trim());
        for h in &self.hooks {
            out.push_str(&format!("---\n# Source: {}\n{}\n", h.source, h.content));
        }
        out
    }

    /// Every document as an object, in output order (CRDs, manifests, hooks).
    pub fn objects(&self) -> Result<Vec<serde_json::Value>, String> {
        let mut out = Vec::new();
        for m in self.crds.iter().chain(self.manifests.iter()).chain(self.hooks.iter()) {
            let docs = crate::yaml::parse_documents(&m.content, &m.source)
                .map_err(|e| format!("YAML parse error on {}: {}", m.source, e.message))?;
            out.extend(docs.into_iter().filter(|d| d.is_object()));
        }
        Ok(out)
    }
}

/// Helm's release-name rule.
pub fn validate_release_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 53
        && name.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
    if ok {
        return Ok(());
    }
    Err(format!(
        "release name \"{name}\": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53"
    ))
}

/// The user's values: files, then `--set`, then `--set-string`.
pub fn user_values(opts: &Options) -> Result<Value, String> {
    let user = Value::empty_map();
    for (name, text) in &opts.value_files {
        let v = chart::parse_values(text, name)?;
        chart::merge_user_values(&user, &v);
    }
    for s in &opts.set {
        super::strvals::parse_into(s, &user, false).map_err(|e| format!("failed parsing --set data: {e}"))?;
    }
    for s in &opts.set_string {
        super::strvals::parse_into(s, &user, true).map_err(|e| format!("failed parsing --set-string data: {e}"))?;
    }
    Ok(user)
}

/// `helm template NAME DIR` over a file tree. Errors are Helm's text without `Error: `.
pub fn template(files: &Snapshot, dir: &str, opts: &Options) -> Result<Rendered, String> {
    template_with(files, dir, opts, false)
}

/// Renders with `lint` semantics when asked (`required` and `fail` do not stop it).
pub fn template_with(files: &Snapshot, dir: &str, opts: &Options, _lint: bool) -> Result<Rendered, String> {
    validate_release_name(&opts.release_name)?;
    let mut root = chart::load(files, dir)?;
    if root.metadata.get("type").and_then(|t| t.as_str()) == Some("library") {
        return Err("library charts are not installable".into());
    }
    let user = user_values(opts)?;
    let first = chart::coalesce(&root, &user);
    chart::process_conditions(&mut root, &first);
    let values = chart::coalesce(&root, &user);
    let rendered = render_templates(&root, &values, opts)?;
    sort_manifests(&root, rendered, opts)
}

/// Every template's rendered text by its name (`web/templates/x.yaml`), before
/// Helm's sorting: what the engine gives the install action.
pub fn render_files(files: &Snapshot, dir: &str, opts: &Options) -> Result<BTreeMap<String, String>, String> {
    let mut root = chart::load(files, dir)?;
    let user = user_values(opts)?;
    let first = chart::coalesce(&root, &user);
    chart::process_conditions(&mut root, &first);
    let values = chart::coalesce(&root, &user);
    render_templates(&root, &values, opts)
}

fn metadata_struct(chart: &Chart) -> Value {
    let m = &chart.metadata;
    let s = |k: &str| Value::str(m.get(k).and_then(|v| v.as_str()).unwrap_or(""));
    let raw = |k: &str| m.get(k).map(Value::from_json).unwrap_or(Value::Nil);
    Value::Struct(Rc::new(Struct {
        type_name: "*chart.Metadata",
        fields: vec![
            ("Name", Value::str(&chart.name)),
            ("Home", s("home")),
            ("Sources", raw("sources")),
            ("Version", s("version")),
            ("Description", s("description")),
            ("Keywords", raw("keywords")),
            ("Maintainers", raw("maintainers")),
            ("Icon", s("icon")),
            ("APIVersion", s("apiVersion")),
            ("Condition", s("condition")),
            ("Tags", s("tags")),
            ("AppVersion", s("appVersion")),
            ("Deprecated", Value::Bool(m.get("deprecated").and_then(|v| v.as_bool()).unwrap_or(false))),
            ("Annotations", raw("annotations")),
            ("KubeVersion", s("kubeVersion")),
            ("Dependencies", raw("dependencies")),
            ("Type", s("type")),
        ],
    }))
}

/// Helm's default API versions for `helm template` without `--api-versions`.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

fn capabilities(opts: &Options) -> Value {
    let v = opts.kube_version.trim_start_matches('v');
    let mut parts = v.split('.');
    let major = parts.next().unwrap_or("1").to_string();
    let minor = parts.next().unwrap_or("0").to_string();
    let version = format!("v{major}.{minor}.{}", parts.next().unwrap_or("0"));
    let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    apis.extend(opts.api_versions.iter().cloned());
    Value::Struct(Rc::new(Struct {
        type_name: "*chartutil.Capabilities",
        fields: vec![
            ("APIVersions", Value::ApiVersions(Rc::new(apis))),
            (
                "KubeVersion",
                Value::Struct(Rc::new(Struct {
                    type_name: "*chartutil.KubeVersion",
                    fields: vec![("Version", Value::str(&version)), ("Major", Value::str(major)), ("Minor", Value::str(minor))],
                })),
            ),
            (
                "HelmVersion",
                Value::Struct(Rc::new(Struct {
                    type_name: "chartutil.HelmVersion",
                    fields: vec![
                        ("Version", Value::str("v3.18.4")),
                        ("GitCommit", Value::str("d80839cf37d860c8aa9a0503fe463278f26cd5e2")),
                        ("GitTreeState", Value::str("clean")),
                        ("GoVersion", Value::str("go1.24.4")),
                    ],
                })),
            ),
        ],
    }))
}

struct Renderable {
    data: Value,
    base_path: String,
}

fn collect(
    chart: &Chart,
    parent_path: Option<&str>,
    values: &Value,
    common: &BTreeMap<String, Value>,
    set: &mut TemplateSet,
    out: &mut BTreeMap<String, (String, Renderable)>,
) {
    let full = match parent_path {
        Some(p) => format!("{p}/charts/{}", chart.name),
        None => chart.name.clone(),
    };
    let mut top = common.clone();
    top.insert("Chart".into(), metadata_struct(chart));
    top.insert("Files".into(), Value::Files(Rc::new(chart.files.clone())));
    top.insert("Values".into(), values.clone());
    for dep in &chart.dependencies {
        let sub_values = match values.get(&dep.name) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::empty_map(),
        };
        collect(dep, Some(&full), &sub_values, common, set, out);
    }
    for (rel, text) in &chart.templates {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        if chart.is_library() && !base.starts_with('_') {
            continue;
        }
        let name = format!("{full}/{rel}");
        out.insert(name, (text.clone(), Renderable { data: Value::map(top.clone()), base_path: format!("{full}/templates") }));
    }
}

/// Helm's template order: deeper paths first, then by name, reversed.
fn sorted_names(names: Vec<String>) -> Vec<String> {
    let mut names = names;
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    names
}

fn render_templates(root: &Chart, values: &Value, opts: &Options) -> Result<BTreeMap<String, String>, String> {
    let mut common = BTreeMap::new();
    let mut release = BTreeMap::new();
    release.insert("Name".to_string(), Value::str(&opts.release_name));
    release.insert("Namespace".to_string(), Value::str(&opts.namespace));
    release.insert("IsUpgrade".to_string(), Value::Bool(opts.is_upgrade));
    release.insert("IsInstall".to_string(), Value::Bool(!opts.is_upgrade));
    release.insert("Revision".to_string(), Value::Int(1));
    release.insert("Service".to_string(), Value::str("Helm"));
    common.insert("Release".to_string(), Value::map(release));
    common.insert("Capabilities".to_string(), capabilities(opts));
    let mut set = TemplateSet::default();
    let mut all = BTreeMap::new();
    collect(root, None, values, &common, &mut set, &mut all);
    let order = sorted_names(all.keys().cloned().collect());
    for name in &order {
        set.add_file(name, &all[name].0).map_err(|e| {
            // Helm: `parse error at (web/templates/x.yaml:3): unexpected "}" in operand`.
            format!("parse error at ({}:{}): {}", e.name, e.line, e.message)
        })?;
    }
    let env = Env {
        templates: BTreeMap::new(),
        rng: RefCell::new(crate::rng::SimRng::new(opts.seed)),
        now_ms: opts.now_ms,
        include_depth: RefCell::new(0),
    };
    let mut rendered = BTreeMap::new();
    for name in &order {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let r = &all[name].1;
        if let Value::Map(m) = &r.data {
            let mut t = BTreeMap::new();
            t.insert("Name".to_string(), Value::str(name));
            t.insert("BasePath".to_string(), Value::str(&r.base_path));
            m.borrow_mut().insert("Template".into(), Value::map(t));
        }
        let text = set.execute(&env, name, &r.data).map_err(|e| match &e.warn {
            Some(w) => format!("execution error at ({}): {w}", e.location),
            None => e.message.clone(),
        })?;
        rendered.insert(name.clone(), text.replace("<no value>", ""));
    }
    Ok(rendered)
}

/// Helm's `SplitManifests`: the text split where the regexp `(?:^|\s*\n)---\s*`
/// matches, each document trimmed, empty ones dropped.
pub fn split_manifests(text: &str) -> Vec<String> {
    let t = text.trim();
    let mut docs = Vec::new();
    let mut doc_start = 0;
    let mut i = 0;
    while let Some(off) = t[i..].find("---") {
        let pos = i + off;
        if pos == 0 || t[..pos].ends_with('\n') {
            let sep_start = t[..pos].trim_end_matches(|c: char| c.is_whitespace()).len().min(pos);
            docs.push(&t[doc_start..sep_start.max(doc_start)]);
            let after = pos + 3;
            let rest = &t[after..];
            doc_start = after + (rest.len() - rest.trim_start().len());
            i = doc_start.max(after);
        } else {
            i = pos + 3;
        }
    }
    docs.push(&t[doc_start..]);
    docs.into_iter().map(|d| d.trim().to_string()).filter(|d| !d.is_empty()).collect()
}

/// Helm's install order by kind; other kinds go last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn sort_by_kind(list: &mut [Manifest]) {
    let rank = |k: &str| INSTALL_ORDER.iter().position(|x| *x == k);
    list.sort_by(|a, b| match (rank(&a.kind), rank(&b.kind)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.kind.cmp(&b.kind),
    });
}

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

fn sort_manifests(root: &Chart, rendered: BTreeMap<String, String>, opts: &Options) -> Result<Rendered, String> {
    let mut out = Rendered::default();
    let notes_path = format!("{}/templates/NOTES.txt", root.name);
    if opts.include_crds {
        let mut crds = Vec::new();
        collect_crds(root, None, &mut crds);
        out.crds = crds;
    }
    for (path, text) in rendered {
        if path.ends_with("NOTES.txt") {
            if path == notes_path {
                out.notes = text;
            }
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(&text) {
            let head = crate::yaml::parse_documents(&doc, &path)
                .map_err(|e| format!("YAML parse error on {path}: {}", super::go_yaml_error(&e)))?;
            let head = head.into_iter().next().unwrap_or(serde_json::Value::Null);
            if !head.is_object() && !head.is_null() {
                return Err(format!(
                    "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type releaseutil.SimpleHead",
                    if head.is_array() { "array" } else { "string" }
                ));
            }
            let kind = head.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_string();
            let annotations = head.get("metadata").and_then(|m| m.get("annotations"));
            let hook_text = annotations.and_then(|a| a.get("helm.sh/hook")).and_then(|h| h.as_str());
            let Some(hook_text) = hook_text else {
                out.manifests.push(Manifest { source: path.clone(), content: doc, kind, hook: None });
                continue;
            };
            let events: Vec<String> = hook_text.split(',').map(|e| e.trim().to_ascii_lowercase()).collect();
            // Helm drops a manifest whose hook it does not know.
            if events.iter().any(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                continue;
            }
            let weight = annotations
                .and_then(|a| a.get("helm.sh/hook-weight"))
                .and_then(|w| w.as_str())
                .and_then(|w| w.trim().parse().ok())
                .unwrap_or(0);
            let delete_policies = annotations
                .and_then(|a| a.get("helm.sh/hook-delete-policy"))
                .and_then(|w| w.as_str())
                .map(|w| w.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect())
                .unwrap_or_default();
            out.hooks.push(Manifest { source: path.clone(), content: doc, kind, hook: Some(Hook { events, weight, delete_policies }) });
        }
    }
    sort_by_kind(&mut out.manifests);
    sort_by_kind(&mut out.hooks);
    Ok(out)
}

fn collect_crds(chart: &Chart, parent: Option<&str>, out: &mut Vec<Manifest>) {
    let full = match parent {
        Some(p) => format!("{p}/charts/{}", chart.name),
        None => chart.name.clone(),
    };
    for (rel, text) in &chart.crds {
        out.push(Manifest { source: format!("{full}/{rel}"), content: text.clone(), kind: "CustomResourceDefinition".into(), hook: None });
    }
    for dep in &chart.dependencies {
        collect_crds(dep, Some(&full), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_helm() {
        assert_eq!(split_manifests("---\na: 1\n---\n\n---\nb: 2\n"), vec!["a: 1", "b: 2"]);
        assert_eq!(split_manifests("a: 1\n--- \nb: 2"), vec!["a: 1", "b: 2"]);
    }
}
