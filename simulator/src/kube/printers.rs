//! kubectl's table printers (the API server's `printers.go` columns and
//! cells): one implementation for the emulated terminal's `kubectl get` and
//! the `Table` responses a Kubernetes API host serves to a real kubectl.

use serde_json::Value;

use super::ResourceType;
use super::meta::{self, at, i64_at, str_at};
use super::printers_jobs::{cronjob_cells, ingress_cells, job_cells};
use crate::time::{SimTime, human_duration};

/// What an Application's row shows beside its name (Argo CD's own columns), found by the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppStatus {
    pub sync: String,
    pub health: String,
    pub revision: String,
    pub project: String,
}

/// One column of a table, as the API server's `columnDefinitions` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The API server's name (`Up-to-date`); kubectl prints it in capitals.
    pub name: &'static str,
    /// `string`, `integer` or `date`, as in a Table's column definitions.
    pub kind: &'static str,
    /// 0 for the default columns, 1 for the ones only `-o wide` shows.
    pub priority: u8,
    pub description: &'static str,
}

const fn col(name: &'static str, kind: &'static str, priority: u8, description: &'static str) -> Column {
    Column { name, kind, priority, description }
}

const NAME: Column = col("Name", "string", 0, "Name must be unique within a namespace.");
const AGE: Column = col("Age", "string", 0, "CreationTimestamp is a timestamp representing the server time when this object was created.");

