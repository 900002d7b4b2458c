//! The list of labs and quizzes with this browser's progress, for the static
//! site (the server renders its own and lets `status` fill in the progress).

use simulator::content;
use simulator::quiz::{FINAL_QUESTIONS, FINAL_QUIZ};
use yew::prelude::*;

use crate::status;

pub struct Catalog;

impl Component for Catalog {
    type Message = ();
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        Catalog
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let files = content::builtin();
        let labs = content::labs(&files).unwrap_or_default();
        let banks = content::banks(&files).unwrap_or_default();
        let quizzes = banks.iter().map(|b| (b.topic.clone(), b.title.clone(), b.questions.len())).chain(std::iter::once((
            FINAL_QUIZ.to_string(),
            "Final check: every topic".to_string(),
            FINAL_QUESTIONS,
        )));
        html! {
            <main class="catalog">
                <h1>{"GitOps Lab"}</h1>
                <p class="tagline">{"Practise GitOps on a simulated cluster: Argo CD, kubectl and git, with the reconcile loop made visible."}</p>
                <h2>{"Labs"}</h2>
                <ul class="labs">
                    { for labs.iter().map(|l| html! {
                        <li class="lab-card" id={format!("lab-{}", l.id)}>
                            <a href={format!("?lab={}", l.id)}><h3>{&l.title}</h3></a>
                            <p>{&l.summary}</p>
                            <p class="minutes">{format!("About {} minutes · {} steps · Course: {}", l.minutes, l.steps.len(), l.course_section)}</p>
                            <p class="progress">{ status::lab_text(&l.id) }</p>
                        </li>
                    }) }
                </ul>
                <h2>{"Quizzes"}</h2>
                <ul class="quizzes">
                    { for quizzes.map(|(topic, title, n)| html! {
                        <li class="quiz-card" id={format!("quiz-card-{topic}")}>
                            <a href={format!("?quiz={topic}")}>{title}</a>
                            <span class="minutes">{format!("{n} questions")}</span>
                            <span class="progress">{ status::quiz_text(&topic) }</span>
                        </li>
                    }) }
                </ul>
                <p><a href="?lab=sandbox">{"Sandbox: open your own GitOps repo folder"}</a></p>
            </main>
        }
    }
}
