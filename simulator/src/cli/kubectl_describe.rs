//! `kubectl describe`, `kubectl get events` / `kubectl events`, `kubectl logs`
//! and `kubectl explain`, in kubectl 1.33's layouts.

use serde_json::Value;

use super::Host;
use super::{CommandOutput, table, take_flag, take_switch};
use crate::controllers::events::KubeEvent;
use crate::kube::meta::{self, ObjectKey, at, i64_at, str_at};
use crate::kube::resource_type;
use crate::time::{SimTime, human_duration};

/// A section of `describe` output: `Label:` padded to a column.
fn field(out: &mut String, label: &str, value: &str, width: usize) {
    out.push_str(&format!("{:<width$}{value}\n", format!("{label}:")));
}

fn map_lines(map: Option<&Value>, indent: usize) -> String {
    let Some(m) = map.and_then(Value::as_object).filter(|m| !m.is_empty()) else { return "<none>".into() };
    m.iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let pad = if i == 0 { String::new() } else { " ".repeat(indent) };
            format!("{pad}{k}={}", v.as_str().unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Events section: newest last, with repeats as `(x3 over 5m)`.
fn events_section(events: &[&KubeEvent], now: SimTime) -> String {
    if events.is_empty() {
        return "Events:          <none>\n".into();
    }
    let mut rows = vec![vec!["Type".into(), "Reason".into(), "Age".into(), "From".into(), "Message".into()]];
    rows.push(vec!["----".into(), "------".into(), "----".into(), "----".into(), "-------".into()]);
    for e in events {
        let age = if e.count > 1 {
            format!("{} (x{} over {})", human_duration(now.since(e.last)), e.count, human_duration(now.since(e.first)))
        } else {
            human_duration(now.since(e.last))
        };
        rows.push(vec![e.kind_of_event.into(), e.reason.clone(), age, e.source.clone(), e.message.clone()]);
    }
    let body = table::tabwrite(&rows, 0, 2);
    format!("Events:\n{}", body.lines().map(|l| format!("  {}\n", l.trim_end())).collect::<String>())
}

fn events_for<'a>(world: &'a dyn Host, obj: &Value) -> Vec<&'a KubeEvent> {
    let uid = meta::uid(obj);
    world.model().cluster().events.current(world.now()).into_iter().filter(|e| e.uid == uid).collect()
}

pub fn describe(world: &dyn Host, ns: &str, args: &[String]) -> CommandOutput {
    let Some(first) = args.first() else {
        return CommandOutput::err(
            "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n",
            1,
        );
    };
    let (ty, name) = match first.split_once('/') {
        Some((t, n)) => (t.to_string(), Some(n.to_string())),
        None => (first.clone(), args.get(1).cloned()),
    };
    let Some(rt) = resource_type(&ty) else {
        return CommandOutput::err(format!("error: the server doesn't have a resource type \"{ty}\"\n"), 1);
    };
    let store = &world.model().cluster().store;
    let objects: Vec<&Value> = match &name {
        Some(n) => {
            let key = ObjectKey::new(rt.group, rt.kind, if rt.namespaced { ns } else { "" }, n);
            match store.get(&key) {
                Some(o) => vec![o],
                None => {
                    let plural = rt.qualified_plural();
                    return CommandOutput::err(format!("Error from server (NotFound): {plural} \"{n}\" not found\n"), 1);
                }
            }
        }
        None => store.list(rt.group, rt.kind, if rt.namespaced { Some(ns) } else { None }).collect(),
    };
    if objects.is_empty() {
        return CommandOutput::err(format!("No resources found in {ns} namespace.\n"), 0);
    }
    let texts: Vec<String> = objects
        .iter()
        .map(|o| match rt.kind {
            "Deployment" => describe_deployment(world, o),
            "Pod" => describe_pod(world, o),
            _ => describe_generic(world, o),
        })
        .collect();
    CommandOutput::ok(texts.join("\n\n"))
}

