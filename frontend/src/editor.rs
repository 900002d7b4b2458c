//! The file editor: the trainee's draft of one file of the working copy, with
//! YAML errors shown as they type, saved into the world on demand.

use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub path: AttrValue,
    /// The file as the working copy has it now.
    pub saved: AttrValue,
    pub on_save: Callback<(String, String)>,
    /// Check the draft as YAML whatever its name (a `kubectl edit` object).
    #[prop_or_default]
    pub yaml: bool,
}

pub enum Msg {
    Input(String),
    Save,
}

pub struct FileEditor {
    draft: String,
}

impl Component for FileEditor {
    type Message = Msg;
    type Properties = Props;

    fn create(ctx: &Context<Self>) -> Self {
        FileEditor { draft: ctx.props().saved.to_string() }
    }

    fn changed(&mut self, ctx: &Context<Self>, old: &Props) -> bool {
        // Another file, or the file changed underneath (yq, git pull) while the draft was untouched.
        if ctx.props().path != old.path || (ctx.props().saved != old.saved && self.draft == old.saved.as_str()) {
            self.draft = ctx.props().saved.to_string();
        }
        true
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Input(text) => self.draft = text,
            Msg::Save => ctx.props().on_save.emit((ctx.props().path.to_string(), self.draft.clone())),
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let path = ctx.props().path.to_string();
        let yaml = ctx.props().yaml || path.ends_with(".yaml") || path.ends_with(".yml");
        let error = yaml.then(|| simulator::yaml::parse_documents(&self.draft, &path).err()).flatten().map(|e| e.to_string());
        let oninput = ctx.link().callback(|e: InputEvent| Msg::Input(e.target_unchecked_into::<HtmlTextAreaElement>().value()));
        let unsaved = self.draft != ctx.props().saved.as_str();
        html! {
            <>
                <textarea aria-label={format!("Contents of {path}")} aria-invalid={error.is_some().to_string()} spellcheck="false" rows="14" value={self.draft.clone()} {oninput} />
                if let Some(e) = error {
                    <p class="parse-error" role="alert">{e}</p>
                }
                <button type="button" id="save-file" onclick={ctx.link().callback(|_| Msg::Save)}>{ if unsaved { "Save (unsaved changes)" } else { "Save" } }</button>
            </>
        }
    }
}
