//! One kustomization, accumulated: its resources, generators and components,
//! then the builtin transformers in kustomize's fixed order.

use serde_json::{Map, Value, json};

use super::{KustomizeError, Res, err, generators, images, is_dir, join, kustomization_file, patches};
use super::scope::cluster_scoped;
use crate::git::Snapshot;
use crate::kube::meta;

/// Nested kustomizations deeper than this are a cycle.
const MAX_DEPTH: usize = 32;

/// Builds the kustomization (or component) in `dir`; returns its objects and its parsed file.
pub fn accumulate(files: &Snapshot, dir: &str, depth: usize) -> Result<(Vec<Res>, Value), KustomizeError> {
    let mut resources = Vec::new();
    let mut visiting = Vec::new();
    let k = accumulate_into(files, dir, depth, &mut resources, false, &mut visiting)?;
    Ok((resources, k))
}

fn abs(path: &str) -> String {
    format!("/{path}")
}

fn load_kustomization(files: &Snapshot, dir: &str) -> Result<(String, Value), KustomizeError> {
    let path = kustomization_file(files, dir).ok_or_else(|| {
        err(format!(
            "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
            if dir.is_empty() { "." } else { dir }
        ))
    })?;
    let docs = crate::yaml::parse_documents(&files[&path], &path).map_err(|e| err(format!("{path}: {}", e.message)))?;
    Ok((path, docs.into_iter().next().unwrap_or(json!({}))))
}

fn strings(k: &Value, field: &str) -> Vec<String> {
    k.get(field).and_then(Value::as_array).map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

/// Adds the kustomization in `dir` to `resources` (a component transforms everything accumulated so far).
fn accumulate_into(
    files: &Snapshot,
    dir: &str,
    depth: usize,
    resources: &mut Vec<Res>,
    as_component: bool,
    visiting: &mut Vec<String>,
) -> Result<Value, KustomizeError> {
    if depth > MAX_DEPTH {
        return Err(err(format!("cycle detected: '{dir}' includes itself")));
    }
    visiting.push(dir.to_string());
    let (_path, k) = load_kustomization(files, dir)?;
    let kind = k.get("kind").and_then(Value::as_str).unwrap_or("Kustomization");
    if as_component && kind != "Component" {
        return Err(err(format!("expected kind 'Component' for path '{dir}' but got '{kind}'")));
    }
    if !as_component && kind == "Component" && depth > 0 {
        return Err(err(format!("expected kind != 'Component' for path '{dir}'")));
    }
    let mut own = Vec::new();
    for entry in strings(&k, "resources").into_iter().chain(strings(&k, "bases")) {
        let target = join(dir, &entry);
        if kustomization_file(files, &target).is_some() {
            if visiting.contains(&target) {
                let a = abs(&target);
                return Err(err(format!(
                    "accumulating resources: accumulation err='accumulating resources from '{entry}': '{a}' must resolve to a file': cycle detected: candidate root '{a}' contains visited root '{a}'"
                )));
            }
            let mut sub = Vec::new();
            accumulate_into(files, &target, depth + 1, &mut sub, false, visiting)?;
            // References inside an included kustomization resolve there, per inclusion: the same
            // base included twice under different prefixes keeps each copy's references its own.
            super::nameref::fix(&mut sub);
            add_all(&mut own, sub)?;
        } else if let Some(text) = files.get(&target) {
            let docs = crate::yaml::parse_documents(text, &target).map_err(|e| {
                err(format!(
                    "accumulating resources: accumulating resources from '{entry}': MalformedYAMLError: yaml: line {}: {} in File: {entry}",
                    e.line.unwrap_or(0),
                    e.message
                ))
            })?;
            super::duplicate_keys::check(text)?;
            let mut loaded = Vec::new();
            for doc in docs {
                // `List` and typed lists (`ConfigMapList`, …) with items are expanded into their items.
                if meta::kind(&doc).ends_with("List") && doc.get("items").is_some_and(Value::is_array) {
                    loaded.extend(doc.get("items").and_then(Value::as_array).cloned().unwrap_or_default());
                } else {
                    loaded.push(doc);
                }
            }
            add_all(&mut own, loaded.into_iter().map(|o| Res::new(stringify_metadata(o))).collect())?;
        } else if is_dir(files, &target) {
            return Err(err(format!(
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{target}'"
            )));
        } else {
            let a = abs(&target);
            return Err(err(format!(
                "accumulating resources: accumulation err='accumulating resources from '{entry}': evalsymlink failure on '{a}' : lstat {a}: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '{a}' : lstat {a}: no such file or directory"
            )));
        }
    }
    if as_component {
        // A component's resources join the accumulated set before its transformers run.
        add_all(resources, own)?;
    } else {
        add_all(resources, own)?;
    }
    let options = k.get("generatorOptions").cloned().unwrap_or(Value::Null);
    for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
        for g in k.get(field).and_then(Value::as_array).into_iter().flatten() {
            let generated = generators::generate(files, dir, g, kind, &options)?;
            generators::add_generated(resources, generated)?;
        }
    }
    for component in strings(&k, "components") {
        let target = join(dir, &component);
        accumulate_into(files, &target, depth + 1, resources, true, visiting)?;
    }
    apply_transformers(files, dir, &k, resources)?;
    visiting.pop();
    Ok(k)
}

