//! A unified diff's hunks (`@@ -a,b +c,d @@` and the lines under them), as Git writes them:
//! Bitbucket Cloud's raw diff and each file's `patch` in a GitHub comparison are this text.
//! The file headers before the first hunk are skipped; a line outside any hunk is ignored, so
//! no answer can make the parser fail, and the lines kept are bounded
//! ([`api::branch::MAX_DIFF_LINES`], plus one to tell that the bound was reached).

use api::branch::MAX_DIFF_LINES;
use api::{DiffHunk, DiffLine, DiffLineKind};

/// The hunks of `text`.
pub fn hunks(text: &str) -> Vec<DiffHunk> {
    let mut hunks: Vec<DiffHunk> = Vec::new();
    let (mut old, mut new) = (0u32, 0u32);
    let mut kept = 0usize;
    for line in text.lines() {
        if kept > MAX_DIFF_LINES {
            break;
        }
        if let Some((old_start, new_start)) = header(line) {
            (old, new) = (old_start, new_start);
            hunks.push(DiffHunk {
                old_start,
                new_start,
                lines: Vec::new(),
            });
            continue;
        }
        let Some(hunk) = hunks.last_mut() else {
            continue;
        };
        let (kind, text) = match line.split_at_checked(1) {
            Some(("+", rest)) => (DiffLineKind::Added, rest),
            Some(("-", rest)) => (DiffLineKind::Removed, rest),
            Some((" ", rest)) => (DiffLineKind::Context, rest),
            // A context line whose trailing space was trimmed on the way.
            None => (DiffLineKind::Context, ""),
            // "\ No newline at end of file", or the next file's header.
            Some(_) => continue,
        };
        let (o, n) = match kind {
            DiffLineKind::Added => (None, Some(new)),
            DiffLineKind::Removed => (Some(old), None),
            DiffLineKind::Context => (Some(old), Some(new)),
        };
        if o.is_some() {
            old = old.saturating_add(1);
        }
        if n.is_some() {
            new = new.saturating_add(1);
        }
        hunk.lines.push(DiffLine {
            kind,
            old: o,
            new: n,
            text: text.to_owned(),
        });
        kept += 1;
    }
    hunks
}

/// `@@ -12,3 +12,4 @@ …` → (12, 12); a count may be absent (`-1 +1`).
fn header(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let start = |range: &str| range.split(',').next()?.parse::<u32>().ok();
    Some((start(old)?, start(new)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "diff --git a/p.orch.yaml b/p.orch.yaml\nindex 1..2 100644\n--- a/p.orch.yaml\n+++ b/p.orch.yaml\n@@ -1,3 +1,3 @@ type\n type: x\n-a: 1\n+a: 2\n end\n\\ No newline at end of file\n@@ -10 +10,2 @@\n ten\n+eleven\n";

    #[test]
    fn hunks_and_line_numbers_are_read() {
        let hunks = hunks(DIFF);
        assert_eq!(hunks.len(), 2);
        let kinds: Vec<_> = hunks[0]
            .lines
            .iter()
            .map(|l| (l.kind, l.old, l.new))
            .collect();
        use DiffLineKind::*;
        assert_eq!(
            kinds,
            [
                (Context, Some(1), Some(1)),
                (Removed, Some(2), None),
                (Added, None, Some(2)),
                (Context, Some(3), Some(3)),
            ]
        );
        assert_eq!(hunks[0].lines[2].text, "a: 2");
        assert_eq!((hunks[1].old_start, hunks[1].new_start), (10, 10));
        assert_eq!(hunks[1].lines[1].new, Some(11));
    }

    #[test]
    fn nonsense_is_ignored_and_size_is_bounded() {
        assert!(hunks("no diff here\n@@ broken @@\n+x\n").is_empty());
        let huge = format!("@@ -1 +1 @@\n{}", "+x\n".repeat(MAX_DIFF_LINES * 3));
        let lines: usize = hunks(&huge).iter().map(|h| h.lines.len()).sum();
        assert_eq!(lines, MAX_DIFF_LINES + 1);
        assert!(hunks("@@ -4294967295 +4294967295 @@\n x\n x\n").len() == 1);
    }
}
