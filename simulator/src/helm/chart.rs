//! A chart read from a file tree: `Chart.yaml` (apiVersion v2, or v1 with
//! `requirements.yaml`), `values.yaml`, `templates/`, `crds/`, the other files
//! (`.Files`), and subcharts in `charts/` with their conditions and aliases.

use std::collections::BTreeMap;

use crate::git::Snapshot;
use crate::helm::template::Value;

#[derive(Clone, Debug)]
pub struct Chart {
    /// The chart's name (a subchart's alias when it has one).
    pub name: String,
    /// `Chart.yaml` as written.
    pub metadata: serde_json::Value,
    /// `values.yaml`, numbers as float64 (as Helm reads YAML through JSON).
    pub values: Value,
    /// `templates/...` paths relative to the chart, with their text.
    pub templates: Vec<(String, String)>,
    pub crds: Vec<(String, String)>,
    /// Every other file, for `.Files`.
    pub files: BTreeMap<String, Vec<u8>>,
    pub dependencies: Vec<Chart>,
    /// `Chart.yaml`'s `dependencies` entries (conditions, tags, aliases).
    pub requirements: Vec<serde_json::Value>,
}

impl Chart {
    pub fn is_library(&self) -> bool {
        self.metadata.get("type").and_then(|t| t.as_str()) == Some("library")
    }

    pub fn version(&self) -> &str {
        self.metadata.get("version").and_then(|t| t.as_str()).unwrap_or("")
    }
}

/// Whether `dir` in `files` is a chart (it holds a `Chart.yaml`), as Argo CD decides.
pub fn is_chart_dir(files: &Snapshot, dir: &str) -> bool {
    files.contains_key(&join(dir, "Chart.yaml"))
}

pub fn join(dir: &str, name: &str) -> String {
    let dir = dir.trim_matches('/');
    if dir.is_empty() || dir == "." { name.to_string() } else { format!("{dir}/{name}") }
}

