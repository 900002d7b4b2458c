//! The session: one trainee's run of a lab on top of a model. It dispatches
//! commands to the terminal, tracks the lab's steps and score, fires
//! incidents, keeps a comparison lab's push twin in step, and queues outputs
//! for its host.
//!
//! Hosts (the page, the terminal player, tests, servers) drive it sans-IO
//! style: `handle_input(now, input)`, `advance_to(now)`, `poll_timeout()` and
//! `poll_output()`, plus read-only views. Time is always passed in. Hosts never
//! change the model directly.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use crate::argo::Agent;
pub use crate::cli::Shell;
use crate::cli::{self, CommandOutput, Host, Route};
use crate::controllers::Cluster;
use crate::events::{Event, EventKind};
use crate::git::Git;
use crate::lab::{IncidentSpec, Lab, StepReport, Tracker};
use crate::model::{MAX_STEPS_PER_ADVANCE, Model};
use crate::time::{SimDuration, SimTime};

/// How long after its step becomes active a step's incident happens.
pub const STEP_INCIDENT_DELAY_SECS: u64 = 30;

/// Something a trainee, an instructor or the lab does to the world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Input {
    /// A line typed into the terminal.
    Command { line: String },
    /// A file saved from the editor panel, relative to the working copy.
    WriteFile { path: String, content: String },
    /// Apply the active step's reference solution and move on.
    SkipStep,
    /// Reveal the active step's next hint.
    Hint,
    /// Set off one of the lab's incidents (an instructor's button, or practice).
    Incident { id: String },
    /// The object `kubectl edit` opened, as saved from the editor (`target` as `deployment/name`).
    SaveEdit { target: String, namespace: String, content: String },
}

/// Something the world tells its host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Output {
    /// What a command printed, and its exit code.
    Terminal { command: String, text: String, exit_code: i32 },
    /// Something happened (for the timeline).
    Event { event: Event },
    /// A step's check was evaluated and its result changed, or it passed.
    Step { report: StepReport },
    /// A hint was revealed.
    Hint { step: String, level: usize, text: String },
    /// `kubectl edit` opened an object: the host shows its YAML in an editor and sends `SaveEdit`.
    Edit { target: String, namespace: String, yaml: String },
    /// An incident happened: the page shows a banner, the terminal a line.
    Incident { id: String, title: String },
    /// What the same command printed in the push-pipeline twin of a comparison lab.
    TwinTerminal { command: String, text: String, exit_code: i32 },
    /// Something happened in the push-pipeline twin.
    TwinEvent { event: Event },
}

/// One trainee's session: the model, the terminal, the lab's steps and incidents.
#[derive(Clone, Debug)]
pub struct Session {
    model: Model,
    shell: Shell,
    /// How many journal events have been handed to the host.
    published: usize,
    tracker: Option<Tracker>,
    /// What `kubectl edit` asked the host to open.
    pending_edit: Option<(String, String, String)>,
    /// The lab's incidents, and the ones still to fire by themselves (time, id), soonest first.
    incidents: Vec<IncidentSpec>,
    pending_incidents: Vec<(SimTime, String)>,
    /// In a comparison lab, the same world deployed by a push pipeline instead of the agent;
    /// it receives the same inputs.
    twin: Option<Box<Session>>,
    outputs: VecDeque<Output>,
}

/// The most incidents one instant may fire: a bound on follow-up chains with no delay.
pub const MAX_INCIDENTS_PER_INSTANT: usize = 64;

/// The name hosts have always used for a session.
pub type World = Session;

