//! The repository step's first screen, the same on every provider: the account's groups
//! (Cloud workspaces, Data Center projects) and the first page of one of them.
//!
//! The group to open on is usually known before asking (from the URL, or remembered), so
//! the group list and that group's first page are fetched at the same time: one round trip.
//! Only when the guess is not among the groups (a stale bookmark, access lost) does it take a
//! second trip, for the first group's page.

use std::future::Future;

use api::{Page, Repository, RepositoryGroup, RepositoryPicker};

use super::ProviderError;

/// The groups, and the group shown with its first page (`None` without any group).
pub type FirstScreen<G, P> = (Vec<G>, Option<(String, P)>);

/// `groups` lists the account's groups; `page_of(key)` reads a group's first page; `key_of`
/// names a group as `page_of` and the guess do.
pub async fn first_screen<G, P, Groups, PageOf, PageFuture>(
    guess: Option<String>,
    groups: Groups,
    page_of: PageOf,
    key_of: impl Fn(&G) -> &str,
) -> Result<FirstScreen<G, P>, ProviderError>
where
    Groups: Future<Output = Result<Vec<G>, ProviderError>>,
    PageOf: Fn(String) -> PageFuture,
    PageFuture: Future<Output = Result<P, ProviderError>>,
{
    let groups = match guess {
        Some(guess) => {
            let (groups, page) = tokio::join!(groups, page_of(guess.clone()));
            let groups = groups?;
            if groups.iter().any(|g| key_of(g) == guess) {
                return Ok((groups, Some((guess, page?))));
            }
            groups
        }
        None => groups.await?,
    };
    let Some(first) = groups.first().map(|g| key_of(g).to_owned()) else {
        return Ok((groups, None));
    };
    let page = page_of(first.clone()).await?;
    Ok((groups, Some((first, page))))
}

/// The app's first screen from the groups and, when there is one, the shown group's first
/// page (already in the app's shape).
pub fn picker_of(
    groups: Vec<RepositoryGroup>,
    shown: Option<(String, Page<Repository>)>,
) -> RepositoryPicker {
    let (group, repositories) = match shown {
        Some((group, page)) => (Some(group), page),
        None => (None, Page::empty()),
    };
    RepositoryPicker {
        groups,
        group,
        repositories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Runs the first screen over `groups` with `guess`, and says which pages were read.
    async fn screen(
        groups: &[&str],
        guess: Option<&str>,
    ) -> (FirstScreen<String, String>, Vec<String>) {
        let read = Mutex::new(Vec::new());
        let groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        let screen = first_screen(
            guess.map(str::to_owned),
            async { Ok(groups) },
            |key: String| {
                read.lock().unwrap().push(key.clone());
                async move { Ok(format!("page of {key}")) }
            },
            |g: &String| g.as_str(),
        )
        .await
        .unwrap();
        (screen, read.into_inner().unwrap())
    }

    #[tokio::test]
    async fn a_known_guess_is_read_with_the_groups_and_nothing_else() {
        let ((_, shown), read) = screen(&["a", "b"], Some("b")).await;
        assert_eq!(shown, Some(("b".into(), "page of b".into())));
        assert_eq!(read, ["b"]);
    }

    #[tokio::test]
    async fn an_unknown_guess_falls_back_to_the_first_group() {
        let ((_, shown), read) = screen(&["a", "b"], Some("gone")).await;
        assert_eq!(shown, Some(("a".into(), "page of a".into())));
        assert_eq!(read, ["gone", "a"]);
        let ((_, shown), _) = screen(&["a"], None).await;
        assert_eq!(shown.unwrap().0, "a");
    }

    #[tokio::test]
    async fn no_groups_show_nothing() {
        let ((groups, shown), read) = screen(&[], Some("x")).await;
        assert!(groups.is_empty() && shown.is_none());
        assert_eq!(read, ["x"]);
    }
}
