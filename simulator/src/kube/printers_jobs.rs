//! kubectl 1.33's columns for Jobs, CronJobs and Ingresses (`printJob`, `printCronJob`,
//! `printIngress` in kubernetes `pkg/printers/internalversion/printers.go`).

use serde_json::Value;

use super::meta::{self, at, i64_at, str_at};
use crate::time::{SimTime, human_duration};

fn time_at(obj: &Value, path: &[&str]) -> Option<SimTime> {
    str_at(obj, path).and_then(SimTime::parse_rfc3339)
}

fn has_true_condition(job: &Value, kind: &str) -> bool {
    at(job, &["status", "conditions"])
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == kind && c["status"] == "True"))
}

/// STATUS, COMPLETIONS and DURATION of a Job.
pub fn job_cells(job: &Value, now: SimTime) -> [String; 3] {
    let status = if has_true_condition(job, "Complete") {
        "Complete"
    } else if has_true_condition(job, "Failed") {
        "Failed"
    } else if meta::is_terminating(job) {
        "Terminating"
    } else if has_true_condition(job, "Suspended") {
        "Suspended"
    } else if has_true_condition(job, "FailureTarget") {
        "FailureTarget"
    } else if has_true_condition(job, "SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let succeeded = i64_at(job, &["status", "succeeded"]).unwrap_or(0);
    let completions = match i64_at(job, &["spec", "completions"]) {
        Some(c) => format!("{succeeded}/{c}"),
        None => match i64_at(job, &["spec", "parallelism"]).unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (time_at(job, &["status", "startTime"]), time_at(job, &["status", "completionTime"])) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration(now.since(start)),
        (Some(start), Some(end)) => human_duration(end.since(start)),
    };
    [status.to_string(), completions, duration]
}

/// SCHEDULE, TIMEZONE, SUSPEND, ACTIVE and LAST SCHEDULE of a CronJob.
pub fn cronjob_cells(cj: &Value, now: SimTime) -> [String; 5] {
    let suspend = at(cj, &["spec", "suspend"]).and_then(Value::as_bool).unwrap_or(false);
    let active = at(cj, &["status", "active"]).and_then(Value::as_array).map_or(0, Vec::len);
    let last = time_at(cj, &["status", "lastScheduleTime"]).map(|t| human_duration(now.since(t))).unwrap_or_else(|| "<none>".into());
    [
        str_at(cj, &["spec", "schedule"]).unwrap_or_default().to_string(),
        str_at(cj, &["spec", "timeZone"]).unwrap_or("<none>").to_string(),
        if suspend { "True".into() } else { "False".into() },
        active.to_string(),
        last,
    ]
}

/// CLASS, HOSTS, ADDRESS and PORTS of an Ingress.
pub fn ingress_cells(ing: &Value) -> [String; 4] {
    let class = str_at(ing, &["spec", "ingressClassName"]).unwrap_or("<none>").to_string();
    let rules = at(ing, &["spec", "rules"]).and_then(Value::as_array).cloned().unwrap_or_default();
    let hosts: Vec<String> = rules.iter().map(|r| r["host"].as_str().filter(|h| !h.is_empty()).unwrap_or("*").to_string()).collect();
    let hosts = match hosts.len() {
        0 => "*".to_string(),
        n if n > 3 => format!("{} + {} more...", hosts[..3].join(","), n - 3),
        _ => hosts.join(","),
    };
    let address = at(ing, &["status", "loadBalancer", "ingress"])
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str())).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    let tls = at(ing, &["spec", "tls"]).and_then(Value::as_array).is_some_and(|t| !t.is_empty());
    [class, hosts, address, if tls { "80, 443".into() } else { "80".into() }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_columns_are_kubectls() {
        let now = SimTime::parse_rfc3339("2026-03-12T02:10:00Z").unwrap();
        let done = json!({"spec": {"completions": 1}, "status": {"succeeded": 1, "startTime": "2026-03-12T02:00:00Z",
            "completionTime": "2026-03-12T02:00:12Z", "conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(job_cells(&done, now), ["Complete".to_string(), "1/1".into(), "12s".into()]);
        let running = json!({"spec": {"parallelism": 3}, "status": {"startTime": "2026-03-12T02:09:30Z"}});
        assert_eq!(job_cells(&running, now), ["Running".to_string(), "0/1 of 3".into(), "30s".into()]);
    }

    #[test]
    fn ingress_columns_are_kubectls() {
        let ing = json!({"spec": {"ingressClassName": "nginx", "rules": [{"host": "a.example.com"}, {}], "tls": [{"hosts": ["a.example.com"]}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.7"}]}}});
        assert_eq!(ingress_cells(&ing), ["nginx".to_string(), "a.example.com,*".into(), "10.0.0.7".into(), "80, 443".into()]);
        assert_eq!(ingress_cells(&json!({})), ["<none>".to_string(), "*".into(), "".into(), "80".into()]);
    }
}
