//! What counts as drift: the live object against the live object with the
//! desired manifest applied to it (Argo CD's legacy three-way diff).
//!
//! Fields the manifest never declared keep their live values in the
//! prediction, so API server defaults are never drift; fields the last apply
//! declared and Git no longer does are removed, so they are.

use serde_json::Value;
use similar::{DiffOp, TextDiff};

use super::app::IgnoreDifference;
use crate::kube::{apply, defaults};
use crate::rng::SimRng;
use crate::yaml;

/// The live object as it would be after syncing `desired`, normalized.
pub fn predicted_live(live: &Value, desired: &Value) -> Value {
    let mut predicted = apply::merge(Some(live), desired);
    // Defaulting never allocates here: fields that need allocation keep their live values.
    defaults::apply(&mut predicted, &mut SimRng::new(0));
    normalize(&predicted)
}

/// Whether the live object matches Git, leaving out the fields `ignores` name for it.
pub fn is_synced_ignoring(desired: &Value, live: &Value, ignores: &[IgnoreDifference]) -> bool {
    let mut predicted = predicted_live(live, desired);
    let mut current = normalize(live);
    strip_ignored(&mut predicted, ignores);
    strip_ignored(&mut current, ignores);
    predicted == current
}

/// Removes the fields `ignores` name for this object (JSON pointers and simple jq paths).
pub fn strip_ignored(obj: &mut Value, ignores: &[IgnoreDifference]) {
    let (group, _) = crate::kube::split_api_version(obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""));
    let (group, kind, ns, name) = (
        group.to_string(),
        crate::kube::meta::kind(obj).to_string(),
        crate::kube::meta::namespace(obj).to_string(),
        crate::kube::meta::name(obj).to_string(),
    );
    for ignore in ignores.iter().filter(|i| i.matches(&group, &kind, &ns, &name)) {
        for pointer in &ignore.json_pointers {
            let segs: Vec<String> = pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
            remove_path(obj, &segs.iter().map(|s| JqStep::Key(s.clone())).collect::<Vec<_>>());
        }
        for expr in &ignore.jq_path_expressions {
            if let Some(steps) = parse_jq(expr) {
                remove_path(obj, &steps);
            }
        }
    }
}

/// A step of a simple jq path: `.key`, `[N]`, `[]`, `select(.k == "v")`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum JqStep {
    Key(String),
    Index(usize),
    Each,
    Select(String, String),
}

fn parse_jq(expr: &str) -> Option<Vec<JqStep>> {
    let mut steps = Vec::new();
    for part in expr.split('|').map(str::trim) {
        if let Some(inner) = part.strip_prefix("select(").and_then(|p| p.strip_suffix(')')) {
            let (field, value) = inner.split_once("==")?;
            steps.push(JqStep::Select(field.trim().trim_start_matches('.').to_string(), value.trim().trim_matches('"').to_string()));
            continue;
        }
        let mut rest = part;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[]") {
                steps.push(JqStep::Each);
                rest = r.strip_prefix('?').unwrap_or(r);
            } else if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                steps.push(JqStep::Index(r[..end].parse().ok()?));
                rest = &r[end + 1..];
            } else if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                if end > 0 {
                    steps.push(JqStep::Key(r[..end].trim_matches('"').to_string()));
                }
                rest = &r[end..];
            } else {
                return None;
            }
        }
    }
    Some(steps)
}

fn remove_path(value: &mut Value, steps: &[JqStep]) {
    let Some((first, rest)) = steps.split_first() else { return };
    let last = rest.is_empty();
    match first {
        JqStep::Key(k) => {
            if let Some(map) = value.as_object_mut() {
                if last {
                    map.remove(k);
                } else if let Some(child) = map.get_mut(k) {
                    remove_path(child, rest);
                }
            }
        }
        JqStep::Index(i) => {
            if let Some(items) = value.as_array_mut() {
                if last && *i < items.len() {
                    items.remove(*i);
                } else if let Some(child) = items.get_mut(*i) {
                    remove_path(child, rest);
                }
            }
        }
        JqStep::Each => {
            if let Some(items) = value.as_array_mut() {
                for child in items.iter_mut() {
                    remove_path(child, rest);
                }
            }
        }
        JqStep::Select(field, want) => {
            if value.get(field).and_then(Value::as_str) == Some(want.as_str()) || value.get(field).is_some_and(|v| v.to_string() == *want) {
                remove_path(value, rest);
            }
        }
    }
}

/// Removes what Argo CD never compares: status, server-set metadata and the
/// last-applied annotation.
pub fn normalize(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(map) = o.as_object_mut() {
        map.remove("status");
    }
    if let Some(md) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink"] {
            md.remove(field);
        }
        if let Some(anns) = md.get_mut("annotations").and_then(Value::as_object_mut) {
            anns.remove(apply::LAST_APPLIED);
            if anns.is_empty() {
                md.remove("annotations");
            }
        }
    }
    o
}

