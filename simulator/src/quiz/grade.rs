//! Grading one answer, with partial credit where the type allows it.
//!
//! Single choice, true/false and single-outcome predictions are right or wrong.
//! Multiple choice (and predictions with several outcomes) earn one point per
//! correct option chosen, minus one per wrong option chosen, never below zero.
//! Ordering earns a point per item in its right place; matching a point per row.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::bank::{Question, QuestionKind};

/// A trainee's answer, in the question's written indexes (not the shuffled display).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum Answer {
    /// The chosen options or outcomes.
    Choice(Vec<usize>),
    /// The items in the order the trainee put them.
    Order(Vec<usize>),
    /// For each left side, the index of the right side matched with it.
    Match(Vec<usize>),
}

/// The result of grading one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graded {
    pub correct: bool,
    pub earned: u32,
    pub possible: u32,
    pub explanation: String,
    pub section: String,
}

impl Question {
    /// Grades `answer` against `key`: the correct choices (for predictions, what the simulator produced).
    pub fn grade_against(&self, answer: &Answer, key: &[usize]) -> Graded {
        let (earned, possible) = match (self.kind, answer) {
            (QuestionKind::Ordering, Answer::Order(order)) => positional(order, self.items.len()),
            (QuestionKind::Matching, Answer::Match(rows)) => positional(rows, self.pairs.len()),
            (QuestionKind::Ordering | QuestionKind::Matching, _) => (0, self.len() as u32),
            (_, Answer::Choice(chosen)) => choice_points(chosen, key, self.picks_many_of(key)),
            (_, _) => (0, key.len().max(1) as u32),
        };
        Graded {
            correct: earned == possible,
            earned,
            possible,
            explanation: self.explanation.trim().to_string(),
            section: self.section.clone(),
        }
    }

    /// Whether a trainee may pick several choices when `key` is correct: a
    /// prediction reveals it by the number of outcomes that happened.
    pub fn picks_many_of(&self, key: &[usize]) -> bool {
        self.kind == QuestionKind::MultipleChoice || (self.kind == QuestionKind::PredictOutcome && key.len() != 1)
    }

    /// Grades against the written key (for predictions, the author's key).
    pub fn grade(&self, answer: &Answer) -> Graded {
        self.grade_against(answer, &self.answer)
    }
}

/// Points for a choice: exact or nothing for one pick; +1 right, -1 wrong, floored at 0, for many.
fn choice_points(chosen: &[usize], key: &[usize], many: bool) -> (u32, u32) {
    let key: BTreeSet<usize> = key.iter().copied().collect();
    let chosen: BTreeSet<usize> = chosen.iter().copied().collect();
    if !many {
        return (u32::from(chosen == key), 1);
    }
    let right = chosen.intersection(&key).count() as i64;
    let wrong = chosen.difference(&key).count() as i64;
    ((right - wrong).max(0) as u32, key.len() as u32)
}

/// A point for every position `p` holding `p`.
fn positional(given: &[usize], n: usize) -> (u32, u32) {
    let earned = given.iter().take(n).enumerate().filter(|(p, v)| *p == **v).count();
    (earned as u32, n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::Bank;

    const BANK: &str = r#"
topic: t
title: T
questions:
  - id: many
    type: multipleChoice
    prompt: p
    options: [x, y, z, w]
    answer: [0, 2]
    explanation: e
    section: s
  - id: one
    type: singleChoice
    prompt: p
    options: [x, y]
    answer: [1]
    explanation: e
    section: s
  - id: order
    type: ordering
    prompt: p
    items: [commit, detect, compare, verify]
    explanation: e
    section: s
  - id: match
    type: matching
    prompt: p
    pairs: [{left: a, right: "1"}, {left: b, right: "2"}, {left: c, right: "3"}]
    explanation: e
    section: s
"#;

    fn question(id: &str) -> Question {
        Bank::load(BANK, "t.yaml").unwrap().questions.into_iter().find(|q| q.id == id).unwrap()
    }

    #[test]
    fn multiple_choice_gives_a_point_per_right_option_and_takes_one_per_wrong_option() {
        let q = question("many");
        let g = q.grade(&Answer::Choice(vec![2, 0]));
        assert!(g.correct);
        assert_eq!((g.earned, g.possible), (2, 2));
        let g = q.grade(&Answer::Choice(vec![0]));
        assert_eq!((g.correct, g.earned), (false, 1));
        let g = q.grade(&Answer::Choice(vec![0, 1]));
        assert_eq!((g.correct, g.earned), (false, 0));
        let g = q.grade(&Answer::Choice(vec![1, 3]));
        assert_eq!(g.earned, 0, "never below zero");
        assert!(!q.grade(&Answer::Choice(vec![0, 1, 2, 3])).correct);
    }

    #[test]
    fn single_choice_is_all_or_nothing() {
        let q = question("one");
        assert_eq!(q.grade(&Answer::Choice(vec![1])).earned, 1);
        assert_eq!(q.grade(&Answer::Choice(vec![0])).earned, 0);
        assert_eq!(q.grade(&Answer::Choice(vec![0, 1])).earned, 0);
        assert_eq!(q.grade(&Answer::Order(vec![1])).earned, 0, "the wrong kind of answer earns nothing");
    }

    #[test]
    fn ordering_gives_a_point_per_item_in_place() {
        let q = question("order");
        let g = q.grade(&Answer::Order(vec![0, 1, 2, 3]));
        assert_eq!((g.correct, g.earned, g.possible), (true, 4, 4));
        let g = q.grade(&Answer::Order(vec![1, 0, 2, 3]));
        assert_eq!((g.correct, g.earned), (false, 2));
        assert_eq!(q.grade(&Answer::Order(vec![3, 2, 1, 0])).earned, 0);
        assert_eq!(q.grade(&Answer::Order(vec![0])).earned, 1, "a short answer is graded as far as it goes");
    }

    #[test]
    fn matching_gives_a_point_per_row() {
        let q = question("match");
        assert!(q.grade(&Answer::Match(vec![0, 1, 2])).correct);
        let g = q.grade(&Answer::Match(vec![0, 2, 1]));
        assert_eq!((g.correct, g.earned, g.possible), (false, 1, 3));
        assert_eq!(q.grade(&Answer::Choice(vec![0])).earned, 0);
    }
}
