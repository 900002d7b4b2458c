//! Sealed Secrets: the `kubeseal` side seals a Secret's values for one name and namespace with
//! the cluster's key, so the sealed form can live in Git; the controller in the cluster unseals
//! each `SealedSecret` into the Secret it describes, which it owns.
//!
//! The cipher is a stand-in for sealed-secrets' RSA-OAEP and AES-GCM: a keystream from SHA-1 of
//! the cluster's key, the scope (namespace and name) and the key name, with a short tag, so a
//! value sealed for one name or namespace does not open under another, as with the real
//! `strict` scope. It is for teaching, not secrecy.

use serde_json::{Map, Value, json};

use crate::controllers::Cluster;
use crate::kube::{ObjectKey, meta};
use crate::rng::SimRng;
use crate::time::SimTime;

/// The API group of `SealedSecret`.
pub const GROUP: &str = "bitnami.com";
/// The simulated cluster's sealing key.
const CLUSTER_KEY: &str = "sealed-secrets-key-civica-aks";

/// Seals one value for `namespace`/`name`, as `kubeseal` does with the controller's public key.
pub fn seal(namespace: &str, name: &str, key: &str, plain: &[u8]) -> String {
    let mut bytes: Vec<u8> = plain.iter().zip(keystream(namespace, name, key, plain.len())).map(|(p, k)| p ^ k).collect();
    bytes.extend_from_slice(&tag(namespace, name, key, plain));
    format!("AgB{}", crate::base64_text::encode(&bytes))
}

/// Opens a sealed value, if it was sealed for this namespace, name and key.
pub fn unseal(namespace: &str, name: &str, key: &str, sealed: &str) -> Option<Vec<u8>> {
    let bytes = crate::base64_text::decode(sealed.strip_prefix("AgB")?)?;
    if bytes.len() < 4 {
        return None;
    }
    let (body, mac) = bytes.split_at(bytes.len() - 4);
    let plain: Vec<u8> = body.iter().zip(keystream(namespace, name, key, body.len())).map(|(c, k)| c ^ k).collect();
    (tag(namespace, name, key, &plain) == mac).then_some(plain)
}

fn keystream(namespace: &str, name: &str, key: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 20);
    let mut block = 0u32;
    while out.len() < len {
        let mut h = sha1_smol::Sha1::new();
        h.update(format!("{CLUSTER_KEY}\0{namespace}\0{name}\0{key}\0{block}").as_bytes());
        out.extend_from_slice(&h.digest().bytes());
        block += 1;
    }
    out.truncate(len);
    out
}

fn tag(namespace: &str, name: &str, key: &str, plain: &[u8]) -> [u8; 4] {
    let mut h = sha1_smol::Sha1::new();
    h.update(format!("tag\0{CLUSTER_KEY}\0{namespace}\0{name}\0{key}\0").as_bytes());
    h.update(plain);
    let d = h.digest().bytes();
    [d[0], d[1], d[2], d[3]]
}

/// The SealedSecret `kubeseal` writes for a Secret manifest, in `namespace`.
pub fn seal_secret(secret: &Value, namespace: &str) -> Result<Value, String> {
    if secret["kind"] != json!("Secret") {
        return Err(format!("error: cannot seal a {}: expected a Secret", secret["kind"].as_str().unwrap_or("document without kind")));
    }
    let name = meta::name(secret).to_string();
    if name.is_empty() {
        return Err("error: the Secret has no metadata.name".into());
    }
    let mut encrypted = Map::new();
    for (key, value) in secret["data"].as_object().into_iter().flatten() {
        let plain = value.as_str().and_then(crate::base64_text::decode).ok_or_else(|| format!("error: data.{key} is not valid base64"))?;
        encrypted.insert(key.clone(), json!(seal(namespace, &name, key, &plain)));
    }
    for (key, value) in secret["stringData"].as_object().into_iter().flatten() {
        encrypted.insert(key.clone(), json!(seal(namespace, &name, key, value.as_str().unwrap_or_default().as_bytes())));
    }
    let mut template_meta = json!({"creationTimestamp": null, "name": name, "namespace": namespace});
    for field in ["labels", "annotations"] {
        if let Some(v) = secret["metadata"].get(field) {
            template_meta[field] = v.clone();
        }
    }
    Ok(json!({
        "apiVersion": "bitnami.com/v1alpha1",
        "kind": "SealedSecret",
        "metadata": {"creationTimestamp": null, "name": name, "namespace": namespace},
        "spec": {
            "encryptedData": encrypted,
            "template": {"metadata": template_meta, "type": secret["type"].as_str().unwrap_or("Opaque")},
        },
    }))
}

