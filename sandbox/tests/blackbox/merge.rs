//! `POST /_control/merge` (a pull request merged on bitbucket.org) and the page the
//! studio's "Open a pull request" link lands on.

use reqwest::StatusCode;
use sandbox::RunningSandbox;
use serde_json::{json, Value};

use crate::common::*;
use crate::support::{assert_pull_request_page, control, with_fields};

const REPO: &str = "/repositories/alex-rivera/sandbox-pipelines";

/// How a control body names `alex-rivera/sandbox-pipelines` and `alex`.
fn repository() -> Value {
    json!({ "nickname": "alex", "workspace": "alex-rivera", "repository": "sandbox-pipelines" })
}

async fn push(rs: &RunningSandbox, branch: &str, files: Value) -> String {
    let body = with_fields(repository(), json!({ "branch": branch, "files": files }));
    let (status, body) = control(&rs.url, "commit", &body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["hash"].as_str().unwrap().to_owned()
}

async fn merge(rs: &RunningSandbox, body: Value) -> (StatusCode, Value) {
    control(&rs.url, "merge", &with_fields(repository(), body)).await
}

async fn tip(rs: &RunningSandbox, token: &str, branch: &str) -> (StatusCode, Value) {
    api_json(rs, token, &format!("{REPO}/refs/branches/{branch}")).await
}

/// `git rev-list --count a ^b`, through `commits/{a}?exclude={b}`.
async fn only_in(rs: &RunningSandbox, token: &str, a: &str, b: &str) -> u64 {
    let (status, page) = api_json(rs, token, &format!("{REPO}/commits/{a}?exclude={b}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["size"].as_u64().unwrap()
}

#[tokio::test]
async fn merging_makes_a_merge_commit_and_can_close_the_branch() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let feature = push(&rs, "feature/x", json!({ "new.orch.yaml": "a\n" })).await;
    let before = push(&rs, "main", json!({ "README.md": "# moved on\n" })).await;
    assert_eq!(only_in(&rs, &t.access, "feature/x", "main").await, 1);

    let (status, body) = merge(&rs, json!({ "branch": "feature/x", "into": "main" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ok"], true);
    let (_, main) = tip(&rs, &t.access, "main").await;
    assert_eq!(main["target"]["hash"], body["hash"]);
    let parents: Vec<&str> = main["target"]["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["hash"].as_str().unwrap())
        .collect();
    assert_eq!(parents, vec![before.as_str(), feature.as_str()]);
    assert_eq!(
        main["target"]["message"],
        "Merge branch 'feature/x' into main"
    );
    assert_eq!(main["target"]["author"]["user"]["nickname"], "alex");
    // Both sides' changes are on main; the branch is 0 ahead and 2 behind (main's own
    // commit and the merge commit).
    for (path, content) in [("new.orch.yaml", "a\n"), ("README.md", "# moved on\n")] {
        let r = api(&rs, &t.access, &format!("{REPO}/src/main/{path}")).await;
        assert_eq!(r.text().await.unwrap(), content);
    }
    assert_eq!(only_in(&rs, &t.access, "feature/x", "main").await, 0);
    assert_eq!(only_in(&rs, &t.access, "main", "feature/x").await, 2);
    let (status, _) = tip(&rs, &t.access, "feature/x").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the branch stays without delete_branch"
    );

    // Nothing left to merge.
    let (status, body) = merge(&rs, json!({ "branch": "feature/x" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Fast-forwardable still makes a merge commit; `delete_branch` closes the branch.
    let ff = push(&rs, "ff", json!({ "ff.txt": "ff\n" })).await;
    let (_, main) = tip(&rs, &t.access, "main").await;
    let main_before = main["target"]["hash"].as_str().unwrap().to_owned();
    let (status, body) = merge(&rs, json!({ "branch": "ff", "delete_branch": true })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, main) = tip(&rs, &t.access, "main").await;
    assert_ne!(main["target"]["hash"], json!(ff));
    assert_eq!(main["target"]["parents"].as_array().unwrap().len(), 2);
    assert_eq!(main["target"]["parents"][0]["hash"], json!(main_before));
    let (status, _) = tip(&rs, &t.access, "ff").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    rs.shutdown().await;
}

#[tokio::test]
async fn conflicts_and_unknowns_change_nothing() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    push(&rs, "clash", json!({ "hello.orch.yaml": "theirs\n" })).await;
    let main = push(&rs, "main", json!({ "hello.orch.yaml": "ours\n" })).await;
    let (status, body) = merge(&rs, json!({ "branch": "clash", "delete_branch": true })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["data"]["paths"], json!(["hello.orch.yaml"]));
    assert_eq!(
        tip(&rs, &t.access, "main").await.1["target"]["hash"],
        json!(main)
    );
    assert_eq!(tip(&rs, &t.access, "clash").await.0, StatusCode::OK);

    for (body, expected) in [
        (json!({ "branch": "nope" }), StatusCode::NOT_FOUND),
        (
            json!({ "branch": "clash", "into": "nope" }),
            StatusCode::NOT_FOUND,
        ),
        (json!({ "branch": "main" }), StatusCode::BAD_REQUEST),
        (
            json!({ "branch": "develop", "into": "clash", "delete_branch": false, "repository": "nope" }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "branch": "develop", "nickname": "sam" }),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, answer) = merge(&rs, body.clone()).await;
        assert_eq!(status, expected, "{body} → {answer}");
        assert_eq!(answer["type"], "error", "{answer}");
    }
    assert_eq!(
        tip(&rs, &t.access, "main").await.1["target"]["hash"],
        json!(main)
    );
    rs.shutdown().await;
}

#[tokio::test]
async fn the_create_pull_request_page() {
    let rs = start().await;
    let page = |query: &str| {
        http()
            .get(format!(
                "{}/alex-rivera/sandbox-pipelines/pull-requests/new?{query}",
                rs.url
            ))
            .send()
    };
    let r = page("source=feature%2Fx&dest=main&t=1").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert_pull_request_page(
        &html,
        "Create a pull request",
        "alex-rivera/sandbox-pipelines",
        "feature/x",
        "main",
    );
    // Everything from the link is escaped; `dest` defaults to the main branch.
    let html = page("source=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains(r#"name="destination" value="main""#));

    let r = http()
        .get(format!(
            "{}/alex-rivera/no-such-repo/pull-requests/new?source=a",
            rs.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("Repository not found"));
    rs.shutdown().await;
}