/// The columns of a resource type's table, wide ones included.
pub fn columns(rt: &ResourceType) -> Vec<Column> {
    match rt.kind {
        "Deployment" => vec![
            NAME,
            col("Ready", "string", 0, "Number of the pod with ready state"),
            col(
                "Up-to-date",
                "integer",
                0,
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            ),
            col(
                "Available",
                "integer",
                0,
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            ),
            AGE,
            col("Containers", "string", 1, "Names of each container in the template."),
            col("Images", "string", 1, "Images referenced by each container in the template."),
            col(
                "Selector",
                "string",
                1,
                "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
            ),
        ],
        "ReplicaSet" => vec![
            NAME,
            col("Desired", "integer", 0, "Replicas is the number of desired replicas."),
            col("Current", "integer", 0, "Replicas is the most recently observed number of replicas."),
            col("Ready", "integer", 0, "The number of ready replicas for this replica set."),
            AGE,
            col("Containers", "string", 1, "Names of each container in the template."),
            col("Images", "string", 1, "Images referenced by each container in the template."),
            col("Selector", "string", 1, "Selector is a label query over pods that should match the replica count."),
        ],
        "Pod" => vec![
            NAME,
            col("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
            col("Status", "string", 0, "The aggregate status of the containers in this pod."),
            col(
                "Restarts",
                "string",
                0,
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
            ),
            AGE,
            col("IP", "string", 1, "podIP is the IP address allocated to the pod."),
            col("Node", "string", 1, "NodeName is a request to schedule this pod onto a specific node."),
            col("Nominated Node", "string", 1, "nominatedNodeName is set when this pod preempts other pods on the node."),
            col("Readiness Gates", "string", 1, "If specified, all readiness gates will be evaluated for pod readiness."),
        ],
        "Service" => vec![
            NAME,
            col("Type", "string", 0, "type determines how the Service is exposed."),
            col("Cluster-IP", "string", 0, "clusterIP is the IP address of the service."),
            col(
                "External-IP",
                "string",
                0,
                "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.",
            ),
            col("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
            AGE,
            col("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector."),
        ],
        "Job" => vec![
            NAME,
            col("Status", "string", 0, "Status of the job."),
            col("Completions", "string", 0, "The desired number of successfully finished pods the job should be run with."),
            col("Duration", "string", 0, "Time required to complete the job."),
            AGE,
            col("Containers", "string", 1, "Names of each container in the template."),
            col("Images", "string", 1, "Images referenced by each container in the template."),
            col("Selector", "string", 1, "A label query over pods that should match the pod count."),
        ],
        "CronJob" => vec![
            NAME,
            col("Schedule", "string", 0, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            col(
                "Timezone",
                "string",
                0,
                "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
            ),
            col("Suspend", "boolean", 0, "This flag tells the controller to suspend subsequent executions."),
            col("Active", "integer", 0, "A list of pointers to currently running jobs."),
            col("Last Schedule", "string", 0, "Information when was the last time the job was successfully scheduled."),
            AGE,
            col("Containers", "string", 1, "Names of each container in the template."),
            col("Images", "string", 1, "Images referenced by each container in the template."),
            col("Selector", "string", 1, "A label query over pods that should match the pod count."),
        ],
        "Ingress" => vec![
            NAME,
            col("Class", "string", 0, "The name of the IngressClass resource that should be used."),
            col("Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"),
            col("Address", "string", 0, "Address is a list containing ingress points for the load-balancer"),
            col("Ports", "string", 0, "Ports of TLS configurations that open"),
            AGE,
        ],
        "Namespace" => vec![NAME, col("Status", "string", 0, "The status of the namespace"), AGE],
        "ConfigMap" => vec![NAME, col("Data", "integer", 0, "Data contains the configuration data."), AGE],
        "Node" => vec![
            NAME,
            col("Status", "string", 0, "The status of the node"),
            col("Roles", "string", 0, "The roles of the node"),
            AGE,
            col("Version", "string", 0, "Kubelet Version reported by the node."),
            col("Internal-IP", "string", 1, "List of addresses reachable to the node. Queried from cloud provider, if available."),
            col("External-IP", "string", 1, "List of addresses reachable to the node. Queried from cloud provider, if available."),
            col("OS-Image", "string", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
            col("Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
            col(
                "Container-Runtime",
                "string",
                1,
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
            ),
        ],
        "Application" => vec![
            NAME,
            col("Sync Status", "string", 0, ""),
            col("Health Status", "string", 0, ""),
            col("Revision", "string", 10, ""),
            col("Project", "string", 10, ""),
        ],
        "GitRepository" => vec![NAME, col("URL", "string", 0, ""), AGE, col("Ready", "string", 0, ""), col("Status", "string", 0, "")],
        "Kustomization" => vec![NAME, AGE, col("Ready", "string", 0, ""), col("Status", "string", 0, "")],
        _ => vec![NAME, AGE],
    }
}

/// The AGE column: how long ago the object was created.
pub fn age(obj: &Value, now: SimTime) -> String {
    str_at(obj, &["metadata", "creationTimestamp"])
        .and_then(SimTime::parse_rfc3339)
        .map(|t| human_duration(now.since(t)))
        .unwrap_or_else(|| "<unknown>".into())
}

fn num(obj: &Value, path: &[&str]) -> i64 {
    i64_at(obj, path).unwrap_or(0)
}

/// The status and message of an object's `Ready` condition (`Unknown` and empty when it has none).
fn ready_condition(o: &Value) -> (String, String) {
    let conditions = at(o, &["status", "conditions"]).and_then(Value::as_array).cloned().unwrap_or_default();
    conditions
        .iter()
        .find(|c| c["type"] == "Ready")
        .map(|c| (c["status"].as_str().unwrap_or("Unknown").to_string(), c["message"].as_str().unwrap_or_default().to_string()))
        .unwrap_or_else(|| ("Unknown".into(), String::new()))
}

fn containers_and_images(obj: &Value, path: &[&str]) -> (String, String) {
    let cs = at(obj, path).and_then(Value::as_array).cloned().unwrap_or_default();
    let names = cs.iter().filter_map(|c| c["name"].as_str()).collect::<Vec<_>>().join(",");
    let images = cs.iter().filter_map(|c| c["image"].as_str()).collect::<Vec<_>>().join(",");
    (names, images)
}

fn selector_text(sel: Option<&Value>) -> String {
    sel.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(","))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "<none>".into())
}

/// Every column's cell for one object, wide ones included, in the order of `columns`.
/// `app` is the Application's status when `rt` is Application (empty cells without one).
pub fn cells(rt: &ResourceType, o: &Value, now: SimTime, app: Option<&AppStatus>) -> Vec<String> {
    let app = app.cloned().unwrap_or_default();
    let wide = true;
    let name = meta::name(o).to_string();
    let mut r: Vec<String> = match rt.kind {
        "Deployment" => vec![
            name,
            format!("{}/{}", num(o, &["status", "readyReplicas"]), i64_at(o, &["spec", "replicas"]).unwrap_or(1)),
            num(o, &["status", "updatedReplicas"]).to_string(),
            num(o, &["status", "availableReplicas"]).to_string(),
            age(o, now),
        ],
        "ReplicaSet" => vec![
            name,
            num(o, &["spec", "replicas"]).to_string(),
            num(o, &["status", "replicas"]).to_string(),
            num(o, &["status", "readyReplicas"]).to_string(),
            age(o, now),
        ],
        "Pod" => {
            let statuses = at(o, &["status", "containerStatuses"]).and_then(Value::as_array).cloned().unwrap_or_default();
            let total = at(o, &["spec", "containers"]).and_then(Value::as_array).map_or(0, Vec::len);
            let ready = statuses.iter().filter(|s| s["ready"] == true).count();
            vec![name, format!("{ready}/{total}"), pod_status(o), restarts(o, now), age(o, now)]
        }
        "Service" => {
            let ports = at(o, &["spec", "ports"]).and_then(Value::as_array).cloned().unwrap_or_default();
            let ports_text =
                ports.iter().map(|p| format!("{}/{}", p["port"], p["protocol"].as_str().unwrap_or("TCP"))).collect::<Vec<_>>().join(",");
            let external = match str_at(o, &["spec", "type"]) {
                Some("LoadBalancer") => {
                    at(o, &["status", "loadBalancer", "ingress", "0", "ip"]).and_then(Value::as_str).unwrap_or("<pending>").to_string()
                }
                _ => "<none>".into(),
            };
            vec![
                name,
                str_at(o, &["spec", "type"]).unwrap_or("ClusterIP").into(),
                str_at(o, &["spec", "clusterIP"]).unwrap_or("<none>").into(),
                external,
                if ports_text.is_empty() { "<none>".into() } else { ports_text },
                age(o, now),
            ]
        }
        "Job" => [vec![name], job_cells(o, now).to_vec(), vec![age(o, now)]].concat(),
        "CronJob" => [vec![name], cronjob_cells(o, now).to_vec(), vec![age(o, now)]].concat(),
        "Ingress" => [vec![name], ingress_cells(o).to_vec(), vec![age(o, now)]].concat(),
        "Namespace" => vec![name, if meta::is_terminating(o) { "Terminating".into() } else { "Active".into() }, age(o, now)],
        "ConfigMap" => vec![name, o.get("data").and_then(Value::as_object).map_or(0, |m| m.len()).to_string(), age(o, now)],
        "Node" => {
            // A node without a Ready condition yet is taken as Ready (the simulator's nodes start so).
            let has_ready =
                at(o, &["status", "conditions"]).and_then(Value::as_array).is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready"));
            let ready = !has_ready || ready_condition(o).0 == "True";
            vec![name, if ready { "Ready".into() } else { "NotReady".into() }, "<none>".into(), age(o, now), "v1.33.3".into()]
        }
        "Application" => {
            vec![name, app.sync.clone(), app.health.clone()]
        }
        // Flux's CRDs print their Ready condition's status and message.
        "GitRepository" => {
            let (ready, message) = ready_condition(o);
            vec![name, str_at(o, &["spec", "url"]).unwrap_or_default().into(), age(o, now), ready, message]
        }
        "Kustomization" => {
            let (ready, message) = ready_condition(o);
            vec![name, age(o, now), ready, message]
        }
        _ => vec![name, age(o, now)],
    };
    if wide {
        match rt.kind {
            "Deployment" | "ReplicaSet" => {
                let (c, i) = containers_and_images(o, &["spec", "template", "spec", "containers"]);
                r.extend([c, i, selector_text(at(o, &["spec", "selector", "matchLabels"]))]);
            }
            "Job" => {
                let (c, i) = containers_and_images(o, &["spec", "template", "spec", "containers"]);
                r.extend([c, i, selector_text(at(o, &["spec", "selector", "matchLabels"]))]);
            }
            "CronJob" => {
                let (c, i) = containers_and_images(o, &["spec", "jobTemplate", "spec", "template", "spec", "containers"]);
                r.extend([c, i, selector_text(at(o, &["spec", "jobTemplate", "spec", "selector", "matchLabels"]))]);
            }
            "Pod" => r.extend([
                str_at(o, &["status", "podIP"]).unwrap_or("<none>").into(),
                str_at(o, &["spec", "nodeName"]).unwrap_or("<none>").into(),
                "<none>".into(),
                "<none>".into(),
            ]),
            "Service" => r.push(selector_text(at(o, &["spec", "selector"]))),
            "Node" => r.extend([
                "10.224.0.4".into(),
                "<none>".into(),
                "Ubuntu 22.04.5 LTS".into(),
                "5.15.0-1089-azure".into(),
                "containerd://1.7.27-1".into(),
            ]),
            "Application" => r.extend([app.revision.clone(), app.project.clone()]),
            _ => {}
        }
    }
    r
}

/// The STATUS column of `kubectl get pods` (kubectl's `printPod`).
pub fn pod_status(pod: &Value) -> String {
    if meta::is_terminating(pod) {
        return "Terminating".into();
    }
    let mut reason = str_at(pod, &["status", "reason"]).or(str_at(pod, &["status", "phase"])).unwrap_or("Unknown").to_string();
    for s in at(pod, &["status", "containerStatuses"]).and_then(Value::as_array).into_iter().flatten() {
        if let Some(r) = at(s, &["state", "waiting", "reason"]).and_then(Value::as_str) {
            reason = r.to_string();
        } else if let Some(t) = at(s, &["state", "terminated"]) {
            reason = t["reason"].as_str().map(String::from).unwrap_or_else(|| format!("ExitCode:{}", t["exitCode"]));
        }
    }
    reason
}

fn restarts(pod: &Value, now: SimTime) -> String {
    let statuses = at(pod, &["status", "containerStatuses"]).and_then(Value::as_array).cloned().unwrap_or_default();
    let count: i64 = statuses.iter().map(|s| s["restartCount"].as_i64().unwrap_or(0)).sum();
    let last = statuses
        .iter()
        .filter_map(|s| at(s, &["lastState", "terminated", "finishedAt"]).and_then(Value::as_str).and_then(SimTime::parse_rfc3339))
        .max();
    match last {
        Some(t) if count > 0 => format!("{count} ({} ago)", human_duration(now.since(t))),
        _ => count.to_string(),
    }
}