/// Loads the chart in `dir`. Errors read as Helm's.
pub fn load(files: &Snapshot, dir: &str) -> Result<Chart, String> {
    let dir = dir.trim_matches('/').trim_start_matches("./");
    let dir = if dir == "." { "" } else { dir };
    let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
    let mine: Vec<(&String, &String)> = files.iter().filter(|(p, _)| p.starts_with(&prefix)).collect();
    if mine.is_empty() {
        return Err(format!("path \"{}\" not found", if dir.is_empty() { "." } else { dir }));
    }
    let Some(chart_yaml) = files.get(&format!("{prefix}Chart.yaml")) else {
        return Err("Chart.yaml file is missing".into());
    };
    let metadata = crate::yaml::parse_documents(chart_yaml, "Chart.yaml")
        .map_err(|e| format!("cannot load Chart.yaml: error converting YAML to JSON: yaml: line {}: {}", e.line.unwrap_or(0), e.message))?
        .into_iter()
        .next()
        .unwrap_or(serde_json::json!({}));
    let field = |k: &str| metadata.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let api = field("apiVersion");
    if api.is_empty() {
        return Err("validation: chart.metadata.apiVersion is required".into());
    }
    if field("name").is_empty() {
        return Err("validation: chart.metadata.name is required".into());
    }
    if field("version").is_empty() {
        return Err("validation: chart.metadata.version is required".into());
    }
    if crate::helm::template::semver::Version::parse(&field("version")).is_err() {
        return Err(format!("validation: chart.metadata.version {:?} is invalid", field("version")));
    }
    if !matches!(field("type").as_str(), "" | "application" | "library") {
        return Err("validation: chart.metadata.type must be application or library".into());
    }
    if api != "v1" && api != "v2" {
        return Err(format!("validation: chart.metadata.apiVersion {api:?} is invalid"));
    }
    let values = match files.get(&format!("{prefix}values.yaml")) {
        Some(text) => parse_values(text, "values.yaml")?,
        None => Value::empty_map(),
    };
    let mut requirements: Vec<serde_json::Value> = metadata.get("dependencies").and_then(|d| d.as_array()).cloned().unwrap_or_default();
    if api == "v1" {
        if let Some(text) = files.get(&format!("{prefix}requirements.yaml")) {
            let doc = crate::yaml::parse_documents(text, "requirements.yaml").map_err(|e| e.to_string())?;
            requirements = doc.first().and_then(|d| d.get("dependencies")).and_then(|d| d.as_array()).cloned().unwrap_or_default();
        }
    }
    let mut chart = Chart {
        name: field("name"),
        metadata,
        values,
        templates: Vec::new(),
        crds: Vec::new(),
        files: BTreeMap::new(),
        dependencies: Vec::new(),
        requirements,
    };
    let mut subdirs: Vec<String> = Vec::new();
    for (path, text) in mine {
        let rel = &path[prefix.len()..];
        if let Some(sub) = rel.strip_prefix("charts/") {
            if let Some((name, _)) = sub.split_once('/') {
                if !subdirs.iter().any(|s| s == name) {
                    subdirs.push(name.to_string());
                }
            } else if sub.ends_with(".tgz") {
                return Err(format!("{rel}: packaged subcharts (.tgz) are not supported in the simulator; unpack it into charts/"));
            }
            continue;
        }
        match rel {
            "Chart.yaml" | "values.yaml" | "requirements.yaml" | "requirements.lock" | "Chart.lock" => {
                if rel.ends_with(".lock") || rel == "requirements.yaml" {
                    chart.files.insert(rel.to_string(), text.as_bytes().to_vec());
                }
            }
            _ if rel.starts_with("templates/") => chart.templates.push((rel.to_string(), text.clone())),
            _ => {
                if rel.starts_with("crds/") && (rel.ends_with(".yaml") || rel.ends_with(".yml") || rel.ends_with(".json")) {
                    chart.crds.push((rel.to_string(), text.clone()));
                }
                chart.files.insert(rel.to_string(), text.as_bytes().to_vec());
            }
        }
    }
    for sub in subdirs {
        let sub_dir = format!("{prefix}charts/{sub}");
        if !files.contains_key(&format!("{sub_dir}/Chart.yaml")) {
            continue;
        }
        chart.dependencies.push(load(files, &sub_dir).map_err(|e| format!("error unpacking subchart {sub} in {}: {e}", chart.name))?);
    }
    // Aliases copy a subchart under another name; a dependency that is declared
    // but absent is an error, as `helm template` reports it.
    let mut deps = Vec::new();
    for req in &chart.requirements {
        let name = req.get("name").and_then(|v| v.as_str()).unwrap_or("");
        let Some(found) = chart.dependencies.iter().find(|c| c.name == name) else {
            return Err(format!("found in Chart.yaml, but missing in charts/ directory: {name}"));
        };
        let mut c = found.clone();
        if let Some(alias) = req.get("alias").and_then(|v| v.as_str()) {
            c.name = alias.to_string();
        }
        deps.push(c);
    }
    for c in &chart.dependencies {
        if !chart.requirements.iter().any(|r| r.get("name").and_then(|v| v.as_str()) == Some(&c.name)) {
            deps.push(c.clone());
        }
    }
    chart.dependencies = deps;
    Ok(chart)
}

/// Reads a values file as Helm does; an error names the file and line.
pub fn parse_values(text: &str, file: &str) -> Result<Value, String> {
    let docs = crate::yaml::parse_documents(text, file).map_err(|e| format!("failed to parse {file}: {}", super::go_yaml_error(&e)))?;
    match docs.into_iter().next() {
        None => Ok(Value::empty_map()),
        Some(v @ serde_json::Value::Object(_)) => Ok(Value::from_json(&v)),
        Some(_) => Err(format!(
            "failed to parse {file}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {{}}"
        )),
    }
}

/// Helm's `coalesceTables`: `dst` wins, maps merge, a null in `dst` removes the key.
pub fn coalesce_tables(dst: &Value, src: &Value) {
    let (Value::Map(d), Value::Map(s)) = (dst, src) else { return };
    let src_items: Vec<(String, Value)> = s.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, sv) in src_items {
        let existing = d.borrow().get(&k).cloned();
        match existing {
            Some(Value::Nil) => {
                d.borrow_mut().remove(&k);
            }
            Some(dv @ Value::Map(_)) => {
                if let Value::Map(_) = sv {
                    coalesce_tables(&dv, &sv);
                }
            }
            Some(_) => {}
            None => {
                d.borrow_mut().insert(k, sv.deep_copy());
            }
        }
    }
}

