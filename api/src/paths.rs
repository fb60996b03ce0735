//! Route paths shared by the server's router and the app's client.

pub const INFO: &str = "/api/info";
pub const ME: &str = "/api/me";
pub const SIGN_UP: &str = "/api/auth/sign-up";
/// Finishes a sign-up with the token of the mailed link.
pub const SIGN_UP_CONFIRM: &str = "/api/auth/sign-up/confirm";
pub const SIGN_IN: &str = "/api/auth/sign-in";
pub const SIGN_OUT: &str = "/api/auth/sign-out";
/// `GET`: the connection's status; `DELETE`: disconnect (forget the stored tokens).
pub const BITBUCKET_CONNECTION: &str = "/api/connections/bitbucket";
/// The connection's audit trail, newest first.
pub const BITBUCKET_CONNECTION_EVENTS: &str = "/api/connections/bitbucket/events";
pub const BITBUCKET_WORKSPACES: &str = "/api/bitbucket/workspaces";
/// The human names of the account's workspaces (`Vec<api::Workspace>`), asked for after the
/// repository step's first screen, which shows slugs until then.
pub const BITBUCKET_WORKSPACE_NAMES: &str = "/api/bitbucket/workspace-names";
/// The repository step's first screen (`api::RepositoryPicker`), `?workspace=` optional.
pub const BITBUCKET_REPOSITORY_PICKER: &str = "/api/bitbucket/repository-picker";
pub const PROJECTS: &str = "/api/projects";
/// The wizard's draft: `GET` (the draft or `null`), `PUT` (save), `DELETE` (discard).
pub const PROJECT_DRAFT: &str = "/api/drafts/project";

/// The app page a sign-up mail links to, with the token in the fragment
/// (`/sign-up/confirm#token=…`), so it never reaches a server log or a Referer.
pub const SIGN_UP_CONFIRM_PAGE: &str = "/sign-up/confirm";
/// The studio's own mailbox, when mail is kept instead of sent (sandbox mode, tests).
pub const SANDBOX_MAILBOX: &str = "/_sandbox/mail";

/// Browser navigation (not fetch) starts the OAuth flow here; `return_to` is where the
/// wizard resumes afterwards.
pub const BITBUCKET_OAUTH_START: &str = "/oauth/bitbucket/start";
/// Bitbucket redirects the browser back here. One callback path per provider (mix-up defence).
pub const BITBUCKET_OAUTH_CALLBACK: &str = "/oauth/bitbucket/callback";

/// `/api/bitbucket/workspaces/{workspace}/repositories`
pub fn bitbucket_repositories(workspace: &str) -> String {
    format!(
        "{BITBUCKET_WORKSPACES}/{}/repositories",
        encode_segment(workspace)
    )
}

/// `/api/bitbucket/workspaces/{workspace}/repositories/{repository}/main-branch`: `GET` its
/// state, `POST` to create it.
pub fn bitbucket_main_branch(workspace: &str, repository: &str) -> String {
    format!(
        "{}/{}/main-branch",
        bitbucket_repositories(workspace),
        encode_segment(repository)
    )
}

/// `/api/projects/{id}`: `GET` the project, `PATCH` its settings (`api::ProjectSettings`).
pub fn project(id: i64) -> String {
    format!("{PROJECTS}/{id}")
}

/// `/api/projects/{id}/pipelines`: `GET` the list.
pub fn pipelines(project: i64) -> String {
    format!("{PROJECTS}/{project}/pipelines")
}

/// `/api/projects/{id}/pipelines/file`: `GET ?path=` one, `PUT` save, `DELETE` remove.
pub fn pipeline_file(project: i64) -> String {
    format!("{}/file", pipelines(project))
}

/// `/api/projects/{id}/pipelines/file?path=…`
pub fn pipeline_file_at(project: i64, path: &str) -> String {
    format!(
        "{}?path={}",
        pipeline_file(project),
        encode_query_value(path)
    )
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters pass through).
pub fn encode_segment(segment: &str) -> String {
    encode(segment)
}

/// Percent-encodes a query-string value.
pub fn encode_query_value(value: &str) -> String {
    encode(value)
}

fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_smuggle_path_separators() {
        assert_eq!(
            bitbucket_repositories("a/../b"),
            "/api/bitbucket/workspaces/a%2F..%2Fb/repositories"
        );
        assert_eq!(
            encode_query_value("name ~ \"x\"&y"),
            "name%20~%20%22x%22%26y"
        );
    }
}
