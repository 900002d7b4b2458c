//! Every lab, replayed: its reference solution passes every step with several
//! seeds, and before its solution each step's check fails.

use simulator::content;
use simulator::lab::Lab;
use simulator::{Input, World, script};

const SEEDS: [u64; 4] = [1, 7, 42, 2026];

fn labs() -> Vec<Lab> {
    let labs = content::labs(&content::builtin()).expect("the built-in labs load");
    assert!(!labs.is_empty(), "no labs are built in");
    labs
}

fn run_commands(world: &mut World, commands: &[String]) {
    for line in commands {
        let now = world.now();
        world.handle_input(now, Input::Command { line: line.clone() });
    }
}

#[test]
fn every_solution_passes_every_step_with_several_seeds() {
    for lab in labs() {
        for seed in SEEDS {
            let run = script::run_script(&lab, seed, &script::solution(&lab)).expect("the lab starts");
            assert!(
                run.all_passed,
                "lab {} seed {seed}: only {} of {} steps passed\n{}",
                lab.id,
                run.steps_passed,
                lab.steps.len(),
                run.transcript
            );
        }
    }
}

#[test]
fn every_check_fails_before_its_solution_and_passes_after() {
    for lab in labs() {
        for (i, step) in lab.steps.iter().enumerate() {
            let mut world = World::new(7, &lab).expect("the lab starts");
            for earlier in &lab.steps[..i] {
                run_commands(&mut world, &earlier.solution);
            }
            let before = step.check.evaluate(&world);
            assert!(!before.passed, "lab {} step {} passes before its solution ran: found {}", lab.id, step.id, before.found);
            run_commands(&mut world, &step.solution);
            let after = step.check.evaluate(&world);
            assert!(
                after.passed,
                "lab {} step {} fails after its solution: expected {}, found {}",
                lab.id, step.id, after.expected, after.found
            );
        }
    }
}

#[test]
fn a_seeded_run_is_reproducible_and_seeds_matter() {
    let lab = &content::builtin_lab("drift-2am").expect("the drift lab is built in");
    let commands = script::solution(lab);
    let a = script::run_script(lab, 99, &commands).unwrap().transcript;
    let b = script::run_script(lab, 99, &commands).unwrap().transcript;
    let c = script::run_script(lab, 100, &commands).unwrap().transcript;
    assert_eq!(a, b);
    assert_ne!(a, c, "pod names and timings should depend on the seed");
}

#[test]
fn skipping_a_step_applies_its_solution_so_later_steps_still_work() {
    let lab = content::builtin_lab("drift-2am").unwrap();
    let mut world = World::new(3, &lab).unwrap();
    for _ in 0..lab.steps.len() {
        let now = world.now();
        world.handle_input(now, Input::SkipStep);
        let later = world.now() + simulator::SimDuration::secs(30);
        world.advance_to(later);
    }
    assert!(world.tracker().unwrap().finished(), "{:?}", world.step_reports());
}

#[test]
fn hints_are_graduated_and_counted() {
    let lab = content::builtin_lab("drift-2am").unwrap();
    let mut world = World::new(3, &lab).unwrap();
    let mut texts = Vec::new();
    for _ in 0..4 {
        let now = world.now();
        world.handle_input(now, Input::Hint);
        while let Some(o) = world.poll_output() {
            if let simulator::Output::Hint { level, text, .. } = o {
                texts.push((level, text));
            }
        }
    }
    assert_eq!(texts.len(), lab.steps[0].hints.len(), "one hint per request until they run out");
    assert_eq!(texts.iter().map(|(l, _)| *l).collect::<Vec<_>>(), (1..=texts.len()).collect::<Vec<_>>());
    assert_eq!(world.tracker().unwrap().hints_used(), texts.len());
}

#[test]
fn gitops_lab_check_accepts_the_builtin_content() {
    let summary = gitops_lab::check::validate(&content::builtin()).unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(summary.contains("every solution passes"), "{summary}");
}

#[test]
fn the_builtin_banks_do_not_give_the_key_away_by_its_length() {
    let warnings = gitops_lab::check::warnings(&content::builtin());
    assert!(warnings.is_empty(), "{warnings:#?}");
    // A bank whose key is always the longest option is warned about.
    let mut files = content::builtin();
    files.insert(
        "quizzes/zz-long.yaml".into(),
        "topic: zz-long\ntitle: Long\nquestions:\n- id: zz1\n  type: singleChoice\n  prompt: p\n  options: [a, the long right answer, b]\n  answer: [1]\n  explanation: e\n  section: s\n".into(),
    );
    let warnings = gitops_lab::check::warnings(&files);
    assert!(warnings.iter().any(|w| w.starts_with("quizzes/zz-long.yaml: the key is the longest option in 1 of 1")), "{warnings:#?}");
}

