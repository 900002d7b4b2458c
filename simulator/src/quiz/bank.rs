//! Question banks: one YAML file per course topic, validated on load so that
//! every error names its file, line and field.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::lab::{Check, ContentError, parse_yaml};

/// One topic's questions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Bank {
    pub topic: String,
    pub title: String,
    /// How many questions one attempt draws (all of them when absent).
    #[serde(default)]
    pub draw: Option<usize>,
    pub questions: Vec<Question>,
}

/// One question of any type; which fields it needs depends on its type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: QuestionKind,
    pub prompt: String,
    /// The options of a choice question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The items of an ordering question, in the correct order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// The rows of a matching question: each left side with its right side.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<Pair>,
    /// The short simulation a "predict the outcome" question sets up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulation: Option<Simulation>,
    /// The outcomes a trainee chooses from, each with the check that decides whether it happened.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<Outcome>,
    /// Indexes of the correct options or outcomes. For predictions it is the
    /// author's key, which `gitops-lab check` compares with the simulator's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
    Ordering,
    Matching,
    PredictOutcome,
}

/// One row of a matching question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pair {
    pub left: String,
    pub right: String,
}

/// A lab's starting world, a seed and the commands run in it (`sleep` lets time pass).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Simulation {
    pub lab: String,
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub commands: Vec<String>,
    /// Commands whose output is shown once the question is answered.
    #[serde(default)]
    pub show: Vec<String>,
}

/// One possible outcome of a simulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Outcome {
    pub text: String,
    /// Holds in the world after the simulation exactly when this outcome is what happened.
    pub check: Check,
}

fn default_seed() -> u64 {
    1
}

impl Bank {
    pub fn load(text: &str, file: &str) -> Result<Bank, ContentError> {
        let bank: Bank = parse_yaml(text, file)?;
        let err = |field: String, message: String| ContentError::at(file, text, &field, message);
        if bank.draw == Some(0) {
            return Err(err("draw".into(), "an attempt must draw at least one question".into()));
        }
        let mut ids = BTreeSet::new();
        for (i, q) in bank.questions.iter().enumerate() {
            if !ids.insert(q.id.clone()) {
                return Err(err(format!("questions[{i}].id"), format!("duplicate question id `{}`", q.id)));
            }
            q.validate().map_err(|(field, message)| err(format!("questions[{i}].{field}"), message))?;
        }
        Ok(bank)
    }
}

impl Question {
    /// How many options, items or rows the trainee works with.
    pub fn len(&self) -> usize {
        match self.kind {
            QuestionKind::TrueFalse => 2,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => self.options.len(),
            QuestionKind::Ordering => self.items.len(),
            QuestionKind::Matching => self.pairs.len(),
            QuestionKind::PredictOutcome => self.outcomes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The choices as shown, in their written order: true/false gets its two fixed options.
    pub fn choices(&self) -> Vec<String> {
        match self.kind {
            QuestionKind::TrueFalse => vec!["True".into(), "False".into()],
            QuestionKind::PredictOutcome => self.outcomes.iter().map(|o| o.text.clone()).collect(),
            _ => self.options.clone(),
        }
    }

    /// The first problem with this question, as (field, message).
    fn validate(&self) -> Result<(), (&'static str, String)> {
        use QuestionKind::*;
        let fields_for_kind: [(&'static str, bool, bool); 5] = [
            ("options", !self.options.is_empty(), matches!(self.kind, SingleChoice | MultipleChoice)),
            ("items", !self.items.is_empty(), self.kind == Ordering),
            ("pairs", !self.pairs.is_empty(), self.kind == Matching),
            ("simulation", self.simulation.is_some(), self.kind == PredictOutcome),
            ("outcomes", !self.outcomes.is_empty(), self.kind == PredictOutcome),
        ];
        for (field, present, wanted) in fields_for_kind {
            if present && !wanted {
                return Err((field, format!("a {} question has no `{field}`", self.kind.name())));
            }
            if wanted && !present {
                return Err((field, format!("a {} question needs `{field}`", self.kind.name())));
            }
        }
        if self.prompt.trim().is_empty() {
            return Err(("prompt", "every question needs a prompt".into()));
        }
        let n = self.len();
        if n < 2 {
            return Err((self.kind.list_field(), format!("a {} question needs at least two", self.kind.name())));
        }
        let distinct: BTreeSet<String> = match self.kind {
            Matching => self.pairs.iter().map(|p| p.right.clone()).collect(),
            Ordering => self.items.iter().cloned().collect(),
            _ => self.choices().into_iter().collect(),
        };
        if distinct.len() != n {
            return Err((self.kind.list_field(), "two of them are the same, so a trainee could not tell them apart".into()));
        }
        match self.kind {
            Ordering | Matching => {
                if !self.answer.is_empty() {
                    return Err(("answer", format!("a {} question's key is the written order, so it has no `answer`", self.kind.name())));
                }
            }
            _ => {
                if self.answer.is_empty() {
                    return Err(("answer", "a question needs at least one correct option".into()));
                }
                if let Some(a) = self.answer.iter().find(|a| **a >= n) {
                    return Err(("answer", format!("answer index {a} is out of range (there are {n} options, numbered from 0)")));
                }
                if self.answer.iter().collect::<BTreeSet<_>>().len() != self.answer.len() {
                    return Err(("answer", "an answer index is listed twice".into()));
                }
                if matches!(self.kind, SingleChoice | TrueFalse) && self.answer.len() != 1 {
                    return Err(("answer", format!("a {} question needs exactly one correct option", self.kind.name())));
                }
                if self.kind == MultipleChoice && self.answer.len() == n {
                    return Err(("answer", "every option is correct, so the question tests nothing".into()));
                }
            }
        }
        if let Some(sim) = &self.simulation {
            if sim.commands.is_empty() {
                return Err(("simulation.commands", "a simulation needs at least one command".into()));
            }
        }
        if self.explanation.trim().is_empty() {
            return Err(("explanation", "every question needs an explanation".into()));
        }
        if self.section.trim().is_empty() {
            return Err(("section", "every question needs its course section".into()));
        }
        Ok(())
    }
}

impl QuestionKind {
    /// The name used in the YAML, for messages.
    pub fn name(self) -> &'static str {
        match self {
            QuestionKind::SingleChoice => "singleChoice",
            QuestionKind::MultipleChoice => "multipleChoice",
            QuestionKind::TrueFalse => "trueFalse",
            QuestionKind::Ordering => "ordering",
            QuestionKind::Matching => "matching",
            QuestionKind::PredictOutcome => "predictOutcome",
        }
    }

    fn list_field(self) -> &'static str {
        match self {
            QuestionKind::Ordering => "items",
            QuestionKind::Matching => "pairs",
            QuestionKind::PredictOutcome => "outcomes",
            _ => "options",
        }
    }
}
