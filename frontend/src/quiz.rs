//! A quiz in the page: a topic's quiz, the final check, or a lab's closing
//! questions. Every question type works with the keyboard alone (radio
//! buttons, check boxes, move-up/move-down buttons and selects), and the
//! attempt, its answers and past results are kept in localStorage.

use serde::{Deserialize, Serialize};
use simulator::content;
use simulator::quiz::{Answer, Attempt, Feedback, PASS_PERCENT, Presented, QuestionKind, QuizResult, Selection};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::markdown;
use crate::progress::{load_json, quiz_key, remove, save_json};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub selection: Selection,
    /// Inside a lab page (a section, not the whole page).
    #[prop_or_default]
    pub embedded: bool,
}

pub enum Msg {
    /// Pick (or, for several answers, toggle) shown choice `1` of question `0`.
    Choose(usize, usize),
    /// Move item `1` of ordering question `0` up (`true`) or down.
    Move(usize, usize, bool),
    /// Match left row `1` of question `0` with shown right side `2` (none when `None`).
    Match(usize, usize, Option<usize>),
    Check(usize),
    Finish,
    Retake,
}

/// What is kept between visits.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Saved {
    seed: u64,
    attempt: u32,
    /// Per question, the trainee's working answer in shown positions.
    drafts: Vec<Vec<Option<usize>>>,
    checked: Vec<bool>,
    started_ms: f64,
    finished: bool,
    /// Every finished attempt, oldest first.
    results: Vec<QuizResult>,
    /// Whether anything was answered yet: the draw is kept from the first look, but "In progress" waits for an answer.
    #[serde(default)]
    touched: bool,
}

pub struct QuizView {
    attempt: Result<Attempt, String>,
    saved: Saved,
    /// The element to focus after the next render: the moved item's button, or the checked question's feedback.
    focus_next: Option<String>,
}

impl QuizView {
    fn draw(selection: &Selection, seed: u64, number: u32) -> Result<Attempt, String> {
        let files = content::builtin();
        let banks = content::banks(&files).map_err(|e| e.to_string())?;
        // Only the labs the predictions run in: parsing every lab would slow the page down.
        let labs = selection
            .labs_needed(&banks)
            .iter()
            .map(|id| content::lab(&files, id))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Attempt::new(selection, &banks, &labs, seed, number)
    }

    fn fresh_drafts(attempt: &Attempt) -> Vec<Vec<Option<usize>>> {
        attempt
            .questions
            .iter()
            .map(|p| match p.question.kind {
                // An ordering starts as shown; the trainee moves items.
                QuestionKind::Ordering => (0..p.order.len()).map(Some).collect(),
                QuestionKind::Matching => vec![None; p.order.len()],
                _ => Vec::new(),
            })
            .collect()
    }

    fn answer(p: &Presented, draft: &[Option<usize>]) -> Answer {
        match p.question.kind {
            // A match left empty points nowhere (position past the end).
            QuestionKind::Matching => p.answer_from_shown(&draft.iter().map(|d| d.unwrap_or(usize::MAX)).collect::<Vec<_>>()),
            _ => p.answer_from_shown(&draft.iter().flatten().copied().collect::<Vec<_>>()),
        }
    }

    fn result(&self, attempt: &Attempt) -> QuizResult {
        let answers: Vec<Option<Answer>> = attempt
            .questions
            .iter()
            .zip(&self.saved.drafts)
            .zip(&self.saved.checked)
            .map(|((p, d), checked)| (*checked || attempt.feedback == Feedback::AtEnd).then(|| Self::answer(p, d)))
            .map(|a| a.filter(|a| !matches!(a, Answer::Choice(c) if c.is_empty())))
            .collect();
        let seconds = ((js_sys::Date::now() - self.saved.started_ms).max(0.0) / 1000.0) as u64;
        attempt.result(&answers, seconds)
    }

    fn store(&self, quiz: &str) {
        save_json(&quiz_key(quiz), &self.saved);
        crate::classroom::quiz_results(quiz, &self.saved.results);
    }
}

