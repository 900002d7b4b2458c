//! Progress kept in the browser: each lab's replay record (seed and timed
//! inputs) in localStorage, saved after every input and replayed on load.

use serde::{Deserialize, Serialize};
use simulator::SimTime;
use simulator::replay::{REPLAY_VERSION, Replay};

/// What is stored for one lab.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Saved {
    pub replay: Replay,
    /// The simulated time when the progress was last saved.
    pub now: SimTime,
}

fn key(lab: &str) -> String {
    format!("gitops-lab/progress/{lab}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load(lab: &str) -> Option<Saved> {
    let text = storage()?.get_item(&key(lab)).ok()??;
    let saved: Saved = serde_json::from_str(&text).ok()?;
    (saved.replay.version == REPLAY_VERSION && saved.replay.lab == lab).then_some(saved)
}

pub fn save(lab: &str, saved: &Saved) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(saved)) {
        let _ = s.set_item(&key(lab), &text);
    }
}

pub fn clear(lab: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(lab));
    }
}
