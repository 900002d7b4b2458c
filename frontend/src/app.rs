//! The lab page: guide, terminal, file editor and status panel over one world.

use gloo_timers::callback::Interval;
use simulator::content;
use simulator::lab::Lab;
use simulator::{Input, Output, SimDuration, World};
use yew::prelude::*;

use crate::panels;
use crate::terminal::{Line, LineKind, Terminal};

/// How often the page advances the simulated clock.
const TICK_MS: u32 = 200;
/// Lines kept in the terminal's scroll-back.
const SCROLLBACK: usize = 2000;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lab: AttrValue,
    /// A lab built in the page (a sandbox over an uploaded folder) instead of a built-in one.
    #[prop_or_default]
    pub custom: Option<std::rc::Rc<Lab>>,
}

pub enum Msg {
    Tick,
    Command(String),
    Clear,
    /// Set off one of the lab's incidents (practice, or an instructor's demonstration).
    Incident(String),
    DismissIncident,
    /// Save what `kubectl edit` opened, or cancel it (`None`).
    SaveEdit(Option<String>),
    /// Tab found several completions: list them, as a shell does.
    Candidates(Vec<String>),
    SetSpeed(u32),
    NextEvent,
    /// Jump to the agent's next poll of Git.
    NextReconcile,
    /// Commit the working copy's changes with this message and push, from the editor.
    CommitAndPush(String),
    Hint,
    Skip,
    OpenFile(String),
    SaveFile(String, String),
    /// Show an object's YAML and diff, or a commit's patch.
    Select(panels::Selected),
    CloseDetail,
    Reset,
}

pub struct App {
    lab: Option<Lab>,
    seed: u64,
    world: Option<World>,
    error: Option<String>,
    lines: Vec<Line>,
    events: Vec<panels::TimelineEntry>,
    speed: u32,
    last_tick: f64,
    open_file: Option<String>,
    /// Every input so far, for saving progress; `None` for labs that are not kept (sandboxes).
    replay: Option<simulator::replay::Replay>,
    ticks: u32,
    selected: Option<panels::Selected>,
    /// What Tab completes, refreshed after every input and every few ticks.
    completion: std::rc::Rc<simulator::cli::complete::CompletionData>,
    /// The object `kubectl edit` opened: (target, namespace, YAML).
    editing: Option<(String, String, String)>,
    /// The latest incident, shown as a banner until dismissed.
    incident_banner: Option<String>,
    _clock: Interval,
}

impl App {
    fn start(lab: &Lab, seed: u64) -> Result<World, String> {
        World::new(seed, lab)
    }

    /// Gives the world an input at its current time, records it and saves progress.
    fn apply(&mut self, input: Input) {
        let Some(world) = self.world.as_mut() else { return };
        let now = world.now();
        if let Some(r) = self.replay.as_mut() {
            r.inputs.push((now, input.clone()));
        }
        world.handle_input(now, input);
        self.save();
        self.refresh_completion();
    }

    fn save(&self) {
        if let (Some(replay), Some(world)) = (&self.replay, &self.world) {
            crate::progress::save(&replay.lab, &crate::progress::Saved { replay: replay.clone(), now: world.now() });
            let reports = world.step_reports();
            let status = crate::status::LabStatus { passed: reports.iter().filter(|r| r.passed).count(), steps: reports.len() };
            crate::status::save_lab(&replay.lab, &status);
        }
    }

    /// Replays saved inputs, rebuilding the terminal as it was.
    fn resume(&mut self, saved: crate::progress::Saved) {
        for (at, input) in &saved.replay.inputs {
            let Some(world) = self.world.as_mut() else { return };
            if let Input::Command { line } = input {
                let prompt = world.prompt();
                self.lines.push(Line { kind: LineKind::Prompt, text: format!("{prompt}{line}") });
            }
            if let Some(world) = self.world.as_mut() {
                world.handle_input(*at, input.clone());
            }
            if let Some(r) = self.replay.as_mut() {
                r.inputs.push((*at, input.clone()));
            }
            self.drain();
        }
        if let Some(world) = self.world.as_mut() {
            world.advance_to(saved.now);
        }
        self.lines
            .push(Line { kind: LineKind::Info, text: format!("Resumed your progress ({} inputs replayed).", saved.replay.inputs.len()) });
        self.drain();
    }

    fn refresh_completion(&mut self) {
        if let Some(world) = &self.world {
            self.completion = std::rc::Rc::new(simulator::cli::complete::CompletionData::of(world));
        }
    }

