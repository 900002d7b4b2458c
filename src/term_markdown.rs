//! Lab text (Markdown) rendered for a terminal: bold and code in ANSI styles
//! when the output is a terminal, code blocks indented as commands, lists
//! with bullets, and no raw `**` or fences either way.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Renders `text` for a terminal; `ansi` turns the styles on (off when the output is a file or a pipe).
pub fn render(text: &str, ansi: bool) -> String {
    let style = |code: &str| if ansi { format!("\x1b[{code}m") } else { String::new() };
    let mut out = String::new();
    let mut in_code_block = false;
    let mut list_depth = 0usize;
    for event in Parser::new_ext(text, Options::empty()) {
        match event {
            Event::Start(Tag::Strong) => out.push_str(&style("1")),
            Event::End(TagEnd::Strong) => out.push_str(&style("22")),
            Event::Start(Tag::Emphasis) => out.push_str(&style("3")),
            Event::End(TagEnd::Emphasis) => out.push_str(&style("23")),
            Event::Start(Tag::Heading { .. }) => out.push_str(&style("1;4")),
            Event::End(TagEnd::Heading(_)) => out.push_str(&format!("{}\n\n", style("0"))),
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => out.push_str(if list_depth > 0 { "\n" } else { "\n\n" }),
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => out.push_str(&format!("{}• ", "  ".repeat(list_depth.saturating_sub(1)))),
            Event::End(TagEnd::Item) => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented)) => {
                in_code_block = true;
                out.push_str(&style("36"));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                out.push_str(&format!("{}\n", style("0")));
            }
            Event::Text(t) if in_code_block => {
                for line in t.lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            Event::Text(t) => out.push_str(&t),
            Event::Code(c) => out.push_str(&format!("{}{c}{}", style("36"), style("39"))),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => {}
            _ => {}
        }
    }
    format!("{}\n", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_marks_become_styles_or_nothing() {
        let text = "It's **2 AM**. Run `kubectl get pods`:\n\n```\nkubectl scale deploy x --replicas=5\n```\n\n- one\n- two\n";
        let plain = render(text, false);
        assert_eq!(plain, "It's 2 AM. Run kubectl get pods:\n\n    kubectl scale deploy x --replicas=5\n\n• one\n• two\n");
        let styled = render(text, true);
        assert!(styled.contains("\x1b[1m2 AM\x1b[22m"), "{styled:?}");
        assert!(!styled.contains("**") && !styled.contains("```"));
    }
}
