//! A container registry (Azure Container Registry, as the course's AKS
//! platform uses): which tags each repository holds. CI pushes tags into it;
//! Argo CD Image Updater reads it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Tags by repository (`payments/payment-service`), for one registry host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registry {
    /// The registry's login server, such as `civica.azurecr.io`.
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub repositories: BTreeMap<String, Vec<String>>,
}

impl Registry {
    /// The registry's name as `az acr` takes it (`civica` for `civica.azurecr.io`).
    pub fn name(&self) -> &str {
        self.host.split('.').next().unwrap_or_default()
    }

    /// The tags of an image given with or without the host (`civica.azurecr.io/payments/payment-service`).
    pub fn tags(&self, image: &str) -> Option<&Vec<String>> {
        let repo = image.strip_prefix(&format!("{}/", self.host)).unwrap_or(image);
        self.repositories.get(repo)
    }

    /// Adds a tag, as a CI push or `az acr import` does.
    pub fn push(&mut self, repository: &str, tag: &str) {
        let tags = self.repositories.entry(repository.to_string()).or_default();
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
}

/// A semantic version `major.minor.patch`, with an optional leading `v`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Semver(pub u64, pub u64, pub u64);

impl Semver {
    pub fn parse(tag: &str) -> Option<Semver> {
        let parts: Vec<u64> = tag.trim_start_matches('v').split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        match parts.as_slice() {
            [a, b, c] => Some(Semver(*a, *b, *c)),
            _ => None,
        }
    }

    /// Whether it meets a constraint: empty (any), `~1.2` (1.2.x), `^1.2` (1.x from 1.2), or `1.2.3` (at least).
    pub fn meets(self, constraint: &str) -> bool {
        let c = constraint.trim();
        if c.is_empty() {
            return true;
        }
        let numbers = |s: &str| -> Vec<u64> { s.split('.').filter_map(|p| p.parse().ok()).collect() };
        if let Some(rest) = c.strip_prefix('~') {
            let n = numbers(rest);
            return n.first() == Some(&self.0)
                && n.get(1).is_none_or(|m| *m == self.1)
                && self >= Semver(self.0, n.get(1).copied().unwrap_or(0), n.get(2).copied().unwrap_or(0));
        }
        if let Some(rest) = c.strip_prefix('^') {
            let n = numbers(rest);
            return n.first() == Some(&self.0) && self >= Semver(self.0, n.get(1).copied().unwrap_or(0), n.get(2).copied().unwrap_or(0));
        }
        let n = numbers(c);
        self >= Semver(n.first().copied().unwrap_or(0), n.get(1).copied().unwrap_or(0), n.get(2).copied().unwrap_or(0))
    }
}

/// The highest semantic-version tag meeting the constraint (other tags are ignored, as Image Updater does).
pub fn newest(tags: &[String], constraint: &str) -> Option<String> {
    tags.iter().filter_map(|t| Semver::parse(t).filter(|v| v.meets(constraint)).map(|v| (v, t))).max().map(|(_, t)| t.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_orders_numerically_and_constraints_bound_it() {
        let tags: Vec<String> = ["1.4.2", "1.5.0", "1.10.0", "latest", "2.0.0-rc1"].iter().map(|s| s.to_string()).collect();
        assert_eq!(newest(&tags, "").as_deref(), Some("1.10.0"), "1.10.0 is above 1.5.0, unlike as strings");
        assert_eq!(newest(&tags, "~1.4").as_deref(), Some("1.4.2"));
        assert_eq!(newest(&tags, "^1.5").as_deref(), Some("1.10.0"));
        assert_eq!(newest(&tags, "~2.0"), None, "a pre-release is not a plain semantic version here");
    }
}
