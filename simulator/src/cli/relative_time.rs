//! How GitHub's CLI says when something happened: "less than a minute ago",
//! "about 3 hours ago".

use crate::time::SimTime;

/// How gh says how long ago something was ("about 3 minutes ago").
pub fn fuzzy_ago(now: SimTime, then: SimTime) -> String {
    let secs = now.since(then).as_secs();
    let about = |n: u64, unit: &str| format!("about {n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match secs {
        s if s < 60 => "less than a minute ago".into(),
        s if s < 3600 => about(s / 60, "minute"),
        s if s < 86_400 => about(s / 3600, "hour"),
        s if s < 30 * 86_400 => about(s / 86_400, "day"),
        s if s < 365 * 86_400 => about(s / 86_400 / 30, "month"),
        s => about(s / 86_400 / 365, "year"),
    }
}
