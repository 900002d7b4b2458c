//! One attempt at a quiz: which questions it draws, how their options are
//! shuffled, what the trainee answered, and the result record.
//!
//! Everything follows from the selection, the seed and the attempt number, so
//! a host stores only those and the answers, and a retake (the next number)
//! draws a different order, different options order and, where a bank holds
//! more questions than one attempt asks, different questions.

use serde::{Deserialize, Serialize};

use super::bank::{Bank, Question, QuestionKind};
use super::grade::{Answer, Graded};
use super::predict::{Prediction, simulate};
use crate::lab::Lab;
use crate::rng::SimRng;

/// The share of points needed to pass, in percent.
pub const PASS_PERCENT: u32 = 70;
/// The id of the mixed final check, drawn from every bank.
pub const FINAL_QUIZ: &str = "final";
/// How many questions the final check asks.
pub const FINAL_QUESTIONS: usize = 20;

/// Which questions a quiz asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Selection {
    /// One topic's bank.
    Topic { topic: String },
    /// The mixed final check across every topic.
    Final,
    /// Named questions, such as a lab's closing quiz, in their order.
    Questions { id: String, title: String, ids: Vec<String> },
}

/// When a trainee sees whether an answer was right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Feedback {
    EachQuestion,
    AtEnd,
}

/// A drawn quiz, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub quiz: String,
    pub title: String,
    pub seed: u64,
    pub number: u32,
    pub feedback: Feedback,
    pub questions: Vec<Presented>,
}

/// One question as shown in this attempt.
#[derive(Clone, Debug, PartialEq)]
pub struct Presented {
    pub question: Question,
    /// `order[k]` is the written index shown at position `k` (of the options,
    /// the items to order, or the right-hand sides to match).
    pub order: Vec<usize>,
    /// The correct choices in written indexes; for predictions, what the simulator produced.
    pub key: Vec<usize>,
    pub prediction: Option<Prediction>,
}

/// The record of a finished (or abandoned) attempt, for progress and export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuizResult {
    pub quiz: String,
    pub seed: u64,
    pub attempt: u32,
    /// The mean of each question's share of its points, in percent (rounded down).
    pub score: u32,
    pub passed: bool,
    pub answered: usize,
    pub questions: usize,
    /// How long the attempt took, as the host measured it.
    pub seconds: u64,
    pub answers: Vec<AnswerRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerRecord {
    pub question: String,
    pub answer: Option<Answer>,
    pub correct: bool,
    pub earned: u32,
    pub possible: u32,
}

impl Selection {
    /// The quiz's id, as used in URLs and saved progress.
    pub fn id(&self) -> String {
        match self {
            Selection::Topic { topic } => topic.clone(),
            Selection::Final => FINAL_QUIZ.into(),
            Selection::Questions { id, .. } => id.clone(),
        }
    }

    /// The labs whose worlds this selection's predictions may run in, so a host loads only those.
    pub fn labs_needed(&self, banks: &[Bank]) -> std::collections::BTreeSet<String> {
        let questions: Vec<&Question> = match self {
            Selection::Topic { topic } => banks.iter().filter(|b| &b.topic == topic).flat_map(|b| &b.questions).collect(),
            Selection::Final => banks.iter().flat_map(|b| &b.questions).collect(),
            Selection::Questions { ids, .. } => banks.iter().flat_map(|b| &b.questions).filter(|q| ids.contains(&q.id)).collect(),
        };
        questions.iter().filter_map(|q| q.simulation.as_ref().map(|s| s.lab.clone())).collect()
    }

    /// A topic's quiz, or the final check for `final`.
    pub fn named(name: &str) -> Selection {
        if name == FINAL_QUIZ { Selection::Final } else { Selection::Topic { topic: name.into() } }
    }
}

