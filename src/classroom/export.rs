//! Exports of a class's results: JSON (the grid's summary) and CSV (one row per trainee
//! and lab or quiz, with the status words SCORM uses).

use super::Content;
use super::grid::ClassSummary;

/// A lab finished with at least this share of its points counts as passed.
pub const MASTERY_PERCENT: u32 = 70;

pub fn json(summary: &ClassSummary) -> String {
    serde_json::to_string_pretty(summary).unwrap_or_else(|_| "{}".into())
}

const HEADER: &[&str] = &[
    "trainee_id",
    "trainee",
    "kind",
    "item",
    "title",
    "status",
    "score",
    "max_score",
    "steps_passed",
    "steps_skipped",
    "steps",
    "hints",
    "attempts",
    "passed_step_ids",
    "last_activity",
];

/// One field, quoted as RFC 4180 asks when it holds a comma, quote or line break. A field
/// that a spreadsheet would run as a formula gets a leading apostrophe.
fn field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

fn row(fields: &[String]) -> String {
    let mut line = fields.iter().map(|f| field(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// SCORM 1.2's word for a lab's state.
pub fn lab_status(finished: bool, started: bool, score: u32, max: u32) -> &'static str {
    match (finished, started) {
        (true, _) if score * 100 >= max * MASTERY_PERCENT => "passed",
        (true, _) => "failed",
        (false, true) => "incomplete",
        (false, false) => "not attempted",
    }
}

pub fn csv(summary: &ClassSummary, content: &Content) -> String {
    let mut out = row(&HEADER.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for t in &summary.trainees {
        let last = simulator::SimTime(t.last_activity.max(0) as u64).rfc3339();
        for lab in &summary.labs {
            let p = t.labs.get(&lab.id).cloned().unwrap_or_default();
            let started = !p.passed.is_empty() || !p.skipped.is_empty() || p.hints > 0 || p.commands > 0;
            out.push_str(&row(&[
                t.id.clone(),
                t.name.clone(),
                "lab".into(),
                lab.id.clone(),
                lab.title.clone(),
                lab_status(p.finished, started, p.score, p.max_score).into(),
                p.score.to_string(),
                p.max_score.to_string(),
                p.passed.len().to_string(),
                p.skipped.len().to_string(),
                lab.steps.len().to_string(),
                p.hints.to_string(),
                (p.run + u32::from(started)).to_string(),
                p.passed.join(" "),
                last.clone(),
            ]));
        }
        for quiz in &summary.quizzes {
            let q = t.quizzes.get(quiz).cloned().unwrap_or_default();
            let status = match (q.attempts, q.passed) {
                (0, _) => "not attempted",
                (_, true) => "passed",
                (_, false) => "failed",
            };
            let title = content.quiz(quiz).map(|q| q.title.clone()).unwrap_or_default();
            out.push_str(&row(&[
                t.id.clone(),
                t.name.clone(),
                "quiz".into(),
                quiz.clone(),
                title,
                status.into(),
                q.best_score.to_string(),
                "100".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                q.attempts.to_string(),
                String::new(),
                last.clone(),
            ]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }

    #[test]
    fn status_words_follow_scorm() {
        assert_eq!(lab_status(true, true, 50, 50), "passed");
        assert_eq!(lab_status(true, true, 10, 50), "failed");
        assert_eq!(lab_status(false, true, 10, 50), "incomplete");
        assert_eq!(lab_status(false, false, 0, 50), "not attempted");
    }
}
