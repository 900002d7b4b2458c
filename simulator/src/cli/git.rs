//! `git`, as Git 2.4x prints it.

use super::git_stat::{plural, stat_lines};
use std::collections::{BTreeMap, BTreeSet};

use super::Host;
use super::{CommandOutput, files, take_flag, take_switch};
use crate::git::diff::short;
use crate::git::{Git, Snapshot, WorkingCopy, change_summary};

const KNOWN: &[&str] = &[
    "status",
    "add",
    "commit",
    "log",
    "show",
    "diff",
    "push",
    "pull",
    "fetch",
    "revert",
    "remote",
    "branch",
    "checkout",
    "switch",
    "merge",
    "reset",
    "blame",
    "restore",
    "rm",
    "init",
    "clone",
    "config",
    "stash",
    "tag",
    "rebase",
    "cherry-pick",
];

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let Some(sub) = args.first() else {
        return CommandOutput::ok(
            "usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>]\n           <command> [<args>]\n",
        );
    };
    let mut rest: Vec<String> = args[1..].iter().map(|s| s.to_string()).collect();
    let cwd = world.shell().cwd.clone();
    let Some(idx) = world.model().git().clone_at(&cwd) else {
        if *sub == "--version" || *sub == "version" {
            return CommandOutput::ok("git version 2.47.3\n");
        }
        if !KNOWN.contains(sub) {
            return not_a_command(sub);
        }
        return CommandOutput::err("fatal: not a git repository (or any of the parent directories): .git\n", 128);
    };
    let mut wc = world.model().git().clones[idx].clone();
    if matches!(*sub, "push" | "pull" | "fetch") && !world.model().git().reachable(&wc.remote_url) {
        return CommandOutput::err(format!("{}\n", Git::unreachable_error(&wc.remote_url)), 128);
    }
    let out = match *sub {
        "status" if rest.iter().any(|a| a == "-s" || a == "--short") => status_short(&wc.head_snapshot(&world.model().git()), &wc),
        "status" => status(&world.model().git(), &wc),
        "rev-parse" => rev_parse(&world.model().git(), &wc, &rest),
        "ls-files" => CommandOutput::ok(wc.index.keys().map(|p| format!("{p}\n")).collect::<String>()),
        "cat-file" if rest.first().map(String::as_str) == Some("-t") => match rest.get(1).and_then(|r| wc.resolve(&world.model().git(), r))
        {
            Some(_) => CommandOutput::ok("commit\n"),
            None => CommandOutput::err(format!("fatal: Not a valid object name {}\n", rest.get(1).map(String::as_str).unwrap_or("")), 128),
        },
        "add" => {
            let _ = take_switch(&mut rest, &["-A", "--all"]);
            let paths: Vec<String> =
                if rest.is_empty() { vec![".".into()] } else { rest.iter().map(|p| rel_path(world, &wc, p)).collect() };
            match wc.add(&paths) {
                Ok(()) => CommandOutput::default(),
                Err(e) => CommandOutput::err(format!("{}\n", e.message.replace(&paths.join(" "), &rest.join(" "))), e.exit_code),
            }
        }
        "commit" => commit(world, &mut wc, rest),
        "blame" => {
            let path = rest.iter().find(|a| !a.starts_with('-')).map(|p| rel_path(world, &wc, p));
            super::git_blame::blame(&world.model().git(), &wc, path.as_deref(), world.now())
        }
        "log" => log(&world.model().git(), &wc, rest),
        "show" => show(&world.model().git(), &wc, rest),
        "diff" => diff(&world.model().git(), &wc, rest),
        "push" if world.model().git().remotes.get(&wc.remote_url).is_some_and(|r| r.protected.contains(&wc.branch)) => {
            let url = wc.remote_url.clone();
            CommandOutput::err(
                format!(
                    "remote: error: GH006: Protected branch update failed for refs/heads/{b}.\nremote: \nremote: - Changes must be made through a pull request.\nTo {url}\n ! [remote rejected] {b} -> {b} (protected branch hook declined)\nerror: failed to push some refs to '{url}'\n",
                    b = wc.branch
                ),
                1,
            )
        }
        "push" => {
            let before = wc.tracking.get(&wc.branch).cloned();
            match wc.push(world.model_mut().git_mut()) {
                Ok(None) => CommandOutput::err("Everything up-to-date\n", 0),
                Ok(Some(p)) => {
                    let range = match &p.old {
                        Some(old) => format!("   {}..{}  {b} -> {b}", short(old), short(&p.new), b = p.branch),
                        None => format!(" * [new branch]      {b} -> {b}", b = p.branch),
                    };
                    let text = format!(
                        "Enumerating objects: {n}, done.\nCounting objects: 100% ({n}/{n}), done.\nDelta compression using up to 2 threads\nCompressing objects: 100% ({c}/{c}), done.\nWriting objects: 100% ({n}/{n}), {b} bytes | {b}.00 KiB/s, done.\nTotal {n} (delta 0), reused 0 (delta 0), pack-reused 0 (from 0)\nTo {url}\n{range}\n",
                        n = p.objects,
                        c = p.objects.saturating_sub(1).max(1),
                        b = p.bytes,
                        url = wc.remote_url,
                    );
                    world.model_mut().git_mut().clones[idx] = wc.clone();
                    world.pushed(&wc.remote_url.clone(), &p.branch, before, p.new.clone());
                    CommandOutput::err(text, 0)
                }
                Err(e) => CommandOutput::err(format!("{}\n", e.message), e.exit_code),
            }
        }
        "pull" | "fetch" => {
            if *sub == "fetch" {
                let branches = world.model().git().remotes.get(&wc.remote_url).map(|r| r.branches.clone()).unwrap_or_default();
                wc.tracking.extend(branches);
                CommandOutput::default()
            } else {
                match wc.pull(&world.model().git()) {
                    Ok((old, new)) if old.as_deref() == Some(new.as_str()) => CommandOutput::ok("Already up to date.\n"),
                    Ok((old, new)) => {
                        let old_snap = old.as_deref().map(|o| world.model().git().db.snapshot(o)).unwrap_or_default();
                        let summary = change_summary(&old_snap, &world.model().git().db.snapshot(&new));
                        CommandOutput::ok(format!(
                            "Updating {}..{}\nFast-forward\n{}",
                            short(old.as_deref().unwrap_or("0000000")),
                            short(&new),
                            stat_lines(&summary)
                        ))
                    }
                    Err(e) => CommandOutput::err(format!("{}\n", e.message), e.exit_code),
                }
            }
        }
        "revert" => revert(world, &mut wc, rest),
        "rm" => {
            let typed: Vec<String> = rest.iter().filter(|a| !a.starts_with('-')).cloned().collect();
            let args = rest.iter().map(|a| if a.starts_with('-') { a.clone() } else { rel_path(world, &wc, a) }).collect();
            super::git_rm::rm(&mut wc, args, &typed)
        }
        "remote" => {
            if take_switch(&mut rest, &["-v", "--verbose"]) {
                CommandOutput::ok(format!("origin\t{u} (fetch)\norigin\t{u} (push)\n", u = wc.remote_url))
            } else {
                CommandOutput::ok("origin\n")
            }
        }
        "branch" => super::git_branch::branch(&world.model().git(), &mut wc, rest),
        "switch" | "checkout" => {
            let checkout = *sub == "checkout";
            super::git_branch::switch(&world.model().git().clone(), &mut wc, rest, checkout, |p| {
                rel_path(world, &world.model().git().clones[idx], p)
            })
        }
        "merge" => {
            let sig = crate::git::Signature { time: world.now(), ..world.shell().user.clone() };
            super::git_branch::merge(world.model_mut().git_mut(), &mut wc, rest, &sig)
        }
        "reset" => super::git_branch::reset(&world.model().git(), &mut wc, rest),
        "--version" | "version" => CommandOutput::ok("git version 2.47.3\n"),
        s if KNOWN.contains(&s) => CommandOutput::err(format!("git {s}: not available in this lab yet\n"), 1),
        s => not_a_command(s),
    };
    if world.model().git().clones.get(idx).is_some() && *sub != "push" {
        world.model_mut().git_mut().clones[idx] = wc;
    }
    out
}

