//! The studio's branch (`main`, [`PROJECT_BRANCH`]) in a repository, written once for every
//! provider over the REST calls each makes its own way ([`BranchCalls`]): whether it is
//! there, what creating it would start from, and creating it, from the branch it would start
//! from or, in an empty repository, as a first commit (a commit on a new branch is how a
//! branch comes from nothing). ARCHITECTURE.md, "Adding a Git provider": a provider supplies
//! the primitives, never the rules.

use api::{MainBranch, PROJECT_BRANCH};
use async_trait::async_trait;
use secrecy::SecretString;

use super::{NameRule, ProviderError};
use crate::error::AppResult;

/// The file, and the message, of the first commit of an empty repository.
pub const README: &str = "README.md";
pub const CREATE_MESSAGE: &str = "Create the main branch for Pipeline Studio";

/// How fresh an answer about a branch must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// As it is now: for pipelines, whose saves must start from the branch as it is, and for
    /// the check after a creation.
    Now,
    /// As read at most a minute ago ([`super::cache`]), where the provider keeps one: for the
    /// wizard, whose branch step and project creation ask about the same branch a moment
    /// apart.
    Recent,
}

/// A repository named by its validated group and slug.
#[derive(Clone, Copy, Debug)]
pub struct Repo<'a> {
    pub group: &'a str,
    pub repo: &'a str,
}

/// What the first commit of an empty repository contains.
pub fn first_readme(repository_name: &str) -> String {
    format!(
        "# {repository_name}\n\nThis repository holds data pipelines edited with Pipeline Studio, on the `{PROJECT_BRANCH}` branch.\n"
    )
}

