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
mod git_stat;
mod helm;
mod kubectl;
pub(crate) mod kubectl_describe;
mod kubeseal;
mod kustomize;
mod pipe;
mod relative_time;

pub use crate::kube::printers::pod_status;
pub mod shell;
pub mod table;
pub mod tools;
mod yq;

pub use tools::{Route, TOOLS};

use crate::git::Signature;
use crate::model::Model;
use crate::time::{SimDuration, SimTime};

/// The terminal's shell state: where the trainee is and who they are to each tool.
#[derive(Clone, Debug)]
pub struct Shell {
    pub cwd: String,
    pub home: String,
    pub user: Signature,
    pub kube_namespace: String,
    /// Who `argocd` acts as, and when they logged in.
    pub argocd_user: String,
    pub argocd_login_at: SimTime,
}

/// What a command runs against: the model, the terminal's shell, and the
/// session's clock. A session implements it; commands never see the session
/// itself, so the terminal knows nothing of labs, steps or hosts.
pub trait Host {
    fn model(&self) -> &Model;
    fn model_mut(&mut self) -> &mut Model;
    fn shell(&self) -> &Shell;
    fn shell_mut(&mut self) -> &mut Shell;
    /// Lets the world react to what a command did (the session also looks at its steps).
    fn settle(&mut self);
    /// Lets simulated time pass (`sleep`, waiting commands); everything due happens.
    fn advance_to(&mut self, now: SimTime);
    /// When something next happens by itself.
    fn poll_timeout(&self) -> Option<SimTime>;
    /// A push reached a remote branch (`git push`).
    fn pushed(&mut self, repo: &str, branch: &str, old: Option<String>, new: String);
    /// `kubectl edit` asks the host to open an object's YAML in an editor.
    fn open_editor(&mut self, target: String, namespace: String, yaml: String);

    fn now(&self) -> SimTime {
        self.model().now()
    }

    /// Starts a sync and lets the world react.
    fn start_sync(&mut self, app: &str, req: crate::argo::SyncRequest) -> Result<(), String> {
        let result = self.model_mut().start_sync(app, req);
        self.settle();
        result
    }
}

/// Runs the world forward until `done` holds or `limit` passes; returns whether `done` held.
pub(crate) fn run_until(host: &mut dyn Host, limit: SimDuration, mut done: impl FnMut(&Model) -> bool) -> bool {
    let deadline = host.now() + limit;
    for _ in 0..100_000 {
        if done(host.model()) {
            return true;
        }
        let next = host.poll_timeout().filter(|t| *t <= deadline).unwrap_or(deadline);
        if next <= host.now() && host.now() >= deadline {
            return done(host.model());
        }
        host.advance_to(next.max(host.now() + SimDuration::millis(1)).min(deadline));
        if host.now() >= deadline {
            return done(host.model());
        }
    }
    done(host.model())
}

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

/// Applies what the editor saved for `kubectl edit`.
pub fn save_edit(world: &mut dyn Host, target: &str, namespace: &str, content: &str) -> CommandOutput {
    kubectl::save_edit(world, target, namespace, content)
}

/// Runs one command line against the world.
pub fn run(world: &mut dyn Host, line: &str) -> CommandOutput {
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
    // `a | grep b`: the first command's output goes through the filters (see `pipe`).
    if let Some(stages) = pipe::stages(&words) {
        if stages[0].is_empty() {
            return CommandOutput::err("bash: syntax error near unexpected token `|'\n", 2);
        }
        let first = run(world, &shell_words::join(&stages[0]));
        return pipe::filter(first, &stages[1..]);
    }
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    match tools::tool(args[0]) {
        Some(tool) => (tool.run)(world, &args),
        None => CommandOutput::err(format!("bash: {}: command not found\n", args[0]), 127),
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

/// Removes a boolean flag as Go's flag packages read it: `--name` is true, `--name=true` or
/// `--name=false` say which; a following word is never the flag's value.
pub(crate) fn take_bool(args: &mut Vec<String>, name: &str) -> Option<bool> {
    let position = args.iter().position(|a| a == name || a.starts_with(&format!("{name}=")))?;
    let arg = args.remove(position);
    match arg.split_once('=') {
        Some((_, value)) => Some(!matches!(value, "false" | "0" | "f" | "F" | "FALSE" | "False")),
        None => Some(true),
    }
}
