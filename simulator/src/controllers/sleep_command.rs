//! How long a container's command runs when it is a recognisable `sleep N`
//! (`sleep 10`, `sh -c "echo hi; sleep 30"`, `sleep 1m`): a Job or hook then
//! takes that long, as it would on a real cluster.

use serde_json::Value;

/// The seconds the first container's `command` and `args` sleep, summed over every `sleep`; `None` when there is none.
pub fn sleep_seconds(pod: &Value) -> Option<u64> {
    let container = pod["spec"]["containers"].get(0)?;
    let words: Vec<String> = ["command", "args"]
        .iter()
        .flat_map(|field| container[*field].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .flat_map(|part| part.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\'')))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut total = None;
    for pair in words.windows(2) {
        if pair[0] == "sleep" || pair[0].ends_with("/sleep") {
            if let Some(secs) = duration(&pair[1]) {
                total = Some(total.unwrap_or(0) + secs);
            }
        }
    }
    total
}

/// coreutils `sleep`'s operand: a number with an optional unit (s, m, h, d).
fn duration(word: &str) -> Option<u64> {
    let (number, unit) = match word.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&word[..i], c),
        _ => (word, 's'),
    };
    let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86400.0,
        _ => return None,
    };
    Some((value * scale).ceil().min(u32::MAX as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(command: Value, args: Value) -> Value {
        json!({"spec": {"containers": [{"name": "c", "image": "busybox", "command": command, "args": args}]}})
    }

    #[test]
    fn recognises_sleep_in_commands_and_shell_scripts() {
        assert_eq!(sleep_seconds(&pod(json!(["sleep", "10"]), Value::Null)), Some(10));
        assert_eq!(sleep_seconds(&pod(json!(["sh", "-c"]), json!(["echo start; sleep 30 && echo done"]))), Some(30));
        assert_eq!(sleep_seconds(&pod(json!(["/bin/sleep", "1m"]), Value::Null)), Some(60));
        assert_eq!(sleep_seconds(&pod(json!(["sh", "-c", "sleep 2; sleep 3"]), Value::Null)), Some(5));
        assert_eq!(sleep_seconds(&pod(json!(["echo", "sleep"]), Value::Null)), None);
        assert_eq!(sleep_seconds(&pod(json!(["sleep", "infinity"]), Value::Null)), None);
    }
}
