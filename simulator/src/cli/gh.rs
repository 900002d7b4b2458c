//! `gh run list` and `gh run view`: the push pipeline's runs as the GitHub CLI
//! shows workflow runs.

use super::Host;
use super::{CommandOutput, take_flag, take_switch};
use crate::pipeline::{PipelineRun, RunStatus};
use super::relative_time::fuzzy_ago;
use crate::time::{SimTime, go_duration};

pub fn run(world: &mut dyn Host, args: &[&str]) -> CommandOutput {
    let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    match (args.first().map(String::as_str), args.get(1).map(String::as_str)) {
        (Some("run"), Some("list")) => {
            args.drain(..2);
            list(world, args)
        }
        (Some("run"), Some("view")) => {
            args.drain(..2);
            view(world, args)
        }
        (Some("pr"), _) => {
            args.remove(0);
            super::gh_pr::run(world, args)
        }
        (Some("run"), _) => CommandOutput::ok(
            "List, view, and watch recent workflow runs from GitHub Actions.\n\nUSAGE\n  gh run <command> [flags]\n\nAVAILABLE COMMANDS\n  list:        List recent workflow runs\n  view:        View a summary of a workflow run\n",
        ),
        (Some(other), _) => CommandOutput::err(format!("unknown command \"{other}\" for \"gh\"\n"), 1),
        (None, _) => {
            CommandOutput::ok("Work seamlessly with GitHub from the command line.\n\nUSAGE\n  gh <command> <subcommand> [flags]\n")
        }
    }
}

fn list(world: &dyn Host, mut args: Vec<String>) -> CommandOutput {
    let limit = take_flag(&mut args, &["-L", "--limit"]).and_then(|l| l.parse::<usize>().ok()).unwrap_or(20);
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        return CommandOutput::err(format!("unknown flag: {flag}\n\nUsage:  gh run list [flags]\n"), 1);
    }
    let runs: Vec<&PipelineRun> = world.model().pipeline().map(|p| p.runs.iter().rev().take(limit).collect()).unwrap_or_default();
    if runs.is_empty() {
        return CommandOutput::err("no runs found\n", 0);
    }
    let workflow = world.model().pipeline().map(|p| p.spec.name.clone()).unwrap_or_default();
    let branch = world.model().pipeline().map(|p| p.spec.branch.clone()).unwrap_or_default();
    let mut rows = vec![["STATUS", "TITLE", "WORKFLOW", "BRANCH", "EVENT", "ID", "ELAPSED", "AGE"].map(String::from).to_vec()];
    for r in runs {
        rows.push(vec![
            symbol(r.status).into(),
            r.title.clone(),
            workflow.clone(),
            branch.clone(),
            "push".into(),
            r.id.to_string(),
            elapsed(r, world.now()),
            fuzzy_ago(world.now(), r.queued_at),
        ]);
    }
    CommandOutput::ok(super::table::tabwrite(&rows, 0, 2))
}

fn view(world: &dyn Host, mut args: Vec<String>) -> CommandOutput {
    let log = take_switch(&mut args, &["--log"]);
    let runs = world.model().pipeline().map(|p| p.runs.as_slice()).unwrap_or_default();
    let run = match args.first() {
        Some(id) => match runs.iter().find(|r| r.id.to_string() == *id) {
            Some(r) => r,
            None => {
                return CommandOutput::err(
                    format!(
                        "failed to get run: HTTP 404: Not Found (https://api.github.com/repos/platform/gitops-config/actions/runs/{id})\n"
                    ),
                    1,
                );
            }
        },
        None => match runs.last() {
            Some(r) => r,
            None => return CommandOutput::err("no runs found\n", 0),
        },
    };
    let workflow = world.model().pipeline().map(|p| p.spec.name.clone()).unwrap_or_default();
    if log {
        let at = run.finished_at.or(run.started_at).unwrap_or(run.queued_at);
        let mut step = String::new();
        let mut text = String::new();
        for line in &run.log {
            if let Some(command) = line.strip_prefix("Run ") {
                step = command.split(" (").next().unwrap_or(command).to_string();
            }
            text.push_str(&format!("{workflow}\t{step}\t{} {line}\n", at.rfc3339_nanos()));
        }
        return CommandOutput::ok(text);
    }
    let branch = world.model().pipeline().map(|p| p.spec.branch.clone()).unwrap_or_default();
    let mut text = format!(
        "{} {branch} {workflow} · {}\nTriggered via push {}\n\nJOBS\n{} {workflow} in {} (ID {})\n",
        symbol(run.status),
        run.id,
        fuzzy_ago(world.now(), run.queued_at),
        symbol(run.status),
        elapsed(run, world.now()),
        run.id + 1_000_000_000
    );
    if run.status == RunStatus::Failure {
        text.push_str("\nX Process completed with exit code 1.\n");
    }
    text.push_str(&format!(
        "\nFor more information about a job, try: gh run view --job=<job-id>\nTo see the full job log, try: gh run view --log --job={}\n",
        run.id + 1_000_000_000
    ));
    CommandOutput::ok(text)
}

/// gh's status symbols: a tick for success, X for failure, * while queued or running.
fn symbol(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Success => "✓",
        RunStatus::Failure => "X",
        RunStatus::Queued | RunStatus::InProgress => "*",
    }
}

fn elapsed(run: &PipelineRun, now: SimTime) -> String {
    let end = run.finished_at.unwrap_or(now);
    go_duration(end.since(run.queued_at))
}
