//! Incidents a lab declares: something that happens to the world without the
//! trainee typing it (a colleague's `kubectl scale`, a bad image, a deleted
//! resource), fired at a set time or on demand by the lab or an instructor.

use serde::{Deserialize, Serialize};

use crate::time::{SimDuration, SimTime};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IncidentSpec {
    pub id: String,
    /// What the timeline and the page's banner say happened.
    pub title: String,
    /// When it fires by itself: `HH:MM` or `HH:MM:SS` on the lab's first day, or `+10m` after the start.
    #[serde(default)]
    pub at: Option<String>,
    /// Commands run by someone other than the trainee (they are not the trainee's commands).
    #[serde(default)]
    pub commands: Vec<String>,
    /// In a comparison lab's push world, these run instead of `commands` (where they differ).
    #[serde(default)]
    pub push_commands: Vec<String>,
    /// Who runs the commands, as `Name <email>` (their commits carry this name).
    #[serde(default)]
    pub actor: Option<String>,
    /// `true` takes the Git server down (clones, fetches, pushes and the agents' polls fail);
    /// `false` brings it back.
    #[serde(default)]
    pub repo_unreachable: Option<bool>,
    /// Stops a node's kubelet (`any` picks the first node running a lab pod).
    #[serde(default)]
    pub node_down: Option<String>,
    /// Brings a node back.
    #[serde(default)]
    pub node_up: Option<String>,
    /// Another incident this one sets off, some seconds later.
    #[serde(default)]
    pub followed_by: Option<FollowUp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FollowUp {
    pub incident: String,
    pub after_seconds: u64,
}

impl IncidentSpec {
    /// When it fires by itself, for a lab starting at `start`.
    pub fn fires_at(&self, start: SimTime) -> Option<SimTime> {
        let at = self.at.as_deref()?;
        if let Some(offset) = at.strip_prefix('+') {
            return crate::time::parse_duration(offset, crate::time::DurationSyntax::Sleep).map(|d| start + d);
        }
        let parts: Vec<u64> = at.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        let (h, m, s) = match parts.as_slice() {
            [h, m] => (*h, *m, 0),
            [h, m, s] => (*h, *m, *s),
            _ => return None,
        };
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        let midnight = SimTime(start.0 - start.0 % 86_400_000);
        let t = midnight + SimDuration::secs(h * 3600 + m * 60 + s);
        // A time earlier than the start means the next day.
        Some(if t < start { t + SimDuration::secs(86_400) } else { t })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<String> {
        let spec = IncidentSpec {
            id: "i".into(),
            title: "t".into(),
            at: Some(text.into()),
            commands: vec!["true".into()],
            push_commands: vec![],
            actor: None,
            repo_unreachable: None,
            node_down: None,
            node_up: None,
            followed_by: None,
        };
        spec.fires_at(SimTime::parse_rfc3339("2026-03-12T01:58:00Z").unwrap()).map(|t| t.rfc3339())
    }

    #[test]
    fn times_are_on_the_first_day_after_the_start_or_relative() {
        assert_eq!(at("02:00").as_deref(), Some("2026-03-12T02:00:00Z"));
        assert_eq!(at("02:00:30").as_deref(), Some("2026-03-12T02:00:30Z"));
        assert_eq!(at("01:00").as_deref(), Some("2026-03-13T01:00:00Z"), "earlier than the start means the next day");
        assert_eq!(at("+10m").as_deref(), Some("2026-03-12T02:08:00Z"));
        assert_eq!(at("25:00"), None);
        assert_eq!(at("soon"), None);
    }
}
