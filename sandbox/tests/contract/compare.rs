//! Comparing a branch with `main`: `GET …/diffstat/{spec}` (`paginated_diffstats`),
//! `GET …/diff/{spec}` (raw text), `GET …/merge-base/{revspec}` (`commit`) and
//! `GET …/commits` with `include`/`exclude` (`paginated_changeset`), on a feature branch
//! made through the control API: one file modified, one added, one removed, one renamed,
//! while `main` moves on.

use serde_json::{json, Value};

use crate::common::*;

const DIFFSTAT: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/diffstat/{spec}",
);
const DIFF: Op = op("get", "/repositories/{workspace}/{repo_slug}/diff/{spec}");
const MERGE_BASE: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/merge-base/{revspec}",
);
const ALL: Op = op("get", "/repositories/{workspace}/{repo_slug}/commits");
const HISTORY: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/commits/{revision}",
);

const REPO: &str = "/repositories/acme-data/warehouse-pipelines";
const CLEAN: &str = "pipelines/orders-clean.tran.yaml";
const NIGHTLY: &str = "pipelines/nightly-load.orch.yaml";

/// A commit pushed by `alex` through the control API; answers its hash.
async fn push(c: &Contract, branch: &str, files: Value, delete: &[&str]) -> String {
    let body = json!({
        "nickname": "alex",
        "workspace": "acme-data",
        "repository": "warehouse-pipelines",
        "branch": branch,
        "files": files,
        "delete": delete,
    });
    let (_, answer) = crate::support::control(&c.rs.url, "commit", &body).await;
    answer["hash"].as_str().expect("a commit").to_owned()
}

/// `feature/x` from `main`: NIGHTLY edited, `pipelines/new.orch.yaml` added, the
/// `main_4.py` step removed, CLEAN renamed to `pipelines/orders.tran.yaml` (two commits);
/// then `main` gains a commit of its own. Answers (feature tip, main tip before it moved).
async fn feature_branch(c: &Contract) -> (String, String) {
    let main_tip = c
        .get(Some(&c.alex), &format!("{REPO}/refs/branches/main"))
        .await
        .json()
        .unwrap()["target"]["hash"]
        .as_str()
        .unwrap()
        .to_owned();
    let clean = c
        .get(Some(&c.alex), &format!("{REPO}/src/main/{CLEAN}"))
        .await
        .text();
    push(
        c,
        "feature/x",
        json!({ NIGHTLY: "type: \"orchestration\"\nversion: \"1.0\"\n", "pipelines/new.orch.yaml": "a\nb\n" }),
        &["pipelines/main_4.py"],
    )
    .await;
    let tip = push(
        c,
        "feature/x",
        json!({ "pipelines/orders.tran.yaml": clean }),
        &[CLEAN],
    )
    .await;
    push(c, "main", json!({ "README.md": "# moved on\n" }), &[]).await;
    (tip, main_tip)
}

