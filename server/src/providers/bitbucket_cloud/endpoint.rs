//! Names for the Bitbucket endpoints the studio calls, as templates (`/repositories/
//! {workspace}/{repo_slug}/src/{commit}/{path}`), for metrics: a path as called names the
//! user's workspaces, repositories and files, and would make a series per file.

/// The template of a path's segments below the API's base (`https://api.bitbucket.org/2.0`),
/// as [`crate::providers::upstream::below`] gives them (`""` for none:
/// [`crate::providers::upstream::endpoint`] names that `/`).
pub fn template(segments: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = segments.iter().copied();
    while let Some(segment) = rest.next() {
        // Each keyword says what the segments after it are.
        let (keyword, names): (&str, &[&str]) = match segment {
            "repositories" => ("repositories", &["{workspace}", "{repo_slug}"]),
            "workspaces" => ("workspaces", &["{workspace}"]),
            "branches" => ("branches", &["{name}"]),
            "tags" => ("tags", &["{name}"]),
            // A commit, then a file path of any depth.
            "src" | "filehistory" | "commits" | "commit" | "diff" => {
                out.push('/');
                out.push_str(segment);
                if rest.next().is_some() {
                    out.push_str("/{commit}");
                }
                if rest.next().is_some() {
                    out.push_str("/{path}");
                }
                break;
            }
            "user" | "refs" | "permissions" | "hooks" => (segment, &[]),
            _ => ("{…}", &[]),
        };
        out.push('/');
        out.push_str(keyword);
        for name in names {
            if rest.next().is_none() {
                return out;
            }
            out.push('/');
            out.push_str(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::upstream::endpoint;
    use url::Url;

    fn of(path: &str) -> String {
        let base = Url::parse("https://api.bitbucket.org/2.0").unwrap();
        let url = Url::parse(&format!("https://api.bitbucket.org/2.0{path}")).unwrap();
        endpoint(&base, &url, template)
    }

    #[test]
    fn names_become_placeholders() {
        assert_eq!(of("/user"), "/user");
        assert_eq!(of("/user/workspaces?sort=slug"), "/user/workspaces");
        assert_eq!(of("/workspaces/acme"), "/workspaces/{workspace}");
        assert_eq!(of("/repositories/acme"), "/repositories/{workspace}");
        assert_eq!(
            of("/repositories/acme/etl/refs/branches/main"),
            "/repositories/{workspace}/{repo_slug}/refs/branches/{name}"
        );
        assert_eq!(
            of("/repositories/acme/etl/src/abc123/pipelines/a/b.yaml"),
            "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}"
        );
        assert_eq!(
            of("/repositories/acme/etl/src"),
            "/repositories/{workspace}/{repo_slug}/src"
        );
    }

    #[test]
    fn a_workspace_named_like_a_keyword_stays_a_placeholder() {
        assert_eq!(
            of("/repositories/src/branches"),
            "/repositories/{workspace}/{repo_slug}"
        );
        assert_eq!(of("/something/secret"), "/{…}/{…}");
    }
}
