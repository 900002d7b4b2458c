//! The table of the terminal's tools: every program the terminal knows, once.
//! Dispatch (`cli::run`), `help`, the first word of tab completion and the
//! routing of a comparison lab's commands between its two worlds are all
//! derived from `TOOLS`.

use super::{CommandOutput, Host};

/// Which world of a comparison lab a command is for. Both worlds share one
/// repository (the twin's Git mirrors the pull world's after every input), so
/// only commands about a cluster go to both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `git`, files, `argocd`: the shared repository, or the agent only the pull world has.
    ThisWorld,
    /// `gh`: only the push world has a pipeline.
    TwinOnly,
    /// `kubectl`: each world has its own cluster.
    Both,
}

/// One program the terminal knows.
pub struct Tool {
    /// Its name and aliases (`kubectl`, `k`); the first is offered by completion.
    pub names: &'static [&'static str],
    /// Its line in `help` (what it is called there, and what it does), if it has one of its own.
    pub help: Option<(&'static str, &'static str)>,
    /// Whether tab completion offers its name.
    pub completes: bool,
    /// Where its commands go in a comparison lab.
    pub route: Route,
    /// Runs a command line split into words (the program's name first).
    pub run: fn(&mut dyn Host, &[&str]) -> CommandOutput,
}

/// A shell built-in (`shell::run` reads the program's name itself).
macro_rules! builtin {
    ($name:literal, $help:expr, $completes:expr) => {
        Tool { names: &[$name], help: $help, completes: $completes, route: Route::ThisWorld, run: super::shell::run }
    };
}

/// Every tool, in the order `help` lists them.
pub const TOOLS: &[Tool] = &[
    Tool {
        names: &["kubectl", "k"],
        help: Some(("kubectl", "get, describe, scale, apply -f, delete, set image, rollout status|undo|restart|history")),
        completes: true,
        route: Route::Both,
        run: |w, a| super::kubectl::run(w, &a[1..]),
    },
    Tool {
        names: &["git"],
        help: Some(("git", "status, add, commit, log, show, diff, push, pull, revert, remote, branch")),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::git::run(w, &a[1..]),
    },
    Tool {
        names: &["argocd"],
        help: Some((
            "argocd",
            "app list|get|diff|sync|history|rollback|set|refresh|terminate-op|delete|wait, proj list|get, login, account get-user-info",
        )),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::argocd::run(w, &a[1..]),
    },
    Tool {
        names: &["yq"],
        help: Some(("yq", "read or edit YAML in place: yq -i '.spec.replicas = 5' FILE")),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::yq::run(w, &a[1..]),
    },
    Tool {
        names: &["kustomize"],
        help: Some(("kustomize", "build DIR, edit set image NAME=IMAGE:TAG")),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::kustomize::run(w, &a[1..]),
    },
    Tool {
        names: &["helm"],
        help: Some(("helm", "template [NAME] CHART [-f VALUES] [--set K=V], lint [CHART]: render a chart as Argo CD does")),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::helm::run(w, &a[1..]),
    },
    Tool {
        names: &["flux"],
        help: Some((
            "flux",
            "get kustomizations|sources git, reconcile kustomization NAME [--with-source], suspend|resume kustomization NAME",
        )),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::flux::run(w, &a[1..]),
    },
    Tool {
        names: &["az"],
        help: Some(("az acr", "repository show-tags --name REGISTRY --repository REPO, import: the container registry's tags")),
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::az::run(w, &a[1..]),
    },
    Tool {
        names: &["gh"],
        help: Some(("gh", "run list, run view [ID] [--log]: the push pipeline's runs, where a lab has one")),
        completes: true,
        route: Route::TwinOnly,
        run: |w, a| super::gh::run(w, &a[1..]),
    },
    Tool {
        names: &["kubeseal"],
        // Not in `help`, whose text the recorded transcripts hold; the secrets lab introduces it.
        help: None,
        completes: true,
        route: Route::ThisWorld,
        run: |w, a| super::kubeseal::run(w, &a[1..]),
    },
    builtin!("cat", Some(("cat, ls, cd, pwd", "look at the repository's files")), true),
    builtin!("ls", None, true),
    builtin!("cd", None, true),
    builtin!("pwd", None, true),
    // `sleep` is not forwarded: this world's clock drives the twin's, in step.
    builtin!("sleep", Some(("sleep N", "let N seconds of simulated time pass (also 2m, 1h)")), true),
    builtin!("clear", Some(("clear", "clear the terminal")), true),
    Tool { names: &["help"], help: None, completes: true, route: Route::ThisWorld, run: help },
    builtin!("echo", None, true),
    builtin!("true", None, false),
    builtin!("false", None, false),
];

/// The tool a program name runs.
pub fn tool(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.names.contains(&name))
}

/// Where a command line goes in a comparison lab (unknown programs stay in this world).
pub fn route(line: &str) -> Route {
    line.split_whitespace().next().and_then(tool).map_or(Route::ThisWorld, |t| t.route)
}

/// `help`'s lines: what each tool is called there, and what it does.
pub fn help_lines() -> impl Iterator<Item = (&'static str, &'static str)> {
    TOOLS.iter().filter_map(|t| t.help)
}

/// `help`: every tool's line, and the filters a pipe accepts.
fn help(_: &mut dyn Host, _: &[&str]) -> CommandOutput {
    let mut text = String::from("Commands in this terminal:\n");
    for (name, what) in help_lines() {
        text.push_str(&format!("  {name:<18} {what}\n"));
    }
    text.push_str(&format!("  {:<18} {}\n", "COMMAND | FILTER", super::pipe::FILTERS));
    CommandOutput::ok(text)
}

/// The program names tab completion offers.
pub fn completed_names() -> impl Iterator<Item = &'static str> {
    TOOLS.iter().filter(|t| t.completes).map(|t| t.names[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_belongs_to_one_tool() {
        let mut names: Vec<&str> = TOOLS.iter().flat_map(|t| t.names.iter().copied()).collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "a program name appears twice in TOOLS");
    }

    #[test]
    fn routes_follow_the_table() {
        assert_eq!(route("kubectl get pods"), Route::Both);
        assert_eq!(route("k get pods"), Route::Both);
        assert_eq!(route("gh run list"), Route::TwinOnly);
        assert_eq!(route("git push"), Route::ThisWorld);
        assert_eq!(route("sleep 30"), Route::ThisWorld);
        assert_eq!(route("nosuchtool"), Route::ThisWorld);
    }
}
