//! The shapes the API server enforces on what it stores, for the fields the
//! simulator reads: built-in kinds are decoded into Go structs (a wrong type is
//! a 400 with Go's `json: cannot unmarshal ...` text), custom resources are
//! checked against their CRD's OpenAPI schema (a wrong type is a 422 with
//! `... in body must be of type object: "string"`). Once an object is stored,
//! everything that reads it may rely on these shapes.

use serde_json::Value;

/// One field's expected shape. `Struct` and `Slice` carry the Go type name the
/// decoder prints (`v1.DeploymentSpec`, `[]v1.Container`).
pub enum Shape {
    Struct(&'static str, &'static [(&'static str, Shape)]),
    Slice(&'static str, &'static Shape),
    /// `map[string]string` (labels, annotations, selectors, ConfigMap data).
    StringMap,
    /// A map whose values are not checked (`map[string]...`).
    Map(&'static str),
    String,
    Int32,
    Int64,
    Bool,
    /// Not checked: the simulator reads nothing inside, or reads it defensively.
    Any,
}

use Shape::{Any, Bool, Int32, Int64, Map, Slice, String as Str, StringMap, Struct};

const OWNER_REFERENCE: Shape = Struct(
    "v1.OwnerReference",
    &[("apiVersion", Str), ("kind", Str), ("name", Str), ("uid", Str), ("controller", Bool), ("blockOwnerDeletion", Bool)],
);

const OBJECT_META: Shape = Struct(
    "v1.ObjectMeta",
    &[
        ("name", Str),
        ("generateName", Str),
        ("namespace", Str),
        ("uid", Str),
        ("resourceVersion", Str),
        ("generation", Int64),
        ("creationTimestamp", Str),
        ("deletionTimestamp", Str),
        ("deletionGracePeriodSeconds", Int64),
        ("labels", StringMap),
        ("annotations", StringMap),
        ("finalizers", Slice("[]string", &Str)),
        ("ownerReferences", Slice("[]v1.OwnerReference", &OWNER_REFERENCE)),
    ],
);

const LABEL_SELECTOR: Shape =
    Struct("v1.LabelSelector", &[("matchLabels", StringMap), ("matchExpressions", Slice("[]v1.LabelSelectorRequirement", &Any))]);

const ENV_VAR: Shape = Struct("v1.EnvVar", &[("name", Str), ("value", Str), ("valueFrom", Any)]);

const CONTAINER_PORT: Shape = Struct("v1.ContainerPort", &[("name", Str), ("containerPort", Int32), ("protocol", Str)]);

const CONTAINER: Shape = Struct(
    "v1.Container",
    &[
        ("name", Str),
        ("image", Str),
        ("imagePullPolicy", Str),
        ("command", Slice("[]string", &Str)),
        ("args", Slice("[]string", &Str)),
        ("env", Slice("[]v1.EnvVar", &ENV_VAR)),
        ("ports", Slice("[]v1.ContainerPort", &CONTAINER_PORT)),
        ("resources", Struct("v1.ResourceRequirements", &[("limits", Map("v1.ResourceList")), ("requests", Map("v1.ResourceList"))])),
        ("readinessProbe", Struct("v1.Probe", &[])),
        ("livenessProbe", Struct("v1.Probe", &[])),
    ],
);

const POD_SPEC: Shape = Struct(
    "v1.PodSpec",
    &[
        ("containers", Slice("[]v1.Container", &CONTAINER)),
        ("initContainers", Slice("[]v1.Container", &CONTAINER)),
        ("nodeName", Str),
        ("restartPolicy", Str),
        ("serviceAccountName", Str),
        ("terminationGracePeriodSeconds", Int64),
        ("activeDeadlineSeconds", Int64),
        ("nodeSelector", StringMap),
        ("volumes", Slice("[]v1.Volume", &Any)),
    ],
);

const POD_TEMPLATE: Shape = Struct("v1.PodTemplateSpec", &[("metadata", OBJECT_META), ("spec", POD_SPEC)]);

const CONDITIONS: Shape =
    Slice("[]v1.Condition", &Struct("v1.Condition", &[("type", Str), ("status", Str), ("reason", Str), ("message", Str)]));

const WORKLOAD_STATUS: Shape = Struct(
    "v1.DeploymentStatus",
    &[
        ("observedGeneration", Int64),
        ("replicas", Int32),
        ("updatedReplicas", Int32),
        ("readyReplicas", Int32),
        ("availableReplicas", Int32),
        ("unavailableReplicas", Int32),
        ("conditions", CONDITIONS),
    ],
);

const DEPLOYMENT_SPEC: Shape = Struct(
    "v1.DeploymentSpec",
    &[
        ("replicas", Int32),
        ("selector", LABEL_SELECTOR),
        ("template", POD_TEMPLATE),
        ("strategy", Struct("v1.DeploymentStrategy", &[("type", Str), ("rollingUpdate", Any)])),
        ("minReadySeconds", Int32),
        ("revisionHistoryLimit", Int32),
        ("paused", Bool),
        ("progressDeadlineSeconds", Int32),
    ],
);

const REPLICA_SET_SPEC: Shape = Struct(
    "v1.ReplicaSetSpec",
    &[("replicas", Int32), ("minReadySeconds", Int32), ("selector", LABEL_SELECTOR), ("template", POD_TEMPLATE)],
);

const STATEFUL_SET_SPEC: Shape =
    Struct("v1.StatefulSetSpec", &[("replicas", Int32), ("selector", LABEL_SELECTOR), ("template", POD_TEMPLATE), ("serviceName", Str)]);

const DAEMON_SET_SPEC: Shape = Struct("v1.DaemonSetSpec", &[("selector", LABEL_SELECTOR), ("template", POD_TEMPLATE)]);

const JOB_SPEC: Shape = Struct(
    "v1.JobSpec",
    &[
        ("parallelism", Int32),
        ("completions", Int32),
        ("activeDeadlineSeconds", Int64),
        ("backoffLimit", Int32),
        ("ttlSecondsAfterFinished", Int32),
        ("selector", LABEL_SELECTOR),
        ("template", POD_TEMPLATE),
    ],
);

const CRON_JOB_SPEC: Shape = Struct(
    "v1.CronJobSpec",
    &[
        ("schedule", Str),
        ("suspend", Bool),
        ("jobTemplate", Struct("v1.JobTemplateSpec", &[("metadata", OBJECT_META), ("spec", JOB_SPEC)])),
    ],
);

const SERVICE_SPEC: Shape = Struct(
    "v1.ServiceSpec",
    &[
        ("type", Str),
        ("clusterIP", Str),
        ("selector", StringMap),
        (
            "ports",
            Slice("[]v1.ServicePort", &Struct("v1.ServicePort", &[("name", Str), ("protocol", Str), ("port", Int32), ("nodePort", Int32)])),
        ),
    ],
);

/// The Go shape of a built-in kind's fields (besides `apiVersion`, `kind` and `metadata`).
fn built_in_fields(group: &str, kind: &str) -> Option<&'static [(&'static str, Shape)]> {
    const POD: &[(&str, Shape)] = &[("spec", POD_SPEC), ("status", Any)];
    const DEPLOYMENT: &[(&str, Shape)] = &[("spec", DEPLOYMENT_SPEC), ("status", WORKLOAD_STATUS)];
    const REPLICA_SET: &[(&str, Shape)] = &[("spec", REPLICA_SET_SPEC), ("status", Any)];
    const STATEFUL_SET: &[(&str, Shape)] = &[("spec", STATEFUL_SET_SPEC), ("status", Any)];
    const DAEMON_SET: &[(&str, Shape)] = &[("spec", DAEMON_SET_SPEC), ("status", Any)];
    const JOB: &[(&str, Shape)] = &[("spec", JOB_SPEC), ("status", Any)];
    const CRON_JOB: &[(&str, Shape)] = &[("spec", CRON_JOB_SPEC), ("status", Any)];
    const SERVICE: &[(&str, Shape)] = &[("spec", SERVICE_SPEC), ("status", Any)];
    const CONFIG_MAP: &[(&str, Shape)] = &[("data", StringMap), ("binaryData", Map("map[string][]uint8")), ("immutable", Bool)];
    const SECRET: &[(&str, Shape)] = &[("data", Map("map[string][]uint8")), ("stringData", StringMap), ("type", Str), ("immutable", Bool)];
    const OTHER: &[(&str, Shape)] = &[];
    Some(match (group, kind) {
        ("", "Pod") => POD,
        ("apps", "Deployment") => DEPLOYMENT,
        ("apps", "ReplicaSet") => REPLICA_SET,
        ("apps", "StatefulSet") => STATEFUL_SET,
        ("apps", "DaemonSet") => DAEMON_SET,
        ("batch", "Job") => JOB,
        ("batch", "CronJob") => CRON_JOB,
        ("", "Service") => SERVICE,
        ("", "ConfigMap") => CONFIG_MAP,
        ("", "Secret") => SECRET,
        _ if is_built_in(group, kind) => OTHER,
        _ => return None,
    })
}

/// Kinds every Kubernetes 1.33 API server serves, beyond those the simulator models in
/// `RESOURCE_TYPES`: stored as they are, so manifests that carry them still apply.
const OTHER_BUILT_INS: &[(&str, &str)] = &[
    ("", "Endpoints"),
    ("", "Event"),
    ("", "LimitRange"),
    ("", "PersistentVolume"),
    ("", "ReplicationController"),
    ("", "ResourceQuota"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("coordination.k8s.io", "Lease"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("events.k8s.io", "Event"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("policy", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "StorageClass"),
];

/// Whether the API server serves this kind without any CRD.
pub fn is_built_in(group: &str, kind: &str) -> bool {
    let modelled = super::resource_type_for(group, kind).is_some_and(|rt| custom_fields(rt.group, rt.kind).is_none());
    modelled || OTHER_BUILT_INS.contains(&(group, kind))
}

/// The OpenAPI shape of the custom resources the simulator models (Argo CD, Flux, Sealed
/// Secrets, Image Updater), whose CRDs a lab's cluster has installed.
fn custom_fields(group: &str, kind: &str) -> Option<&'static [(&'static str, Shape)]> {
    const STRINGS: Shape = Slice("array", &Str);
    const APP_SOURCE: Shape = Struct(
        "object",
        &[
            ("repoURL", Str),
            ("path", Str),
            ("targetRevision", Str),
            ("chart", Str),
            ("directory", Struct("object", &[("recurse", Bool), ("include", Str), ("exclude", Str)])),
            (
                "kustomize",
                Struct(
                    "object",
                    &[
                        ("namePrefix", Str),
                        ("nameSuffix", Str),
                        ("namespace", Str),
                        ("images", STRINGS),
                        ("commonLabels", StringMap),
                        ("commonAnnotations", StringMap),
                        ("replicas", Slice("array", &Struct("object", &[("name", Str)]))),
                    ],
                ),
            ),
            (
                "helm",
                Struct(
                    "object",
                    &[
                        ("releaseName", Str),
                        ("valueFiles", STRINGS),
                        ("values", Str),
                        ("valuesObject", Any),
                        ("parameters", Slice("array", &Any)),
                    ],
                ),
            ),
            ("plugin", Struct("object", &[("name", Str)])),
        ],
    );
    const APPLICATION: &[(&str, Shape)] = &[
        (
            "spec",
            Struct(
                "object",
                &[
                    ("project", Str),
                    ("source", APP_SOURCE),
                    ("sources", Slice("array", &APP_SOURCE)),
                    ("destination", Struct("object", &[("server", Str), ("namespace", Str), ("name", Str)])),
                    (
                        "syncPolicy",
                        Struct(
                            "object",
                            &[
                                (
                                    "automated",
                                    Struct("object", &[("prune", Bool), ("selfHeal", Bool), ("allowEmpty", Bool), ("enabled", Bool)]),
                                ),
                                ("syncOptions", STRINGS),
                                (
                                    "retry",
                                    Struct(
                                        "object",
                                        &[
                                            ("limit", Int64),
                                            ("backoff", Struct("object", &[("duration", Str), ("factor", Int64), ("maxDuration", Str)])),
                                        ],
                                    ),
                                ),
                            ],
                        ),
                    ),
                    ("ignoreDifferences", Slice("array", &Any)),
                ],
            ),
        ),
        ("operation", Any),
        ("status", Any),
    ];
    const APP_PROJECT: &[(&str, Shape)] = &[(
        "spec",
        Struct(
            "object",
            &[
                ("sourceRepos", STRINGS),
                ("destinations", Slice("array", &Struct("object", &[("server", Str), ("namespace", Str), ("name", Str)]))),
                ("clusterResourceWhitelist", Slice("array", &Struct("object", &[("group", Str), ("kind", Str)]))),
                ("namespaceResourceBlacklist", Slice("array", &Struct("object", &[("group", Str), ("kind", Str)]))),
            ],
        ),
    )];
    const APPLICATION_SET: &[(&str, Shape)] = &[("spec", Struct("object", &[("generators", Slice("array", &Any)), ("template", Any)]))];
    const GIT_REPOSITORY: &[(&str, Shape)] =
        &[("spec", Struct("object", &[("url", Str), ("interval", Str), ("suspend", Bool), ("ref", Struct("object", &[("branch", Str)]))]))];
    const FLUX_KUSTOMIZATION: &[(&str, Shape)] = &[(
        "spec",
        Struct(
            "object",
            &[
                ("interval", Str),
                ("path", Str),
                ("prune", Bool),
                ("suspend", Bool),
                ("targetNamespace", Str),
                ("sourceRef", Struct("object", &[("kind", Str), ("name", Str)])),
            ],
        ),
    )];
    const SEALED_SECRET: &[(&str, Shape)] = &[("spec", Struct("object", &[("encryptedData", StringMap), ("template", Any)]))];
    const IMAGE_UPDATER: &[(&str, Shape)] = &[("spec", Struct("object", &[]))];
    Some(match (group, kind) {
        ("argoproj.io", "Application") => APPLICATION,
        ("argoproj.io", "AppProject") => APP_PROJECT,
        ("argoproj.io", "ApplicationSet") => APPLICATION_SET,
        ("source.toolkit.fluxcd.io", "GitRepository") => GIT_REPOSITORY,
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => FLUX_KUSTOMIZATION,
        ("bitnami.com", "SealedSecret") => SEALED_SECRET,
        ("argocd-image-updater.argoproj.io", "ImageUpdater") => IMAGE_UPDATER,
        _ => return None,
    })
}

/// Whether the simulator models this custom resource (its CRD comes with the lab's cluster).
pub fn is_modelled_custom_resource(group: &str, kind: &str) -> bool {
    custom_fields(group, kind).is_some()
}

/// Why the API server refuses an object's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// A built-in kind that Go's decoder cannot read: the 400 message after `kind in version ...`.
    Decode(String),
    /// A custom resource against its schema: (field, message) per invalid field, for a 422.
    Invalid(Vec<(String, String)>),
}

/// Checks an object's fields against its kind's shape. Unknown kinds pass (the caller decides
/// whether the kind exists); so do custom resources defined by a lab's own CRD.
pub fn check(group: &str, kind: &str, obj: &Value) -> Result<(), ShapeError> {
    if let Some(fields) = custom_fields(group, kind) {
        let mut causes = Vec::new();
        if let Some(md) = obj.get("metadata") {
            openapi_check(md, &OBJECT_META, "metadata", &mut causes);
        }
        for (name, shape) in fields {
            if let Some(v) = obj.get(*name) {
                openapi_check(v, shape, name, &mut causes);
            }
        }
        return if causes.is_empty() { Ok(()) } else { Err(ShapeError::Invalid(causes)) };
    }
    let Some(fields) = built_in_fields(group, kind) else {
        return Ok(());
    };
    let mut all: Vec<(&str, &Shape)> = vec![("metadata", &OBJECT_META)];
    all.extend(fields.iter().map(|(n, s)| (*n, s)));
    for (name, shape) in all {
        if let Some(v) = obj.get(name) {
            go_check(v, shape, kind, name).map_err(ShapeError::Decode)?;
        }
    }
    Ok(())
}

/// Go's name for what a JSON value is, as `json: cannot unmarshal X` prints it.
pub(crate) fn go_value_word(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

fn go_type_name(shape: &Shape) -> &'static str {
    match shape {
        Struct(name, _) | Slice(name, _) | Map(name) => name,
        StringMap => "map[string]string",
        Str => "string",
        Int32 => "int32",
        Int64 => "int64",
        Bool => "bool",
        Any => "interface {}",
    }
}

/// Decodes like Go's `encoding/json` into a struct, returning its first error's text:
/// `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
fn go_check(v: &Value, shape: &Shape, struct_name: &str, path: &str) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    let mismatch =
        |what: String| format!("json: cannot unmarshal {what} into Go struct field {struct_name}.{path} of type {}", go_type_name(shape));
    let word = || go_value_word(v).to_string();
    match shape {
        Any => Ok(()),
        Str => v.is_string().then_some(()).ok_or_else(|| mismatch(word())),
        Bool => v.is_boolean().then_some(()).ok_or_else(|| mismatch(word())),
        Int32 | Int64 => match v {
            Value::Number(n) => {
                let fits = match shape {
                    Int32 => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                    _ => n.as_i64().is_some(),
                };
                if fits { Ok(()) } else { Err(mismatch(format!("number {n}"))) }
            }
            _ => Err(mismatch(word())),
        },
        StringMap => match v {
            Value::Object(map) => match map.values().find(|x| !x.is_string() && !x.is_null()) {
                Some(bad) => {
                    Err(format!("json: cannot unmarshal {} into Go struct field {struct_name}.{path} of type string", go_value_word(bad)))
                }
                None => Ok(()),
            },
            _ => Err(mismatch(word())),
        },
        Map(_) => v.is_object().then_some(()).ok_or_else(|| mismatch(word())),
        Slice(_, item) => match v {
            Value::Array(items) => items.iter().try_for_each(|x| go_check(x, item, struct_name, path)),
            _ => Err(mismatch(word())),
        },
        Struct(type_name, fields) => match v {
            Value::Object(map) => {
                let inner = type_name.rsplit('.').next().unwrap_or(type_name);
                for (name, field_shape) in fields.iter() {
                    if let Some(x) = map.get(*name) {
                        go_check(x, field_shape, inner, &format!("{path}.{name}"))?;
                    }
                }
                Ok(())
            }
            _ => Err(mismatch(word())),
        },
    }
}

/// OpenAPI's name for what a JSON value is.
fn openapi_value_word(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::Bool(_) => "boolean",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

/// Validates like a CRD's structural schema, collecting every error:
/// `spec.syncPolicy: Invalid value: "string": spec.syncPolicy in body must be of type object: "string"`.
fn openapi_check(v: &Value, shape: &Shape, path: &str, causes: &mut Vec<(String, String)>) {
    if v.is_null() {
        return;
    }
    let want = match shape {
        Any => return,
        Str => "string",
        Bool => "boolean",
        Int32 | Int64 => "integer",
        StringMap | Map(_) | Struct(..) => "object",
        Slice(..) => "array",
    };
    let got = openapi_value_word(v);
    if got != want {
        causes.push((path.to_string(), format!("Invalid value: \"{got}\": {path} in body must be of type {want}: \"{got}\"")));
        return;
    }
    match (shape, v) {
        (StringMap, Value::Object(map)) => {
            for (k, x) in map {
                openapi_check(x, &Str, &format!("{path}.{k}"), causes);
            }
        }
        (Slice(_, item), Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                openapi_check(x, item, &format!("{path}[{i}]"), causes);
            }
        }
        (Struct(_, fields), Value::Object(map)) => {
            for (name, field_shape) in fields.iter() {
                if let Some(x) = map.get(*name) {
                    openapi_check(x, field_shape, &format!("{path}.{name}"), causes);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn built_in_kinds_fail_as_gos_decoder_does() {
        let d = json!({"spec": {"replicas": "two"}});
        assert_eq!(
            check("apps", "Deployment", &d),
            Err(ShapeError::Decode("json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32".into()))
        );
        let d = json!({"spec": [1]});
        assert_eq!(
            check("apps", "Deployment", &d),
            Err(ShapeError::Decode("json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec".into()))
        );
        let d = json!({"spec": {"template": {"spec": {"containers": [{"image": 7}]}}}});
        assert_eq!(
            check("apps", "Deployment", &d),
            Err(ShapeError::Decode(
                "json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string".into()
            ))
        );
        assert!(check("apps", "Deployment", &json!({"spec": {"replicas": 2147483648_i64}})).is_err());
        assert!(check("apps", "Deployment", &json!({"spec": {"replicas": null}})).is_ok());
    }

    #[test]
    fn custom_resources_fail_as_a_crd_schema_does() {
        let app = json!({"spec": {"syncPolicy": "manual", "source": {"kustomize": 3}}});
        let Err(ShapeError::Invalid(causes)) = check("argoproj.io", "Application", &app) else { panic!("expected a 422") };
        assert_eq!(
            causes,
            vec![
                (
                    "spec.source.kustomize".to_string(),
                    "Invalid value: \"integer\": spec.source.kustomize in body must be of type object: \"integer\"".to_string()
                ),
                (
                    "spec.syncPolicy".to_string(),
                    "Invalid value: \"string\": spec.syncPolicy in body must be of type object: \"string\"".to_string()
                ),
            ]
        );
    }

    #[test]
    fn kinds_are_built_in_modelled_or_unknown() {
        assert!(is_built_in("rbac.authorization.k8s.io", "Role"));
        assert!(is_built_in("apps", "Deployment"));
        assert!(!is_built_in("argoproj.io", "Application"));
        assert!(is_modelled_custom_resource("argoproj.io", "Application"));
        assert!(!is_built_in("argoproj.io", "Rollout"));
        assert!(!is_built_in("", "Deployment"));
    }
}
