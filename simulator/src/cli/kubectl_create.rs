//! `kubectl create namespace|configmap|deployment` and `kubectl label|annotate`, as
//! kubectl 1.33 prints them (`--dry-run=client -o yaml` prints the object kubectl would send).

use serde_json::{Map, Value, json};

use super::{CommandOutput, Host, take_flag, take_switch};
use crate::kube::meta::{self, ObjectKey, SetPath};
use crate::kube::resource_type;

/// `kubectl create KIND NAME [flags]` in namespace `ns`.
pub fn create(world: &mut dyn Host, ns: &str, mut args: Vec<String>) -> CommandOutput {
    let dry_run = take_flag(&mut args, &["--dry-run"]).unwrap_or_else(|| "none".into());
    let output = take_flag(&mut args, &["-o", "--output"]);
    let literals: Vec<String> = std::iter::from_fn(|| take_flag(&mut args, &["--from-literal"])).collect();
    let images: Vec<String> = std::iter::from_fn(|| take_flag(&mut args, &["--image"])).collect();
    let replicas = take_flag(&mut args, &["-r", "--replicas"]);
    let Some(kind) = args.first().cloned() else {
        return CommandOutput::err("error: Required resource not specified.\nSee 'kubectl create -h' for help and examples\n", 1);
    };
    let sub = match kind.as_str() {
        "namespace" | "ns" => "namespace",
        "configmap" | "cm" => "configmap",
        "deployment" | "deploy" => "deployment",
        other => {
            return CommandOutput::err(format!("error: unknown command \"{other}\" for \"kubectl create\"\n"), 1);
        }
    };
    let Some(name) = args.get(1).cloned() else {
        return CommandOutput::err(
            format!("error: exactly one NAME is required, got 0\nSee 'kubectl create {sub} -h' for help and examples\n"),
            1,
        );
    };
    let obj = match sub {
        "namespace" => {
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"creationTimestamp": null, "name": name}, "spec": {}, "status": {}})
        }
        "configmap" => {
            let mut data = Map::new();
            for l in &literals {
                let Some((k, v)) = l.split_once('=') else {
                    return CommandOutput::err(format!("error: invalid literal source {l}, expected key=value\n"), 1);
                };
                data.insert(k.to_string(), json!(v));
            }
            let mut cm =
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"creationTimestamp": null, "name": name, "namespace": ns}});
            if !data.is_empty() {
                cm.set_path(&["data"], Value::Object(data));
            }
            cm
        }
        _ => {
            let Some(image) = images.first() else {
                return CommandOutput::err("error: required flag(s) \"image\" not set\n", 1);
            };
            let container = image.rsplit('/').next().unwrap_or(image).split([':', '@']).next().unwrap_or(image).to_string();
            let replicas: i64 = replicas.and_then(|r| r.parse().ok()).unwrap_or(1);
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"creationTimestamp": null, "labels": {"app": name}, "name": name, "namespace": ns},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "strategy": {},
                    "template": {"metadata": {"creationTimestamp": null, "labels": {"app": name}},
                        "spec": {"containers": [{"image": image, "name": container, "resources": {}}]}}},
                "status": {}})
        }
    };
    let rt = match sub {
        "namespace" => resource_type("namespaces"),
        "configmap" => resource_type("configmaps"),
        _ => resource_type("deployments"),
    }
    .expect("built-in types");
    let shown = format!("{}/{name}", rt.kubectl_name());
    if dry_run == "client" {
        return match output.as_deref() {
            Some("yaml") => CommandOutput::ok(crate::yaml::to_yaml(&obj)),
            Some("json") => CommandOutput::ok(format!("{}\n", serde_json::to_string_pretty(&obj).unwrap_or_default())),
            Some("name") => CommandOutput::ok(format!("{shown}\n")),
            _ => CommandOutput::ok(format!("{shown} created (dry run)\n")),
        };
    }
    let mut stored = obj;
    if let Some(m) = stored.as_object_mut() {
        m.remove("status");
        if sub == "namespace" {
            m.remove("spec");
        }
    }
    if let Some(md) = stored.get_mut("metadata").and_then(Value::as_object_mut) {
        md.remove("creationTimestamp");
    }
    if let Some(t) = stored.pointer_mut("/spec/template/metadata").and_then(Value::as_object_mut) {
        t.remove("creationTimestamp");
    }
    match world.model_mut().create_object(stored) {
        Ok(_) => {
            world.settle();
            CommandOutput::ok(format!("{shown} created\n"))
        }
        Err(e) => CommandOutput::err(format!("{e}\n"), 1),
    }
}

