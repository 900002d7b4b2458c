//! The `images` transformer: rewrites every `containers[]`/`initContainers[]`
//! image whose name matches, anywhere in any kind but CRDs.

use serde_json::Value;

use super::Res;
use crate::kube::meta::SetPath;

pub fn apply(resources: &mut [Res], rule: &Value) {
    let name = rule.get("name").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() {
        return;
    }
    for r in resources.iter_mut().filter(|r| r.kind() != "CustomResourceDefinition") {
        walk(&mut r.obj, rule, name);
    }
}

fn walk(v: &mut Value, rule: &Value, name: &str) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if (k == "containers" || k == "initContainers") && child.is_array() {
                    for c in child.as_array_mut().into_iter().flatten() {
                        if let Some(image) = c.get("image").and_then(Value::as_str).map(String::from) {
                            if let Some(new) = rewrite(&image, rule, name) {
                                c.set_path(&["image"], Value::String(new));
                            }
                        }
                    }
                }
                walk(child, rule, name);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| walk(x, rule, name)),
        _ => {}
    }
}

/// Splits `registry:5000/app:tag@sha256:x` into name, tag and digest.
pub fn split(image: &str) -> (String, Option<String>, Option<String>) {
    let (rest, digest) = match image.find('@') {
        Some(i) => (&image[..i], Some(image[i + 1..].to_string())),
        None => (image, None),
    };
    let search_from = rest.find('/').map_or(0, |i| i + 1);
    match rest[search_from..].rfind(':') {
        Some(i) => (rest[..search_from + i].to_string(), Some(rest[search_from + i + 1..].to_string()), digest),
        None => (rest.to_string(), None, digest),
    }
}

fn rewrite(image: &str, rule: &Value, name: &str) -> Option<String> {
    let (current, tag, digest) = split(image);
    if current != name {
        return None;
    }
    let field = |k: &str| rule.get(k).and_then(|v| v.as_str().map(String::from).or_else(|| v.as_number().map(|n| n.to_string())));
    let new_name = field("newName").unwrap_or(current);
    let (new_tag, new_digest) = (field("newTag"), field("digest"));
    Some(match (new_tag, new_digest) {
        (Some(t), Some(d)) => format!("{new_name}:{t}@{d}"),
        (Some(t), None) => format!("{new_name}:{t}"),
        (None, Some(d)) => format!("{new_name}@{d}"),
        (None, None) => {
            let mut s = new_name;
            if let Some(t) = tag {
                s.push(':');
                s.push_str(&t);
            }
            if let Some(d) = digest {
                s.push('@');
                s.push_str(&d);
            }
            s
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_registry_ports_tags_and_digests() {
        assert_eq!(split("localhost:5000/app:1.0@sha256:ab"), ("localhost:5000/app".into(), Some("1.0".into()), Some("sha256:ab".into())));
        assert_eq!(split("nginx"), ("nginx".into(), None, None));
        assert_eq!(split("myhost:1234/my/image"), ("myhost:1234/my/image".into(), None, None));
    }
}
