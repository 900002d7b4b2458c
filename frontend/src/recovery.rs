//! The recovery screen: a panic replaces the page with what happened and a
//! way back, never a blank page.

use wasm_bindgen::JsCast;

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

fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    body.set_inner_html(&format!(
        r#"<main class="recovery" role="alert">
<h1>Something went wrong in this lab</h1>
<p>The simulator stopped because of a bug on our side, not anything you typed wrong.</p>
<pre id="recovery-message">{}</pre>
<p><button id="recovery-reset" type="button">Reset this lab</button> <a href="/">Back to the labs</a></p>
</main>"#,
        escape(message)
    ));
    if let Some(button) = document.get_element_by_id("recovery-reset") {
        let reset = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            if let Some(w) = web_sys::window() {
                if let Ok(Some(storage)) = w.local_storage() {
                    let _ = storage.clear();
                }
                let _ = w.location().reload();
            }
        });
        let _ = button.dyn_ref::<web_sys::HtmlElement>().map(|b| b.set_onclick(Some(reset.as_ref().unchecked_ref())));
        reset.forget();
    }
}
