//! Names for the GitHub endpoints the studio calls, as templates in the words of GitHub's
//! description (`/repos/{owner}/{repo}/contents/{path}`), for metrics: a path as called names
//! the user's accounts, repositories and files.

/// The template of a path's segments below the API root.
pub fn template(segments: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = segments.iter().copied().peekable();
    // The name each segment after these stands for; `{path}` and `{ref}` take the rest.
    let mut names: &[&str] = &[];
    while let Some(segment) = rest.next() {
        out.push('/');
        if let Some((name, more)) = names.split_first() {
            out.push_str(name);
            names = more;
            if matches!(*name, "{path}" | "{ref}") {
                break;
            }
            continue;
        }
        out.push_str(segment);
        names = match segment {
            "repos" if out == "/repos" => &["{owner}", "{repo}"],
            "installations" if rest.peek().is_some() => &["{installation_id}"],
            "applications" => &["{client_id}"],
            "contents" => &["{path}"],
            "ref" | "refs" if rest.peek().is_some() => &["{ref}"],
            "commits" | "trees" | "blobs" if out.contains("/git/") => &["{sha}"],
            _ => &[],
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::upstream::endpoint;
    use url::Url;

    fn of(url: &str) -> String {
        let base = Url::parse("https://ghe.example.com/api/v3").unwrap();
        endpoint(&base, &Url::parse(url).unwrap(), template)
    }

    #[test]
    fn names_and_paths_become_placeholders() {
        let api = "https://ghe.example.com/api/v3";
        for (path, template) in [
            ("/user", "/user"),
            ("/user/installations?per_page=100", "/user/installations"),
            (
                "/user/installations/42/repositories?page=2",
                "/user/installations/{installation_id}/repositories",
            ),
            ("/repos/acme/etl", "/repos/{owner}/{repo}"),
            (
                "/repos/acme/etl/git/ref/heads/feature/x",
                "/repos/{owner}/{repo}/git/ref/{ref}",
            ),
            ("/repos/acme/etl/git/refs", "/repos/{owner}/{repo}/git/refs"),
            (
                "/repos/acme/etl/git/refs/heads/main",
                "/repos/{owner}/{repo}/git/refs/{ref}",
            ),
            (
                "/repos/acme/etl/git/commits/abc",
                "/repos/{owner}/{repo}/git/commits/{sha}",
            ),
            (
                "/repos/acme/etl/git/trees",
                "/repos/{owner}/{repo}/git/trees",
            ),
            (
                "/repos/acme/etl/git/trees/abc?recursive=1",
                "/repos/{owner}/{repo}/git/trees/{sha}",
            ),
            (
                "/repos/acme/etl/contents/a/b/c.yaml?ref=x",
                "/repos/{owner}/{repo}/contents/{path}",
            ),
            (
                "/repos/acme/etl/commits?path=x",
                "/repos/{owner}/{repo}/commits",
            ),
            (
                "/applications/Iv23abc/grant",
                "/applications/{client_id}/grant",
            ),
        ] {
            assert_eq!(of(&format!("{api}{path}")), template, "{path}");
        }
    }
}
