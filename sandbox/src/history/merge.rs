//! The three-way merge a merged pull request makes ("Create a merge commit" on GitHub,
//! Bitbucket's default `merge_commit` strategy): the two tips' files merged against their
//! merge base, file by file. A file changed on both sides differently is a conflict, and so
//! is a file on one side where the other made a directory; the stand-ins do not merge
//! inside a file.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;

use super::changes::Files;
use super::graph::{merge_base, reachable};
use super::CommitGraph;

/// What the control APIs' `POST /_control/merge` asks: merge `branch` into `into` (default:
/// the default branch), then delete `branch` if `delete_branch`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MergeRequest<'a> {
    pub branch: &'a str,
    pub into: Option<&'a str>,
    pub delete_branch: bool,
    pub message: Option<&'a str>,
}

/// A merge ready to be committed: the commit's parents (the target's tip, then the
/// branch's), files and message, and the branch to move to it.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub into: String,
    pub parents: Vec<String>,
    pub files: Files,
    pub message: String,
}

/// A merge refused, and the status every stand-in answers it with: 404 for an unknown
/// branch, 400 for a branch merged into itself, already merged, or a default branch to be
/// deleted, 409 for conflicts (`paths`) or unrelated histories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub status: StatusCode,
    pub message: String,
    pub paths: Vec<String>,
}

impl Refused {
    /// The repository `full_name` is not there.
    pub(crate) fn no_repository(full_name: &str) -> Refused {
        Refused::new(
            StatusCode::NOT_FOUND,
            format!("Repository {full_name} does not exist."),
        )
    }

    fn new(status: StatusCode, message: String) -> Refused {
        Refused {
            status,
            message,
            paths: Vec::new(),
        }
    }
}

/// Checks `request` against a repository's `branches` (name → tip) and history and merges
/// the files; the caller makes the commit and then calls [`apply`].
pub(crate) fn plan<G: CommitGraph>(
    g: &G,
    branches: &BTreeMap<String, String>,
    default_branch: Option<&str>,
    request: &MergeRequest<'_>,
) -> Result<Plan, Refused> {
    let no_branch = |name: &str| {
        Refused::new(
            StatusCode::NOT_FOUND,
            format!("Branch \"{name}\" does not exist."),
        )
    };
    let branch = request.branch;
    let into = request.into.or(default_branch).unwrap_or("main");
    let into_tip = branches.get(into).ok_or_else(|| no_branch(into))?;
    let branch_tip = branches.get(branch).ok_or_else(|| no_branch(branch))?;
    if branch == into {
        return Err(Refused::new(
            StatusCode::BAD_REQUEST,
            format!("Cannot merge \"{into}\" into itself."),
        ));
    }
    if request.delete_branch && default_branch == Some(branch) {
        return Err(Refused::new(
            StatusCode::BAD_REQUEST,
            format!("\"{branch}\" is the default branch and cannot be deleted."),
        ));
    }
    let files = merge_tips(g, into_tip, branch_tip).map_err(|refusal| {
        let message = refusal.describe(branch, into);
        match refusal {
            MergeRefusal::UpToDate => Refused::new(StatusCode::BAD_REQUEST, message),
            MergeRefusal::Unrelated => Refused::new(StatusCode::CONFLICT, message),
            MergeRefusal::Conflicts(paths) => Refused {
                status: StatusCode::CONFLICT,
                message,
                paths,
            },
        }
    })?;
    Ok(Plan {
        into: into.to_owned(),
        parents: vec![into_tip.clone(), branch_tip.clone()],
        files,
        message: request
            .message
            .map_or_else(|| super::merge_message(branch, into), str::to_owned),
    })
}