fn header(out: &mut String, o: &Value, width: usize) {
    field(out, "Name", meta::name(o), width);
    if !meta::namespace(o).is_empty() {
        field(out, "Namespace", meta::namespace(o), width);
    }
}

fn describe_deployment(world: &dyn Host, d: &Value) -> String {
    let w = 24;
    let mut out = String::new();
    header(&mut out, d, w);
    field(&mut out, "CreationTimestamp", &created(d), w);
    field(&mut out, "Labels", &map_lines(at(d, &["metadata", "labels"]), w), w);
    let annotations = at(d, &["metadata", "annotations"]).and_then(Value::as_object).map(|m| {
        m.iter()
            .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
            .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
    });
    let annotations =
        annotations.filter(|a| !a.is_empty()).map(|a| a.join(&format!("\n{}", " ".repeat(w)))).unwrap_or_else(|| "<none>".into());
    field(&mut out, "Annotations", &annotations, w);
    field(&mut out, "Selector", &map_lines(at(d, &["spec", "selector", "matchLabels"]), w).replace('\n', ","), w);
    let n = |path: &[&str]| i64_at(d, path).unwrap_or(0);
    let desired = i64_at(d, &["spec", "replicas"]).unwrap_or(1);
    field(
        &mut out,
        "Replicas",
        &format!(
            "{desired} desired | {} updated | {} total | {} available | {} unavailable",
            n(&["status", "updatedReplicas"]),
            n(&["status", "replicas"]),
            n(&["status", "availableReplicas"]),
            n(&["status", "unavailableReplicas"])
        ),
        w,
    );
    let strategy = str_at(d, &["spec", "strategy", "type"]).unwrap_or("RollingUpdate");
    field(&mut out, "StrategyType", strategy, w);
    field(&mut out, "MinReadySeconds", &n(&["spec", "minReadySeconds"]).to_string(), w);
    if strategy == "RollingUpdate" {
        let ru = |k: &str| {
            at(d, &["spec", "strategy", "rollingUpdate", k])
                .map(|v| v.as_str().map(String::from).unwrap_or_else(|| v.to_string()))
                .unwrap_or_else(|| "25%".into())
        };
        field(&mut out, "RollingUpdateStrategy", &format!("{} max unavailable, {} max surge", ru("maxUnavailable"), ru("maxSurge")), w);
    }
    out.push_str("Pod Template:\n");
    out.push_str(&format!("  Labels:  {}\n", map_lines(at(d, &["spec", "template", "metadata", "labels"]), 11)));
    out.push_str(&containers(at(d, &["spec", "template", "spec", "containers"]), "  "));
    out.push_str("  Volumes:         <none>\n  Node-Selectors:  <none>\n  Tolerations:     <none>\n");
    let conditions = at(d, &["status", "conditions"]).and_then(Value::as_array).cloned().unwrap_or_default();
    if !conditions.is_empty() {
        let mut rows =
            vec![vec!["Type".to_string(), "Status".into(), "Reason".into()], vec!["----".into(), "------".into(), "------".into()]];
        for c in &conditions {
            rows.push(vec![
                c["type"].as_str().unwrap_or_default().into(),
                c["status"].as_str().unwrap_or_default().into(),
                c["reason"].as_str().unwrap_or_default().into(),
            ]);
        }
        out.push_str("Conditions:\n");
        out.push_str(&table::tabwrite(&rows, 0, 2).lines().map(|l| format!("  {}\n", l.trim_end())).collect::<String>());
    }
    let store = &world.model().cluster().store;
    let sets: Vec<&Value> = store.owned_by(meta::uid(d)).filter(|o| o["kind"] == "ReplicaSet").collect();
    let revision = meta::annotation(d, "deployment.kubernetes.io/revision").unwrap_or("");
    let describe_rs = |rs: &Value| {
        format!(
            "{} ({}/{} replicas created)",
            meta::name(rs),
            i64_at(rs, &["status", "replicas"]).unwrap_or(0),
            i64_at(rs, &["spec", "replicas"]).unwrap_or(0)
        )
    };
    let (new, old): (Vec<&Value>, Vec<&Value>) =
        sets.into_iter().partition(|rs| meta::annotation(rs, "deployment.kubernetes.io/revision") == Some(revision));
    let old_text: Vec<String> =
        old.iter().filter(|rs| i64_at(rs, &["spec", "replicas"]).unwrap_or(0) > 0).map(|rs| describe_rs(rs)).collect();
    field(&mut out, "OldReplicaSets", &if old_text.is_empty() { "<none>".into() } else { old_text.join(", ") }, 17);
    field(&mut out, "NewReplicaSet", &new.first().map(|rs| describe_rs(rs)).unwrap_or_else(|| "<none>".into()), 17);
    out.push_str(&events_section(&events_for(world, d), world.now()));
    out.trim_end().to_string() + "\n"
}

