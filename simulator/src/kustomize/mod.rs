//! `kustomize build`, following kustomize v5.6: resources (files, folders,
//! nested overlays), generators with the content-hash suffix, components,
//! the builtin transformers in kustomize's order, name references, and the
//! legacy output order.

mod duplicate_keys;
pub mod edit;
pub(crate) mod generators;
pub(crate) mod images;
mod nameref;
mod order;
mod patches;
mod scope;
mod transform;

use serde_json::Value;
use std::fmt;

use crate::git::Snapshot;
use crate::kube::meta;

/// A build failure, in kustomize's words, with the file it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KustomizeError {
    pub message: String,
}

impl fmt::Display for KustomizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error: {}", self.message)
    }
}

pub(crate) fn err(message: impl Into<String>) -> KustomizeError {
    KustomizeError { message: message.into() }
}

/// One object being built, with the names it had before (for patches and references).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Res {
    pub obj: Value,
    /// Every (name, namespace) the object has had, oldest first, not counting the current one.
    pub previous: Vec<(String, String)>,
    /// Generated objects get a content-hash suffix at the end of the build.
    pub needs_hash: bool,
    /// The generator's `behavior` (create, merge, replace), for generated objects.
    pub behavior: Option<String>,
}

impl Res {
    pub fn new(obj: Value) -> Res {
        Res { obj, previous: Vec::new(), needs_hash: false, behavior: None }
    }

    pub fn kind(&self) -> &str {
        meta::kind(&self.obj)
    }

    pub fn name(&self) -> &str {
        meta::name(&self.obj)
    }

    pub fn namespace(&self) -> &str {
        meta::namespace(&self.obj)
    }

    pub fn group(&self) -> &str {
        crate::kube::split_api_version(self.obj.get("apiVersion").and_then(Value::as_str).unwrap_or("")).0
    }

    /// Whether `name` is this object's current or any earlier name.
    pub fn had_name(&self, name: &str) -> bool {
        self.name() == name || self.previous.iter().any(|(n, _)| n == name)
    }

    pub fn had_namespace(&self, ns: &str) -> bool {
        self.namespace() == ns || self.previous.iter().any(|(_, n)| n == ns)
    }

    /// Renames the object, remembering the old name.
    pub fn rename(&mut self, name: String) {
        let old = (self.name().to_string(), self.namespace().to_string());
        if old.0 != name {
            self.previous.push(old);
            meta::ensure_map(&mut self.obj, &["metadata"]).insert("name".into(), Value::String(name));
        }
    }

    pub fn set_namespace(&mut self, ns: &str) {
        let old = (self.name().to_string(), self.namespace().to_string());
        if old.1 != ns {
            self.previous.push(old);
            meta::ensure_map(&mut self.obj, &["metadata"]).insert("namespace".into(), Value::String(ns.to_string()));
        }
    }
}

/// Builds the kustomization in `dir` (a path in `files`) and returns the objects, in output order.
pub fn build(files: &Snapshot, dir: &str) -> Result<Vec<Value>, KustomizeError> {
    let dir = normalize(dir);
    let (resources, top) = transform::accumulate(files, &dir, 0)?;
    let mut resources = resources;
    generators::add_hashes(&mut resources);
    nameref::fix(&mut resources);
    resources.retain(|r| meta::annotation(&r.obj, "config.kubernetes.io/local-config") != Some("true"));
    order::sort(&mut resources, top.get("sortOptions"));
    Ok(resources.into_iter().map(|r| r.obj).collect())
}

/// `kustomize build` output: documents joined by `---`.
pub fn render(objects: &[Value]) -> String {
    objects.iter().map(crate::yaml::to_yaml).collect::<Vec<_>>().join("---\n")
}

/// Whether `dir` holds a kustomization file.
pub fn is_kustomization_dir(files: &Snapshot, dir: &str) -> bool {
    kustomization_file(files, &normalize(dir)).is_some()
}

