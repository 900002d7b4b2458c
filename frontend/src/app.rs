//! The lab page: guide, terminal, file editor and status panel over one world,
//! or the Argo CD application view beside the terminal.

use gloo_timers::callback::Interval;
use simulator::content;
use simulator::events::EventKind;
use simulator::lab::Lab;
use simulator::replay::RestoredEntry;
use simulator::{Input, Output, SimDuration, World};
use yew::prelude::*;

use crate::guide::Moment;
use crate::msg::{Msg, Selected, View};
use crate::panels;
use crate::terminal::{Line, LineKind, Terminal};

/// How often the page advances the simulated clock.
const TICK_MS: u32 = 200;
/// Lines kept in the terminal's scroll-back.
const SCROLLBACK: usize = 2000;
/// At most this many timers fire one by one in a tick (the rest in one jump), so a tick stays short.
const TIMERS_PER_TICK: usize = 500;
/// The first line of a fresh terminal.
const WELCOME: &str = "Type commands as in a real terminal: kubectl, git, argocd, yq. `help` lists them; Up and Down recall history; Tab completes; `| grep` filters.";

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lab: AttrValue,
    /// A lab built in the page (a sandbox over an uploaded folder) instead of a built-in one.
    #[prop_or_default]
    pub custom: Option<std::rc::Rc<Lab>>,
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
    selected: Option<Selected>,
    /// What Tab completes, refreshed after every input and every few ticks.
    completion: std::rc::Rc<simulator::cli::complete::CompletionData>,
    /// The object `kubectl edit` opened: (target, namespace, YAML).
    editing: Option<(String, String, String)>,
    /// The latest incident, shown as a banner until dismissed.
    incident_banner: Option<String>,
    /// "Reset lab" was pressed: the page asks before it forgets the run.
    reset_asked: bool,
    /// Whether the clock stops itself when an app first turns OutOfSync.
    auto_pause: bool,
    /// The key moment has been shown in this run (kept with the progress, so a reload does not repeat it).
    moment_shown: bool,
    /// The clock is stopped at the key moment.
    moment: Option<Moment>,
    /// Hints revealed so far: (step id, level, text), shown beside their step.
    hints: Vec<(String, usize, String)>,
    /// Skip applies a step's solution: its commands are echoed as if typed.
    echo_commands: bool,
    /// A comparison lab's push-world answer, held until the pull world's answer is printed.
    held_twin: Vec<(String, String)>,
    /// The last command's output, for the Argo CD view's events and logs tabs.
    last_output: Option<(String, String)>,
    view: View,
    argo: crate::argo_ui::ArgoState,
    /// The guide scrolls to the active step when it changes.
    shown_active: Option<usize>,
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
            let saved = crate::progress::Saved {
                replay: replay.clone(),
                now: world.now(),
                speed: Some(self.speed),
                moment_shown: self.moment_shown,
            };
            crate::progress::save(&replay.lab, &saved);
            let reports = world.step_reports();
            crate::status::record_lab(&replay.lab, reports.iter().filter(|r| r.passed).count(), reports.len());
        }
    }

    /// Restores saved progress in one pass (`Replay::restore`), then lays out its terminal
    /// lines and timeline once, as they were shown when the inputs were typed.
    fn resume(&mut self, saved: crate::progress::Saved) {
        let Some(lab) = self.lab.as_ref() else { return };
        let restored = match saved.replay.restore(lab, saved.now) {
            Ok(restored) => restored,
            Err(e) => {
                // The lab itself cannot start: the page says so, as it does without saved progress.
                self.error = Some(e);
                return;
            }
        };
        // Replaying is not watching: the key moment pauses only a clock that runs.
        let auto_pause = std::mem::replace(&mut self.auto_pause, false);
        self.world = Some(restored.world);
        if let Some(r) = self.replay.as_mut() {
            r.inputs.extend(saved.replay.inputs.iter().cloned());
        }
        let finished = self.world.as_ref().and_then(|w| w.tracker()).is_some_and(|t| t.finished());
        let final_prompt = self.world.as_ref().map(World::prompt).unwrap_or_default();
        // A skipped step's commands are echoed with the prompt after them: the next input's prompt
        // (running the clock does not change the shell), or the restored world's for the last input.
        let mut prompts_after: Vec<String> = restored
            .entries
            .iter()
            .filter_map(|e| if let RestoredEntry::Input { prompt, .. } = e { Some(prompt.clone()) } else { None })
            .skip(1)
            .collect();
        prompts_after.push(final_prompt.clone());
        let mut prompts_after = prompts_after.into_iter();
        let mut prompt_after = final_prompt.clone();
        // What the clock did after the last input is shown after the note that progress resumed.
        let last_clock = restored.entries.iter().rposition(|e| matches!(e, RestoredEntry::ClockMoved { .. }));
        let mut batch = Vec::new();
        for (i, entry) in restored.entries.into_iter().enumerate() {
            match entry {
                RestoredEntry::Output(o) => batch.push(o),
                RestoredEntry::ClockMoved { .. } => {
                    self.show(std::mem::take(&mut batch), &prompt_after, finished);
                    self.echo_commands = false;
                    if Some(i) == last_clock {
                        self.lines.push(Line {
                            kind: LineKind::Info,
                            text: format!("Resumed your progress ({} inputs replayed).", saved.replay.inputs.len()),
                        });
                    }
                }
                RestoredEntry::Input { prompt, input } => {
                    self.show(std::mem::take(&mut batch), &prompt_after, finished);
                    if let Input::Command { line } = &input {
                        self.lines.push(Line { kind: LineKind::Prompt, text: format!("{prompt}{line}") });
                    }
                    self.echo_commands = matches!(input, Input::SkipStep);
                    prompt_after = prompts_after.next().unwrap_or_else(|| final_prompt.clone());
                }
            }
        }
        self.show(batch, &final_prompt, finished);
        self.echo_commands = false;
        self.speed = saved.speed.unwrap_or(1);
        self.moment_shown = saved.moment_shown;
        self.auto_pause = auto_pause;
    }

    fn refresh_completion(&mut self) {
        if let Some(world) = &self.world {
            self.completion = std::rc::Rc::new(simulator::cli::complete::CompletionData::of(world));
        }
    }

    fn is_comparison(&self) -> bool {
        self.world.as_ref().is_some_and(|w| w.twin().is_some())
    }

    fn print(&mut self, kind: LineKind, text: &str, prefix: &str) {
        for l in text.lines() {
            self.lines.push(Line { kind, text: format!("{prefix}{l}") });
        }
    }

    /// Shows what the world said since the last call.
    fn drain(&mut self) {
        let Some(world) = self.world.as_mut() else { return };
        let outputs: Vec<Output> = std::iter::from_fn(|| world.poll_output()).collect();
        let prompt = world.prompt();
        // A finished lab has no moment left to show.
        let finished = world.tracker().is_some_and(|t| t.finished());
        self.show(outputs, &prompt, finished);
    }

    /// Lays out outputs in the terminal, the timeline and the guide, and reports them to the
    /// classroom; `prompt` is the shell's prompt after them (echoed before a skipped step's commands).
    fn show(&mut self, outputs: Vec<Output>, prompt: &str, finished: bool) {
        let comparison = self.is_comparison();
        for o in &outputs {
            crate::classroom::observe(o);
        }
        for o in outputs {
            match o {
                Output::Terminal { command, text, exit_code } => {
                    if text.contains("\x1b[2J") {
                        self.lines.clear();
                        continue;
                    }
                    if self.echo_commands {
                        self.lines.push(Line { kind: LineKind::Prompt, text: format!("{prompt}{command}") });
                    }
                    // `argocd app diff` exits 1 when it finds differences: that is its answer, not an error.
                    let diff_found = exit_code == 1 && command.starts_with("argocd app diff");
                    let kind = if exit_code == 0 || diff_found { LineKind::Out } else { LineKind::Err };
                    let twin: Vec<(String, String)> = self.held_twin.drain(..).collect();
                    let to_both = comparison && matches!(command.split_whitespace().next(), Some("kubectl" | "k"));
                    let differs = twin.iter().any(|(c, _)| *c == command);
                    // In a comparison lab a cluster command answers from both worlds: each answer is labelled,
                    // and an identical push-world answer is said in a word rather than hidden.
                    let prefix = if to_both && differs { "pull world │ " } else { "" };
                    self.print(kind, &text, prefix);
                    for (_, t) in &twin {
                        self.print(LineKind::Twin, t, "push world │ ");
                    }
                    if to_both && !differs {
                        self.lines.push(Line { kind: LineKind::Twin, text: "push world │ (the same answer)".into() });
                    }
                    self.last_output = Some((command, text));
                }
                Output::TwinTerminal { command, text, .. } => self.held_twin.push((command, text)),
                Output::Event { event } => {
                    if let EventKind::SyncStatusChanged { app, to, .. } = &event.kind
                        && to == "OutOfSync"
                        && self.auto_pause
                        && !self.moment_shown
                        && !finished
                        && !self.echo_commands
                        && self.speed > 0
                    {
                        // The lesson's moment: stop the clock so the drift can be looked at before it is healed.
                        self.moment = Some(Moment { app: app.clone(), clock: event.at.clock() });
                        self.moment_shown = true;
                        self.speed = 0;
                    }
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
                Output::Step { report } if report.passed => {
                    self.lines.push(Line { kind: LineKind::Info, text: format!("✔ Step {} passed: {}", report.index + 1, report.title) });
                }
                Output::Hint { step, level, text } => {
                    self.lines.push(Line { kind: LineKind::Info, text: format!("Hint {level}: {text}") });
                    self.hints.push((step, level, text));
                }
                _ => {}
            }
        }
        // A twin answer with no pull-world answer (a `gh` command the twin answered) is printed as it is.
        for (_, t) in std::mem::take(&mut self.held_twin) {
            self.print(LineKind::Twin, &t, "push world │ ");
        }
        let excess = self.lines.len().saturating_sub(SCROLLBACK);
        self.lines.drain(..excess);
        let excess = self.events.len().saturating_sub(200);
        self.events.drain(..excess);
    }

    /// Moves the clock to `target` one timer at a time, so the key moment can stop it where it happens.
    fn advance_watching(&mut self, target: simulator::SimTime) {
        for _ in 0..TIMERS_PER_TICK {
            let Some(world) = self.world.as_mut() else { return };
            match world.poll_timeout() {
                Some(t) if t <= target && t > world.now() => world.advance_to(t),
                _ => break,
            }
            self.drain();
            if self.speed == 0 {
                return;
            }
        }
        if let Some(world) = self.world.as_mut() {
            world.advance_to(target);
        }
    }

    /// Runs a command line as typed: its prompt line, then the world's answer.
    fn run_command(&mut self, line: String) {
        // A documented way to see the recovery screen (and to test it).
        if line.trim() == "gitops-lab debug panic" {
            panic!("a panic was requested from the terminal with `gitops-lab debug panic`");
        }
        let Some(world) = self.world.as_ref() else { return };
        let prompt = world.prompt();
        self.lines.push(Line { kind: LineKind::Prompt, text: format!("{prompt}{line}") });
        self.apply(Input::Command { line });
    }

    /// Starts the lab again: a fresh world, terminal and panels; the completed record stays.
    fn reset(&mut self) {
        crate::classroom::restarted();
        let Some(lab) = &self.lab else { return };
        crate::progress::clear(&lab.id);
        if let Some(r) = self.replay.as_mut() {
            r.inputs.clear();
        }
        self.world = App::start(lab, self.seed).ok();
        self.lines = vec![Line { kind: LineKind::Info, text: WELCOME.into() }];
        self.events.clear();
        self.incident_banner = None;
        self.selected = None;
        self.editing = None;
        self.open_file = None;
        self.speed = 1;
        self.last_tick = now_ms();
        self.moment = None;
        self.moment_shown = false;
        self.hints.clear();
        self.held_twin.clear();
        self.last_output = None;
        self.argo = Default::default();
        self.reset_asked = false;
        self.shown_active = None;
        self.drain();
        self.save();
        self.refresh_completion();
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
        crate::recovery::set_lab(keep.then(|| ctx.props().lab.to_string()));
        let saved = if keep { crate::progress::load(&ctx.props().lab) } else { None };
        let seed = saved.as_ref().map(|s| s.replay.seed).unwrap_or((now_ms() as u64) % 1_000_000);
        let (world, error) = match &lab {
            // Saved progress is restored with its own world (`App::resume`).
            Some(_) if saved.is_some() => (None, None),
            Some(l) => match App::start(l, seed) {
                Ok(w) => (Some(w), None),
                Err(e) => (None, Some(e)),
            },
            None => (None, Some(format!("There is no lab called `{}`.", ctx.props().lab))),
        };
        let replay = keep.then(|| simulator::replay::Replay::new(seed, &ctx.props().lab));
        let mut app = App {
            lab,
            seed,
            world,
            error,
            lines: vec![Line { kind: LineKind::Info, text: WELCOME.into() }],
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
            reset_asked: false,
            auto_pause: true,
            moment_shown: false,
            moment: None,
            hints: Vec::new(),
            echo_commands: false,
            held_twin: Vec::new(),
            last_output: None,
            view: View::Lab,
            argo: Default::default(),
            shown_active: None,
            _clock: clock,
        };
        if keep {
            crate::classroom::attach(&ctx.props().lab, ctx.link().callback(Msg::Incident), ctx.link().callback(|_| Msg::Reset));
        }
        match saved {
            Some(saved) => app.resume(saved),
            None => app.drain(),
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
                self.advance_watching(target);
                self.ticks += 1;
                if self.ticks.is_multiple_of(25) || self.moment.is_some() {
                    self.save();
                    self.refresh_completion();
                }
            }
            Msg::Command(line) => self.run_command(line),
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
                if s > 0 {
                    self.moment = None;
                }
                self.save();
            }
            Msg::NextEvent => {
                if let Some(t) = world.poll_timeout() {
                    world.advance_to(t);
                }
                self.save();
            }
            Msg::NextReconcile => {
                if let Some(t) = world.agent().next_poll() {
                    world.advance_to(t);
                }
                self.save();
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
                // The change is in Git now: the editor closes and the message clears, ready for the next one.
                self.open_file = None;
                let message = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("commit-message"));
                if let Some(input) = message.and_then(|m| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(m).ok()) {
                    input.set_value("");
                }
            }
            Msg::Hint => self.apply(Input::Hint),
            Msg::Skip => {
                crate::classroom::skipping(&world.step_reports());
                self.echo_commands = true;
                self.apply(Input::SkipStep);
                self.drain();
                self.echo_commands = false;
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
            Msg::AskReset(ask) => self.reset_asked = ask,
            Msg::Reset => self.reset(),
            Msg::Copy(text) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.navigator().clipboard().write_text(&text);
                }
                self.lines.push(Line { kind: LineKind::Info, text: format!("Copied: {text}") });
            }
            Msg::ResumeAfterMoment => {
                self.moment = None;
                self.speed = 1;
                self.last_tick = now_ms();
                self.save();
            }
            Msg::SetAutoPause(on) => self.auto_pause = on,
            Msg::SetView(view) => self.view = view,
            Msg::Argo(msg) => {
                // A button of the Argo CD view runs its CLI command, exactly as if it were typed.
                if let Some(line) = self.argo.update(msg, world) {
                    self.run_command(line);
                }
            }
        }
        self.drain();
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, first: bool) {
        // The guide follows the active step: when a step passes, the next one scrolls into view.
        let active = self.world.as_ref().and_then(|w| w.tracker()).map(|t| t.active());
        if active != self.shown_active {
            self.shown_active = active;
            if !first
                && let Some(element) =
                    web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(".guide .step.active").ok().flatten())
            {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Start);
                options.set_behavior(web_sys::ScrollBehavior::Smooth);
                element.scroll_into_view_with_scroll_into_view_options(&options);
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let (Some(lab), Some(world)) = (&self.lab, &self.world) else {
            return html! { <main class="error" role="alert"><h1>{"This lab cannot start"}</h1><p>{self.error.clone().unwrap_or_default()}</p><a href={crate::home()}>{"Back to the labs"}</a></main> };
        };
        let link = ctx.link();
        let send = link.callback(|m: Msg| m);
        let on_command = link.callback(Msg::Command);
        let on_clear = link.callback(|_| Msg::Clear);
        let on_candidates = link.callback(Msg::Candidates);
        let history_key = ctx.props().custom.is_none().then(|| format!("gitops-lab/history/{}", lab.id));
        let argo_view = self.view == View::ArgoCd;
        let terminal = html! {
            <Terminal lines={self.lines.clone()} prompt={world.prompt()} {on_command} {on_clear} completion={self.completion.clone()} {on_candidates} {history_key} />
        };
        let moment = self.moment.as_ref().map(|m| crate::guide::moment_banner(m, &send)).unwrap_or_default();
        html! {
            <div class={classes!("lab-page", world.twin().is_some().then_some("compare"), argo_view.then_some("argo-mode"))}>
                <a id="skip-to-terminal" class="skip-link" href="#term-input">{"Skip to the terminal"}</a>
                <header class="lab-header">
                    <a class="home" href={crate::home()}>{"GitOps Lab"}</a>
                    <h1>{&lab.title}</h1>
                    { panels::clock(world, self.speed, self.auto_pause, self.reset_asked, &send) }
                    <div class="view-switch" role="group" aria-label="Layout">
                        <button type="button" id="view-lab" aria-pressed={(!argo_view).to_string()} onclick={send.reform(|_| Msg::SetView(View::Lab))}>{"Lab"}</button>
                        <button type="button" id="view-argocd" aria-pressed={argo_view.to_string()} onclick={send.reform(|_| Msg::SetView(View::ArgoCd))}>{"Argo CD UI"}</button>
                    </div>
                </header>
                if argo_view {
                    <section class="argo-ui-pane" aria-label="Argo CD">
                        { crate::argo_ui::view(world, &self.argo, &self.events, self.last_output.as_ref(), &send) }
                    </section>
                    <section class="workspace">
                        { moment }
                        { terminal }
                    </section>
                } else {
                    <section class="guide" aria-label="Lab guide">
                        if let Some(title) = &self.incident_banner {
                            <div class="incident-banner" role="alert">
                                <strong>{"⚠ Incident: "}</strong>{title}{" "}
                                <button type="button" onclick={send.reform(|_| Msg::DismissIncident)}>{"Dismiss"}</button>
                            </div>
                        }
                        { crate::guide::guide(lab, world, &self.hints, &send) }
                        { panels::incidents(lab, world, &send) }
                        if !lab.quiz.is_empty() && ctx.props().custom.is_none() {
                            <crate::quiz::QuizView selection={closing_quiz(lab)} embedded=true />
                        }
                    </section>
                    <section class="workspace">
                        { moment }
                        { terminal }
                        if let Some((target, namespace, yaml)) = &self.editing {
                            <div class="editor kubectl-edit" aria-label="kubectl edit">
                                <p class="world-title">{format!("kubectl edit {target} -n {namespace}: save to apply, as kubectl does when the editor closes")}</p>
                                <crate::editor::FileEditor path={target.clone()} saved={yaml.clone()} yaml=true
                                    on_save={send.reform(|(_, content): (String, String)| Msg::SaveEdit(Some(content)))} />
                                <button type="button" id="cancel-edit" onclick={send.reform(|_| Msg::SaveEdit(None))}>{"Cancel"}</button>
                            </div>
                        } else if let Some(sel) = &self.selected {
                            { panels::detail(world, sel, &send) }
                        } else {
                            { panels::editor(world, self.open_file.as_deref(), &send) }
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
                        { panels::tree(world, &send) }
                        { panels::timeline(&self.events) }
                        { panels::history(world, &send) }
                    </aside>
                }
            </div>
        }
    }
}