fn not_a_command(sub: &str) -> CommandOutput {
    CommandOutput::err(format!("git: '{sub}' is not a git command. See 'git --help'.\n"), 1)
}

/// A path typed relative to the shell's directory, made relative to the repository.
fn rel_path(world: &dyn Host, wc: &WorkingCopy, path: &str) -> String {
    let abs = files::absolute(world, path);
    match abs.strip_prefix(&wc.dir) {
        Some("") => ".".into(),
        Some(rest) => rest.trim_start_matches('/').to_string(),
        None => path.to_string(),
    }
}

fn status(git: &Git, wc: &WorkingCopy) -> CommandOutput {
    let head = wc.head_snapshot(git);
    let mut text = format!("On branch {}\n", wc.branch);
    let (ahead, behind) = ahead_behind(git, wc);
    // A branch made here has no upstream until it is pushed: git says nothing about one.
    let upstream = wc.tracking.contains_key(&wc.branch);
    text.push_str(&match (ahead, behind) {
        _ if !upstream => String::new(),
        (0, 0) => format!("Your branch is up to date with 'origin/{}'.\n", wc.branch),
        (a, 0) => format!("Your branch is ahead of 'origin/{}' by {a} commit{}.\n  (use \"git push\" to publish your local commits)\n", wc.branch, plural(a)),
        (0, b) => format!("Your branch is behind 'origin/{}' by {b} commit{}, and can be fast-forwarded.\n  (use \"git pull\" to update your local branch)\n", wc.branch, plural(b)),
        (a, b) => format!("Your branch and 'origin/{}' have diverged,\nand have {a} and {b} different commits each, respectively.\n  (use \"git pull\" if you want to integrate the remote branch with yours)\n", wc.branch),
    });
    if wc.merge_head.is_some() {
        let conflicted = wc.worktree.values().any(|c| c.contains("<<<<<<< "));
        text.push_str(if conflicted {
            "\nYou have unmerged paths.\n  (fix conflicts and run \"git commit\")\n  (use \"git merge --abort\" to abort the merge)\n"
        } else {
            "\nAll conflicts fixed but you are still merging.\n  (use \"git commit\" to conclude merge)\n"
        });
    }
    let staged = changes(&head, &wc.index);
    let unstaged: Vec<(String, &str)> = changes(&wc.index, &wc.worktree).into_iter().filter(|(_, k)| *k != "new file").collect();
    let untracked: Vec<String> = wc.worktree.keys().filter(|p| !wc.index.contains_key(*p)).cloned().collect();
    // Git ends every section with a blank line (there is none to end without an upstream).
    if upstream || wc.merge_head.is_some() || !staged.is_empty() || !unstaged.is_empty() || !untracked.is_empty() {
        text.push('\n');
    }
    if !staged.is_empty() {
        text.push_str("Changes to be committed:\n  (use \"git restore --staged <file>...\" to unstage)\n");
        for (p, k) in &staged {
            text.push_str(&format!("\t{:<12}{p}\n", format!("{k}:")));
        }
        text.push('\n');
    }
    if !unstaged.is_empty() {
        text.push_str("Changes not staged for commit:\n  (use \"git add <file>...\" to update what will be committed)\n  (use \"git restore <file>...\" to discard changes in working directory)\n");
        for (p, k) in &unstaged {
            text.push_str(&format!("\t{:<12}{p}\n", format!("{k}:")));
        }
        text.push('\n');
    }
    if !untracked.is_empty() {
        text.push_str("Untracked files:\n  (use \"git add <file>...\" to include in what will be committed)\n");
        for p in untracked_roots(&untracked, &wc.index) {
            text.push_str(&format!("\t{p}\n"));
        }
        text.push('\n');
    }
    if staged.is_empty() {
        if !unstaged.is_empty() {
            text.push_str("no changes added to commit (use \"git add\" and/or \"git commit -a\")\n");
        } else if !untracked.is_empty() {
            text.push_str("nothing added to commit but untracked files present (use \"git add\" to track)\n");
        } else {
            text.push_str("nothing to commit, working tree clean\n");
        }
    }
    CommandOutput::ok(text)
}

