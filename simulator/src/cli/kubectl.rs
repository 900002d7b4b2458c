//! `kubectl`, as version 1.33 prints it.

use serde_json::{Value, json};

use super::Host;
use super::files::{self, FsError};
use super::{CommandOutput, table, take_flag, take_switch};
use crate::kube::apply::{self, ApplyOutcome};
use crate::kube::meta::SetPath;
use crate::kube::meta::{self, ObjectKey, at, i64_at};
use crate::kube::{ResourceType, printers, resource_type, resource_type_for};
use crate::time::{SimDuration, SimTime};

const VERBS: &[&str] = &[
    "get",
    "describe",
    "scale",
    "apply",
    "delete",
    "set",
    "rollout",
    "version",
    "config",
    "create",
    "edit",
    "logs",
    "explain",
    "kustomize",
    "label",
    "annotate",
    "patch",
    "exec",
    "port-forward",
    "top",
    "cluster-info",
    "api-resources",
];

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let namespace = take_flag(&mut args, &["-n", "--namespace"]);
    let all_namespaces = take_switch(&mut args, &["-A", "--all-namespaces"]);
    let Some(verb) = args.first().cloned() else {
        return CommandOutput::ok(
            "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\nUse \"kubectl <command> --help\" for more information about a given command.\n",
        );
    };
    args.remove(0);
    let ns = namespace.unwrap_or_else(|| world.shell().kube_namespace.clone());
    let ctx = Ctx { ns, all_namespaces };
    match verb.as_str() {
        "get" if args.first().is_some_and(|a| matches!(a.as_str(), "events" | "event" | "ev")) => {
            // `kubectl get events` is a `get`: an empty list says so as every `get` does.
            let mut out = super::kubectl_describe::events(world, &ctx.ns, ctx.all_namespaces, args[1..].to_vec());
            if out.stdout.is_empty() && out.stderr.starts_with("No events found") {
                out.stderr = out.stderr.replacen("No events found", "No resources found", 1);
            }
            out
        }
        "events" => super::kubectl_describe::events(world, &ctx.ns, ctx.all_namespaces, args),
        "describe" => super::kubectl_describe::describe(world, &ctx.ns, &args),
        "logs" => super::kubectl_describe::logs(world, &ctx.ns, args),
        "explain" => super::kubectl_describe::explain(&args),
        "get" => get(world, &ctx, args),
        "edit" => open_edit(world, &ctx, args),
        "scale" => scale(world, &ctx, args),
        "apply" => apply_files(world, &ctx, args),
        "delete" => delete(world, &ctx, args),
        "set" => set_image(world, &ctx, args),
        "rollout" => rollout(world, &ctx, args),
        "kustomize" => super::kustomize::build(world, args.iter().find(|a| !a.starts_with('-')).map(String::as_str).unwrap_or(".")),
        "create" => super::kubectl_create::create(world, &ctx.ns, args),
        "label" => super::kubectl_create::label(world, &ctx.ns, args, super::kubectl_create::Field::Labels),
        "annotate" => super::kubectl_create::label(world, &ctx.ns, args, super::kubectl_create::Field::Annotations),
        "auth" if args.first().map(String::as_str) == Some("can-i") => CommandOutput::ok("yes\n"),
        "version" if args.iter().any(|a| a == "--client") => CommandOutput::ok("Client Version: v1.33.1\nKustomize Version: v5.6.0\n"),
        "version" => CommandOutput::ok("Client Version: v1.33.1\nKustomize Version: v5.6.0\nServer Version: v1.33.3\n"),
        v if VERBS.contains(&v) => CommandOutput::err(format!("error: \"kubectl {v}\" is not available in this lab yet\n"), 1),
        other => CommandOutput::err(format!("error: unknown command \"{other}\" for \"kubectl\"\n"), 1),
    }
}

struct Ctx {
    ns: String,
    all_namespaces: bool,
}

fn unknown_flag(args: &[String], verb: &str) -> Option<CommandOutput> {
    args.iter().find(|a| a.starts_with('-')).map(|flag| {
        let shown = flag.split('=').next().unwrap_or(flag);
        let text = if shown.starts_with("--") {
            format!("error: unknown flag: {shown}\nSee 'kubectl {verb} --help' for usage.\n")
        } else {
            format!(
                "error: unknown shorthand flag: '{}' in {shown}\nSee 'kubectl {verb} --help' for usage.\n",
                shown.trim_start_matches('-').chars().next().unwrap_or('-')
            )
        };
        CommandOutput::err(text, 1)
    })
}

