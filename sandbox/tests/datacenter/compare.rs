//! Comparing a branch with `main`: `GET …/compare/changes`, `…/compare/commits`,
//! `…/compare/diff{path}`, `GET …/branches?details=true`, the merge control and the
//! create-pull-request page, on `DATA/pipelines`: `main` is merged into
//! `feature/orders-v2` (the control API), which then modifies the orders pipeline, adds a
//! pipeline and moves the README, while `main` gains a file.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;
use crate::support::{assert_pull_request_page, control, with_fields};

const CHANGES: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/compare/changes",
);
const COMMITS: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/compare/commits",
);
const DIFF: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/compare/diff{path}",
);
const BRANCHES: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches",
);

const REPO: &str = "/api/latest/projects/DATA/repos/pipelines";
const FEATURE: &str = "feature/orders-v2";
const ORDERS: &str = "pipelines/orders.orch.yaml";

async fn merge(dc: &Dc, body: Value) -> (StatusCode, Value) {
    let body = with_fields(
        json!({ "project": "DATA", "repository": "pipelines" }),
        body,
    );
    control(&dc.rs.url, "merge", &body).await
}

fn commit(dc: &Dc, branch: &str, path: &str, content: Option<&str>) -> String {
    dc.rs
        .sandbox
        .commit_elsewhere("DATA", "pipelines", branch, path, content)
        .unwrap()
}

/// The scenario of the module docs; answers main's tip before it moved on.
async fn diverged(dc: &Dc) -> String {
    let (status, body) = merge(dc, json!({ "branch": "main", "into": FEATURE })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let main = dc
        .rs
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", "README.md")
        .unwrap();
    commit(
        dc,
        FEATURE,
        ORDERS,
        Some("type: \"orchestration\"\nversion: \"2.0\"\n"),
    );
    commit(dc, FEATURE, "pipelines/new.orch.yaml", Some("a\nb\n"));
    commit(dc, FEATURE, "docs/README.md", Some(&main));
    commit(dc, FEATURE, "README.md", None);
    let tip = tip_of(dc, "main").await;
    commit(dc, "main", "notes.txt", Some("notes\n"));
    tip
}

async fn tip_of(dc: &Dc, branch: &str) -> String {
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/branches?filterText={}", enc(branch)),
        )
        .await;
    let page = a.json().unwrap();
    values(&page)
        .iter()
        .find(|b| b["displayId"] == branch)
        .and_then(|b| b["latestCommit"].as_str())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn changes_commits_and_diff_against_main() {
    let dc = Dc::start().await;
    diverged(&dc).await;
    let from = format!("from={}&to=main", enc(FEATURE));

    let a = dc
        .get(Some(&dc.alex), &format!("{REPO}/compare/changes?{from}"))
        .await;
    let page = dc.documented(CHANGES, &a, 200).unwrap();
    let listed: Vec<(String, String)> = values(&page)
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().to_owned(),
                c["path"]["toString"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("MOVE", "docs/README.md"),
        ("ADD", "pipelines/new.orch.yaml"),
        ("MODIFY", ORDERS),
    ];
    assert_eq!(
        listed,
        expected.map(|(t, p)| (t.to_owned(), p.to_owned())),
        "{page}"
    );
    let moved = &values(&page)[0];
    assert_eq!(moved["srcPath"]["toString"], "README.md");
    assert_eq!(moved["path"]["components"], json!(["docs", "README.md"]));
    assert_eq!(moved["path"]["parent"], "docs");
    assert_eq!(moved["path"]["name"], "README.md");
    assert_eq!(moved["path"]["extension"], "md");
    assert_eq!(moved["contentId"], moved["fromContentId"]);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/compare/changes?{from}&limit=2"),
        )
        .await;
    let page = dc.documented(CHANGES, &a, 200).unwrap();
    assert_eq!(
        (page["isLastPage"].clone(), page["nextPageStart"].clone()),
        (json!(false), json!(2))
    );

    // Commits on the branch and not on main: the merge commit and four file commits; the
    // other way, main's one.
    for (query, size) in [
        (from.clone(), 5),
        (format!("from=main&to={}", enc(FEATURE)), 1),
        (format!("{from}&limit=1000"), 5),
        (format!("to={}", enc(FEATURE)), 1),
    ] {
        let a = dc
            .get(Some(&dc.alex), &format!("{REPO}/compare/commits?{query}"))
            .await;
        let page = dc.documented(COMMITS, &a, 200).unwrap();
        assert_eq!(values(&page).len(), size, "{query}: {page}");
        assert_eq!(page["isLastPage"], true);
    }
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/compare/commits?{from}&limit=2&start=2"),
        )
        .await;
    let page = dc.documented(COMMITS, &a, 200).unwrap();
    assert_eq!(
        (page["size"].clone(), page["nextPageStart"].clone()),
        (json!(2), json!(4))
    );

    // The diff: every file, or one path.
    let a = dc
        .get(Some(&dc.alex), &format!("{REPO}/compare/diff?{from}"))
        .await;
    let body = dc.documented(DIFF, &a, 200).unwrap();
    let diffs = body["diffs"].as_array().unwrap();
    assert_eq!(diffs.len(), 3, "{body}");
    for d in diffs {
        dc.against(&a, "RestDiff", d);
    }
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/compare/diff/pipelines/new.orch.yaml?{from}&contextLines=0"),
        )
        .await;
    let body = dc.documented(DIFF, &a, 200).unwrap();
    assert_eq!(body["diffs"].as_array().unwrap().len(), 1, "{body}");
    let added = &body["diffs"][0];
    assert!(added.get("source").is_none());
    assert_eq!(added["destination"]["toString"], "pipelines/new.orch.yaml");
    let hunk = &added["hunks"][0];
    assert_eq!(
        [
            &hunk["sourceLine"],
            &hunk["sourceSpan"],
            &hunk["destinationLine"],
            &hunk["destinationSpan"]
        ],
        [&json!(0), &json!(0), &json!(1), &json!(2)]
    );
    assert_eq!(hunk["segments"][0]["type"], "ADDED");
    assert_eq!(hunk["segments"][0]["lines"][1]["line"], "b");
    assert_eq!(hunk["segments"][0]["lines"][1]["destination"], 2);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/compare/diff/{ORDERS}?{from}"),
        )
        .await;
    let body = dc.documented(DIFF, &a, 200).unwrap();
    let kinds: Vec<&str> = body["diffs"][0]["hunks"][0]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"REMOVED") && kinds.contains(&"ADDED"),
        "{body}"
    );

    // Unknown commits are the documented 404; a bad contextLines a 400.
    for path in [
        format!("{REPO}/compare/changes?from=nope&to=main"),
        format!("{REPO}/compare/commits?from=main&to=nope"),
        format!("{REPO}/compare/diff?from=nope"),
        "/api/latest/projects/DATA/repos/nope/compare/changes".to_owned(),
    ] {
        let a = dc.get(Some(&dc.alex), &path).await;
        let op = [(CHANGES, "changes"), (COMMITS, "commits"), (DIFF, "diff")]
            .into_iter()
            .find(|(_, name)| path.contains(&format!("compare/{name}")))
            .unwrap()
            .0;
        dc.documented(op, &a, 404);
    }
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/compare/diff?{from}&contextLines=x"),
        )
        .await;
    dc.undocumented(DIFF, &a, 400);
    dc.finish().await;
}

