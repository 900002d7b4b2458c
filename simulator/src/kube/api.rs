//! A typed Kubernetes API over a world, for hosts that serve it to real
//! clients (a real `kubectl` over HTTPS): get, list, create, update, delete,
//! scale, logs and events, each answering as the API server does, with its
//! `Status` errors (404 NotFound, 409 AlreadyExists and Conflict, 422 Invalid).
//!
//! This module holds the API server's own rules (statuses, validation,
//! selectors); `crate::session_api` applies them to a session, which settles
//! (controllers, agents and steps react) after every write.

use serde_json::{Map, Value, json};

use super::meta::{self, ObjectKey, at};
use super::{ApiError, ResourceType, resource_type_for};
use crate::kube::meta::SetPath;

/// The API server's `Status` for a failed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// The HTTP status code: 400, 404, 409, 410, 422...
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`, `Expired`...
    pub reason: String,
    pub message: String,
    /// `details`: the object's name, its group and its resource (or kind, for Invalid).
    pub details: Option<StatusDetails>,
}

/// The `details` of a Status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusDetails {
    pub name: String,
    pub group: String,
    pub kind: String,
    /// For Invalid: (reason, message, field) per invalid field.
    pub causes: Vec<(String, String, String)>,
}

impl Status {
    fn with_details(code: u16, reason: &str, message: String, name: &str, group: &str, kind: &str) -> Status {
        Status {
            code,
            reason: reason.into(),
            message,
            details: Some(StatusDetails { name: name.into(), group: group.into(), kind: kind.into(), causes: Vec::new() }),
        }
    }

    /// 404: `deployments.apps "web" not found`.
    pub fn not_found(rt: &ResourceType, name: &str) -> Status {
        Status::with_details(404, "NotFound", format!("{} \"{name}\" not found", rt.qualified_plural()), name, rt.group, rt.plural)
    }

    /// 409: `deployments.apps "web" already exists`.
    pub fn already_exists(rt: &ResourceType, name: &str) -> Status {
        Status::with_details(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", rt.qualified_plural()),
            name,
            rt.group,
            rt.plural,
        )
    }

    /// 409: an update that carried a stale `metadata.resourceVersion`.
    pub fn conflict(rt: &ResourceType, name: &str) -> Status {
        Status::with_details(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                rt.qualified_plural()
            ),
            name,
            rt.group,
            rt.plural,
        )
    }

    /// 422: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: ...`.
    pub fn invalid(rt: &ResourceType, name: &str, causes: Vec<(String, String)>) -> Status {
        let qualified = if rt.group.is_empty() { rt.kind.to_string() } else { format!("{}.{}", rt.kind, rt.group) };
        let text = causes.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>();
        let message = if text.len() == 1 { text[0].clone() } else { format!("[{}]", text.join(", ")) };
        let mut status =
            Status::with_details(422, "Invalid", format!("{qualified} \"{name}\" is invalid: {message}"), name, rt.group, rt.kind);
        if let Some(d) = status.details.as_mut() {
            d.causes = causes
                .into_iter()
                .map(|(field, message)| {
                    let reason = if message.starts_with("Required value") { "FieldValueRequired" } else { "FieldValueInvalid" };
                    (reason.to_string(), message, field)
                })
                .collect();
        }
        status
    }

    /// 400 with the API server's message.
    pub fn bad_request(message: impl Into<String>) -> Status {
        Status { code: 400, reason: "BadRequest".into(), message: message.into(), details: None }
    }

    /// 405: a verb this resource does not serve.
    pub fn method_not_allowed(message: impl Into<String>) -> Status {
        Status { code: 405, reason: "MethodNotAllowed".into(), message: message.into(), details: None }
    }

    /// 410: a watch asked for a resourceVersion older than the host keeps.
    pub fn gone(message: impl Into<String>) -> Status {
        Status { code: 410, reason: "Expired".into(), message: message.into(), details: None }
    }

    /// The `Status` object as the API server sends it.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            let mut details = Map::new();
            if !d.name.is_empty() {
                details.insert("name".into(), json!(d.name));
            }
            if !d.group.is_empty() {
                details.insert("group".into(), json!(d.group));
            }
            details.insert("kind".into(), json!(d.kind));
            if !d.causes.is_empty() {
                let causes: Vec<Value> =
                    d.causes.iter().map(|(reason, message, field)| json!({"reason": reason, "message": message, "field": field})).collect();
                details.insert("causes".into(), Value::Array(causes));
            }
            v.set_path(&["details"], Value::Object(details));
        }
        v
    }

    pub fn from_store(rt: &ResourceType, e: ApiError) -> Status {
        match e {
            ApiError::NotFound { name, .. } => Status::not_found(rt, &name),
            ApiError::AlreadyExists { name, .. } => Status::already_exists(rt, &name),
            ApiError::NamespaceNotFound { namespace } => {
                Status::with_details(404, "NotFound", format!("namespaces \"{namespace}\" not found"), &namespace, "", "namespaces")
            }
            ApiError::Invalid { message } | ApiError::BadRequest { message } => Status::bad_request(message),
            ApiError::FieldsInvalid { name, causes, .. } => Status::invalid(rt, &name, causes),
            ApiError::NoKindMatch { .. } => Status {
                code: 404,
                reason: "NotFound".into(),
                message: "the server could not find the requested resource".into(),
                details: None,
            },
            ApiError::ExceededQuota { name, used, limit, .. } => Status::with_details(
                403,
                "Forbidden",
                format!(
                    "{} \"{name}\" is forbidden: exceeded quota: {}, requested: pods=1, used: pods={used}, limited: pods={limit}",
                    rt.qualified_plural(),
                    super::store::QUOTA_NAME
                ),
                &name,
                rt.group,
                rt.plural,
            ),
        }
    }
}

