//! The state of the repository list of "Choose a repository", as plain data.
//!
//! Searching as you type and switching workspaces start new queries while older ones may
//! still be in flight; answers can arrive in any order. Every query gets a generation
//! number, and an answer is applied only if it belongs to the current generation, so a slow
//! answer for "et" can never overwrite the list for "etl". "Load more" continues the
//! current generation and appends.
//!
//! A search answers at once from what is already loaded ([`RepositoryList::search`]): the
//! loaded repositories whose name contains the term are shown on the keystroke. The
//! provider is asked only when that cannot be the whole answer; it is not asked when the
//! group's whole list is loaded, or when the term extends one whose every match is loaded
//! (what matches "etl" also matched "et", whether the provider matches by prefix or by
//! substring).

use api::{ApiError, Page, Repository, RepositoryGroup};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Loading {
    #[default]
    Idle,
    /// The first page of a new query: what is on screen meanwhile is the loaded matches.
    FirstPage,
    /// A further page: the loaded repositories stay on screen.
    MorePages,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepositoryList {
    generation: u64,
    pub items: Vec<Repository>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    /// Total number of matches, when Bitbucket reported it.
    pub size: Option<u64>,
    pub loading: Loading,
    pub error: Option<ApiError>,
    /// The search on screen, trimmed and lower-cased ("" for none).
    term: String,
    /// Every repository of the group loaded so far, whatever the search that brought it.
    known: Vec<Repository>,
    /// Searches (as in `term`) whose every match is in `known`; "" is the whole group.
    complete: Vec<String>,
}

impl RepositoryList {
    /// A list already showing its first page (the repository picker's first screen).
    pub fn showing(first_page: Page<Repository>) -> Self {
        let mut list = Self::default();
        let generation = list.start_query();
        list.finish(generation, Ok(first_page));
        list
    }

    /// Starts a new query for another group (or the same group asked again): forgets the
    /// list, what was known of the group and any answer still in flight. Returns the
    /// generation to pass to [`RepositoryList::finish`].
    pub fn start_query(&mut self) -> u64 {
        self.known.clear();
        self.complete.clear();
        self.term.clear();
        self.items.clear();
        self.begin()
    }

    /// Shows at once the loaded repositories that match `term`, and says whether the
    /// provider must still be asked: `Some(generation)` to pass to
    /// [`RepositoryList::finish`], or `None` when the loaded matches are all there are.
    pub fn search(&mut self, term: &str) -> Option<u64> {
        self.term = term.trim().to_lowercase();
        self.items = self
            .known
            .iter()
            .filter(|repository| matches(repository, &self.term))
            .cloned()
            .collect();
        let answered = self
            .complete
            .iter()
            .any(|done| self.term.starts_with(done.as_str()));
        if answered {
            self.generation += 1;
            self.next = None;
            self.size = Some(self.items.len() as u64);
            self.loading = Loading::Idle;
            self.error = None;
            return None;
        }
        Some(self.begin())
    }

    fn begin(&mut self) -> u64 {
        self.generation += 1;
        self.next = None;
        self.size = None;
        self.loading = Loading::FirstPage;
        self.error = None;
        self.generation
    }

    /// Starts loading the next page, if there is one and nothing else is loading.
    /// Returns the generation and the cursor to ask with.
    pub fn start_more(&mut self) -> Option<(u64, String)> {
        if self.loading != Loading::Idle {
            return None;
        }
        let cursor = self.next.clone()?;
        self.loading = Loading::MorePages;
        self.error = None;
        Some((self.generation, cursor))
    }

    /// Applies an answer; returns false (and changes nothing) when it is stale. The first
    /// page of a query replaces what was shown meanwhile; a further page appends. An error
    /// keeps what is on screen.
    pub fn finish(&mut self, generation: u64, answer: Result<Page<Repository>, ApiError>) -> bool {
        if generation != self.generation || self.loading == Loading::Idle {
            return false;
        }
        match answer {
            Ok(page) => {
                if self.loading == Loading::FirstPage {
                    self.items.clear();
                }
                for repository in page.values {
                    // Bitbucket pages can shift while paging; never show a repository twice.
                    if !contains(&self.known, &repository) {
                        self.known.push(repository.clone());
                    }
                    if !contains(&self.items, &repository) {
                        self.items.push(repository);
                    }
                }
                self.next = page.next;
                self.size = page.size;
                if self.next.is_none() && !self.complete.contains(&self.term) {
                    self.complete.push(self.term.clone());
                }
            }
            Err(error) => self.error = Some(error),
        }
        self.loading = Loading::Idle;
        true
    }

    pub fn contains(&self, slug: &str) -> bool {
        self.items.iter().any(|repository| repository.slug == slug)
    }

    /// True when a finished query found nothing.
    pub fn is_empty_result(&self) -> bool {
        self.loading == Loading::Idle && self.error.is_none() && self.items.is_empty()
    }

    /// The visible count line.
    pub fn count_text(&self) -> String {
        if self.loading == Loading::FirstPage {
            return if self.term.is_empty() {
                "Loading repositories…".to_owned()
            } else {
                format!(
                    "Searching… {} loaded so far",
                    repositories(self.items.len())
                )
            };
        }
        let loaded = self.items.len();
        match (&self.next, self.size) {
            (Some(_), Some(size)) => format!("Showing {loaded} of {size} repositories"),
            (Some(_), None) => format!("Showing the first {}", repositories(loaded)),
            (None, _) => repositories(loaded),
        }
    }
}

fn contains(list: &[Repository], repository: &Repository) -> bool {
    list.iter()
        .any(|known| known.full_name == repository.full_name)
}

/// Whether a repository's name or slug contains `term` (already lower-cased).
fn matches(repository: &Repository, term: &str) -> bool {
    repository.name.to_lowercase().contains(term) || repository.slug.to_lowercase().contains(term)
}

/// "1 repository", "3 repositories".
fn repositories(count: usize) -> String {
    if count == 1 {
        "1 repository".to_owned()
    } else {
        format!("{count} repositories")
    }
}

/// The workspace to show: the one named in the URL when the account has it, else the first.
pub fn choose_workspace(workspaces: &[RepositoryGroup], requested: Option<&str>) -> Option<String> {
    requested
        .and_then(|slug| workspaces.iter().find(|workspace| workspace.slug == slug))
        .or_else(|| workspaces.first())
        .map(|workspace| workspace.slug.clone())
}

/// A DOM id derived from a repository slug: unique per slug, and made of characters that
/// are safe in ids and CSS selectors.
pub fn dom_id(prefix: &str, slug: &str) -> String {
    let mut id = format!("{prefix}-");
    for byte in slug.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            id.push(byte as char);
        } else {
            id.push_str(&format!("_{byte:02x}"));
        }
    }
    id
}

