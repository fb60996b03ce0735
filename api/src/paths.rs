//! Route paths shared by the server's router and the app's client.

use crate::GitProvider;

pub const INFO: &str = "/api/info";
pub const ME: &str = "/api/me";
pub const SIGN_UP: &str = "/api/auth/sign-up";
/// Finishes a sign-up with the token of the mailed link.
pub const SIGN_UP_CONFIRM: &str = "/api/auth/sign-up/confirm";
/// What a sign-up link is for (its address, and who is signed in), without using it up.
pub const SIGN_UP_INSPECT: &str = "/api/auth/sign-up/inspect";
pub const SIGN_IN: &str = "/api/auth/sign-in";
pub const SIGN_OUT: &str = "/api/auth/sign-out";
/// `GET`: the connection's status; `DELETE`: disconnect (forget the stored tokens).
pub const BITBUCKET_CONNECTION: &str = "/api/connections/bitbucket";
/// The connection's audit trail, newest first.
pub const BITBUCKET_CONNECTION_EVENTS: &str = "/api/connections/bitbucket/events";
pub const BITBUCKET_WORKSPACES: &str = "/api/bitbucket/workspaces";
/// The human names of the account's workspaces (`Vec<api::RepositoryGroup>`), asked for after the
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

/// `/api/projects/{id}/pipelines/draft`: an editor's unsaved text (`api::PipelineDraft`),
/// `GET`, `PUT` and `DELETE`; with `?path=` for a stored pipeline, without for a new one;
/// with `branch=` on a branch other than the project's.
/// `branch`: the editor's branch, `None` for the project's own.
pub fn pipeline_draft(project: i64, path: Option<&str>, branch: Option<&str>) -> String {
    let draft = format!("{}/draft", pipelines(project));
    let draft = match path {
        Some(path) => format!("{draft}?path={}", encode_query_value(path)),
        None => draft,
    };
    let first = path.is_none();
    draft + &branch_query(branch, first)
}

/// `/api/projects/{id}/pipelines/file?path=…`
pub fn pipeline_file_at(project: i64, path: &str) -> String {
    format!(
        "{}?path={}",
        pipeline_file(project),
        encode_query_value(path)
    )
}

/// `?branch=…` to append to a route's query (`first`: whether it starts the query), or
/// nothing for the project's own branch (`None`).
pub fn branch_query(branch: Option<&str>, first: bool) -> String {
    branch.map_or_else(String::new, |branch| {
        let sep = if first { '?' } else { '&' };
        format!("{sep}branch={}", encode_query_value(branch))
    })
}

/// `/api/projects/{id}/branches`: `GET ?q=` the selector's branches, `POST` a new one.
pub fn branches(project: i64) -> String {
    format!("{PROJECTS}/{project}/branches")
}

/// `/api/projects/{id}/branch`: `PUT` the branch this user works on, kept for next time.
pub fn chosen_branch(project: i64) -> String {
    format!("{PROJECTS}/{project}/branch")
}

/// `/api/projects/{id}/compare?branch=…`: the branch against the project's own.
pub fn compare(project: i64) -> String {
    format!("{PROJECTS}/{project}/compare")
}

/// `/api/projects/{id}/compare/file?branch=…&path=…`: one file's diff.
pub fn compare_file(project: i64) -> String {
    format!("{}/file", compare(project))
}

// Every provider's routes, by its slug ([`GitProvider::slug`]). The constants above are
// Bitbucket Cloud's instances of these; a unit test keeps the two in step.

/// `GET`: the provider connection's status; `DELETE`: disconnect.
pub fn connection(provider: GitProvider) -> String {
    format!("/api/connections/{}", provider.slug())
}

/// The provider connection's audit trail, newest first.
pub fn connection_events(provider: GitProvider) -> String {
    format!("{}/events", connection(provider))
}

/// Browser navigation starts the provider's OAuth flow here (`?return_to=`).
pub fn oauth_start(provider: GitProvider) -> String {
    format!("/oauth/{}/start", provider.slug())
}

/// The provider redirects the browser back here: one callback per provider.
pub fn oauth_callback(provider: GitProvider) -> String {
    format!("/oauth/{}/callback", provider.slug())
}

/// Where a provider that asks for its app to be installed on an account sends the browser
/// back after the installation (GitHub's *Setup URL*), with `state` naming the app's page to
/// resume.
pub fn oauth_installed(provider: GitProvider) -> String {
    format!("/oauth/{}/installed", provider.slug())
}

/// The prefix of the provider's narrow proxy: `/api/{slug}`.
pub fn provider_api(provider: GitProvider) -> String {
    format!("/api/{}", provider.slug())
}

/// The groups of repositories the account can see (Cloud workspaces, Data Center projects).
pub fn workspaces(provider: GitProvider) -> String {
    format!("{}/workspaces", provider_api(provider))
}

/// The groups' human names, asked for after the repository step's first screen.
pub fn workspace_names(provider: GitProvider) -> String {
    format!("{}/workspace-names", provider_api(provider))
}

/// The repository step's first screen (`api::RepositoryPicker`), `?workspace=` optional.
pub fn repository_picker(provider: GitProvider) -> String {
    format!("{}/repository-picker", provider_api(provider))
}

/// `/api/{slug}/workspaces/{workspace}/repositories`: the group's writable repositories.
pub fn repositories(provider: GitProvider, workspace: &str) -> String {
    format!(
        "{}/{}/repositories",
        workspaces(provider),
        encode_segment(workspace)
    )
}

/// `…/repositories/{repository}/main-branch`: `GET` its state, `POST` to create it.
pub fn main_branch(provider: GitProvider, workspace: &str, repository: &str) -> String {
    format!(
        "{}/{}/main-branch",
        repositories(provider, workspace),
        encode_segment(repository)
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
    fn a_branch_joins_the_query() {
        assert_eq!(
            pipeline_draft(7, Some("a.orch.yaml"), Some("f/x")),
            "/api/projects/7/pipelines/draft?path=a.orch.yaml&branch=f%2Fx"
        );
        assert_eq!(
            pipeline_draft(7, None, Some("b")),
            "/api/projects/7/pipelines/draft?branch=b"
        );
        assert_eq!(
            pipeline_draft(7, None, None),
            "/api/projects/7/pipelines/draft"
        );
        assert_eq!(branch_query(None, true), "");
    }

    #[test]
    fn cloud_routes_are_the_provider_routes_of_bitbucket() {
        let cloud = GitProvider::BitbucketCloud;
        assert_eq!(connection(cloud), BITBUCKET_CONNECTION);
        assert_eq!(connection_events(cloud), BITBUCKET_CONNECTION_EVENTS);
        assert_eq!(oauth_start(cloud), BITBUCKET_OAUTH_START);
        assert_eq!(oauth_callback(cloud), BITBUCKET_OAUTH_CALLBACK);
        assert_eq!(workspaces(cloud), BITBUCKET_WORKSPACES);
        assert_eq!(workspace_names(cloud), BITBUCKET_WORKSPACE_NAMES);
        assert_eq!(repository_picker(cloud), BITBUCKET_REPOSITORY_PICKER);
        assert_eq!(repositories(cloud, "a b"), bitbucket_repositories("a b"));
        assert_eq!(
            main_branch(cloud, "a", "b"),
            bitbucket_main_branch("a", "b")
        );
        assert_eq!(
            main_branch(GitProvider::BitbucketDataCenter, "DATA", "etl"),
            "/api/bitbucket-dc/workspaces/DATA/repositories/etl/main-branch"
        );
    }

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