/// A provider's branch calls, each with the token it is given.
#[async_trait]
pub trait BranchCalls: Send + Sync {
    /// What the provider reads of the repository before its branches (Cloud: the repository,
    /// which names its default branch; a provider that needs nothing: `()`, and no call).
    type Repository: Send + Sync;
    /// The provider's name in errors.
    fn label(&self) -> &'static str;
    async fn repository(
        &self,
        token: &SecretString,
        at: Repo<'_>,
    ) -> Result<Self::Repository, ProviderError>;
    /// The tip commit of `branch`; `None` when there is no such branch.
    async fn tip(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        asked: Asked,
    ) -> Result<Option<String>, ProviderError>;
    /// The branch `main` would be created from; `None` when the repository has no branch.
    async fn start_point(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        repository: &Self::Repository,
    ) -> Result<Option<String>, ProviderError>;
    /// The repository's name in its first README.
    fn title(&self, at: Repo<'_>, repository: &Self::Repository) -> String;
    /// Creates branch `name` at the tip of branch `from`.
    async fn create_branch(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        name: &str,
        from: &str,
    ) -> Result<(), ProviderError>;
    /// Commits `content` as [`README`] on a new branch `branch`, with `message`.
    async fn first_commit(
        &self,
        token: &SecretString,
        at: Repo<'_>,
        branch: &str,
        content: &str,
        message: &str,
    ) -> Result<(), ProviderError>;
}

/// Whether `main` exists, and what creating it would start from; `names` checks the group
/// and repository first.
pub async fn main_branch<C: BranchCalls>(
    calls: &C,
    names: NameRule,
    token: &SecretString,
    group: &str,
    repo: &str,
) -> AppResult<MainBranch> {
    let (group, repo) = names.group_and_repo(group, repo)?;
    Ok(state(calls, token, Repo { group, repo }).await?.1)
}

async fn state<C: BranchCalls>(
    calls: &C,
    token: &SecretString,
    at: Repo<'_>,
) -> Result<(C::Repository, MainBranch), ProviderError> {
    let repository = calls.repository(token, at).await?;
    let state = match calls.tip(token, at, PROJECT_BRANCH, Asked::Recent).await? {
        Some(tip) => MainBranch::Ready { tip },
        None => match calls.start_point(token, at, &repository).await? {
            Some(default_branch) => MainBranch::Missing { default_branch },
            None => MainBranch::EmptyRepository,
        },
    };
    Ok((repository, state))
}

/// Creates `main`: from the branch it would start from, or as the first commit of an empty
/// repository. Already there (perhaps created by a concurrent request) is success.
pub async fn create_main_branch<C: BranchCalls>(
    calls: &C,
    names: NameRule,
    token: &SecretString,
    group: &str,
    repo: &str,
) -> AppResult<MainBranch> {
    let (group, repo) = names.group_and_repo(group, repo)?;
    Ok(create(calls, token, Repo { group, repo }).await?)
}

async fn create<C: BranchCalls>(
    calls: &C,
    token: &SecretString,
    at: Repo<'_>,
) -> Result<MainBranch, ProviderError> {
    let (repository, state) = state(calls, token, at).await?;
    let created = match state {
        ready @ MainBranch::Ready { .. } => return Ok(ready),
        MainBranch::Missing { default_branch } => {
            calls
                .create_branch(token, at, PROJECT_BRANCH, &default_branch)
                .await
        }
        MainBranch::EmptyRepository => {
            let readme = first_readme(&calls.title(at, &repository));
            calls
                .first_commit(token, at, PROJECT_BRANCH, &readme, CREATE_MESSAGE)
                .await
        }
    };
    let refusal = match created {
        Ok(()) => None,
        // The branch may exist already (created meanwhile, by us or anyone): providers'
        // documents name no one status for that, and 400 and 409 have both been seen. Read
        // what is there now before calling it a failure.
        Err(error @ (ProviderError::Conflict(_) | ProviderError::BadRequest(_))) => Some(error),
        Err(other) => return Err(other),
    };
    match calls.tip(token, at, PROJECT_BRANCH, Asked::Now).await? {
        Some(tip) => Ok(MainBranch::Ready { tip }),
        None => Err(refusal.unwrap_or_else(|| {
            ProviderError::Unexpected(format!(
                "{} accepted the new branch but does not show it",
                calls.label()
            ))
        })),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use super::*;

    /// A provider in memory: its branches and their tips, the branch it names as default,
    /// what its create answers, and every call made, in order.
    #[derive(Default)]
    pub(crate) struct Fake {
        pub branches: Mutex<BTreeMap<String, String>>,
        pub default: Option<String>,
        /// What a create answers instead of creating (`None`: it creates).
        pub refuse: Option<fn() -> ProviderError>,
        /// A refused create that still created `main` (another tab got there first).
        pub created_meanwhile: bool,
        /// An accepted create after which no `main` shows.
        pub vanishes: bool,
        pub writable: bool,
        pub calls: Mutex<Vec<String>>,
    }

    impl Fake {
        pub(crate) fn with(branches: &[(&str, &str)]) -> Self {
            Self {
                branches: Mutex::new(
                    branches
                        .iter()
                        .map(|(n, t)| (n.to_string(), t.to_string()))
                        .collect(),
                ),
                writable: true,
                ..Self::default()
            }
        }

        pub(crate) fn called(&self, call: String) {
            self.calls.lock().unwrap().push(call);
        }

        pub(crate) fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }

        fn made(&self, name: &str) -> Result<(), ProviderError> {
            if let Some(refuse) = self.refuse {
                if self.created_meanwhile {
                    self.branches
                        .lock()
                        .unwrap()
                        .insert(name.into(), "theirs".into());
                }
                return Err(refuse());
            }
            if !self.vanishes {
                self.branches
                    .lock()
                    .unwrap()
                    .insert(name.into(), "new".into());
            }
            Ok(())
        }
    }

    #[async_trait]
    impl BranchCalls for Fake {
        type Repository = String;

        fn label(&self) -> &'static str {
            "Fake"
        }

        async fn repository(
            &self,
            _: &SecretString,
            at: Repo<'_>,
        ) -> Result<String, ProviderError> {
            self.called("repository".into());
            Ok(format!("The {}", at.repo))
        }

        async fn tip(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            branch: &str,
            asked: Asked,
        ) -> Result<Option<String>, ProviderError> {
            self.called(format!("tip {branch} {asked:?}"));
            Ok(self.branches.lock().unwrap().get(branch).cloned())
        }

        async fn start_point(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            _: &String,
        ) -> Result<Option<String>, ProviderError> {
            Ok(self.default.clone())
        }

        fn title(&self, _: Repo<'_>, repository: &String) -> String {
            repository.clone()
        }

        async fn create_branch(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            name: &str,
            from: &str,
        ) -> Result<(), ProviderError> {
            self.called(format!("create {name} from {from}"));
            self.made(name)
        }

        async fn first_commit(
            &self,
            _: &SecretString,
            _: Repo<'_>,
            branch: &str,
            content: &str,
            message: &str,
        ) -> Result<(), ProviderError> {
            self.called(format!("commit {branch} {message}: {content}"));
            self.made(branch)
        }
    }

    pub(crate) const NAMES: NameRule = NameRule {
        check: |name, what| {
            if name.contains('/') {
                Err(ProviderError::InvalidName(what))
            } else {
                Ok(name)
            }
        },
        group: "team",
    };

    pub(crate) fn token() -> SecretString {
        SecretString::from("token".to_owned())
    }

    async fn state_of(fake: &Fake) -> MainBranch {
        main_branch(fake, NAMES, &token(), "acme", "etl")
            .await
            .unwrap()
    }