impl Session {
    /// Builds a lab's starting session from a seed.
    pub fn new(seed: u64, lab: &Lab) -> Result<Session, String> {
        let mut session = Session::without_twin(seed, lab)?;
        if let Some(spec) = &lab.world.push_twin {
            let mut push = lab.clone();
            push.world.applications.clear();
            push.world.pipeline = Some(spec.clone());
            push.world.push_twin = None;
            push.steps.clear();
            let mut twin = Session::without_twin(seed, &push).map_err(|e| format!("world.pushTwin: {e}"))?;
            // The twin's incidents are set off together with this world's; it has no steps.
            twin.tracker = None;
            twin.settle();
            session.twin = Some(Box::new(twin));
        }
        let start = lab.start_time();
        session.incidents = lab.incidents.clone();
        session.pending_incidents = lab.incidents.iter().filter_map(|i| Some((i.fires_at(start)?, i.id.clone()))).collect();
        session.pending_incidents.sort();
        let tracker = Tracker::new(lab);
        if let Some(id) = tracker.active_incident() {
            session.pending_incidents.push((start + SimDuration::secs(STEP_INCIDENT_DELAY_SECS), id));
            session.pending_incidents.sort();
        }
        session.tracker = Some(tracker);
        session.settle();
        Ok(session)
    }

    /// A session with no lab: a model and a shell, with no steps, incidents or twin.
    pub fn over(model: Model, shell: Shell) -> Session {
        Session {
            model,
            shell,
            published: 0,
            tracker: None,
            pending_edit: None,
            incidents: Vec::new(),
            pending_incidents: Vec::new(),
            twin: None,
            outputs: VecDeque::new(),
        }
    }

    /// A session over the lab's model and shell, with no twin, steps or incidents yet.
    fn without_twin(seed: u64, lab: &Lab) -> Result<Session, String> {
        let model = Model::bootstrap(seed, &crate::lab::bootstrap(lab)?)?;
        let shell = crate::lab::shell(lab)?;
        Ok(Session {
            model,
            shell,
            published: 0,
            tracker: None,
            pending_edit: None,
            incidents: Vec::new(),
            pending_incidents: Vec::new(),
            twin: None,
            outputs: VecDeque::new(),
        })
    }

    pub fn now(&self) -> SimTime {
        self.model.now()
    }

    /// The model under this session, read-only.
    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn cluster(&self) -> &Cluster {
        self.model.cluster()
    }

    pub fn git(&self) -> &Git {
        self.model.git()
    }

    pub fn agent(&self) -> &Agent {
        self.model.agent()
    }

    pub fn registry(&self) -> &crate::registry::Registry {
        self.model.registry()
    }

    pub fn flux(&self) -> &crate::flux::Flux {
        self.model.flux()
    }

    pub fn pipeline(&self) -> Option<&crate::pipeline::Pipeline> {
        self.model.pipeline()
    }

    /// The push-pipeline twin of a comparison lab.
    pub fn twin(&self) -> Option<&Session> {
        self.twin.as_deref()
    }

    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    /// How many times a bounded loop ran out of rounds (zero in a healthy world).
    pub fn stuck_loops(&self) -> usize {
        self.model.stuck_loops()
    }

    pub fn journal(&self) -> &[Event] {
        self.model.journal()
    }

    pub fn tracker(&self) -> Option<&Tracker> {
        self.tracker.as_ref()
    }

    /// The prompt the terminal shows, such as `trainee@gitops-lab:~/gitops-config$ `.
    pub fn prompt(&self) -> String {
        let dir = match self.shell.cwd.strip_prefix(&self.shell.home) {
            Some(rest) => format!("~{rest}"),
            None => self.shell.cwd.clone(),
        };
        format!("trainee@gitops-lab:{dir}$ ")
    }

