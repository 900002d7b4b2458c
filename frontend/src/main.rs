//! The GitOps Lab page: a Yew view over one simulated world, running entirely
//! in the browser.

mod app;
mod catalog;
mod markdown;
mod panels;
mod progress;
mod recovery;
mod sandbox;
mod terminal;

fn main() {
    recovery::install_panic_hook();
    let document = web_sys::window().and_then(|w| w.document()).expect("a browser page has a document");
    let root = document.get_element_by_id("app").expect("the page has an #app element");
    // The server names the lab in `data-lab`; the static site uses `?lab=<id>`.
    let from_query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| q.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("lab=").map(String::from)));
    match root.get_attribute("data-lab").filter(|l| !l.is_empty()).or(from_query) {
        Some(lab) if lab == "sandbox" => {
            yew::Renderer::<sandbox::Sandbox>::with_root(root).render();
        }
        Some(lab) => {
            yew::Renderer::<app::App>::with_root_and_props(root, app::Props { lab: lab.into(), custom: None }).render();
        }
        None => {
            yew::Renderer::<catalog::Catalog>::with_root(root).render();
        }
    }
}
