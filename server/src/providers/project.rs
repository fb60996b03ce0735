//! Checking the repository of a new project, written once for every provider over the calls
//! each makes its own way ([`ProjectChecks`]): the account must be able to write to it (else
//! a refusal naming the provider and its group of repositories), it must have the studio's
//! branch (else [`missing_main`]), and its page on the provider is the one the answer links,
//! or one built from its name. ARCHITECTURE.md, "Adding a Git provider".

use api::PROJECT_BRANCH;
use async_trait::async_trait;
use secrecy::SecretString;

use super::branch::{Asked, BranchCalls, Repo};
use super::{missing_main, NameRule, ProjectRepository, ProviderError};
use crate::error::AppResult;

/// What a provider's answer says of a repository, as a project keeps it.
#[derive(Clone, Debug)]
pub struct Described {
    pub slug: String,
    /// `group/slug`, as the provider shows it.
    pub full_name: String,
    /// Its page on the provider, when the answer links one.
    pub html_url: Option<String>,
}

/// A provider's calls for [`project_repository`], each with the token it is given; whether
/// `main` exists is its [`BranchCalls::tip`], asked [`Asked::Recent`] (the branch step asked
/// a moment ago).
#[async_trait]
pub trait ProjectChecks: BranchCalls {
    /// What the provider's repository answer holds that the checks read.
    type Facts: Send + Sync;
    /// The provider's word for the permission to write ("Write", as Cloud names it).
    const WRITE_ACCESS: &'static str;
    /// Whether the write check and the branch check are asked at the same time. A provider
    /// counting each user's calls against an hourly limit asks one after the other, so a
    /// repository it refuses costs no branch call.
    const CHECKS_AT_ONCE: bool;
    /// The repository (one call).
    async fn facts(&self, token: &SecretString, at: Repo<'_>)
        -> Result<Self::Facts, ProviderError>;
    fn described(&self, at: Repo<'_>, facts: &Self::Facts) -> Described;
    /// Whether the account may write to the repository now.
    async fn writable(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        facts: &Self::Facts,
    ) -> Result<bool, ProviderError>;
    /// The repository's page when the answer links none.
    fn fallback_url(&self, at: Repo<'_>, full_name: &str) -> String;
}

/// The refusal of a repository the account cannot write to.
pub fn cannot_write(label: &str, group_noun: &str, access: &str, full_name: &str) -> ProviderError {
    ProviderError::Forbidden(format!(
        "Your {label} account cannot write to {full_name}. Choose a repository you can write to, or ask a {group_noun} admin for {access} access."
    ))
}

/// The repository for a new project; refuses one the account cannot write to or without
/// `main`. `names` checks the group and repository first.
pub async fn project_repository<C: ProjectChecks>(
    calls: &C,
    names: NameRule,
    token: &SecretString,
    group: &str,
    repo: &str,
) -> AppResult<ProjectRepository> {
    let (group, repo) = names.group_and_repo(group, repo)?;
    let at = Repo { group, repo };
    let facts = calls.facts(token, at).await?;
    let described = calls.described(at, &facts);
    let has_main = || async {
        let tip = calls.tip(token, at, PROJECT_BRANCH, Asked::Recent).await?;
        Ok::<_, ProviderError>(tip.is_some())
    };
    let (writable, main) = if C::CHECKS_AT_ONCE {
        let (writable, main) = tokio::join!(calls.writable(token, at, &facts), has_main());
        (writable?, Some(main?))
    } else {
        (calls.writable(token, at, &facts).await?, None)
    };
    let full_name = described.full_name;
    if !writable {
        let refusal = cannot_write(calls.label(), names.group, C::WRITE_ACCESS, &full_name);
        return Err(refusal.into());
    }
    let has_main = match main {
        Some(main) => main,
        None => has_main().await?,
    };
    if !has_main {
        return Err(missing_main(&full_name));
    }
    let html_url = described
        .html_url
        .unwrap_or_else(|| calls.fallback_url(at, &full_name));
    Ok(ProjectRepository {
        group: group.to_owned(),
        slug: described.slug,
        full_name,
        html_url,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::AppError;
    use crate::providers::branch::tests::{token, Fake, NAMES};

    /// [`Fake`] as a provider asking its checks one after the other, or at once; `up` is
    /// its client's base (for [`crate::providers::host`]'s tests).
    pub(crate) struct Checks<const AT_ONCE: bool> {
        pub(crate) fake: Fake,
        pub(crate) html_url: Option<String>,
        pub(crate) up: crate::providers::upstream::Upstream,
    }

    pub(crate) fn checks<const AT_ONCE: bool>(fake: Fake) -> Checks<AT_ONCE> {
        let up = crate::providers::upstream::Upstream::new(
            reqwest::Client::new(),
            "https://fake.example",
            crate::telemetry::Metrics::new(),
        )
        .unwrap();
        Checks {
            fake,
            html_url: Some("https://fake.example/acme/etl".into()),
            up,
        }
    }

    #[async_trait]
    impl<const AT_ONCE: bool> BranchCalls for Checks<AT_ONCE> {
        type Repository = String;
        fn label(&self) -> &'static str {
            "Fake Git"
        }
        async fn repository(
            &self,
            t: &SecretString,
            at: Repo<'_>,
        ) -> Result<String, ProviderError> {
            self.fake.repository(t, at).await
        }
        async fn tip(
            &self,
            t: &SecretString,
            at: Repo<'_>,
            branch: &str,
            asked: Asked,
        ) -> Result<Option<String>, ProviderError> {
            self.fake.tip(t, at, branch, asked).await
        }
        async fn start_point(
            &self,
            t: &SecretString,
            at: Repo<'_>,
            r: &String,
        ) -> Result<Option<String>, ProviderError> {
            self.fake.start_point(t, at, r).await
        }
        fn title(&self, at: Repo<'_>, r: &String) -> String {
            self.fake.title(at, r)
        }
        async fn create_branch(
            &self,
            t: &SecretString,
            at: Repo<'_>,
            name: &str,
            from: &str,
        ) -> Result<(), ProviderError> {
            self.fake.create_branch(t, at, name, from).await
        }
        async fn first_commit(
            &self,
            t: &SecretString,
            at: Repo<'_>,
            branch: &str,
            content: &str,
            message: &str,
        ) -> Result<(), ProviderError> {
            self.fake
                .first_commit(t, at, branch, content, message)
                .await
        }
    }

    #[async_trait]
    impl<const AT_ONCE: bool> ProjectChecks for Checks<AT_ONCE> {
        type Facts = ();
        const WRITE_ACCESS: &'static str = "Push";
        const CHECKS_AT_ONCE: bool = AT_ONCE;
        async fn facts(&self, _: &SecretString, _: Repo<'_>) -> Result<(), ProviderError> {
            self.fake.called("facts".into());
            Ok(())
        }
        fn described(&self, at: Repo<'_>, _: &()) -> Described {
            Described {
                slug: at.repo.to_owned(),
                full_name: format!("{}/{}", at.group, at.repo),
                html_url: self.html_url.clone(),
            }
        }
        async fn writable(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            _: &(),
        ) -> Result<bool, ProviderError> {
            self.fake.called("writable".into());
            Ok(self.fake.writable)
        }
        fn fallback_url(&self, at: Repo<'_>, full_name: &str) -> String {
            format!("https://{}.example/{full_name}", at.group)
        }
    }

    async fn check<const AT_ONCE: bool>(checks: &Checks<AT_ONCE>) -> AppResult<ProjectRepository> {
        project_repository(checks, NAMES, &token(), "acme", "etl").await
    }

    #[tokio::test]
    async fn a_writable_repository_with_main_is_a_project_repository() {
        let checks = checks::<false>(Fake::with(&[("main", "abc")]));
        let found = check(&checks).await.unwrap();
        assert_eq!(
            (
                found.group.as_str(),
                found.slug.as_str(),
                found.full_name.as_str()
            ),
            ("acme", "etl", "acme/etl")
        );
        assert_eq!(found.html_url, "https://fake.example/acme/etl");
        assert_eq!(
            checks.fake.calls(),
            ["facts", "writable", "tip main Recent"]
        );
    }

    #[tokio::test]
    async fn no_linked_page_is_the_fallback_url() {
        let checks = Checks::<true> {
            html_url: None,
            ..checks(Fake::with(&[("main", "abc")]))
        };
        assert_eq!(
            check(&checks).await.unwrap().html_url,
            "https://acme.example/acme/etl"
        );
    }

    #[tokio::test]
    async fn a_repository_the_account_cannot_write_to_is_forbidden() {
        for at_once in [false, true] {
            let fake = Fake {
                writable: false,
                ..Fake::with(&[("main", "abc")])
            };
            let (refused, calls) = if at_once {
                let checks = checks::<true>(fake);
                (check(&checks).await, checks.fake.calls())
            } else {
                let checks = checks::<false>(fake);
                (check(&checks).await, checks.fake.calls())
            };
            let Err(AppError::Provider(ProviderError::Forbidden(message))) = refused else {
                panic!("{refused:?}");
            };
            assert_eq!(
                message,
                "Your Fake Git account cannot write to acme/etl. Choose a repository you can write to, or ask a team admin for Push access."
            );
            // Asked one after the other, a refused repository costs no branch call.
            assert_eq!(
                calls.iter().any(|c| c.starts_with("tip")),
                at_once,
                "{calls:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_repository_without_main_is_the_missing_main_error() {
        for at_once in [false, true] {
            let refused = if at_once {
                check(&checks::<true>(Fake::with(&[("master", "def")]))).await
            } else {
                check(&checks::<false>(Fake::with(&[("master", "def")]))).await
            };
            let Err(AppError::InvalidInput { field, message }) = refused else {
                panic!("{refused:?}");
            };
            assert_eq!(field, "repository");
            assert!(
                message.starts_with("acme/etl has no branch named main"),
                "{message}"
            );
        }
    }

    #[tokio::test]
    async fn names_are_checked_before_any_call() {
        let checks = checks::<true>(Fake::with(&[("main", "abc")]));
        assert!(project_repository(&checks, NAMES, &token(), "a/b", "etl")
            .await
            .is_err());
        assert!(checks.fake.calls().is_empty());
    }
}
