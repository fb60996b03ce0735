//! File trees as the Data Center and GitHub stand-ins keep them (a commit's whole snapshot,
//! full path → content, directories implied), the questions both ask of one (what a path
//! names, a directory's children, the files under it), and the seeded pipeline both seed.

use std::collections::BTreeMap;
use std::sync::Arc;

/// The orchestration pipeline seeded as `pipelines/orders.orch.yaml` in both stand-ins.
pub(crate) const ORDERS_PIPELINE: &str = r#"type: "orchestration"
version: "1.0"
pipeline:
  components:
    Start:
      type: "start"
      transitions:
        unconditional:
        - "Load orders"
      parameters:
        componentName: "Start"
    Load orders:
      type: "run-transformation"
      parameters:
        componentName: "Load orders"
"#;

/// A file tree snapshot: full path (no leading `/`) → content. Directories
/// are implied by the paths. Shared between commits, and between the
/// thousands of generated repositories, because most commits change little.
pub(crate) type Tree = Arc<BTreeMap<String, Arc<[u8]>>>;

/// What a file path names in a tree.
pub(crate) enum Entry<'a> {
    File(&'a Arc<[u8]>),
    Directory,
}

/// What `path` names in `tree` (`""` is the root directory).
pub(crate) fn lookup<'a>(tree: &'a Tree, path: &str) -> Option<Entry<'a>> {
    if path.is_empty() {
        return Some(Entry::Directory);
    }
    if let Some(bytes) = tree.get(path) {
        return Some(Entry::File(bytes));
    }
    let prefix = format!("{path}/");
    tree.range(prefix.clone()..)
        .next()
        .filter(|(k, _)| k.starts_with(&prefix))
        .map(|_| Entry::Directory)
}

/// The entries directly inside directory `dir`: (name, `Some(file)` or `None` for a
/// directory), directories first, each group by name.
pub(crate) fn children<'a>(tree: &'a Tree, dir: &str) -> Vec<(String, Option<&'a Arc<[u8]>>)> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut dirs: Vec<String> = Vec::new();
    let mut files = Vec::new();
    for (path, bytes) in tree.range(prefix.clone()..) {
        let Some(rest) = path.strip_prefix(&prefix) else {
            break;
        };
        match rest.split_once('/') {
            Some((d, _)) => {
                if dirs.last().map(String::as_str) != Some(d) {
                    dirs.push(d.to_owned());
                }
            }
            None => files.push((rest.to_owned(), Some(bytes))),
        }
    }
    dirs.dedup();
    let mut out: Vec<(String, Option<&Arc<[u8]>>)> = dirs.into_iter().map(|d| (d, None)).collect();
    out.extend(files);
    out
}

/// Every file under directory `dir`, as paths relative to it, sorted.
pub(crate) fn files_under(tree: &Tree, dir: &str) -> Vec<String> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    tree.range(prefix.clone()..)
        .map(|(k, _)| k)
        .take_while(|k| k.starts_with(&prefix))
        .map(|k| k[prefix.len()..].to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> Tree {
        Arc::new(
            paths
                .iter()
                .map(|p| ((*p).to_owned(), Arc::from(b"x".as_slice())))
                .collect(),
        )
    }

    #[test]
    fn children_lists_directories_first() {
        let t = tree(&["README.md", "a/b.yaml", "a/c/d.txt", "a-b.txt", "z/y"]);
        let names: Vec<(String, bool)> = children(&t, "")
            .into_iter()
            .map(|(n, f)| (n, f.is_some()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("a".into(), false),
                ("z".into(), false),
                ("README.md".into(), true),
                ("a-b.txt".into(), true)
            ]
        );
        let inner: Vec<String> = children(&t, "a").into_iter().map(|(n, _)| n).collect();
        assert_eq!(inner, vec!["c", "b.yaml"]);
        assert_eq!(files_under(&t, "a"), vec!["b.yaml", "c/d.txt"]);
        assert!(matches!(lookup(&t, "a/c"), Some(Entry::Directory)));
        assert!(matches!(lookup(&t, "a/b.yaml"), Some(Entry::File(_))));
        assert!(lookup(&t, "a/b").is_none());
    }
}