fn containers(list: Option<&Value>, indent: &str) -> String {
    let mut out = format!("{indent}Containers:\n");
    for c in list.and_then(Value::as_array).into_iter().flatten() {
        out.push_str(&format!("{indent} {}:\n", c["name"].as_str().unwrap_or_default()));
        let image = c["image"].as_str().unwrap_or_default();
        let port = c["ports"][0]["containerPort"]
            .as_i64()
            .map(|p| format!("{p}/{}", c["ports"][0]["protocol"].as_str().unwrap_or("TCP")))
            .unwrap_or_else(|| "<none>".into());
        out.push_str(&format!("{indent}  Image:         {image}\n{indent}  Port:          {port}\n"));
        let env = c["env"].as_array().cloned().unwrap_or_default();
        if env.is_empty() {
            out.push_str(&format!("{indent}  Environment:   <none>\n"));
        } else {
            out.push_str(&format!("{indent}  Environment:\n"));
            for e in env {
                out.push_str(&format!(
                    "{indent}    {}:  {}\n",
                    e["name"].as_str().unwrap_or_default(),
                    e["value"].as_str().unwrap_or_default()
                ));
            }
        }
        out.push_str(&format!("{indent}  Mounts:        <none>\n"));
    }
    out
}

fn describe_pod(world: &dyn Host, p: &Value) -> String {
    let w = 17;
    let mut out = String::new();
    header(&mut out, p, w);
    field(&mut out, "Priority", "0", w);
    field(&mut out, "Service Account", str_at(p, &["spec", "serviceAccountName"]).unwrap_or("default"), w);
    field(
        &mut out,
        "Node",
        &format!("{}/{}", str_at(p, &["spec", "nodeName"]).unwrap_or("<none>"), str_at(p, &["status", "hostIP"]).unwrap_or("")),
        w,
    );
    field(
        &mut out,
        "Start Time",
        &str_at(p, &["status", "startTime"]).and_then(SimTime::parse_rfc3339).map(|t| t.rfc1123z()).unwrap_or_else(|| "<unset>".into()),
        w,
    );
    field(&mut out, "Labels", &map_lines(at(p, &["metadata", "labels"]), w), w);
    field(&mut out, "Annotations", "<none>", w);
    field(
        &mut out,
        "Status",
        if meta::is_terminating(p) { "Terminating" } else { str_at(p, &["status", "phase"]).unwrap_or("Pending") },
        w,
    );
    field(&mut out, "IP", str_at(p, &["status", "podIP"]).unwrap_or(""), w);
    let owner = p["metadata"]["ownerReferences"][0].clone();
    field(
        &mut out,
        "Controlled By",
        &format!("{}/{}", owner["kind"].as_str().unwrap_or_default(), owner["name"].as_str().unwrap_or_default()),
        w,
    );
    out.push_str("Containers:\n");
    let statuses = p["status"]["containerStatuses"].as_array().cloned().unwrap_or_default();
    for (i, c) in p["spec"]["containers"].as_array().cloned().unwrap_or_default().iter().enumerate() {
        let s = statuses.get(i).cloned().unwrap_or(Value::Null);
        out.push_str(&format!("  {}:\n", c["name"].as_str().unwrap_or_default()));
        out.push_str(&format!("    Image:          {}\n", c["image"].as_str().unwrap_or_default()));
        let (state, detail) = match s["state"].as_object().and_then(|m| m.iter().next()) {
            Some((k, v)) => {
                let word = match k.as_str() {
                    "running" => "Running",
                    "waiting" => "Waiting",
                    _ => "Terminated",
                };
                let detail = match k.as_str() {
                    "running" => v["startedAt"]
                        .as_str()
                        .and_then(SimTime::parse_rfc3339)
                        .map(|t| format!("      Started:      {}\n", t.rfc1123z()))
                        .unwrap_or_default(),
                    _ => v["reason"].as_str().map(|r| format!("      Reason:       {r}\n")).unwrap_or_default(),
                };
                (word, detail)
            }
            None => ("Waiting", String::new()),
        };
        out.push_str(&format!("    State:          {state}\n{detail}"));
        if let Some(last) = s["lastState"]["terminated"].as_object() {
            out.push_str(&format!(
                "    Last State:     Terminated\n      Reason:       {}\n      Exit Code:    {}\n",
                last.get("reason").and_then(Value::as_str).unwrap_or("Error"),
                last.get("exitCode").and_then(Value::as_i64).unwrap_or(1)
            ));
        }
        out.push_str(&format!("    Ready:          {}\n", if s["ready"] == true { "True" } else { "False" }));
        out.push_str(&format!("    Restart Count:  {}\n", s["restartCount"].as_u64().unwrap_or(0)));
    }
    let conditions = p["status"]["conditions"].as_array().cloned().unwrap_or_default();
    if !conditions.is_empty() {
        let mut rows = vec![vec!["Type".to_string(), "Status".into()]];
        for c in &conditions {
            rows.push(vec![c["type"].as_str().unwrap_or_default().into(), c["status"].as_str().unwrap_or_default().into()]);
        }
        out.push_str("Conditions:\n");
        out.push_str(&table::tabwrite(&rows, 0, 2).lines().map(|l| format!("  {}\n", l.trim_end())).collect::<String>());
    }
    field(&mut out, "QoS Class", str_at(p, &["status", "qosClass"]).unwrap_or("BestEffort"), w);
    out.push_str(&events_section(&events_for(world, p), world.now()));
    out.trim_end().to_string() + "\n"
}