    #[test]
    fn the_first_readme_names_the_repository_and_branch() {
        let readme = first_readme("Sales ETL");
        assert!(readme.starts_with("# Sales ETL\n"));
        assert!(readme.contains("`main`"));
    }

    #[tokio::test]
    async fn the_state_follows_from_main_the_start_point_or_nothing() {
        let fake = Fake::with(&[("main", "abc")]);
        assert_eq!(
            state_of(&fake).await,
            MainBranch::Ready { tip: "abc".into() }
        );
        assert_eq!(fake.calls(), ["repository", "tip main Recent"]);
        let fake = Fake {
            default: Some("master".into()),
            ..Fake::with(&[("master", "def")])
        };
        assert_eq!(
            state_of(&fake).await,
            MainBranch::Missing {
                default_branch: "master".into()
            }
        );
        assert_eq!(
            state_of(&Fake::with(&[])).await,
            MainBranch::EmptyRepository
        );
    }

    #[tokio::test]
    async fn names_are_checked_before_any_call() {
        let fake = Fake::with(&[("main", "abc")]);
        let refused = main_branch(&fake, NAMES, &token(), "acme", "a/b").await;
        assert!(refused.is_err());
        let refused = create_main_branch(&fake, NAMES, &token(), "a/b", "etl").await;
        assert!(refused.is_err());
        assert!(fake.calls().is_empty());
    }

    #[tokio::test]
    async fn main_is_created_from_the_start_point_or_as_a_first_commit() {
        let fake = Fake {
            default: Some("master".into()),
            ..Fake::with(&[("master", "def")])
        };
        let created = create_main_branch(&fake, NAMES, &token(), "acme", "etl").await;
        assert_eq!(created.unwrap(), MainBranch::Ready { tip: "new".into() });
        assert_eq!(
            fake.calls(),
            [
                "repository",
                "tip main Recent",
                "create main from master",
                "tip main Now"
            ]
        );

        let empty = Fake::with(&[]);
        let created = create_main_branch(&empty, NAMES, &token(), "acme", "etl").await;
        assert_eq!(created.unwrap(), MainBranch::Ready { tip: "new".into() });
        let commit = format!("commit main {CREATE_MESSAGE}: {}", first_readme("The etl"));
        assert_eq!(empty.calls()[2], commit);
    }

    #[tokio::test]
    async fn an_existing_main_is_not_created_again() {
        let fake = Fake::with(&[("main", "abc")]);
        let created = create_main_branch(&fake, NAMES, &token(), "acme", "etl").await;
        assert_eq!(created.unwrap(), MainBranch::Ready { tip: "abc".into() });
        assert_eq!(fake.calls(), ["repository", "tip main Recent"]);
    }

    #[tokio::test]
    async fn a_refused_create_counts_if_main_is_there_after_all() {
        let raced = Fake {
            refuse: Some(|| ProviderError::Conflict("exists".into())),
            created_meanwhile: true,
            ..Fake::with(&[])
        };
        let created = create_main_branch(&raced, NAMES, &token(), "acme", "etl").await;
        assert_eq!(
            created.unwrap(),
            MainBranch::Ready {
                tip: "theirs".into()
            }
        );
        // Refused, and no main: the refusal stands.
        let refused = Fake {
            refuse: Some(|| ProviderError::BadRequest("no".into())),
            ..Fake::with(&[])
        };
        let error = create(
            &refused,
            &token(),
            Repo {
                group: "acme",
                repo: "etl",
            },
        )
        .await;
        assert!(matches!(error, Err(ProviderError::BadRequest(m)) if m == "no"));
        // Any other refusal is the answer at once, without looking again.
        let forbidden = Fake {
            refuse: Some(|| ProviderError::Forbidden("read only".into())),
            ..Fake::with(&[])
        };
        let error = create(
            &forbidden,
            &token(),
            Repo {
                group: "acme",
                repo: "etl",
            },
        )
        .await;
        assert!(matches!(error, Err(ProviderError::Forbidden(_))));
        assert!(!forbidden.calls().iter().any(|c| c.ends_with("Now")));
    }

    #[tokio::test]
    async fn an_accepted_create_that_does_not_show_is_unexpected() {
        let fake = Fake {
            vanishes: true,
            ..Fake::with(&[])
        };
        let error = create(
            &fake,
            &token(),
            Repo {
                group: "acme",
                repo: "etl",
            },
        )
        .await;
        assert!(
            matches!(error, Err(ProviderError::Unexpected(ref m)) if m == "Fake accepted the new branch but does not show it"),
            "{error:?}"
        );
    }
}
