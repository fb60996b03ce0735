//! The file changes between two snapshots, as `git diff --name-status -M` lists them.
//! Renames are detected for identical content only (git also pairs files at least 50%
//! similar; a renamed and edited file shows here as removed plus added).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A snapshot's files (what [`crate::files::Tree`] holds).
pub(crate) type Files = BTreeMap<String, Arc<[u8]>>;

/// The snapshot of "no commit": what a root commit or unrelated histories compare against.
pub(crate) static EMPTY: Files = BTreeMap::new();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Added,
    Removed,
    Modified,
    Renamed,
}

/// One side of a change: a path and its content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a> {
    pub path: &'a str,
    pub content: &'a Arc<[u8]>,
}

/// One changed file: `old` is absent for an added file, `new` for a removed one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Change<'a> {
    pub status: Status,
    pub old: Option<Side<'a>>,
    pub new: Option<Side<'a>>,
}

impl Change<'_> {
    /// The path after the change (a removed file's: its path before).
    pub(crate) fn path(&self) -> &str {
        self.new.or(self.old).map_or("", |s| s.path)
    }

    /// Whether either of its paths is one of `filters` or under one (see [`under_any`]).
    pub(crate) fn within(&self, filters: &[&str]) -> bool {
        [self.old, self.new]
            .iter()
            .flatten()
            .any(|s| under_any(s.path, filters))
    }
}

/// Whether `path` is one of `filters` or under one of them (a directory); no filter (or an
/// empty one) keeps everything.
pub(crate) fn under_any(path: &str, filters: &[&str]) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| {
            let f = f.trim_matches('/');
            f.is_empty()
                || path == f
                || (path.len() > f.len() && path.starts_with(f) && path[f.len()..].starts_with('/'))
        })
}

/// What changed from `old` to `new`, by path; with `renames`, a removed file whose exact
/// content was added elsewhere is one rename.
pub(crate) fn changes<'a>(old: &'a Files, new: &'a Files, renames: bool) -> Vec<Change<'a>> {
    let mut out = Vec::new();
    let mut added: Vec<Side<'a>> = Vec::new();
    for (path, content) in new {
        let side = Side { path, content };
        match old.get(path) {
            Some(before) if before == content => {}
            Some(before) => out.push(Change {
                status: Status::Modified,
                old: Some(Side {
                    path,
                    content: before,
                }),
                new: Some(side),
            }),
            None => added.push(side),
        }
    }
    let mut removed: Vec<Side<'a>> = old
        .iter()
        .filter(|(path, _)| !new.contains_key(*path))
        .map(|(path, content)| Side { path, content })
        .collect();
    if renames {
        let mut by_content: HashMap<&[u8], Vec<usize>> = HashMap::new();
        for (i, side) in added.iter().enumerate().rev() {
            by_content.entry(side.content).or_default().push(i);
        }
        let mut taken = vec![false; added.len()];
        removed.retain(|gone| {
            let found = (!gone.content.is_empty())
                .then(|| by_content.get_mut(&gone.content[..]).and_then(Vec::pop))
                .flatten();
            match found {
                Some(i) => {
                    taken[i] = true;
                    out.push(Change {
                        status: Status::Renamed,
                        old: Some(*gone),
                        new: Some(added[i]),
                    });
                    false
                }
                None => true,
            }
        });
        let mut i = 0;
        added.retain(|_| {
            i += 1;
            !taken[i - 1]
        });
    }
    out.extend(added.into_iter().map(|side| Change {
        status: Status::Added,
        old: None,
        new: Some(side),
    }));
    out.extend(removed.into_iter().map(|side| Change {
        status: Status::Removed,
        old: Some(side),
        new: None,
    }));
    out.sort_by(|a, b| a.path().cmp(b.path()));
    out
}

/// The paths that differ between two snapshots (`None`: a root commit's, all of them).
pub(crate) fn changed_paths(old: Option<&Files>, new: &Files) -> Vec<String> {
    let mut out: Vec<String> = changes(old.unwrap_or(&EMPTY), new, false)
        .iter()
        .map(|c| c.path().to_owned())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testing::tree;

    fn listed(changes: &[Change<'_>]) -> Vec<(Status, String, String)> {
        changes
            .iter()
            .map(|c| {
                let path = |s: Option<Side<'_>>| s.map_or(String::new(), |s| s.path.to_owned());
                (c.status, path(c.old), path(c.new))
            })
            .collect()
    }

    #[test]
    fn added_removed_modified_and_renamed_files() {
        let old = tree(&[
            ("a.txt", "a\n"),
            ("b.txt", "b\n"),
            ("gone.txt", "g\n"),
            ("same", "s"),
        ]);
        let new = tree(&[
            ("a.txt", "A\n"),
            ("c/b.txt", "b\n"),
            ("new.txt", "n\n"),
            ("same", "s"),
        ]);
        use Status::*;
        assert_eq!(
            listed(&changes(&old, &new, true)),
            vec![
                (Modified, "a.txt".into(), "a.txt".into()),
                (Renamed, "b.txt".into(), "c/b.txt".into()),
                (Removed, "gone.txt".into(), String::new()),
                (Added, String::new(), "new.txt".into()),
            ]
        );
        assert_eq!(
            listed(&changes(&old, &new, false)),
            vec![
                (Modified, "a.txt".into(), "a.txt".into()),
                (Removed, "b.txt".into(), String::new()),
                (Added, String::new(), "c/b.txt".into()),
                (Removed, "gone.txt".into(), String::new()),
                (Added, String::new(), "new.txt".into()),
            ]
        );
        assert!(changes(&old, &old, true).is_empty());
        assert_eq!(
            changed_paths(None, &new),
            vec!["a.txt", "c/b.txt", "new.txt", "same"]
        );
    }

    #[test]
    fn path_filters_match_whole_segments() {
        assert!(under_any("pipelines/a.yaml", &["pipelines"]));
        assert!(under_any("pipelines/a.yaml", &["/pipelines/"]));
        assert!(under_any("pipelines/a.yaml", &["x", "pipelines/a.yaml"]));
        assert!(!under_any("pipelines/a.yaml", &["pipe"]));
        assert!(under_any("anything", &[]));
    }
}
