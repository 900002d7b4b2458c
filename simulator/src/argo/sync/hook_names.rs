//! Names for hooks that declare only `metadata.generateName`: gitops-engine
//! makes them deterministic per operation, `<generateName><revision[0:7]>-<phase>-<startedAt unix>`
//! in lower case, so a retry of the same operation finds the same hook.

use serde_json::Value;

use super::{SyncPhase, hook_phases};
use crate::kube::meta;
use crate::time::SimTime;

/// The name a `generateName` hook gets for `phase` in an operation on `revision` started at `started`.
pub fn generated_name(prefix: &str, revision: &str, phase: SyncPhase, started: SimTime) -> String {
    let short: String = if revision.len() >= 8 { revision.chars().take(7).collect() } else { revision.to_string() };
    format!("{prefix}{}", format!("{short}-{}-{}", phase.word(), started.0 / 1000).to_lowercase())
}

/// Expands each nameless hook into one named copy per phase it declares; other objects pass unchanged.
pub fn name_hooks(desired: &[Value], revision: &str, started: SimTime) -> Vec<Value> {
    let mut out = Vec::with_capacity(desired.len());
    for obj in desired {
        let nameless = meta::str_at(obj, &["metadata", "name"]).is_none_or(str::is_empty);
        let prefix = meta::str_at(obj, &["metadata", "generateName"]).unwrap_or_default();
        match hook_phases(obj) {
            Some(phases) if nameless && !prefix.is_empty() => {
                for phase in phases {
                    let mut named = obj.clone();
                    meta::ensure_map(&mut named, &["metadata"])
                        .insert("name".into(), Value::String(generated_name(prefix, revision, phase, started)));
                    // Each copy is the hook of one phase only.
                    meta::set_annotation(&mut named, super::HOOK, phase.word());
                    out.push(named);
                }
            }
            _ => out.push(obj.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_hook_names_follow_gitops_engine() {
        let started = SimTime::parse_rfc3339("2026-03-12T02:00:00Z").unwrap();
        let name = generated_name("upgrade-sql-schema-", "53e28ff20cc530b9ada2173fbbd64d48338583ba", SyncPhase::PreSync, started);
        assert_eq!(name, format!("upgrade-sql-schema-53e28ff-presync-{}", started.0 / 1000));
    }
}