/// Splits `TYPE NAME...`, `TYPE/NAME...` into (type, names).
fn targets(args: &[String]) -> Result<Vec<(&'static ResourceType, Option<String>)>, CommandOutput> {
    let mut out = Vec::new();
    let Some(first) = args.first() else {
        return Ok(out);
    };
    if first.contains('/') {
        for a in args {
            let (t, n) = a.split_once('/').unwrap_or((a, ""));
            out.push((lookup(t)?, Some(n.to_string())));
        }
    } else if first.contains(',') && args.len() == 1 {
        for t in first.split(',').filter(|t| !t.is_empty()) {
            out.push((lookup(t)?, None));
        }
    } else {
        let rt = lookup(first)?;
        if args.len() == 1 {
            out.push((rt, None));
        }
        for n in &args[1..] {
            out.push((rt, Some(n.clone())));
        }
    }
    Ok(out)
}

fn lookup(name: &str) -> Result<&'static ResourceType, CommandOutput> {
    resource_type(name).ok_or_else(|| CommandOutput::err(format!("error: the server doesn't have a resource type \"{name}\"\n"), 1))
}

fn key_for(rt: &ResourceType, ns: &str, name: &str) -> ObjectKey {
    ObjectKey::new(rt.group, rt.kind, if rt.namespaced { ns } else { "" }, name)
}

fn not_found(rt: &ResourceType, name: &str) -> String {
    format!("Error from server (NotFound): {} \"{name}\" not found\n", rt.qualified_plural())
}