/// `git status --short`: `XY path`, X for the index, Y for the worktree, `??` untracked.
fn status_short(head: &Snapshot, wc: &WorkingCopy) -> CommandOutput {
    let code = |k: &str| match k {
        "new file" => 'A',
        "deleted" => 'D',
        _ => 'M',
    };
    let staged: BTreeMap<String, char> = changes(head, &wc.index).into_iter().map(|(p, k)| (p, code(k))).collect();
    let unstaged: BTreeMap<String, char> =
        changes(&wc.index, &wc.worktree).into_iter().filter(|(_, k)| *k != "new file").map(|(p, k)| (p, code(k))).collect();
    let untracked: Vec<String> = wc.worktree.keys().filter(|p| !wc.index.contains_key(*p)).cloned().collect();
    let mut lines: BTreeMap<String, String> = BTreeMap::new();
    for p in staged.keys().chain(unstaged.keys()) {
        let x = staged.get(p).copied().unwrap_or(' ');
        let y = unstaged.get(p).copied().unwrap_or(' ');
        lines.insert(p.clone(), format!("{x}{y} {p}\n"));
    }
    for p in untracked_roots(&untracked, &wc.index) {
        lines.insert(p.clone(), format!("?? {p}\n"));
    }
    CommandOutput::ok(lines.into_values().collect::<String>())
}