#[test]
fn every_lab_has_objectives_a_debrief_and_a_place_on_the_path() {
    let labs = labs();
    assert!(labs.len() >= 17, "{} labs", labs.len());
    for lab in &labs {
        assert!(!lab.objectives.is_empty(), "{} states no objectives", lab.id);
        assert!(
            lab.debrief.as_deref().is_some_and(|d| d.contains("OpenGitOps principle")),
            "{} has no debrief naming its principle",
            lab.id
        );
        assert!(lab.order.is_some() && lab.level.is_some(), "{} has no place on the learning path", lab.id);
    }
    let orders: Vec<u32> = labs.iter().filter_map(|l| l.order).collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "labs list in the course's order, each order used once: {orders:?}");
    assert_eq!(labs[0].id, "meet-the-platform", "the path starts with meeting the platform");
    // Without the debrief, `check` refuses the lab.
    let mut files = content::builtin();
    let text = files["labs/drift-2am/lab.yaml"].clone();
    let cut = text.find("debrief: |").unwrap();
    files.insert("labs/drift-2am/lab.yaml".into(), text[..cut].to_string());
    let errors = gitops_lab::check::validate(&files).unwrap_err();
    assert!(errors.iter().any(|e| e.starts_with("labs/drift-2am/lab.yaml") && e.contains("every lab needs a debrief")), "{errors:#?}");
}

#[test]
fn malformed_lab_yaml_names_file_line_and_field() {
    let files = content::builtin();
    let text = &files["labs/drift-2am/lab.yaml"].clone();
    let mut bad = files.clone();
    bad.insert("labs/drift-2am/lab.yaml".into(), text.replace("minutes: 15", "minutes: fifteen"));
    let err = content::labs(&bad).unwrap_err();
    assert_eq!(err.file, "labs/drift-2am/lab.yaml");
    assert_eq!(err.field.as_deref(), Some("minutes"));
    assert_eq!(err.line, Some(text.lines().position(|l| l.starts_with("minutes:")).unwrap() + 1));
    assert!(err.message.contains("invalid type"), "{err}");

    let mut bad = files.clone();
    bad.insert("labs/drift-2am/lab.yaml".into(), text.replacen("    title: Look around", "    title: Look around\n    colour: blue", 1));
    let err = content::labs(&bad).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("steps[0].colour"));
    assert!(err.message.contains("unknown field `colour`"), "{err}");
    assert_eq!(err.line, Some(text.lines().position(|l| l == "    title: Look around").unwrap() + 2));

    let mut bad = files.clone();
    bad.insert("labs/drift-2am/lab.yaml".into(), text.replace("  - id: self-heal", "  - id: look-around"));
    let err = content::labs(&bad).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("steps[2].id"));

    let mut bad = files;
    bad.insert("labs/drift-2am/lab.yaml".into(), text.replace("namespaces: [payments]", "namespaces: [payments"));
    let err = content::labs(&bad).unwrap_err();
    assert_eq!(err.file, "labs/drift-2am/lab.yaml");
    assert!(err.line.is_some(), "a syntax error names its line: {err}");
}

#[test]
fn gitops_lab_check_rejects_dangling_names_wrong_keys_and_bad_incidents() {
    let files = content::builtin();
    // A check naming a Deployment the lab never has.
    let mut bad = files.clone();
    let flux = files["labs/flux-vs-argo/lab.yaml"].replace(
        "liveField: {kind: deployment, namespace: payments-flux, name: payment-service, path: spec.replicas, equals: 5}",
        "liveField: {kind: deployment, namespace: payments-flux, name: paymnet-service, path: spec.replicas, equals: 5}",
    );
    bad.insert("labs/flux-vs-argo/lab.yaml".into(), flux);
    let errors = gitops_lab::check::validate(&bad).unwrap_err();
    assert!(
        errors.iter().any(|e| e.contains("names deployment payments-flux/paymnet-service, which the lab never creates")),
        "{errors:#?}"
    );
    // A prediction whose key the simulator contradicts.
    let mut bad = files.clone();
    let tools = files["quizzes/tools.yaml"].clone();
    let at = tools.find("id: flux-predict-drift").unwrap();
    let answer = at + tools[at..].find("answer: [0]").unwrap();
    bad.insert("quizzes/tools.yaml".into(), format!("{}answer: [2]{}", &tools[..answer], &tools[answer + "answer: [0]".len()..]));
    let errors = gitops_lab::check::validate(&bad).unwrap_err();
    assert!(errors.iter().any(|e| e.starts_with("quizzes/tools.yaml:") && e.contains("the simulator produced [0]")), "{errors:#?}");
    // A step that names an incident the lab does not declare.
    let mut bad = files;
    let rogue = bad["labs/rogue-apply/lab.yaml"].replacen("    incident: rogue-apply", "    incident: rouge-apply", 1);
    bad.insert("labs/rogue-apply/lab.yaml".into(), rogue);
    let err = content::labs(&bad).unwrap_err();
    assert!(err.to_string().contains("steps[1].incident") && err.message.contains("no incident `rouge-apply`"), "{err}");
}