/// The secondary line of a repository: full name, visibility, default branch.
pub fn repository_details(repository: &Repository) -> String {
    let visibility = if repository.is_private {
        "Private"
    } else {
        "Public"
    };
    let branch = match &repository.main_branch {
        Some(branch) => format!("default branch {branch}"),
        None => "empty repository".to_owned(),
    };
    format!("{} · {visibility} · {branch}", repository.full_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::ErrorCode;

    fn repository(slug: &str) -> Repository {
        Repository {
            group: "acme".into(),
            slug: slug.into(),
            name: slug.to_uppercase(),
            full_name: format!("acme/{slug}"),
            is_private: true,
            main_branch: Some("main".into()),
            updated_on: None,
        }
    }

    fn page(slugs: &[&str], next: Option<&str>, size: Option<u64>) -> Page<Repository> {
        Page {
            values: slugs.iter().map(|slug| repository(slug)).collect(),
            next: next.map(str::to_owned),
            size,
        }
    }

    #[test]
    fn stale_answers_are_discarded() {
        let mut list = RepositoryList::default();
        let old = list.start_query();
        let new = list.start_query();
        assert!(list.finish(new, Ok(page(&["etl"], None, Some(1)))));
        assert!(!list.finish(old, Ok(page(&["et", "etl", "ethics"], None, Some(3)))));
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.count_text(), "1 repository");
    }

    #[test]
    fn a_search_shows_the_loaded_matches_at_once_and_asks_only_when_more_may_exist() {
        let mut list = RepositoryList::showing(page(&["etl", "ethics", "web"], Some("c2"), None));
        let asked = list.search(" ET");
        assert!(asked.is_some(), "the group is not all loaded");
        assert_eq!(list.items.len(), 2, "the loaded matches, shown meanwhile");
        assert_eq!(list.count_text(), "Searching… 2 repositories loaded so far");
        assert!(list.finish(
            asked.unwrap(),
            Ok(page(&["etl", "ethics", "etc"], None, Some(3)))
        ));
        assert_eq!(list.items.len(), 3, "the provider's answer replaces them");

        // "et" is known in full, so "etl" is answered here; "w" is not.
        assert_eq!(list.search("etl"), None);
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.count_text(), "1 repository");
        assert!(list.search("w").is_some());
        assert_eq!(list.items.len(), 1, "web, loaded with the first page");
    }

    #[test]
    fn a_whole_group_is_searched_without_asking() {
        let mut list = RepositoryList::showing(page(&["etl", "web"], None, Some(2)));
        assert_eq!(list.search("E"), None);
        assert_eq!(list.items.len(), 2, "by name or slug: ETL and WEB");
        assert_eq!(list.search("zzz"), None);
        assert!(list.is_empty_result());
        assert_eq!(list.search(""), None);
        assert_eq!(list.items.len(), 2);
    }

    #[test]
    fn a_failed_search_keeps_the_loaded_matches() {
        let mut list = RepositoryList::showing(page(&["etl"], Some("c2"), None));
        let asked = list.search("et").unwrap();
        list.finish(
            asked,
            Err(ApiError::new(ErrorCode::ProviderUnavailable, "Down.")),
        );
        assert!(list.contains("etl") && list.error.is_some());
        assert!(
            list.search("etl").is_some(),
            "nothing was learnt: ask again"
        );
    }

    #[test]
    fn a_list_can_open_on_a_page_it_already_has() {
        let mut list = RepositoryList::showing(page(&["a", "b"], Some("c2"), Some(3)));
        assert_eq!(list.count_text(), "Showing 2 of 3 repositories");
        assert_eq!(
            list.start_more().map(|(_, cursor)| cursor).as_deref(),
            Some("c2")
        );
    }

    #[test]
    fn load_more_appends_without_duplicates() {
        let mut list = RepositoryList::default();
        let generation = list.start_query();
        list.finish(generation, Ok(page(&["a", "b"], Some("c2"), Some(3))));
        assert_eq!(list.count_text(), "Showing 2 of 3 repositories");

        let (more, cursor) = list.start_more().unwrap();
        assert_eq!(cursor, "c2");
        assert_eq!(list.start_more(), None, "one page at a time");
        list.finish(more, Ok(page(&["b", "c"], None, Some(3))));
        assert_eq!(list.items.len(), 3);
        assert_eq!(list.next, None);
        assert_eq!(list.start_more(), None);
        assert_eq!(list.count_text(), "3 repositories");
    }

    #[test]
    fn a_new_query_drops_a_pending_load_more() {
        let mut list = RepositoryList::default();
        let generation = list.start_query();
        list.finish(generation, Ok(page(&["a"], Some("c2"), None)));
        assert_eq!(list.count_text(), "Showing the first 1 repository");
        let (more, _) = list.start_more().unwrap();
        let fresh = list.start_query();
        assert!(!list.finish(more, Ok(page(&["z"], None, None))));
        assert_eq!(list.count_text(), "Loading repositories…");
        list.finish(fresh, Ok(page(&[], None, Some(0))));
        assert!(list.is_empty_result());
        assert_eq!(list.count_text(), "0 repositories");
    }

    #[test]
    fn errors_keep_what_was_loaded() {
        let mut list = RepositoryList::default();
        let generation = list.start_query();
        list.finish(generation, Ok(page(&["a"], Some("c2"), None)));
        let (more, _) = list.start_more().unwrap();
        list.finish(
            more,
            Err(ApiError::new(ErrorCode::ProviderRateLimited, "Slow down.")),
        );
        assert_eq!(list.items.len(), 1);
        assert!(list.error.is_some());
        assert!(!list.is_empty_result());
        assert!(list.contains("a"));
        assert!(!list.contains("b"));
    }

    #[test]
    fn workspace_from_url_must_exist() {
        let workspaces = vec![
            RepositoryGroup {
                slug: "acme".into(),
                name: Some("Acme".into()),
            },
            RepositoryGroup {
                slug: "labs".into(),
                name: None,
            },
        ];
        assert_eq!(
            choose_workspace(&workspaces, Some("labs")).as_deref(),
            Some("labs")
        );
        assert_eq!(
            choose_workspace(&workspaces, Some("other")).as_deref(),
            Some("acme")
        );
        assert_eq!(choose_workspace(&workspaces, None).as_deref(), Some("acme"));
        assert_eq!(choose_workspace(&[], Some("acme")), None);
    }

    #[test]
    fn dom_ids_are_safe_and_distinct() {
        assert_eq!(dom_id("repository", "data-etl"), "repository-data-etl");
        assert_ne!(dom_id("repository", "a.b"), dom_id("repository", "a_b"));
        assert!(dom_id("repository", "a b\"c")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn details_name_visibility_and_branch() {
        let mut repo = repository("etl");
        assert_eq!(
            repository_details(&repo),
            "acme/etl · Private · default branch main"
        );
        repo.is_private = false;
        repo.main_branch = None;
        assert_eq!(
            repository_details(&repo),
            "acme/etl · Public · empty repository"
        );
    }
}
