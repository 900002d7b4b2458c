//! The `gitops-lab` binary as a user runs it: exit codes and output.

use std::process::Command;

fn gitops_lab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gitops-lab")).args(args).output().expect("the binary runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("gitops-lab-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn labs_lists_the_catalog() {
    let (code, out, _) = gitops_lab(&["labs"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next().unwrap_or_default().split_whitespace().collect::<Vec<_>>(),
        ["#", "LEVEL", "ID", "MINUTES", "TITLE"],
        "{out}"
    );
    assert!(out.contains("drift-2am") && out.contains("It's 2 AM: the manual scale"), "{out}");
    let first = out.lines().nth(1).unwrap_or_default();
    assert!(first.starts_with("1 ") && first.contains("meet-the-platform") && first.ends_with("(start here)"), "{out}");
    assert!(out.contains("Foundations") && out.contains("Advanced"), "{out}");
}

#[test]
fn solution_replay_exits_zero_and_a_partial_script_exits_one() {
    let (code, out, _) = gitops_lab(&["play", "drift-2am", "--solution", "--seed", "3"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("5 of 5 steps passed (seed 3)."), "{out}");
    let dir = temp_dir("script");
    let script = dir.join("partial.txt");
    std::fs::write(&script, "kubectl get deploy -n payments\n").unwrap();
    let (code, out, _) = gitops_lab(&["play", "drift-2am", "--script", script.to_str().unwrap(), "--seed", "3"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("0 of 5 steps passed"), "{out}");
}

#[test]
fn unknown_lab_names_the_known_ones() {
    let (code, _, err) = gitops_lab(&["play", "nope"]);
    assert_eq!(code, 2);
    let known: Vec<String> = simulator::content::labs(&simulator::content::builtin()).unwrap().into_iter().map(|l| l.id).collect();
    assert!(known.len() >= 3);
    assert!(err.contains(&format!("no lab `nope`; the labs are: {}", known.join(", "))), "{err}");
}

#[test]
fn sandbox_runs_a_folder_of_manifests() {
    let dir = temp_dir("sandbox");
    std::fs::create_dir_all(dir.join("web")).unwrap();
    std::fs::write(dir.join("web/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {colour: blue}\n")
        .unwrap();
    let script = dir.join("script.txt");
    std::fs::write(&script, "argocd app list -o name\nkubectl get cm settings -o jsonpath='{.data.colour}'\n").unwrap();
    let (code, out, err) = gitops_lab(&["sandbox", "--repo", dir.to_str().unwrap(), "--script", script.to_str().unwrap(), "--seed", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("argocd/gitops-lab-cli-"), "an app named after the folder: {out}");
    assert!(out.contains("blue"), "{out}");
    let (code, _, err) = gitops_lab(&["sandbox", "--repo", "/nonexistent/folder"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/folder"), "{err}");
}

#[test]
fn health_prints_argo_cd_status_and_message() {
    let dir = temp_dir("health");
    let file = dir.join("deploy.yaml");
    std::fs::write(&file, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  paused: true\n").unwrap();
    let (code, out, _) = gitops_lab(&["health", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(out, "STATUS: Suspended\nMESSAGE: Deployment is paused\n");
    std::fs::write(&file, "kind: [\n").unwrap();
    let (code, _, err) = gitops_lab(&["health", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("deploy.yaml"), "{err}");
}

#[test]
fn check_validates_content_from_a_folder() {
    let (code, out, _) = gitops_lab(&["check"]);
    assert_eq!(code, 0, "{out}");
    let dir = temp_dir("content");
    std::fs::create_dir_all(dir.join("labs/broken")).unwrap();
    std::fs::write(dir.join("labs/broken/lab.yaml"), "id: broken\ntitle: B\n").unwrap();
    let (code, _, err) = gitops_lab(&["--content", dir.to_str().unwrap(), "check"]);
    assert_eq!(code, 1);
    assert!(err.contains("labs/broken/lab.yaml"), "{err}");
}

#[test]
fn kustomize_build_and_edit_set_image_on_real_folders() {
    let dir = temp_dir("kustomize");
    std::fs::create_dir_all(dir.join("base")).unwrap();
    std::fs::create_dir_all(dir.join("prod")).unwrap();
    std::fs::write(dir.join("base/kustomization.yaml"), "resources:\n- cm.yaml\n").unwrap();
    std::fs::write(dir.join("base/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n").unwrap();
    std::fs::write(dir.join("prod/kustomization.yaml"), "resources:\n- ../base\nnamePrefix: prod-\n").unwrap();
    let (code, out, err) = gitops_lab(&["kustomize", "build", dir.join("prod").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: prod-settings\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["kustomize", "edit", "set", "image", "app=registry.example.com/app:1.2.3"])
        .current_dir(dir.join("prod"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let k = std::fs::read_to_string(dir.join("prod/kustomization.yaml")).unwrap();
    assert_eq!(
        k,
        "resources:\n- ../base\nnamePrefix: prod-\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n- name: app\n  newName: registry.example.com/app\n  newTag: 1.2.3\n"
    );
}

#[test]
fn helm_template_and_lint_on_real_folders() {
    let dir = temp_dir("helm");
    std::fs::create_dir_all(dir.join("web/templates")).unwrap();
    std::fs::write(dir.join("web/Chart.yaml"), "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: \"1.27\"\n").unwrap();
    std::fs::write(dir.join("web/values.yaml"), "replicas: 2\n").unwrap();
    std::fs::write(dir.join("prod.yaml"), "replicas: 5\n").unwrap();
    std::fs::write(
        dir.join("web/templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: {{ .Values.replicas | quote }}\n  version: {{ .Chart.AppVersion }}\n",
    )
    .unwrap();
    let chart = dir.join("web");
    let values = dir.join("prod.yaml");
    let (code, out, err) =
        gitops_lab(&["helm", "template", "shop", chart.to_str().unwrap(), "-f", values.to_str().unwrap(), "--set", "x=1"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\ndata:\n  replicas: \"5\"\n  version: 1.27\n"
    );
    std::fs::write(dir.join("web/templates/bad.yaml"), "a: {{ .Values.x.y }}\n").unwrap();
    let (code, _, err) = gitops_lab(&["helm", "template", "shop", chart.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "Error: template: web/templates/bad.yaml:1:13: executing \"web/templates/bad.yaml\" at <.Values.x.y>: nil pointer evaluating interface {}.y\n"
    );
    let (code, out, err) = gitops_lab(&["helm", "lint", chart.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[ERROR] templates/: template: web/templates/bad.yaml:1:13"), "{out}");
    assert_eq!(err, "Error: 1 chart(s) linted, 1 chart(s) failed\n");
}

#[test]
fn quiz_lists_topics_and_grades_answers() {
    let (code, out, _) = gitops_lab(&["quiz", "--list"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("TOPIC ") && out.contains("push-pull ") && out.contains("principles "), "{out}");
    assert!(out.lines().last().unwrap().starts_with("final "), "{out}");
    let (code, _, err) = gitops_lab(&["quiz", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no quiz `nope`; the topics are:"), "{err}");
    // No answers (end of input): the quiz ends unpassed.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["quiz", "principles", "--seed", "3"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Quiz score: 0% (0 of 6 answered"), "{}", String::from_utf8_lossy(&out.stdout));
}

/// The answer lines a trainee who knows every answer types for this attempt.
fn right_answers(attempt: &simulator::quiz::Attempt) -> String {
    use simulator::quiz::QuestionKind;
    let mut lines = String::new();
    for p in &attempt.questions {
        let position = |written: usize| p.order.iter().position(|o| *o == written).unwrap();
        let line: Vec<String> = match p.question.kind {
            QuestionKind::Ordering => (0..p.question.len()).map(|w| (position(w) + 1).to_string()).collect(),
            QuestionKind::Matching => (0..p.question.len()).map(|w| char::from(b'a' + position(w) as u8).to_string()).collect(),
            _ => p.key.iter().map(|w| (position(*w) + 1).to_string()).collect(),
        };
        // "none" where nothing applies: an empty line is asked again.
        let text = if line.is_empty() { "none".to_string() } else { line.join(",") };
        lines.push_str(&text);
        lines.push('\n');
    }
    lines
}

#[test]
fn quiz_takes_every_question_type_and_writes_a_result_record() {
    use std::io::Write;
    let files = simulator::content::builtin();
    let banks = simulator::content::banks(&files).unwrap();
    let labs = simulator::content::labs(&files).unwrap();
    for (topic, seed, attempt) in [("rollback", 11, 1), ("repositories", 5, 2), ("final", 8, 1)] {
        let drawn = simulator::quiz::Attempt::new(&simulator::quiz::Selection::named(topic), &banks, &labs, seed, attempt).unwrap();
        let record = std::env::temp_dir().join(format!("gitops-lab-quiz-{topic}-{}.json", std::process::id()));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
            .args(["quiz", topic, "--seed", &seed.to_string(), "--attempt", &attempt.to_string(), "--record"])
            .arg(&record)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(right_answers(&drawn).as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{topic}: {stdout}");
        assert!(stdout.contains("Quiz score: 100%") && stdout.contains("Passed."), "{topic}: {stdout}");
        let result: simulator::quiz::QuizResult = serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
        std::fs::remove_file(&record).unwrap();
        assert_eq!((result.score, result.passed, result.attempt, result.seed), (100, true, attempt, seed));
        assert_eq!(result.answered, drawn.questions.len());
        assert!(result.answers.iter().all(|a| a.correct && a.earned == a.possible), "{result:?}");
    }
}

#[test]
fn quiz_answers_accept_a_choice_s_words_and_ask_again_on_anything_unclear() {
    use gitops_lab::quiz_cmd::parse_answer;
    use simulator::quiz::QuestionKind;
    let files = simulator::content::builtin();
    let banks = simulator::content::banks(&files).unwrap();
    let labs = simulator::content::labs(&files).unwrap();
    let attempt = simulator::quiz::Attempt::new(&simulator::quiz::Selection::Final, &banks, &labs, 5, 1).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for p in &attempt.questions {
        let shown = p.shown();
        kinds.insert(format!("{:?}", p.question.kind));
        // A stray Enter and a word that is no choice are asked again, never graded as no answer.
        assert!(parse_answer(p, "\n").is_err(), "{}", p.question.id);
        assert!(parse_answer(p, "maybe\n").is_err(), "{}", p.question.id);
        match p.question.kind {
            QuestionKind::TrueFalse => {
                let false_at = shown.iter().position(|c| c == "False").unwrap();
                assert_eq!(parse_answer(p, "false\n").unwrap(), vec![false_at]);
                assert_eq!(parse_answer(p, "FALSE\n").unwrap(), vec![false_at]);
                assert_eq!(parse_answer(p, &format!("{}\n", false_at + 1)).unwrap(), vec![false_at]);
                assert!(parse_answer(p, "3\n").is_err());
            }
            QuestionKind::Matching => {
                let upper: Vec<String> = (0..p.question.pairs.len()).map(|i| char::from(b'A' + i as u8).to_string()).collect();
                assert_eq!(parse_answer(p, &upper.join(" ")).unwrap(), (0..upper.len()).collect::<Vec<_>>(), "upper-case letters count");
                assert!(parse_answer(p, "a").is_err() || p.question.pairs.len() == 1, "too few letters are asked again");
            }
            QuestionKind::Ordering => {
                assert!(parse_answer(p, "1,1").is_err(), "a repeated position is asked again");
            }
            _ => {}
        }
    }
    assert!(kinds.contains("TrueFalse"), "the draw has a True/False question: {kinds:?}");
    // End to end: an unclear line is asked again, then the right answers still score 100%.
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gitops-lab"))
        .args(["quiz", "final", "--seed", "5"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("maybe\n\n{}", right_answers(&attempt)).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Please give"), "{stdout}");
    assert!(stdout.contains("Quiz score: 100%"), "{stdout}");
}
