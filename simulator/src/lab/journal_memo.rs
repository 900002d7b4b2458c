//! What the journal has shown so far, for the checks that read it: whether a
//! command ran or failed, whether something happened to an app, how an app
//! recovered after the latest incident. The step tracker keeps one memo and
//! moves it on over the events added since the last look, so evaluating a
//! step costs the same after ten inputs as after ten thousand.

use std::collections::BTreeMap;

use super::command_shape::command_matches;
use super::event_match::{EventMatch, happened};
use super::observed::Observed;
use crate::events::{Event, EventKind};
use crate::time::SimTime;

/// A question a check asks of the journal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Query {
    /// A command of this shape ran successfully.
    Ran(String),
    /// A command of this shape ran and failed.
    Failed(String),
    /// Something happened to an app.
    Happened(String, EventMatch),
    /// How an app recovered after the latest incident.
    Recovery(String),
}

/// What a query has found in the events looked at so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Seen(bool),
    /// The exit code of the first failed run.
    FirstFailure(Option<i32>),
    Recovery(RecoveryState),
}

/// Where an app is after the latest incident.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct RecoveryState {
    incident_at: Option<SimTime>,
    sync: String,
    health: String,
    disturbed: bool,
    recovered_after: Option<u64>,
}

impl RecoveryState {
    /// `None` without a disturbing incident, `Some(None)` while the app has not recovered,
    /// `Some(Some(seconds))` once it has.
    pub fn seconds(&self) -> Option<Option<u64>> {
        self.incident_at?;
        if self.recovered_after.is_some() { Some(self.recovered_after) } else { self.disturbed.then_some(None) }
    }
}

impl Query {
    fn start(&self) -> Answer {
        match self {
            Query::Ran(_) | Query::Happened(..) => Answer::Seen(false),
            Query::Failed(_) => Answer::FirstFailure(None),
            Query::Recovery(_) => Answer::Recovery(RecoveryState::default()),
        }
    }

    /// Moves an answer on by one event.
    fn fold(&self, answer: &mut Answer, e: &Event) {
        match (self, answer) {
            (Query::Ran(shape), Answer::Seen(seen)) => {
                *seen = *seen || matches!(&e.kind, EventKind::Command { line, exit_code: 0, .. } if command_matches(shape, line));
            }
            (Query::Failed(shape), Answer::FirstFailure(first)) => {
                if first.is_none() {
                    if let EventKind::Command { line, exit_code, .. } = &e.kind {
                        if *exit_code != 0 && command_matches(shape, line) {
                            *first = Some(*exit_code);
                        }
                    }
                }
            }
            (Query::Happened(app, event), Answer::Seen(seen)) => *seen = *seen || happened(&e.kind, app, *event),
            (Query::Recovery(app), Answer::Recovery(state)) => match &e.kind {
                EventKind::Incident { .. } => {
                    *state = RecoveryState {
                        incident_at: Some(e.at),
                        sync: "Synced".into(),
                        health: "Healthy".into(),
                        disturbed: false,
                        recovered_after: None,
                    };
                }
                kind if state.incident_at.is_some() && state.recovered_after.is_none() => {
                    match kind {
                        EventKind::SyncStatusChanged { app: a, to, .. } if a == app => state.sync = to.clone(),
                        EventKind::HealthChanged { app: a, to, .. } if a == app => state.health = to.clone(),
                        _ => return,
                    }
                    if state.sync != "Synced" || state.health != "Healthy" {
                        state.disturbed = true;
                    } else if state.disturbed {
                        state.recovered_after = Some(e.at.since(state.incident_at.unwrap_or(e.at)).as_secs());
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Whether no later event can change the answer.
    fn settled(&self, answer: &Answer) -> bool {
        matches!(answer, Answer::Seen(true) | Answer::FirstFailure(Some(_)))
    }
}

/// The answers to a lab's journal queries over the first `seen` events of a world's journal
/// (and of its push twin's, for checks about the push world).
#[derive(Clone, Debug, Default)]
pub struct JournalMemo {
    seen: usize,
    answers: BTreeMap<Query, Answer>,
    twin: Option<Box<JournalMemo>>,
}

impl JournalMemo {
    /// Starts answering `query` (a no-op when it is already asked).
    pub(crate) fn ask(&mut self, query: Query) {
        let answer = query.start();
        self.answers.entry(query).or_insert(answer);
    }

    /// The memo of the push world's journal, made on first use.
    pub(crate) fn twin_mut(&mut self) -> &mut JournalMemo {
        self.twin.get_or_insert_with(Default::default)
    }

    /// Looks at the events added to the world's journal (and its twin's) since the last call.
    pub fn advance(&mut self, observed: &dyn Observed) {
        let journal = observed.model().journal();
        if journal.len() < self.seen {
            // A journal that shrank was reset: start again.
            self.seen = 0;
            for (q, a) in self.answers.iter_mut() {
                *a = q.start();
            }
        }
        let new = &journal[self.seen..];
        for (q, a) in self.answers.iter_mut() {
            if !q.settled(a) {
                for e in new {
                    q.fold(a, e);
                }
            }
        }
        self.seen = journal.len();
        if let (Some(twin), Some(world)) = (self.twin.as_mut(), observed.push_world()) {
            twin.advance(world);
        }
    }

    /// The answer to `query` over the whole of `journal`: the memo's, moved on over any
    /// events it has not seen (all of them for a query it does not hold).
    pub(crate) fn answer(&self, query: &Query, journal: &[Event]) -> Answer {
        let (mut answer, from) = match self.answers.get(query) {
            Some(a) if self.seen <= journal.len() => (a.clone(), self.seen),
            _ => (query.start(), 0),
        };
        if !query.settled(&answer) {
            for e in &journal[from..] {
                query.fold(&mut answer, e);
            }
        }
        answer
    }

    /// The memo for the push twin's journal, if any check asks about it.
    pub fn twin(&self) -> Option<&JournalMemo> {
        self.twin.as_deref()
    }
}