/// `helm install -f a -f b`: later files merge over earlier ones, maps deeply.
pub fn merge_user_values(base: &Value, overlay: &Value) {
    let (Value::Map(b), Value::Map(o)) = (base, overlay) else { return };
    let items: Vec<(String, Value)> = o.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, ov) in items {
        let existing = b.borrow().get(&k).cloned();
        match (existing, &ov) {
            (Some(bv @ Value::Map(_)), Value::Map(_)) => merge_user_values(&bv, &ov),
            _ => {
                b.borrow_mut().insert(k, ov.deep_copy());
            }
        }
    }
}

/// The values each chart sees: user values over the chart's defaults, each
/// subchart's under its name with the parent's `global` copied in.
pub fn coalesce(chart: &Chart, user: &Value) -> Value {
    let dest = user.deep_copy();
    if !matches!(dest, Value::Map(_)) {
        return coalesce(chart, &Value::empty_map());
    }
    coalesce_chart(chart, &dest);
    dest
}

fn coalesce_chart(chart: &Chart, dest: &Value) {
    coalesce_tables(dest, &chart.values);
    let Value::Map(d) = dest else { return };
    for sub in &chart.dependencies {
        let existing = d.borrow().get(&sub.name).cloned();
        let child = match existing {
            Some(v @ Value::Map(_)) => v,
            _ => {
                let v = Value::empty_map();
                d.borrow_mut().insert(sub.name.clone(), v.clone());
                v
            }
        };
        coalesce_globals(&child, dest);
        coalesce_chart(sub, &child);
    }
}

fn coalesce_globals(child: &Value, parent: &Value) {
    let (Value::Map(c), Some(Value::Map(pg))) = (child, parent.get("global")) else { return };
    let dg = match c.borrow().get("global").cloned() {
        Some(v @ Value::Map(_)) => v,
        _ => Value::empty_map(),
    };
    let Value::Map(dgm) = &dg else { return };
    let items: Vec<(String, Value)> = pg.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, v) in items {
        let existing = dgm.borrow().get(&k).cloned();
        match (&v, existing) {
            (Value::Map(_), Some(dv @ Value::Map(_))) => {
                let vv = v.deep_copy();
                coalesce_tables(&vv, &dv);
                dgm.borrow_mut().insert(k, vv);
            }
            _ => {
                dgm.borrow_mut().insert(k, v.deep_copy());
            }
        }
    }
    c.borrow_mut().insert("global".into(), dg.clone());
}

/// Drops subcharts whose `condition` (or `tags`) is false in the coalesced values.
pub fn process_conditions(chart: &mut Chart, values: &Value) {
    let reqs = chart.requirements.clone();
    let mut keep = Vec::new();
    for dep in chart.dependencies.drain(..) {
        let req = reqs.iter().find(|r| {
            r.get("alias").and_then(|v| v.as_str()).unwrap_or_else(|| r.get("name").and_then(|v| v.as_str()).unwrap_or("")) == dep.name
        });
        let mut enabled = true;
        if let Some(req) = req {
            let mut decided = false;
            if let Some(cond) = req.get("condition").and_then(|v| v.as_str()) {
                for path in cond.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if let Some(Value::Bool(b)) = lookup_path(values, path) {
                        enabled = b;
                        decided = true;
                        break;
                    }
                }
            }
            if !decided {
                if let Some(tags) = req.get("tags").and_then(|v| v.as_array()) {
                    let tag_values: Vec<bool> = tags
                        .iter()
                        .filter_map(|t| t.as_str())
                        .filter_map(|t| match lookup_path(values, &format!("tags.{t}")) {
                            Some(Value::Bool(b)) => Some(b),
                            _ => None,
                        })
                        .collect();
                    if !tag_values.is_empty() {
                        enabled = tag_values.iter().any(|b| *b);
                    }
                }
            }
        }
        if enabled {
            let mut dep = dep;
            let sub_values = values.get(&dep.name).unwrap_or(Value::empty_map());
            process_conditions(&mut dep, &sub_values);
            keep.push(dep);
        }
    }
    chart.dependencies = keep;
}

fn lookup_path(values: &Value, path: &str) -> Option<Value> {
    let mut cur = values.clone();
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}
