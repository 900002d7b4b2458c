//! The differential corpus: the same commands go through the emulated
//! terminal and through the real tools (kubectl 1.33 against the served world,
//! git in the materialized clone) of two worlds built from the same lab and
//! seed; outputs are compared after normalising only what must differ (ages and
//! times, runs of blanks that follow them). The report lists identical and
//! different commands per tool; the commands known to be identical must stay so.
//!
//! kubectl 1.33 is looked for at its Cloud SDK path (or `$KUBECTL_1_33`): missing, the test
//! says so and passes, except with `CI=true`, where its absence fails.

use std::path::{Path, PathBuf};
use std::process::Command;

const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The corpus, in order (later commands see what earlier ones changed, in both worlds).
const CORPUS: &[&str] = &[
    "kubectl get deploy -n payments",
    "kubectl get deployments -n payments",
    "kubectl get pods -n payments",
    "kubectl get pods -n payments -o wide",
    "kubectl get rs -n payments",
    "kubectl get svc -n payments",
    "kubectl get ns",
    "kubectl get nodes",
    "kubectl get nodes -o wide",
    "kubectl get deploy -A",
    "kubectl get deploy payment-service -n payments",
    "kubectl get deploy nope -n payments",
    "kubectl get deploy -n nowhere",
    "kubectl get app -n argocd",
    "kubectl get app -n argocd -o wide",
    "kubectl get cm -n payments",
    "kubectl get deploy -n payments --show-labels",
    "kubectl get pods -n payments -l app=payment-service",
    "kubectl get deploy -n payments -o name",
    "kubectl get deploy payment-service -n payments -o jsonpath={.spec.replicas}",
    "kubectl get widgets",
    "kubectl scale deployment payment-service --replicas=4 -n payments",
    "kubectl get deploy payment-service -n payments -o jsonpath={.spec.replicas}",
    "kubectl delete pod nope -n payments",
    "kubectl rollout history deployment/payment-service -n payments",
    "kubectl version",
    "git log --oneline",
    "git log -1",
    "git status",
    "git branch",
    "git remote -v",
    "git show --stat HEAD",
    "git log --oneline -n 2",
    "git diff",
];

fn kubectl_path() -> Option<PathBuf> {
    let path = std::env::var("KUBECTL_1_33").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from(KUBECTL));
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("kubectl 1.33 is required in CI and is missing at {}", path.display());
    }
    eprintln!("SKIPPED: kubectl 1.33 is not installed at {}; the corpus did not run", path.display());
    None
}

/// Ages and durations (`5m`, `2d3h`, `10s`) become `AGE`; runs of blanks become one.
fn normalise(text: &str) -> String {
    let is_age = |w: &str| {
        let mut digits = false;
        let mut ok = !w.is_empty();
        for c in w.chars() {
            if c.is_ascii_digit() {
                digits = true;
            } else if matches!(c, 's' | 'm' | 'h' | 'd' | 'y') && digits {
                digits = false;
            } else {
                ok = false;
            }
        }
        ok && !digits && w.chars().next().is_some_and(|c| c.is_ascii_digit())
    };
    text.lines()
        .map(|l| l.split_whitespace().map(|w| if is_age(w) { "AGE" } else { w }).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn real(kubectl: &Path, kubeconfig: &Path, clone: &Path, line: &str) -> String {
    let words = shell_words::split(line).unwrap();
    let out = if words[0] == "kubectl" {
        Command::new(kubectl).args(&words[1..]).env("KUBECONFIG", kubeconfig).output().unwrap()
    } else {
        Command::new("git")
            .args(["-c", "color.ui=never", "-c", "core.pager=cat"])
            .args(&words[1..])
            .current_dir(clone)
            .env("TZ", "UTC")
            .env("GIT_PAGER", "cat")
            .output()
            .unwrap()
    };
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Commands whose outputs are identical today; a difference in one of them is a regression.
const KNOWN_IDENTICAL: &[&str] = &[
    "kubectl get deploy -n payments",
    "kubectl get deployments -n payments",
    "kubectl get pods -n payments",
    "kubectl get rs -n payments",
    "kubectl get ns",
    "kubectl get nodes",
    "kubectl get deploy payment-service -n payments",
    "kubectl get deploy nope -n payments",
    "kubectl get deploy -n nowhere",
    "kubectl get widgets",
    "kubectl scale deployment payment-service --replicas=4 -n payments",
];

/// The fewest identical commands per tool, set from a measured run (2026-12-01: kubectl 25 of 26,
/// git 3 of 8); a run below a floor is a regression. Raise a floor when more become identical.
const IDENTICAL_FLOORS: &[(&str, usize)] = &[("kubectl", 25), ("git", 3)];

#[test]
fn emulated_and_real_tools_print_the_same() {
    let Some(kubectl) = kubectl_path() else { return };
    let files = gitops_lab::content_dir::load(None).unwrap();
    let lab = simulator::content::labs(&files).unwrap().into_iter().find(|l| l.id == "drift-2am").unwrap();
    let seed = 11;
    let mut emulated = simulator::World::new(seed, &lab).unwrap();
    while emulated.poll_output().is_some() {}
    let dir = std::env::temp_dir().join(format!("gitops-lab-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (server, repos) = gitops_lab::real_tools::start(&files, "drift-2am", &dir, 1.0, Some(seed)).unwrap();
    let clone = repos[0].clone.clone().unwrap();
    let kubeconfig = dir.join("kubeconfig");

    let mut report: Vec<(&str, bool)> = Vec::new();
    let mut differences = String::new();
    for line in CORPUS {
        let now = emulated.now();
        emulated.handle_input(now, simulator::Input::Command { line: line.to_string() });
        let mut mine = String::new();
        while let Some(o) = emulated.poll_output() {
            if let simulator::Output::Terminal { text, .. } = o {
                mine.push_str(&text);
            }
        }
        let theirs = real(&kubectl, &kubeconfig, &clone, line);
        let same = normalise(&mine) == normalise(&theirs);
        if !same {
            differences.push_str(&format!("── {line}\n   emulated:\n{mine}\n   real:\n{theirs}\n"));
        }
        report.push((line, same));
    }
    let mut below_floor = Vec::new();
    for (tool, floor) in IDENTICAL_FLOORS {
        let of_tool: Vec<&(&str, bool)> = report.iter().filter(|(l, _)| l.split_whitespace().next() == Some(*tool)).collect();
        let identical = of_tool.iter().filter(|(_, s)| *s).count();
        println!("{tool}: {} commands, {identical} identical, {} different (floor {floor})", of_tool.len(), of_tool.len() - identical);
        if identical < *floor {
            below_floor.push(format!("{tool}: {identical} identical, fewer than {floor}"));
        }
    }
    for (line, same) in &report {
        println!("  {} {line}", if *same { "identical" } else { "DIFFERENT" });
    }
    println!("{differences}");
    server.stop();
    let regressions: Vec<&&str> = KNOWN_IDENTICAL.iter().filter(|k| report.iter().any(|(l, s)| l == *k && !s)).collect();
    assert!(below_floor.is_empty(), "fewer commands identical to the real tools than measured before: {below_floor:?}\n{differences}");
    assert!(
        regressions.is_empty(),
        "these commands used to print what the real tools print and no longer do: {regressions:?}\n{differences}"
    );
}
