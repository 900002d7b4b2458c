//! What a trainee's page reports over the WebSocket, checked before it is stored.
//!
//! Every report may carry a client-side `id`; a report sent twice with the same id (a page
//! that was offline sends what it missed, and may send it again) is stored once. A report
//! without an id gets one made of its content, so a step passed twice counts once.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Content;

/// The longest client-side event id accepted.
pub const MAX_ID: usize = 128;
/// The longest terminal line kept in a trainee's history.
pub const MAX_LINE: usize = 2000;

/// One report from a trainee's page.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Report {
    /// A step passed (or its check changed): `score` is the points the step earned.
    #[serde(rename_all = "camelCase")]
    Step {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        lab: String,
        step: String,
        passed: bool,
        #[serde(default)]
        score: u32,
        /// Which attempt at the lab this is (a reset starts the next).
        #[serde(default)]
        run: u32,
    },
    /// A hint was revealed.
    #[serde(rename_all = "camelCase")]
    Hint {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        lab: String,
        step: String,
        level: u32,
        #[serde(default)]
        run: u32,
    },
    /// A step was skipped (its solution applied for the trainee).
    #[serde(rename_all = "camelCase")]
    Skip {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        lab: String,
        step: String,
        #[serde(default)]
        run: u32,
    },
    /// An incident happened in the trainee's world.
    #[serde(rename_all = "camelCase")]
    Incident {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        lab: String,
        incident: String,
        #[serde(default)]
        run: u32,
    },
    /// A quiz attempt's result (score in percent).
    #[serde(rename_all = "camelCase")]
    Quiz {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        quiz: String,
        score: u32,
        passed: bool,
        #[serde(default)]
        attempt: u32,
    },
    /// A line typed into the terminal and its exit code (the trainee's terminal history).
    #[serde(rename_all = "camelCase")]
    Command {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        lab: String,
        line: String,
        #[serde(default)]
        exit_code: i32,
        #[serde(default)]
        run: u32,
    },
}

impl Report {
    /// The stored kind: `step`, `hint`, `skip`, `incident`, `quiz` or `command`.
    pub fn kind(&self) -> &'static str {
        match self {
            Report::Step { .. } => "step",
            Report::Hint { .. } => "hint",
            Report::Skip { .. } => "skip",
            Report::Incident { .. } => "incident",
            Report::Quiz { .. } => "quiz",
            Report::Command { .. } => "command",
        }
    }

    /// The client's event id, or one made of the report's content.
    pub fn event_id(&self) -> String {
        match self {
            Report::Step { id: Some(id), .. }
            | Report::Hint { id: Some(id), .. }
            | Report::Skip { id: Some(id), .. }
            | Report::Incident { id: Some(id), .. }
            | Report::Quiz { id: Some(id), .. }
            | Report::Command { id: Some(id), .. } => id.clone(),
            Report::Step { lab, step, passed, run, .. } => format!("step:{lab}:{run}:{step}:{passed}"),
            Report::Hint { lab, step, level, run, .. } => format!("hint:{lab}:{run}:{step}:{level}"),
            Report::Skip { lab, step, run, .. } => format!("skip:{lab}:{run}:{step}"),
            Report::Incident { lab, incident, run, .. } => format!("incident:{lab}:{run}:{incident}"),
            Report::Quiz { quiz, attempt, .. } => format!("quiz:{quiz}:{attempt}"),
            Report::Command { lab, line, run, .. } => format!("command:{lab}:{run}:{line}"),
        }
    }

    /// Checks the report against the class (its labs, their steps and incidents, its
    /// quizzes); the error is the message sent back to the page.
    pub fn validate(&self, labs: &[String], quizzes: &[String], content: &Content) -> Result<(), String> {
        let id = match self {
            Report::Step { id, .. }
            | Report::Hint { id, .. }
            | Report::Skip { id, .. }
            | Report::Incident { id, .. }
            | Report::Quiz { id, .. }
            | Report::Command { id, .. } => id,
        };
        if let Some(id) = id
            && (id.is_empty() || id.len() > MAX_ID)
        {
            return Err(format!("`id` must have 1 to {MAX_ID} characters"));
        }
        let lab_of_class = |lab: &str| lab_of_class(labs, content, lab);
        match self {
            Report::Step { lab, step, score, .. } => {
                let info = lab_of_class(lab)?;
                if !info.steps.iter().any(|s| &s.id == step) {
                    return Err(format!("the lab `{lab}` has no step `{step}`"));
                }
                if *score > 100 {
                    return Err(format!("`score` must be 0 to 100, not {score}"));
                }
            }
            Report::Hint { lab, step, level, .. } => {
                let info = lab_of_class(lab)?;
                if !info.steps.iter().any(|s| &s.id == step) {
                    return Err(format!("the lab `{lab}` has no step `{step}`"));
                }
                if *level == 0 || *level > 20 {
                    return Err(format!("`level` must be 1 to 20, not {level}"));
                }
            }
            Report::Skip { lab, step, .. } => {
                let info = lab_of_class(lab)?;
                if !info.steps.iter().any(|s| &s.id == step) {
                    return Err(format!("the lab `{lab}` has no step `{step}`"));
                }
            }
            Report::Incident { lab, incident, .. } => {
                let info = lab_of_class(lab)?;
                if !info.incidents.iter().any(|i| &i.id == incident) {
                    return Err(format!("the lab `{lab}` has no incident `{incident}`"));
                }
            }
            Report::Quiz { quiz, score, .. } => {
                let lab_quiz = quiz.strip_prefix("lab-").is_some_and(|lab| labs.iter().any(|l| l == lab));
                if !lab_quiz && !quizzes.iter().any(|q| q == quiz) {
                    return Err(format!("the quiz `{quiz}` is not part of this class"));
                }
                if *score > 100 {
                    return Err(format!("`score` must be 0 to 100, not {score}"));
                }
            }
            Report::Command { lab, line, .. } => {
                lab_of_class(lab)?;
                if line.len() > MAX_LINE {
                    return Err(format!("`line` is longer than {MAX_LINE} bytes"));
                }
            }
        }
        Ok(())
    }

    /// The report as stored: its JSON with the event id filled in.
    pub fn stored_body(&self) -> Value {
        let mut value = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.insert("id".into(), Value::String(self.event_id()));
        }
        value
    }
}

/// The class's lab called `lab`, or why a report about it is refused.
fn lab_of_class<'c>(labs: &[String], content: &'c Content, lab: &str) -> Result<&'c super::LabInfo, String> {
    if !labs.iter().any(|l| l == lab) {
        return Err(format!("the lab `{lab}` is not part of this class"));
    }
    content.lab(lab).ok_or_else(|| format!("there is no lab called `{lab}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_s_minimal_step_report_parses_and_gets_a_stable_id() {
        let r: Report =
            serde_json::from_str(r#"{"type": "step", "lab": "drift-2am", "step": "look-around", "passed": true, "score": 10}"#).unwrap();
        assert_eq!(r.kind(), "step");
        assert_eq!(r.event_id(), "step:drift-2am:0:look-around:true");
        assert_eq!(r.stored_body()["id"], "step:drift-2am:0:look-around:true");
    }

    #[test]
    fn unknown_types_and_fields_are_refused() {
        assert!(serde_json::from_str::<Report>(r#"{"type": "teleport"}"#).is_err());
        assert!(serde_json::from_str::<Report>(r#"{"type": "hint", "lab": "a", "step": "b", "level": 1, "extra": 1}"#).is_err());
    }
}
