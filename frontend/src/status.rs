//! Each lab's and quiz's status in words, from what this browser saved: the
//! catalog shows it beside every card.

use serde::{Deserialize, Serialize};

use crate::progress::{load_json, save_json};

/// A lab's progress in short, saved with its replay record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabStatus {
    pub passed: usize,
    pub steps: usize,
    /// Every step passed at least once: a reset starts the steps again but keeps this record.
    #[serde(default)]
    pub completed: bool,
}

fn lab_status_key(lab: &str) -> String {
    format!("gitops-lab/status/{lab}")
}

/// Records a lab's current steps, keeping whether it was ever completed.
pub fn record_lab(lab: &str, passed: usize, steps: usize) {
    let before = load_json::<LabStatus>(&lab_status_key(lab));
    let completed = before.is_some_and(|s| s.completed || (s.steps > 0 && s.passed >= s.steps)) || (steps > 0 && passed >= steps);
    save_json(&lab_status_key(lab), &LabStatus { passed, steps, completed });
}

/// "Not started", "In progress: 2 of 4 steps passed" or "Completed: 4 of 4 steps".
pub fn lab_text(lab: &str) -> String {
    match load_json::<LabStatus>(&lab_status_key(lab)) {
        None => "Not started".into(),
        Some(s) if s.steps > 0 && s.passed >= s.steps => format!("✔ Completed: {} of {} steps", s.passed, s.steps),
        Some(s) if s.completed => format!("✔ Completed before · again: {} of {} steps passed", s.passed, s.steps),
        Some(s) => format!("◐ In progress: {} of {} steps passed", s.passed, s.steps),
    }
}

/// "Not taken", "In progress", or the best score of the finished attempts.
pub fn quiz_text(quiz: &str) -> String {
    crate::quiz::summary_of(quiz).unwrap_or_else(|| "Not taken".into())
}

/// Fills every `[data-progress="lab:ID"]` and `[data-progress="quiz:TOPIC"]` element of the server's catalog.
pub fn fill_catalog() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(nodes) = document.query_selector_all("[data-progress]") else { return };
    for i in 0..nodes.length() {
        let Some(element) = nodes.item(i).and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok()) else { continue };
        let Some(what) = element.get_attribute("data-progress") else { continue };
        let text = match what.split_once(':') {
            Some(("lab", id)) => lab_text(id),
            Some(("quiz", topic)) => quiz_text(topic),
            _ => continue,
        };
        element.set_text_content(Some(&text));
    }
}
