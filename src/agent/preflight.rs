//! What the agent says before it touches a cluster: the context it will use,
//! what it will create, the RBAC it needs (a Role and RoleBinding it can print),
//! and a refusal for a context that looks like production unless `--yes`.

use super::cluster::ContextInfo;

/// Words that mark a production context, cluster or server name.
const PRODUCTION_WORDS: &[&str] = &["prod", "production", "prd", "live"];

/// Whether the context, its cluster or its server looks like production: one of
/// their `-`, `_`, `.`, `/`, `:` or `@`-separated words is `prod`, `production`, `prd` or `live`.
pub fn looks_like_production(info: &ContextInfo) -> Option<String> {
    for (what, name) in [("context", &info.context), ("cluster", &info.cluster), ("server", &info.server)] {
        let lower = name.to_ascii_lowercase();
        if lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| PRODUCTION_WORDS.contains(&w)) {
            return Some(format!("{what} \"{name}\""));
        }
    }
    None
}

/// The Role and RoleBinding the agent needs in `namespace`, for the user or
/// service account `subject` (`kind/name`, e.g. `User/alice` or `ServiceAccount/agent`).
pub fn rbac_manifest(namespace: &str, subject: &str) -> String {
    let (kind, name) = subject.split_once('/').unwrap_or(("User", subject));
    let subject_ns = if kind == "ServiceAccount" { format!("\n  namespace: {namespace}") } else { String::new() };
    let api_group = if kind == "ServiceAccount" { "\"\"" } else { "rbac.authorization.k8s.io" };
    format!(
        r#"# The agent reads, applies and prunes the repository's objects in namespace {namespace} only,
# and keeps its history in a ConfigMap there. Add the kinds your repository holds to `resources`.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: gitops-lab-agent
  namespace: {namespace}
rules:
- apiGroups: [""]
  resources: [configmaps, secrets, services, serviceaccounts, persistentvolumeclaims, pods]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets, replicasets]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [batch]
  resources: [jobs, cronjobs]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, networkpolicies]
  verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: gitops-lab-agent
  namespace: {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: gitops-lab-agent
subjects:
- kind: {kind}
  apiGroup: {api_group}
  name: {name}{subject_ns}
# With --create-namespace the agent also needs, cluster-wide: namespaces [get, create].
"#
    )
}

/// The preflight text: where, what it creates, what it needs.
pub fn describe(info: &ContextInfo, namespace: &str, create_namespace: bool, app: &str, repo: &str, path: &str, revision: &str) -> String {
    let mut out = String::new();
    out.push_str(&format!("Context:   {} (cluster {}, server {})\n", info.context, info.cluster, info.server));
    out.push_str(&format!("Source:    {repo} at {revision}, path {path}\n"));
    out.push_str(&format!("Namespace: {namespace} (the agent reads and writes nothing outside it)\n"));
    out.push_str("It creates:\n");
    if create_namespace {
        out.push_str(&format!("  - namespace/{namespace}, if it does not exist\n"));
    }
    out.push_str(&format!("  - configmap/{} in {namespace} (its sync history)\n", super::history::config_map_name(app)));
    out.push_str(&format!(
        "  - the objects rendered from {path}, applied server-side (field manager {}) and annotated argocd.argoproj.io/tracking-id={app}:...\n",
        super::cluster::FIELD_MANAGER
    ));
    out.push_str(&format!("It needs the Role that `gitops-lab agent --print-rbac --namespace {namespace}` prints.\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(context: &str, cluster: &str, server: &str) -> ContextInfo {
        ContextInfo { context: context.into(), cluster: cluster.into(), server: server.into() }
    }

    #[test]
    fn production_looking_names_are_caught_by_whole_words_only() {
        assert_eq!(looks_like_production(&info("aks-prod-westeu", "c", "https://x")), Some("context \"aks-prod-westeu\"".into()));
        assert_eq!(looks_like_production(&info("kind-kind", "Production", "https://x")), Some("cluster \"Production\"".into()));
        assert!(looks_like_production(&info("a", "b", "https://api.live.example.com:443")).is_some());
        assert_eq!(looks_like_production(&info("kind-kind", "kind-kind", "https://127.0.0.1:6443")), None);
        assert_eq!(looks_like_production(&info("product-team", "delivery", "https://productive.example")), None);
    }

    #[test]
    fn the_rbac_manifest_binds_the_role_to_the_subject_in_the_namespace() {
        let text = rbac_manifest("demo", "ServiceAccount/agent");
        let docs = simulator::yaml::parse_documents(&text, "rbac.yaml").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["kind"], "Role");
        assert_eq!(docs[0]["metadata"]["namespace"], "demo");
        assert_eq!(docs[1]["subjects"][0]["kind"], "ServiceAccount");
        assert_eq!(docs[1]["subjects"][0]["namespace"], "demo");
        assert_eq!(docs[1]["subjects"][0]["apiGroup"], "");
        assert_eq!(rbac_manifest("demo", "User/alice").matches("namespace: demo").count(), 2);
    }
}
