//! A line diff of two texts, cut into unified-diff hunks with `context` lines around each
//! change (git's `diff -U`), and git's textual diff of a list of file changes.
//!
//! Lines keep their `\n`, so a last line without one differs from the same line with one,
//! as in git ("\ No newline at end of file"). The edit script is a longest common
//! subsequence after trimming the common prefix and suffix; past [`MAX_CELLS`] (two large
//! texts changed throughout) the middle is shown as wholly removed and added: still a
//! correct diff, only not the shortest.

use super::changes::{Change, Side, Status};

/// Largest LCS table (old lines × new lines of the changed middle) computed.
const MAX_CELLS: usize = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Context,
    Removed,
    Added,
}

/// One line of a hunk. `old` and `new` are 1-based line numbers; a line present on one
/// side only carries the number the next line of the other side has there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    pub kind: Kind,
    /// The text, with its `\n` when it has one.
    pub text: &'a str,
    pub old: usize,
    pub new: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hunk<'a> {
    pub old_start: usize,
    pub old_len: usize,
    pub new_start: usize,
    pub new_len: usize,
    pub lines: Vec<Line<'a>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TextDiff<'a> {
    pub hunks: Vec<Hunk<'a>>,
    pub added: usize,
    pub removed: usize,
}

/// Whether git would show `bytes` as text: UTF-8 without NUL.
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok()
}

fn split(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The diff of `old` to `new` with `context` lines of context.
pub(crate) fn diff<'a>(old: &'a str, new: &'a str, context: usize) -> TextDiff<'a> {
    let (a, b) = (split(old), split(new));
    let mut lines = Vec::with_capacity(a.len().max(b.len()));
    let (mut i, mut j) = (0, 0);
    for kind in edit_script(&a, &b) {
        let text = if kind == Kind::Added { b[j] } else { a[i] };
        lines.push(Line {
            kind,
            text,
            old: i + 1,
            new: j + 1,
        });
        i += usize::from(kind != Kind::Added);
        j += usize::from(kind != Kind::Removed);
    }
    let count = |k| lines.iter().filter(|l| l.kind == k).count();
    TextDiff {
        added: count(Kind::Added),
        removed: count(Kind::Removed),
        hunks: hunks(&lines, context),
    }
}

fn edit_script(a: &[&str], b: &[&str]) -> Vec<Kind> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops = vec![Kind::Context; prefix];
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) <= MAX_CELLS {
        // lcs[i * w + j]: the longest common subsequence of a[i..] and b[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if a[i] == b[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n && j < m {
            if a[i] == b[j] {
                ops.push(Kind::Context);
                (i, j) = (i + 1, j + 1);
            } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
                ops.push(Kind::Removed);
                i += 1;
            } else {
                ops.push(Kind::Added);
                j += 1;
            }
        }
        ops.extend(std::iter::repeat_n(Kind::Removed, n - i));
        ops.extend(std::iter::repeat_n(Kind::Added, m - j));
    } else {
        ops.extend(std::iter::repeat_n(Kind::Removed, n));
        ops.extend(std::iter::repeat_n(Kind::Added, m));
    }
    ops.extend(std::iter::repeat_n(Kind::Context, suffix));
    ops
}

/// Groups the changed lines into hunks: changes at most `2 * context` lines apart share one.
fn hunks<'a>(lines: &[Line<'a>], context: usize) -> Vec<Hunk<'a>> {
    let changed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].kind != Kind::Context)
        .collect();
    // `context` comes from a query string: any `usize`, so no arithmetic on it may overflow.
    let gap = context.saturating_mul(2).saturating_add(1);
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for &i in &changed {
        match groups.last_mut() {
            Some((_, end)) if i - *end <= gap => *end = i,
            _ => groups.push((i, i)),
        }
    }
    groups
        .into_iter()
        .map(|(first, last)| {
            let from = first.saturating_sub(context);
            let to = last
                .saturating_add(context)
                .saturating_add(1)
                .min(lines.len());
            let slice = &lines[from..to];
            let old_len = slice.iter().filter(|l| l.kind != Kind::Added).count();
            let new_len = slice.iter().filter(|l| l.kind != Kind::Removed).count();
            // git numbers an empty side by the line before it (`-0,0` for a new file).
            let start = |n: usize, len: usize| if len == 0 { n - 1 } else { n };
            Hunk {
                old_start: start(slice[0].old, old_len),
                old_len,
                new_start: start(slice[0].new, new_len),
                new_len,
                lines: slice.to_vec(),
            }
        })
        .collect()
}

/// `start,len`, or `start` alone for one line, as git writes a hunk's ranges.
fn range(start: usize, len: usize) -> String {
    if len == 1 {
        start.to_string()
    } else {
        format!("{start},{len}")
    }
}

