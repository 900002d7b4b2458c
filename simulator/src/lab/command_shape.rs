//! Command shapes: whether a command line a trainee typed is a run of the
//! command a step names (same tool and words, the same flag values, kubectl's
//! resource aliases treated as equal).

use crate::kube::resource_type;

/// Whether `line` is a run of the command `shape`: same tool and words, the
/// same flag values, kubectl resource aliases treated as equal.
pub fn command_matches(shape: &str, line: &str) -> bool {
    let (Ok(want), Ok(got)) = (shell_words::split(shape), shell_words::split(line)) else {
        return false;
    };
    let canon = |words: &[String]| -> (Vec<String>, Vec<String>) {
        let mut positional = Vec::new();
        let mut flags = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let w = &words[i];
            if w.starts_with('-') {
                let takes_value = matches!(
                    w.as_str(),
                    "-n" | "--namespace" | "-o" | "--output" | "-l" | "-m" | "--replicas" | "--username" | "--password"
                );
                if takes_value && i + 1 < words.len() && !w.contains('=') {
                    flags.push(format!("{}={}", canonical_flag(w), words[i + 1]));
                    i += 1;
                } else {
                    let (f, v) = w.split_once('=').unwrap_or((w, ""));
                    flags.push(if v.is_empty() { canonical_flag(f).to_string() } else { format!("{}={v}", canonical_flag(f)) });
                }
            } else {
                positional.push(w.clone());
            }
            i += 1;
        }
        if positional.first().map(String::as_str) == Some("kubectl") {
            if let Some(t) = positional.get(2).cloned() {
                let (ty, name) = t.split_once('/').map(|(a, b)| (a.to_string(), Some(b.to_string()))).unwrap_or((t.clone(), None));
                if let Some(rt) = resource_type(&ty) {
                    positional[2] = rt.kind.to_string();
                    if let Some(n) = name {
                        positional.insert(3, n);
                    }
                }
            }
        }
        flags.sort();
        (positional, flags)
    };
    let (wp, wf) = canon(&want);
    let (gp, gf) = canon(&got);
    // In a shape, `*` stands for any one word and a final `...` for any words.
    let positional_match = match wp.split_last() {
        Some((last, head)) if last == "..." => gp.len() >= head.len() && head.iter().zip(&gp).all(|(w, g)| w == "*" || w == g),
        _ => wp.len() == gp.len() && wp.iter().zip(&gp).all(|(w, g)| w == "*" || w == g),
    };
    positional_match && wf.iter().all(|f| gf.contains(f))
}

fn canonical_flag(flag: &str) -> &str {
    match flag {
        "--namespace" => "-n",
        "--output" => "-o",
        "--message" => "-m",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_shapes_accept_aliases_and_flag_order() {
        assert!(command_matches("kubectl get deploy -n payments", "kubectl -n payments get deployments"));
        assert!(command_matches("git show *", "git show db98345"));
        assert!(!command_matches("git show *", "git show"));
        assert!(command_matches("git log ...", "git log --oneline -n 3"));
        assert!(command_matches("git log ...", "git log"));
        assert!(!command_matches("git log ...", "git show"));
        assert!(command_matches("kubectl get deploy -n payments", "kubectl get deployment.apps --namespace=payments -o wide"));
        assert!(command_matches(
            "kubectl scale deployment payment-service --replicas=5 -n payments",
            "kubectl scale deploy/payment-service -n payments --replicas 5"
        ));
        assert!(!command_matches("kubectl get deploy -n payments", "kubectl get pods -n payments"));
        assert!(!command_matches("kubectl get deploy -n payments", "kubectl get deploy"));
        assert!(command_matches("git log", "git log --oneline"));
    }
}
