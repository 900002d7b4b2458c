//! Quizzes: question banks of six types, seeded attempts with retakes,
//! grading with partial credit, predictions graded by the simulator itself,
//! and results as serialisable records.

mod attempt;
mod bank;
mod grade;
mod predict;

pub use attempt::{AnswerRecord, Attempt, FINAL_QUESTIONS, FINAL_QUIZ, Feedback, PASS_PERCENT, Presented, QuizResult, Selection, shuffled};
pub use bank::{Bank, Outcome, Pair, Question, QuestionKind, Simulation};
pub use grade::{Answer, Graded};
pub use predict::{CHECKED_SEEDS, Prediction, ShownCommand, simulate, simulate_with_seed};

#[cfg(test)]
mod tests {
    use super::*;

    const BANK: &str = "topic: t\ntitle: T\nquestions:\n- id: a\n  type: multipleChoice\n  prompt: p\n  options: [x, y, z]\n  answer: [0, 2]\n  explanation: e\n  section: s\n- id: b\n  type: ordering\n  prompt: p\n  items: [one, two, three]\n  explanation: e\n  section: s\n";

    #[test]
    fn bad_banks_name_the_file_line_and_field() {
        let err = Bank::load(&BANK.replace("answer: [0, 2]", "answer: [5]"), "t.yaml").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("questions[0].answer"));
        assert_eq!(err.line, Some(8));
        assert!(err.to_string().starts_with("t.yaml:8: field `questions[0].answer`: answer index 5 is out of range"), "{err}");
        let err = Bank::load(&BANK.replace("prompt: p", "prompt: p\n  colour: red"), "t.yaml").unwrap_err();
        assert!(err.message.contains("unknown field `colour`"), "{err}");
        assert_eq!(err.line, Some(7));
        let err = Bank::load(&BANK.replace("id: b", "id: a"), "t.yaml").unwrap_err();
        assert_eq!((err.field.as_deref(), err.line), (Some("questions[1].id"), Some(11)));
        let err = Bank::load(&BANK.replace("answer: [0, 2]", "answer: [0]\n  items: [q, r]"), "t.yaml").unwrap_err();
        assert!(err.message.contains("a multipleChoice question has no `items`"), "{err}");
        let err = Bank::load(&BANK.replace("[one, two, three]", "[one, one, three]"), "t.yaml").unwrap_err();
        assert!(err.message.contains("two of them are the same"), "{err}");
        let err = Bank::load(&BANK.replace("answer: [0, 2]", "answer: [0, 1, 2]"), "t.yaml").unwrap_err();
        assert!(err.message.contains("every option is correct"), "{err}");
    }

    #[test]
    fn retakes_draw_a_different_order_from_the_same_seed() {
        let mut text = String::from("topic: t\ntitle: T\ndraw: 4\nquestions:\n");
        for i in 0..8 {
            text.push_str(&format!(
                "- id: q{i}\n  type: singleChoice\n  prompt: p{i}\n  options: [a, b, c, d]\n  answer: [0]\n  explanation: e\n  section: s\n"
            ));
        }
        let banks = vec![Bank::load(&text, "t.yaml").unwrap()];
        let selection = Selection::named("t");
        let ids = |n| -> Vec<(String, Vec<usize>)> {
            Attempt::new(&selection, &banks, &[], 9, n)
                .unwrap()
                .questions
                .iter()
                .map(|p| (p.question.id.clone(), p.order.clone()))
                .collect()
        };
        assert_eq!(ids(1), ids(1), "an attempt is a function of seed and number");
        assert_eq!(ids(1).len(), 4, "the bank's draw limits an attempt");
        assert_ne!(ids(1), ids(2), "a retake draws differently");
    }

    #[test]
    fn answers_map_from_the_shown_order_and_results_add_up() {
        let banks = vec![Bank::load(BANK, "t.yaml").unwrap()];
        let attempt = Attempt::new(&Selection::named("t"), &banks, &[], 3, 1).unwrap();
        let answers: Vec<Option<Answer>> = attempt
            .questions
            .iter()
            .map(|p| {
                // Find the shown positions of the right answer.
                let shown: Vec<usize> = match p.question.kind {
                    QuestionKind::Ordering => (0..3).map(|w| p.order.iter().position(|o| *o == w).unwrap()).collect(),
                    _ => p.key.iter().map(|w| p.order.iter().position(|o| o == w).unwrap()).collect(),
                };
                Some(p.answer_from_shown(&shown))
            })
            .collect();
        let result = attempt.result(&answers, 42);
        assert_eq!((result.score, result.passed, result.answered), (100, true, 2));
        let ordering = attempt.questions.iter().position(|p| p.question.kind == QuestionKind::Ordering).unwrap();
        assert_ne!(attempt.questions[ordering].order, vec![0, 1, 2], "never shown already in order");
        let mut half = answers.clone();
        half[ordering] = None;
        let result = attempt.result(&half, 42);
        assert_eq!((result.score, result.passed, result.answered), (50, false, 1));
        let json = serde_json::to_string(&result).unwrap();
        assert_eq!(serde_json::from_str::<QuizResult>(&json).unwrap(), result);
    }

    #[test]
    fn the_final_check_mixes_every_bank() {
        let other = BANK.replace("topic: t", "topic: u").replace("id: a", "id: c").replace("id: b", "id: d");
        let banks = vec![Bank::load(BANK, "t.yaml").unwrap(), Bank::load(&other, "u.yaml").unwrap()];
        let attempt = Attempt::new(&Selection::Final, &banks, &[], 5, 1).unwrap();
        let ids: Vec<&str> = attempt.questions.iter().map(|p| p.question.id.as_str()).collect();
        assert_eq!(ids.len(), 4);
        assert!(ids[..2].iter().any(|i| *i == "a" || *i == "b") && ids[..2].iter().any(|i| *i == "c" || *i == "d"), "{ids:?}");
        assert_eq!(attempt.feedback, Feedback::AtEnd);
        assert!(Attempt::new(&Selection::named("nope"), &banks, &[], 5, 1).unwrap_err().contains("the topics are: t, u, final"));
    }
}
