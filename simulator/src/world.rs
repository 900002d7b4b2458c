//! The world: one deterministic state machine holding a cluster, Git, the
//! agent, the terminal's shell and the lab's step tracker.
//!
//! Hosts drive it sans-IO style: `handle_input(now, input)`, `advance_to(now)`,
//! `poll_timeout()` and `poll_output()`. Time is always passed in.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

use crate::argo::{Agent, SyncRequest};
use crate::cli::{self, CommandOutput};
use crate::controllers::Cluster;
use crate::events::{Event, EventKind};
use crate::git::{Git, Signature};
use crate::lab::{Lab, StepReport, Tracker};
use crate::rng::SimRng;
use crate::time::{SimDuration, SimTime};

/// The most timer firings one `advance_to` may process; a world needing more is stuck.
const MAX_STEPS_PER_ADVANCE: usize = 1_000_000;
/// How long after its step becomes active a step's incident happens.
pub const STEP_INCIDENT_DELAY_SECS: u64 = 30;
/// The most settle rounds between cluster and agent at one instant.
const MAX_ROUNDS_PER_INSTANT: usize = 32;

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

/// Which world of a comparison lab a command is for. Both worlds share one
/// repository (the twin's Git mirrors the pull world's after every input), so
/// only commands about a cluster go to both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// `git`, files, `argocd`: the shared repository, or the agent only the pull world has.
    ThisWorld,
    /// `gh`: only the push world has a pipeline.
    TwinOnly,
    /// `kubectl`: each world has its own cluster.
    Both,
}

impl Route {
    fn of(line: &str) -> Route {
        match line.split_whitespace().next() {
            // `sleep` is not forwarded: this world's clock drives the twin's, in step.
            Some("kubectl" | "k") => Route::Both,
            Some("gh") => Route::TwinOnly,
            _ => Route::ThisWorld,
        }
    }
}

/// The terminal's shell state.
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

/// A simulated world.
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) now: SimTime,
    pub(crate) rng: SimRng,
    pub(crate) cluster: Cluster,
    pub(crate) git: Git,
    pub(crate) agent: Agent,
    pub(crate) shell: Shell,
    pub(crate) journal: Vec<Event>,
    published: usize,
    pub(crate) tracker: Option<Tracker>,
    pub(crate) rbac: crate::argo::rbac::Enforcer,
    pub(crate) rbac_users: Vec<String>,
    /// The push pipeline, in a world deployed by one.
    pub(crate) pipeline: Option<crate::pipeline::Pipeline>,
    /// The container registry's tags, and Argo CD Image Updater where a lab runs it.
    pub(crate) registry: crate::registry::Registry,
    pub(crate) image_updater: Option<crate::argo::image_updater::ImageUpdater>,
    /// Flux's controllers (idle unless the cluster holds Flux objects).
    pub(crate) flux: crate::flux::Flux,
    /// What `kubectl edit` asked the host to open.
    pub(crate) pending_edit: Option<(String, String, String)>,
    /// The lab's incidents, and the ones still to fire by themselves (time, id), soonest first.
    pub(crate) incidents: Vec<crate::lab::IncidentSpec>,
    pub(crate) pending_incidents: Vec<(SimTime, String)>,
    /// In a comparison lab, the same world deployed by a push pipeline instead of the agent;
    /// it receives the same inputs.
    pub(crate) twin: Option<Box<World>>,
    /// How often a loop hit its bound: a stuck world, which tests treat as a failure.
    stuck_loops: usize,
    outputs: VecDeque<Output>,
}

impl World {
    /// An empty world with the given parts; labs build on this.
    pub(crate) fn from_parts(now: SimTime, rng: SimRng, cluster: Cluster, git: Git, agent: Agent, shell: Shell) -> Self {
        World {
            now,
            rng,
            cluster,
            git,
            agent,
            shell,
            journal: Vec::new(),
            published: 0,
            tracker: None,
            rbac: Default::default(),
            rbac_users: Vec::new(),
            pipeline: None,
            flux: Default::default(),
            registry: Default::default(),
            image_updater: None,
            incidents: Vec::new(),
            pending_incidents: Vec::new(),
            pending_edit: None,
            twin: None,
            stuck_loops: 0,
            outputs: VecDeque::new(),
        }
    }

