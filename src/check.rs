//! `gitops-lab check`: validates every lab and quiz bank, checks that quiz
//! references resolve, and replays every lab's solution.

use simulator::content::{self, ContentFiles};
use simulator::script;
use std::collections::BTreeSet;
use std::process::ExitCode;

pub fn run(files: &ContentFiles) -> ExitCode {
    for w in warnings(files) {
        eprintln!("warning: {w}");
    }
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
        if lab.debrief.as_deref().is_none_or(|d| d.trim().is_empty()) {
            errors.push(at(
                "debrief",
                "every lab needs a debrief: the takeaways, the OpenGitOps principle it showed, what differs in production".into(),
            ));
        }
        if lab.objectives.is_empty() {
            errors.push(at("objectives", "every lab states its learning objectives (\"you will be able to…\")".into()));
        }
        for (i, q) in lab.quiz.iter().enumerate() {
            if !question_ids.contains(q.as_str()) {
                errors.push(at(&format!("quiz[{i}]"), format!("no quiz bank has a question `{q}`")));
            }
        }
        let apps = apps_ever_created(lab);
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

/// The applications a lab has at its start or after its solution (an ApplicationSet or an
/// App of Apps creates some on the way).
fn apps_ever_created(lab: &simulator::lab::Lab) -> BTreeSet<String> {
    let Ok(mut world) = simulator::World::new(1, lab) else { return BTreeSet::new() };
    let mut apps: BTreeSet<String> = world.agent().apps().map(|a| a.spec.name.clone()).collect();
    for line in script::solution(lab) {
        let now = world.now();
        world.handle_input(now, simulator::Input::Command { line });
        apps.extend(world.agent().apps().map(|a| a.spec.name.clone()));
    }
    apps
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

/// Runs every "predict the outcome" question with each of the checked seeds and compares the
/// author's key with what the simulator produced: a key must not depend on the seed.
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
            if q.outcomes.len() < MIN_OUTCOMES {
                errors.push(
                    error("outcomes", format!("a prediction needs at least {MIN_OUTCOMES} plausible outcomes, not {}", q.outcomes.len()))
                        .to_string(),
                );
            }
            for seed in simulator::quiz::CHECKED_SEEDS {
                match simulator::quiz::simulate_with_seed(q, labs, seed) {
                    Ok(prediction) if prediction.key != q.answer => {
                        let outcomes = |key: &[usize]| key.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ");
                        errors.push(
                            error(
                                "answer",
                                format!(
                                    "the key says outcomes [{}] happen, but with seed {seed} the simulator produced [{}]",
                                    outcomes(&q.answer),
                                    outcomes(&prediction.key)
                                ),
                            )
                            .to_string(),
                        );
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        errors.push(error("simulation", e).to_string());
                        break;
                    }
                }
            }
        }
    }
    errors
}

/// How many outcomes a prediction offers at least: two are a coin flip.
const MIN_OUTCOMES: usize = 3;

/// Content that is valid but teaches less well than it could: today, banks whose right answer
/// is too often the longest option, which a trainee learns to spot without reading.
pub fn warnings(files: &ContentFiles) -> Vec<String> {
    let Ok(banks) = content::banks(files) else { return Vec::new() };
    let mut warnings = Vec::new();
    for bank in &banks {
        let single: Vec<&simulator::quiz::Question> =
            bank.questions.iter().filter(|q| q.kind == simulator::quiz::QuestionKind::SingleChoice).collect();
        let longest: Vec<&str> = single.iter().filter(|q| key_is_longest(q)).map(|q| q.id.as_str()).collect();
        if !single.is_empty() && longest.len() * 3 > single.len() {
            warnings.push(format!(
                "quizzes/{}.yaml: the key is the longest option in {} of {} single-choice questions ({}); \
                 give the options the same length and form",
                bank.topic,
                longest.len(),
                single.len(),
                longest.join(", ")
            ));
        }
    }
    warnings
}

/// Whether a single-choice question's key is strictly longer than every other option.
pub fn key_is_longest(q: &simulator::quiz::Question) -> bool {
    let Some(&key) = q.answer.first() else { return false };
    let len = |s: &String| s.chars().count();
    let Some(key_len) = q.options.get(key).map(len) else { return false };
    q.options.iter().enumerate().filter(|(i, _)| *i != key).all(|(_, o)| len(o) < key_len)
}