/// Moves the target `into` (a [`Plan`]'s) to the merge commit `id` and deletes the branch
/// if asked.
pub(crate) fn apply(
    branches: &mut BTreeMap<String, String>,
    into: String,
    id: String,
    request: &MergeRequest<'_>,
) {
    branches.insert(into, id);
    if request.delete_branch {
        branches.remove(request.branch);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MergeRefusal {
    /// The branch is already contained in the target: nothing to merge.
    UpToDate,
    /// The two share no history.
    Unrelated,
    /// Paths changed on both sides differently.
    Conflicts(Vec<String>),
}

impl MergeRefusal {
    /// A sentence for an error body.
    pub(crate) fn describe(&self, branch: &str, into: &str) -> String {
        match self {
            MergeRefusal::UpToDate => {
                format!("Nothing to merge: \"{branch}\" is already merged into \"{into}\".")
            }
            MergeRefusal::Unrelated => {
                format!("\"{branch}\" and \"{into}\" share no history.")
            }
            MergeRefusal::Conflicts(paths) => format!(
                "Merging \"{branch}\" into \"{into}\" conflicts in: {}.",
                paths.join(", ")
            ),
        }
    }
}

/// The files of the merge commit of `theirs` into `ours` (two commit ids). A fast-forward
/// is no reason to skip the merge commit: the caller always makes one.
pub(crate) fn merge_tips<G: CommitGraph>(
    g: &G,
    ours: &str,
    theirs: &str,
) -> Result<Files, MergeRefusal> {
    if reachable(g, &[ours]).contains(theirs) {
        return Err(MergeRefusal::UpToDate);
    }
    let base = merge_base(g, ours, theirs).ok_or(MergeRefusal::Unrelated)?;
    match (g.tree(base), g.tree(ours), g.tree(theirs)) {
        (Some(b), Some(o), Some(t)) => merge_trees(b, o, t).map_err(MergeRefusal::Conflicts),
        _ => Err(MergeRefusal::Unrelated),
    }
}

/// Per path: both sides agree, or only one side changed it (that side wins); otherwise a
/// conflict. Answers the merged files or every conflicting path.
pub(crate) fn merge_trees(
    base: &Files,
    ours: &Files,
    theirs: &Files,
) -> Result<Files, Vec<String>> {
    let paths: BTreeSet<&String> = base
        .keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .collect();
    let mut merged = Files::new();
    let mut conflicts = Vec::new();
    for path in paths {
        let (b, o, t) = (base.get(path), ours.get(path), theirs.get(path));
        let pick = if o == t || b == t {
            o
        } else if b == o {
            t
        } else {
            conflicts.push(path.clone());
            continue;
        };
        if let Some(content) = pick {
            merged.insert(path.clone(), content.clone());
        }
    }
    for path in merged.keys() {
        let dir = format!("{path}/");
        if merged
            .range(dir.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&dir))
        {
            conflicts.push(path.clone());
        }
    }
    if conflicts.is_empty() {
        Ok(merged)
    } else {
        conflicts.sort();
        conflicts.dedup();
        Err(conflicts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testing::{tree, Toy};
    use crate::history::{ahead_behind, changes};

    fn base() -> Toy {
        let mut g = Toy::default();
        g.commit("root", &[], &[("README.md", "hi\n"), ("a.yaml", "a\n")]);
        g
    }

    #[test]
    fn each_side_keeps_its_own_changes() {
        let mut g = base();
        g.commit(
            "main",
            &["root"],
            &[("README.md", "hello\n"), ("a.yaml", "a\n")],
        );
        g.commit(
            "feature",
            &["root"],
            &[("README.md", "hi\n"), ("b.yaml", "b\n")],
        );
        let files = merge_tips(&g, "main", "feature").unwrap();
        let keys: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["README.md", "b.yaml"]);
        assert_eq!(&files["README.md"][..], b"hello\n");
    }

    #[test]
    fn fast_forwardable_merges_take_the_branch() {
        let mut g = base();
        g.commit("feature", &["root"], &[("README.md", "new\n")]);
        let files = merge_tips(&g, "root", "feature").unwrap();
        assert_eq!(&files["README.md"][..], b"new\n");
        assert!(!files.contains_key("a.yaml"));
        // After the merge commit the branch is 0 ahead and 1 behind.
        g.commit("merge", &["root", "feature"], &[("README.md", "new\n")]);
        assert_eq!(ahead_behind(&g, "feature", "merge"), (0, 1));
        assert_eq!(
            merge_tips(&g, "merge", "feature"),
            Err(MergeRefusal::UpToDate)
        );
        // The merged target now differs from the branch by nothing.
        let (m, f) = (g.tree("merge").unwrap(), g.tree("feature").unwrap());
        assert!(changes(f, m, true).is_empty());
    }

    #[test]
    fn conflicts_and_unrelated_histories_are_refused() {
        let mut g = base();
        g.commit("main", &["root"], &[("README.md", "main\n")]);
        g.commit("feature", &["root"], &[("README.md", "feature\n")]);
        assert_eq!(
            merge_tips(&g, "main", "feature"),
            Err(MergeRefusal::Conflicts(vec!["README.md".into()]))
        );
        g.commit("other", &[], &[("x", "x")]);
        assert_eq!(
            merge_tips(&g, "main", "other"),
            Err(MergeRefusal::Unrelated)
        );
    }

    #[test]
    fn plans_check_branches_and_apply_moves_them() {
        let mut g = base();
        g.commit("f1", &["root"], &[("README.md", "hi\n"), ("a.yaml", "A\n")]);
        let mut branches: BTreeMap<String, String> = [("main", "root"), ("feature", "f1")]
            .iter()
            .map(|(b, c)| ((*b).to_owned(), (*c).to_owned()))
            .collect();
        let request = |branch, into, delete_branch| MergeRequest {
            branch,
            into,
            delete_branch,
            message: None,
        };
        let refused = |r: &MergeRequest<'_>| plan(&g, &branches, Some("main"), r).unwrap_err();
        assert_eq!(
            refused(&request("nope", None, false)).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            refused(&request("feature", Some("nope"), false)).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            refused(&request("main", None, false)).status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            refused(&request("main", Some("feature"), true)).status,
            StatusCode::BAD_REQUEST
        );
        let asked = request("feature", None, true);
        let p = plan(&g, &branches, Some("main"), &asked).unwrap();
        assert_eq!(p.parents, vec!["root".to_owned(), "f1".to_owned()]);
        assert_eq!(p.message, "Merge branch 'feature' into main");
        assert_eq!(&p.files["a.yaml"][..], b"A\n");
        apply(&mut branches, p.into, "merge".into(), &asked);
        assert_eq!(branches.get("main").map(String::as_str), Some("merge"));
        assert!(!branches.contains_key("feature"));
    }

    #[test]
    fn a_file_against_a_directory_conflicts() {
        let base = tree(&[]);
        let ours = tree(&[("p", "file")]);
        let theirs = tree(&[("p/q", "nested")]);
        assert_eq!(merge_trees(&base, &ours, &theirs), Err(vec!["p".into()]));
        // Both deleting, or one deleting what the other left alone, is no conflict.
        let base = tree(&[("gone", "x"), ("kept", "k")]);
        let ours = tree(&[("kept", "k")]);
        assert_eq!(merge_trees(&base, &ours, &ours).unwrap().len(), 1);
        assert_eq!(merge_trees(&base, &base, &ours).unwrap().len(), 1);
    }
}