impl Attempt {
    /// Draws attempt `number` (from 1) of `selection` with `seed`; predictions run their simulations.
    pub fn new(selection: &Selection, banks: &[Bank], labs: &[Lab], seed: u64, number: u32) -> Result<Attempt, String> {
        let mut rng = SimRng::new(seed ^ u64::from(number).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (title, feedback, questions) = match selection {
            Selection::Topic { topic } => {
                let bank = banks.iter().find(|b| &b.topic == topic).ok_or_else(|| no_quiz(topic, banks))?;
                let mut drawn: Vec<&Question> = permute(&mut rng, bank.questions.len()).into_iter().map(|i| &bank.questions[i]).collect();
                drawn.truncate(bank.draw.unwrap_or(drawn.len()));
                (bank.title.clone(), Feedback::EachQuestion, drawn)
            }
            Selection::Final => {
                let per_bank: Vec<Vec<&Question>> = permute(&mut rng, banks.len())
                    .into_iter()
                    .map(|b| permute(&mut rng, banks[b].questions.len()).into_iter().map(|i| &banks[b].questions[i]).collect())
                    .collect();
                let deepest = per_bank.iter().map(Vec::len).max().unwrap_or(0);
                let drawn: Vec<&Question> = (0..deepest)
                    .flat_map(|round| per_bank.iter().filter_map(move |qs| qs.get(round).copied()))
                    .take(FINAL_QUESTIONS)
                    .collect();
                ("Final check: every topic".to_string(), Feedback::AtEnd, drawn)
            }
            Selection::Questions { title, ids, .. } => {
                let all = || banks.iter().flat_map(|b| b.questions.iter());
                let drawn = ids
                    .iter()
                    .map(|id| all().find(|q| &q.id == id).ok_or_else(|| format!("no quiz bank has a question `{id}`")))
                    .collect::<Result<Vec<_>, _>>()?;
                (title.clone(), Feedback::EachQuestion, drawn)
            }
        };
        let questions = questions.into_iter().map(|q| Presented::new(q, labs, &mut rng)).collect::<Result<Vec<_>, _>>()?;
        Ok(Attempt { quiz: selection.id(), title, seed, number, feedback, questions })
    }

    /// Grades every answer (`None` for unanswered) into the attempt's record.
    pub fn result(&self, answers: &[Option<Answer>], seconds: u64) -> QuizResult {
        let records: Vec<AnswerRecord> = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let answer = answers.get(i).cloned().flatten();
                let graded = answer.as_ref().map(|a| p.grade(a));
                AnswerRecord {
                    question: p.question.id.clone(),
                    correct: graded.as_ref().is_some_and(|g| g.correct),
                    earned: graded.as_ref().map_or(0, |g| g.earned),
                    possible: graded.as_ref().map_or_else(|| p.possible(), |g| g.possible),
                    answer,
                }
            })
            .collect();
        let permille: u64 = records.iter().map(|r| u64::from(r.earned) * 1000 / u64::from(r.possible.max(1))).sum();
        let score = (permille / 10 / records.len().max(1) as u64) as u32;
        QuizResult {
            quiz: self.quiz.clone(),
            seed: self.seed,
            attempt: self.number,
            score,
            passed: score >= PASS_PERCENT,
            answered: records.iter().filter(|r| r.answer.is_some()).count(),
            questions: records.len(),
            seconds,
            answers: records,
        }
    }
}

impl Presented {
    fn new(question: &Question, labs: &[Lab], rng: &mut SimRng) -> Result<Presented, String> {
        let n = question.len();
        let mut order = if question.kind == QuestionKind::TrueFalse { (0..n).collect() } else { permute(rng, n) };
        // An ordering or matching question shown in its answer's order would give itself away.
        if matches!(question.kind, QuestionKind::Ordering | QuestionKind::Matching) && order.iter().enumerate().all(|(k, i)| k == *i) {
            order.rotate_left(1);
        }
        let prediction = match question.kind {
            QuestionKind::PredictOutcome => Some(simulate(question, labs)?),
            _ => None,
        };
        let key = prediction.as_ref().map_or_else(|| question.answer.clone(), |p| p.key.clone());
        Ok(Presented { question: question.clone(), order, key, prediction })
    }

    /// The options, items or right-hand sides in the order shown.
    pub fn shown(&self) -> Vec<String> {
        let written: Vec<String> = match self.question.kind {
            QuestionKind::Ordering => self.question.items.clone(),
            QuestionKind::Matching => self.question.pairs.iter().map(|p| p.right.clone()).collect(),
            _ => self.question.choices(),
        };
        self.order.iter().map(|i| written[*i].clone()).collect()
    }

    /// Whether the trainee may pick several choices (predictions reveal it by their key).
    pub fn picks_many(&self) -> bool {
        self.question.picks_many_of(&self.key)
    }

    /// Turns shown positions into an answer: the chosen positions, the positions
    /// in the trainee's order, or for each left side the position of its match.
    pub fn answer_from_shown(&self, shown: &[usize]) -> Answer {
        let written: Vec<usize> = shown.iter().filter_map(|k| self.order.get(*k).copied()).collect();
        match self.question.kind {
            QuestionKind::Ordering => Answer::Order(written),
            QuestionKind::Matching => Answer::Match(written),
            _ => Answer::Choice(written),
        }
    }

    pub fn grade(&self, answer: &Answer) -> Graded {
        self.question.grade_against(answer, &self.key)
    }

    /// What a full answer is worth.
    pub fn possible(&self) -> u32 {
        match self.question.kind {
            QuestionKind::Ordering | QuestionKind::Matching => self.question.len() as u32,
            _ if self.picks_many() => self.key.len().max(1) as u32,
            _ => 1,
        }
    }

    /// The correct answer, in words, for feedback.
    pub fn correct_answer(&self) -> Vec<String> {
        match self.question.kind {
            QuestionKind::Ordering => self.question.items.clone(),
            QuestionKind::Matching => self.question.pairs.iter().map(|p| format!("{} → {}", p.left, p.right)).collect(),
            _ => {
                let choices = self.question.choices();
                if self.key.is_empty() {
                    return vec!["none of these".into()];
                }
                self.key.iter().map(|i| choices[*i].clone()).collect()
            }
        }
    }
}

/// A seeded permutation of `0..n`, for shuffling questions and options.
pub fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    permute(&mut SimRng::new(seed), n)
}

fn permute(rng: &mut SimRng, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    order
}

fn no_quiz(topic: &str, banks: &[Bank]) -> String {
    let topics: Vec<&str> = banks.iter().map(|b| b.topic.as_str()).collect();
    format!("no quiz `{topic}`; the topics are: {}, {FINAL_QUIZ}", topics.join(", "))
}
