//! The GitOps Lab page: a Yew view over one simulated world, running entirely
//! in the browser.

mod app;
mod argo_ui;
mod bench;
mod catalog;
mod classroom;
mod editor;
mod guide;
mod markdown;
mod msg;
mod panels;
mod progress;
mod quiz;
mod recovery;
mod sandbox;
mod status;
mod terminal;

fn main() {
    recovery::install_panic_hook();
    let document = web_sys::window().and_then(|w| w.document()).expect("a browser page has a document");
    let root = document.get_element_by_id("app").expect("the page has an #app element");
    // The server names the lab or quiz in `data-lab` or `data-quiz`; the static site uses `?lab=<id>` or `?quiz=<topic>`.
    let param = query_param;
    let attribute = |name: &str| root.get_attribute(name).filter(|v| !v.is_empty());
    if param("bench").as_deref() == Some("reconcile") {
        let _ = root.remove_attribute("hidden");
        bench::run(root);
        return;
    }
    // A query names what to show even on the server's catalog page (`/?quiz=final&seed=7`, `/?lab=drift-2am`).
    let asked = param("lab").is_some() || param("quiz").is_some();
    if attribute("data-page").as_deref() == Some("catalog") && !asked {
        status::fill_catalog();
        return;
    }
    if asked && attribute("data-page").is_some() {
        // The server's catalog page (its server redirects these; a plain file server may not): the lab or quiz replaces it.
        if let Ok(Some(catalog)) = document.query_selector("main.catalog") {
            let _ = catalog.set_attribute("hidden", "");
        }
        let _ = root.remove_attribute("hidden");
    }
    if let Some(quiz) = attribute("data-quiz").or_else(|| param("quiz")) {
        let selection = simulator::quiz::Selection::named(&quiz);
        yew::Renderer::<quiz::QuizView>::with_root_and_props(root, quiz::Props { selection, embedded: false }).render();
        return;
    }
    match attribute("data-lab").or_else(|| param("lab")) {
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

/// Where "home" is: the server's catalog at `/`, or the static site's page without a query.
pub fn home() -> String {
    let served = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
        .is_some_and(|app| app.has_attribute("data-lab") || app.has_attribute("data-quiz"));
    if served { "/".into() } else { web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/".into()) }
}

/// A parameter of the page's query string, such as `lab` in `?lab=drift-2am`.
pub fn query_param(name: &str) -> Option<String> {
    let query = web_sys::window().and_then(|w| w.location().search().ok())?;
    query.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(String::from))
}
