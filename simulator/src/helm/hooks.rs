//! Helm's hook annotations as Argo CD reads them (gitops-engine's `hook/helm`):
//! `pre-install`/`pre-upgrade` run as PreSync hooks, `post-install`/
//! `post-upgrade` as PostSync, other Helm hooks never run; `hook-weight` is
//! the sync wave and `hook-delete-policy` maps to Argo CD's delete policies.
//! An Argo CD hook annotation on the same object wins.

use serde_json::Value;

pub const HOOK: &str = "helm.sh/hook";
pub const HOOK_WEIGHT: &str = "helm.sh/hook-weight";
pub const HOOK_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";

fn annotation<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj.get("metadata")?.get("annotations")?.get(key)?.as_str()
}

/// Whether the object carries a Helm hook (CRDs marked `crd-install` are not hooks).
pub fn is_hook(obj: &Value) -> bool {
    annotation(obj, HOOK).is_some_and(|v| v != "crd-install")
}

/// The Argo CD hook types a Helm hook maps to, without repeats.
pub fn argo_hook_types(obj: &Value) -> Vec<&'static str> {
    let mut out = Vec::new();
    for t in annotation(obj, HOOK).unwrap_or("").split(',').map(str::trim) {
        let mapped = match t {
            "pre-install" | "pre-upgrade" => "PreSync",
            "post-install" | "post-upgrade" => "PostSync",
            _ => continue,
        };
        if !out.contains(&mapped) {
            out.push(mapped);
        }
    }
    out
}

/// `helm.sh/hook-weight`, which Argo CD uses as the wave when no sync-wave is set.
pub fn weight(obj: &Value) -> Option<i64> {
    annotation(obj, HOOK_WEIGHT).and_then(|w| w.trim().parse().ok())
}

/// Argo CD's delete policies from `helm.sh/hook-delete-policy`.
pub fn delete_policies(obj: &Value) -> Vec<&'static str> {
    annotation(obj, HOOK_DELETE_POLICY)
        .unwrap_or("")
        .split(',')
        .filter_map(|p| match p.trim() {
            "before-hook-creation" => Some("BeforeHookCreation"),
            "hook-succeeded" => Some("HookSucceeded"),
            "hook-failed" => Some("HookFailed"),
            _ => None,
        })
        .collect()
}