fn describe_generic(world: &dyn Host, o: &Value) -> String {
    let w = 14;
    let mut out = String::new();
    header(&mut out, o, w);
    field(&mut out, "Labels", &map_lines(at(o, &["metadata", "labels"]), w), w);
    field(&mut out, "Annotations", "<none>", w);
    if o["kind"] == "Service" {
        field(&mut out, "Selector", &map_lines(at(o, &["spec", "selector"]), w).replace('\n', ","), w);
        field(&mut out, "Type", str_at(o, &["spec", "type"]).unwrap_or("ClusterIP"), w);
        field(&mut out, "IP", str_at(o, &["spec", "clusterIP"]).unwrap_or("None"), w);
        let port = &o["spec"]["ports"][0];
        field(&mut out, "Port", &format!("{}  {}/TCP", port["name"].as_str().unwrap_or("<unset>"), port["port"]), w);
        field(
            &mut out,
            "TargetPort",
            &port["targetPort"].as_str().map(String::from).unwrap_or_else(|| format!("{}/TCP", port["targetPort"])),
            w,
        );
    }
    out.push_str(&events_section(&events_for(world, o), world.now()));
    out.trim_end().to_string() + "\n"
}

fn created(o: &Value) -> String {
    str_at(o, &["metadata", "creationTimestamp"]).and_then(SimTime::parse_rfc3339).map(|t| t.rfc1123z()).unwrap_or_default()
}

