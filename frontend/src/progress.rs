//! Progress kept in the browser's localStorage: each lab's replay record
//! (seed and timed inputs), saved after every input and replayed on load, and
//! each quiz's attempt and results.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use simulator::SimTime;
use simulator::replay::{REPLAY_VERSION, Replay};

/// What is stored for one lab.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Saved {
    pub replay: Replay,
    /// The simulated time when the progress was last saved.
    pub now: SimTime,
    /// The clock's speed (0 when paused), so a reload goes on as the trainee left it.
    #[serde(default)]
    pub speed: Option<u32>,
    /// Whether the clock already stopped at the lab's key moment.
    #[serde(default)]
    pub moment_shown: bool,
}

/// The storage key of a lab's progress; the catalog reads it for the lab's status.
pub fn lab_key(lab: &str) -> String {
    format!("gitops-lab/progress/{lab}")
}

/// The storage key of a quiz's saved attempt and results.
pub fn quiz_key(quiz: &str) -> String {
    format!("gitops-lab/quiz/{quiz}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load_json<T: DeserializeOwned>(key: &str) -> Option<T> {
    let text = storage()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

pub fn save_json<T: Serialize>(key: &str, value: &T) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(value)) {
        let _ = s.set_item(key, &text);
    }
}

pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

pub fn load(lab: &str) -> Option<Saved> {
    let saved: Saved = load_json(&lab_key(lab))?;
    (saved.replay.version == REPLAY_VERSION && saved.replay.lab == lab).then_some(saved)
}

pub fn save(lab: &str, saved: &Saved) {
    save_json(&lab_key(lab), saved);
}

pub fn clear(lab: &str) {
    remove(&lab_key(lab));
}

/// The progress as it was just before its last input, with the clock stopped there: what the
/// recovery screen goes back to when a crash came with (or after) that input, so a reload does
/// not replay into the same crash. `None` when there is no input to undo.
pub fn before_last_input(saved: &Saved) -> Option<Saved> {
    let mut earlier = saved.clone();
    let (at, _) = earlier.replay.inputs.pop()?;
    earlier.now = at;
    earlier.speed = Some(0);
    Some(earlier)
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::Input;

    #[test]
    fn going_back_drops_the_last_input_and_stops_the_clock_at_it() {
        let mut replay = Replay::new(7, "drift-2am");
        replay.inputs.push((SimTime(1_000), Input::Command { line: "kubectl get pods".into() }));
        replay.inputs.push((SimTime(5_000), Input::Command { line: "git push".into() }));
        let saved = Saved { replay, now: SimTime(90_000), speed: Some(1), moment_shown: true };
        let back = before_last_input(&saved).unwrap();
        assert_eq!(back.replay.inputs.len(), 1);
        assert_eq!((back.now, back.speed), (SimTime(5_000), Some(0)));
        let first = before_last_input(&back).unwrap();
        assert!(first.replay.inputs.is_empty());
        assert!(before_last_input(&first).is_none());
    }
}
