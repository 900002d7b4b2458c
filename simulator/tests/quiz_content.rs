//! The built-in quiz banks teach what the simulator does: every "predict the
//! outcome" key is what the simulator produces, so a simulator change that
//! breaks a lesson fails here.

use simulator::content;
use simulator::quiz::{Attempt, CHECKED_SEEDS, QuestionKind, Selection, simulate, simulate_with_seed};
use std::collections::BTreeSet;

#[test]
fn every_prediction_key_is_what_the_simulator_produces() {
    let files = content::builtin();
    let banks = content::banks(&files).unwrap();
    let labs = content::labs(&files).unwrap();
    let mut predictions = 0;
    for q in banks.iter().flat_map(|b| &b.questions).filter(|q| q.kind == QuestionKind::PredictOutcome) {
        let prediction = simulate(q, &labs).unwrap_or_else(|e| panic!("{}: {e}", q.id));
        assert_eq!(prediction.key, q.answer, "{}: the simulator's outcome differs from the key", q.id);
        assert!(prediction.key.len() < q.outcomes.len(), "{}: every outcome holds, so the question cannot fail", q.id);
        assert_eq!(prediction.shown.len(), q.simulation.as_ref().unwrap().show.len());
        assert!(prediction.shown.iter().all(|s| !s.output.is_empty()), "{}: a shown command printed nothing", q.id);
        assert!(q.outcomes.len() >= 3, "{}: a prediction with {} outcomes is a coin flip", q.id, q.outcomes.len());
        for seed in CHECKED_SEEDS {
            let other = simulate_with_seed(q, &labs, seed).unwrap_or_else(|e| panic!("{} seed {seed}: {e}", q.id));
            assert_eq!(other.key, q.answer, "{}: with seed {seed} the simulator's outcome differs from the key", q.id);
        }
        predictions += 1;
    }
    assert!(predictions >= 6, "only {predictions} predictions");
}

#[test]
fn the_banks_cover_the_course_with_every_question_type() {
    let banks = content::banks(&content::builtin()).unwrap();
    let questions: Vec<_> = banks.iter().flat_map(|b| &b.questions).collect();
    assert!(questions.len() >= 80, "{} questions", questions.len());
    let kinds: BTreeSet<&str> = questions.iter().map(|q| q.kind.name()).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let topics: BTreeSet<&str> = banks.iter().map(|b| b.topic.as_str()).collect();
    for topic in [
        "gitops-fundamentals",
        "principles",
        "benefits",
        "push-pull",
        "reconciliation",
        "drift-and-self-heal",
        "tools",
        "argocd-for-aks",
        "repositories",
        "promotion",
        "ci-and-image-updates",
        "rollback",
        "security",
        "challenges",
    ] {
        assert!(topics.contains(topic), "no bank for {topic}");
    }
    let ids: BTreeSet<&str> = questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids.len(), questions.len(), "question ids are unique across banks");
}

#[test]
fn every_topic_and_the_final_check_draw_with_any_seed() {
    let files = content::builtin();
    let banks = content::banks(&files).unwrap();
    let labs = content::labs(&files).unwrap();
    for seed in [1, 2, 3] {
        let last = Attempt::new(&Selection::Final, &banks, &labs, seed, 1).unwrap();
        let retake = Attempt::new(&Selection::Final, &banks, &labs, seed, 2).unwrap();
        let ids = |a: &Attempt| a.questions.iter().map(|p| p.question.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&last).len(), 20);
        assert_ne!(ids(&last), ids(&retake), "a retake of the final check draws other questions");
        let topics_drawn: BTreeSet<&str> = last
            .questions
            .iter()
            .map(|p| banks.iter().find(|b| b.questions.iter().any(|q| q.id == p.question.id)).unwrap().topic.as_str())
            .collect();
        assert_eq!(topics_drawn.len(), banks.len(), "the final check asks about every topic");
        for bank in &banks {
            let attempt = Attempt::new(&Selection::named(&bank.topic), &banks, &labs, seed, 1).unwrap();
            assert_eq!(attempt.questions.len(), bank.draw.unwrap_or(bank.questions.len()));
        }
    }
}
