//! `helm template`, `helm lint` and `helm version` in the lab's repository.

use super::{CommandOutput, Host, files};
use crate::git::Snapshot;
use crate::helm::command::{self, Files};

struct HostFiles<'a>(&'a dyn Host);

impl Files for HostFiles<'_> {
    fn chart(&self, path: &str) -> Option<(Snapshot, String)> {
        let abs = files::absolute(self.0, path);
        let (i, rel) = files::locate(self.0, &abs)?;
        let tree = &self.0.model().git().clones[i].worktree;
        let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
        tree.keys().any(|k| k.starts_with(&prefix)).then(|| (tree.clone(), rel))
    }

    fn read(&self, path: &str) -> Option<String> {
        files::read(self.0, path).ok()
    }
}

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    // `randAlphaNum` and friends draw from the world's seeded stream.
    let seed = world.model_mut().rng_mut().next_u64();
    let out = command::run(&HostFiles(world), &args, seed);
    CommandOutput { stdout: out.stdout, stderr: out.stderr, exit_code: out.code }
}
