//! The sandbox page: pick a folder of manifests and Argo CD Applications
//! (your team's GitOps repo) and play in it. Nothing leaves the browser.

use simulator::git::Snapshot;
use simulator::lab::Lab;
use simulator::lab::sandbox::{sandbox_lab, wanted_path};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::App;

/// The most files a sandbox folder may hold.
const MAX_FILES: u32 = 5000;

pub enum Msg {
    Picked(Event),
    Loaded(Result<(String, Snapshot), String>),
}

pub struct Sandbox {
    lab: Option<Rc<Lab>>,
    error: Option<String>,
    loading: bool,
}

impl Component for Sandbox {
    type Message = Msg;
    type Properties = ();

    fn create(_ctx: &Context<Self>) -> Self {
        Sandbox { lab: None, error: None, loading: false }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Picked(e) => {
                let Some(files) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()).and_then(|i| i.files()) else {
                    return false;
                };
                self.loading = true;
                self.error = None;
                ctx.link().send_future(async move { Msg::Loaded(read_files(files).await) });
            }
            Msg::Loaded(Ok((name, files))) => {
                self.loading = false;
                match sandbox_lab(&name, files) {
                    Ok(lab) => self.lab = Some(Rc::new(lab)),
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::Loaded(Err(e)) => {
                self.loading = false;
                self.error = Some(e);
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        if let Some(lab) = &self.lab {
            return html! { <App lab={AttrValue::from("sandbox")} custom={Some(lab.clone())} /> };
        }
        let onchange = ctx.link().callback(Msg::Picked);
        html! {
            <main class="catalog">
                <h1>{"Sandbox: your own GitOps repo"}</h1>
                <p>{"Pick the folder of a GitOps repository: Kubernetes manifests and Argo CD Application files. It becomes the lab's Git repo, and a simulated cluster and Argo CD run its applications. Nothing is uploaded: it stays in this browser."}</p>
                <label for="sandbox-folder">{"Folder: "}</label>
                <input id="sandbox-folder" type="file" webkitdirectory={true} multiple={true} {onchange} />
                if self.loading { <p class="loading" role="status">{"Reading the folder…"}</p> }
                if let Some(e) = &self.error { <p class="parse-error" role="alert">{e}</p> }
                <p><a href={crate::home()}>{"Back to the labs"}</a></p>
            </main>
        }
    }
}

/// Reads every text file picked, keyed by its path inside the chosen folder.
async fn read_files(files: web_sys::FileList) -> Result<(String, Snapshot), String> {
    if files.length() > MAX_FILES {
        return Err(format!("the folder holds {} files; the sandbox takes at most {MAX_FILES}", files.length()));
    }
    let mut out = Snapshot::new();
    let mut name = String::from("repo");
    for i in 0..files.length() {
        let Some(file) = files.get(i) else { continue };
        let relative =
            js_sys::Reflect::get(&file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| file.name());
        let (top, rest) = relative.split_once('/').unwrap_or(("repo", relative.as_str()));
        name = top.to_string();
        if !wanted_path(rest) {
            continue;
        }
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|_| format!("{relative} could not be read"))?;
        if let Some(text) = text.as_string() {
            out.insert(rest.to_string(), text);
        }
    }
    Ok((name, out))
}
