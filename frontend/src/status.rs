//! Each lab's and quiz's status in words, from what this browser saved: the
//! catalog shows it beside every card.

use serde::{Deserialize, Serialize};

use crate::progress::{load_json, save_json};

/// A lab's progress in short, saved with its replay record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabStatus {
    pub passed: usize,
    pub steps: usize,
}

fn lab_status_key(lab: &str) -> String {
    format!("gitops-lab/status/{lab}")
}

pub fn save_lab(lab: &str, status: &LabStatus) {
    save_json(&lab_status_key(lab), status);
}

pub fn clear_lab(lab: &str) {
    crate::progress::remove(&lab_status_key(lab));
}

/// "Not started", "In progress: 2 of 4 steps passed" or "Completed: 4 of 4 steps".
pub fn lab_text(lab: &str) -> String {
    match load_json::<LabStatus>(&lab_status_key(lab)) {
        None => "Not started".into(),
        Some(s) if s.steps > 0 && s.passed >= s.steps => format!("✔ Completed: {} of {} steps", s.passed, s.steps),
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