/// `kubectl get events` and `kubectl events`: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
pub fn events(world: &dyn Host, ns: &str, all_namespaces: bool, mut args: Vec<String>) -> CommandOutput {
    let for_object = take_flag(&mut args, &["--for"]);
    let _ = take_switch(&mut args, &["-w", "--watch"]);
    let now = world.now();
    let list: Vec<&KubeEvent> = world
        .model()
        .cluster()
        .events
        .current(now)
        .into_iter()
        .filter(|e| all_namespaces || e.namespace == ns)
        .filter(|e| {
            for_object
                .as_ref()
                .is_none_or(|f| f.split_once('/').is_some_and(|(k, n)| resource_type(k).is_some_and(|rt| rt.kind == e.kind) && n == e.name))
        })
        .collect();
    if list.is_empty() {
        return CommandOutput::err(
            if all_namespaces { "No events found.\n".to_string() } else { format!("No events found in {ns} namespace.\n") },
            0,
        );
    }
    let mut rows = vec![vec!["LAST SEEN".to_string(), "TYPE".into(), "REASON".into(), "OBJECT".into(), "MESSAGE".into()]];
    if all_namespaces {
        rows[0].insert(0, "NAMESPACE".into());
    }
    for e in list {
        let seen = if e.count > 1 {
            format!("{} (x{} over {})", human_duration(now.since(e.last)), e.count, human_duration(now.since(e.first)))
        } else {
            human_duration(now.since(e.last))
        };
        let mut row =
            vec![seen, e.kind_of_event.into(), e.reason.clone(), format!("{}/{}", e.kind.to_lowercase(), e.name), e.message.clone()];
        if all_namespaces {
            row.insert(0, e.namespace.clone());
        }
        rows.push(row);
    }
    CommandOutput::ok(table::tabwrite(&rows, 0, 3))
}

/// `kubectl logs POD|deploy/NAME [--previous]`: what the container printed.
pub fn logs(world: &dyn Host, ns: &str, mut args: Vec<String>) -> CommandOutput {
    let previous = take_switch(&mut args, &["-p", "--previous"]);
    let _ = take_switch(&mut args, &["-f", "--follow"]);
    let _ = take_flag(&mut args, &["-c", "--container"]);
    let _ = take_flag(&mut args, &["--since"]);
    let tail = take_flag(&mut args, &["--tail"]).and_then(|t| t.parse::<i64>().ok()).filter(|t| *t >= 0);
    let Some(target) = args.first() else {
        return CommandOutput::err(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n",
            1,
        );
    };
    let mut out = logs_of(world, ns, target, previous);
    // kubectl names the pod it picked when a workload has several (on stderr, before the log).
    if let Some((ty, name)) = target.split_once('/') {
        if out.exit_code == 0 && resource_type(ty).is_some_and(|rt| rt.kind == "Deployment") {
            let store = &world.model().cluster().store;
            let pods = store.get(&ObjectKey::new("apps", "Deployment", ns, name)).map(|d| {
                let sets: Vec<String> = store.owned_by(meta::uid(d)).map(|rs| meta::uid(rs).to_string()).collect();
                let mut names: Vec<String> = sets
                    .iter()
                    .flat_map(|uid| store.owned_by(uid))
                    .filter(|p| !meta::is_terminating(p))
                    .map(|p| meta::name(p).to_string())
                    .collect();
                names.sort();
                names
            });
            if let Some(pods) = pods.filter(|p| p.len() > 1) {
                out.stdout = format!("Found {} pods, using pod/{}\n{}", pods.len(), pods[0], out.stdout);
            }
        }
    }
    if let Some(n) = tail {
        let lines: Vec<&str> = out.stdout.lines().collect();
        let (found, log) = match lines.first() {
            Some(l) if l.starts_with("Found ") && l.contains(" pods, using pod/") => (Some(*l), &lines[1..]),
            _ => (None, &lines[..]),
        };
        let kept = &log[log.len().saturating_sub(n as usize)..];
        out.stdout = found.into_iter().chain(kept.iter().copied()).map(|l| format!("{l}\n")).collect();
    }
    out
}