/// `argocd app diff`'s body for one resource: plain `diff` output of live against desired,
/// leaving out the fields `ignores` name.
pub fn diff_text(live: Option<&Value>, desired: Option<&Value>, ignores: &[IgnoreDifference]) -> String {
    let stripped = |mut v: Value| {
        strip_ignored(&mut v, ignores);
        yaml::to_yaml(&v)
    };
    let live_yaml = live.map(|l| stripped(normalize(l))).unwrap_or_default();
    let target_yaml = match (live, desired) {
        (Some(l), Some(d)) => stripped(predicted_live(l, d)),
        (None, Some(d)) => stripped(normalize(d)),
        _ => String::new(),
    };
    normal_diff(&live_yaml, &target_yaml)
}

/// The classic `diff` format: `5c5`, `< old`, `---`, `> new`.
pub fn normal_diff(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let range = |start: usize, len: usize| {
        if len <= 1 { format!("{}", start + 1) } else { format!("{},{}", start + 1, start + len) }
    };
    let mut out = String::new();
    let ops = diff.ops().to_vec();
    let mut i = 0;
    while i < ops.len() {
        let (mut del, mut ins) = (None, None);
        match ops[i] {
            DiffOp::Equal { .. } => {
                i += 1;
                continue;
            }
            DiffOp::Delete { old_index, old_len, new_index } => {
                del = Some((old_index, old_len, new_index));
                if let Some(DiffOp::Insert { new_index, new_len, .. }) = ops.get(i + 1) {
                    ins = Some((old_index + old_len, *new_index, *new_len));
                    i += 1;
                }
            }
            DiffOp::Insert { old_index, new_index, new_len } => ins = Some((old_index, new_index, new_len)),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                del = Some((old_index, old_len, new_index));
                ins = Some((old_index + old_len, new_index, new_len));
            }
        }
        i += 1;
        match (del, ins) {
            (Some((os, ol, _)), Some((_, ns, nl))) => {
                out.push_str(&format!("{}c{}\n", range(os, ol), range(ns, nl)));
                old_lines[os..os + ol].iter().for_each(|l| out.push_str(&format!("< {l}\n")));
                out.push_str("---\n");
                new_lines[ns..ns + nl].iter().for_each(|l| out.push_str(&format!("> {l}\n")));
            }
            (Some((os, ol, ni)), None) => {
                out.push_str(&format!("{}d{}\n", range(os, ol), ni));
                old_lines[os..os + ol].iter().for_each(|l| out.push_str(&format!("< {l}\n")));
            }
            (None, Some((oi, ns, nl))) => {
                out.push_str(&format!("{}a{}\n", oi, range(ns, nl)));
                new_lines[ns..ns + nl].iter().for_each(|l| out.push_str(&format!("> {l}\n")));
            }
            (None, None) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn manifest(replicas: i64) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
               "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}})
    }

    fn live_from(desired: &Value) -> Value {
        let mut live = apply::merge(None, desired);
        defaults::apply(&mut live, &mut SimRng::new(1));
        live["metadata"]["uid"] = json!("u");
        live["status"] = json!({"replicas": 3});
        live
    }

    #[test]
    fn defaults_and_status_are_not_drift() {
        let desired = manifest(3);
        assert!(is_synced_ignoring(&desired, &live_from(&desired), &[]));
    }

    #[test]
    fn a_declared_field_changed_live_is_drift() {
        let desired = manifest(3);
        let mut live = live_from(&desired);
        live["spec"]["replicas"] = json!(5);
        assert!(!is_synced_ignoring(&desired, &live, &[]));
        let text = diff_text(Some(&live), Some(&desired), &[]);
        assert!(text.contains("<   replicas: 5\n---\n>   replicas: 3\n"), "{text}");
    }

    #[test]
    fn an_undeclared_field_changed_live_is_not_drift() {
        let mut desired = manifest(3);
        desired["spec"].as_object_mut().unwrap().remove("replicas");
        let mut live = live_from(&desired);
        live["spec"]["replicas"] = json!(5);
        assert!(is_synced_ignoring(&desired, &live, &[]));
    }

    #[test]
    fn ignore_differences_by_pointer_and_jq_path() {
        let desired = manifest(3);
        let mut live = live_from(&desired);
        live["spec"]["replicas"] = json!(5);
        live["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
        let by_pointer = IgnoreDifference {
            group: "apps".into(),
            kind: "Deployment".into(),
            json_pointers: vec!["/spec/replicas".into()],
            ..Default::default()
        };
        let by_jq = IgnoreDifference {
            kind: "Deployment".into(),
            jq_path_expressions: vec![".spec.template.spec.containers[] | select(.name == \"web\") | .image".into()],
            ..Default::default()
        };
        assert!(!is_synced_ignoring(&desired, &live, std::slice::from_ref(&by_pointer)));
        assert!(is_synced_ignoring(&desired, &live, &[by_pointer.clone(), by_jq]));
        let other_kind =
            IgnoreDifference { kind: "StatefulSet".into(), json_pointers: vec!["/spec/replicas".into()], ..Default::default() };
        live["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.27");
        assert!(!is_synced_ignoring(&desired, &live, &[other_kind]));
        assert!(is_synced_ignoring(&desired, &live, &[by_pointer]));
    }

    #[test]
    fn normal_diff_format() {
        assert_eq!(normal_diff("a\nb\nc\n", "a\nB\nc\n"), "2c2\n< b\n---\n> B\n");
        assert_eq!(normal_diff("a\nb\n", "a\n"), "2d1\n< b\n");
        assert_eq!(normal_diff("a\n", "a\nb\n"), "1a2\n> b\n");
    }
}