/// The names a kustomization file may have, in the order kustomize looks for them.
pub const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The path of the kustomization file in `dir`, if there is one.
pub fn kustomization_file(files: &Snapshot, dir: &str) -> Option<String> {
    KUSTOMIZATION_FILES.iter().map(|f| join(dir, f)).find(|p| files.contains_key(p))
}

/// Joins and normalizes a relative path (`a/b` + `../c` → `a/c`).
pub(crate) fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        return normalize(rel);
    }
    normalize(&if dir.is_empty() { rel.to_string() } else { format!("{dir}/{rel}") })
}

pub(crate) fn normalize(path: &str) -> String {
    crate::git::normalize_path(path)
}

pub(crate) fn is_dir(files: &Snapshot, dir: &str) -> bool {
    let prefix = format!("{dir}/");
    // Paths sort as strings: the first path at or after the prefix tells.
    dir.is_empty()
        || files
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .next()
            .is_some_and(|(p, _)| p.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> Snapshot {
        entries.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
    }

    #[test]
    fn errors_read_like_kustomizes() {
        let missing = build(&files(&[("a/kustomization.yaml", "resources:\n- missing.yaml\n")]), "a").unwrap_err();
        assert!(missing.message.starts_with("accumulating resources: accumulation err='accumulating resources from 'missing.yaml': evalsymlink failure on '/a/missing.yaml'"), "{missing}");
        let cycle = build(&files(&[("b/kustomization.yaml", "resources:\n- ../b\n")]), "b").unwrap_err();
        assert!(cycle.message.contains("cycle detected: candidate root '/b' contains visited root '/b'"), "{cycle}");
        let no_target = build(
            &files(&[("c/kustomization.yaml", "resources:\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: nope\n"), ("c/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")]),
            "c",
        )
        .unwrap_err();
        assert_eq!(
            no_target.to_string(),
            "Error: no resource matches strategic merge patch \"ConfigMap.v1.[noGrp]/nope.[noNs]\": no matches for Id ConfigMap.v1.[noGrp]/nope.[noNs]; failed to find unique target for patch ConfigMap.v1.[noGrp]/nope.[noNs]"
        );
        let bad = build(&files(&[("d/kustomization.yaml", "resources:\n- bad.yaml\n"), ("d/bad.yaml", "kind: [\n")]), "d").unwrap_err();
        assert!(
            bad.message.starts_with("accumulating resources: accumulating resources from 'bad.yaml': MalformedYAMLError: yaml: line "),
            "{bad}"
        );
        let none = build(&files(&[("e/x.yaml", "a: b\n")]), "e").unwrap_err();
        assert!(
            none.message.starts_with("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory 'e'"),
            "{none}"
        );
    }

    #[test]
    fn patch_targets_are_anchored_go_regexps() {
        let kustomization = "resources:\n- cms.yaml\npatches:\n- target:\n    kind: ConfigMap\n    name: \"app-[a-z]+\"\n  patch: |-\n    - op: add\n      path: /data/patched\n      value: \"yes\"\n";
        let cms = ["app-api", "app-web2", "xapp-web"]
            .map(|n| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  a: b\n"))
            .join("---\n");
        let out = build(&files(&[("k/kustomization.yaml", kustomization), ("k/cms.yaml", &cms)]), "k").unwrap();
        let patched: Vec<&str> =
            out.iter().filter(|o| o["data"]["patched"] == "yes").map(|o| o["metadata"]["name"].as_str().unwrap()).collect();
        // As `kubectl kustomize` (v5.6) does: `app-web2` and `xapp-web` do not match the whole pattern.
        assert_eq!(patched, vec!["app-api"]);
        let bad = kustomization.replace("app-[a-z]+", "app-(");
        let e = build(&files(&[("k/kustomization.yaml", &bad), ("k/cms.yaml", &cms)]), "k").unwrap_err();
        assert!(e.message.starts_with("error parsing regexp: "), "{e}");
        assert!(e.message.ends_with("`^(?:app-()$`"), "{e}");
    }
}
