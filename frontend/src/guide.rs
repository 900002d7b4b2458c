//! The lab's guide: objectives and story, then the steps, with the active
//! step's text, check, hints, Hint and Skip buttons together; commands in the
//! text can be run or copied with a click. When the last step passes, the
//! completion screen: the score, the debrief and the next lab.

use simulator::World;
use simulator::lab::Lab;
use yew::prelude::*;

use crate::markdown;
use crate::msg::{Msg, Send};
use crate::panels::badge;

/// Points a step is worth, what each hint costs and the floor, as the step tracker scores them.
const HINT_COST: &str = "each hint costs 3 of the step's 10 points (never below 4)";

/// A click on a Run or Copy button inside rendered Markdown (the buttons carry the command).
fn command_clicks(send: &Send) -> Callback<MouseEvent> {
    let send = send.clone();
    Callback::from(move |e: MouseEvent| {
        let Some(target) = e.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()) else { return };
        let Some(button) = target.closest("button[data-run], button[data-copy]").ok().flatten() else { return };
        if let Some(command) = button.get_attribute("data-run") {
            send.emit(Msg::Command(command));
        } else if let Some(command) = button.get_attribute("data-copy") {
            send.emit(Msg::Copy(command));
        }
    })
}

pub fn guide(lab: &Lab, world: &World, hints: &[(String, usize, String)], send: &Send) -> Html {
    let reports = world.step_reports();
    let active = world.tracker().map(|t| t.active()).unwrap_or(0);
    let score = world.tracker().map(|t| t.score());
    let finished = world.tracker().is_some_and(|t| t.finished()) && !lab.steps.is_empty();
    html! {
        <div class="guide-body" onclick={command_clicks(send)}>
            if let Some(s) = score.as_ref().filter(|s| s.steps > 0) {
                <p class="score" id="lab-score">{format!(
                    "{} of {} steps · {} of {} points · {} hints used · {} skipped",
                    s.passed + s.skipped, s.steps, s.points, s.max_points, s.hints_used, s.skipped
                )}</p>
            }
            if finished {
                { completion(lab, world) }
            }
            if !lab.objectives.is_empty() {
                <section class="objectives" aria-label="What you will learn">
                    <h2>{"In this lab you will"}</h2>
                    <ul>{ for lab.objectives.iter().map(|o| html! { <li>{ markdown::render(o) }</li> }) }</ul>
                </section>
            }
            <details class="story" open={active == 0}>
                <summary>{"The story"}</summary>
                { markdown::render_with_commands(&lab.story) }
            </details>
            if lab.steps.is_empty() {
                // A sandbox has no steps: suggest where to start.
                <section class="try" aria-label="Things to try">
                    <h2>{"Things to try"}</h2>
                    { markdown::render_with_commands("```\nargocd app list\nkubectl get deploy -A\ngit log --oneline\nls\n```") }
                </section>
            }
            <ol class="steps">
                { for lab.steps.iter().zip(reports.iter()).map(|(step, r)| {
                    let state = if r.passed { "passed" } else if r.active { "active" } else { "later" };
                    let label = if r.passed { "passed" } else if r.active { "not yet" } else { "later" };
                    let step_hints: Vec<&(String, usize, String)> = hints.iter().filter(|(id, _, _)| *id == step.id).collect();
                    html! {
                        <li class={classes!("step", state)} id={format!("step-{}", step.id)} aria-current={r.active.then_some("step")}>
                            <h2>{ badge(label) }{" "}{&step.title}</h2>
                            if r.active {
                                <div class="step-text">{ markdown::render_with_commands(&step.text) }</div>
                                <dl class="check">
                                    <dt>{"Expected"}</dt><dd>{&r.expected}</dd>
                                    <dt>{"Found"}</dt><dd class="found">{&r.found}</dd>
                                </dl>
                                if !step_hints.is_empty() {
                                    <ol class="hints" aria-label="Hints">
                                        { for step_hints.iter().map(|(_, level, text)| html! { <li class="hint-text">{format!("Hint {level}: ")}{ markdown::render(text) }</li> }) }
                                    </ol>
                                }
                                <div class="step-actions">
                                    <button type="button" id="hint" title={HINT_COST} onclick={send.reform(|_| Msg::Hint)}>{"Hint"}</button>
                                    <button type="button" id="skip" onclick={send.reform(|_| Msg::Skip)}>{"Skip step (apply its solution)"}</button>
                                    <span class="hint-cost">{HINT_COST}</span>
                                </div>
                                <details class="solution">
                                    <summary>{"Show the solution"}</summary>
                                    { markdown::render_with_commands(&format!("```\n{}\n```", step.solution.join("\n"))) }
                                </details>
                            } else if r.passed {
                                // A passed step keeps what it asked, folded; its check is not re-evaluated on screen.
                                <details class="step-done">
                                    <summary>{"What this step asked"}</summary>
                                    <div class="step-text">{ markdown::render_with_commands(&step.text) }</div>
                                </details>
                            }
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}

/// The end of the lab: the score, what it taught, and where to go next.
fn completion(lab: &Lab, world: &World) -> Html {
    let Some(score) = world.tracker().map(|t| t.score()) else { return html! {} };
    let next = next_lab(&lab.id);
    let home = crate::home();
    let href = |id: &str| if home == "/" { format!("/labs/{id}") } else { format!("{home}?lab={id}") };
    html! {
        <section class="lab-complete" id="lab-complete" aria-label="Lab complete" role="status">
            <h2>{"✔ Lab complete"}</h2>
            <p class="final-score">{format!(
                "Score: {} of {} points · {} of {} steps passed · {} hints · {} skipped",
                score.points, score.max_points, score.passed, score.steps, score.hints_used, score.skipped
            )}</p>
            <div class="debrief">
                { match &lab.debrief {
                    Some(text) => markdown::render(text),
                    None => html! { <p>{format!("You have worked through \u{201c}{}\u{201d}: {}", lab.title, lab.summary)}</p> },
                } }
            </div>
            <p class="next">
                if !lab.quiz.is_empty() { <a href={format!("#quiz-lab-{}", lab.id)} class="to-quiz">{"Check your understanding: the lab's quiz, below"}</a>{" · "} }
                if let Some(n) = next {
                    <a id="next-lab" href={href(&n.0)}>{format!("Next lab: {} →", n.1)}</a>
                } else {
                    <a id="next-lab" href={home.clone()}>{"Back to all labs →"}</a>
                }
            </p>
        </section>
    }
}

/// The lab after this one in the catalog: (id, title). The labs are parsed once, on the first completion.
fn next_lab(id: &str) -> Option<(String, String)> {
    thread_local! {
        static LABS: Vec<(String, String)> = simulator::content::labs(&simulator::content::builtin())
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.id, l.title))
            .collect();
    }
    LABS.with(|labs| labs.iter().position(|(l, _)| l == id).and_then(|i| labs.get(i + 1)).cloned())
}

/// The lesson's key moment: the clock stopped itself so the trainee can look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    pub app: String,
    pub clock: String,
}

/// The banner shown while the clock is stopped at the lab's key moment.
pub fn moment_banner(moment: &Moment, send: &Send) -> Html {
    html! {
        <div class="moment-banner" id="moment-banner" role="alert">
            <strong>{format!("⏸ Paused at {}: Argo CD has just found {} OutOfSync.", moment.clock, moment.app)}</strong>
            {" The cluster no longer matches Git. Look now, before the agent acts: "}
            <code>{format!("argocd app get {}", moment.app)}</code>{" or "}<code>{format!("argocd app diff {}", moment.app)}</code>{". "}
            <button type="button" id="resume-clock" onclick={send.reform(|_| Msg::ResumeAfterMoment)}>{"Go on (x1)"}</button>
        </div>
    }
}
