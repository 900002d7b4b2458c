//! Commits made outside the simulation: a host that keeps the lab's
//! repositories as real Git repositories (`gitops-lab play --real-tools`)
//! reads what a trainee pushed with real `git` and hands it in here, so the
//! simulated agents see the push. Ids are real SHA-1, so the commits keep
//! the ids real Git gave them; nothing here touches a file.

use super::{Commit, Oid, Signature, Snapshot};
use crate::time::SimTime;
use crate::world::World;

/// One commit as read from a real repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedCommit {
    pub oid: Oid,
    pub parents: Vec<Oid>,
    pub author: Signature,
    pub committer: Signature,
    /// The message exactly as stored (with its final newline).
    pub message: String,
    /// The commit's text files by path.
    pub files: Snapshot,
}

impl World {
    /// A push to one of the world's remotes made with real Git: stores `commits` (parents
    /// first), moves `branch` to `tip`, brings the simulated clone along, and tells the agents
    /// and the push pipeline as a push from the terminal would.
    pub fn receive_push(&mut self, now: SimTime, url: &str, branch: &str, commits: Vec<ImportedCommit>, tip: &str) -> Result<(), String> {
        self.advance_to(now);
        if !self.git.remotes.contains_key(url) {
            return Err(format!("no remote {url} in this world"));
        }
        for c in commits {
            if self.git.db.contains(&c.oid) {
                continue;
            }
            let tree = self.git.db.write_tree(&c.files);
            let commit = Commit { tree, parents: c.parents, author: c.author, committer: c.committer, message: c.message };
            let computed = self.git.db.write_commit(commit.clone());
            if computed != c.oid {
                self.git.db.insert_commit_as(&c.oid, commit);
            }
        }
        if self.git.db.commit(tip).is_none() {
            return Err(format!("commit {tip} was not imported"));
        }
        let remote = self.git.remotes.get_mut(url).expect("checked above");
        let old = remote.branches.insert(branch.to_string(), tip.to_string());
        if old.as_deref() == Some(tip) {
            return Ok(());
        }
        let snapshot = self.git.db.snapshot(tip);
        for clone in self.git.clones.iter_mut().filter(|c| c.remote_url == url) {
            clone.tracking.insert(branch.to_string(), tip.to_string());
            if clone.branch == branch {
                clone.branches.insert(branch.to_string(), tip.to_string());
                clone.index = snapshot.clone();
                clone.worktree = snapshot.clone();
            }
        }
        self.pushed(url, branch, old, tip.to_string());
        self.settle();
        Ok(())
    }
}