/// The `Status` a successful delete of an object that is gone at once answers with.
pub fn deleted_status(rt: &ResourceType, name: &str, uid: &str) -> Value {
    let mut details = json!({"name": name, "kind": rt.plural, "uid": uid});
    if !rt.group.is_empty() {
        details.set_path(&["group"], json!(rt.group));
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

/// Kinds whose `status` is a subresource: a write to the object itself keeps the live status.
pub fn has_status_subresource(kind: &str) -> bool {
    !matches!(kind, "ConfigMap" | "Secret" | "ServiceAccount" | "Event" | "CustomResourceDefinition")
}

/// The API server's name check: a lowercase RFC 1123 subdomain (a label for namespaces and services).
pub fn name_problem(rt: &ResourceType, name: &str) -> Option<String> {
    let label = matches!(rt.kind, "Namespace" | "Service");
    let valid_label = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
    };
    let ok = if label { valid_label(name) } else { name.len() <= 253 && name.split('.').all(valid_label) };
    if ok {
        return None;
    }
    Some(if label {
        format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        )
    } else {
        format!(
            "Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    })
}

/// The API server's validation of the fields the simulator reads (a small part of the real one).
pub fn validate(rt: &ResourceType, obj: &Value) -> Result<(), Status> {
    let name = meta::name(obj);
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push(("metadata.name".to_string(), "Required value: name or generateName is required".to_string()));
    } else if let Some(problem) = name_problem(rt, name) {
        causes.push(("metadata.name".into(), problem));
    }
    if matches!(rt.kind, "Deployment" | "ReplicaSet" | "StatefulSet") {
        if let Some(r) = at(obj, &["spec", "replicas"]).and_then(Value::as_i64).filter(|r| *r < 0) {
            causes.push(("spec.replicas".into(), format!("Invalid value: {r}: must be greater than or equal to 0")));
        }
        let containers = at(obj, &["spec", "template", "spec", "containers"]).and_then(Value::as_array);
        match containers {
            None => causes.push(("spec.template.spec.containers".into(), "Required value".into())),
            Some(cs) => {
                for (i, c) in cs.iter().enumerate() {
                    if c.get("image").and_then(Value::as_str).is_none_or(str::is_empty) {
                        causes.push((format!("spec.template.spec.containers[{i}].image"), "Required value".into()));
                    }
                }
            }
        }
        if at(obj, &["spec", "selector"]).is_none() {
            causes.push(("spec.selector".into(), "Required value".into()));
        }
    }
    if causes.is_empty() { Ok(()) } else { Err(Status::invalid(rt, name, causes)) }
}

pub fn key_for(rt: &ResourceType, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new(rt.group, rt.kind, if rt.namespaced { namespace } else { "" }, name)
}

/// Whether an object passes a field selector such as `metadata.name=web,metadata.namespace!=x`.
pub fn field_selector_matches(selector: &str, obj: &Value) -> Result<bool, Status> {
    for term in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let (field, want, negate) = if let Some((f, v)) = term.split_once("!=") {
            (f, v, true)
        } else if let Some((f, v)) = term.split_once("==") {
            (f, v, false)
        } else if let Some((f, v)) = term.split_once('=') {
            (f, v, false)
        } else {
            return Err(Status::bad_request(format!("invalid selector: '{selector}'; can't understand '{term}'")));
        };
        let path: Vec<&str> = field.split('.').collect();
        let supported = matches!(
            field,
            "metadata.name"
                | "metadata.namespace"
                | "spec.nodeName"
                | "status.phase"
                | "involvedObject.name"
                | "involvedObject.namespace"
                | "involvedObject.uid"
                | "involvedObject.kind"
                | "involvedObject.apiVersion"
                | "involvedObject.resourceVersion"
                | "involvedObject.fieldPath"
                | "reason"
                | "type"
                | "source"
        );
        if !supported {
            return Err(Status::bad_request(format!("field label not supported: {field}")));
        }
        let value = at(obj, &path).map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string())).unwrap_or_default();
        if (value == want) == negate {
            return Ok(false);
        }
    }
    Ok(true)
}

pub fn resource_type_for_kind(kind: &str) -> Option<&'static ResourceType> {
    super::RESOURCE_TYPES.iter().find(|rt| rt.kind == kind).or_else(|| resource_type_for("", kind))
}

/// FNV-1a over some strings: a stable id for objects the store does not hold (events).
pub fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::resource_type;

    #[test]
    fn statuses_carry_the_api_servers_words() {
        let deploy = resource_type("deploy").unwrap();
        assert_eq!(Status::not_found(deploy, "web").to_json()["message"], "deployments.apps \"web\" not found");
        assert_eq!(Status::not_found(deploy, "web").to_json()["details"]["kind"], "deployments");
        let invalid =
            Status::invalid(deploy, "web", vec![("spec.replicas".into(), "Invalid value: -1: must be greater than or equal to 0".into())]);
        assert_eq!(invalid.code, 422);
        assert_eq!(
            invalid.message,
            "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"
        );
    }

    #[test]
    fn field_selectors_match_names_and_reject_unknown_fields() {
        let obj = json!({"metadata": {"name": "web", "namespace": "prod"}});
        assert!(field_selector_matches("metadata.name=web", &obj).unwrap());
        assert!(!field_selector_matches("metadata.name!=web", &obj).unwrap());
        assert!(field_selector_matches("spec.color=blue", &obj).is_err());
    }
}
