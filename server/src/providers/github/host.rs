//! GitHub as a [`crate::providers::GitHost`], through its [`HostPrimitives`]. A group is an
//! account (user or organization) where the studio's GitHub App is installed and this user
//! can see the installation (`GET /user/installations`); its repositories are the
//! installation's that the user can push to (`GET /user/installations/{id}/repositories`,
//! each with the user's `permissions`). An account the app is not installed on has no
//! installation here, so the picker offers the install page instead (the app's
//! `ProviderInfo::install_url`).
//!
//! GitHub's installation repository list has no name filter, so a search reads the
//! installation's list (pages at once, each kept a minute, at most [`SEARCHED_PAGES`]) and
//! filters it here.

use std::collections::HashMap;
use std::sync::Mutex;

use api::{Page, Repository, RepositoryGroup};
use async_trait::async_trait;
use futures::future::try_join_all;
use secrecy::SecretString;

use super::calls::PER_PAGE;
use super::model::Installation;
use super::pipelines::GitHubFiles;
use super::rest::{name, GitHubRest, Revocation};
use crate::providers::cache::Reading;
use crate::providers::{HostPrimitives, Identity, NameRule, ProviderError};

/// Accounts by their logins, repositories by their names.
pub(super) const NAMES: NameRule = NameRule {
    check: name,
    group: "account",
};

/// The picker's page: large enough to fill the screen, small enough to draw at once (100
/// rows took the step 20 ms more to paint than Bitbucket Cloud's 50, figure 1). Each of
/// GitHub's pages of [`PER_PAGE`] is two of these, read once and kept a minute.
pub const PICKER_PAGE: u32 = PER_PAGE / 2;
/// Largest page a cursor may name (100,000 repositories).
const MAX_PAGE: u32 = 2000;
/// Installation pages a search reads: 3,000 repositories. A larger installation is searched
/// in its first 3,000, and the answer says it is incomplete (no `size`).
pub const SEARCHED_PAGES: u32 = 30;
/// Installation ids remembered (see [`GitHubHost::installation_of`]).
const MAX_REMEMBERED: usize = 100_000;

pub struct GitHubHost {
    pub rest: GitHubRest,
    revocation: Revocation,
    /// Which installation of the app is on which account: the same for every user (an
    /// installation id is the app's, not the user's), so one user's list teaches the lookup
    /// for all. It only saves a call: GitHub still decides, with the user's token, whether
    /// this user may list the installation's repositories.
    installations: Mutex<HashMap<String, u64>>,
}

impl GitHubHost {
    pub fn new(rest: GitHubRest, revocation: Revocation) -> Self {
        Self {
            rest,
            revocation,
            installations: Mutex::default(),
        }
    }

    fn remember(&self, listed: &[Installation]) {
        let mut known = self.installations.lock().expect("installations poisoned");
        if known.len() + listed.len() > MAX_REMEMBERED {
            known.clear();
        }
        for installation in listed {
            if let Some(login) = installation.login() {
                known.insert(login.to_ascii_lowercase(), installation.id);
            }
        }
    }

    fn remembered(&self, account: &str) -> Option<u64> {
        let known = self.installations.lock().expect("installations poisoned");
        known.get(&account.to_ascii_lowercase()).copied()
    }

    /// The installation of the app on `account`, as this user can see it.
    async fn installation_of(
        &self,
        token: &SecretString,
        account: &str,
    ) -> Result<u64, ProviderError> {
        if let Some(id) = self.remembered(account) {
            return Ok(id);
        }
        self.read_installations(token, Reading::Cached).await?;
        self.remembered(account).ok_or_else(|| {
            ProviderError::NotFound(format!("The studio's GitHub App on the account {account}"))
        })
    }

