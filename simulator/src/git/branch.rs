//! Branches in the trainee's clone: create, switch, merge (fast-forward,
//! three-way, with conflicts) and reset.

use std::collections::BTreeSet;

use super::merge::merge_text;
use super::{CommitSummary, Git, GitError, Oid, Signature, Snapshot, WorkingCopy, change_summary};

/// What a merge did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Merged {
    UpToDate,
    FastForward {
        old: Oid,
        new: Oid,
        summary: CommitSummary,
    },
    /// A merge commit was made.
    Commit {
        summary: CommitSummary,
    },
    /// The merge stopped on conflicts in these paths (the worktree holds git's markers).
    Conflicts {
        merged: Vec<String>,
        conflicts: Vec<String>,
    },
}

impl WorkingCopy {
    /// The paths whose worktree or index differ from HEAD.
    pub fn dirty_paths(&self, git: &Git) -> Vec<String> {
        let head = self.head_snapshot(git);
        let paths: BTreeSet<&String> = head.keys().chain(self.worktree.keys()).chain(self.index.keys()).collect();
        paths.into_iter().filter(|p| head.get(*p) != self.worktree.get(*p) || head.get(*p) != self.index.get(*p)).cloned().collect()
    }

    /// `git branch NAME [START]`.
    pub fn create_branch(&mut self, git: &Git, name: &str, start: Option<&str>) -> Result<(), GitError> {
        if self.branches.contains_key(name) {
            return Err(GitError::fatal(format!("a branch named '{name}' already exists")));
        }
        let at = match start {
            Some(s) => self.resolve(git, s).ok_or_else(|| GitError::fatal(format!("not a valid object name: '{s}'")))?,
            None => self.head().cloned().ok_or_else(|| GitError::fatal("not a valid object name: 'HEAD'"))?,
        };
        self.branches.insert(name.into(), at);
        Ok(())
    }

    /// `git switch NAME` / `git checkout NAME` (with `create`, `-c` / `-b`): the message git prints.
    pub fn switch(&mut self, git: &Git, name: &str, create: bool, checkout_words: bool) -> Result<String, GitError> {
        if create {
            self.create_branch(git, name, None)?;
            self.branch = name.into();
            return Ok(format!("Switched to a new branch '{name}'\n"));
        }
        if self.branch == name {
            return Ok(format!("Already on '{name}'\n{}", self.tracking_line(name)));
        }
        let mut message = String::new();
        let target = match self.branches.get(name) {
            Some(t) => t.clone(),
            None => {
                let remote = self
                    .tracking
                    .get(name)
                    .cloned()
                    .or_else(|| git.remotes.get(&self.remote_url).and_then(|r| r.branches.get(name)).cloned());
                match remote {
                    Some(t) => {
                        self.tracking.insert(name.into(), t.clone());
                        message.push_str(&format!("branch '{name}' set up to track 'origin/{name}'.\n"));
                        t
                    }
                    None if checkout_words => {
                        return Err(GitError {
                            message: format!("error: pathspec '{name}' did not match any file(s) known to git"),
                            exit_code: 1,
                        });
                    }
                    None => return Err(GitError::fatal(format!("invalid reference: {name}"))),
                }
            }
        };
        let ours = self.head_snapshot(git);
        let theirs = git.db.snapshot(&target);
        let blocked: Vec<String> = self.dirty_paths(git).into_iter().filter(|p| ours.get(p) != theirs.get(p)).collect();
        if !blocked.is_empty() {
            let verb = if checkout_words { "checkout" } else { "switch" };
            return Err(GitError {
                message: format!(
                    "error: Your local changes to the following files would be overwritten by {verb}:\n{}Please commit your changes or stash them before you switch branches.\nAborting",
                    blocked.iter().map(|p| format!("\t{p}\n")).collect::<String>()
                ),
                exit_code: 1,
            });
        }
        // Local changes to files the branches agree on come along, as git carries them.
        let dirty = self.dirty_paths(git);
        let (mut index, mut worktree) = (theirs.clone(), theirs);
        for p in dirty {
            match self.worktree.get(&p) {
                Some(c) => worktree.insert(p.clone(), c.clone()),
                None => worktree.remove(&p),
            };
            match self.index.get(&p) {
                Some(c) => index.insert(p.clone(), c.clone()),
                None => index.remove(&p),
            };
        }
        self.branches.insert(name.into(), target);
        self.branch = name.into();
        self.index = index;
        self.worktree = worktree;
        message.push_str(&format!("Switched to {}branch '{name}'\n", if message.is_empty() { "" } else { "a new " }));
        message.push_str(&self.tracking_line(name));
        Ok(message)
    }

    fn tracking_line(&self, name: &str) -> String {
        match (self.branches.get(name), self.tracking.get(name)) {
            (Some(a), Some(b)) if a == b => format!("Your branch is up to date with 'origin/{name}'.\n"),
            _ => String::new(),
        }
    }

