//! The one implementation of [`GitHost`], written once over what each provider supplies
//! ([`HostPrimitives`]): names checked before any call, Refresh forgetting the user's cached
//! answers, the first group read beside the account, the repository step's first screen
//! ([`super::picker`]), the studio's `main` branch ([`super::branch`]), a new project's
//! repository ([`super::project`]) and the pipeline store ([`super::pipelines`]). A
//! provider's `host.rs` declares its primitives and writes none of these rules
//! (ARCHITECTURE.md, "Adding a Git provider").

use api::{MainBranch, Page, Repository, RepositoryGroup, RepositoryPicker};
use async_trait::async_trait;
use secrecy::SecretString;

use super::branch::Repo;
use super::branching::{self, BranchPage, BranchWork, Compared};
use super::cache::Reading;
use super::picker::{first_screen, picker_of};
use super::pipelines::{BranchFiles, ProviderPipelines};
use super::project::ProjectChecks;
use super::upstream::Rest;
use super::{
    branch, project, BranchAt, Connected, GitHost, Identity, NameRule, PipelineLocation,
    ProjectRepository, ProviderError,
};
use crate::error::AppResult;
use crate::pipelines::PipelineStore;

/// What a provider's host supplies; [`GitHost`] comes with it.
#[async_trait]
pub trait HostPrimitives: Send + Sync {
    /// Its REST client, with its branch and repository calls.
    type Calls: ProjectChecks + Rest + BranchWork;
    /// Its pipeline files' calls.
    type Files: BranchFiles + 'static;
    /// A page cursor from the app, as checked.
    type Cursor: Send;
    /// How it checks the names the app sends, and its word for a group.
    const NAMES: NameRule;
    /// Whether the provider's document says its group list refuses a token it does not
    /// accept (a 401), so that reading the list proves the token. Where the list may be
    /// answered anonymously instead, only the account proves it.
    const GROUPS_PROVE_THE_TOKEN: bool;
    fn calls(&self) -> &Self::Calls;
    fn files(&self) -> Self::Files;
    /// Who the token belongs to (its `first_group` is filled in beside it).
    async fn account(&self, token: &SecretString) -> Result<Identity, ProviderError>;
    /// The group the repository step opens first.
    async fn first_group(&self, token: &SecretString) -> Result<Option<String>, ProviderError>;
    /// Every group of the account, read as `reading` allows.
    async fn read_groups(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<RepositoryGroup>, ProviderError>;
    /// The groups with their human names.
    async fn named_groups(
        &self,
        token: &SecretString,
    ) -> Result<Vec<RepositoryGroup>, ProviderError>;
    /// A cursor from the app, checked before anything is asked; `None`: the first page.
    fn cursor(&self, raw: Option<&str>) -> Result<Self::Cursor, ProviderError>;
    /// One page of a group's repositories the user can write to, searched by name.
    async fn repository_page(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        cursor: Self::Cursor,
    ) -> Result<Page<Repository>, ProviderError>;
    /// Revokes the user's grant at the provider, where the provider lets the studio; `false`
    /// where it does not (Bitbucket has no revocation endpoint for OAuth clients).
    async fn revoke(&self, _token: &SecretString) -> Result<bool, ProviderError> {
        Ok(false)
    }
}

#[async_trait]
impl<H: HostPrimitives> GitHost for H {
    /// The account, and alongside it (no added wait) the first group, so the repository step
    /// can open on it at once. The group is a convenience: failing to read it fails nothing.
    async fn identify(&self, token: &SecretString) -> Result<Identity, ProviderError> {
        let (account, first_group) = tokio::join!(self.account(token), self.first_group(token));
        Ok(Identity {
            first_group: first_group.ok().flatten(),
            ..account?
        })
    }

    /// Proves the token. Where the group list does (`GROUPS_PROVE_THE_TOKEN`), with the read
    /// the repository step opens with anyway, handed over to it: the connect step's check,
    /// followed by the picker it prepares (`app::pages::wizard::prepared`), then costs the
    /// provider no more calls than the picker alone. Elsewhere, with the account.
    async fn check(&self, token: &SecretString) -> AppResult<()> {
        if H::GROUPS_PROVE_THE_TOKEN {
            Ok(self.read_groups(token, Reading::HandOver).await.map(drop)?)
        } else {
            Ok(self.account(token).await.map(drop)?)
        }
    }

