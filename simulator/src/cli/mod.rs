//! The terminal: parses a command line and answers exactly as the real tool
//! would, output and exit code. A user's mistake is output, never an `Err`.

mod argocd;
mod argocd_appset;
mod az;
pub mod complete;
mod files;
mod flux;
mod gh;
mod gh_pr;
mod git;
mod git_blame;
mod git_branch;
mod git_rm;
mod kubectl;
mod kubectl_describe;
mod kubeseal;
mod kustomize;

pub use kubectl::pod_status;
pub mod shell;
pub mod table;
mod yq;

use crate::world::World;

/// What a command printed and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

impl CommandOutput {
    pub fn ok(stdout: impl Into<String>) -> Self {
        CommandOutput { stdout: stdout.into(), stderr: String::new(), exit_code: 0 }
    }

    pub fn err(stderr: impl Into<String>, exit_code: i32) -> Self {
        CommandOutput { stdout: String::new(), stderr: stderr.into(), exit_code }
    }

    /// Everything printed, as a terminal shows it (stdout, then stderr).
    pub fn text(&self) -> String {
        let mut t = self.stdout.clone();
        if !self.stderr.is_empty() {
            if !t.is_empty() && !t.ends_with('\n') {
                t.push('\n');
            }
            t.push_str(&self.stderr);
        }
        t
    }
}

/// The commands the terminal knows, for `help` and tab completion.
pub const COMMANDS: &[(&str, &str)] = &[
    ("kubectl", "get, describe, scale, apply -f, delete, set image, rollout status|undo|restart|history"),
    ("git", "status, add, commit, log, show, diff, push, pull, revert, remote, branch"),
    ("argocd", "app list|get|diff|sync|history|rollback|set|refresh|terminate-op|delete|wait, proj list|get, login, account get-user-info"),
    ("yq", "read or edit YAML in place: yq -i '.spec.replicas = 5' FILE"),
    ("kustomize", "build DIR, edit set image NAME=IMAGE:TAG"),
    ("flux", "get kustomizations|sources git, reconcile kustomization NAME [--with-source], suspend|resume kustomization NAME"),
    ("az acr", "repository show-tags --name REGISTRY --repository REPO, import: the container registry's tags"),
    ("gh", "run list, run view [ID] [--log]: the push pipeline's runs, where a lab has one"),
    ("cat, ls, cd, pwd", "look at the repository's files"),
    ("sleep N", "let N seconds of simulated time pass (also 2m, 1h)"),
    ("clear", "clear the terminal"),
];

/// Applies what the editor saved for `kubectl edit`.
pub fn save_edit(world: &mut World, target: &str, namespace: &str, content: &str) -> CommandOutput {
    kubectl::save_edit(world, target, namespace, content)
}

/// Runs one command line against the world.
pub fn run(world: &mut World, line: &str) -> CommandOutput {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return CommandOutput::default();
    }
    let words = match shell_words::split(line) {
        Ok(w) => w,
        Err(_) => {
            return CommandOutput::err("bash: unexpected EOF while looking for matching quote\n", 2);
        }
    };
    // `a && b` runs b only when a succeeds, as in bash.
    if let Some(pos) = words.iter().position(|w| w == "&&") {
        let first = shell_words::join(&words[..pos]);
        let rest = shell_words::join(&words[pos + 1..]);
        let a = run(world, &first);
        if a.exit_code != 0 {
            return a;
        }
        let b = run(world, &rest);
        return CommandOutput { stdout: a.stdout + &b.stdout, stderr: a.stderr + &b.stderr, exit_code: b.exit_code };
    }
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    match args[0] {
        "kubectl" | "k" => kubectl::run(world, &args[1..]),
        "git" => git::run(world, &args[1..]),
        "argocd" => argocd::run(world, &args[1..]),
        "yq" => yq::run(world, &args[1..]),
        "kustomize" => kustomize::run(world, &args[1..]),
        "gh" => gh::run(world, &args[1..]),
        "flux" => flux::run(world, &args[1..]),
        "az" => az::run(world, &args[1..]),
        "kubeseal" => kubeseal::run(world, &args[1..]),
        "cat" | "ls" | "cd" | "pwd" | "sleep" | "help" | "echo" | "clear" | "true" | "false" => shell::run(world, &args),
        other => CommandOutput::err(format!("bash: {other}: command not found\n"), 127),
    }
}

/// Splits `--flag=value` and `--flag value` forms. Returns the flag's value and
/// removes both from `args`.
pub(crate) fn take_flag(args: &mut Vec<String>, names: &[&str]) -> Option<String> {
    let mut i = 0;
    while i < args.len() {
        for name in names {
            if args[i] == *name && i + 1 < args.len() {
                let v = args.remove(i + 1);
                args.remove(i);
                return Some(v);
            }
            if let Some(v) = args[i].strip_prefix(&format!("{name}=")) {
                let v = v.to_string();
                args.remove(i);
                return Some(v);
            }
            // Short flags also take their value glued on: -npayments, -oyaml.
            if name.len() == 2
                && name.starts_with('-')
                && !name.starts_with("--")
                && args[i].starts_with(*name)
                && args[i].len() > 2
                && !args[i].starts_with("--")
            {
                let v = args[i][2..].to_string();
                args.remove(i);
                return Some(v);
            }
        }
        i += 1;
    }
    None
}

/// Removes a boolean flag; returns whether it was there.
pub(crate) fn take_switch(args: &mut Vec<String>, names: &[&str]) -> bool {
    let before = args.len();
    args.retain(|a| !names.contains(&a.as_str()) && !names.iter().any(|n| a == &format!("{n}=true")));
    before != args.len()
}