/// `git rev-parse [--short] REV...`: the commit ids, or git's error for an unknown revision.
fn rev_parse(git: &Git, wc: &WorkingCopy, args: &[String]) -> CommandOutput {
    let short_ids = args.iter().any(|a| a == "--short");
    let mut out = CommandOutput::default();
    for rev in args.iter().filter(|a| !a.starts_with('-')) {
        match wc.resolve(git, rev) {
            Some(oid) => out.stdout.push_str(&format!("{}\n", if short_ids { short(&oid).to_string() } else { oid.to_string() })),
            None => {
                out.stdout.push_str(&format!("{rev}\n"));
                out.stderr.push_str(&format!(
                    "fatal: ambiguous argument '{rev}': unknown revision or path not in the working tree.\nUse '--' to separate paths from revisions, like this:\n'git <command> [<revision>...] -- [<file>...]'\n"
                ));
                out.exit_code = 128;
                return out;
            }
        }
    }
    out
}

fn untracked_roots(untracked: &[String], index: &Snapshot) -> BTreeSet<String> {
    untracked
        .iter()
        .map(|p| {
            // Git shows a wholly untracked directory once, as `dir/`.
            let mut shown = p.clone();
            let parts: Vec<&str> = p.split('/').collect();
            for n in 1..parts.len() {
                let dir = parts[..n].join("/");
                if !index.keys().any(|k| k.starts_with(&format!("{dir}/"))) {
                    shown = format!("{dir}/");
                    break;
                }
            }
            shown
        })
        .collect()
}

fn ahead_behind(git: &Git, wc: &WorkingCopy) -> (usize, usize) {
    let (Some(head), Some(up)) = (wc.head(), wc.tracking.get(&wc.branch)) else {
        return (0, 0);
    };
    let ours: BTreeSet<String> = git.history(head).into_iter().collect();
    let theirs: BTreeSet<String> = git.history(up).into_iter().collect();
    (ours.difference(&theirs).count(), theirs.difference(&ours).count())
}

fn changes<'a>(from: &Snapshot, to: &Snapshot) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    for p in from.keys().chain(to.keys()).collect::<BTreeSet<_>>() {
        match (from.get(p), to.get(p)) {
            (Some(a), Some(b)) if a != b => out.push((p.clone(), "modified")),
            (None, Some(_)) => out.push((p.clone(), "new file")),
            (Some(_), None) => out.push((p.clone(), "deleted")),
            _ => {}
        }
    }
    out
}