/// What `kubectl logs TARGET` prints for one pod (a Deployment's first pod by name).
fn logs_of(world: &dyn Host, ns: &str, target: &str, previous: bool) -> CommandOutput {
    let store = &world.model().cluster().store;
    let pod = match target.split_once('/') {
        Some((ty, name)) if resource_type(ty).is_some_and(|rt| rt.kind == "Deployment") => {
            let Some(d) = store.get(&ObjectKey::new("apps", "Deployment", ns, name)) else {
                return CommandOutput::err(
                    format!("error: error from server (NotFound): deployments.apps \"{name}\" not found in namespace \"{ns}\"\n"),
                    1,
                );
            };
            let sets: Vec<String> = store.owned_by(meta::uid(d)).map(|rs| meta::uid(rs).to_string()).collect();
            sets.iter()
                .flat_map(|uid| store.owned_by(uid))
                .filter(|p| !meta::is_terminating(p))
                .min_by_key(|p| meta::name(p).to_string())
                .cloned()
        }
        _ => store.get(&ObjectKey::new("", "Pod", ns, target.split_once('/').map_or(target, |(_, n)| n))).cloned(),
    };
    let Some(pod) = pod else {
        return CommandOutput::err(
            format!(
                "error: error from server (NotFound): pods \"{}\" not found in namespace \"{ns}\"\n",
                target.rsplit('/').next().unwrap_or(target)
            ),
            1,
        );
    };
    let container = pod["spec"]["containers"][0]["name"].as_str().unwrap_or_default();
    let image = pod["spec"]["containers"][0]["image"].as_str().unwrap_or_default();
    let status = &pod["status"]["containerStatuses"][0];
    let tag = image.rsplit_once(':').map_or("latest", |(_, t)| t);
    let behaviour = world.model().cluster().images.behaviour_for(image, "Always");
    let crashes = matches!(behaviour, crate::controllers::images::ImageBehaviour::Crash { .. });
    if previous {
        if status["restartCount"].as_u64().unwrap_or(0) == 0 {
            return CommandOutput::err(
                format!(
                    "Error from server (BadRequest): previous terminated container \"{container}\" in pod \"{}\" not found\n",
                    meta::name(&pod)
                ),
                1,
            );
        }
        return CommandOutput::ok(crash_log(container, tag));
    }
    if let Some(reason) = status["state"]["waiting"]["reason"].as_str() {
        if reason != "CrashLoopBackOff" {
            return CommandOutput::err(
                format!(
                    "Error from server (BadRequest): container \"{container}\" in pod \"{}\" is waiting to start: {}\n",
                    meta::name(&pod),
                    if reason == "ContainerCreating" {
                        "ContainerCreating".to_string()
                    } else {
                        "trying and failing to pull image".to_string()
                    }
                ),
                1,
            );
        }
        return CommandOutput::ok(crash_log(container, tag));
    }
    if crashes {
        return CommandOutput::ok(crash_log(container, tag));
    }
    let started = status["state"]["running"]["startedAt"].as_str().unwrap_or_default();
    CommandOutput::ok(format!(
        "{{\"time\":\"{started}\",\"level\":\"INFO\",\"msg\":\"starting {container}\",\"version\":\"{tag}\"}}\n{{\"time\":\"{started}\",\"level\":\"INFO\",\"msg\":\"listening\",\"addr\":\":8080\"}}\n{{\"time\":\"{started}\",\"level\":\"INFO\",\"msg\":\"ready\",\"probe\":\"/healthz\"}}\n"
    ))
}

