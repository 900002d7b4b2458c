//! Fields the API server fills in when a client leaves them out.
//!
//! These defaults are why a live object holds more than its manifest, and why
//! the agent's diff must not count them as drift.

use serde_json::{Map, Value, json};

use crate::rng::SimRng;

/// Applies the API server's defaults for the object's kind, in place.
pub fn apply(obj: &mut Value, rng: &mut SimRng) {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    match kind.as_str() {
        "Deployment" => {
            or_insert(spec, "replicas", json!(1));
            or_insert(spec, "revisionHistoryLimit", json!(10));
            or_insert(spec, "progressDeadlineSeconds", json!(600));
            let strategy = spec.entry("strategy").or_insert_with(|| json!({}));
            if let Some(s) = strategy.as_object_mut() {
                or_insert(s, "type", json!("RollingUpdate"));
                if s.get("type") == Some(&json!("RollingUpdate")) {
                    let ru = s.entry("rollingUpdate").or_insert_with(|| json!({}));
                    if let Some(ru) = ru.as_object_mut() {
                        or_insert(ru, "maxSurge", json!("25%"));
                        or_insert(ru, "maxUnavailable", json!("25%"));
                    }
                }
            }
            pod_template(spec);
        }
        "ReplicaSet" => {
            or_insert(spec, "replicas", json!(1));
            pod_template(spec);
        }
        "Pod" => pod_spec(spec),
        "Service" => {
            or_insert(spec, "type", json!("ClusterIP"));
            or_insert(spec, "sessionAffinity", json!("None"));
            or_insert(spec, "internalTrafficPolicy", json!("Cluster"));
            or_insert(spec, "ipFamilyPolicy", json!("SingleStack"));
            or_insert(spec, "ipFamilies", json!(["IPv4"]));
            if !spec.contains_key("clusterIP") {
                let ip = format!("10.0.{}.{}", rng.between(1, 254), rng.between(2, 254));
                spec.insert("clusterIP".into(), json!(ip));
                spec.insert("clusterIPs".into(), json!([ip]));
            }
            if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
                for port in ports.iter_mut().filter_map(Value::as_object_mut) {
                    or_insert(port, "protocol", json!("TCP"));
                    if let Some(p) = port.get("port").cloned() {
                        or_insert(port, "targetPort", p);
                    }
                }
            }
            if !obj.get("status").is_some_and(Value::is_object) {
                obj.as_object_mut().expect("objects are maps").insert("status".into(), json!({"loadBalancer": {}}));
            }
        }
        _ => {}
    }
}

fn pod_template(spec: &mut Map<String, Value>) {
    if let Some(pod) = spec.get_mut("template").and_then(|t| t.get_mut("spec")).and_then(Value::as_object_mut) {
        pod_spec(pod);
    }
}

fn pod_spec(spec: &mut Map<String, Value>) {
    or_insert(spec, "restartPolicy", json!("Always"));
    or_insert(spec, "terminationGracePeriodSeconds", json!(30));
    or_insert(spec, "dnsPolicy", json!("ClusterFirst"));
    or_insert(spec, "securityContext", json!({}));
    or_insert(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers"] {
        if let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in containers.iter_mut().filter_map(Value::as_object_mut) {
                let image = c.get("image").and_then(Value::as_str).unwrap_or("");
                let latest = !image.rsplit('/').next().unwrap_or("").contains(':') || image.ends_with(":latest");
                or_insert(c, "imagePullPolicy", json!(if latest { "Always" } else { "IfNotPresent" }));
                or_insert(c, "resources", json!({}));
                or_insert(c, "terminationMessagePath", json!("/dev/termination-log"));
                or_insert(c, "terminationMessagePolicy", json!("File"));
                if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports.iter_mut().filter_map(Value::as_object_mut) {
                        or_insert(p, "protocol", json!("TCP"));
                    }
                }
            }
        }
    }
}

fn or_insert(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.entry(key.to_string()).or_insert(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_gets_strategy_and_container_defaults() {
        let mut d = json!({"kind": "Deployment", "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}}}});
        apply(&mut d, &mut SimRng::new(1));
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(d["spec"]["replicas"], 1);
    }

    #[test]
    fn latest_images_are_always_pulled() {
        let mut p = json!({"kind": "Pod", "spec": {"containers": [{"name": "a", "image": "nginx"}]}});
        apply(&mut p, &mut SimRng::new(1));
        assert_eq!(p["spec"]["containers"][0]["imagePullPolicy"], "Always");
    }
}