    /// `git merge REV`: fast-forward, a merge commit, or conflicts to resolve.
    pub fn merge(&mut self, git: &mut Git, rev: &str, sig: &Signature) -> Result<Merged, GitError> {
        if self.merge_head.is_some() {
            return Err(GitError { message: "error: Merging is not possible because you have unmerged files.\nhint: Fix them up in the work tree, and then use 'git add/rm <file>'\nhint: as appropriate to mark resolution and make a commit.\nfatal: Exiting because of an unresolved conflict.".into(), exit_code: 128 });
        }
        let theirs = self
            .resolve(git, rev)
            .ok_or_else(|| GitError { message: format!("merge: {rev} - not something we can merge"), exit_code: 1 })?;
        let ours = self.head().cloned().ok_or_else(|| GitError::fatal("no HEAD"))?;
        let our_history: BTreeSet<Oid> = git.history(&ours).into_iter().collect();
        if our_history.contains(&theirs) {
            return Ok(Merged::UpToDate);
        }
        if !self.dirty_paths(git).is_empty() {
            return Err(GitError {
                message: format!(
                    "error: Your local changes to the following files would be overwritten by merge:\n{}Please commit your changes or stash them before you merge.\nAborting",
                    self.dirty_paths(git).iter().map(|p| format!("\t{p}\n")).collect::<String>()
                ),
                exit_code: 1,
            });
        }
        let their_history = git.history(&theirs);
        if their_history.contains(&ours) {
            let summary = change_summary(&git.db.snapshot(&ours), &git.db.snapshot(&theirs));
            let snap = git.db.snapshot(&theirs);
            self.index = snap.clone();
            self.worktree = snap;
            self.branches.insert(self.branch.clone(), theirs.clone());
            return Ok(Merged::FastForward { old: ours, new: theirs, summary });
        }
        let base = their_history.iter().find(|o| our_history.contains(*o)).map(|b| git.db.snapshot(b)).unwrap_or_default();
        let (a, b) = (git.db.snapshot(&ours), git.db.snapshot(&theirs));
        let mut result: Snapshot = Snapshot::new();
        let mut index = Snapshot::new();
        let (mut merged, mut conflicts) = (Vec::new(), Vec::new());
        for path in base.keys().chain(a.keys()).chain(b.keys()).collect::<BTreeSet<_>>() {
            let (o, x, y) = (base.get(path), a.get(path), b.get(path));
            let pick = if x == y || y == o {
                x.cloned()
            } else if x == o {
                y.cloned()
            } else {
                let (text, conflict) =
                    merge_text(o.map_or("", String::as_str), x.map_or("", String::as_str), y.map_or("", String::as_str), "HEAD", rev);
                merged.push(path.clone());
                if conflict {
                    conflicts.push(path.clone());
                    result.insert(path.clone(), text);
                    if let Some(x) = x {
                        index.insert(path.clone(), x.clone());
                    }
                    continue;
                }
                Some(text)
            };
            if let Some(content) = pick {
                result.insert(path.clone(), content.clone());
                index.insert(path.clone(), content);
            }
        }
        let what = if rev.starts_with("origin/") { format!("remote-tracking branch '{rev}'") } else { format!("branch '{rev}'") };
        let message = if self.branch == "main" || self.branch == "master" {
            format!("Merge {what}")
        } else {
            format!("Merge {what} into {}", self.branch)
        };
        self.merge_head = Some((theirs, message));
        self.worktree = result;
        self.index = index;
        if !conflicts.is_empty() {
            return Ok(Merged::Conflicts { merged, conflicts });
        }
        let message = self.merge_head.as_ref().map(|m| m.1.clone()).unwrap_or_default();
        let before = self.head_snapshot(git);
        let mut summary = self.commit(git, &message, sig)?;
        let after = change_summary(&before, &self.head_snapshot(git));
        summary = CommitSummary { oid: summary.oid, ..after };
        Ok(Merged::Commit { summary })
    }

    /// `git merge --abort`.
    pub fn abort_merge(&mut self, git: &Git) -> Result<(), GitError> {
        if self.merge_head.take().is_none() {
            return Err(GitError::fatal("There is no merge to abort (MERGE_HEAD missing)."));
        }
        let head = self.head_snapshot(git);
        self.index = head.clone();
        self.worktree = head;
        Ok(())
    }

    /// `git reset [--soft|--mixed|--hard] REV`; returns the paths left modified (for mixed).
    pub fn reset(&mut self, git: &Git, rev: &str, mode: &str) -> Result<Vec<String>, GitError> {
        let target = self
            .resolve(git, rev)
            .ok_or_else(|| GitError::fatal(format!("ambiguous argument '{rev}': unknown revision or path not in the working tree.")))?;
        self.branches.insert(self.branch.clone(), target.clone());
        self.merge_head = None;
        let snap = git.db.snapshot(&target);
        match mode {
            "soft" => {}
            "hard" => {
                self.index = snap.clone();
                self.worktree = snap;
            }
            _ => self.index = snap,
        }
        Ok(self.dirty_paths(git))
    }
}