/// The controller: unseals every SealedSecret into its Secret. Returns whether it changed anything.
pub fn reconcile(cluster: &mut Cluster, now: SimTime, rng: &mut SimRng) -> bool {
    let sealed: Vec<Value> = cluster.store.list(GROUP, "SealedSecret", None).cloned().collect();
    let mut worked = false;
    for ss in sealed {
        if ss["metadata"]["deletionTimestamp"].is_string() {
            continue;
        }
        let (name, namespace) = (meta::name(&ss).to_string(), meta::namespace(&ss).to_string());
        let ss_key = ObjectKey::new(GROUP, "SealedSecret", &namespace, &name);
        let mut data = Map::new();
        let mut failure = None;
        for (key, value) in ss["spec"]["encryptedData"].as_object().into_iter().flatten() {
            match value.as_str().and_then(|v| unseal(&namespace, &name, key, v)) {
                Some(plain) => {
                    data.insert(key.clone(), json!(crate::base64_text::encode(&plain)));
                }
                None => {
                    failure = Some(format!("no key could decrypt secret ({key})"));
                    break;
                }
            }
        }
        let secret_key = ObjectKey::new("", "Secret", &namespace, &name);
        let existing = cluster.store.get(&secret_key).cloned();
        let owned = existing.as_ref().is_some_and(|s| meta::controller_uid(s) == Some(meta::uid(&ss)));
        if failure.is_none() && existing.is_some() && !owned {
            failure = Some(format!("Resource \"{name}\" already exists and is not managed by SealedSecret"));
        }
        if failure.is_none() {
            let template = &ss["spec"]["template"];
            let mut metadata = json!({"name": name, "namespace": namespace, "ownerReferences": meta::owner_reference(&ss)});
            for field in ["labels", "annotations"] {
                if let Some(v) = template["metadata"].get(field) {
                    metadata[field] = v.clone();
                }
            }
            let wanted = json!({"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "type": template["type"].as_str().unwrap_or("Opaque"), "data": data});
            let changed = match &existing {
                None => cluster.store.create(wanted, now, rng).is_ok(),
                Some(live) if live["data"] != wanted["data"] || live["type"] != wanted["type"] => {
                    let mut next = live.clone();
                    next["data"] = wanted["data"].clone();
                    next["type"] = wanted["type"].clone();
                    cluster.store.update(next, now, rng).is_ok()
                }
                Some(_) => false,
            };
            worked |= changed;
        }
        let condition = match &failure {
            None => json!({"type": "Synced", "status": "True", "reason": "", "message": ""}),
            Some(m) => json!({"type": "Synced", "status": "False", "reason": "ErrUnsealFailed", "message": m}),
        };
        let status = json!({"conditions": [condition], "observedGeneration": ss["metadata"]["generation"].clone()});
        if ss.get("status") != Some(&status) {
            cluster.store.update_status(&ss_key, status, now);
            worked = true;
        }
    }
    worked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_in_the_scope_it_was_sealed_for() {
        let sealed = seal("payments", "payment-db", "password", b"s3cret!");
        assert!(sealed.starts_with("AgB"));
        assert_eq!(unseal("payments", "payment-db", "password", &sealed).as_deref(), Some(&b"s3cret!"[..]));
        assert_eq!(unseal("default", "payment-db", "password", &sealed), None, "another namespace");
        assert_eq!(unseal("payments", "other", "password", &sealed), None, "another name");
        assert_eq!(unseal("payments", "payment-db", "user", &sealed), None, "another key");
    }
}