impl Component for QuizView {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        let selection = &ctx.props().selection;
        let quiz = selection.id();
        let mut saved: Saved = load_json(&quiz_key(&quiz)).unwrap_or_default();
        if saved.attempt == 0 {
            // `?seed=N` gives a whole class the same draw; otherwise each browser draws its own.
            let seed = crate::query_param("seed").and_then(|s| s.parse().ok()).unwrap_or_else(|| (js_sys::Math::random() * 1e9) as u64);
            saved = Saved { seed, attempt: 1, started_ms: js_sys::Date::now(), ..Saved::default() };
        }
        let attempt = QuizView::draw(selection, saved.seed, saved.attempt);
        if let Ok(a) = &attempt {
            // Saved drafts that no longer fit the drawn questions (the content changed) start again.
            let fits = saved.drafts.len() == a.questions.len()
                && saved.drafts.iter().zip(&a.questions).all(|(d, p)| d.iter().flatten().all(|k| *k < p.order.len()));
            if !fits {
                saved.drafts = QuizView::fresh_drafts(a);
                saved.checked = vec![false; a.questions.len()];
                saved.finished = false;
            }
        }
        if attempt.is_err() {
            remove(&quiz_key(&quiz));
        } else {
            // The draw is kept from the first look, so reopening an untouched quiz shows the same questions.
            save_json(&quiz_key(&quiz), &saved);
        }
        QuizView { attempt, saved, focus_next: None }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        let quiz = ctx.props().selection.id();
        let Ok(attempt) = &self.attempt else { return false };
        if matches!(msg, Msg::Choose(..) | Msg::Move(..) | Msg::Match(..)) {
            self.saved.touched = true;
        }
        match msg {
            Msg::Choose(q, k) => {
                let many = attempt.questions[q].picks_many();
                let draft = &mut self.saved.drafts[q];
                if many {
                    match draft.iter().position(|d| *d == Some(k)) {
                        Some(i) => {
                            draft.remove(i);
                        }
                        None => draft.push(Some(k)),
                    }
                } else {
                    *draft = vec![Some(k)];
                }
            }
            Msg::Move(q, i, up) => {
                let draft = &mut self.saved.drafts[q];
                let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < draft.len()) };
                if let Some(j) = j {
                    draft.swap(i, j);
                    // The keyboard stays with the item that moved, so pressing Enter again moves it on.
                    let name = format!("q{q}-{}", attempt.questions[q].question.id);
                    let last = draft.len() - 1;
                    let direction = match (up, j) {
                        (true, 0) => "down",
                        (true, _) => "up",
                        (false, j) if j == last => "up",
                        (false, _) => "down",
                    };
                    self.focus_next = Some(format!("{name}-{direction}-{j}"));
                }
            }
            Msg::Match(q, row, k) => self.saved.drafts[q][row] = k,
            Msg::Check(q) => {
                self.saved.checked[q] = true;
                self.focus_next = Some(format!("feedback-{q}"));
            }
            Msg::Finish => {
                let result = self.result(attempt);
                self.saved.results.push(result);
                self.saved.finished = true;
            }
            Msg::Retake => {
                let next = self.saved.attempt + 1;
                self.attempt = QuizView::draw(&ctx.props().selection, self.saved.seed, next);
                if let Ok(a) = &self.attempt {
                    self.saved.drafts = QuizView::fresh_drafts(a);
                    self.saved.checked = vec![false; a.questions.len()];
                }
                self.saved.attempt = next;
                self.saved.finished = false;
                self.saved.started_ms = js_sys::Date::now();
            }
        }
        // A quiz with feedback per question finishes when its last question is checked.
        if let Ok(attempt) = &self.attempt
            && attempt.feedback == Feedback::EachQuestion
            && !self.saved.finished
            && self.saved.checked.iter().all(|c| *c)
        {
            let result = self.result(attempt);
            self.saved.results.push(result);
            self.saved.finished = true;
        }
        self.store(&quiz);
        true
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if let Some(id) = self.focus_next.take() {
            let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(&id));
            if let Some(e) = element.and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok()) {
                let _ = e.focus();
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let attempt = match &self.attempt {
            Ok(a) => a,
            Err(e) => return html! { <section class="quiz" role="alert"><h2>{"This quiz cannot start"}</h2><p>{e}</p></section> },
        };
        let link = ctx.link();
        let show_feedback = |q: usize| match attempt.feedback {
            Feedback::EachQuestion => self.saved.checked[q],
            Feedback::AtEnd => self.saved.finished,
        };
        let heading = if ctx.props().embedded { "Check your understanding".to_string() } else { attempt.title.clone() };
        html! {
            <section class="quiz" aria-label="Quiz" id={format!("quiz-{}", attempt.quiz)}>
                if !ctx.props().embedded { <a class="home" href={crate::home()}>{"← GitOps Lab"}</a> }
                if ctx.props().embedded { <h2>{heading}</h2> } else { <h1>{heading}</h1> }
                <p class="quiz-meta">{format!(
                    "Attempt {} · {} questions · pass mark {PASS_PERCENT}% · {}",
                    attempt.number,
                    attempt.questions.len(),
                    match attempt.feedback { Feedback::EachQuestion => "feedback after each question", Feedback::AtEnd => "feedback at the end" },
                )}</p>
                <ol class="questions">
                { for attempt.questions.iter().enumerate().map(|(qi, p)| html! {
                    <li>{ question(p, qi, &self.saved.drafts[qi], show_feedback(qi), self.saved.finished, attempt.feedback, link) }</li>
                }) }
                </ol>
                if attempt.feedback == Feedback::AtEnd && !self.saved.finished {
                    <button type="button" class="finish" onclick={link.callback(|_| Msg::Finish)}>{"Finish and see my answers"}</button>
                }
                if self.saved.finished {
                    { summary(&self.saved.results, link) }
                }
            </section>
        }
    }
}

