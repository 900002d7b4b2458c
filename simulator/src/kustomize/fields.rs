//! The fields a kustomization may hold: kustomize decodes it strictly (an unknown field or a
//! wrong shape is `invalid Kustomization: json: ...`), and the fields this renderer does not
//! implement are refused by name rather than ignored.

use serde_json::Value;

use super::{KustomizeError, err};

/// Every top-level field of kustomize v5.6's `types.Kustomization`.
const KNOWN: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

/// Fields kustomize knows that this renderer does not implement: a build that meets one fails
/// and names it, so a repository never renders without something it asked for.
const NOT_IMPLEMENTED: &[&str] = &[
    "openapi",
    "imageTags",
    "replacements",
    "vars",
    "crds",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

/// Fields whose value kustomize decodes as a list.
const LISTS: &[&str] = &[
    "resources",
    "bases",
    "components",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
    "replicas",
    "labels",
    "configMapGenerator",
    "secretGenerator",
];

/// Fields whose value kustomize decodes as a string.
const STRINGS: &[&str] = &["apiVersion", "kind", "namePrefix", "nameSuffix", "namespace"];

/// Checks a parsed kustomization found at `path`.
pub fn check(k: &Value, path: &str) -> Result<(), KustomizeError> {
    let invalid = |detail: String| err(format!("invalid Kustomization: json: {detail}"));
    if let Some(problem) = not_a_map(k) {
        return Err(err(problem));
    }
    let Some(map) = k.as_object() else { return Ok(()) };
    if let Some(unknown) = map.keys().find(|key| !KNOWN.contains(&key.as_str())) {
        return Err(invalid(format!("unknown field \"{unknown}\"")));
    }
    for (key, value) in map {
        let want = if LISTS.contains(&key.as_str()) {
            Some(("array", value.is_array()))
        } else if STRINGS.contains(&key.as_str()) {
            Some(("string", value.is_string()))
        } else if matches!(key.as_str(), "commonLabels" | "commonAnnotations") {
            Some(("object", value.is_object()))
        } else {
            None
        };
        if let Some((_, false)) = want.filter(|_| !value.is_null()) {
            return Err(invalid(format!(
                "cannot unmarshal {} into Go struct field Kustomization.{key} of type {}",
                crate::kube::schema::go_value_word(value),
                go_type(key)
            )));
        }
    }
    let not_implemented = |field: &str| {
        err(format!("gitops-lab's kustomize does not implement `{field}` (in '{path}'): this simulator cannot build this kustomization"))
    };
    if let Some(field) = map.keys().find(|key| NOT_IMPLEMENTED.contains(&key.as_str()) && !is_empty(&map[key.as_str()])) {
        return Err(not_implemented(field));
    }
    for label in map.get("labels").and_then(Value::as_array).into_iter().flatten() {
        if label.get("fields").is_some_and(|f| !is_empty(f)) {
            return Err(not_implemented("labels[].fields"));
        }
    }
    for image in map.get("images").and_then(Value::as_array).into_iter().flatten() {
        if image.get("tagSuffix").is_some_and(|f| !is_empty(f)) {
            return Err(not_implemented("images[].tagSuffix"));
        }
    }
    Ok(())
}

/// kustomize's error for a kustomization that is not a map (a list, a string, a number).
pub fn not_a_map(k: &Value) -> Option<String> {
    match k {
        Value::Object(_) | Value::Null => None,
        other => Some(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go value of type types.Kustomization",
            crate::kube::schema::go_value_word(other)
        )),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// The Go type of a field of `types.Kustomization`, as its decoder names it.
fn go_type(key: &str) -> &'static str {
    match key {
        "resources" | "bases" | "components" | "patchesStrategicMerge" => "[]string",
        "patches" => "[]types.Patch",
        "patchesJson6902" => "[]types.Patch",
        "images" => "[]types.Image",
        "replicas" => "[]types.Replica",
        "labels" => "[]types.Label",
        "configMapGenerator" => "[]types.ConfigMapArgs",
        "secretGenerator" => "[]types.SecretArgs",
        "commonLabels" | "commonAnnotations" => "map[string]string",
        _ => "string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refuses_what_kustomize_refuses_and_names_what_is_not_built() {
        let e = |v: Value| check(&v, "k/kustomization.yaml").unwrap_err().to_string();
        assert_eq!(e(json!([1])), "Error: invalid Kustomization: json: cannot unmarshal array into Go value of type types.Kustomization");
        assert_eq!(e(json!("x")), "Error: invalid Kustomization: json: cannot unmarshal string into Go value of type types.Kustomization");
        assert_eq!(e(json!({"commonlabel": {"a": "b"}})), "Error: invalid Kustomization: json: unknown field \"commonlabel\"");
        assert!(e(json!({"replacements": [{"source": {}}]})).contains("does not implement `replacements`"));
        assert!(e(json!({"images": [{"name": "a", "tagSuffix": "-x"}]})).contains("images[].tagSuffix"));
        assert!(check(&json!({"resources": ["a.yaml"], "namePrefix": "x-"}), "k").is_ok());
    }
}
