//! Which kinds kustomize treats as cluster-scoped.

/// Cluster-scoped kinds, which the namespace transformer leaves alone.
pub(crate) fn cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "APIService"
            | "Node"
            | "IngressClass"
            | "CSIDriver"
            | "RuntimeClass"
            | "PodSecurityPolicy"
            | "VolumeAttachment"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
    )
}
