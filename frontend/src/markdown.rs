//! Lab text is Markdown; this renders it to HTML for the guide. In a lab's
//! guide, every command (a code block's lines, or inline code that starts with
//! a tool the terminal knows) gets a Run and a Copy button: the page's click
//! handler reads their `data-run` and `data-copy` attributes.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd, html};
use yew::{AttrValue, Html};

pub fn render(text: &str) -> Html {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(text, Options::empty()));
    Html::from_html_unchecked(AttrValue::from(out))
}

/// Renders Markdown with Run and Copy buttons beside every command.
pub fn render_with_commands(text: &str) -> Html {
    let mut events = Vec::new();
    let mut block: Option<String> = None;
    for event in Parser::new_ext(text, Options::empty()) {
        if let Some(code) = block.as_mut() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let rows = command_block(code);
                    events.push(Event::Html(rows.into()));
                    block = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented)) => block = Some(String::new()),
            Event::Code(code) if is_command(&code) => events.push(Event::InlineHtml(inline_command(&code).into())),
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    Html::from_html_unchecked(AttrValue::from(out))
}

/// Whether inline code is a command to run (it starts with a tool the terminal knows).
fn is_command(code: &str) -> bool {
    let first = code.split_whitespace().next().unwrap_or("");
    code.contains(' ') && simulator::cli::tools::tool(first).is_some()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn buttons(command: &str) -> String {
    let c = escape(command);
    format!(
        "<button type=\"button\" class=\"run-cmd\" data-run=\"{c}\" aria-label=\"Run in the terminal: {c}\" title=\"Run in the terminal\">▶ Run</button>\
         <button type=\"button\" class=\"copy-cmd\" data-copy=\"{c}\" aria-label=\"Copy: {c}\" title=\"Copy\">⧉</button>"
    )
}

fn inline_command(code: &str) -> String {
    format!("<span class=\"cmd\"><code>{}</code>{}</span>", escape(code), buttons(code))
}

/// A code block: one row per command line, each with its buttons (comments and blank lines without).
fn command_block(code: &str) -> String {
    let rows: String = code
        .lines()
        .map(|line| {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                format!("<div class=\"cmd-line\"><code>{}</code></div>", escape(line))
            } else {
                format!("<div class=\"cmd-line\"><code>{}</code>{}</div>", escape(line), buttons(trimmed))
            }
        })
        .collect();
    format!("<div class=\"cmd-block\">{rows}</div>")
}
