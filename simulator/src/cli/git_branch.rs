//! `git branch`, `switch`, `checkout`, `merge`, `reset` and `restore` in the
//! terminal, with git's messages and exit codes.

use super::{CommandOutput, take_flag, take_switch};
use crate::git::branch::Merged;
use crate::git::diff::short;
use crate::git::{Git, Signature, WorkingCopy};

fn fail(e: crate::git::GitError) -> CommandOutput {
    CommandOutput::err(format!("{}\n", e.message), e.exit_code)
}

pub fn branch(git: &Git, wc: &mut WorkingCopy, mut args: Vec<String>) -> CommandOutput {
    let all = take_switch(&mut args, &["-a", "--all"]);
    let remote = take_switch(&mut args, &["-r", "--remotes"]);
    let delete = take_flag(&mut args, &["-d", "-D", "--delete"]);
    if let Some(name) = delete {
        if name == wc.branch {
            return CommandOutput::err(format!("error: cannot delete branch '{name}' used by worktree at '{}'\n", wc.dir), 1);
        }
        return match wc.branches.remove(&name) {
            Some(oid) => CommandOutput::ok(format!("Deleted branch {name} (was {}).\n", short(&oid))),
            None => CommandOutput::err(format!("error: branch '{name}' not found\n"), 1),
        };
    }
    if let Some(name) = args.first() {
        return match wc.create_branch(git, name, args.get(1).map(String::as_str)) {
            Ok(()) => CommandOutput::default(),
            Err(e) => fail(e),
        };
    }
    let mut text = String::new();
    if !remote {
        for b in wc.branches.keys() {
            text.push_str(&format!("{} {b}\n", if *b == wc.branch { "*" } else { " " }));
        }
    }
    if all || remote {
        let prefix = if all { "remotes/" } else { "" };
        let head = git.remotes.get(&wc.remote_url).map(|r| r.default_branch.clone()).unwrap_or_default();
        text.push_str(&format!("  {prefix}origin/HEAD -> origin/{head}\n"));
        for b in wc.tracking.keys() {
            text.push_str(&format!("  {prefix}origin/{b}\n"));
        }
    }
    CommandOutput::ok(text)
}

/// `git switch [-c] NAME` and `git checkout [-b] NAME`, and `git checkout [--ours|--theirs] [--] PATH`.
pub fn switch(git: &Git, wc: &mut WorkingCopy, mut args: Vec<String>, checkout: bool, paths: impl Fn(&str) -> String) -> CommandOutput {
    let create = take_flag(&mut args, if checkout { &["-b"] } else { &["-c", "--create"] });
    let ours = take_switch(&mut args, &["--ours"]);
    let theirs = take_switch(&mut args, &["--theirs"]);
    let dashes = take_switch(&mut args, &["--"]);
    if let Some(name) = create {
        return match wc.switch(git, &name, true, checkout) {
            Ok(text) => CommandOutput::err(text, 0),
            Err(e) => fail(e),
        };
    }
    let Some(target) = args.first().cloned() else {
        return CommandOutput::err(
            if checkout { "error: you must specify path(s) to restore\n" } else { "fatal: missing branch or commit argument\n" },
            128,
        );
    };
    let is_branch = wc.branches.contains_key(&target)
        || wc.tracking.contains_key(&target)
        || git.remotes.get(&wc.remote_url).is_some_and(|r| r.branches.contains_key(&target));
    if checkout && (dashes || ours || theirs || !is_branch) {
        let path = paths(&target);
        let version = if ours {
            wc.head_snapshot(git).get(&path).cloned()
        } else if theirs {
            wc.merge_head.as_ref().and_then(|(oid, _)| git.db.snapshot(oid).get(&path).cloned())
        } else {
            wc.index.get(&path).cloned()
        };
        return match version {
            Some(content) => {
                wc.worktree.insert(path, content);
                CommandOutput::err("Updated 1 path from the index\n", 0)
            }
            None => CommandOutput::err(format!("error: pathspec '{target}' did not match any file(s) known to git\n"), 1),
        };
    }
    // git prints these messages on stderr.
    match wc.switch(git, &target, false, checkout) {
        Ok(text) => CommandOutput::err(text, 0),
        Err(e) => fail(e),
    }
}

pub fn merge(git: &mut Git, wc: &mut WorkingCopy, mut args: Vec<String>, sig: &Signature) -> CommandOutput {
    if take_switch(&mut args, &["--abort"]) {
        return match wc.abort_merge(git) {
            Ok(()) => CommandOutput::default(),
            Err(e) => fail(e),
        };
    }
    let _ = take_switch(&mut args, &["--no-edit", "--no-ff", "--ff"]);
    let Some(rev) = args.first().cloned() else {
        return CommandOutput::err("fatal: No remote for the current branch.\n", 128);
    };
    match wc.merge(git, &rev, sig) {
        Ok(Merged::UpToDate) => CommandOutput::ok("Already up to date.\n"),
        Ok(Merged::FastForward { old, new, summary }) => {
            CommandOutput::ok(format!("Updating {}..{}\nFast-forward\n{}", short(&old), short(&new), super::git_stat::stat_lines(&summary)))
        }
        Ok(Merged::Commit { summary }) => {
            CommandOutput::ok(format!("Merge made by the 'ort' strategy.\n{}", super::git_stat::stat_lines(&summary)))
        }
        Ok(Merged::Conflicts { merged, conflicts }) => {
            let mut text: String = merged.iter().map(|p| format!("Auto-merging {p}\n")).collect();
            for p in &conflicts {
                text.push_str(&format!("CONFLICT (content): Merge conflict in {p}\n"));
            }
            text.push_str("Automatic merge failed; fix conflicts and then commit the result.\n");
            CommandOutput { stdout: text, stderr: String::new(), exit_code: 1 }
        }
        Err(e) => fail(e),
    }
}

pub fn reset(git: &Git, wc: &mut WorkingCopy, mut args: Vec<String>) -> CommandOutput {
    let mode = if take_switch(&mut args, &["--hard"]) {
        "hard"
    } else if take_switch(&mut args, &["--soft"]) {
        "soft"
    } else {
        let _ = take_switch(&mut args, &["--mixed"]);
        "mixed"
    };
    let rev = args.first().cloned().unwrap_or_else(|| "HEAD".into());
    match wc.reset(git, &rev, mode) {
        Ok(dirty) => match mode {
            "hard" => {
                let head = wc.head().cloned().unwrap_or_default();
                let subject = git.db.commit(&head).map(|c| c.subject().to_string()).unwrap_or_default();
                CommandOutput::ok(format!("HEAD is now at {} {subject}\n", short(&head)))
            }
            "mixed" if !dirty.is_empty() => CommandOutput::ok(format!(
                "Unstaged changes after reset:\n{}",
                dirty.iter().map(|p| format!("M\t{p}\n")).collect::<String>()
            )),
            _ => CommandOutput::default(),
        },
        Err(e) => fail(e),
    }
}
