//! The terminal: scroll-back, an input line with history (up and down),
//! tab completion of commands, flags and names (Tab on an empty line moves
//! the focus on), Ctrl-L to clear, Ctrl-C to abandon a line.

use simulator::cli::complete::{CompletionData, complete, extend};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Prompt,
    Out,
    Err,
    Info,
    /// What the push-pipeline twin of a comparison lab printed.
    Twin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
}

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub lines: Vec<Line>,
    pub prompt: String,
    pub on_command: Callback<String>,
    pub on_clear: Callback<()>,
    /// What Tab can complete in this world (commands, flags, resource and file names).
    pub completion: Rc<CompletionData>,
    /// Shows the candidates when Tab cannot choose between them.
    pub on_candidates: Callback<Vec<String>>,
}

pub enum TermMsg {
    Key(KeyboardEvent),
}

pub struct Terminal {
    input: NodeRef,
    scroll: NodeRef,
    history: Vec<String>,
    cursor: usize,
}

impl Component for Terminal {
    type Message = TermMsg;
    type Properties = TerminalProps;

    fn create(_ctx: &Context<Self>) -> Self {
        Terminal { input: NodeRef::default(), scroll: NodeRef::default(), history: Vec::new(), cursor: 0 }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: TermMsg) -> bool {
        let TermMsg::Key(e) = msg;
        let Some(input) = self.input.cast::<HtmlInputElement>() else { return false };
        match e.key().as_str() {
            "Enter" => {
                let line = input.value();
                input.set_value("");
                if !line.trim().is_empty() {
                    self.history.push(line.clone());
                }
                self.cursor = self.history.len();
                if line.trim() == "clear" {
                    ctx.props().on_clear.emit(());
                } else {
                    ctx.props().on_command.emit(line);
                }
            }
            "ArrowUp" => {
                e.prevent_default();
                if self.cursor > 0 {
                    self.cursor -= 1;
                    input.set_value(&self.history[self.cursor]);
                }
            }
            "ArrowDown" => {
                e.prevent_default();
                if self.cursor + 1 < self.history.len() {
                    self.cursor += 1;
                    input.set_value(&self.history[self.cursor]);
                } else {
                    self.cursor = self.history.len();
                    input.set_value("");
                }
            }
            // Tab completes what is typed; on an empty line, or with Shift, it moves the focus as
            // everywhere else, so the terminal never traps the keyboard.
            "Tab" if !e.shift_key() && !input.value().is_empty() => {
                e.prevent_default();
                let typed = input.value();
                let candidates = complete(&ctx.props().completion, &typed);
                match extend(&typed, &candidates) {
                    Some(longer) => input.set_value(&longer),
                    None if candidates.len() > 1 => {
                        let last_words: Vec<String> = candidates.iter().map(|c| c.rsplit(' ').next().unwrap_or(c).to_string()).collect();
                        ctx.props().on_candidates.emit(last_words);
                    }
                    None => {}
                }
            }
            "l" if e.ctrl_key() => {
                e.prevent_default();
                ctx.props().on_clear.emit(());
            }
            "c" if e.ctrl_key() && input.selection_start().ok().flatten() == input.selection_end().ok().flatten() => {
                e.prevent_default();
                let line = input.value();
                input.set_value("");
                ctx.props().on_command.emit(format!("# {line}^C"));
            }
            _ => {}
        }
        false
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        if let Some(el) = self.scroll.cast::<web_sys::Element>() {
            el.set_scroll_top(el.scroll_height());
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let onkeydown = ctx.link().callback(TermMsg::Key);
        let focus = {
            let input = self.input.clone();
            Callback::from(move |_: MouseEvent| {
                if let Some(i) = input.cast::<HtmlInputElement>() {
                    let _ = i.focus();
                }
            })
        };
        let help = simulator::cli::tools::help_lines().map(|(c, _)| c).collect::<Vec<_>>().join(", ");
        html! {
            <div class="terminal" onclick={focus}>
                <div class="scrollback" ref={self.scroll.clone()} role="log" aria-live="polite" aria-label="Terminal output">
                    { for ctx.props().lines.iter().map(|l| {
                        let class = match l.kind { LineKind::Prompt => "prompt", LineKind::Out => "out", LineKind::Err => "err", LineKind::Twin => "twin", LineKind::Info => "info" };
                        html! { <pre class={class}>{&l.text}</pre> }
                    }) }
                </div>
                <div class="input-line">
                    <label for="term-input" class="prompt">{&ctx.props().prompt}</label>
                    <input id="term-input" ref={self.input.clone()} type="text" autocomplete="off" autocapitalize="off" spellcheck="false"
                        aria-label={format!("Terminal input. Commands: {help}")} {onkeydown} />
                </div>
            </div>
        }
    }
}
