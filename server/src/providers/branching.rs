//! Work on branches other than the project's own, written once for every provider over the
//! few calls each makes its own way ([`BranchWork`]): the branches to choose from, a new
//! branch, a branch compared with the project's, one file's diff, and the provider's own
//! page for a pull request.
//!
//! A branch name reaches a provider only after [`api::check_branch_name`] (Git's rule, the
//! same code as the app's inline check), so no name can add a path segment or a query.

use api::{DiffHunk, FileChange};
use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::branch::{Asked, BranchCalls, Repo};
use super::cache::Reading;
use super::ProviderError;

/// Branch names asked of the provider for one screen of the selector.
pub const BRANCH_PAGE: usize = 30;

/// How a provider reads what a comparison's summary asks for: afresh (the branch may have
/// moved since the page opened), and kept a minute for the file diffs that follow it.
pub const SUMMARY_READING: Reading = Reading::Opening;
/// How a file's diff reads what the summary a moment before asked for: from what it kept, so
/// opening a changed file asks the provider for the diff alone.
pub const DIFF_READING: Reading = Reading::Cached;
pub use api::branch::MAX_DIFF_LINES;

/// One screen of a repository's branch names, as the provider found them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BranchPage {
    pub names: Vec<String>,
    /// More names match than were read.
    pub more: bool,
}

/// A changed file, as the provider's comparison names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    pub path: String,
    pub change: FileChange,
    pub previous_path: Option<String>,
}

/// A branch against a base, as one comparison found it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compared {
    pub ahead: u32,
    pub behind: u32,
    /// A count stopped at the provider's page.
    pub capped: bool,
    /// The files the branch changed since it left the base (three-dot).
    pub files: Vec<Changed>,
    /// The provider listed more changed files than `files`.
    pub files_capped: bool,
}

/// What a provider does its own way for branch work; names are checked before these calls.
#[async_trait]
pub trait BranchWork: BranchCalls {
    /// The first [`BRANCH_PAGE`] branch names containing `search` (case-insensitive), or of
    /// every branch.
    async fn branch_names(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        search: Option<&str>,
    ) -> Result<BranchPage, ProviderError>;
    /// `head` against `base` (both branch names that exist).
    async fn compare(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
    ) -> Result<Compared, ProviderError>;
    /// The diff of `path` from where `head` left `base` to `head`.
    async fn file_diff(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        base: &str,
        head: &str,
        path: &str,
    ) -> Result<Vec<DiffHunk>, ProviderError>;
    /// The provider's page creating a pull request of `head` into `base`, prefilled, from
    /// the repository's own page (`repository`, an http(s) URL the provider gave).
    fn pull_request_url(&self, repository: &Url, head: &str, base: &str) -> Url;
}

/// A branch name from the app, checked by Git's rule before any call.
pub fn branch_name(name: &str) -> Result<&str, ProviderError> {
    match api::check_branch_name(name) {
        None => Ok(name),
        Some(_) => Err(ProviderError::InvalidName("branch")),
    }
}

/// Creates `name` at the tip of `from`: one create, as each provider makes it. Only when the
/// provider refuses is the name looked up, so a taken name is said as such (providers answer
/// it with 400, 409 or 422, none of which says it alone).
pub async fn create<C: BranchWork>(
    calls: &C,
    token: &SecretString,
    at: Repo<'_>,
    name: &str,
    from: &str,
) -> Result<(), ProviderError> {
    let refused = match calls.create_branch(token, at, name, from).await {
        Ok(()) => return Ok(()),
        Err(refused @ (ProviderError::BadRequest(_) | ProviderError::Conflict(_))) => refused,
        Err(other) => return Err(other),
    };
    if calls.tip(token, at, name, Asked::Now).await?.is_some() {
        return Err(ProviderError::Conflict(format!(
            "A branch named {name} exists already. Choose it in the branch list, or pick another name."
        )));
    }
    Err(refused)
}

/// `head` against `base`; `None` when `head` is not there any more.
pub async fn compare<C: BranchWork>(
    calls: &C,
    token: &SecretString,
    at: Repo<'_>,
    base: &str,
    head: &str,
) -> Result<Option<Compared>, ProviderError> {
    match calls.compare(token, at, base, head).await {
        Ok(compared) => Ok(Some(compared)),
        // Which of the two is missing: a comparison's 404 does not say.
        Err(ProviderError::NotFound(missing)) => {
            match calls.tip(token, at, head, Asked::Now).await? {
                None => Ok(None),
                Some(_) => Err(ProviderError::NotFound(missing)),
            }
        }
        Err(other) => Err(other),
    }
}

/// Cuts `hunks` to [`MAX_DIFF_LINES`] lines; whether it cut.
pub fn bounded(mut hunks: Vec<DiffHunk>) -> (Vec<DiffHunk>, bool) {
    let mut left = MAX_DIFF_LINES;
    let mut cut = false;
    hunks.retain_mut(|hunk| {
        if left == 0 {
            cut = true;
            return false;
        }
        if hunk.lines.len() > left {
            hunk.lines.truncate(left);
            cut = true;
        }
        left -= hunk.lines.len();
        true
    });
    (hunks, cut)
}

/// A branch name in a web page's path: each part between `/` percent-encoded, the `/` kept
/// (the providers' pages take `feature/x` as it is).
pub fn path_branch(name: &str) -> String {
    name.split('/')
        .map(api::paths::encode_query_value)
        .collect::<Vec<_>>()
        .join("/")
}

/// The repository's page as stored, if it is an http(s) URL: the only pages a pull-request
/// link is built on.
pub fn repository_page(html_url: &str) -> Option<Url> {
    let mut page = Url::parse(html_url).ok()?;
    if !matches!(page.scheme(), "http" | "https") || page.cannot_be_a_base() {
        return None;
    }
    page.set_query(None);
    page.set_fragment(None);
    if !page.path().ends_with('/') {
        let path = format!("{}/", page.path());
        page.set_path(&path);
    }
    Some(page)
}

/// `page` with `tail` (already encoded) after its path.
pub fn below(page: &Url, tail: &str) -> Url {
    page.join(tail).unwrap_or_else(|_| page.clone())
}