fn add_all(into: &mut Vec<Res>, items: Vec<Res>) -> Result<(), KustomizeError> {
    for r in items {
        let dup =
            into.iter().any(|x| x.kind() == r.kind() && x.group() == r.group() && x.name() == r.name() && x.namespace() == r.namespace());
        if dup {
            return Err(err(format!(
                "may not add resource with an already registered id: {}.{}.[noGrp]/{}.[noNs]",
                r.kind(),
                r.obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
                r.name()
            )));
        }
        into.push(r);
    }
    Ok(())
}

fn apply_transformers(files: &Snapshot, dir: &str, k: &Value, resources: &mut Vec<Res>) -> Result<(), KustomizeError> {
    for entry in k.get("patchesStrategicMerge").and_then(Value::as_array).into_iter().flatten() {
        let text = match entry.as_str() {
            Some(s) if files.contains_key(&join(dir, s)) => files[&join(dir, s)].clone(),
            Some(s) => s.to_string(),
            None => crate::yaml::to_yaml(entry),
        };
        patches::apply_smp_text(resources, &text, None)?;
    }
    for p in k.get("patches").and_then(Value::as_array).into_iter().flatten() {
        let text = patch_text(files, dir, p)?;
        if text.trim().is_empty() && p.get("target").is_none() {
            // An empty patch is read as an empty JSON 6902 patch, which needs a target.
            let path = p.get("path").and_then(Value::as_str).unwrap_or_default();
            return Err(err(format!("must specify a target for JSON patch [path: \"{path}\"]")));
        }
        patches::apply_patch_entry(resources, &text, p.get("target"), p.get("options"))?;
    }
    if let Some(ns) = k.get("namespace").and_then(Value::as_str) {
        namespace(resources, ns);
    }
    let prefix = k.get("namePrefix").and_then(Value::as_str).unwrap_or("");
    let suffix = k.get("nameSuffix").and_then(Value::as_str).unwrap_or("");
    if !prefix.is_empty() || !suffix.is_empty() {
        for r in resources.iter_mut().filter(|r| !matches!(r.kind(), "CustomResourceDefinition" | "APIService" | "Namespace")) {
            let name = format!("{prefix}{}{suffix}", r.name());
            r.rename(name);
        }
    }
    for entry in k.get("labels").and_then(Value::as_array).into_iter().flatten() {
        let pairs = entry.get("pairs").and_then(Value::as_object).cloned().unwrap_or_default();
        let selectors = entry.get("includeSelectors").and_then(Value::as_bool).unwrap_or(false);
        let templates = entry.get("includeTemplates").and_then(Value::as_bool).unwrap_or(false) || selectors;
        labels(resources, &pairs, selectors, templates);
    }
    if let Some(pairs) = k.get("commonLabels").and_then(Value::as_object) {
        labels(resources, pairs, true, true);
    }
    if let Some(pairs) = k.get("commonAnnotations").and_then(Value::as_object) {
        annotations(resources, pairs);
    }
    for p in k.get("patchesJson6902").and_then(Value::as_array).into_iter().flatten() {
        let text = patch_text(files, dir, p)?;
        patches::apply_json6902_text(resources, &text, p.get("target"))?;
    }
    for r in k.get("replicas").and_then(Value::as_array).into_iter().flatten() {
        let name = r.get("name").and_then(Value::as_str).unwrap_or("");
        let count = r.get("count").cloned().unwrap_or(json!(1));
        let mut hit = false;
        for res in resources
            .iter_mut()
            .filter(|x| matches!(x.kind(), "Deployment" | "ReplicationController" | "ReplicaSet" | "StatefulSet") && x.had_name(name))
        {
            meta::ensure_map(&mut res.obj, &["spec"]).insert("replicas".into(), count.clone());
            hit = true;
        }
        if !hit {
            return Err(err(format!(
                "resource with name {name} does not match a config with the following GVK [apps_v1_Deployment ReplicationController ReplicaSet StatefulSet]"
            )));
        }
    }
    for image in k.get("images").and_then(Value::as_array).into_iter().flatten() {
        images::apply(resources, image);
    }
    Ok(())
}