    async fn read_installations(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<Installation>, ProviderError> {
        let listed = self.rest.installations(token, reading).await?;
        self.remember(&listed);
        Ok(listed)
    }

    /// One page of the installation's repositories the user can push to: half of one of
    /// GitHub's pages (see [`PICKER_PAGE`]).
    async fn listed_page(
        &self,
        token: &SecretString,
        account: &str,
        installation: u64,
        page: u32,
    ) -> Result<Page<Repository>, ProviderError> {
        let github_page = page.div_ceil(2);
        let answer = self
            .rest
            .installation_repositories(token, installation, github_page)
            .await?;
        let github_more = answer.repositories.len() == PER_PAGE as usize
            && answer
                .total_count
                .is_none_or(|total| u64::from(github_page * PER_PAGE) < total);
        let half = PICKER_PAGE as usize;
        let (first_half, more) = if page % 2 == 1 {
            (true, answer.repositories.len() > half || github_more)
        } else {
            (false, github_more)
        };
        let next = (more && page < MAX_PAGE).then(|| (page + 1).to_string());
        let listed: Vec<_> = if first_half {
            answer.repositories.into_iter().take(half).collect()
        } else {
            answer.repositories.into_iter().skip(half).collect()
        };
        let values = writable(listed, account);
        Ok(Page {
            // `total_count` counts what the user may only read too: the total only when
            // every listed repository is on this one page.
            size: (page == 1 && next.is_none()).then_some(values.len() as u64),
            values,
            next,
        })
    }

    /// The installation's repositories the user can push to whose names hold `term`, page
    /// `page` of them.
    async fn searched_page(
        &self,
        token: &SecretString,
        account: &str,
        installation: u64,
        term: &str,
        page: u32,
    ) -> Result<Page<Repository>, ProviderError> {
        let first = self
            .rest
            .installation_repositories(token, installation, 1)
            .await?;
        let pages = first
            .total_count
            .map_or(1, |total| total.div_ceil(u64::from(PER_PAGE)) as u32)
            .clamp(1, SEARCHED_PAGES);
        let rest = try_join_all((2..=pages).map(|page| {
            self.rest
                .installation_repositories(token, installation, page)
        }))
        .await?;
        let complete = first
            .total_count
            .is_some_and(|total| total <= u64::from(SEARCHED_PAGES * PER_PAGE));
        let term = term.to_lowercase();
        let matches: Vec<Repository> = std::iter::once(first)
            .chain(rest)
            .flat_map(|answer| writable(answer.repositories, account))
            .filter(|repository| repository.name.to_lowercase().contains(&term))
            .collect();
        let per = PICKER_PAGE as usize;
        let start = (page as usize - 1) * per;
        let next = (matches.len() > start + per).then(|| (page + 1).to_string());
        Ok(Page {
            size: complete.then_some(matches.len() as u64),
            values: matches.into_iter().skip(start).take(per).collect(),
            next,
        })
    }
}

/// The repositories the user can push to, as the studio shows them.
fn writable(listed: Vec<super::model::Repository>, account: &str) -> Vec<Repository> {
    listed
        .into_iter()
        .filter(super::model::Repository::writable)
        .filter_map(|repository| repository.into_api(account))
        .collect()
}

/// The app's opaque cursor is GitHub's page number.
fn page_of(cursor: Option<&str>) -> Result<u32, ProviderError> {
    match cursor {
        None => Ok(1),
        Some(cursor) => cursor
            .parse::<u32>()
            .ok()
            .filter(|page| (1..=MAX_PAGE).contains(page))
            .ok_or(ProviderError::InvalidName("page")),
    }
}

fn groups_of(installations: &[Installation]) -> Vec<RepositoryGroup> {
    installations
        .iter()
        .filter_map(|installation| {
            let login = installation.login()?;
            let name = installation
                .account
                .as_ref()
                .and_then(|account| account.name.clone())
                .filter(|name| !name.trim().is_empty() && name != login);
            Some(RepositoryGroup {
                slug: login.to_owned(),
                name,
            })
        })
        .collect()
}

#[async_trait]
impl HostPrimitives for GitHubHost {
    type Calls = GitHubRest;
    type Files = GitHubFiles;
    /// The page number.
    type Cursor = u32;
    const NAMES: NameRule = NAMES;
    /// GitHub's description lists a 401 for `GET /user/installations`.
    const GROUPS_PROVE_THE_TOKEN: bool = true;

    fn calls(&self) -> &GitHubRest {
        &self.rest
    }

    fn files(&self) -> GitHubFiles {
        GitHubFiles {
            rest: self.rest.clone(),
        }
    }

    async fn account(&self, token: &SecretString) -> Result<Identity, ProviderError> {
        let user = self.rest.user(token).await?;
        Ok(Identity {
            uuid: user.id.to_string(),
            account_id: Some(user.id.to_string()),
            display_name: user
                .name
                .clone()
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| user.login.clone()),
            nickname: Some(user.login),
            avatar_url: wire::web_link(user.avatar_url),
            first_group: None,
        })
    }

    /// Read with the brand-new token and handed over to the repository step's opening.
    async fn first_group(&self, token: &SecretString) -> Result<Option<String>, ProviderError> {
        let listed = self.read_installations(token, Reading::HandOver).await?;
        Ok(groups_of(&listed)
            .into_iter()
            .next()
            .map(|group| group.slug))
    }

    async fn read_groups(
        &self,
        token: &SecretString,
        reading: Reading,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        Ok(groups_of(&self.read_installations(token, reading).await?))
    }

    /// The installations carry the accounts' names already.
    async fn named_groups(
        &self,
        token: &SecretString,
    ) -> Result<Vec<RepositoryGroup>, ProviderError> {
        self.read_groups(token, Reading::Cached).await
    }

    fn cursor(&self, raw: Option<&str>) -> Result<u32, ProviderError> {
        page_of(raw)
    }

    /// GitHub lets the app revoke its own grant: Disconnect ends the studio's access there.
    async fn revoke(&self, token: &SecretString) -> Result<bool, ProviderError> {
        let Revocation {
            client_id,
            client_secret,
        } = &self.revocation;
        self.rest
            .revoke_grant(client_id, client_secret, token)
            .await?;
        Ok(true)
    }

    async fn repository_page(
        &self,
        token: &SecretString,
        group: &str,
        search: Option<&str>,
        page: u32,
    ) -> Result<Page<Repository>, ProviderError> {
        let installation = self.installation_of(token, group).await?;
        match search.map(str::trim).filter(|term| !term.is_empty()) {
            Some(term) => {
                self.searched_page(token, group, installation, term, page)
                    .await
            }
            None => self.listed_page(token, group, installation, page).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bounded_page_numbers() {
        assert_eq!(page_of(None).unwrap(), 1);
        assert_eq!(page_of(Some("7")).unwrap(), 7);
        for bad in ["0", "-1", "x", "2001", ""] {
            assert!(page_of(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accounts_without_a_login_are_not_groups() {
        let listed: Vec<Installation> = serde_json::from_str(
            r#"[{"id":1,"account":{"login":"acme-data","name":"Acme Data"}},
                {"id":2,"account":{"slug":"big-enterprise","name":"Big"}},
                {"id":3,"account":{"login":"alex","name":"alex"}},
                {"id":4,"account":null}]"#,
        )
        .unwrap();
        let groups = groups_of(&listed);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].label(), "Acme Data");
        assert_eq!(groups[1].slug, "alex");
        assert_eq!(groups[1].name, None);
    }
}