    /// Builds a lab's starting world from a seed.
    pub fn new(seed: u64, lab: &Lab) -> Result<World, String> {
        crate::lab::build_world(seed, lab)
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    pub fn git(&self) -> &Git {
        &self.git
    }

    pub fn agent(&self) -> &Agent {
        &self.agent
    }

    pub fn registry(&self) -> &crate::registry::Registry {
        &self.registry
    }

    pub fn flux(&self) -> &crate::flux::Flux {
        &self.flux
    }

    pub fn pipeline(&self) -> Option<&crate::pipeline::Pipeline> {
        self.pipeline.as_ref()
    }

    /// The push-pipeline twin of a comparison lab.
    pub fn twin(&self) -> Option<&World> {
        self.twin.as_deref()
    }

    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    /// How many times a bounded loop ran out of rounds (zero in a healthy world).
    pub fn stuck_loops(&self) -> usize {
        self.stuck_loops
    }

    pub fn journal(&self) -> &[Event] {
        &self.journal
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

    /// Handles one input at `now` (which must not be before the world's time).
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
                    .filter(|line| Route::of(line) != Route::ThisWorld)
                    .map(|line| Input::Command { line })
                    .collect(),
                Input::Hint => Vec::new(),
                Input::Command { line } if Route::of(line) == Route::ThisWorld => Vec::new(),
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
            Input::Command { line } if self.twin.is_some() && Route::of(&line) == Route::TwinOnly => {
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
                if let Some(i) = self.git.clone_at(&self.shell.cwd).or(if self.git.clones.is_empty() { None } else { Some(0) }) {
                    let rel = path.trim_start_matches('/').to_string();
                    self.git.clones[i].worktree.insert(rel, content);
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
                    let now = self.now;
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
            twin.git = self.git.clone();
            twin.shell.cwd = self.shell.cwd.clone();
        }
    }

    /// Runs every timer and controller due up to `now`.
    pub fn advance_to(&mut self, now: SimTime) {
        for _ in 0..MAX_STEPS_PER_ADVANCE {
            match self.poll_timeout() {
                Some(t) if t <= now => {
                    // A comparison lab's twin moves in step, so both worlds' events keep their times.
                    if let Some(twin) = self.twin.as_mut() {
                        twin.advance_to(t);
                        self.collect_twin_outputs();
                    }
                    self.now = t.max(self.now);
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
        if now > self.now {
            self.now = now;
        }
        self.settle();
    }

    /// When something next happens by itself.
    pub fn poll_timeout(&self) -> Option<SimTime> {
        [
            self.cluster.next_timer(),
            self.agent.next_timer(),
            self.pipeline.as_ref().and_then(|p| p.next_timer()),
            self.flux.next_timer(),
            self.image_updater.as_ref().and_then(|u| u.next_timer()),
            self.pending_incidents.first().map(|(t, _)| *t),
            self.twin.as_ref().and_then(|t| t.poll_timeout()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The lab's incidents, for an instructor's or a trainee's buttons.
    pub fn incidents(&self) -> &[crate::lab::IncidentSpec] {
        &self.incidents
    }

    fn fire_due_incidents(&mut self) {
        while let Some((at, id)) = self.pending_incidents.first().cloned() {
            if at > self.now {
                break;
            }
            self.pending_incidents.remove(0);
            self.fire_incident(&id);
        }
    }

    /// A node by name, or for `any` the first node that runs a pod outside kube-system.
    fn node_named(&self, name: &str) -> Option<String> {
        if name != "any" {
            return self.cluster.nodes.iter().find(|n| *n == name).cloned();
        }
        let busy: std::collections::BTreeSet<&str> = self
            .cluster
            .store
            .list("", "Pod", None)
            .filter(|p| crate::kube::meta::namespace(p) != "kube-system")
            .filter_map(|p| crate::kube::meta::str_at(p, &["spec", "nodeName"]))
            .collect();
        self.cluster.nodes.iter().find(|n| busy.contains(n.as_str())).cloned()
    }

    /// Runs an incident's commands as someone other than the trainee; in a comparison lab,
    /// the push world's commands (or the `kubectl` ones) run in the twin.
    fn fire_incident(&mut self, id: &str) {
        let Some(incident) = self.incidents.iter().find(|i| i.id == id).cloned() else { return };
        if let Some(twin) = self.twin.as_mut() {
            let mut for_twin = incident.clone();
            if for_twin.push_commands.is_empty() {
                for_twin.push_commands = incident.commands.iter().filter(|c| Route::of(c) == Route::Both).cloned().collect();
            }
            for_twin.followed_by = None;
            if !for_twin.push_commands.is_empty() {
                twin.incidents = vec![for_twin];
                twin.fire_incident(id);
            }
            self.collect_twin_outputs();
        }
        if let Some(next) = &incident.followed_by {
            self.pending_incidents.push((self.now + SimDuration::secs(next.after_seconds), next.incident.clone()));
            self.pending_incidents.sort();
        }
        self.journal.push(Event { at: self.now, kind: EventKind::Incident { name: incident.title.clone() } });
        if let Some(down) = incident.repo_unreachable {
            for remote in self.git.remotes.values_mut() {
                remote.unreachable = down;
            }
        }
        if let Some(node) = incident.node_down.as_deref().and_then(|n| self.node_named(n)) {
            self.cluster.node_health.stop(&node, self.now);
        }
        let back = |w: &World, n: &str| if n == "any" { w.cluster.node_health.down.keys().next().cloned() } else { w.node_named(n) };
        if let Some(node) = incident.node_up.as_deref().and_then(|n| back(self, n)) {
            self.cluster.node_health.start(&node, &mut self.cluster.store, self.now);
        }
        self.outputs.push_back(Output::Incident { id: incident.id.clone(), title: incident.title.clone() });
        let shell = self.shell.clone();
        // Incidents run from the repository's folder, whatever the trainee's current one.
        self.shell.cwd = self.git.clones.first().map(|c| c.dir.clone()).unwrap_or_else(|| self.shell.home.clone());
        if let Some(actor) = incident.actor.as_deref().and_then(|a| crate::lab::parse_signature(a, self.now)) {
            self.shell.user = actor;
        }
        let commands =
            if self.pipeline.is_some() && !incident.push_commands.is_empty() { &incident.push_commands } else { &incident.commands };
        for line in commands {
            let _ = cli::run(self, line);
            self.settle();
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

    /// Runs the world forward until `done` holds or `limit` passes; returns whether `done` held.
    pub(crate) fn run_until(&mut self, limit: SimDuration, mut done: impl FnMut(&World) -> bool) -> bool {
        let deadline = self.now + limit;
        for _ in 0..100_000 {
            if done(self) {
                return true;
            }
            let next = self.poll_timeout().filter(|t| *t <= deadline).unwrap_or(deadline);
            if next <= self.now && self.now >= deadline {
                return done(self);
            }
            self.advance_to(next.max(self.now + SimDuration::millis(1)).min(deadline));
            if self.now >= deadline {
                return done(self);
            }
        }
        done(self)
    }

    /// Compares every app with the cluster now (one full comparison pass).
    pub fn compare_all(&mut self) {
        let now = self.now;
        self.agent.refresh_all(now);
        self.settle();
    }

    /// Starts a sync, as `argocd app sync` and the lab's bootstrap do.
    pub(crate) fn start_sync(&mut self, app: &str, req: SyncRequest) -> Result<(), String> {
        let World { agent, cluster, git, rng, journal, now, .. } = self;
        let r = agent.start_sync(app, req, *now, cluster, git, rng, journal);
        self.settle();
        r
    }

    /// Tells the agent about a push (webhook) and records it.
    pub(crate) fn pushed(&mut self, repo: &str, branch: &str, old: Option<String>, new: String) {
        self.journal
            .push(Event { at: self.now, kind: EventKind::Push { repo: repo.into(), branch: branch.into(), old, new: new.clone() } });
        let World { agent, journal, now, pipeline, git, .. } = self;
        agent.on_push(repo, branch, *now, journal);
        if let Some(p) = pipeline.as_mut() {
            p.on_push(repo, branch, &new, git, *now, journal);
        }
        // The push world shares this repository: it sees the push too.
        if let Some(twin) = self.twin.as_mut() {
            twin.git = self.git.clone();
            twin.pushed(repo, branch, None, new);
            twin.settle();
            self.collect_twin_outputs();
        }
    }

    /// Lets controllers and the agent react to everything that happened at `now`.
    pub(crate) fn settle(&mut self) {
        let mut settled = false;
        for _ in 0..MAX_ROUNDS_PER_INSTANT {
            if self.cluster.settle(self.now, &mut self.rng) >= crate::controllers::MAX_SETTLE_PASSES {
                self.stuck_loops += 1;
            }
            let events = self.cluster.store.drain_events();
            self.agent.observe(&events, &self.cluster.store, self.now, &mut self.journal);
            self.agent.discover(&self.cluster, self.now, &mut self.rng);
            let mut worked = self.agent.run_due(self.now, &mut self.cluster, &self.git, &mut self.rng, &mut self.journal);
            if let Some(p) = self.pipeline.as_mut() {
                worked |= p.run_due(self.now, &mut self.cluster, &self.git, &mut self.rng, &mut self.journal);
            }
            if let Some(updater) = self.image_updater.as_mut() {
                let written = updater.run_due(self.now, &self.cluster, &mut self.git, &self.registry);
                for w in written {
                    self.journal.push(Event {
                        at: self.now,
                        kind: EventKind::ImageUpdated {
                            app: w.app.clone(),
                            image: w.image.clone(),
                            from: w.from.clone(),
                            to: w.to.clone(),
                        },
                    });
                    self.pushed(&w.repo, &w.branch, Some(w.old), w.new);
                    worked = true;
                }
            }
            self.flux.discover(&self.cluster, self.now);
            worked |= self.flux.run_due(self.now, &mut self.cluster, &self.git, &mut self.rng, &mut self.journal);
            worked |= crate::sealed_secrets::reconcile(&mut self.cluster, self.now, &mut self.rng);
            worked |= crate::argo::applicationset::reconcile(&mut self.cluster, &self.git, self.now, &mut self.rng);
            if !worked && self.cluster.next_timer().is_none_or(|t| t > self.now) {
                settled = true;
                break;
            }
        }
        if !settled {
            self.stuck_loops += 1;
        }
        self.agent.publish(&mut self.cluster, self.now);
        self.flux.publish(&mut self.cluster, self.now);
        self.cluster.store.drain_events();
        self.evaluate_steps();
        while self.published < self.journal.len() {
            let event = self.journal[self.published].clone();
            self.published += 1;
            self.outputs.push_back(Output::Event { event });
        }
    }

    fn record_command(&mut self, line: &str, out: &CommandOutput) {
        let tool = shell_words::split(line).ok().and_then(|w| w.first().cloned()).unwrap_or_default();
        self.journal.push(Event { at: self.now, kind: EventKind::Command { line: line.to_string(), tool, exit_code: out.exit_code } });
    }

    fn evaluate_steps(&mut self) {
        let Some(mut tracker) = self.tracker.take() else {
            return;
        };
        let before = tracker.active();
        let reports = tracker.evaluate(self);
        for r in reports {
            if r.passed {
                self.journal.push(Event { at: self.now, kind: EventKind::StepPassed { step: r.step.clone() } });
            }
            self.outputs.push_back(Output::Step { report: r });
        }
        // A step that starts with an incident schedules it.
        if tracker.active() != before {
            if let Some(id) = tracker.active_incident() {
                self.pending_incidents.push((self.now + SimDuration::secs(STEP_INCIDENT_DELAY_SECS), id));
                self.pending_incidents.sort();
            }
        }
        self.tracker = Some(tracker);
    }

    /// Moves the clock to `to` without running anything in between; only for
    /// building a lab's world, where nothing happens between install and start.
    pub(crate) fn fast_forward_idle(&mut self, to: SimTime) {
        if to > self.now {
            self.now = to;
            let World { agent, rng, now, flux, .. } = self;
            agent.reschedule_polls(*now, rng);
            flux.reschedule(*now);
        }
    }

    /// Forgets the journal (the lab's bootstrap is not part of the lab).
    pub(crate) fn journal_reset(&mut self) {
        self.journal.clear();
        self.published = 0;
        self.outputs.clear();
    }

    /// Every step's current report, for status panels and `gitops-lab play`.
    pub fn step_reports(&self) -> Vec<StepReport> {
        self.tracker.as_ref().map(|t| t.reports(self)).unwrap_or_default()
    }
}
