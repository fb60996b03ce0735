//! Who is calling, and what they may do to a repository: the user's own permission, capped
//! by the token's scopes. A repository the caller cannot read is a 404 (as DC hides it) for
//! a signed-in user and a 401 for an anonymous one (who might see it after signing in); one
//! the caller can read but not write is a 401 on writes, as the document says.

use super::super::errors::DcError;
use super::super::model::{Permission, Repository};
use super::super::oauth::scopes::Cap;
use super::super::world::World;

#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// `None`: anonymous.
    pub user: Option<String>,
    pub cap: Cap,
}

impl Caller {
    pub(crate) fn anonymous() -> Caller {
        Caller {
            user: None,
            cap: Cap::UpTo(Permission::Read),
        }
    }

    pub(crate) fn permission(&self, world: &World, repo: &Repository) -> Option<Permission> {
        self.cap
            .limit(world.permission(self.user.as_deref(), repo), repo.public)
    }

    fn hidden(&self, key: &str, slug: &str) -> DcError {
        match self.user {
            Some(_) => DcError::no_repository(key, slug),
            None => DcError::not_permitted(
                "You are not permitted to access this resource. Log in first.",
            ),
        }
    }

    pub(crate) fn readable<'w>(
        &self,
        world: &'w World,
        key: &str,
        slug: &str,
    ) -> Result<&'w Repository, DcError> {
        let (key, slug) = (normal_key(key), normal_slug(slug));
        let repo = world
            .repository(&key, &slug)
            .ok_or_else(|| DcError::no_repository(&key, &slug))?;
        match self.permission(world, repo) {
            Some(_) => Ok(repo),
            None => Err(self.hidden(&key, &slug)),
        }
    }

    pub(crate) fn writable<'w>(
        &self,
        world: &'w World,
        key: &str,
        slug: &str,
    ) -> Result<&'w Repository, DcError> {
        let repo = self.readable(world, key, slug)?;
        if self.permission(world, repo) >= Some(Permission::Write) {
            return Ok(repo);
        }
        Err(DcError::not_permitted(format!(
            "You are not permitted to write to repository {}/{}.",
            repo.project_key, repo.slug
        )))
    }
}

/// Project keys are case-insensitive in DC's URLs (`data`, `~alex`).
pub(crate) fn normal_key(key: &str) -> String {
    key.to_ascii_uppercase()
}

pub(crate) fn normal_slug(slug: &str) -> String {
    slug.to_ascii_lowercase()
}