/// Which metadata map `label` and `annotate` change.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Labels,
    Annotations,
}

/// `kubectl label|annotate TYPE NAME KEY=VALUE... KEY- [--overwrite]`.
pub fn label(world: &mut dyn Host, ns: &str, mut args: Vec<String>, field: Field) -> CommandOutput {
    let verb = if field == Field::Labels { "label" } else { "annotate" };
    let overwrite = take_switch(&mut args, &["--overwrite"]);
    let (target, changes): (Vec<String>, Vec<String>) = args.into_iter().partition(|a| !a.contains('=') && !a.ends_with('-'));
    let (type_name, name) = match target.as_slice() {
        [t] if t.contains('/') => {
            let (a, b) = t.split_once('/').unwrap_or_default();
            (a.to_string(), b.to_string())
        }
        [t, n] => (t.clone(), n.clone()),
        _ => {
            return CommandOutput::err(
                format!(
                    "error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl {verb} -h' for help and examples\n"
                ),
                1,
            );
        }
    };
    let Some(rt) = resource_type(&type_name) else {
        return CommandOutput::err(format!("error: the server doesn't have a resource type \"{type_name}\"\n"), 1);
    };
    if changes.is_empty() {
        let what = if field == Field::Labels { "labels" } else { "annotations" };
        return CommandOutput::err(
            format!("error: at least one {what} update is required\nSee 'kubectl {verb} -h' for help and examples\n"),
            1,
        );
    }
    let key = ObjectKey::new(rt.group, rt.kind, if rt.namespaced { ns } else { "" }, &name);
    let Some(mut obj) = world.model().cluster().store.get(&key).cloned() else {
        return CommandOutput::err(format!("Error from server (NotFound): {} \"{name}\" not found\n", rt.qualified_plural()), 1);
    };
    let section = if field == Field::Labels { "labels" } else { "annotations" };
    let mut map = meta::ensure_map(&mut obj, &["metadata", section]).clone();
    let before = map.clone();
    for change in &changes {
        if let Some(k) = change.strip_suffix('-').filter(|_| !change.contains('=')) {
            map.remove(k);
            continue;
        }
        let (k, v) = change.split_once('=').unwrap_or((change, ""));
        if let Some(old) = map.get(k).and_then(Value::as_str) {
            if old != v && !overwrite {
                return CommandOutput::err(format!("error: '{k}' already has a value ({old}), and --overwrite is false\n"), 1);
            }
        }
        map.insert(k.to_string(), json!(v));
    }
    let shown = format!("{}/{name}", rt.kubectl_name());
    if map == before {
        return CommandOutput::ok(format!("{shown} not {}\n", if field == Field::Labels { "labeled" } else { "annotated" }));
    }
    let removed_only = map.len() < before.len() && map.iter().all(|(k, v)| before.get(k) == Some(v));
    *meta::ensure_map(&mut obj, &["metadata", section]) = map;
    match world.model_mut().update_object(obj) {
        Ok(_) => {
            world.settle();
            let word = match (field, removed_only) {
                (Field::Labels, true) => "unlabeled",
                (Field::Labels, false) => "labeled",
                (Field::Annotations, _) => "annotated",
            };
            CommandOutput::ok(format!("{shown} {word}\n"))
        }
        Err(e) => CommandOutput::err(format!("{e}\n"), 1),
    }
}
