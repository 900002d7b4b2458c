//! `gh pr create|list|view|review|merge`: pull requests on the GitOps repository, as the GitHub
//! CLI shows them. A merge is made by the server and reaches Argo CD like any push.

use super::{CommandOutput, Host, take_flag, take_switch};
use crate::git::pull::{MergeMethod, PrState, PullRequest, Review, ReviewState, repo_slug};

pub fn run(world: &mut dyn Host, mut args: Vec<String>) -> CommandOutput {
    if args.is_empty() {
        return CommandOutput::ok(
            "Work with GitHub pull requests.\n\nUSAGE\n  gh pr <command> [flags]\n\nGENERAL COMMANDS\n  create:      Create a pull request\n  list:        List pull requests in a repository\n\nTARGETED COMMANDS\n  merge:       Merge a pull request\n  review:      Add a review to a pull request\n  view:        View a pull request\n",
        );
    }
    let sub = args.remove(0);
    let cwd = world.shell().cwd.clone();
    let Some(wc) = world.model().git().clone_at(&cwd).map(|i| world.model().git().clones[i].clone()) else {
        return CommandOutput::err("failed to run git: fatal: not a git repository (or any of the parent directories): .git\n", 1);
    };
    let url = wc.remote_url.clone();
    let slug = repo_slug(&url);
    match sub.as_str() {
        "create" => {
            let title = take_flag(&mut args, &["-t", "--title"]);
            let body = take_flag(&mut args, &["-b", "--body"]);
            let fill = take_switch(&mut args, &["-f", "--fill"]);
            let base = take_flag(&mut args, &["-B", "--base"]).unwrap_or_else(|| default_branch(world, &url));
            let head = take_flag(&mut args, &["-H", "--head"]).unwrap_or_else(|| wc.branch.clone());
            if let Some(flag) = args.first() {
                return CommandOutput::err(format!("unknown flag: {flag}\n\nUsage:  gh pr create [flags]\n"), 1);
            }
            if head == base {
                return CommandOutput::err(format!("must be on a branch named differently than \"{base}\"\n"), 1);
            }
            let (title, body) = match (title, body, fill) {
                (Some(t), b, _) => (t, b.unwrap_or_default()),
                (None, b, true) => {
                    let git = world.model().git();
                    let subject = git
                        .resolve_remote(&url, &head)
                        .and_then(|c| git.db.commit(&c).map(|c| c.subject().to_string()))
                        .unwrap_or_else(|| head.clone());
                    (subject, b.unwrap_or_default())
                }
                (None, _, false) => {
                    return CommandOutput::err(
                        "must provide `--title` and `--body` (or `--fill` or `fill-first` or `--fillverbose`) when not running interactively\n",
                        1,
                    );
                }
            };
            let author = world.shell().user.name.clone();
            let now = world.now();
            match world.model_mut().git_mut().open_pull(&url, &head, &base, &title, &body, &author, now) {
                Ok(n) => CommandOutput {
                    stdout: format!("{}/pull/{n}\n", url.trim_end_matches(".git")),
                    stderr: format!("\nCreating pull request for {head} into {base} in {slug}\n\n"),
                    exit_code: 0,
                },
                Err(e) => CommandOutput::err(format!("{e}\n"), 1),
            }
        }
        "list" | "ls" => {
            let state = take_flag(&mut args, &["-s", "--state"]).unwrap_or_else(|| "open".into());
            let pulls: Vec<&PullRequest> =
                pulls(world, &url).iter().rev().filter(|p| state == "all" || p.state.word().eq_ignore_ascii_case(&state)).collect();
            if pulls.is_empty() {
                return CommandOutput::err(format!("no {state} pull requests in {slug}\n"), 0);
            }
            let total = pulls.len();
            let mut rows = vec![vec!["ID".to_string(), "TITLE".into(), "BRANCH".into(), "CREATED AT".into()]];
            for p in &pulls {
                rows.push(vec![format!("#{}", p.number), p.title.clone(), p.head.clone(), super::relative_time::fuzzy_ago(world.now(), p.created_at)]);
            }
            let plural = if total == 1 { "" } else { "s" };
            CommandOutput::ok(format!(
                "\nShowing {total} of {total} {state} pull request{plural} in {slug}\n\n{}",
                super::table::tabwrite(&rows, 0, 2)
            ))
        }
        "view" => {
            let Some(p) = find(world, &url, &args, &wc.branch) else { return no_pr(&args) };
            let reviewers: Vec<String> = {
                let mut latest: Vec<(String, ReviewState)> = Vec::new();
                for r in &p.reviews {
                    latest.retain(|(a, _)| *a != r.author);
                    latest.push((r.author.clone(), r.state));
                }
                latest
                    .into_iter()
                    .map(|(a, s)| {
                        let word = match s {
                            ReviewState::Approved => "Approved",
                            ReviewState::ChangesRequested => "Changes requested",
                            ReviewState::Commented => "Commented",
                        };
                        format!("{a} ({word})")
                    })
                    .collect()
            };
            let state = match p.state {
                PrState::Open => "Open",
                PrState::Merged => "Merged",
                PrState::Closed => "Closed",
            };
            let mut out = format!("{} {slug}#{}\n", p.title, p.number);
            out.push_str(&format!(
                "{state} • {} wants to merge into {} from {} • {}\n",
                p.author,
                p.base,
                p.head,
                super::relative_time::fuzzy_ago(world.now(), p.created_at)
            ));
            if !reviewers.is_empty() {
                out.push_str(&format!("Reviewers: {}\n", reviewers.join(", ")));
            }
            out.push('\n');
            let body = if p.body.is_empty() { "No description provided" } else { p.body.as_str() };
            for line in body.lines() {
                out.push_str(&format!("  {line}\n"));
            }
            for r in p.reviews.iter().filter(|r| !r.body.is_empty()) {
                out.push_str(&format!("\n{} • {}\n  {}\n", r.author, super::relative_time::fuzzy_ago(world.now(), r.at), r.body));
            }
            out.push_str(&format!("\nView this pull request on GitHub: {}/pull/{}\n", url.trim_end_matches(".git"), p.number));
            CommandOutput::ok(out)
        }
        "review" => {
            let approve = take_switch(&mut args, &["-a", "--approve"]);
            let changes = take_switch(&mut args, &["-r", "--request-changes"]);
            let comment = take_switch(&mut args, &["-c", "--comment"]);
            let body = take_flag(&mut args, &["-b", "--body"]).unwrap_or_default();
            let Some(number) = find(world, &url, &args, &wc.branch).map(|p| p.number) else { return no_pr(&args) };
            let state = match (approve, changes, comment) {
                (true, false, false) => ReviewState::Approved,
                (false, true, false) => ReviewState::ChangesRequested,
                (false, false, true) => ReviewState::Commented,
                _ => return CommandOutput::err("need exactly one of --approve, --request-changes, or --comment\n", 1),
            };
            if state != ReviewState::Approved && body.is_empty() {
                return CommandOutput::err("body cannot be blank for request-changes or comment review\n", 1);
            }
            let author = world.shell().user.name.clone();
            let now = world.now();
            let Some(pr) = world.model_mut().git_mut().remotes.get_mut(&url).and_then(|r| r.pulls.iter_mut().find(|p| p.number == number))
            else {
                return no_pr(&args);
            };
            if pr.author == author && state != ReviewState::Commented {
                let what = if state == ReviewState::Approved { "approve" } else { "request changes on" };
                return CommandOutput::err(
                    format!("failed to create review: GraphQL: Review Can not {what} your own pull request (addPullRequestReview)\n"),
                    1,
                );
            }
            pr.reviews.push(Review { author, state, body, at: now });
            let line = match state {
                ReviewState::Approved => format!("✓ Approved pull request {slug}#{number}\n"),
                ReviewState::ChangesRequested => format!("+ Requested changes to pull request {slug}#{number}\n"),
                ReviewState::Commented => format!("- Reviewed pull request {slug}#{number}\n"),
            };
            CommandOutput::ok(line)
        }
        "merge" => {
            let merge = take_switch(&mut args, &["-m", "--merge"]);
            let squash = take_switch(&mut args, &["-s", "--squash"]);
            let rebase = take_switch(&mut args, &["-r", "--rebase"]);
            let delete_branch = take_switch(&mut args, &["-d", "--delete-branch"]);
            let method = match (merge, squash, rebase) {
                (true, false, false) => MergeMethod::Merge,
                (false, true, false) => MergeMethod::Squash,
                (false, false, true) => {
                    return CommandOutput::err("this simulator merges with --merge or --squash; --rebase is not simulated\n", 1);
                }
                _ => return CommandOutput::err("--merge, --rebase, or --squash required when not running interactively\n", 1),
            };
            let Some(pr) = find(world, &url, &args, &wc.branch).cloned() else { return no_pr(&args) };
            let sig = crate::git::Signature { time: world.now(), ..world.shell().user.clone() };
            match world.model_mut().git_mut().merge_pull(&url, pr.number, method, &sig) {
                Ok((old, new)) => {
                    let mut out = format!("✓ Merged pull request {slug}#{} ({})\n", pr.number, pr.title);
                    if delete_branch {
                        if let Some(r) = world.model_mut().git_mut().remotes.get_mut(&url) {
                            r.branches.remove(&pr.head);
                        }
                        out.push_str(&format!("✓ Deleted remote branch {}\n", pr.head));
                    }
                    world.pushed(&url, &pr.base, Some(old), new);
                    CommandOutput::ok(out)
                }
                Err(e) => CommandOutput::err(format!("{e}\n"), 1),
            }
        }
        other => CommandOutput::err(format!("unknown command \"{other}\" for \"gh pr\"\n"), 1),
    }
}

fn default_branch(world: &dyn Host, url: &str) -> String {
    world.model().git().remotes.get(url).map_or_else(|| "main".into(), |r| r.default_branch.clone())
}

fn pulls<'a>(world: &'a dyn Host, url: &str) -> &'a [PullRequest] {
    world.model().git().remotes.get(url).map_or(&[], |r| r.pulls.as_slice())
}

/// The pull request named by number (`1`, `#1`) or, without one, the open one for the current branch.
fn find<'a>(world: &'a dyn Host, url: &str, args: &[String], branch: &str) -> Option<&'a PullRequest> {
    let all = pulls(world, url);
    match args.iter().find(|a| !a.starts_with('-')) {
        Some(n) => n.trim_start_matches('#').parse::<u64>().ok().and_then(|n| all.iter().find(|p| p.number == n)),
        None => all.iter().rev().find(|p| p.head == branch && p.state == PrState::Open),
    }
}

fn no_pr(args: &[String]) -> CommandOutput {
    match args.iter().find(|a| !a.starts_with('-')) {
        Some(n) => CommandOutput::err(format!("no pull requests found for branch \"{n}\"\n"), 1),
        None => CommandOutput::err("no pull requests found for the current branch\n", 1),
    }
}