#[tokio::test]
async fn branch_details_count_ahead_and_behind() {
    let dc = Dc::start().await;
    diverged(&dc).await;
    let provider = "com.atlassian.bitbucket.server.bitbucket-branch:ahead-behind-metadata-provider";
    for (query, ahead, behind) in [
        ("details=true", 5, 1),
        ("details=true&base=refs/heads/main", 5, 1),
        (&format!("details=true&base={}", enc(FEATURE))[..], 0, 0),
    ] {
        let a = dc
            .get(Some(&dc.alex), &format!("{REPO}/branches?{query}"))
            .await;
        let page = dc.documented(BRANCHES, &a, 200).unwrap();
        let feature = &values(&page)[0];
        assert_eq!(feature["displayId"], FEATURE);
        assert_eq!(
            feature["metadata"][provider],
            json!({"ahead": ahead, "behind": behind}),
            "{query}"
        );
    }
    let a = dc
        .get(Some(&dc.alex), &format!("{REPO}/branches?limit=1"))
        .await;
    let page = dc.documented(BRANCHES, &a, 200).unwrap();
    assert!(values(&page)[0].get("metadata").is_none());
    assert_eq!(
        (page["isLastPage"].clone(), page["nextPageStart"].clone()),
        (json!(false), json!(1))
    );
    dc.finish().await;
}

