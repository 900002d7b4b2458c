//! The ApplicationSet controller: each `ApplicationSet` in Argo CD's namespace
//! runs its generators (list, git directories, and the matrix of two of them)
//! into sets of parameters, renders its Application template once per set
//! (`{{param}}` placeholders, as fasttemplate does by default), and creates,
//! updates and deletes the Applications it owns to match.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

use crate::argo::ARGOCD_NAMESPACE;
use crate::controllers::Cluster;
use crate::git::Git;
use crate::kube::meta::SetPath;
use crate::kube::{ObjectKey, meta};
use crate::rng::SimRng;
use crate::time::SimTime;

/// One set of template parameters.
pub type Params = BTreeMap<String, String>;

/// Runs every ApplicationSet; returns whether it changed anything.
pub fn reconcile(cluster: &mut Cluster, git: &Git, now: SimTime, rng: &mut SimRng) -> bool {
    let sets: Vec<Value> = cluster.store.list("argoproj.io", "ApplicationSet", Some(ARGOCD_NAMESPACE)).cloned().collect();
    let mut worked = false;
    for set in sets {
        if meta::is_terminating(&set) {
            continue;
        }
        let name = meta::name(&set).to_string();
        let generated = generate_all(&set, git).and_then(|params| render_all(&set, &params));
        let (conditions, wanted) = match generated {
            Ok(apps) => (conditions_ok(now), apps),
            Err(message) => (conditions_err(&message, now), Vec::new()),
        };
        let ok = conditions[0]["status"] == json!("False");
        let owner = meta::owner_reference(&set);
        let uid = meta::uid(&set).to_string();
        if ok {
            let mut names = Vec::new();
            for mut app in wanted {
                let app_name = meta::name(&app).to_string();
                names.push(app_name.clone());
                app.set_path(&["metadata", "namespace"], json!(ARGOCD_NAMESPACE));
                app.set_path(&["metadata", "ownerReferences"], owner.clone());
                let key = ObjectKey::new("argoproj.io", "Application", ARGOCD_NAMESPACE, &app_name);
                match cluster.store.get(&key).cloned() {
                    None => {
                        app.set_path(&["apiVersion"], json!("argoproj.io/v1alpha1"));
                        app.set_path(&["kind"], json!("Application"));
                        worked |= cluster.store.create(app, now, rng).is_ok();
                    }
                    Some(live) if meta::controller_uid(&live) == Some(uid.as_str()) => {
                        if live["spec"] != app["spec"] || live["metadata"]["labels"] != app["metadata"]["labels"] {
                            let mut next = live.clone();
                            next.set_path(&["spec"], app["spec"].clone());
                            next.set_path(&["metadata", "labels"], app["metadata"]["labels"].clone());
                            if next["metadata"]["labels"].is_null() {
                                if let Some(md) = next["metadata"].as_object_mut() {
                                    md.remove("labels");
                                }
                            }
                            worked |= cluster.store.update(next, now, rng).is_ok();
                        }
                    }
                    // An Application of the same name that this set does not own is left alone.
                    Some(_) => {}
                }
            }
            let stale: Vec<ObjectKey> = cluster
                .store
                .list("argoproj.io", "Application", Some(ARGOCD_NAMESPACE))
                .filter(|a| meta::controller_uid(a) == Some(uid.as_str()) && !names.iter().any(|n| n == meta::name(a)))
                .filter_map(ObjectKey::of)
                .collect();
            for key in stale {
                worked |= cluster.store.delete(&key, now).is_ok();
            }
        }
        let resources: Vec<Value> = cluster
            .store
            .list("argoproj.io", "Application", Some(ARGOCD_NAMESPACE))
            .filter(|a| meta::controller_uid(a) == Some(uid.as_str()))
            .map(|a| {
                json!({
                    "group": "argoproj.io", "version": "v1alpha1", "kind": "Application",
                    "name": meta::name(a), "namespace": ARGOCD_NAMESPACE,
                    "status": a["status"]["sync"]["status"].as_str().unwrap_or(""),
                    "health": {"status": a["status"]["health"]["status"].as_str().unwrap_or("")},
                })
            })
            .collect();
        let previous = set.get("status").cloned().unwrap_or(Value::Null);
        let mut conditions = conditions;
        // A condition keeps its transition time while its status does not change.
        for c in conditions.iter_mut() {
            let before = previous["conditions"].as_array().into_iter().flatten().find(|p| p["type"] == c["type"]);
            if let Some(p) = before.filter(|p| p["status"] == c["status"] && p["message"] == c["message"]) {
                c.set_path(&["lastTransitionTime"], p["lastTransitionTime"].clone());
            }
        }
        let status = json!({"conditions": conditions, "resources": resources});
        if previous != status {
            let key = ObjectKey::new("argoproj.io", "ApplicationSet", ARGOCD_NAMESPACE, &name);
            cluster.store.update_status(&key, status, now);
        }
    }
    worked
}

