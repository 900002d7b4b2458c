//! Transcript tests: every command family the labs use, with its exact
//! output, compared with recorded transcripts in tests/transcripts/.
//! Run with UPDATE_SNAPSHOTS=1 to record a deliberate change, then review the diff.

use simulator::{content, script};

fn check(name: &str) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/transcripts");
    let script_text = std::fs::read_to_string(format!("{dir}/{name}.script")).expect("the script exists");
    // A script may name its lab on its first line (`# lab: push-vs-pull`); the drift lab is the default.
    let lab_id = script_text.lines().next().and_then(|l| l.strip_prefix("# lab: ")).unwrap_or("drift-2am");
    let lab = content::builtin_lab(lab_id).unwrap();
    let lines: Vec<String> = script_text.lines().map(String::from).collect();
    let got = script::run_script(&lab, 11, &lines).unwrap().transcript;
    let path = format!("{dir}/{name}.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let diff = similar_lines(&want, &got);
        panic!("transcript {name} differs from {path} (UPDATE_SNAPSHOTS=1 records it):\n{diff}");
    }
}

fn similar_lines(want: &str, got: &str) -> String {
    want.lines()
        .zip(got.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(5)
        .map(|(i, (a, b))| format!("line {}:\n- {a}\n+ {b}\n", i + 1))
        .collect()
}

#[test]
fn kubectl() {
    check("kubectl");
}

#[test]
fn git() {
    check("git");
}

#[test]
fn argocd() {
    check("argocd");
}

#[test]
fn shell_and_yq() {
    check("shell");
}

#[test]
fn mistakes_answer_as_the_real_tools_do() {
    check("errors");
}

#[test]
fn gh_and_the_push_world() {
    check("gh");
}

#[test]
fn flux() {
    check("flux");
}

#[test]
fn az_acr_and_image_updater() {
    check("az");
}

#[test]
fn git_branches_merges_and_resets() {
    check("git-branches");
}

#[test]
fn kubectl_describe_events_logs_and_explain() {
    check("kubectl-inspect");
}

#[test]
fn flags_in_any_position() {
    check("flags");
}
