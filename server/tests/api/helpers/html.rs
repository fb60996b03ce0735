//! Just enough HTML form reading to click a button on the sandbox's pages: the form's action,
//! its hidden inputs and the clicked button's own name/value.

#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

/// The form that contains a button whose text is `label`, ready to submit as if clicked.
pub fn form_with_button(html: &str, label: &str) -> Option<Form> {
    let mut rest = html;
    while let Some(start) = rest.find("<form") {
        let end = rest[start..].find("</form>")? + start;
        let form = &rest[start..end];
        rest = &rest[end + 7..];
        let Some(button) = find_button(form, label) else {
            continue;
        };
        let open_tag = &form[..form.find('>')?];
        let action = attribute(open_tag, "action").unwrap_or_default();
        let mut fields: Vec<(String, String)> = tags(form, "<input")
            .filter(|tag| attribute(tag, "type").is_none_or(|t| t == "hidden"))
            .filter_map(|tag| {
                Some((
                    attribute(tag, "name")?,
                    attribute(tag, "value").unwrap_or_default(),
                ))
            })
            .collect();
        if let Some(name) = attribute(button, "name") {
            fields.push((name, attribute(button, "value").unwrap_or_default()));
        }
        return Some(Form {
            action: decode(&action),
            fields,
        });
    }
    None
}

fn find_button<'a>(form: &'a str, label: &str) -> Option<&'a str> {
    let mut rest = form;
    while let Some(start) = rest.find("<button") {
        let close = rest[start..].find("</button>")? + start;
        let tag_end = rest[start..].find('>')? + start;
        let text = strip_tags(&rest[tag_end + 1..close]);
        if decode(text.trim()) == label {
            return Some(&rest[start..tag_end]);
        }
        rest = &rest[close + 9..];
    }
    None
}

fn tags<'a>(html: &'a str, opening: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    html.match_indices(opening)
        .filter_map(move |(i, _)| html[i..].find('>').map(|end| &html[i..i + end]))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(decode(&tag[start..end]))
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
