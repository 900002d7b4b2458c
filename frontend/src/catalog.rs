//! The list of labs, for the static site (the server renders its own).

use simulator::content;
use yew::prelude::*;

pub struct Catalog;

impl Component for Catalog {
    type Message = ();
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        Catalog
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let labs = content::labs(&content::builtin()).unwrap_or_default();
        html! {
            <main class="catalog">
                <h1>{"GitOps Lab"}</h1>
                <ul class="labs">
                    { for labs.iter().map(|l| html! {
                        <li class="lab-card">
                            <a href={format!("?lab={}", l.id)}><h2>{&l.title}</h2></a>
                            <p>{&l.summary}</p>
                            <p class="minutes">{format!("about {} minutes", l.minutes)}</p>
                        </li>
                    }) }
                </ul>
                <p><a href="?lab=sandbox">{"Sandbox: open your own GitOps repo folder"}</a></p>
            </main>
        }
    }
}
