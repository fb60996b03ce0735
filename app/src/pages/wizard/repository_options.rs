//! The repository step's radios, written as one HTML string.
//!
//! A page of 50 repositories is 250 elements and some 1,300 attribute and text values. Built
//! node by node, each of them crosses from wasm to JavaScript (a string decoded, a DOM call):
//! in a profile of the first screen that was 8–11 ms of the 10–14 ms the step spent between
//! the picker's answer and its first frame (BENCHMARKS.md, figure 1). Set as one string, it
//! is one crossing and the browser's own HTML parser.
//!
//! Every value a provider sends (names, slugs, full names, branch names) is escaped for the
//! text and the quoted attribute values it is written into, so no name can add markup; the
//! tests below try the characters that could. The page's Content-Security-Policy allows no
//! inline script or handler either (SECURITY.md).

use api::Repository;

use super::repository_list::{dom_id, repository_details};

/// Prefix of the radios' ids.
pub const OPTION_ID_PREFIX: &str = "repository";

/// The `<li>` of each repository, the one whose slug is `selected` checked. Each radio's
/// accessible name is exactly the repository's name; its description is the secondary line.
pub fn options_html(repositories: &[Repository], selected: Option<&str>) -> String {
    let mut html = String::with_capacity(repositories.len() * 360);
    for repository in repositories {
        let id = dom_id(OPTION_ID_PREFIX, &repository.slug);
        let checked = if selected == Some(repository.slug.as_str()) {
            " checked"
        } else {
            ""
        };
        html.push_str(
            r#"<li class="repository-option"><input type="radio" name="repository" id=""#,
        );
        push_escaped(&mut html, &id);
        html.push_str(r#"" value=""#);
        push_escaped(&mut html, &repository.slug);
        html.push_str(r#"" aria-describedby=""#);
        push_escaped(&mut html, &id);
        html.push_str(r#"-details""#);
        html.push_str(checked);
        html.push_str(r#"><span class="repository-text"><label for=""#);
        push_escaped(&mut html, &id);
        html.push_str(r#"">"#);
        push_escaped(&mut html, &repository.name);
        html.push_str(r#"</label><span class="repository-details" id=""#);
        push_escaped(&mut html, &id);
        html.push_str(r#"-details">"#);
        push_escaped(&mut html, &repository_details(repository));
        html.push_str("</span></span></li>");
    }
    html
}

/// Appends `text` escaped for HTML text and for a double- or single-quoted attribute value.
fn push_escaped(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            // A NUL is replaced by the HTML parser anyway; say so rather than rely on it.
            '\0' => html.push('\u{FFFD}'),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repository(slug: &str, name: &str) -> Repository {
        Repository {
            group: "acme".into(),
            slug: slug.into(),
            name: name.into(),
            full_name: format!("acme/{slug}"),
            is_private: true,
            main_branch: Some("main".into()),
            updated_on: None,
        }
    }

    #[test]
    fn each_repository_is_a_labelled_radio_and_the_chosen_one_is_checked() {
        let html = options_html(
            &[repository("etl", "ETL"), repository("web", "Web")],
            Some("web"),
        );
        assert_eq!(
            html,
            concat!(
                r#"<li class="repository-option"><input type="radio" name="repository" id="repository-etl" value="etl" aria-describedby="repository-etl-details">"#,
                r#"<span class="repository-text"><label for="repository-etl">ETL</label>"#,
                r#"<span class="repository-details" id="repository-etl-details">acme/etl · Private · default branch main</span></span></li>"#,
                r#"<li class="repository-option"><input type="radio" name="repository" id="repository-web" value="web" aria-describedby="repository-web-details" checked>"#,
                r#"<span class="repository-text"><label for="repository-web">Web</label>"#,
                r#"<span class="repository-details" id="repository-web-details">acme/web · Private · default branch main</span></span></li>"#,
            )
        );
        assert_eq!(options_html(&[], None), "");
    }

    #[test]
    fn no_name_a_provider_sends_can_add_markup() {
        let hostile = r#"x"><img src=x onerror=alert(1)>'<script>&amp;</script>"#;
        let mut evil = repository(hostile, hostile);
        evil.full_name = hostile.into();
        evil.main_branch = Some(hostile.into());
        let html = options_html(&[evil], Some(hostile));
        // The only tags and quotes are the template's own.
        let tags: Vec<&str> = html
            .split('<')
            .skip(1)
            .map(|tag| tag.split([' ', '>']).next().unwrap())
            .collect();
        assert_eq!(
            tags,
            ["li", "input", "span", "label", "/label", "span", "/span", "/span", "/li"]
        );
        assert_eq!(
            html.matches('"').count(),
            2 * 10,
            "ten quoted attributes: {html}"
        );
        assert!(!html.contains('\''));
        assert!(html.contains("&lt;script&gt;&amp;amp;&lt;/script&gt;"));
        assert!(html.contains(" checked>"), "still chosen by its slug");
    }

    #[test]
    fn every_character_that_could_end_a_value_or_open_a_tag_is_escaped() {
        let mut html = String::new();
        push_escaped(&mut html, "a&b<c>d\"e'f\0g é");
        assert_eq!(html, "a&amp;b&lt;c&gt;d&quot;e&#39;f\u{FFFD}g é");
    }
}
