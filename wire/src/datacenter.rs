//! Bitbucket Data Center's JSON shapes, only the fields the studio reads, per Atlassian's
//! Data Center 9.2 REST document. Every field the document does not mark required is
//! optional here: the studio never requires a field Atlassian does not define.

use serde::Deserialize;

/// Longest project key or repository slug accepted (Data Center allows 128 characters).
pub const MAX_NAME_CHARS: usize = 128;

/// Whether `value` is a project key (`DATA`, or `~ALEX` for a personal project) or repository
/// slug the studio puts in a URL: letters, digits, `-`, `_`, `.`, and `~` first for a personal
/// project; not only dots. What Data Center lists is held to the same rule as what the app
/// sends, so nothing is offered that a later step would refuse.
pub fn is_name(value: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let body = value.strip_prefix('~').unwrap_or(value);
    !body.is_empty()
        && value.chars().count() <= MAX_NAME_CHARS
        && body.chars().all(plain)
        && !body.chars().all(|c| c == '.')
}

/// A page of a paged API: `start`/`limit` in, this out.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paged<T> {
    #[serde(default = "Vec::new")]
    pub values: Vec<T>,
    #[serde(default)]
    pub size: Option<u64>,
    /// Absent means the last page (the document defines it as optional).
    #[serde(default)]
    pub is_last_page: Option<bool>,
    #[serde(default)]
    pub next_page_start: Option<u64>,
}

impl<T> Paged<T> {
    /// Where the next page starts, when there is one.
    pub fn next(&self) -> Option<u64> {
        match self.is_last_page {
            Some(false) => self.next_page_start,
            _ => None,
        }
    }
}

/// `RestErrorMessage` inside `{"errors": [...]}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub exception_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub errors: Vec<ErrorMessage>,
}

impl ErrorBody {
    pub fn message(&self) -> String {
        self.errors
            .iter()
            .filter_map(|e| e.message.as_deref())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether Data Center refused for want of a permission rather than of a valid token:
    /// its 401 covers both ("insufficient permissions" on a write).
    pub fn is_permission(&self) -> bool {
        self.errors.iter().any(|e| {
            e.exception_name
                .as_deref()
                .is_some_and(|name| name.ends_with("AuthorisationException"))
        })
    }
}

/// `RestApplicationUser`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `RestProject`.
#[derive(Debug, Deserialize)]
pub struct Project {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Links {
    #[serde(default, rename = "self")]
    pub self_: Vec<Link>,
}

/// `RestRepository`.
#[derive(Debug, Deserialize)]
pub struct Repository {
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub public: Option<bool>,
    #[serde(default)]
    pub archived: Option<bool>,
    #[serde(default)]
    pub project: Option<Project>,
    #[serde(default)]
    pub links: Option<Links>,
}

impl Repository {
    /// The repository as the app sees it; `None` for an entry without a slug or project key
    /// the studio can name.
    pub fn into_api(self) -> Option<api::Repository> {
        let slug = self.slug.filter(|s| is_name(s))?;
        let key = self.project?.key.filter(|k| is_name(k))?;
        Some(api::Repository {
            full_name: format!("{key}/{slug}"),
            name: self.name.unwrap_or_else(|| slug.clone()),
            group: key,
            slug,
            is_private: !self.public.unwrap_or(false),
            main_branch: None,
            updated_on: None,
        })
    }

    /// The repository's page, when the answer links it with a web link (see
    /// [`crate::web_link`]).
    pub fn html_url(&self) -> Option<String> {
        self.links
            .as_ref()?
            .self_
            .iter()
            .find_map(|l| crate::web_link(l.href.clone()))
    }
}

/// `RestBranch` (also what `…/default-branch` answers, a `RestMinimalRef`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Branch {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub display_id: Option<String>,
    #[serde(default)]
    pub latest_commit: Option<String>,
}

impl Branch {
    /// The branch's short name: `displayId`, else `id` without `refs/heads/`.
    pub fn name(&self) -> Option<&str> {
        self.display_id
            .as_deref()
            .or_else(|| {
                self.id
                    .as_deref()
                    .map(|id| id.trim_start_matches("refs/heads/"))
            })
            .filter(|n| !n.is_empty())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(default)]
    pub name: Option<String>,
}

/// `RestCommit`, as sent: the document requires none of its fields, `id` included.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireCommit {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<Person>,
    /// Unix milliseconds.
    #[serde(default)]
    pub author_timestamp: Option<i64>,
}

