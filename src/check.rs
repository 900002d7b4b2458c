//! `gitops-lab check`: validates every lab and quiz bank, checks that quiz
//! references resolve, and replays every lab's solution.

use simulator::content::{self, ContentFiles};
use simulator::script;
use std::collections::BTreeSet;
use std::process::ExitCode;

pub fn run(files: &ContentFiles) -> ExitCode {
    match validate(files) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Every problem with the content, each naming file and field; or a summary when there are none.
pub fn validate(files: &ContentFiles) -> Result<String, Vec<String>> {
    let mut errors = Vec::new();
    let labs = content::labs(files).map_err(|e| errors.push(e.to_string())).unwrap_or_default();
    let banks = content::banks(files).map_err(|e| errors.push(e.to_string())).unwrap_or_default();
    let question_ids: BTreeSet<&str> = banks.iter().flat_map(|b| b.questions.iter().map(|q| q.id.as_str())).collect();
    for lab in &labs {
        let file = format!("labs/{}/lab.yaml", lab.id);
        let text = files.get(&file).map(String::as_str).unwrap_or_default();
        let at = |field: &str, message: String| simulator::lab::ContentError::at(&file, text, field, message).to_string();
        for (i, q) in lab.quiz.iter().enumerate() {
            if !question_ids.contains(q.as_str()) {
                errors.push(at(&format!("quiz[{i}]"), format!("no quiz bank has a question `{q}`")));
            }
        }
        let apps: BTreeSet<String> =
            simulator::World::new(1, lab).map(|w| w.agent().apps().map(|a| a.spec.name.clone()).collect()).unwrap_or_default();
        for (i, step) in lab.steps.iter().enumerate() {
            for app in step.check.apps() {
                if !apps.contains(app) {
                    errors.push(at(&format!("steps[{i}].check"), format!("names the application `{app}`, which the lab never creates")));
                }
            }
        }
        errors.extend(objects_never_created(lab).into_iter().map(|(field, message)| at(&field, message)));
        match script::run_script(lab, 1, &script::solution(lab)) {
            Ok(run) if run.all_passed => {}
            Ok(run) => errors.push(at(
                &format!("steps[{}].solution", run.steps_passed.min(lab.steps.len().saturating_sub(1))),
                format!("the reference solution passes only {} of {} steps", run.steps_passed, lab.steps.len()),
            )),
            Err(e) => errors.push(at("world", e)),
        }
    }
    errors.extend(check_predictions(files, &labs));
    if errors.is_empty() {
        Ok(format!(
            "{} labs and {} quiz banks ({} questions) are valid; every solution passes.",
            labs.len(),
            banks.len(),
            question_ids.len()
        ))
    } else {
        Err(errors)
    }
}

/// Checks that name an object the lab never has, neither at its start nor after its solution.
fn objects_never_created(lab: &simulator::lab::Lab) -> Vec<(String, String)> {
    let Ok(mut world) = simulator::World::new(1, lab) else { return Vec::new() };
    let exists = |world: &simulator::World, kind: &str, ns: &str, name: &str| {
        simulator::kube::resource_type(kind).is_some_and(|rt| {
            let key = simulator::kube::ObjectKey::new(rt.group, rt.kind, if rt.namespaced { ns } else { "" }, name);
            world.cluster().store.get(&key).is_some()
        })
    };
    let named: Vec<(usize, String, String, String)> = lab
        .steps
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.check.objects().into_iter().map(move |(k, n, m)| (i, k.to_string(), n.to_string(), m.to_string())))
        .collect();
    let at_start: Vec<bool> = named.iter().map(|(_, k, n, m)| exists(&world, k, n, m)).collect();
    for line in script::solution(lab) {
        let now = world.now();
        world.handle_input(now, simulator::Input::Command { line });
    }
    named
        .iter()
        .zip(at_start)
        .filter(|((_, k, n, m), start)| !start && !exists(&world, k, n, m))
        .map(|((i, k, n, m), _)| (format!("steps[{i}].check"), format!("names {k} {n}/{m}, which the lab never creates")))
        .collect()
}

/// Runs every "predict the outcome" question and compares the author's key with what the simulator produced.
fn check_predictions(files: &ContentFiles, labs: &[simulator::lab::Lab]) -> Vec<String> {
    let mut errors = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with("quizzes/")) {
        let Ok(bank) = simulator::quiz::Bank::load(text, path) else { continue };
        for (i, q) in bank.questions.iter().enumerate() {
            if q.kind != simulator::quiz::QuestionKind::PredictOutcome {
                continue;
            }
            let error =
                |field: &str, message: String| simulator::lab::ContentError::at(path, text, &format!("questions[{i}].{field}"), message);
            match simulator::quiz::simulate(q, labs) {
                Ok(prediction) if prediction.key != q.answer => {
                    let outcomes = |key: &[usize]| key.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ");
                    errors.push(
                        error(
                            "answer",
                            format!(
                                "the key says outcomes [{}] happen, but the simulator produced [{}]",
                                outcomes(&q.answer),
                                outcomes(&prediction.key)
                            ),
                        )
                        .to_string(),
                    );
                }
                Ok(_) => {}
                Err(e) => errors.push(error("simulation", e).to_string()),
            }
        }
    }
    errors
}