    /// One round trip as a rule (see [`first_screen`]): the groups and the guessed group's
    /// first repositories at the same time; the group list read during authorization is
    /// handed over ([`Reading::Opening`]).
    async fn picker(
        &self,
        token: &SecretString,
        guess: Option<&str>,
        refresh: bool,
    ) -> AppResult<RepositoryPicker> {
        H::NAMES.guess(guess)?;
        if refresh {
            self.calls().forget_cached(token);
        }
        let (groups, shown) = first_screen(
            guess.map(str::to_owned),
            self.read_groups(token, Reading::Opening),
            |group| async move {
                let first = self.cursor(None)?;
                self.repository_page(token, &group, None, first).await
            },
            |group: &RepositoryGroup| group.slug.as_str(),
        )
        .await?;
        Ok(picker_of(groups, shown))
    }

    async fn groups(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>> {
        Ok(self.read_groups(token, Reading::Cached).await?)
    }

    async fn group_names(&self, token: &SecretString) -> AppResult<Vec<RepositoryGroup>> {
        Ok(self.named_groups(token).await?)
    }

    async fn repositories(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        cursor: Option<&str>,
        refresh: bool,
    ) -> AppResult<Page<Repository>> {
        let group = H::NAMES.group(group)?;
        let cursor = self.cursor(cursor)?;
        if refresh {
            self.calls().forget_cached(token);
        }
        Ok(self.repository_page(token, group, search, cursor).await?)
    }

    async fn main_branch(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<MainBranch> {
        branch::main_branch(self.calls(), H::NAMES, token, group, repo).await
    }

    async fn create_main_branch(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<MainBranch> {
        branch::create_main_branch(self.calls(), H::NAMES, token, group, repo).await
    }

    async fn project_repository(
        &self,
        token: &SecretString,
        group: &str,
        repo: &str,
    ) -> AppResult<ProjectRepository> {
        project::project_repository(self.calls(), H::NAMES, token, group, repo).await
    }

    async fn revoke(&self, token: &SecretString) -> AppResult<bool> {
        Ok(HostPrimitives::revoke(self, token).await?)
    }

    async fn branch_names(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        search: Option<&str>,
    ) -> AppResult<BranchPage> {
        let at = repo::<H>(at)?;
        Ok(self.calls().branch_names(token, at, search).await?)
    }

    async fn create_branch(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        name: &str,
        from: &str,
    ) -> AppResult<()> {
        let at = repo::<H>(at)?;
        let (name, from) = (branching::branch_name(name)?, branching::branch_name(from)?);
        Ok(branching::create(self.calls(), token, at, name, from).await?)
    }

    async fn compare(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        base: &str,
        head: &str,
    ) -> AppResult<Option<Compared>> {
        let at = repo::<H>(at)?;
        let (base, head) = (branching::branch_name(base)?, branching::branch_name(head)?);
        Ok(branching::compare(self.calls(), token, at, base, head).await?)
    }

    async fn file_diff(
        &self,
        token: &SecretString,
        at: &BranchAt<'_>,
        base: &str,
        head: &str,
        path: &str,
    ) -> AppResult<(Vec<api::DiffHunk>, bool)> {
        let at = repo::<H>(at)?;
        let (base, head) = (branching::branch_name(base)?, branching::branch_name(head)?);
        let hunks = self.calls().file_diff(token, at, base, head, path).await?;
        Ok(branching::bounded(hunks))
    }

    fn pull_request_url(
        &self,
        repository_page: &str,
        head: &str,
        base: &str,
    ) -> AppResult<Option<String>> {
        let (head, base) = (branching::branch_name(head)?, branching::branch_name(base)?);
        Ok(branching::repository_page(repository_page)
            .map(|page| self.calls().pull_request_url(&page, head, base).into()))
    }

    fn pipelines(
        &self,
        connected: Connected,
        location: PipelineLocation,
    ) -> Box<dyn PipelineStore> {
        ProviderPipelines::boxed(connected, location, self.files())
    }
}

/// A project's repository, checked by the provider's name rule.
fn repo<'a, H: HostPrimitives>(at: &BranchAt<'a>) -> AppResult<Repo<'a>> {
    let (group, repo) = H::NAMES.group_and_repo(at.group, at.repo)?;
    Ok(Repo { group, repo })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use api::{Change, PipelinePath};

    use super::*;
    use crate::providers::branch::tests::{token, Fake, NAMES};
    use crate::providers::pipelines::{FileCommit, NewCommit};
    use crate::providers::project::tests::{checks, Checks};
    use crate::providers::upstream::Upstream;

    fn unused() -> ProviderError {
        ProviderError::Unexpected("not asked in these tests".into())
    }

    #[async_trait]
    impl<const AT_ONCE: bool> Rest for Checks<AT_ONCE> {
        fn upstream(&self) -> &Upstream {
            &self.up
        }

        async fn send(
            &self,
            _: &SecretString,
            _: reqwest::RequestBuilder,
            _: &str,
        ) -> Result<reqwest::Response, ProviderError> {
            Err(unused())
        }
    }

    /// Branch work is not what these tests read (see `branching`'s and the providers' own).
    #[async_trait]
    impl<const AT_ONCE: bool> BranchWork for Checks<AT_ONCE> {
        async fn branch_names(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            _: Option<&str>,
        ) -> Result<BranchPage, ProviderError> {
            Err(unused())
        }
        async fn compare(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            _: &str,
            _: &str,
        ) -> Result<Compared, ProviderError> {
            Err(unused())
        }
        async fn file_diff(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            _: &str,
            _: &str,
            _: &str,
        ) -> Result<Vec<api::DiffHunk>, ProviderError> {
            Err(unused())
        }
        fn pull_request_url(&self, repository: &url::Url, _: &str, _: &str) -> url::Url {
            repository.clone()
        }
    }

    /// Pipelines are not what these tests read.
    struct NoFiles;

    #[async_trait]
    impl BranchFiles for NoFiles {
        fn label(&self) -> &'static str {
            "Fake"
        }
        fn revision<'a>(&self, raw: &'a str) -> Result<&'a str, ProviderError> {
            Ok(raw)
        }
        async fn head(
            &self,
            _: &SecretString,
            _: &PipelineLocation,
        ) -> Result<Option<Change>, ProviderError> {
            Err(unused())
        }
        async fn paths(
            &self,
            _: &SecretString,
            _: &PipelineLocation,
            _: &str,
        ) -> Result<(Vec<String>, bool), ProviderError> {
            Err(unused())
        }
        async fn file(
            &self,
            _: &SecretString,
            _: &PipelineLocation,
            _: &str,
            _: &PipelinePath,
        ) -> Result<Option<Vec<u8>>, ProviderError> {
            Err(unused())
        }
        async fn last_change(
            &self,
            _: &SecretString,
            _: &PipelineLocation,
            _: &str,
            _: &PipelinePath,
        ) -> Result<Option<Change>, ProviderError> {
            Err(unused())
        }
        async fn commit(
            &self,
            _: &SecretString,
            _: &PipelineLocation,
            _: FileCommit<'_>,
        ) -> Result<NewCommit, ProviderError> {
            Err(unused())
        }
    }

    /// A provider with groups `acme` and `zeta`, a first group that cannot be read, and a
    /// cursor that must be a number; every primitive call is written down.
    struct Host {
        calls: Checks<false>,
        asked: Mutex<Vec<String>>,
    }

    impl Host {
        fn new() -> Self {
            Self {
                calls: checks(Fake::with(&[])),
                asked: Mutex::new(Vec::new()),
            }
        }

        fn asked(&self) -> Vec<String> {
            self.asked.lock().unwrap().clone()
        }
    }

    #[async_trait]
    impl HostPrimitives for Host {
        type Calls = Checks<false>;
        type Files = NoFiles;
        type Cursor = u64;
        const NAMES: NameRule = NAMES;
        const GROUPS_PROVE_THE_TOKEN: bool = false;

        fn calls(&self) -> &Checks<false> {
            &self.calls
        }

        fn files(&self) -> NoFiles {
            NoFiles
        }

        async fn account(&self, _: &SecretString) -> Result<Identity, ProviderError> {
            Ok(Identity {
                uuid: "{1}".into(),
                account_id: None,
                nickname: Some("alex".into()),
                display_name: "Alex".into(),
                avatar_url: None,
                first_group: None,
            })
        }

        async fn first_group(&self, _: &SecretString) -> Result<Option<String>, ProviderError> {
            Err(ProviderError::Unavailable("down".into()))
        }

        async fn read_groups(
            &self,
            _: &SecretString,
            reading: Reading,
        ) -> Result<Vec<RepositoryGroup>, ProviderError> {
            self.asked
                .lock()
                .unwrap()
                .push(format!("groups {reading:?}"));
            Ok(["acme", "zeta"]
                .map(|slug| RepositoryGroup {
                    slug: slug.into(),
                    name: None,
                })
                .into())
        }

        async fn named_groups(
            &self,
            _: &SecretString,
        ) -> Result<Vec<RepositoryGroup>, ProviderError> {
            Err(unused())
        }

        fn cursor(&self, raw: Option<&str>) -> Result<u64, ProviderError> {
            raw.map_or(Ok(0), |raw| {
                raw.parse().map_err(|_| ProviderError::InvalidName("page"))
            })
        }

        async fn repository_page(
            &self,
            _: &SecretString,
            group: &str,
            _: Option<&str>,
            start: u64,
        ) -> Result<Page<Repository>, ProviderError> {
            self.asked
                .lock()
                .unwrap()
                .push(format!("page {group} {start}"));
            Ok(Page::empty())
        }
    }

    /// Keeps an answer for the token, as a listing would.
    fn cache_something(host: &Host) {
        let ttl = Duration::from_secs(60);
        let cache = &host.calls.up.cache;
        cache.put(&token(), "https://fake.example/list", "[]".into(), ttl);
    }

    fn cached(host: &Host) -> bool {
        let cache = &host.calls.up.cache;
        cache.get(&token(), "https://fake.example/list").is_some()
    }

    #[tokio::test]
    async fn the_first_group_is_a_convenience_the_account_is_not() {
        let identity = Host::new().identify(&token()).await.unwrap();
        assert_eq!(identity.display_name, "Alex");
        assert_eq!(identity.first_group, None, "its failure fails nothing");
    }

    #[tokio::test]
    async fn refresh_forgets_only_after_the_names_and_cursor_pass() {
        let host = Host::new();
        cache_something(&host);
        let refused = host
            .repositories(&token(), "acme", None, Some("x"), true)
            .await;
        assert!(refused.is_err());
        let refused = host.repositories(&token(), "a/b", None, None, true).await;
        assert!(refused.is_err());
        assert!(cached(&host), "a refused request forgets nothing");
        assert!(host.asked().is_empty());

        host.repositories(&token(), "acme", None, Some("50"), false)
            .await
            .unwrap();
        assert!(cached(&host), "no Refresh: kept");
        host.repositories(&token(), "acme", None, Some("50"), true)
            .await
            .unwrap();
        assert!(!cached(&host), "Refresh: forgotten");
        assert_eq!(host.asked(), ["page acme 50", "page acme 50"]);
    }

    #[tokio::test]
    async fn the_picker_opens_on_the_guess_or_the_first_group() {
        let host = Host::new();
        let picker = host.picker(&token(), Some("zeta"), false).await.unwrap();
        assert_eq!(picker.group.as_deref(), Some("zeta"));
        assert_eq!(host.asked(), ["groups Opening", "page zeta 0"]);

        let host = Host::new();
        let picker = host.picker(&token(), None, false).await.unwrap();
        assert_eq!(picker.group.as_deref(), Some("acme"));
        assert_eq!(picker.groups.len(), 2);

        let host = Host::new();
        cache_something(&host);
        assert!(host.picker(&token(), Some("a/b"), true).await.is_err());
        assert!(cached(&host) && host.asked().is_empty());
        host.picker(&token(), None, true).await.unwrap();
        assert!(!cached(&host));
    }
}