fn commit(world: &mut dyn Host, wc: &mut WorkingCopy, mut args: Vec<String>) -> CommandOutput {
    if matches!(args.last().map(String::as_str), Some("-m" | "--message" | "-am")) {
        return CommandOutput::err("error: switch `m' requires a value\n", 129);
    }
    let mut all = take_switch(&mut args, &["-a", "--all"]);
    let allow_empty = take_switch(&mut args, &["--allow-empty"]);
    let mut message = take_flag(&mut args, &["-m", "--message"]);
    // `-am "msg"` bundles -a and -m.
    if message.is_none() {
        if let Some(pos) = args.iter().position(|a| a == "-am" || a == "-ma") {
            if pos + 1 < args.len() {
                message = Some(args.remove(pos + 1));
                args.remove(pos);
                all = true;
            }
        }
    }
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        return CommandOutput::err(format!("error: unknown option `{}'\n", flag.trim_start_matches('-')), 129);
    }
    // Concluding a merge without -m takes the message git prepared (`Merge branch 'x'`).
    let prepared = wc.merge_head.as_ref().map(|m| m.1.clone());
    let Some(message) = message.filter(|m| !m.trim().is_empty()).or(prepared) else {
        return CommandOutput::err("Aborting commit due to empty commit message.\n", 1);
    };
    if all {
        wc.stage_tracked(&world.model().git());
    }
    let sig = crate::git::Signature { time: world.now(), ..world.shell().user.clone() };
    match wc.commit_with(world.model_mut().git_mut(), &message, &sig, allow_empty) {
        Ok(s) => {
            let stat = if s.files_changed == 0 { String::new() } else { stat_lines(&s) };
            CommandOutput::ok(format!("[{} {}] {}\n{stat}", wc.branch, short(&s.oid), message.lines().next().unwrap_or("")))
        }
        Err(_) => {
            let mut st = status(&world.model().git(), wc);
            st.exit_code = 1;
            st
        }
    }
}

fn decorations(git: &Git, wc: &WorkingCopy, oid: &str) -> String {
    let mut refs = Vec::new();
    if wc.head().map(String::as_str) == Some(oid) {
        refs.push(format!("HEAD -> {}", wc.branch));
    }
    for (b, o) in &wc.branches {
        if o == oid && *b != wc.branch {
            refs.push(b.clone());
        }
    }
    for (b, o) in &wc.tracking {
        if o == oid {
            refs.push(format!("origin/{b}"));
            if git.remotes.get(&wc.remote_url).is_some_and(|r| &r.default_branch == b) {
                refs.push("origin/HEAD".into());
            }
        }
    }
    if refs.is_empty() { String::new() } else { format!(" ({})", refs.join(", ")) }
}

fn log(git: &Git, wc: &WorkingCopy, mut args: Vec<String>) -> CommandOutput {
    let oneline = take_switch(&mut args, &["--oneline"]);
    let graph = take_switch(&mut args, &["--graph"]);
    let _ = take_switch(&mut args, &["--decorate", "--all"]);
    let mut limit = take_flag(&mut args, &["-n", "--max-count"]).and_then(|n| n.parse::<usize>().ok());
    if let Some(pos) = args.iter().position(|a| a.len() > 1 && a.starts_with('-') && a[1..].parse::<usize>().is_ok()) {
        limit = args.remove(pos)[1..].parse().ok();
    }
    let rev = args.first().cloned().unwrap_or_else(|| "HEAD".into());
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        return CommandOutput::err(format!("fatal: unrecognized argument: {flag}\n"), 128);
    }
    let Some(tip) = wc.resolve(git, &rev) else {
        return CommandOutput::err(
            format!(
                "fatal: ambiguous argument '{rev}': unknown revision or path not in the working tree.\nUse '--' to separate paths from revisions, like this:\n'git <command> [<revision>...] -- [<file>...]'\n"
            ),
            128,
        );
    };
    let mut text = String::new();
    let prefix = if graph { "* " } else { "" };
    for (i, oid) in git.history(&tip).into_iter().take(limit.unwrap_or(usize::MAX)).enumerate() {
        let c = git.db.commit(&oid).expect("history holds commits");
        if oneline {
            text.push_str(&format!("{prefix}{}{} {}\n", short(&oid), decorations(git, wc, &oid), c.subject()));
        } else {
            if i > 0 {
                text.push_str(if graph { "|\n" } else { "\n" });
            }
            text.push_str(&commit_header(git, wc, &oid, prefix));
        }
    }
    CommandOutput::ok(text)
}

fn commit_header(git: &Git, wc: &WorkingCopy, oid: &str, prefix: &str) -> String {
    let c = git.db.commit(oid).expect("callers pass commits");
    let bar = if prefix.is_empty() { "" } else { "| " };
    let mut text = format!("{prefix}commit {oid}{}\n", decorations(git, wc, oid));
    text.push_str(&format!("{bar}Author: {} <{}>\n{bar}Date:   {}\n{bar}\n", c.author.name, c.author.email, c.author.time.git_date()));
    for line in c.message.trim_end().lines() {
        if line.is_empty() {
            text.push_str(&format!("{bar}\n"));
        } else {
            text.push_str(&format!("{bar}    {line}\n"));
        }
    }
    text
}