fn conditions_ok(now: SimTime) -> Vec<Value> {
    let t = now.rfc3339();
    let msg = "Successfully generated parameters for all Applications";
    vec![
        json!({"type": "ErrorOccurred", "status": "False", "reason": "ApplicationSetUpToDate", "message": msg, "lastTransitionTime": t}),
        json!({"type": "ParametersGenerated", "status": "True", "reason": "ParametersGenerated", "message": msg, "lastTransitionTime": t}),
        json!({"type": "ResourcesUpToDate", "status": "True", "reason": "ApplicationSetUpToDate", "message": "ApplicationSet up to date", "lastTransitionTime": t}),
    ]
}

fn conditions_err(message: &str, now: SimTime) -> Vec<Value> {
    let t = now.rfc3339();
    vec![
        json!({"type": "ErrorOccurred", "status": "True", "reason": "ApplicationGenerationFromParamsError", "message": message, "lastTransitionTime": t}),
        json!({"type": "ParametersGenerated", "status": "False", "reason": "ErrorOccurred", "message": message, "lastTransitionTime": t}),
        json!({"type": "ResourcesUpToDate", "status": "False", "reason": "ApplicationGenerationFromParamsError", "message": message, "lastTransitionTime": t}),
    ]
}

/// Every parameter set of the set's generators, in order.
pub fn generate_all(set: &Value, git: &Git) -> Result<Vec<Params>, String> {
    if set["spec"]["goTemplate"] == json!(true) {
        return Err("goTemplate is not simulated here: use the default {{param}} templates".into());
    }
    let mut out = Vec::new();
    for g in set["spec"]["generators"].as_array().into_iter().flatten() {
        out.extend(generate(g, git, 0)?);
    }
    Ok(out)
}

fn generate(g: &Value, git: &Git, depth: usize) -> Result<Vec<Params>, String> {
    if let Some(list) = g.get("list") {
        return Ok(list["elements"].as_array().into_iter().flatten().map(element_params).collect());
    }
    if let Some(spec) = g.get("git") {
        if spec.get("files").is_some() {
            return Err("the git files generator is not simulated here: use directories".into());
        }
        return git_directories(spec, git);
    }
    if let Some(matrix) = g.get("matrix") {
        if depth > 0 {
            return Err("a matrix generator may not contain another matrix here".into());
        }
        let children: Vec<&Value> = matrix["generators"].as_array().into_iter().flatten().collect();
        let [first, second] = children.as_slice() else {
            return Err("a matrix generator needs exactly two child generators".into());
        };
        let (a, b) = (generate(first, git, depth + 1)?, generate(second, git, depth + 1)?);
        let mut out = Vec::new();
        for pa in &a {
            for pb in &b {
                let mut merged = pa.clone();
                for (k, v) in pb {
                    if merged.get(k).is_some_and(|old| old != v) {
                        return Err(format!("the matrix's generators both set the parameter `{k}`"));
                    }
                    merged.insert(k.clone(), v.clone());
                }
                out.push(merged);
            }
        }
        return Ok(out);
    }
    let kind = g.as_object().and_then(|m| m.keys().next().cloned()).unwrap_or_default();
    Err(format!("the {kind} generator is not simulated here: use list, git directories or matrix"))
}