fn get(world: &mut dyn Host, ctx: &Ctx, mut args: Vec<String>) -> CommandOutput {
    let output = take_flag(&mut args, &["-o", "--output"]).unwrap_or_default();
    let selector = take_flag(&mut args, &["-l", "--selector"]);
    let show_labels = take_switch(&mut args, &["--show-labels"]);
    let no_headers = take_switch(&mut args, &["--no-headers"]);
    let label_columns: Vec<String> = take_flag(&mut args, &["-L", "--label-columns"])
        .map(|l| l.split(',').filter(|k| !k.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    let field_selector = take_flag(&mut args, &["--field-selector"]);
    let _watch = take_switch(&mut args, &["-w", "--watch"]);
    if let Some(e) = unknown_flag(&args, "get") {
        return e;
    }
    if args.is_empty() {
        return CommandOutput::err(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n",
            1,
        );
    }
    let custom_columns = match output.strip_prefix("custom-columns=").map(parse_custom_columns) {
        Some(Ok(c)) => Some(c),
        Some(Err(e)) => return CommandOutput::err(e, 1),
        None => None,
    };
    if let Some(Err(e)) = field_selector.as_deref().map(|f| crate::kube::api::field_selector_matches(f, &json!({}))) {
        return CommandOutput::err(format!("Error from server ({}): {}\n", e.reason, e.message), 1);
    }
    if !matches!(output.as_str(), "" | "wide" | "yaml" | "json" | "name") && !output.starts_with("jsonpath=") && custom_columns.is_none() {
        return CommandOutput::err(
            format!(
                "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"
            ),
            1,
        );
    }
    let now = world.now();
    let store = &world.model().cluster().store;
    let (types, all) = if args[0] == "all" {
        (
            vec![
                "pods",
                "services",
                "daemonsets",
                "deployments",
                "replicasets",
                "statefulsets",
                "horizontalpodautoscalers",
                "cronjobs",
                "jobs",
            ],
            true,
        )
    } else {
        (vec![], false)
    };
    let requests: Vec<(&'static ResourceType, Option<String>)> = if all {
        types.iter().map(|t| (resource_type(t).expect("built-in types"), None)).collect()
    } else {
        match targets(&args) {
            Ok(t) => t,
            Err(e) => return e,
        }
    };
    let mut out = CommandOutput::default();
    let mut found: Vec<(&'static ResourceType, Value)> = Vec::new();
    for (rt, name) in &requests {
        match name {
            Some(n) => match store.get(&key_for(rt, &ctx.ns, n)) {
                Some(o) => found.push((rt, o.clone())),
                None => {
                    out.stderr.push_str(&not_found(rt, n));
                    out.exit_code = 1;
                }
            },
            None => {
                let ns = if ctx.all_namespaces || !rt.namespaced { None } else { Some(ctx.ns.as_str()) };
                for o in store.list(rt.group, rt.kind, ns) {
                    let by_labels = selector.as_deref().is_none_or(|s| meta::label_selector_matches(s, &meta::labels(o)));
                    let by_fields =
                        field_selector.as_deref().is_none_or(|f| crate::kube::api::field_selector_matches(f, o).unwrap_or(false));
                    if by_labels && by_fields {
                        found.push((rt, o.clone()));
                    }
                }
            }
        }
    }
    let single = requests.len() == 1 && requests[0].1.is_some();
    match output.as_str() {
        "yaml" | "json" => {
            let value = if single && found.len() == 1 {
                found[0].1.clone()
            } else {
                json!({"apiVersion": "v1", "items": found.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>(), "kind": "List", "metadata": {"resourceVersion": ""}})
            };
            if !found.is_empty() || !single {
                out.stdout = if output == "yaml" { crate::yaml::to_yaml(&value) } else { format!("{}\n", pretty_json(&value)) };
            }
            return out;
        }
        "name" => {
            for (rt, o) in &found {
                out.stdout.push_str(&format!("{}/{}\n", rt.kubectl_name(), meta::name(o)));
            }
            return out;
        }
        o if o.starts_with("jsonpath=") => {
            let expr = o.trim_start_matches("jsonpath=");
            let value = if single && found.len() == 1 {
                found[0].1.clone()
            } else {
                json!({"items": found.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>()})
            };
            match jsonpath(&value, expr) {
                Ok(text) => out.stdout.push_str(&text),
                Err(e) => {
                    out.stderr.push_str(&format!("error: error parsing jsonpath {expr}, {e}\n"));
                    out.exit_code = 1;
                }
            }
            return out;
        }
        _ => {}
    }
    if found.is_empty() && out.exit_code == 0 {
        out.stderr = if ctx.all_namespaces || requests.iter().all(|(rt, _)| !rt.namespaced) {
            "No resources found\n".into()
        } else {
            format!("No resources found in {} namespace.\n", ctx.ns)
        };
        return out;
    }
    let wide = output == "wide";
    let several_types = dedup_types(&requests).len() > 1;
    let mut first_table = true;
    for rt in dedup_types(&requests) {
        let objs: Vec<&Value> = found.iter().filter(|(t, _)| t.kind == rt.kind).map(|(_, o)| o).collect();
        if objs.is_empty() {
            continue;
        }
        if let Some(columns) = &custom_columns {
            let mut rows = vec![columns.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>()];
            for o in &objs {
                rows.push(
                    columns
                        .iter()
                        .map(|(_, path)| {
                            jsonpath(o, &format!("{{{path}}}")).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| "<none>".into())
                        })
                        .collect(),
                );
            }
            if no_headers {
                rows.remove(0);
            }
            out.stdout.push_str(&table::kubectl(&rows));
            continue;
        }
        let mut rows = vec![header(rt, wide)];
        for o in &objs {
            rows.push(row(rt, o, now, wide, world));
        }
        if all || several_types {
            for r in rows.iter_mut().skip(1) {
                r[0] = format!("{}/{}", rt.kubectl_name(), r[0]);
            }
        }
        if ctx.all_namespaces && rt.namespaced {
            rows[0].insert(0, "NAMESPACE".into());
            for (r, o) in rows.iter_mut().skip(1).zip(&objs) {
                r.insert(0, meta::namespace(o).to_string());
            }
        }
        if show_labels {
            rows[0].push("LABELS".into());
            for (r, o) in rows.iter_mut().skip(1).zip(&objs) {
                let labels = meta::labels(o);
                let text = labels.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect::<Vec<_>>().join(",");
                r.push(if text.is_empty() { "<none>".into() } else { text });
            }
        }
        for key in &label_columns {
            rows[0].push(key.rsplit('/').next().unwrap_or(key).to_uppercase());
            for (r, o) in rows.iter_mut().skip(1).zip(&objs) {
                r.push(meta::labels(o).get(key.as_str()).and_then(Value::as_str).unwrap_or("").to_string());
            }
        }
        if no_headers {
            rows.remove(0);
        }
        if !first_table {
            out.stdout.push('\n');
        }
        first_table = false;
        out.stdout.push_str(&table::kubectl(&rows));
    }
    out
}

/// `-o custom-columns=NAME:.metadata.name,...` as (header, path) pairs, or kubectl's error.
fn parse_custom_columns(spec: &str) -> Result<Vec<(String, String)>, String> {
    spec.split(',')
        .map(|c| match c.split_once(':') {
            Some((h, p)) if !h.is_empty() && !p.is_empty() => {
                Ok((h.to_string(), p.trim_start_matches('{').trim_end_matches('}').to_string()))
            }
            _ => Err(format!("error: unexpected custom-columns spec: {c}, expected <header>:<json-path-expr>\n")),
        })
        .collect()
}

/// The requested resource types, each once, in request order.
fn dedup_types(requests: &[(&'static ResourceType, Option<String>)]) -> Vec<&'static ResourceType> {
    let mut seen: Vec<&'static ResourceType> = Vec::new();
    for (rt, _) in requests {
        if !seen.iter().any(|s| s.kind == rt.kind) {
            seen.push(rt);
        }
    }
    seen
}

/// kubectl's column headers: the API server's column names in capitals, wide ones only with `-o wide`.
fn header(rt: &ResourceType, wide: bool) -> Vec<String> {
    printers::columns(rt).iter().filter(|c| wide || c.priority == 0).map(|c| c.name.to_uppercase()).collect()
}

fn row(rt: &ResourceType, o: &Value, now: SimTime, wide: bool, world: &dyn Host) -> Vec<String> {
    let columns = printers::columns(rt);
    let app = if rt.kind == "Application" { world.model().app_columns(meta::name(o)) } else { None };
    let mut cells = printers::cells(rt, o, now, app.as_ref());
    if !wide {
        let mut kept = columns.iter().map(|c| c.priority == 0);
        cells.retain(|_| kept.next().unwrap_or(false));
    }
    cells
}

fn num(obj: &Value, path: &[&str]) -> i64 {
    i64_at(obj, path).unwrap_or(0)
}

fn pretty_json(v: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(b"    "));
    v.serialize(&mut ser).expect("JSON values serialize");
    String::from_utf8(buf).expect("JSON is UTF-8")
}

/// A subset of kubectl's JSONPath: `{.a.b}`, `{.items[0].x}`, `{.items[*].x}`, text around templates.
fn jsonpath(value: &Value, expr: &str) -> Result<String, String> {
    let expr = expr.trim_matches('\'');
    let mut out = String::new();
    let mut rest = expr;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').ok_or("unclosed action")? + start;
        let path = &rest[start + 1..end];
        let values = eval_path(value, path)?;
        out.push_str(
            &values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" "),
        );
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn eval_path(value: &Value, path: &str) -> Result<Vec<Value>, String> {
    let mut current = vec![value.clone()];
    let path = path.trim().strip_prefix('.').unwrap_or(path.trim());
    if path.is_empty() {
        return Ok(current);
    }
    for part in path.split('.') {
        let (key, index) = match part.find('[') {
            Some(i) => (&part[..i], Some(part[i + 1..].trim_end_matches(']'))),
            None => (part, None),
        };
        let mut next = Vec::new();
        for v in &current {
            let v = if key.is_empty() { Some(v.clone()) } else { v.get(key).cloned() };
            match (v, index) {
                (Some(v), None) => next.push(v),
                (Some(Value::Array(items)), Some("*")) => next.extend(items),
                (Some(Value::Array(items)), Some(i)) => {
                    let i: usize = i.parse().map_err(|_| format!("invalid array index {i}"))?;
                    next.extend(items.get(i).cloned());
                }
                _ => {}
            }
        }
        current = next;
    }
    Ok(current)
}

fn scale(world: &mut dyn Host, ctx: &Ctx, mut args: Vec<String>) -> CommandOutput {
    let replicas = take_flag(&mut args, &["--replicas"]);
    if let Some(e) = unknown_flag(&args, "scale") {
        return e;
    }
    let Some(replicas) = replicas else {
        return CommandOutput::err("error: required flag(s) \"replicas\" not set\n", 1);
    };
    let Ok(replicas) = replicas.parse::<i64>() else {
        return CommandOutput::err(
            format!(
                "error: invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax\n"
            ),
            1,
        );
    };
    let targets = match targets(&args) {
        Ok(t) if !t.is_empty() && t.iter().all(|(_, n)| n.is_some()) => t,
        Ok(_) => {
            return CommandOutput::err("error: resource(s) were provided, but no name was specified\n", 1);
        }
        Err(e) => return e,
    };
    let mut out = CommandOutput::default();
    for (rt, name) in targets {
        let name = name.expect("checked above");
        if !matches!(rt.kind, "Deployment" | "ReplicaSet" | "StatefulSet") {
            out.stderr.push_str(&format!("error: no scaler has been implemented for {{\"{}\" \"{}\"}}\n", rt.group, rt.kind));
            out.exit_code = 1;
            continue;
        }
        let key = key_for(rt, &ctx.ns, &name);
        let Some(mut obj) = world.model().cluster().store.get(&key).cloned() else {
            // kubectl 1.33 resolves the names first and words a missing one so.
            out.stderr.push_str(&format!("error: no objects passed to scale {} \"{name}\" not found\n", rt.qualified_plural()));
            out.exit_code = 1;
            continue;
        };
        obj.set_path(&["spec", "replicas"], json!(replicas));
        match world.model_mut().update_object(obj) {
            Ok(_) => out.stdout.push_str(&format!("{}/{name} scaled\n", rt.kubectl_name())),
            Err(e) => {
                out.stderr.push_str(&format!("{e}\n"));
                out.exit_code = 1;
            }
        }
    }
    world.settle();
    out
}

fn apply_files(world: &mut dyn Host, ctx: &Ctx, mut args: Vec<String>) -> CommandOutput {
    let mut paths = Vec::new();
    while let Some(f) = take_flag(&mut args, &["-f", "--filename"]) {
        paths.push(f);
    }
    let kustomization = take_flag(&mut args, &["-k", "--kustomize"]);
    let dry_run = take_flag(&mut args, &["--dry-run"]);
    if let Some(e) = unknown_flag(&args, "apply") {
        return e;
    }
    if paths.is_empty() && kustomization.is_none() {
        return CommandOutput::err("error: must specify one of -f and -k\n", 1);
    }
    let mut docs = Vec::new();
    if let Some(dir) = &kustomization {
        match super::kustomize::build_text(world, dir) {
            Ok(text) => docs.extend(crate::yaml::parse_documents(&text, dir).unwrap_or_default().into_iter().map(|d| (d, dir.clone()))),
            Err(e) => return CommandOutput::err(format!("error: {}\n", e.trim_start_matches("Error: ")), 1),
        }
    }
    for p in &paths {
        let abs = files::absolute(world, p);
        let file_paths: Vec<String> = if files::is_dir(world, &abs) {
            files::list(world, &abs)
                .unwrap_or_default()
                .into_iter()
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json"))
                .map(|n| format!("{abs}/{n}"))
                .collect()
        } else {
            vec![abs.clone()]
        };
        for fp in file_paths {
            let shown =
                if fp == abs { p.clone() } else { format!("{}/{}", p.trim_end_matches('/'), fp.rsplit('/').next().unwrap_or_default()) };
            match files::read(world, &fp) {
                Ok(text) => match crate::yaml::parse_documents(&text, p) {
                    Ok(d) => docs.extend(d.into_iter().map(|d| (d, shown.clone()))),
                    Err(e) => {
                        return CommandOutput::err(
                            format!(
                                "error: error parsing {p}: error converting YAML to JSON: yaml: line {}: {}\n",
                                e.line.unwrap_or(0),
                                e.message
                            ),
                            1,
                        );
                    }
                },
                Err(FsError::IsDirectory | FsError::NotDirectory | FsError::NotFound) => {
                    return CommandOutput::err(format!("error: the path \"{p}\" does not exist\n"), 1);
                }
            }
        }
    }
    let mut out = CommandOutput::default();
    for (mut doc, source) in docs {
        let Some(group_kind) = doc.get("kind").and_then(Value::as_str).map(String::from) else {
            out.stderr.push_str("error: unable to decode: Object 'Kind' is missing\n");
            out.exit_code = 1;
            continue;
        };
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
        let (group, _) = crate::kube::split_api_version(&api_version);
        if !world.model().cluster().store.knows_kind(group, &group_kind) {
            out.stderr.push_str(&format!(
                "error: resource mapping not found for name: \"{}\" namespace: \"{}\" from \"{source}\": no matches for kind \"{group_kind}\" in version \"{api_version}\"\nensure CRDs are installed first\n",
                meta::name(&doc),
                meta::namespace(&doc)
            ));
            out.exit_code = 1;
            continue;
        }
        let namespaced = resource_type_for(group, &group_kind).is_none_or(|r| r.namespaced);
        if namespaced && meta::namespace(&doc).is_empty() {
            meta::ensure_map(&mut doc, &["metadata"]).insert("namespace".into(), json!(ctx.ns));
        }
        let Some(key) = ObjectKey::of(&doc) else {
            // A name that is not a string fails kubectl's decoding; a missing one, its lookup.
            let problem = match meta::at(&doc, &["metadata", "name"]) {
                Some(name) if !name.is_null() => {
                    let what = match name {
                        Value::Number(_) => "number",
                        Value::Bool(_) => "bool",
                        Value::Array(_) => "array",
                        _ => "object",
                    };
                    format!(
                        "error: unable to decode \"{source}\": json: cannot unmarshal {what} into Go struct field ObjectMeta.metadata.name of type string\n"
                    )
                }
                _ => format!(
                    "error: error when retrieving current configuration from server for: \"{source}\": resource name may not be empty\n"
                ),
            };
            out.stderr.push_str(&problem);
            out.exit_code = 1;
            continue;
        };
        let live = world.model().cluster().store.get(&key).cloned();
        let merged = apply::merge(live.as_ref(), &doc);
        let result = match (&live, dry_run.is_some()) {
            (None, true) => Ok(ApplyOutcome::Created),
            (Some(_), true) => Ok(ApplyOutcome::Configured),
            (None, false) => world.model_mut().create_object(merged).map(|_| ApplyOutcome::Created),
            (Some(before), false) => world.model_mut().update_object(merged).map(|after| {
                if after.get("metadata").and_then(|m| m.get("resourceVersion"))
                    == before.get("metadata").and_then(|m| m.get("resourceVersion"))
                {
                    ApplyOutcome::Unchanged
                } else {
                    ApplyOutcome::Configured
                }
            }),
        };
        match result {
            Ok(o) => {
                let suffix = match dry_run.as_deref() {
                    Some("server") => " (server dry run)",
                    Some(_) => " (dry run)",
                    None => "",
                };
                out.stdout.push_str(&format!("{} {}{suffix}\n", key.kubectl_ref(), o.word()));
            }
            Err(e) => {
                out.stderr.push_str(&format!("{e}\n"));
                out.exit_code = 1;
            }
        }
    }
    world.settle();
    out
}

/// `kubectl edit TYPE/NAME`: asks the host to open the live object in its editor.
fn open_edit(world: &mut dyn Host, ctx: &Ctx, args: Vec<String>) -> CommandOutput {
    let targets = match targets(&args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let Some((rt, Some(name))) = targets.first().cloned() else {
        return CommandOutput::err("error: you must provide one or more resources by argument or filename (.json|.yaml|.yml|stdin)\n", 1);
    };
    let key = ObjectKey::new(rt.group, rt.kind, if rt.namespaced { &ctx.ns } else { "" }, &name);
    let Some(obj) = world.model().cluster().store.get(&key) else {
        return CommandOutput::err(format!("Error from server (NotFound): {} \"{name}\" not found\n", rt.qualified_plural()), 1);
    };
    let header = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";
    world.open_editor(format!("{}/{name}", rt.singular), ctx.ns.clone(), format!("{header}{}", crate::yaml::to_yaml(obj)));
    CommandOutput::default()
}

/// Saves an edited object, as `kubectl edit` does when the editor closes.
pub fn save_edit(world: &mut dyn Host, target: &str, namespace: &str, content: &str) -> CommandOutput {
    let Some((ty, name)) = target.split_once('/') else { return CommandOutput::err("error: no object to edit\n", 1) };
    let Some(rt) = resource_type(ty) else {
        return CommandOutput::err(format!("error: the server doesn't have a resource type \"{ty}\"\n"), 1);
    };
    let key = ObjectKey::new(rt.group, rt.kind, if rt.namespaced { namespace } else { "" }, name);
    let Some(live) = world.model().cluster().store.get(&key).cloned() else {
        return CommandOutput::err(format!("Error from server (NotFound): {} \"{name}\" not found\n", rt.qualified_plural()), 1);
    };
    let text: String = content.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    if text.trim().is_empty() {
        return CommandOutput::err("Edit cancelled, no changes made.\n", 0);
    }
    let edited = match crate::yaml::parse_documents(&text, "edit").map(|d| d.into_iter().next()) {
        Ok(Some(v)) => v,
        Ok(None) => return CommandOutput::err("Edit cancelled, no changes made.\n", 0),
        Err(e) => return CommandOutput::err(format!("error: {}\n", e.message), 1),
    };
    if ObjectKey::of(&edited).as_ref() != Some(&key) {
        return CommandOutput::err("error: At least one of apiVersion, kind and name was changed\n", 1);
    }
    if edited == live {
        return CommandOutput::err("Edit cancelled, no changes made.\n", 0);
    }
    match world.model_mut().update_object(edited) {
        Ok(_) => {
            world.settle();
            CommandOutput::ok(format!("{} edited\n", key.kubectl_ref()))
        }
        Err(e) => CommandOutput::err(format!("error: {e}\n"), 1),
    }
}

fn delete(world: &mut dyn Host, ctx: &Ctx, mut args: Vec<String>) -> CommandOutput {
    let _ = take_switch(&mut args, &["--wait", "--now"]);
    if let Some(e) = unknown_flag(&args, "delete") {
        return e;
    }
    let targets = match targets(&args) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            return CommandOutput::err(
                "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
                1,
            );
        }
        Err(e) => return e,
    };
    let mut out = CommandOutput::default();
    let now = world.now();
    for (rt, name) in targets {
        let Some(name) = name else {
            return CommandOutput::err("error: resource(s) were provided, but no name was specified\n", 1);
        };
        match world.model_mut().cluster_mut().store.delete(&key_for(rt, &ctx.ns, &name), now) {
            // kubectl 1.33 names no namespace here (the "from <ns> namespace" suffix came in 1.34).
            Ok(()) => out.stdout.push_str(&format!("{} \"{name}\" deleted\n", rt.kubectl_name())),
            Err(_) => {
                out.stderr.push_str(&not_found(rt, &name));
                out.exit_code = 1;
            }
        }
    }
    world.settle();
    out
}

fn set_image(world: &mut dyn Host, ctx: &Ctx, mut args: Vec<String>) -> CommandOutput {
    if args.first().map(String::as_str) != Some("image") {
        return CommandOutput::err("error: \"kubectl set\" supports only \"image\" in this lab\n", 1);
    }
    args.remove(0);
    if let Some(e) = unknown_flag(&args, "set image") {
        return e;
    }
    let (resources, pairs): (Vec<String>, Vec<String>) = args.into_iter().partition(|a| !a.contains('='));
    let targets = match targets(&resources) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            return CommandOutput::err("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\n", 1);
        }
        Err(e) => return e,
    };
    if pairs.is_empty() {
        return CommandOutput::err("error: at least one image update is required\n", 1);
    }
    let mut out = CommandOutput::default();
    for (rt, name) in targets {
        let name = name.unwrap_or_default();
        let key = key_for(rt, &ctx.ns, &name);
        let Some(mut obj) = world.model().cluster().store.get(&key).cloned() else {
            out.stderr.push_str(&not_found(rt, &name));
            out.exit_code = 1;
            continue;
        };
        let containers = obj["spec"]["template"]["spec"]["containers"].as_array_mut();
        let Some(containers) = containers else {
            continue;
        };
        for pair in &pairs {
            let (container, image) = pair.split_once('=').expect("partitioned on '='");
            let mut matched = false;
            for c in containers.iter_mut().filter(|c| container == "*" || c["name"] == container) {
                c.set_path(&["image"], json!(image));
                matched = true;
            }
            if !matched {
                out.stderr.push_str(&format!("error: unable to find container named \"{container}\"\n"));
                out.exit_code = 1;
            }
        }
        if out.exit_code == 0 {
            let _ = world.model_mut().update_object(obj);
            out.stdout.push_str(&format!("{}/{name} image updated\n", rt.kubectl_name()));
        }
    }
    world.settle();
    out
}

fn rollout(world: &mut dyn Host, ctx: &Ctx, mut args: Vec<String>) -> CommandOutput {
    let timeout = take_flag(&mut args, &["--timeout"]).and_then(|t| crate::time::parse_duration(&t, crate::time::DurationSyntax::Sleep));
    if args.is_empty() {
        return CommandOutput::err("error: Required resource not specified.\n", 1);
    }
    let sub = args.remove(0);
    if let Some(e) = unknown_flag(&args, &format!("rollout {sub}")) {
        return e;
    }
    let targets = match targets(&args) {
        Ok(t) if t.len() == 1 && t[0].1.is_some() => t,
        Ok(_) => return CommandOutput::err("error: required resource not specified\n", 1),
        Err(e) => return e,
    };
    let (rt, name) = (targets[0].0, targets[0].1.clone().expect("checked above"));
    let key = key_for(rt, &ctx.ns, &name);
    if world.model().cluster().store.get(&key).is_none() {
        return CommandOutput::err(not_found(rt, &name), 1);
    }
    let now = world.now();
    match sub.as_str() {
        "status" => {
            let mut out = CommandOutput::default();
            let mut last = String::new();
            let limit = timeout.unwrap_or(SimDuration::secs(600));
            let done = super::run_until(world, limit, |w| {
                let Some(d) = w.cluster().store.get(&key) else {
                    return true;
                };
                let (msg, finished) = rollout_message(d);
                if msg != last {
                    out.stdout.push_str(&msg);
                    last = msg;
                }
                finished
            });
            if !done {
                out.stderr.push_str("error: timed out waiting for the condition\n");
                out.exit_code = 1;
            } else if last.contains("exceeded its progress deadline") {
                out.stdout = out.stdout.replace(&last, "");
                out.stderr.push_str(&last.replace("deployment", "error: deployment"));
                out.exit_code = 1;
            }
            out
        }
        "restart" => {
            let mut obj = world.model().cluster().store.get(&key).cloned().expect("checked above");
            meta::ensure_map(&mut obj, &["spec", "template", "metadata", "annotations"])
                .insert("kubectl.kubernetes.io/restartedAt".into(), json!(now.rfc3339()));
            let _ = world.model_mut().update_object(obj);
            world.settle();
            CommandOutput::ok(format!("{}/{name} restarted\n", rt.kubectl_name()))
        }
        "undo" | "history" => {
            let d = world.model().cluster().store.get(&key).cloned().expect("checked above");
            let uid = meta::uid(&d).to_string();
            let mut rss: Vec<Value> = world
                .model()
                .cluster()
                .store
                .list("apps", "ReplicaSet", Some(&ctx.ns))
                .filter(|rs| meta::controller_uid(rs) == Some(uid.as_str()))
                .cloned()
                .collect();
            let rev =
                |rs: &Value| meta::annotation(rs, "deployment.kubernetes.io/revision").and_then(|r| r.parse::<i64>().ok()).unwrap_or(0);
            rss.sort_by_key(|rs| rev(rs));
            if sub == "history" {
                let mut text = format!("{}/{name} \nREVISION  CHANGE-CAUSE\n", rt.kubectl_name());
                for rs in &rss {
                    text.push_str(&format!("{:<10}<none>\n", rev(rs)));
                }
                text.push('\n');
                return CommandOutput::ok(text);
            }
            if rss.len() < 2 {
                return CommandOutput::err(format!("error: no rollout history found for {} \"{name}\"\n", rt.kubectl_name()), 1);
            }
            let previous = &rss[rss.len() - 2];
            let mut template = previous["spec"]["template"].clone();
            if let Some(labels) = template.get_mut("metadata").and_then(|m| m.get_mut("labels")).and_then(Value::as_object_mut) {
                labels.remove("pod-template-hash");
            }
            let mut obj = d.clone();
            obj.set_path(&["spec", "template"], template);
            let _ = world.model_mut().update_object(obj);
            world.settle();
            CommandOutput::ok(format!("{}/{name} rolled back\n", rt.kubectl_name()))
        }
        other => CommandOutput::err(format!("error: unknown command \"{other}\" for \"kubectl rollout\"\n"), 1),
    }
}

/// What `kubectl rollout status` prints for a Deployment, and whether it is done.
fn rollout_message(d: &Value) -> (String, bool) {
    let name = meta::name(d);
    let generation = num(d, &["metadata", "generation"]);
    let observed = num(d, &["status", "observedGeneration"]);
    if generation > observed {
        return ("Waiting for deployment spec update to be observed...\n".into(), false);
    }
    let progressing =
        at(d, &["status", "conditions"]).and_then(Value::as_array).and_then(|cs| cs.iter().find(|c| c["type"] == "Progressing").cloned());
    if progressing.is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
        return (format!("deployment \"{name}\" exceeded its progress deadline\n"), true);
    }
    let replicas = i64_at(d, &["spec", "replicas"]).unwrap_or(1);
    let updated = num(d, &["status", "updatedReplicas"]);
    let total = num(d, &["status", "replicas"]);
    let available = num(d, &["status", "availableReplicas"]);
    if updated < replicas {
        return (
            format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {replicas} new replicas have been updated...\n"),
            false,
        );
    }
    if total > updated {
        return (
            format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", total - updated),
            false,
        );
    }
    if available < updated {
        return (
            format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"),
            false,
        );
    }
    (format!("deployment \"{name}\" successfully rolled out\n"), true)
}