#[tokio::test]
async fn merging_makes_a_merge_commit() {
    let dc = Dc::start().await;
    let main_before = diverged(&dc).await;
    let main_now = tip_of(&dc, "main").await;
    assert_ne!(main_before, main_now);
    let feature = tip_of(&dc, FEATURE).await;
    let (status, body) = merge(
        &dc,
        json!({ "branch": FEATURE, "into": "main", "delete_branch": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["commit"].as_str().unwrap().to_owned();
    assert_eq!(tip_of(&dc, "main").await, id);
    let a = dc
        .get(Some(&dc.alex), &format!("{REPO}/commits/{id}"))
        .await;
    let merged = a.json().unwrap();
    let parents: Vec<&str> = merged["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(parents, [main_now.as_str(), feature.as_str()]);
    assert_eq!(
        merged["message"],
        format!("Merge branch '{FEATURE}' into main")
    );
    let file = |path: &str| {
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", path)
    };
    assert_eq!(file("pipelines/new.orch.yaml").as_deref(), Some("a\nb\n"));
    assert_eq!(file("notes.txt").as_deref(), Some("notes\n"));
    assert!(file("README.md").is_none() && file("docs/README.md").is_some());
    // The branch is gone ("delete_branch"), and its tip is 0 ahead and 1 behind main.
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{REPO}/branches?filterText=feature"),
        )
        .await;
    assert!(values(&a.json().unwrap()).is_empty());
    for (from, to, size) in [(&feature, "main", 0), (&"main".to_owned(), &feature[..], 2)] {
        let a = dc
            .get(
                Some(&dc.alex),
                &format!("{REPO}/compare/commits?from={from}&to={to}"),
            )
            .await;
        assert_eq!(values(&a.json().unwrap()).len(), size, "{from}..{to}");
    }

    // A conflict changes nothing; unknowns are 404s; a branch into itself a 400.
    let push = |path: &str, content: &str, branch: &str| {
        dc.rs
            .sandbox
            .commit_elsewhere("DATA", "pipelines", branch, path, Some(content))
            .unwrap()
    };
    let a = dc
        .send(
            Some(&dc.alex),
            http()
                .post(format!(
                    "{}{}",
                    dc.rs.sandbox.rest_url(),
                    "/branch-utils/latest/projects/DATA/repos/pipelines/branches"
                ))
                .json(&json!({"name": "clash", "startPoint": "main"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    push(ORDERS, "theirs\n", "clash");
    let main = push(ORDERS, "ours\n", "main");
    let (status, body) = merge(&dc, json!({ "branch": "clash" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(
        body,
        json!({ "ok": false, "error": body["error"], "paths": [ORDERS] })
    );
    assert_eq!(tip_of(&dc, "main").await, main);
    for (body, expected) in [
        (json!({ "branch": "nope" }), StatusCode::NOT_FOUND),
        (
            json!({ "branch": "clash", "into": "nope" }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "branch": "clash", "repository": "nope" }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "branch": "main", "into": "main" }),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({ "branch": "main", "into": "clash", "delete_branch": true }),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (status, answer) = merge(&dc, body.clone()).await;
        assert_eq!(status, expected, "{body} → {answer}");
        assert_eq!(answer["ok"], false);
    }
    dc.finish().await;
}

#[tokio::test]
async fn the_create_pull_request_page() {
    let dc = Dc::start().await;
    let page = |path: &str| http().get(format!("{}{path}", dc.rs.url)).send();
    let r = page("/projects/DATA/repos/pipelines/pull-requests?create&sourceBranch=refs/heads/feature/orders-v2&targetBranch=refs/heads/main")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_pull_request_page(
        &html,
        "Create a pull request",
        "DATA/pipelines",
        "feature/orders-v2",
        "main",
    );
    // Escaped; the target defaults to the default branch; keys and slugs in any case.
    let html = page(
        "/projects/data/repos/PIPELINES/pull-requests?create&sourceBranch=refs/heads/%3Cb%3Ex%26y",
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        html.contains(r#"value="&lt;b&gt;x&amp;y""#) && !html.contains("<b>x"),
        "{html}"
    );
    assert!(html.contains(r#"name="destination" value="main""#));
    for path in [
        "/projects/DATA/repos/nope/pull-requests?create&sourceBranch=refs/heads/x",
        "/projects/NOPE/repos/pipelines/pull-requests?create",
        "/projects/DATA/repos/pipelines/pull-requests",
    ] {
        let r = page(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    dc.finish().await;
}
