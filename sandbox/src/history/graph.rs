//! Walks over a commit graph through every parent (not only the first): what `git log`,
//! `git merge-base` and `git rev-list --left-right --count` answer.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use super::CommitGraph;

/// Most commits one walk visits: a bound, so a pathological history cannot stall the lock.
const MAX_WALK: usize = 100_000;

/// Every commit reachable from `heads` (themselves included); unknown ids are skipped.
pub(crate) fn reachable<'a, G: CommitGraph>(g: &'a G, heads: &[&'a str]) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    let mut stack: Vec<&'a str> = heads.to_vec();
    while let Some(id) = stack.pop() {
        if seen.len() >= MAX_WALK {
            break;
        }
        let Some(parents) = g.parents(id) else {
            continue;
        };
        if seen.insert(id) {
            stack.extend(parents.iter().map(String::as_str));
        }
    }
    seen
}

/// `git log heads ^excluded`: the commits reachable from `heads` and not from `excluded`,
/// newest first, every commit before its parents (ties: newer first, then by id).
pub(crate) fn log<'a, G: CommitGraph>(
    g: &'a G,
    heads: &[&'a str],
    excluded: &[&'a str],
) -> Vec<&'a str> {
    let hidden = reachable(g, excluded);
    let mut shown = reachable(g, heads);
    shown.retain(|id| !hidden.contains(id));
    topological(g, &shown)
}

/// `set` with every commit before its parents, newest first among those ready.
fn topological<'a, G: CommitGraph>(g: &'a G, set: &HashSet<&'a str>) -> Vec<&'a str> {
    let parents = |id: &str| g.parents(id).unwrap_or_default();
    let mut children: HashMap<&'a str, usize> = set.iter().map(|id| (*id, 0)).collect();
    for id in set {
        for p in parents(id) {
            if let Some(n) = children.get_mut(p.as_str()) {
                *n += 1;
            }
        }
    }
    let mut ready: BinaryHeap<(i64, Reverse<&'a str>)> = children
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| (g.when(id), Reverse(*id)))
        .collect();
    let mut out = Vec::with_capacity(set.len());
    while let Some((_, Reverse(id))) = ready.pop() {
        out.push(id);
        for p in g.parents(id).unwrap_or_default() {
            if let Some(n) = children.get_mut(p.as_str()) {
                *n -= 1;
                if *n == 0 {
                    ready.push((g.when(p), Reverse(p.as_str())));
                }
            }
        }
    }
    out
}

/// The best common ancestor of `a` and `b`: a common ancestor that is no ancestor of
/// another. Of several (criss-cross histories) the newest, then the smallest id; `None`
/// when the two share no history.
pub(crate) fn merge_base<'a, G: CommitGraph>(g: &'a G, a: &'a str, b: &'a str) -> Option<&'a str> {
    let of_a = reachable(g, &[a]);
    let common: Vec<&'a str> = reachable(g, &[b])
        .into_iter()
        .filter(|id| of_a.contains(id))
        .collect();
    let below: Vec<&'a str> = common
        .iter()
        .flat_map(|id| g.parents(id).unwrap_or_default())
        .map(String::as_str)
        .collect();
    let below = reachable(g, &below);
    common
        .into_iter()
        .filter(|id| !below.contains(id))
        .max_by(|x, y| g.when(x).cmp(&g.when(y)).then(y.cmp(x)))
}

/// How many commits `a` has that `b` has not (ahead), and `b` has that `a` has not (behind).
pub(crate) fn ahead_behind<'a, G: CommitGraph>(g: &'a G, a: &'a str, b: &'a str) -> (usize, usize) {
    let of_a = reachable(g, &[a]);
    let of_b = reachable(g, &[b]);
    (
        of_a.difference(&of_b).count(),
        of_b.difference(&of_a).count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testing::Toy;

    /// root ─ m1 ─ m2 (main)
    ///    └─ f1 ─ f2 (feature)
    fn diverged() -> Toy {
        let mut g = Toy::default();
        g.commit("root", &[], &[]);
        g.commit("f1", &["root"], &[]);
        g.commit("m1", &["root"], &[]);
        g.commit("f2", &["f1"], &[]);
        g.commit("m2", &["m1"], &[]);
        g
    }

    #[test]
    fn log_excludes_and_orders_children_first() {
        let g = diverged();
        assert_eq!(log(&g, &["f2"], &["m2"]), vec!["f2", "f1"]);
        assert_eq!(
            log(&g, &["f2", "m2"], &[]),
            vec!["m2", "f2", "m1", "f1", "root"]
        );
        assert!(log(&g, &["f2"], &["f2"]).is_empty());
        assert!(log(&g, &["unknown"], &[]).is_empty());
    }

    #[test]
    fn ahead_behind_and_merge_base() {
        let g = diverged();
        assert_eq!(ahead_behind(&g, "f2", "m2"), (2, 2));
        assert_eq!(merge_base(&g, "f2", "m2"), Some("root"));
        // Fast-forwardable: main is an ancestor of the feature.
        assert_eq!(ahead_behind(&g, "f2", "root"), (2, 0));
        assert_eq!(merge_base(&g, "f2", "root"), Some("root"));
        // Identical.
        assert_eq!(ahead_behind(&g, "m2", "m2"), (0, 0));
        assert_eq!(merge_base(&g, "m2", "m2"), Some("m2"));
        // Unrelated.
        let mut g = diverged();
        g.commit("lonely", &[], &[]);
        assert_eq!(merge_base(&g, "lonely", "m2"), None);
        assert_eq!(ahead_behind(&g, "lonely", "m2"), (1, 3));
    }

    #[test]
    fn merge_commits_are_walked_through_every_parent() {
        let mut g = diverged();
        g.commit("merge", &["m2", "f2"], &[]);
        assert_eq!(ahead_behind(&g, "f2", "merge"), (0, 3));
        assert_eq!(merge_base(&g, "f2", "merge"), Some("f2"));
        let order = log(&g, &["merge"], &[]);
        assert_eq!(order.first(), Some(&"merge"));
        assert_eq!(order.last(), Some(&"root"));
        assert_eq!(order.len(), 6);
    }

    #[test]
    fn criss_cross_picks_one_best_ancestor() {
        let mut g = Toy::default();
        g.commit("root", &[], &[]);
        g.commit("a1", &["root"], &[]);
        g.commit("b1", &["root"], &[]);
        g.commit("a2", &["a1", "b1"], &[]);
        g.commit("b2", &["b1", "a1"], &[]);
        assert_eq!(merge_base(&g, "a2", "b2"), Some("b1"));
    }
}
