//! What the Git providers answer, as read: the JSON shapes of Bitbucket Cloud ([`cloud`]),
//! Bitbucket Data Center ([`datacenter`]) and GitHub ([`github`]), each with only the fields the studio reads and
//! every field Atlassian does not require optional, and the step from them to the studio's
//! own types, which drops an entry that lacks what the studio needs.
//!
//! A crate of its own, with no I/O, so the fuzzer (`fuzz/`) can push the parsers with
//! anything an upstream might send without building the server.

pub mod cloud;
pub mod datacenter;
pub mod diff;
pub mod github;

/// A link from an answer that the app may put in an `href` or `src`: an absolute `http(s)`
/// URL with nothing that could end the attribute or hide a scheme, else `None`. A hostile or
/// broken upstream's `javascript:` or `data:` link is dropped here, before it is stored or
/// shown.
pub fn web_link(href: Option<String>) -> Option<String> {
    let href = href?;
    let lower = href.get(..8)?.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let plain = href
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && !matches!(c, '"' | '<' | '>' | '`'));
    (web && plain && href.len() <= 2048).then_some(href)
}

#[cfg(test)]
mod tests {
    use super::web_link;

    #[test]
    fn only_plain_web_links_pass() {
        let link = |s: &str| web_link(Some(s.to_owned()));
        assert_eq!(
            link("https://git.example.com/projects/DATA").as_deref(),
            Some("https://git.example.com/projects/DATA")
        );
        assert!(link("HTTP://bitbucket.org/acme/etl").is_some());
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)//https://",
            " https://x",
            "data:text/html,<script>",
            "https://x\"onmouseover=1",
            "https://x\n",
            "//evil.example",
            "/relative",
            "https:",
            "",
        ] {
            assert_eq!(link(bad), None, "{bad:?}");
        }
        assert_eq!(link(&format!("https://x/{}", "a".repeat(2048))), None);
        assert_eq!(web_link(None), None);
    }
}
