//! Argo CD's RBAC: a Casbin policy CSV of `p` (permission) and `g` (group or
//! role) lines, globs in every field, deny wins, built-in `role:readonly` and
//! `role:admin`, and a default role for every user.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The RBAC settings of `argocd-rbac-cm`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RbacConfig {
    /// `policy.csv`.
    pub policy: String,
    /// `policy.default`, such as `role:readonly`; empty gives no default role.
    pub policy_default: String,
    /// Local users who can log in (besides `admin`).
    pub users: Vec<String>,
}

const BUILTIN: &str = "p, role:readonly, applications, get, */*, allow
p, role:readonly, certificates, get, *, allow
p, role:readonly, clusters, get, *, allow
p, role:readonly, repositories, get, *, allow
p, role:readonly, projects, get, *, allow
p, role:readonly, accounts, get, *, allow
p, role:readonly, gpgkeys, get, *, allow
p, role:readonly, logs, get, */*, allow
p, role:admin, *, *, *, allow
g, role:admin, role:readonly
g, admin, role:admin";

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    subject: String,
    resource: String,
    action: String,
    object: String,
    allow: bool,
}

/// A parsed policy, ready to answer `can(subject, resource, action, object)`.
#[derive(Clone, Debug, Default)]
pub struct Enforcer {
    rules: Vec<Rule>,
    groups: Vec<(String, String)>,
    default_role: String,
}

impl Enforcer {
    /// Parses the built-in policy plus `config.policy`; errors name the line.
    pub fn new(config: &RbacConfig) -> Result<Enforcer, String> {
        let mut e = Enforcer { default_role: config.policy_default.clone(), ..Default::default() };
        for (i, line) in BUILTIN.lines().chain(config.policy.lines()).enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<String> = line.split(',').map(|c| c.trim().to_string()).collect();
            match cols.first().map(String::as_str) {
                Some("p") if cols.len() == 5 || cols.len() == 6 => e.rules.push(Rule {
                    subject: cols[1].clone(),
                    resource: cols[2].clone(),
                    action: cols[3].clone(),
                    object: cols[4].clone(),
                    allow: cols.get(5).is_none_or(|x| x != "deny"),
                }),
                Some("g") if cols.len() == 3 => e.groups.push((cols[1].clone(), cols[2].clone())),
                _ => {
                    return Err(format!(
                        "policy.csv line {}: `{line}` is neither `p, subject, resource, action, object, effect` nor `g, user, role`",
                        i + 1 - BUILTIN.lines().count()
                    ));
                }
            }
        }
        Ok(e)
    }

    /// Every subject `user` acts as: itself, its roles (transitively) and the default role.
    fn subjects(&self, user: &str) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = [user.to_string()].into();
        if !self.default_role.is_empty() {
            out.insert(self.default_role.clone());
        }
        for _ in 0..16 {
            let more: Vec<String> = self
                .groups
                .iter()
                .filter(|(member, _)| out.contains(member))
                .map(|(_, role)| role.clone())
                .filter(|r| !out.contains(r))
                .collect();
            if more.is_empty() {
                break;
            }
            out.extend(more);
        }
        out
    }

    /// Whether `user` may do `action` on `resource` `object` (such as `applications`, `sync`, `team-a/payments`).
    pub fn can(&self, user: &str, resource: &str, action: &str, object: &str) -> bool {
        let subjects = self.subjects(user);
        let matching = self
            .rules
            .iter()
            .filter(|r| subjects.contains(&r.subject) && glob(&r.resource, resource) && glob(&r.action, action) && glob(&r.object, object));
        let (mut allowed, mut denied) = (false, false);
        for r in matching {
            if r.allow {
                allowed = true;
            } else {
                denied = true;
            }
        }
        allowed && !denied
    }
}

/// Glob matching as Argo CD's default `policy.matchMode`: `*` matches any run of characters, `/` included.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == t[ti] || p[pi] == '?') {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enforcer(policy: &str, default: &str) -> Enforcer {
        Enforcer::new(&RbacConfig { policy: policy.into(), policy_default: default.into(), users: vec![] }).unwrap()
    }

    #[test]
    fn builtin_roles() {
        let e = enforcer("", "");
        assert!(e.can("admin", "applications", "sync", "team-a/payments"));
        assert!(!e.can("alice", "applications", "get", "team-a/payments"));
        let e = enforcer("", "role:readonly");
        assert!(e.can("alice", "applications", "get", "team-a/payments"));
        assert!(!e.can("alice", "applications", "sync", "team-a/payments"));
    }

    #[test]
    fn roles_globs_and_deny_wins() {
        let e = enforcer(
            "p, role:team-a, applications, *, team-a/*, allow\np, role:team-a, applications, delete, team-a/prod-*, deny\ng, alice, role:team-a\ng, team-a-leads, role:team-a\ng, carol, team-a-leads",
            "role:readonly",
        );
        assert!(e.can("alice", "applications", "sync", "team-a/payments"));
        assert!(!e.can("alice", "applications", "sync", "team-b/orders"));
        assert!(e.can("alice", "applications", "get", "team-b/orders"), "the default role still applies");
        assert!(!e.can("alice", "applications", "delete", "team-a/prod-payments"), "deny wins");
        assert!(e.can("carol", "applications", "sync", "team-a/payments"), "roles are transitive");
    }

    #[test]
    fn bad_lines_are_named() {
        let err = Enforcer::new(&RbacConfig { policy: "p, role:x, applications\n".into(), ..Default::default() }).unwrap_err();
        assert!(err.starts_with("policy.csv line 1:"), "{err}");
    }

    #[test]
    fn globs() {
        assert!(glob("team-a/*", "team-a/x/y"));
        assert!(glob("*", ""));
        assert!(!glob("team-a/*", "team-b/x"));
        assert!(glob("*/payments", "team-a/payments"));
    }
}