/// A patch entry's text: the file at `path`, or the inline `patch`.
fn patch_text(files: &Snapshot, dir: &str, entry: &Value) -> Result<String, KustomizeError> {
    match (entry.get("path").and_then(Value::as_str), entry.get("patch").and_then(Value::as_str)) {
        (Some(path), _) => {
            files.get(&join(dir, path)).cloned().ok_or_else(|| err(format!("open {}: no such file or directory", join(dir, path))))
        }
        (None, Some(inline)) if !inline.is_empty() => Ok(inline.to_string()),
        _ => {
            // kustomize quotes the entry as its PatchTransformer config, without the empty patch.
            let mut config = entry.clone();
            if let Some(m) = config.as_object_mut() {
                m.remove("patch");
            }
            let config = crate::yaml::to_yaml(&config);
            Err(err(format!(
                "trouble configuring builtin PatchTransformer with config: `\n{config}`: must specify one of patch and path in\n{}",
                config.trim_end()
            )))
        }
    }
}

/// Label and annotation values are strings in Kubernetes; kustomize writes numbers and booleans quoted.
fn stringify_metadata(mut obj: Value) -> Value {
    for field in ["labels", "annotations"] {
        if let Some(m) = obj.get_mut("metadata").and_then(|md| md.get_mut(field)).and_then(Value::as_object_mut) {
            for v in m.values_mut() {
                if !v.is_string() && !v.is_null() {
                    *v = Value::String(v.to_string());
                }
            }
        }
    }
    obj
}

fn namespace(resources: &mut [Res], ns: &str) {
    for r in resources.iter_mut() {
        if r.kind() == "Namespace" && r.group().is_empty() {
            r.rename(ns.to_string());
            continue;
        }
        if !cluster_scoped(r.kind()) {
            r.set_namespace(ns);
        }
        if matches!(r.kind(), "RoleBinding" | "ClusterRoleBinding") {
            for s in r.obj.get_mut("subjects").and_then(Value::as_array_mut).into_iter().flatten() {
                if s.get("name").and_then(Value::as_str) == Some("default") {
                    s["namespace"] = json!(ns);
                }
            }
        }
        if r.kind() == "CustomResourceDefinition" {
            if let Some(svc) = r.obj.pointer_mut("/spec/conversion/webhook/clientConfig/service").and_then(Value::as_object_mut) {
                svc.insert("namespace".into(), json!(ns));
            }
        }
        if r.kind() == "APIService" {
            if let Some(svc) = r.obj.pointer_mut("/spec/service").and_then(Value::as_object_mut) {
                svc.insert("namespace".into(), json!(ns));
            }
        }
    }
}

/// Template paths (pod templates) per kind, as field paths.
fn template_paths(kind: &str) -> Vec<Vec<&'static str>> {
    match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "ReplicationController" => {
            vec![vec!["spec", "template", "metadata"]]
        }
        "CronJob" => vec![vec!["spec", "jobTemplate", "metadata"], vec!["spec", "jobTemplate", "spec", "template", "metadata"]],
        _ => vec![],
    }
}

fn set_all(map: &mut Map<String, Value>, pairs: &Map<String, Value>) {
    for (k, v) in pairs {
        let v = match v {
            Value::String(s) => Value::String(s.clone()),
            Value::Null => Value::String(String::new()),
            other => Value::String(other.to_string()),
        };
        map.insert(k.clone(), v);
    }
}