    /// Handles one input at `now` (which must not be before the session's time).
    pub fn handle_input(&mut self, now: SimTime, input: Input) {
        self.advance_to(now);
        if let Some(twin) = self.twin.as_mut() {
            let forwarded: Vec<Input> = match &input {
                Input::SkipStep => self
                    .tracker
                    .as_ref()
                    .and_then(|t| t.active_solution())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|line| cli::tools::route(line) != Route::ThisWorld)
                    .map(|line| Input::Command { line })
                    .collect(),
                Input::Hint => Vec::new(),
                Input::Command { line } if cli::tools::route(line) == Route::ThisWorld => Vec::new(),
                // The twin's incidents are set off with this world's (see `fire_incident`).
                Input::Incident { .. } => Vec::new(),
                // Files are saved in the shared repository.
                Input::WriteFile { .. } => Vec::new(),
                other => vec![other.clone()],
            };
            for i in forwarded {
                twin.handle_input(now, i);
            }
            self.collect_twin_outputs();
        }
        match input {
            // A push-pipeline command (`gh`) is answered by the twin, which has the pipeline.
            Input::Command { line } if self.twin.is_some() && cli::tools::route(&line) == Route::TwinOnly => {
                let position = self.outputs.iter().rposition(|o| matches!(o, Output::TwinTerminal { .. }));
                if let Some(Output::TwinTerminal { command, text, exit_code }) = position.and_then(|p| self.outputs.remove(p)) {
                    let out = CommandOutput { stdout: text.clone(), stderr: String::new(), exit_code };
                    self.record_command(&line, &out);
                    self.outputs.push_back(Output::Terminal { command, text, exit_code });
                }
            }
            Input::Command { line } => {
                // What the command prints comes before anything it caused (a step passing, say).
                let position = self.outputs.len();
                let out = cli::run(self, &line);
                self.record_command(&line, &out);
                // The twin's answer is worth showing only where it differs.
                let text = out.text();
                self.outputs.retain(|o| !matches!(o, Output::TwinTerminal { command, text: t, .. } if *command == line && *t == text));
                let position = position.min(self.outputs.len());
                self.outputs.insert(position, Output::Terminal { command: line, text, exit_code: out.exit_code });
                if let Some((target, namespace, yaml)) = self.pending_edit.take() {
                    self.outputs.push_back(Output::Edit { target, namespace, yaml });
                }
            }
            Input::WriteFile { path, content } => {
                let git = self.model.git_mut();
                if let Some(i) = git.clone_at(&self.shell.cwd).or(if git.clones.is_empty() { None } else { Some(0) }) {
                    let rel = path.trim_start_matches('/').to_string();
                    git.clones[i].worktree.insert(rel, content);
                }
            }
            Input::SkipStep => {
                if let Some(commands) = self.tracker.as_ref().and_then(|t| t.active_solution()) {
                    let index = self.tracker.as_ref().map(|t| t.active()).unwrap_or_default();
                    for line in commands {
                        let out = cli::run(self, &line);
                        self.record_command(&line, &out);
                        self.outputs.push_back(Output::Terminal { command: line, text: out.text(), exit_code: out.exit_code });
                        self.settle();
                    }
                    let now = self.now();
                    if let Some(t) = self.tracker.as_mut() {
                        t.mark_skipped(index, now);
                    }
                }
            }
            Input::Hint => {
                if let Some((step, level, text)) = self.tracker.as_mut().and_then(|t| t.next_hint()) {
                    self.outputs.push_back(Output::Hint { step, level, text });
                }
            }
            Input::Incident { id } => self.fire_incident(&id),
            Input::SaveEdit { target, namespace, content } => {
                let line = format!("kubectl edit {target} -n {namespace}");
                let out = cli::save_edit(self, &target, &namespace, &content);
                self.outputs.push_back(Output::Terminal { command: line, text: out.text(), exit_code: out.exit_code });
            }
        }
        self.settle();
        if let Some(twin) = self.twin.as_mut() {
            twin.model.share_git(self.model.git());
            twin.shell.cwd = self.shell.cwd.clone();
        }
    }

    /// Runs every timer, controller and incident due up to `now`.
    pub fn advance_to(&mut self, now: SimTime) {
        for _ in 0..MAX_STEPS_PER_ADVANCE {
            match self.poll_timeout() {
                Some(t) if t <= now => {
                    // A comparison lab's twin moves in step, so both worlds' events keep their times.
                    if let Some(twin) = self.twin.as_mut() {
                        twin.advance_to(t);
                        self.collect_twin_outputs();
                    }
                    self.model.move_clock_to(t);
                    self.settle();
                    self.fire_due_incidents();
                }
                _ => break,
            }
        }
        if let Some(twin) = self.twin.as_mut() {
            twin.advance_to(now);
            self.collect_twin_outputs();
        }
        self.model.move_clock_to(now);
        self.settle();
    }

    /// When something next happens by itself.
    pub fn poll_timeout(&self) -> Option<SimTime> {
        [self.model.next_timer(), self.pending_incidents.first().map(|(t, _)| *t), self.twin.as_ref().and_then(|t| t.poll_timeout())]
            .into_iter()
            .flatten()
            .min()
    }

    /// The lab's incidents, for an instructor's or a trainee's buttons.
    pub fn incidents(&self) -> &[IncidentSpec] {
        &self.incidents
    }

    fn fire_due_incidents(&mut self) {
        for _ in 0..MAX_INCIDENTS_PER_INSTANT {
            match self.pending_incidents.first().cloned() {
                Some((at, id)) if at <= self.now() => {
                    self.pending_incidents.remove(0);
                    self.fire_incident(&id);
                }
                _ => return,
            }
        }
        // A chain of follow-ups with no delay that comes back to itself (which `check` refuses)
        // would fire for ever at one instant: the rest of this instant's incidents are dropped.
        let now = self.now();
        if self.pending_incidents.first().is_some_and(|(at, _)| *at <= now) {
            self.pending_incidents.retain(|(at, _)| *at > now);
            self.model.record_stuck_loop();
        }
    }

    /// Runs an incident's commands as someone other than the trainee; in a comparison lab,
    /// the push world's commands (or the `kubectl` ones) run in the twin.
    fn fire_incident(&mut self, id: &str) {
        let Some(incident) = self.incidents.iter().find(|i| i.id == id).cloned() else { return };
        if let Some(twin) = self.twin.as_mut() {
            let mut for_twin = incident.clone();
            if for_twin.push_commands.is_empty() {
                for_twin.push_commands = incident.commands.iter().filter(|c| cli::tools::route(c) == Route::Both).cloned().collect();
            }
            for_twin.followed_by = None;
            if !for_twin.push_commands.is_empty() {
                twin.incidents = vec![for_twin];
                twin.fire_incident(id);
            }
            self.collect_twin_outputs();
        }
        let now = self.now();
        if let Some(next) = &incident.followed_by {
            self.pending_incidents.push((now + SimDuration::secs(next.after_seconds), next.incident.clone()));
            self.pending_incidents.sort();
        }
        self.model.record(EventKind::Incident { name: incident.title.clone() });
        if let Some(down) = incident.repo_unreachable {
            self.model.set_remotes_unreachable(down);
        }
        if let Some(node) = incident.node_down.as_deref() {
            self.model.stop_node(node);
        }
        if let Some(node) = incident.node_up.as_deref() {
            self.model.start_node(node);
        }
        self.outputs.push_back(Output::Incident { id: incident.id.clone(), title: incident.title.clone() });
        let shell = self.shell.clone();
        // Incidents run from the repository's folder, whatever the trainee's current one.
        self.shell.cwd = self.model.git().clones.first().map(|c| c.dir.clone()).unwrap_or_else(|| self.shell.home.clone());
        if let Some(actor) = incident.actor.as_deref().and_then(|a| crate::lab::parse_signature(a, now)) {
            self.shell.user = actor;
        }
        let commands = if self.model.pipeline().is_some() && !incident.push_commands.is_empty() {
            &incident.push_commands
        } else {
            &incident.commands
        };
        for line in commands {
            let _ = cli::run(self, line);
            Session::settle(self);
        }
        self.shell = shell;
    }

    /// The twin's outputs, tagged as the twin's.
    fn collect_twin_outputs(&mut self) {
        let Some(twin) = self.twin.as_mut() else { return };
        while let Some(out) = twin.poll_output() {
            match out {
                Output::Terminal { command, text, exit_code } => self.outputs.push_back(Output::TwinTerminal { command, text, exit_code }),
                Output::Event { event } => self.outputs.push_back(Output::TwinEvent { event }),
                _ => {}
            }
        }
    }

    /// The next output for the host, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Compares every app with the cluster now (one full comparison pass).
    pub fn compare_all(&mut self) {
        let now = self.now();
        self.model.agent_mut().refresh_all(now);
        self.settle();
    }

    /// Tells the agents about a push and records it; the push twin, which shares this
    /// repository, sees it too.
    fn pushed(&mut self, repo: &str, branch: &str, old: Option<String>, new: String) {
        self.model.pushed(repo, branch, old, new);
        self.forward_pushes();
    }

    /// Pushes made in this world reach the push twin's pipeline.
    fn forward_pushes(&mut self) {
        let pushes = self.model.take_pushes();
        let Some(twin) = self.twin.as_mut() else { return };
        for push in pushes {
            twin.model.share_git(self.model.git());
            twin.pushed(&push.repo, &push.branch, None, push.new);
            twin.settle();
        }
        self.collect_twin_outputs();
    }

    /// Lets the model react to everything that happened now, then looks at the lab's steps
    /// and hands the journal's new events to the host.
    fn settle(&mut self) {
        self.model.settle();
        self.forward_pushes();
        self.evaluate_steps();
        while self.published < self.model.journal().len() {
            let event = self.model.journal()[self.published].clone();
            self.published += 1;
            self.outputs.push_back(Output::Event { event });
        }
    }

    fn record_command(&mut self, line: &str, out: &CommandOutput) {
        let tool = shell_words::split(line).ok().and_then(|w| w.first().cloned()).unwrap_or_default();
        self.model.record(EventKind::Command { line: line.to_string(), tool, exit_code: out.exit_code });
    }

    fn evaluate_steps(&mut self) {
        let Some(mut tracker) = self.tracker.take() else {
            return;
        };
        let before = tracker.active();
        let reports = tracker.evaluate(&*self);
        for r in reports {
            if r.passed {
                self.model.record(EventKind::StepPassed { step: r.step.clone() });
            }
            self.outputs.push_back(Output::Step { report: r });
        }
        // A step that starts with an incident schedules it.
        if tracker.active() != before {
            if let Some(id) = tracker.active_incident() {
                self.pending_incidents.push((self.now() + SimDuration::secs(STEP_INCIDENT_DELAY_SECS), id));
                self.pending_incidents.sort();
            }
        }
        self.tracker = Some(tracker);
    }

    /// Every step's current report, for status panels and `gitops-lab play`.
    pub fn step_reports(&self) -> Vec<StepReport> {
        self.tracker.as_ref().map(|t| t.reports(self)).unwrap_or_default()
    }
}

impl Host for Session {
    fn model(&self) -> &Model {
        &self.model
    }

    fn model_mut(&mut self) -> &mut Model {
        &mut self.model
    }

    fn shell(&self) -> &Shell {
        &self.shell
    }

    fn shell_mut(&mut self) -> &mut Shell {
        &mut self.shell
    }

    fn settle(&mut self) {
        Session::settle(self);
    }

    fn advance_to(&mut self, now: SimTime) {
        Session::advance_to(self, now);
    }

    fn poll_timeout(&self) -> Option<SimTime> {
        Session::poll_timeout(self)
    }

    fn pushed(&mut self, repo: &str, branch: &str, old: Option<String>, new: String) {
        Session::pushed(self, repo, branch, old, new);
    }

    fn open_editor(&mut self, target: String, namespace: String, yaml: String) {
        self.pending_edit = Some((target, namespace, yaml));
    }
}

impl crate::lab::Observed for Session {
    fn model(&self) -> &Model {
        &self.model
    }

    fn argocd_user(&self) -> &str {
        &self.shell.argocd_user
    }

    fn push_world(&self) -> Option<&dyn crate::lab::Observed> {
        self.twin.as_deref().map(|t| t as &dyn crate::lab::Observed)
    }
}