fn question(
    p: &Presented,
    qi: usize,
    draft: &[Option<usize>],
    feedback: bool,
    finished: bool,
    mode: Feedback,
    link: &html::Scope<QuizView>,
) -> Html {
    let locked = feedback || finished;
    let shown = p.shown();
    let name = format!("q{qi}-{}", p.question.id);
    let body = match p.question.kind {
        QuestionKind::Ordering => html! {
            <ol class="ordering" aria-label="Items to put in order">
            { for draft.iter().enumerate().map(|(i, k)| {
                let text = k.map(|k| shown[k].clone()).unwrap_or_default();
                html! {
                    <li class="order-item">
                        <span>{&text}</span>
                        <button type="button" id={format!("{name}-up-{i}")} disabled={locked || i == 0} aria-label={format!("Move up: {text}")} onclick={link.callback(move |_| Msg::Move(qi, i, true))}>{"↑"}</button>
                        <button type="button" id={format!("{name}-down-{i}")} disabled={locked || i + 1 == draft.len()} aria-label={format!("Move down: {text}")} onclick={link.callback(move |_| Msg::Move(qi, i, false))}>{"↓"}</button>
                    </li>
                }
            }) }
            </ol>
        },
        QuestionKind::Matching => html! {
            <table class="matching">
            { for p.question.pairs.iter().enumerate().map(|(row, pair)| {
                let id = format!("{name}-row{row}");
                let onchange = link.callback(move |e: Event| Msg::Match(qi, row, e.target_unchecked_into::<HtmlSelectElement>().value().parse().ok()));
                html! {
                    <tr>
                        <th scope="row"><label for={id.clone()}>{&pair.left}</label></th>
                        <td><select id={id} disabled={locked} {onchange}>
                            <option value="" selected={draft[row].is_none()}>{"choose its match"}</option>
                            { for shown.iter().enumerate().map(|(k, right)| html! {
                                <option value={k.to_string()} selected={draft[row] == Some(k)}>{right}</option>
                            }) }
                        </select></td>
                    </tr>
                }
            }) }
            </table>
        },
        _ => {
            let many = p.picks_many();
            html! {
                <div class="choices" role={if many { "group" } else { "radiogroup" }}>
                if many { <p class="hint">{"Choose every answer that applies (possibly none)."}</p> }
                { for shown.iter().enumerate().map(|(k, text)| html! {
                    <label class="option">
                        <input type={if many { "checkbox" } else { "radio" }} name={name.clone()} id={format!("{name}-choice{k}")} disabled={locked}
                            checked={draft.contains(&Some(k))} onchange={link.callback(move |_| Msg::Choose(qi, k))} />
                        {" "}{text}
                    </label>
                }) }
                </div>
            }
        }
    };
    let answered = match p.question.kind {
        QuestionKind::Matching => draft.iter().all(Option::is_some),
        QuestionKind::Ordering => true,
        _ => !draft.is_empty() || p.picks_many(),
    };
    html! {
        <fieldset class="question" id={format!("question-{}", p.question.id)}>
            <legend><span class="number">{format!("Question {}. ", qi + 1)}</span>{ markdown::render(&p.question.prompt) }</legend>
            if let Some(sim) = &p.question.simulation {
                <p class="hint">{format!("The simulation, in the world of lab `{}`:", sim.lab)}</p>
                <pre class="simulation">{ sim.commands.iter().map(|c| format!("$ {c}")).collect::<Vec<_>>().join("\n") }</pre>
            }
            { body }
            if mode == Feedback::EachQuestion && !locked {
                <button type="button" class="check" disabled={!answered} onclick={link.callback(move |_| Msg::Check(qi))}>{"Check answer"}</button>
            }
            if feedback { <div id={format!("feedback-{qi}")} tabindex="-1">{ verdict(p, &QuizView::answer(p, draft)) }</div> }
        </fieldset>
    }
}