fn statuses(page: &Value) -> Vec<(String, String)> {
    values(page)
        .iter()
        .map(|d| {
            let path = d["new"]["path"].as_str().or(d["old"]["path"].as_str());
            (
                d["status"].as_str().unwrap_or_default().to_owned(),
                path.unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn diffstat_diff_and_merge_base() {
    let c = Contract::start().await;
    let (tip, base) = feature_branch(&c).await;

    // Three-dot by default: only the branch's own changes, not main's README.
    let answer = c
        .get(Some(&c.alex), &format!("{REPO}/diffstat/feature/x..main"))
        .await;
    if let Some(page) = c.documented(DIFFSTAT, &answer, 200) {
        let expected: Vec<(String, String)> = [
            ("removed", "pipelines/main_4.py"),
            ("added", "pipelines/new.orch.yaml"),
            ("modified", NIGHTLY),
            ("renamed", "pipelines/orders.tran.yaml"),
        ]
        .iter()
        .map(|(s, p)| ((*s).to_owned(), (*p).to_owned()))
        .collect();
        c.expect(statuses(&page) == expected, || {
            format!("{}: {:?}", answer.request, statuses(&page))
        });
        let renamed = &values(&page)[3];
        c.expect(renamed["old"]["path"] == CLEAN, || {
            format!("rename: {renamed}")
        });
        let added = &values(&page)[1];
        c.expect(
            added["lines_added"] == 2 && added["lines_removed"] == 0 && added.get("old").is_none(),
            || format!("added: {added}"),
        );
        c.expect(page["pagelen"] == 500, || {
            format!("pagelen {}", page["pagelen"])
        });
    }
    // Commits, two-dot, a path, pages.
    for query in [
        format!("{tip}..{base}"),
        "feature/x..main?topic=false".to_owned(),
        format!(
            "feature/x..main?path={}&path=pipelines/new.orch.yaml",
            enc(NIGHTLY)
        ),
        "feature/x..main?pagelen=1&renames=false".to_owned(),
        tip.clone(),
    ] {
        let answer = c
            .get(Some(&c.alex), &format!("{REPO}/diffstat/{query}"))
            .await;
        if let Some(page) = c.documented(DIFFSTAT, &answer, 200) {
            let n = values(&page).len();
            let ok = match query.as_str() {
                q if q.contains("topic=false") => n == 5,
                q if q.contains("path=") => n == 2,
                // Without rename detection the rename is a removal and an addition.
                q if q.contains("pagelen=1") => n == 1 && page["size"] == 5,
                // The tip commit alone: the rename.
                q if q == tip => n == 1,
                _ => n == 4,
            };
            c.expect(ok, || format!("{}: {n} entries: {page}", answer.request));
            if let Some(next) = page.get("next").and_then(Value::as_str) {
                let answer = c.follow(&c.alex, next).await;
                c.documented(DIFFSTAT, &answer, 200);
            }
        }
    }
    for (path, status) in [
        (format!("{REPO}/diffstat/nope..main"), 404),
        (format!("{REPO}/diffstat/feature/x..nope"), 404),
        ("/repositories/acme-data/nope/diffstat/a..b".to_owned(), 404),
        (
            format!("{REPO}/diffstat/feature/x..main?topic=true&merge=true"),
            400,
        ),
        (
            format!("{REPO}/diffstat/feature/x..main?renames=maybe"),
            400,
        ),
    ] {
        let answer = c.get(Some(&c.alex), &path).await;
        c.undocumented(DIFFSTAT, &answer, status);
    }

    // The raw diff.
    let answer = c
        .get(Some(&c.alex), &format!("{REPO}/diff/feature/x..main"))
        .await;
    c.expect(
        answer.status == 200 && answer.content_type().starts_with("text/plain"),
        || {
            format!(
                "{} → {} {}",
                answer.request,
                answer.status,
                answer.content_type()
            )
        },
    );
    let text = answer.text();
    for expected in [
        "diff --git a/pipelines/new.orch.yaml b/pipelines/new.orch.yaml\nnew file mode 100644\n--- /dev/null\n+++ b/pipelines/new.orch.yaml\n@@ -0,0 +1,2 @@\n+a\n+b\n",
        "--- a/pipelines/main_4.py\n+++ /dev/null\n@@ -1 +0,0 @@\n",
        "rename from pipelines/orders-clean.tran.yaml\nrename to pipelines/orders.tran.yaml\n",
        "--- a/pipelines/nightly-load.orch.yaml\n+++ b/pipelines/nightly-load.orch.yaml\n@@ -1,",
    ] {
        c.expect(text.contains(expected), || format!("diff lacks {expected:?}:\n{text}"));
    }
    c.expect(!text.contains("README"), || {
        format!("three-dot diff shows main's change:\n{text}")
    });
    let one = c
        .get(
            Some(&c.alex),
            &format!("{REPO}/diff/feature/x..main?path=pipelines/new.orch.yaml&context=0"),
        )
        .await
        .text();
    c.expect(one.matches("diff --git").count() == 1, || {
        format!("path filter:\n{one}")
    });
    let same = c
        .get(Some(&c.alex), &format!("{REPO}/diff/main..main"))
        .await;
    c.expect(same.status == 200 && same.body.is_empty(), || {
        format!("empty diff: {} {}", same.status, same.text())
    });
    for (path, status) in [
        (format!("{REPO}/diff/nope..main"), 404),
        (format!("{REPO}/diff/main..main?context=x"), 400),
    ] {
        let answer = c.get(Some(&c.alex), &path).await;
        c.undocumented(DIFF, &answer, status);
    }

    // The merge base is main's tip from before it moved.
    let answer = c
        .get(Some(&c.alex), &format!("{REPO}/merge-base/feature/x..main"))
        .await;
    if let Some(commit) = c.documented(MERGE_BASE, &answer, 200) {
        c.expect(commit["hash"] == base.as_str(), || {
            format!("merge base {}", commit["hash"])
        });
    }
    for path in [
        format!("{REPO}/merge-base/feature/x..nope"),
        format!("{REPO}/merge-base/feature/x"),
        "/repositories/acme-data/nope/merge-base/a..b".to_owned(),
    ] {
        let answer = c.get(Some(&c.alex), &path).await;
        c.documented(MERGE_BASE, &answer, 404);
    }
    c.finish().await;
}

#[tokio::test]
async fn commits_include_and_exclude() {
    let c = Contract::start().await;
    let (tip, _) = feature_branch(&c).await;
    // `git log feature/x ^main`: the branch's two commits, newest first.
    for path in [
        format!("{REPO}/commits?include=feature/x&exclude=main"),
        format!("{REPO}/commits/feature/x?exclude=main"),
        format!("{REPO}/commits/{tip}?exclude=main&pagelen=1"),
    ] {
        let op = if path.contains("commits?") {
            ALL
        } else {
            HISTORY
        };
        let answer = c.get(Some(&c.alex), &path).await;
        if let Some(page) = c.documented(op, &answer, 200) {
            c.expect(
                page["size"] == 2 && values(&page)[0]["hash"] == tip.as_str(),
                || format!("{}: {page}", answer.request),
            );
        }
    }
    // `git log --all ^main`: what no branch but main has… the feature's and develop's.
    let answer = c
        .get(Some(&c.alex), &format!("{REPO}/commits?exclude=main"))
        .await;
    if let Some(page) = c.documented(ALL, &answer, 200) {
        c.expect(page["size"] == 3, || format!("{}: {page}", answer.request));
    }
    // Behind: main's own commit since the branch forked.
    let answer = c
        .get(
            Some(&c.alex),
            &format!("{REPO}/commits/main?exclude=feature/x"),
        )
        .await;
    if let Some(page) = c.documented(HISTORY, &answer, 200) {
        c.expect(page["size"] == 1, || format!("{}: {page}", answer.request));
    }
    for path in [
        format!("{REPO}/commits?exclude=nope"),
        format!("{REPO}/commits/main?include=nope"),
    ] {
        let op = if path.contains("commits?") {
            ALL
        } else {
            HISTORY
        };
        let answer = c.get(Some(&c.alex), &path).await;
        c.documented(op, &answer, 404);
    }
    c.finish().await;
}