fn labels(resources: &mut [Res], pairs: &Map<String, Value>, selectors: bool, templates: bool) {
    for r in resources.iter_mut() {
        let kind = r.kind().to_string();
        set_all(meta::ensure_map(&mut r.obj, &["metadata", "labels"]), pairs);
        if templates {
            for path in template_paths(&kind) {
                let mut p = path.clone();
                p.push("labels");
                set_all(meta::ensure_map(&mut r.obj, &p), pairs);
            }
            if kind == "StatefulSet" {
                for t in r
                    .obj
                    .get_mut("spec")
                    .and_then(|s| s.get_mut("volumeClaimTemplates"))
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    set_all(meta::ensure_map(t, &["metadata", "labels"]), pairs);
                }
            }
        }
        if selectors {
            match kind.as_str() {
                "Service" | "ReplicationController" => set_all(meta::ensure_map(&mut r.obj, &["spec", "selector"]), pairs),
                "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" => {
                    set_all(meta::ensure_map(&mut r.obj, &["spec", "selector", "matchLabels"]), pairs)
                }
                "Job" => {
                    if let Some(m) = r.obj.pointer_mut("/spec/selector/matchLabels").and_then(Value::as_object_mut) {
                        set_all(m, pairs);
                    }
                }
                "CronJob" => {
                    if let Some(m) = r.obj.pointer_mut("/spec/jobTemplate/spec/selector/matchLabels").and_then(Value::as_object_mut) {
                        set_all(m, pairs);
                    }
                }
                "PodDisruptionBudget" => {
                    if let Some(m) = r.obj.pointer_mut("/spec/selector/matchLabels").and_then(Value::as_object_mut) {
                        set_all(m, pairs);
                    }
                }
                "NetworkPolicy" => {
                    for path in [
                        &["spec", "podSelector"][..],
                        &["spec", "ingress", "from", "podSelector"],
                        &["spec", "egress", "to", "podSelector"],
                    ] {
                        set_existing_match_labels(&mut r.obj, path, pairs);
                    }
                }
                _ => {}
            }
            // kustomize's commonLabels field specs reach pod (anti-)affinity and topology
            // spread selectors of Deployments and StatefulSets, where a matchLabels exists.
            if matches!(kind.as_str(), "Deployment" | "StatefulSet") {
                for path in POD_SELECTOR_PATHS {
                    set_existing_match_labels(&mut r.obj, path, pairs);
                }
            }
        }
    }
}

/// The label selectors inside a pod template that commonLabels reaches (kustomize's `commonlabels.go`).
const POD_SELECTOR_PATHS: &[&[&str]] = &[
    &[
        "spec",
        "template",
        "spec",
        "affinity",
        "podAffinity",
        "preferredDuringSchedulingIgnoredDuringExecution",
        "podAffinityTerm",
        "labelSelector",
    ],
    &["spec", "template", "spec", "affinity", "podAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "labelSelector"],
    &[
        "spec",
        "template",
        "spec",
        "affinity",
        "podAntiAffinity",
        "preferredDuringSchedulingIgnoredDuringExecution",
        "podAffinityTerm",
        "labelSelector",
    ],
    &["spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "labelSelector"],
    &["spec", "template", "spec", "topologySpreadConstraints", "labelSelector"],
];

/// Adds `pairs` to `<path>/matchLabels` wherever it already exists (a field spec with
/// `create: false`), stepping into every item of a list on the way.
fn set_existing_match_labels(node: &mut Value, path: &[&str], pairs: &Map<String, Value>) {
    match (node, path.split_first()) {
        (Value::Array(items), _) => {
            for item in items {
                set_existing_match_labels(item, path, pairs);
            }
        }
        (Value::Object(map), Some((first, rest))) => {
            if let Some(child) = map.get_mut(*first) {
                set_existing_match_labels(child, rest, pairs);
            }
        }
        (node @ Value::Object(_), None) => {
            if let Some(m) = node.get_mut("matchLabels").and_then(Value::as_object_mut) {
                set_all(m, pairs);
            }
        }
        _ => {}
    }
}

fn annotations(resources: &mut [Res], pairs: &Map<String, Value>) {
    for r in resources.iter_mut() {
        let kind = r.kind().to_string();
        set_all(meta::ensure_map(&mut r.obj, &["metadata", "annotations"]), pairs);
        for path in template_paths(&kind) {
            let mut p = path.clone();
            p.push("annotations");
            set_all(meta::ensure_map(&mut r.obj, &p), pairs);
        }
    }
}
