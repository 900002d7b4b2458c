//! The step tracker: which step is active, what passed, hints used, and the
//! lab's progress as a serialisable record.

use serde::{Deserialize, Serialize};

use super::observed::Observed;
use super::{JournalMemo, Lab, Step};
use crate::time::SimTime;

/// One step's state, as the page and `gitops-lab play` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub step: String,
    pub index: usize,
    pub title: String,
    pub passed: bool,
    pub skipped: bool,
    pub active: bool,
    pub expected: String,
    pub found: String,
    pub hints_used: usize,
    pub passed_at: Option<SimTime>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct StepState {
    passed_at: Option<SimTime>,
    skipped: bool,
    hints_used: usize,
}

/// How well a lab went: steps passed by the trainee, skipped, hints used, and points
/// (10 a step passed without hints, 3 fewer per hint, at least 4; none for a skipped step).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub steps: usize,
    pub passed: usize,
    pub skipped: usize,
    pub hints_used: usize,
    pub points: u32,
    pub max_points: u32,
}

/// Tracks a lab's steps in order.
#[derive(Clone, Debug)]
pub struct Tracker {
    steps: Vec<Step>,
    state: Vec<StepState>,
    active: usize,
    /// What the steps' checks have learnt from the journal so far.
    memo: JournalMemo,
}

impl Tracker {
    pub fn new(lab: &Lab) -> Self {
        let memo = super::check::journal_memo_for(lab.steps.iter().map(|s| &s.check));
        Tracker { steps: lab.steps.clone(), state: vec![StepState::default(); lab.steps.len()], active: 0, memo }
    }

    /// The index of the active step; equal to the number of steps when all passed.
    pub fn active(&self) -> usize {
        self.active
    }

    pub fn finished(&self) -> bool {
        self.active >= self.steps.len()
    }

    pub fn score(&self) -> Score {
        let passed = self.state.iter().filter(|s| s.passed_at.is_some() && !s.skipped).count();
        let skipped = self.state.iter().filter(|s| s.skipped).count();
        let points = self
            .state
            .iter()
            .filter(|s| s.passed_at.is_some() && !s.skipped)
            .map(|s| 10u32.saturating_sub(3 * s.hints_used as u32).max(4))
            .sum();
        Score { steps: self.steps.len(), passed, skipped, hints_used: self.hints_used(), points, max_points: 10 * self.steps.len() as u32 }
    }

    pub fn hints_used(&self) -> usize {
        self.state.iter().map(|s| s.hints_used).sum()
    }

    /// Evaluates the active step (and the next, while steps pass); returns reports of steps that passed.
    pub fn evaluate(&mut self, world: &dyn Observed) -> Vec<StepReport> {
        let mut passed = Vec::new();
        self.memo.advance(world);
        while self.active < self.steps.len() {
            let outcome = self.steps[self.active].check.evaluate_with(world, &self.memo);
            if !outcome.passed {
                break;
            }
            self.state[self.active].passed_at = Some(world.model().now());
            passed.push(self.report(self.active, world));
            self.active += 1;
        }
        passed
    }

    pub fn reports(&self, world: &dyn Observed) -> Vec<StepReport> {
        (0..self.steps.len()).map(|i| self.report(i, world)).collect()
    }

    fn report(&self, i: usize, world: &dyn Observed) -> StepReport {
        let step = &self.steps[i];
        let state = &self.state[i];
        let outcome = step.check.evaluate_with(world, &self.memo);
        StepReport {
            step: step.id.clone(),
            index: i,
            title: step.title.clone(),
            passed: state.passed_at.is_some(),
            skipped: state.skipped,
            active: i == self.active,
            expected: outcome.expected,
            found: outcome.found,
            hints_used: state.hints_used,
            passed_at: state.passed_at,
        }
    }

    /// The active step's reference solution.
    pub fn active_solution(&self) -> Option<Vec<String>> {
        self.steps.get(self.active).map(|s| s.solution.clone())
    }

    /// The incident the active step starts with, if any.
    pub fn active_incident(&self) -> Option<String> {
        self.steps.get(self.active).and_then(|s| s.incident.clone())
    }

    /// Marks step `index` skipped (its solution was applied by `SkipStep`); a skipped step
    /// that has not passed by itself is left behind, so the lab moves on.
    pub fn mark_skipped(&mut self, index: usize, now: SimTime) {
        if let Some(s) = self.state.get_mut(index) {
            s.skipped = true;
            s.passed_at.get_or_insert(now);
        }
        if self.active == index {
            self.active += 1;
        }
    }

    /// Reveals the active step's next hint: (step id, hint number from 1, text).
    pub fn next_hint(&mut self) -> Option<(String, usize, String)> {
        let step = self.steps.get(self.active)?;
        let state = &mut self.state[self.active];
        let text = step.hints.get(state.hints_used)?.clone();
        state.hints_used += 1;
        Some((step.id.clone(), state.hints_used, text))
    }
}
