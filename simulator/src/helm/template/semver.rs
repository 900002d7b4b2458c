//! Masterminds/semver as sprig uses it: versions (`v1.33.0`, `1.2.3-rc.1+b5`)
//! and constraints (`>=1.19-0`, `~1.2`, `^2`, `1.x`, `1.2 - 1.4`, `a, b || c`).

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub meta: String,
    pub original: String,
}

impl Version {
    /// Parses a version leniently, as `semver.NewVersion` does (a `v`, missing minor and patch).
    pub fn parse(text: &str) -> Result<Version, String> {
        let original = text.to_string();
        let t = text.trim().trim_start_matches(['v', 'V']);
        let (t, meta) = t.split_once('+').map(|(a, b)| (a, b.to_string())).unwrap_or((t, String::new()));
        let (core, pre) = t.split_once('-').map(|(a, b)| (a, b.to_string())).unwrap_or((t, String::new()));
        let mut nums = core.split('.');
        let mut next = |required: bool| -> Result<u64, String> {
            match nums.next() {
                Some(n) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
                    n.parse().map_err(|_| "Invalid Semantic Version".to_string())
                }
                None if !required => Ok(0),
                _ => Err("Invalid Semantic Version".to_string()),
            }
        };
        let major = next(true)?;
        let minor = next(false)?;
        let patch = next(false)?;
        if nums.next().is_some() {
            return Err("Invalid Semantic Version".into());
        }
        Ok(Version { major, minor, patch, pre, meta, original })
    }

    fn cmp_core(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Version) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Version) -> Ordering {
        self.cmp_core(o).then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => cmp_pre(&self.pre, &o.pre),
        })
    }
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// A constraint's version with wildcards: which parts were given.
struct Partial {
    v: Version,
    parts: usize,
}

fn partial(text: &str) -> Result<Partial, String> {
    let t = text.trim().trim_start_matches(['v', 'V']);
    let core = t.split(['-', '+']).next().unwrap_or("");
    let given: Vec<&str> = core.split('.').collect();
    let parts = given.iter().take_while(|p| !matches!(**p, "x" | "X" | "*" | "")).count();
    let filled: Vec<String> =
        (0..3).map(|i| given.get(i).filter(|p| i < parts && !p.is_empty()).map(|p| p.to_string()).unwrap_or_else(|| "0".into())).collect();
    let rest = &t[core.len()..];
    let v = Version::parse(&format!("{}{rest}", filled.join("."))).map_err(|_| format!("improper constraint: {text}"))?;
    Ok(Partial { v, parts })
}

fn bump(p: &Partial, at: usize) -> Version {
    let mut v = Version { pre: String::new(), meta: String::new(), ..p.v.clone() };
    match at {
        0 => {
            v.major += 1;
            v.minor = 0;
            v.patch = 0;
        }
        1 => {
            v.minor += 1;
            v.patch = 0;
        }
        _ => v.patch += 1,
    }
    v
}

fn check(op: &str, p: &Partial, v: &Version) -> bool {
    // A prerelease version matches only a constraint that names a prerelease.
    if !v.pre.is_empty() && p.v.pre.is_empty() {
        return false;
    }
    let lower = &p.v;
    match op {
        "" | "=" => {
            if p.parts >= 3 {
                v.cmp_core(lower) == Ordering::Equal && v.pre == lower.pre
            } else {
                p.parts == 0 || (v >= lower && *v < bump(p, p.parts - 1))
            }
        }
        "!=" => !check("=", p, v),
        ">" => {
            if p.parts >= 3 {
                v > lower
            } else {
                *v >= bump(p, p.parts.max(1) - 1)
            }
        }
        ">=" | "=>" => v >= lower,
        "<" => v < lower,
        "<=" | "=<" => {
            if p.parts >= 3 {
                v <= lower
            } else {
                *v < bump(p, p.parts.max(1) - 1)
            }
        }
        "~" | "~>" => v >= lower && *v < bump(p, if p.parts <= 1 { 0 } else { 1 }),
        "^" => {
            let at = if lower.major > 0 || p.parts <= 1 {
                0
            } else if lower.minor > 0 || p.parts == 2 {
                1
            } else {
                2
            };
            v >= lower && *v < bump(p, at)
        }
        _ => false,
    }
}

/// `semverCompare CONSTRAINT VERSION`.
pub fn compare(constraint: &str, version: &str) -> Result<bool, String> {
    let v = Version::parse(version).map_err(|e| e.to_string())?;
    for alt in constraint.split("||") {
        let alt = alt.trim();
        // Hyphen ranges: `1.2 - 1.4.5`.
        let terms: Vec<String> = if let Some((lo, hi)) = alt.split_once(" - ") {
            vec![format!(">={}", lo.trim()), format!("<={}", hi.trim())]
        } else {
            alt.split([',', ' ']).filter(|t| !t.trim().is_empty()).map(|t| t.trim().to_string()).collect()
        };
        let mut all = true;
        for term in &terms {
            let op_len = term.find(|c: char| c.is_ascii_alphanumeric() || c == '*').unwrap_or(term.len());
            let (op, rest) = term.split_at(op_len);
            if !matches!(op.trim(), "" | "=" | "!=" | ">" | ">=" | "=>" | "<" | "<=" | "=<" | "~" | "~>" | "^") {
                return Err(format!("improper constraint: {constraint}"));
            }
            let p = partial(rest)?;
            if !check(op.trim(), &p, &v) {
                all = false;
                break;
            }
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn constraints_as_charts_write_them() {
        assert!(compare(">=1.19-0", "v1.33.0").unwrap());
        assert!(compare(">=1.19-0", "v1.33.0-gke.100").unwrap());
        assert!(!compare("<1.19-0", "v1.33.0").unwrap());
        assert!(compare("~1.2", "1.2.9").unwrap());
        assert!(!compare("~1.2", "1.3.0").unwrap());
        assert!(compare("^1.2.3", "1.9.0").unwrap());
        assert!(!compare("^1.2.3", "2.0.0").unwrap());
        assert!(compare("1.x", "1.5.0").unwrap());
        assert!(compare(">= 1.2, < 1.4 || 2.0.0", "2.0.0").unwrap());
        assert!(!compare(">=1.2.0", "1.3.0-beta").unwrap());
        assert!(compare(">1.2", "1.3.0").unwrap());
        assert!(!compare(">1.2", "1.2.5").unwrap());
        assert!(compare("1.2 - 1.4", "1.3.0").unwrap());
    }
}
