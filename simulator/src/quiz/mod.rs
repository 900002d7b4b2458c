//! Quizzes: question banks, seeded drawing and shuffling, and grading.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::lab::{ContentError, parse_yaml};
use crate::rng::SimRng;

/// One topic's questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bank {
    pub topic: String,
    pub title: String,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    pub prompt: String,
    /// The options, for choice questions.
    #[serde(default)]
    pub options: Vec<String>,
    /// Indexes of the correct options (one for single choice and true/false).
    pub answer: Vec<usize>,
    pub explanation: String,
    /// The course section the question comes from.
    pub section: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QuestionKind {
    SingleChoice,
    MultipleChoice,
    TrueFalse,
}

/// The result of answering one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graded {
    pub correct: bool,
    pub explanation: String,
    pub section: String,
}

impl Bank {
    pub fn load(text: &str, file: &str) -> Result<Bank, ContentError> {
        let bank: Bank = parse_yaml(text, file)?;
        let mut ids = BTreeSet::new();
        for (i, q) in bank.questions.iter().enumerate() {
            let err = |field: &str, message: String| ContentError {
                file: file.into(),
                line: None,
                field: Some(format!("questions[{i}].{field}")),
                message,
            };
            if !ids.insert(q.id.clone()) {
                return Err(err("id", format!("duplicate question id `{}`", q.id)));
            }
            let options = if q.kind == QuestionKind::TrueFalse { 2 } else { q.options.len() };
            if q.kind != QuestionKind::TrueFalse && options < 2 {
                return Err(err("options", "a choice question needs at least two options".into()));
            }
            if q.answer.iter().any(|a| *a >= options) {
                return Err(err("answer", format!("an answer index is out of range (there are {options} options)")));
            }
            if matches!(q.kind, QuestionKind::SingleChoice | QuestionKind::TrueFalse) && q.answer.len() != 1 {
                return Err(err("answer", "single choice and true/false questions need exactly one correct option".into()));
            }
            if q.answer.is_empty() {
                return Err(err("answer", "a question needs at least one correct option".into()));
            }
            if q.explanation.trim().is_empty() {
                return Err(err("explanation", "every question needs an explanation".into()));
            }
            if q.section.trim().is_empty() {
                return Err(err("section", "every question needs its course section".into()));
            }
        }
        Ok(bank)
    }
}

impl Question {
    /// The options as shown: true/false questions get their two fixed options.
    pub fn shown_options(&self) -> Vec<String> {
        match self.kind {
            QuestionKind::TrueFalse => vec!["True".into(), "False".into()],
            _ => self.options.clone(),
        }
    }

    /// Grades a set of chosen option indexes; only the exact set is correct.
    pub fn grade(&self, chosen: &[usize]) -> Graded {
        let want: BTreeSet<usize> = self.answer.iter().copied().collect();
        let got: BTreeSet<usize> = chosen.iter().copied().collect();
        Graded { correct: want == got, explanation: self.explanation.clone(), section: self.section.clone() }
    }
}

/// A seeded permutation of `0..n`, for shuffling questions and options.
pub fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = SimRng::new(seed);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    const BANK: &str = "topic: t\ntitle: T\nquestions:\n- id: a\n  type: multipleChoice\n  prompt: p\n  options: [x, y, z]\n  answer: [0, 2]\n  explanation: e\n  section: s\n";

    #[test]
    fn grading_requires_the_exact_set() {
        let bank = Bank::load(BANK, "t.yaml").unwrap();
        let q = &bank.questions[0];
        assert!(q.grade(&[2, 0]).correct);
        assert!(!q.grade(&[0]).correct);
        assert!(!q.grade(&[0, 1, 2]).correct);
    }

    #[test]
    fn bad_banks_name_the_field() {
        let err = Bank::load(&BANK.replace("answer: [0, 2]", "answer: [5]"), "t.yaml").unwrap_err();
        assert_eq!(err.field.as_deref(), Some("questions[0].answer"));
        let err = Bank::load(&BANK.replace("prompt: p", "prompt: p\n  colour: red"), "t.yaml").unwrap_err();
        assert!(err.message.contains("unknown field `colour`"), "{err}");
        assert_eq!(err.line, Some(7));
    }

    #[test]
    fn shuffles_are_seeded_permutations() {
        let a = shuffled(10, 1);
        assert_eq!(a, shuffled(10, 1));
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }
}
