//! `GET …/commits/{revision}` (`paginated_changeset`, as the studio asks for
//! a file's last commit) and `GET …/commit/{commit}` (`commit`).

use crate::common::*;

const HISTORY: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/commits/{revision}",
);
const ALL: Op = op("get", "/repositories/{workspace}/{repo_slug}/commits");
const COMMIT: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/commit/{commit}",
);
const BRANCH: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/refs/branches/{name}",
);

const REPO: &str = "/repositories/acme-data/warehouse-pipelines";

#[tokio::test]
async fn history_and_single_commits() {
    let c = Contract::start().await;
    let answer = c
        .get(Some(&c.alex), &format!("{REPO}/refs/branches/main"))
        .await;
    let Some(tip) = c
        .documented(BRANCH, &answer, 200)
        .and_then(|b| b["target"]["hash"].as_str().map(str::to_owned))
    else {
        c.finish().await;
        return;
    };

    // The studio's "last commit of a file": commits/{hash}?path=…&pagelen=1.
    let answer = c
        .get(
            Some(&c.alex),
            &format!(
                "{REPO}/commits/{tip}?path={}&pagelen=1",
                enc("pipelines/nightly-load.orch.yaml")
            ),
        )
        .await;
    if let Some(page) = c.documented(HISTORY, &answer, 200) {
        c.expect(values(&page).len() == 1, || {
            format!("{}: {} commits", answer.request, values(&page).len())
        });
    }
    // Whole history from a hash and from a branch name, two pages.
    for revision in [tip.as_str(), "main", &tip[..7]] {
        let answer = c
            .get(
                Some(&c.alex),
                &format!("{REPO}/commits/{revision}?pagelen=2"),
            )
            .await;
        if let Some(first) = c.documented(HISTORY, &answer, 200) {
            if let Some(next) = c.next_of(&answer, &first) {
                let answer = c.follow(&c.alex, &next).await;
                c.documented(HISTORY, &answer, 200);
            }
        }
    }
    let answer = c.get(Some(&c.alex), &format!("{REPO}/commits")).await;
    c.documented(ALL, &answer, 200);

    for hash in [tip.as_str(), &tip[..7]] {
        let answer = c.get(Some(&c.alex), &format!("{REPO}/commit/{hash}")).await;
        if let Some(commit) = c.documented(COMMIT, &answer, 200) {
            c.expect(commit["hash"] == tip.as_str(), || {
                format!("{}: hash {}", answer.request, commit["hash"])
            });
        }
    }
    // A commit with parents and an author linked to an account, and one
    // whose author is a bare `Name <email>` (bigco's generated ones).
    let bigco = c.token("bigco").await;
    let answer = c
        .get(
            Some(&bigco),
            "/repositories/bigco-03/repo-0001/commits/main",
        )
        .await;
    c.documented(HISTORY, &answer, 200);

    for path in [
        format!("{REPO}/commits/0000000000"),
        format!("{REPO}/commits/no-such-branch"),
        "/repositories/acme-data/no-such-repo/commits/main".to_owned(),
    ] {
        let answer = c.get(Some(&c.alex), &path).await;
        c.documented(HISTORY, &answer, 404);
    }
    for path in [
        format!("{REPO}/commit/0000000000"),
        format!("{REPO}/commit/main"),
    ] {
        let answer = c.get(Some(&c.alex), &path).await;
        c.documented(COMMIT, &answer, 404);
    }
    c.finish().await;
}
