//! Names for the Data Center endpoints the studio calls, as templates in the document's own
//! words (`/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}`), for
//! metrics: a path as called names the user's projects, repositories and files.

/// The template of a path's segments below the instance's base
/// ([`crate::providers::upstream::below`]; `""` for none, which
/// [`crate::providers::upstream::endpoint`] names `/`), from `/api` or `/branch-utils` on (the `/rest`
/// prefix is every endpoint's).
pub fn template(segments: &[&str]) -> String {
    let segments = match segments.first() {
        Some(&"rest") => &segments[1..],
        _ => segments,
    };
    let mut out = String::new();
    let mut rest = segments.iter().copied();
    while let Some(segment) = rest.next() {
        out.push('/');
        let name = match segment {
            "projects" => Some("{projectKey}"),
            "repos" if !out.ends_with("latest/") => Some("{repositorySlug}"),
            "users" => Some("{userSlug}"),
            "commits" => Some("{commitId}"),
            "browse" | "raw" | "files" | "last-modified" => {
                out.push_str(segment);
                if rest.next().is_some() {
                    out.push_str("/{path}");
                }
                break;
            }
            _ => None,
        };
        out.push_str(segment);
        if let Some(name) = name {
            if rest.next().is_none() {
                break;
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

    fn of(url: &str) -> String {
        let base = Url::parse("https://git.example.com/bb").unwrap();
        endpoint(&base, &Url::parse(url).unwrap(), template)
    }

    #[test]
    fn names_and_paths_become_placeholders() {
        assert_eq!(
            of("https://git.example.com/bb/rest/api/latest/repos?permission=REPO_WRITE"),
            "/api/latest/repos"
        );
        assert_eq!(
            of("https://git.example.com/bb/rest/api/latest/projects/DATA/repos/etl/browse/a/b/c.yaml?at=x"),
            "/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}"
        );
        assert_eq!(
            of("https://git.example.com/bb/rest/api/latest/projects/DATA/repos/etl/commits?path=x"),
            "/api/latest/projects/{projectKey}/repos/{repositorySlug}/commits"
        );
        assert_eq!(
            of("https://git.example.com/bb/rest/api/latest/users/alex"),
            "/api/latest/users/{userSlug}"
        );
        assert_eq!(
            of("https://git.example.com/bb/rest/api/latest/users?limit=1"),
            "/api/latest/users"
        );
        assert_eq!(
            of("https://git.example.com/bb/plugins/servlet/applinks/whoami"),
            "/plugins/servlet/applinks/whoami"
        );
        assert_eq!(
            of("https://git.example.com/bb/rest/branch-utils/latest/projects/DATA/repos/etl/branches"),
            "/branch-utils/latest/projects/{projectKey}/repos/{repositorySlug}/branches"
        );
        assert_eq!(
            of("https://git.example.com/bb/rest/api/latest/projects/DATA/repos/etl/default-branch"),
            "/api/latest/projects/{projectKey}/repos/{repositorySlug}/default-branch"
        );
    }
}