/// A list element's parameters: its keys, with `values.x` for a nested `values` map.
fn element_params(element: &Value) -> Params {
    let mut out = Params::new();
    for (k, v) in element.as_object().into_iter().flatten() {
        match v {
            Value::Object(m) if k == "values" => {
                for (vk, vv) in m {
                    out.insert(format!("values.{vk}"), scalar(vv));
                }
            }
            other => {
                out.insert(k.clone(), scalar(other));
            }
        }
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The git directory generator: every directory of the repository at `revision` that matches
/// an included pattern and no excluded one.
fn git_directories(spec: &Value, git: &Git) -> Result<Vec<Params>, String> {
    let repo = spec["repoURL"].as_str().unwrap_or_default();
    let revision = spec["revision"].as_str().unwrap_or("HEAD");
    let Some(commit) = git.resolve_remote(repo, revision) else {
        return Err(format!("error generating params from git: unable to resolve '{revision}' in {repo}"));
    };
    let files = git.db.snapshot(&commit);
    let mut dirs: Vec<String> = files
        .keys()
        .flat_map(|p| {
            let parts: Vec<&str> = p.split('/').collect();
            (1..parts.len()).map(move |n| parts[..n].join("/")).collect::<Vec<_>>()
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    let patterns: Vec<(&str, bool)> = spec["directories"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["path"].as_str().unwrap_or_default(), d["exclude"].as_bool().unwrap_or(false)))
        .collect();
    let matches = |dir: &str, pattern: &str| path_glob(pattern, dir);
    Ok(dirs
        .into_iter()
        .filter(|d| patterns.iter().any(|(p, ex)| !ex && matches(d, p)) && !patterns.iter().any(|(p, ex)| *ex && matches(d, p)))
        .map(|d| {
            let mut params = Params::new();
            let segments: Vec<&str> = d.split('/').collect();
            let base = segments.last().copied().unwrap_or_default().to_string();
            params.insert("path".into(), d.clone());
            params.insert("path.path".into(), d.clone());
            params.insert("path.basenameNormalized".into(), normalize(&base));
            params.insert("path.basename".into(), base);
            for (i, s) in segments.iter().enumerate() {
                params.insert(format!("path[{i}]"), s.to_string());
            }
            params
        })
        .collect())
}

/// A glob over one path: `*` matches within one segment.
fn path_glob(pattern: &str, path: &str) -> bool {
    let (p, s): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == s.len() && p.iter().zip(&s).all(|(p, s)| segment_glob(p, s))
}

fn segment_glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => text.starts_with(head) && (0..=text.len() - head.len()).any(|i| segment_glob(tail, &text[head.len() + i..])),
    }
}

/// `path.basenameNormalized`: a name usable in Kubernetes (lower case, `-` for anything else).
fn normalize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c.to_ascii_lowercase() } else { '-' }).collect()
}

/// The Applications the template renders for each parameter set.
pub fn render_all(set: &Value, params: &[Params]) -> Result<Vec<Value>, String> {
    let template = &set["spec"]["template"];
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for p in params {
        let app = render(template, p)?;
        let name = meta::name(&app).to_string();
        if name.is_empty() {
            return Err("the template renders an Application without a name".into());
        }
        if !seen.insert(name.clone()) {
            return Err(format!("ApplicationSet {} contains applications with duplicate name: {name}", meta::name(set)));
        }
        out.push(json!({"metadata": app["metadata"].clone(), "spec": app["spec"].clone()}));
    }
    Ok(out)
}

fn render(v: &Value, params: &Params) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(substitute(s, params)?),
        Value::Array(items) => Value::Array(items.iter().map(|i| render(i, params)).collect::<Result<_, _>>()?),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(substitute(k, params)?, render(v, params)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Replaces each `{{ name }}` with its parameter; an unknown one stays as it is, as fasttemplate
/// leaves it.
fn substitute(text: &str, params: &Params) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let key = after[..end].trim();
        match params.get(key) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_their_parameters() {
        let params: Params = [("path.basename".to_string(), "payment-service".to_string()), ("env".into(), "prod".into())].into();
        assert_eq!(substitute("{{path.basename}}-{{ env }}", &params).unwrap(), "payment-service-prod");
        assert_eq!(substitute("{{unknown}}", &params).unwrap(), "{{unknown}}");
        assert!(path_glob("apps/*", "apps/payment-service"));
        assert!(!path_glob("apps/*", "apps/payment-service/base"));
        assert!(segment_glob("*-service", "order-service"));
        assert_eq!(normalize("Payment_Service"), "payment-service");
    }

    #[test]
    fn a_matrix_multiplies_its_generators() {
        let g = json!({"matrix": {"generators": [
            {"list": {"elements": [{"svc": "a"}, {"svc": "b"}]}},
            {"list": {"elements": [{"env": "dev"}, {"env": "staging"}, {"env": "prod"}]}},
        ]}});
        let out = generate(&g, &Git::default(), 0).unwrap();
        assert_eq!(out.len(), 6);
        assert_eq!(out[0]["svc"], "a");
        assert_eq!(out[5]["env"], "prod");
    }
}
