//! The instructor's view of a class, computed from the stored reports: each trainee's
//! passed steps by lab, score, hints, current step, idle time and whether they are stuck.
//! `GET /progress`, the live grid's snapshots and the exports all read this one summary.

use serde::Serialize;
use std::collections::BTreeMap;

use super::{Classroom, Content};
use super::store::{ClassRow, ProgressRow, StoreError, TraineeRow, now_ms};

/// No progress for this long (and a lab not finished) marks a trainee as stuck.
pub const DEFAULT_STUCK_MINUTES: i64 = 5;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassSummary {
    pub id: String,
    pub name: String,
    pub join_code: String,
    pub labs: Vec<LabColumns>,
    pub quizzes: Vec<String>,
    pub paused: bool,
    /// When the class ends (ms since the epoch), or `null` without a limit.
    pub ends_at: Option<i64>,
    /// The server's clock when this was computed.
    pub now: i64,
    pub stuck_minutes: i64,
    pub trainees: Vec<TraineeProgress>,
}

/// One lab's columns in the grid.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabColumns {
    pub id: String,
    pub title: String,
    pub steps: Vec<StepColumn>,
    pub incidents: Vec<StepColumn>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepColumn {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraineeProgress {
    pub id: String,
    pub name: String,
    pub joined_at: i64,
    /// The last report received (or the join), ms since the epoch.
    pub last_activity: i64,
    pub idle_seconds: i64,
    pub stuck: bool,
    /// Points over every lab of the class (each lab's latest attempt).
    pub score: u32,
    pub max_score: u32,
    pub hints: u32,
    /// The lab the trainee last worked in.
    pub current_lab: Option<String>,
    /// That lab's first step neither passed nor skipped.
    pub current_step: Option<String>,
    pub labs: BTreeMap<String, LabProgress>,
    pub quizzes: BTreeMap<String, QuizProgress>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabProgress {
    /// The attempt shown (a reset starts the next one; earlier ones stay in the timeline).
    pub run: u32,
    /// Steps passed by the trainee, by id, in the lab's order.
    pub passed: Vec<String>,
    pub skipped: Vec<String>,
    pub hints: u32,
    pub score: u32,
    pub max_score: u32,
    pub current_step: Option<String>,
    pub finished: bool,
    pub incidents: Vec<String>,
    pub commands: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuizProgress {
    pub attempts: u32,
    pub best_score: u32,
    pub last_score: u32,
    pub passed: bool,
}

fn text(body: &serde_json::Value, key: &str) -> String {
    body.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

fn number(body: &serde_json::Value, key: &str) -> u64 {
    body.get(key).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Sums up a class.
pub fn summarize(
    class: &ClassRow,
    trainees: &[TraineeRow],
    progress: &[ProgressRow],
    content: &Content,
    now: i64,
    stuck_minutes: i64,
) -> ClassSummary {
    let labs: Vec<LabColumns> = class
        .labs
        .iter()
        .filter_map(|id| content.lab(id))
        .map(|lab| LabColumns {
            id: lab.id.clone(),
            title: lab.title.clone(),
            steps: lab.steps.iter().map(|s| StepColumn { id: s.id.clone(), title: s.title.clone() }).collect(),
            incidents: lab.incidents.iter().map(|s| StepColumn { id: s.id.clone(), title: s.title.clone() }).collect(),
        })
        .collect();
    let mut by_trainee: BTreeMap<&str, Vec<&ProgressRow>> = BTreeMap::new();
    for p in progress {
        by_trainee.entry(p.trainee_id.as_str()).or_default().push(p);
    }
    let rows = trainees
        .iter()
        .map(|trainee| {
            let mine = by_trainee.get(trainee.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            summarize_trainee(trainee, mine, &labs, now, stuck_minutes)
        })
        .collect();
    ClassSummary {
        id: class.id.clone(),
        name: class.name.clone(),
        join_code: class.join_code.clone(),
        labs,
        quizzes: class.quizzes.clone(),
        paused: class.paused,
        ends_at: (class.ends_ms > 0).then_some(class.ends_ms),
        now,
        stuck_minutes,
        trainees: rows,
    }
}

fn summarize_trainee(trainee: &TraineeRow, reports: &[&ProgressRow], labs: &[LabColumns], now: i64, stuck_minutes: i64) -> TraineeProgress {
    // Each lab's latest attempt is the one shown.
    let mut runs: BTreeMap<String, u32> = BTreeMap::new();
    for r in reports {
        let lab = text(&r.body, "lab");
        if !lab.is_empty() {
            let run = number(&r.body, "run") as u32;
            let e = runs.entry(lab).or_insert(run);
            *e = (*e).max(run);
        }
    }
    let mut out: BTreeMap<String, LabProgress> = BTreeMap::new();
    let mut step_points: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut quizzes: BTreeMap<String, QuizProgress> = BTreeMap::new();
    let mut current_lab = None;
    for r in reports {
        let b = &r.body;
        if r.kind == "quiz" {
            let q = quizzes.entry(text(b, "quiz")).or_default();
            let score = number(b, "score") as u32;
            q.attempts += 1;
            q.best_score = q.best_score.max(score);
            q.last_score = score;
            q.passed |= b.get("passed").and_then(|v| v.as_bool()).unwrap_or(false);
            continue;
        }
        let lab = text(b, "lab");
        if runs.get(&lab).copied() != Some(number(b, "run") as u32) {
            continue;
        }
        current_lab = Some(lab.clone());
        let p = out.entry(lab.clone()).or_default();
        p.run = number(b, "run") as u32;
        match r.kind.as_str() {
            "step" if b.get("passed").and_then(|v| v.as_bool()) == Some(true) => {
                let step = text(b, "step");
                let points = step_points.entry((lab.clone(), step.clone())).or_insert(0);
                *points = (*points).max(number(b, "score") as u32);
                if !p.passed.contains(&step) {
                    p.passed.push(step);
                }
            }
            "skip" => {
                let step = text(b, "step");
                if !p.skipped.contains(&step) {
                    p.skipped.push(step);
                }
            }
            "hint" => p.hints += 1,
            "incident" => p.incidents.push(text(b, "incident")),
            "command" => p.commands += 1,
            _ => {}
        }
    }
    let mut score = 0;
    let mut max_score = 0;
    let mut hints = 0;
    for lab in labs {
        let p = out.entry(lab.id.clone()).or_default();
        // Steps in the lab's order; a skipped step earns nothing even if its check passed.
        let order = |id: &String| lab.steps.iter().position(|s| &s.id == id).unwrap_or(usize::MAX);
        let skipped = p.skipped.clone();
        p.passed.retain(|s| !skipped.contains(s));
        p.passed.sort_by_key(order);
        p.skipped.sort_by_key(order);
        p.score = p.passed.iter().map(|s| step_points.get(&(lab.id.clone(), s.clone())).copied().unwrap_or(0)).sum();
        p.max_score = 10 * lab.steps.len() as u32;
        p.current_step = lab.steps.iter().find(|s| !p.passed.contains(&s.id) && !p.skipped.contains(&s.id)).map(|s| s.id.clone());
        p.finished = p.current_step.is_none();
        score += p.score;
        max_score += p.max_score;
        hints += p.hints;
    }
    let last_activity = reports.iter().map(|r| r.received_ms).max().unwrap_or(trainee.joined_ms).max(trainee.joined_ms);
    let idle_seconds = ((now - last_activity) / 1000).max(0);
    let current_lab = current_lab.or_else(|| labs.first().map(|l| l.id.clone()));
    let current_step = current_lab.as_ref().and_then(|l| out.get(l)).and_then(|p| p.current_step.clone());
    let unfinished = out.values().any(|p| !p.finished);
    TraineeProgress {
        id: trainee.id.clone(),
        name: trainee.name.clone(),
        joined_at: trainee.joined_ms,
        last_activity,
        idle_seconds,
        stuck: unfinished && idle_seconds >= stuck_minutes * 60,
        score,
        max_score,
        hints,
        current_lab,
        current_step,
        labs: out,
        quizzes,
    }
}

/// The grid's summary of a class.
pub async fn summary(c: &Classroom, class: &ClassRow) -> Result<ClassSummary, StoreError> {
    let trainees = c.store.trainees(&class.id).await?;
    let progress = c.store.progress(&class.id).await?;
    Ok(summarize(class, &trainees, &progress, &c.content, now_ms(), c.stuck_minutes))
}
