//! Simulated time: a point in time is a value passed in, never read from a clock.
//!
//! `SimTime` counts milliseconds since the Unix epoch (UTC), so that formatting
//! a timestamp the way kubectl, git or Argo CD print it needs no time zone data.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Sub};

/// A point in simulated time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct SimTime(pub u64);

/// A span of simulated time, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct SimDuration(pub u64);

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);

    pub const fn millis(ms: u64) -> Self {
        SimDuration(ms)
    }

    pub const fn secs(s: u64) -> Self {
        SimDuration(s * 1000)
    }

    pub const fn mins(m: u64) -> Self {
        SimDuration(m * 60_000)
    }

    pub fn as_secs(self) -> u64 {
        self.0 / 1000
    }
}

impl SimTime {
    /// Parses an RFC 3339 UTC timestamp such as `2026-03-12T01:58:00Z`.
    pub fn parse_rfc3339(text: &str) -> Option<SimTime> {
        let text = text.trim().trim_end_matches('Z');
        let (date, time) = text.split_once('T')?;
        let mut d = date.split('-').map(|p| p.parse::<i64>());
        let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
        let mut t = time.split(':').map(|p| p.parse::<i64>());
        let (hh, mm, ss) = (t.next()?.ok()?, t.next()?.ok()?, t.next().unwrap_or(Ok(0)).ok()?);
        if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        let days = days_from_civil(y, m, day);
        let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
        u64::try_from(secs).ok().map(|s| SimTime(s * 1000))
    }

    pub fn as_secs(self) -> u64 {
        self.0 / 1000
    }

    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    pub fn civil(self) -> Civil {
        let secs = self.as_secs() as i64;
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            weekday: ((days + 4).rem_euclid(7)) as u32,
        }
    }

    /// `2026-03-12T01:58:00Z`, as Kubernetes writes timestamps.
    pub fn rfc3339(self) -> String {
        let c = self.civil();
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `2026-03-12 01:58:00 +0000`, as `git blame` prints dates.
    pub fn blame_date(self) -> String {
        let c = self.civil();
        format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02} +0000", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `2026-03-12T01:58:00.0000000Z`, as GitHub Actions stamps log lines.
    pub fn rfc3339_nanos(self) -> String {
        let c = self.civil();
        let ms = self.0 % 1000;
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{ms:03}0000Z", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `2026-03-12T01:58:00+00:00`, as `argocd app sync` prints its TIMESTAMP column.
    pub fn rfc3339_offset(self) -> String {
        let c = self.civil();
        format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `Thu, 12 Mar 2026 01:58:00 +0000`, as `kubectl describe` prints timestamps (RFC 1123Z).
    pub fn rfc1123z(self) -> String {
        let c = self.civil();
        format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
            WEEKDAYS[c.weekday as usize],
            c.day,
            MONTHS[c.month as usize - 1],
            c.year,
            c.hour,
            c.minute,
            c.second
        )
    }

    /// `Thu Mar 12 01:58:00 2026 +0000`, as `git log` prints dates.
    pub fn git_date(self) -> String {
        let c = self.civil();
        format!(
            "{} {} {} {:02}:{:02}:{:02} {} +0000",
            WEEKDAYS[c.weekday as usize],
            MONTHS[c.month as usize - 1],
            c.day,
            c.hour,
            c.minute,
            c.second,
            c.year
        )
    }

    /// `2026-03-12 01:58:00 +0000 UTC`, as Go's `time.Time.String()` prints it.
    pub fn go_time(self) -> String {
        let c = self.civil();
        format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02} +0000 UTC", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `3:04PM`, Go's Kitchen format, as Argo CD's retry messages print times.
    pub fn kitchen(self) -> String {
        let c = self.civil();
        let (hour, suffix) = match c.hour {
            0 => (12, "AM"),
            h if h < 12 => (h, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        };
        format!("{hour}:{:02}{suffix}", c.minute)
    }

    /// `02:00:05`, the clock shown beside the lab.
    pub fn clock(self) -> String {
        let c = self.civil();
        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
    }
}

/// A calendar date and time of day in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 is Sunday.
    pub weekday: u32,
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl Sub<SimDuration> for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_sub(rhs.0))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// Formats an age the way kubectl does (`HumanDuration` in apimachinery).
pub fn human_duration(d: SimDuration) -> String {
    let seconds = d.as_secs();
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{}h", hours / 24, h) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{}d", hours / 24 / 365, dy) };
    }
    format!("{}y", hours / 24 / 365)
}