/// What a crashing release prints before it exits.
fn crash_log(container: &str, tag: &str) -> String {
    format!(
        "{{\"level\":\"INFO\",\"msg\":\"starting {container}\",\"version\":\"{tag}\"}}\n{{\"level\":\"ERROR\",\"msg\":\"loading configuration\",\"error\":\"missing required setting PAYMENTS_SETTLEMENT_QUEUE\"}}\npanic: configuration invalid: missing required setting PAYMENTS_SETTLEMENT_QUEUE\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/cmd/{container}/main.go:42 +0x1c5\n"
    )
}

/// `kubectl explain`: the short documentation of the fields labs use.
pub fn explain(args: &[String]) -> CommandOutput {
    let Some(path) = args.iter().find(|a| !a.starts_with('-')) else {
        return CommandOutput::err(
            "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n",
            1,
        );
    };
    let (head, rest) = path.split_once('.').unwrap_or((path, ""));
    let Some(rt) = resource_type(head) else {
        return CommandOutput::err(format!("error: the server doesn't have a resource type \"{head}\"\n"), 1);
    };
    let field_path = if rest.is_empty() { String::new() } else { format!("{}.{rest}", rt.kind) };
    let docs: &[(&str, &str, &str, &str)] = &[
        ("Deployment", "", "<Object>", "Deployment enables declarative updates for Pods and ReplicaSets."),
        ("Deployment.spec", "spec", "<DeploymentSpec>", "Specification of the desired behavior of the Deployment."),
        (
            "Deployment.spec.replicas",
            "replicas",
            "<integer>",
            "Number of desired pods. This is a pointer to distinguish between explicit zero and\nnot specified. Defaults to 1.",
        ),
        (
            "Deployment.spec.template",
            "template",
            "<PodTemplateSpec> -required-",
            "Template describes the pods that will be created. The only allowed\ntemplate.spec.restartPolicy value is \"Always\".",
        ),
        (
            "Deployment.spec.progressDeadlineSeconds",
            "progressDeadlineSeconds",
            "<integer>",
            "The maximum time in seconds for a deployment to make progress before it is\nconsidered to be failed. The deployment controller will continue to process\nfailed deployments and a condition with a ProgressDeadlineExceeded reason will\nbe surfaced in the deployment status. Note that progress will not be estimated\nduring the time a deployment is paused. Defaults to 600s.",
        ),
        (
            "Pod",
            "",
            "<Object>",
            "Pod is a collection of containers that can run on a host. This resource is\ncreated by clients and scheduled onto hosts.",
        ),
        (
            "Service",
            "",
            "<Object>",
            "Service is a named abstraction of software service (for example, mysql)\nconsisting of local port (for example 3306) that the proxy listens on, and the\nselector that determines which pods will answer requests sent through the proxy.",
        ),
        ("Application", "", "<Object>", "Application is a definition of Application resource."),
    ];
    let key = if field_path.is_empty() { rt.kind.to_string() } else { field_path.clone() };
    let Some((_, name, ty, text)) = docs.iter().find(|d| d.0 == key) else {
        return CommandOutput::err(format!("error: field \"{}\" does not exist\n", rest.rsplit('.').next().unwrap_or(rest)), 1);
    };
    let indented: String = text.lines().map(|l| format!("    {l}\n")).collect();
    let mut out = format!("GROUP:      {}\nKIND:       {}\nVERSION:    {}\n\n", rt.group, rt.kind, rt.version);
    if rt.group.is_empty() {
        out = format!("KIND:       {}\nVERSION:    {}\n\n", rt.kind, rt.version);
    }
    if name.is_empty() {
        out.push_str(&format!("DESCRIPTION:\n{indented}"));
    } else {
        out.push_str(&format!("FIELD: {name} {ty}\n\nDESCRIPTION:\n{indented}"));
    }
    CommandOutput::ok(out)
}