impl WireCommit {
    /// The commit, `None` without an id (of no use to the studio: nothing can name it).
    pub fn into_commit(self) -> Option<Commit> {
        Some(Commit {
            id: self.id.filter(|id| !id.is_empty())?,
            message: self.message,
            author: self.author,
            author_timestamp: self.author_timestamp,
        })
    }
}

/// A commit the studio can name.
#[derive(Debug)]
pub struct Commit {
    pub id: String,
    pub message: Option<String>,
    pub author: Option<Person>,
    /// Unix milliseconds.
    pub author_timestamp: Option<i64>,
}

impl Commit {
    pub fn to_change(&self) -> api::Change {
        api::Change {
            revision: self.id.clone(),
            label: self.id.chars().take(7).collect(),
            author: self
                .author
                .as_ref()
                .and_then(|a| a.name.clone())
                .unwrap_or_default(),
            at: self.author_timestamp.unwrap_or(0) / 1000,
            message: self.message.as_deref().unwrap_or("").trim_end().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_without_is_last_page_is_the_last() {
        let page: Paged<String> =
            serde_json::from_str(r#"{"values":["a"],"nextPageStart":25}"#).unwrap();
        assert_eq!(page.next(), None);
        let page: Paged<String> =
            serde_json::from_str(r#"{"values":["a"],"isLastPage":false,"nextPageStart":25}"#)
                .unwrap();
        assert_eq!(page.next(), Some(25));
    }

    #[test]
    fn a_permission_refusal_is_told_from_a_refused_token() {
        let body: ErrorBody = serde_json::from_str(
            r#"{"errors":[{"context":null,"message":"no","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#,
        )
        .unwrap();
        assert!(body.is_permission());
        let body: ErrorBody =
            serde_json::from_str(r#"{"errors":[{"message":"expired"}]}"#).unwrap();
        assert!(!body.is_permission());
    }

    #[test]
    fn repositories_need_only_a_slug_and_a_project_key() {
        let repo: Repository =
            serde_json::from_str(r#"{"slug":"etl","project":{"key":"DATA"}}"#).unwrap();
        let repo = repo.into_api().unwrap();
        assert_eq!(repo.full_name, "DATA/etl");
        assert!(repo.is_private);
        let orphan: Repository = serde_json::from_str(r#"{"slug":"etl"}"#).unwrap();
        assert!(orphan.into_api().is_none());
    }

    #[test]
    fn a_listed_name_a_later_step_would_refuse_is_not_offered() {
        for (slug, key) in [
            ("../etl", "DATA"),
            ("etl", "DA/TA"),
            ("a b", "DATA"),
            ("etl", ".."),
        ] {
            let json = serde_json::json!({"slug": slug, "project": {"key": key}});
            let repo: Repository = serde_json::from_value(json).unwrap();
            assert!(repo.into_api().is_none(), "{slug} in {key}");
        }
        let personal: Repository =
            serde_json::from_str(r#"{"slug":"notes","project":{"key":"~ALEX"}}"#).unwrap();
        assert_eq!(personal.into_api().unwrap().group, "~ALEX");
    }

    #[test]
    fn only_a_web_link_is_kept_as_the_repository_page() {
        let with = |href: &str| -> Repository {
            serde_json::from_value(serde_json::json!({
                "slug": "etl", "project": {"key": "DATA"},
                "links": {"self": [{"href": href}]}
            }))
            .unwrap()
        };
        assert_eq!(
            with("https://git.example.com/projects/DATA/repos/etl/browse")
                .html_url()
                .as_deref(),
            Some("https://git.example.com/projects/DATA/repos/etl/browse")
        );
        assert_eq!(with("javascript:alert(document.cookie)").html_url(), None);
    }

    #[test]
    fn a_commit_without_an_id_is_skipped_not_fatal() {
        let page: Paged<WireCommit> = serde_json::from_str(
            r#"{"values":[{"message":"no id"},{"id":"8d51122def","message":"Add orders"}],"isLastPage":true}"#,
        )
        .unwrap();
        let commits: Vec<Commit> = page
            .values
            .into_iter()
            .filter_map(WireCommit::into_commit)
            .collect();
        assert_eq!(commits.len(), 1);
        assert_eq!(commits[0].to_change().label, "8d51122");
    }
}