    fn drain(&mut self) {
        let Some(world) = self.world.as_mut() else { return };
        while let Some(o) = world.poll_output() {
            crate::classroom::observe(&o);
            match o {
                Output::Terminal { text, exit_code, .. } => {
                    if text.contains("\x1b[2J") {
                        self.lines.clear();
                        continue;
                    }
                    let kind = if exit_code == 0 { LineKind::Out } else { LineKind::Err };
                    for l in text.lines() {
                        self.lines.push(Line { kind, text: l.to_string() });
                    }
                }
                Output::Event { event } => {
                    if let Some(entry) = panels::TimelineEntry::of(&event, false) {
                        self.events.push(entry);
                    }
                }
                Output::TwinEvent { event } => {
                    if let Some(entry) = panels::TimelineEntry::of(&event, true) {
                        self.events.push(entry);
                    }
                }
                Output::Edit { target, namespace, yaml } => self.editing = Some((target, namespace, yaml)),
                Output::Incident { title, .. } => {
                    self.lines.push(Line { kind: LineKind::Err, text: format!("⚠ Incident: {title}") });
                    self.incident_banner = Some(title);
                }
                Output::TwinTerminal { text, .. } => {
                    for l in text.lines() {
                        self.lines.push(Line { kind: LineKind::Twin, text: format!("push world │ {l}") });
                    }
                }
                Output::Step { report } if report.passed => {
                    self.lines.push(Line { kind: LineKind::Info, text: format!("✔ Step {} passed: {}", report.index + 1, report.title) });
                }
                Output::Hint { level, text, .. } => self.lines.push(Line { kind: LineKind::Info, text: format!("Hint {level}: {text}") }),
                _ => {}
            }
        }
        let excess = self.lines.len().saturating_sub(SCROLLBACK);
        self.lines.drain(..excess);
        let excess = self.events.len().saturating_sub(200);
        self.events.drain(..excess);
    }
}

/// A lab's closing questions, kept apart from the topic quizzes.
fn closing_quiz(lab: &Lab) -> simulator::quiz::Selection {
    simulator::quiz::Selection::Questions { id: format!("lab-{}", lab.id), title: format!("{}: quiz", lab.title), ids: lab.quiz.clone() }
}

