//! Lab text is Markdown; this renders it to HTML for the guide.

use pulldown_cmark::{Options, Parser, html};
use yew::{AttrValue, Html};

pub fn render(text: &str) -> Html {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(text, Options::empty()));
    Html::from_html_unchecked(AttrValue::from(out))
}