fn show(git: &Git, wc: &WorkingCopy, args: Vec<String>) -> CommandOutput {
    let rev = args.first().cloned().unwrap_or_else(|| "HEAD".into());
    if let Some((r, path)) = rev.split_once(':') {
        let Some(oid) = wc.resolve(git, if r.is_empty() { "HEAD" } else { r }) else {
            return CommandOutput::err(format!("fatal: invalid object name '{r}'.\n"), 128);
        };
        return match git.db.snapshot(&oid).get(path) {
            Some(c) => CommandOutput::ok(c.clone()),
            None => CommandOutput::err(format!("fatal: path '{path}' does not exist in '{r}'\n"), 128),
        };
    }
    let Some(oid) = wc.resolve(git, &rev) else {
        return CommandOutput::err(
            format!(
                "fatal: ambiguous argument '{rev}': unknown revision or path not in the working tree.\nUse '--' to separate paths from revisions, like this:\n'git <command> [<revision>...] -- [<file>...]'\n"
            ),
            128,
        );
    };
    let c = git.db.commit(&oid).expect("resolve returns commits");
    let parent = c.parents.first().map(|p| git.db.snapshot(p)).unwrap_or_default();
    let mut text = commit_header(git, wc, &oid, "");
    text.push('\n');
    text.push_str(&crate::git::patch(&parent, &git.db.snapshot(&oid)));
    CommandOutput::ok(text)
}

fn diff(git: &Git, wc: &WorkingCopy, mut args: Vec<String>) -> CommandOutput {
    let staged = take_switch(&mut args, &["--staged", "--cached"]);
    let stat = take_switch(&mut args, &["--stat"]);
    let (old, new) = match args.first() {
        Some(rev) if !staged => match wc.resolve(git, rev) {
            Some(oid) => (git.db.snapshot(&oid), wc.worktree.clone()),
            None => {
                return CommandOutput::err(
                    format!("fatal: ambiguous argument '{rev}': unknown revision or path not in the working tree.\n"),
                    128,
                );
            }
        },
        _ if staged => (wc.head_snapshot(git), wc.index.clone()),
        _ => {
            // Untracked files are not part of `git diff`.
            let tracked: Snapshot =
                wc.worktree.iter().filter(|(p, _)| wc.index.contains_key(*p)).map(|(p, c)| (p.clone(), c.clone())).collect();
            (wc.index.clone(), tracked)
        }
    };
    if stat {
        let s = change_summary(&old, &new);
        return CommandOutput::ok(if s.files_changed == 0 {
            String::new()
        } else {
            stat_lines(&crate::git::CommitSummary { created: vec![], deleted: vec![], ..s })
        });
    }
    CommandOutput::ok(crate::git::patch(&old, &new))
}

fn revert(world: &mut dyn Host, wc: &mut WorkingCopy, mut args: Vec<String>) -> CommandOutput {
    let _ = take_switch(&mut args, &["--no-edit"]);
    let Some(rev) = args.first().cloned() else {
        return CommandOutput::err("usage: git revert [--[no-]edit] [-n] [-m <parent-number>] [-s] [-S[<keyid>]] <commit>...\n", 129);
    };
    let Some(oid) = wc.resolve(&world.model().git(), &rev) else {
        return CommandOutput::err(format!("fatal: bad revision '{rev}'\n"), 128);
    };
    let sig = crate::git::Signature { time: world.now(), ..world.shell().user.clone() };
    match wc.revert(world.model_mut().git_mut(), &oid, &sig) {
        Ok(s) => {
            let subject = world.model().git().db.commit(&s.oid).map(|c| c.subject().to_string()).unwrap_or_default();
            CommandOutput::ok(format!("[{} {}] {subject}\n{}", wc.branch, short(&s.oid), stat_lines(&s)))
        }
        Err(e) => CommandOutput::err(format!("{}\n", e.message), e.exit_code),
    }
}