/// The hunks as unified-diff text: `@@ -a,b +c,d @@` headers, then ` `, `-`, `+` lines.
pub(crate) fn unified(hunks: &[Hunk<'_>]) -> String {
    let mut out = String::new();
    for h in hunks {
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(h.old_start, h.old_len),
            range(h.new_start, h.new_len)
        ));
        for l in &h.lines {
            out.push(match l.kind {
                Kind::Context => ' ',
                Kind::Removed => '-',
                Kind::Added => '+',
            });
            out.push_str(l.text);
            if !l.text.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// `git diff -U{context}` of `changes` (without `index` lines: no blob ids to show): per
/// file `diff --git a/… b/…`, the mode or rename lines, `--- a/…` (or `/dev/null`),
/// `+++ b/…`, then the hunks, or git's line for binary files. `binary: false` leaves binary
/// files out.
pub(crate) fn git_diff(changes: &[Change<'_>], context: usize, binary: bool) -> String {
    let mut out = String::new();
    for c in changes {
        let text = change_diff(c, context);
        if text.is_none() && !binary {
            continue;
        }
        let a = c.old.or(c.new).map_or("", |s| s.path);
        let b = c.new.or(c.old).map_or("", |s| s.path);
        out.push_str(&format!("diff --git a/{a} b/{b}\n"));
        match c.status {
            Status::Added => out.push_str("new file mode 100644\n"),
            Status::Removed => out.push_str("deleted file mode 100644\n"),
            Status::Renamed => {
                out.push_str(&format!(
                    "similarity index 100%\nrename from {a}\nrename to {b}\n"
                ));
            }
            Status::Modified => {}
        }
        let from = c
            .old
            .map_or("/dev/null".to_owned(), |s| format!("a/{}", s.path));
        let to = c
            .new
            .map_or("/dev/null".to_owned(), |s| format!("b/{}", s.path));
        match text {
            Some(d) if d.hunks.is_empty() => {}
            Some(d) => {
                out.push_str(&format!("--- {from}\n+++ {to}\n"));
                out.push_str(&unified(&d.hunks));
            }
            None => out.push_str(&format!("Binary files {from} and {to} differ\n")),
        }
    }
    out
}

/// The line diff of one change with `context` lines of context; `None` for a binary file
/// (either side not text).
pub(crate) fn change_diff<'a>(c: &Change<'a>, context: usize) -> Option<TextDiff<'a>> {
    let text = |side: Option<Side<'a>>| match side {
        None => Some(""),
        Some(s) if is_text(s.content) => std::str::from_utf8(&s.content[..]).ok(),
        Some(_) => None,
    };
    Some(diff(text(c.old)?, text(c.new)?, context))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::changes::changes;
    use crate::history::testing::tree;

    #[test]
    fn hunks_have_context_and_git_ranges() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        let new = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\neleven\n";
        let d = diff(old, new, 3);
        assert_eq!((d.added, d.removed), (2, 1));
        assert_eq!(
            unified(&d.hunks),
            "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n@@ -8,3 +8,4 @@\n 8\n 9\n 10\n+eleven\n"
        );
        // With more context the two changes share one hunk; any context is safe.
        assert_eq!(diff(old, new, 4).hunks.len(), 1);
        let whole = diff(old, new, usize::MAX);
        assert_eq!(whole.hunks.len(), 1);
        assert_eq!(whole.hunks[0].lines.len(), 12);
        let none = diff(old, new, 0);
        assert_eq!(none.hunks[0].lines.len(), 2);
        assert_eq!(
            (
                none.hunks[1].old_start,
                none.hunks[1].old_len,
                none.hunks[1].new_start
            ),
            (10, 0, 11)
        );
    }

    #[test]
    fn new_empty_and_unterminated_files() {
        assert_eq!(
            unified(&diff("", "a\nb\n", 3).hunks),
            "@@ -0,0 +1,2 @@\n+a\n+b\n"
        );
        assert_eq!(unified(&diff("a\n", "", 3).hunks), "@@ -1 +0,0 @@\n-a\n");
        assert_eq!(
            unified(&diff("a\n", "a", 3).hunks),
            "@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"
        );
        assert_eq!(diff("same\n", "same\n", 3), TextDiff::default());
    }

    #[test]
    fn git_diff_of_changes() {
        let old = tree(&[
            ("a.txt", "a\n"),
            ("b.txt", "b\n"),
            ("gone", "g\n"),
            ("bin", "\0x"),
        ]);
        let new = tree(&[
            ("a.txt", "A\n"),
            ("c.txt", "b\n"),
            ("new", "n\n"),
            ("bin", "\0y"),
        ]);
        let text = git_diff(&changes(&old, &new, true), 3, true);
        assert_eq!(
            text,
            "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+A\n\
             diff --git a/bin b/bin\nBinary files a/bin and b/bin differ\n\
             diff --git a/b.txt b/c.txt\nsimilarity index 100%\nrename from b.txt\nrename to c.txt\n\
             diff --git a/gone b/gone\ndeleted file mode 100644\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-g\n\
             diff --git a/new b/new\nnew file mode 100644\n--- /dev/null\n+++ b/new\n@@ -0,0 +1 @@\n+n\n"
        );
        assert!(!git_diff(&changes(&old, &new, true), 3, false).contains("bin"));
        assert_eq!(git_diff(&changes(&old, &old, true), 3, true), "");
    }
}
