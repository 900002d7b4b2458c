//! The recovery screen: a panic replaces the page with what happened and a
//! way back, never a blank page. For a lab it offers going back to before the
//! last input (the saved progress without it, the clock stopped there) and a
//! reset of this lab only; other labs' progress is never touched.

use std::cell::RefCell;
use wasm_bindgen::JsCast;

thread_local! {
    /// The lab whose progress is saved on this page, if any.
    static LAB: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Tells the recovery screen which lab's progress this page saves.
pub fn set_lab(lab: Option<String>) {
    LAB.with(|l| *l.borrow_mut() = lab);
}

/// Shows the recovery screen on any panic. Yew replaces the standard hook
/// when it renders unless its own setter is used, so this goes through it.
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        show(&message);
    }));
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn on_click(document: &web_sys::Document, id: &str, action: impl Fn() + 'static) {
    if let Some(button) = document.get_element_by_id(id) {
        let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            action();
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
        let _ = button.dyn_ref::<web_sys::HtmlElement>().map(|b| b.set_onclick(Some(closure.as_ref().unchecked_ref())));
        closure.forget();
    }
}

fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    let lab = LAB.with(|l| l.borrow().clone());
    let can_go_back = lab.as_deref().and_then(crate::progress::load).is_some_and(|s| !s.replay.inputs.is_empty());
    let back = if can_go_back { r#"<button id="recovery-back" type="button">Back to before my last input</button> "# } else { "" };
    let reset = if lab.is_some() { r#"<button id="recovery-reset" type="button">Reset this lab</button> "# } else { "" };
    body.set_inner_html(&format!(
        r#"<main class="recovery" role="alert">
<h1>Something went wrong in this lab</h1>
<p>The simulator stopped because of a bug on our side, not anything you typed wrong.</p>
<pre id="recovery-message">{}</pre>
<p>{back}{reset}<a href="/">Back to the labs</a></p>
</main>"#,
        escape(message)
    ));
    let Some(lab) = lab else { return };
    let for_back = lab.clone();
    on_click(&document, "recovery-back", move || {
        if let Some(earlier) = crate::progress::load(&for_back).as_ref().and_then(crate::progress::before_last_input) {
            crate::progress::save(&for_back, &earlier);
        }
    });
    on_click(&document, "recovery-reset", move || crate::progress::clear(&lab));
}