/// Quotes a commit message for the shell line shown in the terminal.
fn shell_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Component for App {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        let clock = Interval::new(TICK_MS, move || link.send_message(Msg::Tick));
        let lab = match &ctx.props().custom {
            Some(lab) => Some((**lab).clone()),
            None => content::builtin_lab(&ctx.props().lab),
        };
        let keep = ctx.props().custom.is_none();
        let saved = if keep { crate::progress::load(&ctx.props().lab) } else { None };
        let seed = saved.as_ref().map(|s| s.replay.seed).unwrap_or((now_ms() as u64) % 1_000_000);
        let (world, error) = match &lab {
            Some(l) => match App::start(l, seed) {
                Ok(w) => (Some(w), None),
                Err(e) => (None, Some(e)),
            },
            None => (None, Some(format!("There is no lab called `{}`.", ctx.props().lab))),
        };
        let replay = keep.then(|| simulator::replay::Replay::new(seed, &ctx.props().lab));
        let welcome = Line { kind: LineKind::Info, text: "Type commands as in a real terminal: kubectl, git, argocd, yq. `help` lists them; Up and Down recall history; Tab completes.".into() };
        let mut app = App {
            lab,
            seed,
            world,
            error,
            lines: vec![welcome],
            events: Vec::new(),
            speed: 1,
            last_tick: now_ms(),
            open_file: None,
            replay,
            ticks: 0,
            selected: None,
            completion: Default::default(),
            incident_banner: None,
            editing: None,
            _clock: clock,
        };
        if keep {
            crate::classroom::attach(&ctx.props().lab, ctx.link().callback(Msg::Incident), ctx.link().callback(|_| Msg::Reset));
        }
        app.drain();
        if let Some(saved) = saved {
            app.resume(saved);
        }
        app.refresh_completion();
        app
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        let Some(world) = self.world.as_mut() else { return false };
        match msg {
            Msg::Tick => {
                let t = now_ms();
                let elapsed = ((t - self.last_tick).max(0.0) as u64) * u64::from(self.speed);
                self.last_tick = t;
                if elapsed == 0 || crate::classroom::paused() {
                    return false;
                }
                let target = world.now() + SimDuration::millis(elapsed);
                world.advance_to(target);
                self.ticks += 1;
                if self.ticks.is_multiple_of(25) {
                    self.save();
                    self.refresh_completion();
                }
            }
            Msg::Command(line) => {
                // A documented way to see the recovery screen (and to test it).
                if line.trim() == "gitops-lab debug panic" {
                    panic!("a panic was requested from the terminal with `gitops-lab debug panic`");
                }
                let prompt = world.prompt();
                self.lines.push(Line { kind: LineKind::Prompt, text: format!("{prompt}{line}") });
                self.apply(Input::Command { line });
            }
            Msg::Clear => self.lines.clear(),
            Msg::Incident(id) => self.apply(Input::Incident { id }),
            Msg::DismissIncident => self.incident_banner = None,
            Msg::SaveEdit(content) => {
                if let Some((target, namespace, _)) = self.editing.take() {
                    match content {
                        Some(content) => self.apply(Input::SaveEdit { target, namespace, content }),
                        None => self.lines.push(Line { kind: LineKind::Info, text: "Edit cancelled, no changes made.".into() }),
                    }
                }
            }
            Msg::Candidates(words) => self.lines.push(Line { kind: LineKind::Info, text: words.join("  ") }),
            Msg::SetSpeed(s) => {
                self.speed = s;
                self.last_tick = now_ms();
            }
            Msg::NextEvent => {
                if let Some(t) = world.poll_timeout() {
                    world.advance_to(t);
                }
            }
            Msg::NextReconcile => {
                if let Some(t) = world.agent().next_poll() {
                    world.advance_to(t);
                }
            }
            Msg::CommitAndPush(message) => {
                let message = if message.trim().is_empty() { "Update from the editor".to_string() } else { message };
                for line in ["git add -A".to_string(), format!("git commit -m {}", shell_quote(&message)), "git push".to_string()] {
                    let Some(world) = self.world.as_ref() else { break };
                    let prompt = world.prompt();
                    self.lines.push(Line { kind: LineKind::Prompt, text: format!("{prompt}{line}") });
                    self.apply(Input::Command { line });
                    self.drain();
                }
            }
            Msg::Hint => self.apply(Input::Hint),
            Msg::Skip => {
                crate::classroom::skipping(&world.step_reports());
                self.apply(Input::SkipStep)
            }
            Msg::OpenFile(path) => self.open_file = Some(path).filter(|p| !p.is_empty()),
            Msg::SaveFile(path, content) => {
                self.apply(Input::WriteFile { path: path.clone(), content });
                self.lines.push(Line {
                    kind: LineKind::Info,
                    text: format!("Saved {path} in the editor. Commit and push it to change the desired state."),
                });
            }
            Msg::Select(s) => self.selected = Some(s),
            Msg::CloseDetail => self.selected = None,
            Msg::Reset => {
                crate::classroom::restarted();
                if let Some(lab) = &self.lab {
                    crate::progress::clear(&lab.id);
                    crate::status::clear_lab(&lab.id);
                    if let Some(r) = self.replay.as_mut() {
                        r.inputs.clear();
                    }
                    self.world = App::start(lab, self.seed).ok();
                    self.lines.clear();
                    self.events.clear();
                }
            }
        }
        self.drain();
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let (Some(lab), Some(world)) = (&self.lab, &self.world) else {
            return html! { <main class="error" role="alert"><h1>{"This lab cannot start"}</h1><p>{self.error.clone().unwrap_or_default()}</p><a href={crate::home()}>{"Back to the labs"}</a></main> };
        };
        let link = ctx.link();
        let on_command = link.callback(Msg::Command);
        let on_clear = link.callback(|_| Msg::Clear);
        let on_candidates = link.callback(Msg::Candidates);
        html! {
            <div class={classes!("lab-page", world.twin().is_some().then_some("compare"))}>
                <a id="skip-to-terminal" class="skip-link" href="#term-input">{"Skip to the terminal"}</a>
                <header class="lab-header">
                    <a class="home" href={crate::home()}>{"GitOps Lab"}</a>
                    <h1>{&lab.title}</h1>
                    { panels::clock(world, self.speed, link) }
                </header>
                <section class="guide" aria-label="Lab guide">
                    if let Some(title) = &self.incident_banner {
                        <div class="incident-banner" role="alert">
                            <strong>{"⚠ Incident: "}</strong>{title}{" "}
                            <button type="button" onclick={link.callback(|_| Msg::DismissIncident)}>{"Dismiss"}</button>
                        </div>
                    }
                    { panels::guide(lab, world, link) }
                    { panels::incidents(world, link) }
                    if !lab.quiz.is_empty() && ctx.props().custom.is_none() {
                        <crate::quiz::QuizView selection={closing_quiz(lab)} embedded=true />
                    }
                </section>
                <section class="workspace">
                    <Terminal lines={self.lines.clone()} prompt={world.prompt()} {on_command} {on_clear} completion={self.completion.clone()} {on_candidates} />
                    if let Some((target, namespace, yaml)) = &self.editing {
                        <div class="editor kubectl-edit" aria-label="kubectl edit">
                            <p class="world-title">{format!("kubectl edit {target} -n {namespace}: save to apply, as kubectl does when the editor closes")}</p>
                            <crate::editor::FileEditor path={target.clone()} saved={yaml.clone()} yaml=true
                                on_save={link.callback(|(_, content): (String, String)| Msg::SaveEdit(Some(content)))} />
                            <button type="button" id="cancel-edit" onclick={link.callback(|_| Msg::SaveEdit(None))}>{"Cancel"}</button>
                        </div>
                    } else if let Some(sel) = &self.selected {
                        { panels::detail(world, sel, link) }
                    } else {
                        { panels::editor(world, self.open_file.as_deref(), link) }
                    }
                </section>
                <aside class="status" aria-label="Cluster and Argo CD status">
                    if let Some(twin) = world.twin() {
                        <div class="worlds">
                            <div class="pull-world"><p class="world-title">{"Pull world: Argo CD inside the cluster"}</p>{ panels::status(world) }</div>
                            { panels::push_world(twin) }
                        </div>
                    } else {
                        { panels::status(world) }
                    }
                    { panels::tree(world, link) }
                    { panels::timeline(&self.events) }
                    { panels::history(world, link) }
                </aside>
            </div>
        }
    }
}
