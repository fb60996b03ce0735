//! Data Center's OAuth 2.0 scopes, what each lets a token do, and how the consent page
//! says so.

use super::super::model::Permission;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Scope {
    PublicRepos,
    /// Atlassian's "Account: Write": update the user's account settings; no repository
    /// access beyond public ones.
    AccountWrite,
    RepoRead,
    RepoWrite,
    RepoAdmin,
    ProjectAdmin,
    Admin,
    SystemAdmin,
}

/// The most a token may do to a repository, whatever its user may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cap {
    /// `PUBLIC_REPOS`: read public repositories only.
    PublicOnly,
    UpTo(Permission),
}

impl Scope {
    pub(crate) fn parse(s: &str) -> Option<Scope> {
        Some(match s {
            "PUBLIC_REPOS" => Scope::PublicRepos,
            "ACCOUNT_WRITE" => Scope::AccountWrite,
            "REPO_READ" => Scope::RepoRead,
            "REPO_WRITE" => Scope::RepoWrite,
            "REPO_ADMIN" => Scope::RepoAdmin,
            "PROJECT_ADMIN" => Scope::ProjectAdmin,
            "ADMIN" => Scope::Admin,
            "SYSTEM_ADMIN" => Scope::SystemAdmin,
            _ => return None,
        })
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Scope::PublicRepos => "PUBLIC_REPOS",
            Scope::AccountWrite => "ACCOUNT_WRITE",
            Scope::RepoRead => "REPO_READ",
            Scope::RepoWrite => "REPO_WRITE",
            Scope::RepoAdmin => "REPO_ADMIN",
            Scope::ProjectAdmin => "PROJECT_ADMIN",
            Scope::Admin => "ADMIN",
            Scope::SystemAdmin => "SYSTEM_ADMIN",
        }
    }

    /// The consent page's sentence for the scope.
    pub(crate) fn sentence(self) -> &'static str {
        match self {
            Scope::PublicRepos => "View public projects and repositories.",
            Scope::AccountWrite => "Update your user account settings.",
            Scope::RepoRead => {
                "View the projects and repositories you can access, and read their files, branches and history."
            }
            Scope::RepoWrite => {
                "Create branches and commit changes in repositories you can write to (this includes reading them)."
            }
            Scope::RepoAdmin => "Administer the repositories you are an admin of, including their settings and permissions.",
            Scope::ProjectAdmin => "Administer the projects you are an admin of, and create repositories in them.",
            Scope::Admin => "Administer Bitbucket as you can: users, groups and global permissions.",
            Scope::SystemAdmin => "Administer the whole Bitbucket instance, including its system settings.",
        }
    }

    fn cap(self) -> Cap {
        match self {
            Scope::PublicRepos | Scope::AccountWrite => Cap::PublicOnly,
            Scope::RepoRead => Cap::UpTo(Permission::Read),
            Scope::RepoWrite => Cap::UpTo(Permission::Write),
            _ => Cap::UpTo(Permission::Admin),
        }
    }
}

/// A space-separated `scope` parameter: `None` when empty or naming an unknown scope.
/// Duplicates are dropped; the order is the canonical one (weakest first).
pub(crate) fn parse_list(s: &str) -> Option<Vec<Scope>> {
    let mut out = Vec::new();
    for word in s.split([' ', '+']).filter(|w| !w.is_empty()) {
        out.push(Scope::parse(word)?);
    }
    out.sort();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

pub(crate) fn join(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The strongest cap among the scopes (each higher scope implies the lower ones).
pub(crate) fn cap_of(scopes: &[Scope]) -> Cap {
    scopes
        .iter()
        .map(|s| s.cap())
        .fold(Cap::PublicOnly, |a, b| match (a, b) {
            (Cap::UpTo(x), Cap::UpTo(y)) => Cap::UpTo(x.max(y)),
            (Cap::UpTo(x), Cap::PublicOnly) | (Cap::PublicOnly, Cap::UpTo(x)) => Cap::UpTo(x),
            (Cap::PublicOnly, Cap::PublicOnly) => Cap::PublicOnly,
        })
}

impl Cap {
    /// What the token may do given the user's own permission on a repository.
    pub(crate) fn limit(self, user: Option<Permission>, public: bool) -> Option<Permission> {
        match self {
            Cap::PublicOnly => public.then_some(Permission::Read),
            Cap::UpTo(max) => user.map(|p| p.min(max)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_strictly() {
        assert_eq!(
            parse_list("REPO_WRITE REPO_READ REPO_WRITE"),
            Some(vec![Scope::RepoRead, Scope::RepoWrite])
        );
        assert_eq!(parse_list(""), None);
        assert_eq!(parse_list("REPO_READ repo_write"), None);
    }

    #[test]
    fn every_scope_atlassian_lists_is_known_and_account_write_reaches_no_repository() {
        for name in [
            "PUBLIC_REPOS",
            "ACCOUNT_WRITE",
            "REPO_READ",
            "REPO_WRITE",
            "REPO_ADMIN",
            "PROJECT_ADMIN",
            "ADMIN",
            "SYSTEM_ADMIN",
        ] {
            assert_eq!(Scope::parse(name).map(Scope::as_str), Some(name));
        }
        let account = cap_of(&[Scope::AccountWrite]);
        assert_eq!(account.limit(Some(Permission::Admin), false), None);
        assert_eq!(account.limit(None, true), Some(Permission::Read));
        assert_eq!(
            cap_of(&[Scope::AccountWrite, Scope::RepoWrite]).limit(Some(Permission::Admin), false),
            Some(Permission::Write)
        );
    }

    #[test]
    fn write_implies_read_and_read_cannot_write() {
        let write = cap_of(&[Scope::RepoWrite]);
        assert_eq!(
            write.limit(Some(Permission::Admin), false),
            Some(Permission::Write)
        );
        assert_eq!(
            write.limit(Some(Permission::Read), false),
            Some(Permission::Read)
        );
        let read = cap_of(&[Scope::RepoRead]);
        assert_eq!(
            read.limit(Some(Permission::Write), false),
            Some(Permission::Read)
        );
        let public = cap_of(&[Scope::PublicRepos]);
        assert_eq!(public.limit(Some(Permission::Write), false), None);
        assert_eq!(public.limit(None, true), Some(Permission::Read));
    }
}
