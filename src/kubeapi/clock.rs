//! The session's clock: simulated time runs at `speed` times wall time, can
//! pause, and objects are served with their timestamps rebased onto the wall
//! clock, so that a real kubectl's ages and `describe` never show `<invalid>`.

use serde_json::Value;
use simulator::SimTime;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Maps wall time to simulated time.
#[derive(Clone, Debug)]
pub struct Clock {
    wall_base: Instant,
    sim_base: SimTime,
    speed: f64,
    paused: bool,
}

/// Milliseconds since the Unix epoch, from the wall clock.
pub fn wall_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Clock {
    /// A clock reading `start` now and running at `speed`.
    pub fn new(start: SimTime, speed: f64) -> Clock {
        Clock { wall_base: Instant::now(), sim_base: start, speed: speed.max(0.0), paused: false }
    }

    /// The simulated time now.
    pub fn now(&self) -> SimTime {
        if self.paused {
            return self.sim_base;
        }
        let elapsed = self.wall_base.elapsed().as_millis() as f64 * self.speed;
        SimTime(self.sim_base.0 + elapsed as u64)
    }

    fn rebase_here(&mut self) {
        self.sim_base = self.now();
        self.wall_base = Instant::now();
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn set_speed(&mut self, speed: f64) {
        self.rebase_here();
        self.speed = speed.max(0.0);
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.rebase_here();
        self.paused = paused;
    }

    /// Moves simulated time forward at once (`next`: to the next thing due).
    pub fn jump_to(&mut self, to: SimTime) {
        self.rebase_here();
        if to > self.sim_base {
            self.sim_base = to;
        }
    }

    /// How far simulated timestamps move to be served: wall time now minus simulated time now.
    pub fn offset_millis(&self) -> i64 {
        wall_millis() as i64 - self.now().0 as i64
    }
}

/// Shifts every RFC 3339 UTC timestamp in `value` by `offset_millis` (rounded to seconds),
/// keeping any fraction of a second as it was.
pub fn rebase(value: &mut Value, offset_millis: i64) {
    let offset_secs = offset_millis.div_euclid(1000);
    if offset_secs == 0 {
        return;
    }
    shift(value, offset_secs);
}

fn shift(value: &mut Value, offset_secs: i64) {
    match value {
        Value::String(s) => {
            if let Some(shifted) = shift_timestamp(s, offset_secs) {
                *s = shifted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shift(v, offset_secs)),
        Value::Object(map) => map.values_mut().for_each(|v| shift(v, offset_secs)),
        _ => {}
    }
}

/// `2026-03-12T01:58:00Z` or `2026-03-12T01:58:00.123456Z`, moved by `offset_secs`.
fn shift_timestamp(s: &str, offset_secs: i64) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || !s.ends_with('Z') {
        return None;
    }
    let fraction = &s[19..s.len() - 1];
    if !(fraction.is_empty() || fraction.starts_with('.') && fraction[1..].bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let t = SimTime::parse_rfc3339(&format!("{}Z", &s[..19]))?;
    let secs = t.as_secs() as i64 + offset_secs;
    if secs < 0 {
        return None;
    }
    let text = SimTime(secs as u64 * 1000).rfc3339();
    Some(format!("{}{fraction}Z", text.trim_end_matches('Z')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_move_and_other_strings_do_not() {
        let mut v = json!({"a": "2026-03-12T01:58:00Z", "b": ["2026-03-12T01:58:00.500000Z"], "c": "web", "d": "2026-03-12"});
        rebase(&mut v, 3_600_000);
        assert_eq!(v, json!({"a": "2026-03-12T02:58:00Z", "b": ["2026-03-12T02:58:00.500000Z"], "c": "web", "d": "2026-03-12"}));
    }

    #[test]
    fn a_paused_clock_stands_still_and_speed_multiplies() {
        let mut c = Clock::new(SimTime(1_000_000), 60.0);
        c.set_paused(true);
        let t = c.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c.now(), t);
        c.set_paused(false);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(c.now().0 >= t.0 + 300);
    }
}