/// Formats a duration as Go's `time.Duration.String()` does for whole seconds (`1m30s`, `2s`).
pub fn go_duration(d: SimDuration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m{sec}s"),
        (h, m, sec) => format!("{h}h{m}m{sec}s"),
    }
}

// Howard Hinnant's days-from-civil and civil-from-days algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Serde for a `SimTime` written as RFC 3339 text (as the API server writes times).
pub mod rfc3339 {
    use super::SimTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &SimTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.rfc3339())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SimTime, D::Error> {
        let text = String::deserialize(d)?;
        SimTime::parse_rfc3339(&text).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an RFC 3339 time")))
    }
}

/// Serde for an optional `SimTime` written as RFC 3339 text.
pub mod rfc3339_option {
    use super::SimTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<SimTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&t.rfc3339()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => {
                SimTime::parse_rfc3339(&text).map(Some).ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an RFC 3339 time")))
            }
        }
    }
}

/// How a tool writes durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationSyntax {
    /// Go's `time.ParseDuration` (Argo CD, Flux, kubectl's `--timeout`): `300ms`, `5s`, `1m30s`, `1.5h`.
    Go,
    /// coreutils `sleep`: one number, seconds unless followed by `s`, `m`, `h` or `d`.
    Sleep,
}

/// Parses a duration written in a tool's syntax; the one duration parser.
pub fn parse_duration(text: &str, syntax: DurationSyntax) -> Option<SimDuration> {
    if text.is_empty() {
        return None;
    }
    let mut total_ms = 0.0_f64;
    let mut rest = text;
    let mut groups = 0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor_ms = match (syntax, unit) {
            (DurationSyntax::Sleep, "" | "s") | (DurationSyntax::Go, "s") => 1_000.0,
            (DurationSyntax::Go, "ms") => 1.0,
            (_, "m") => 60_000.0,
            (_, "h") => 3_600_000.0,
            (DurationSyntax::Sleep, "d") => 86_400_000.0,
            _ => return None,
        };
        total_ms += number * factor_ms;
        groups += 1;
    }
    if syntax == DurationSyntax::Sleep && groups != 1 {
        return None;
    }
    (total_ms.is_finite() && total_ms >= 0.0).then(|| SimDuration(total_ms as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_round_trip() {
        let t = SimTime::parse_rfc3339("2026-03-12T01:58:07Z").unwrap();
        assert_eq!(t.rfc3339(), "2026-03-12T01:58:07Z");
        assert_eq!(t.git_date(), "Thu Mar 12 01:58:07 2026 +0000");
        assert_eq!(t.go_time(), "2026-03-12 01:58:07 +0000 UTC");
    }

    #[test]
    fn rejects_bad_timestamps() {
        assert_eq!(SimTime::parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(SimTime::parse_rfc3339("yesterday"), None);
    }

    #[test]
    fn human_duration_matches_kubectl() {
        let cases = [
            (45, "45s"),
            (119, "119s"),
            (150, "2m30s"),
            (600, "10m"),
            (7260, "121m"),
            (10_860, "3h1m"),
            (86_400 * 3 + 3600, "3d1h"),
            (86_400 * 12, "12d"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(SimDuration::secs(secs)), want, "{secs}s");
        }
    }

    #[test]
    fn durations_parse_in_each_tools_syntax() {
        assert_eq!(parse_duration("1m30s", DurationSyntax::Go), Some(SimDuration::secs(90)));
        assert_eq!(parse_duration("300ms", DurationSyntax::Go), Some(SimDuration::millis(300)));
        assert_eq!(parse_duration("5x", DurationSyntax::Go), None);
        assert_eq!(parse_duration("30", DurationSyntax::Go), None);
        assert_eq!(parse_duration("30", DurationSyntax::Sleep), Some(SimDuration::secs(30)));
        assert_eq!(parse_duration("1.5m", DurationSyntax::Sleep), Some(SimDuration::secs(90)));
        assert_eq!(parse_duration("2d", DurationSyntax::Sleep), Some(SimDuration::secs(172_800)));
        assert_eq!(parse_duration("1m30s", DurationSyntax::Sleep), None);
        assert_eq!(parse_duration("", DurationSyntax::Sleep), None);
    }
}