fn verdict(p: &Presented, answer: &Answer) -> Html {
    let graded = p.grade(answer);
    let (class, word) = if graded.correct {
        ("right", "✔ Correct.".to_string())
    } else if graded.earned > 0 {
        ("partly", format!("◐ Partly right: {} of {} points.", graded.earned, graded.possible))
    } else {
        ("wrong", "✖ Not quite.".to_string())
    };
    html! {
        <div class={classes!("feedback", class)} role="status">
            <p><strong>{word}</strong>{format!(" {} (Course: {})", graded.explanation, graded.section)}</p>
            if !graded.correct {
                <p class="correct-answer">{"The answer: "}{ p.correct_answer().join("; ") }</p>
            }
            { for p.prediction.iter().flat_map(|pr| &pr.shown).map(|s| html! {
                <pre class="shown">{format!("[{}] $ {}\n{}", s.clock, s.line, s.output)}</pre>
            }) }
        </div>
    }
}

fn summary(results: &[QuizResult], link: &html::Scope<QuizView>) -> Html {
    let Some(last) = results.last() else { return html! {} };
    let best = results.iter().map(|r| r.score).max().unwrap_or(0);
    html! {
        <div class={classes!("quiz-result", if last.passed { "right" } else { "wrong" })} role="status" aria-live="polite">
            <p class="score">{format!(
                "Score: {}% ({} of {} fully right) · {} · {} min {} s",
                last.score,
                last.answers.iter().filter(|a| a.correct).count(),
                last.questions,
                if last.passed { "Passed" } else { "Not passed yet" },
                last.seconds / 60,
                last.seconds % 60,
            )}</p>
            if results.len() > 1 {
                <p>{format!("Best of {} attempts: {best}%.", results.len())}</p>
            }
            <button type="button" class="retake" onclick={link.callback(|_| Msg::Retake)}>{"Retake with a new draw"}</button>
            {" "}
            <a class="download" download={format!("gitops-lab-quiz-{}.json", last.quiz)} href={results_href(results)}>{"Download my results (JSON)"}</a>
        </div>
    }
}

/// A saved quiz's status in words, or `None` when it was never opened here.
pub fn summary_of(quiz: &str) -> Option<String> {
    let saved: Saved = load_json(&quiz_key(quiz))?;
    let best = saved.results.iter().max_by_key(|r| r.score);
    Some(match best {
        Some(r) if r.passed => format!("✔ Passed: best {}% in {} attempts", r.score, saved.results.len()),
        Some(r) => format!("◐ Best {}% so far (pass mark {PASS_PERCENT}%)", r.score),
        None if !saved.touched => "Not taken".into(),
        None => "◐ In progress".into(),
    })
}

/// Every attempt's result as a JSON download, for a learning record or an LMS import.
fn results_href(results: &[QuizResult]) -> String {
    let json = serde_json::to_string_pretty(results).unwrap_or_default();
    format!("data:application/json;charset=utf-8,{}", String::from(js_sys::encode_uri_component(&json)))
}
