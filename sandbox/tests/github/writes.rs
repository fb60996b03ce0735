//! Writes: a commit through the Git data API and a fast-forward ref update, a refused
//! non-fast-forward, a tree entry deleted with `sha: null`, the first commit of an empty
//! repository through the contents API, and a user without push refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use crate::common::*;

const REPO: &str = "/repos/acme-data/pipelines";

#[tokio::test]
async fn git_data_commits_fast_forward_and_refuse_the_rest() {
    let gh = Gh::start().await;
    let t = &gh.alex;
    let main = gh.get(t, &format!("{REPO}/git/ref/heads/main")).await;
    let tip = gh.check("GET", "/repos/{owner}/{repo}/git/ref/{ref}", &main, 200)["object"]["sha"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = gh.get(t, &format!("{REPO}/git/commits/{tip}")).await;
    let base_tree = gh.check(
        "GET",
        "/repos/{owner}/{repo}/git/commits/{commit_sha}",
        &c,
        200,
    )["tree"]["sha"]
        .as_str()
        .unwrap()
        .to_owned();
    let blob = gh
        .call(
            t,
            "POST",
            &format!("{REPO}/git/blobs"),
            json!({"content": "a: 1\n", "encoding": "utf-8"}),
        )
        .await;
    let blob = gh.check("POST", "/repos/{owner}/{repo}/git/blobs", &blob, 201)["sha"]
        .as_str()
        .unwrap()
        .to_owned();
    let tree = gh
        .call(
            t,
            "POST",
            &format!("{REPO}/git/trees"),
            json!({"base_tree": base_tree, "tree": [
                {"path": "pipelines/new.yaml", "mode": "100644", "type": "blob", "sha": blob},
                {"path": "README.md", "mode": "100644", "type": "blob", "sha": null},
            ]}),
        )
        .await;
    let tree = gh.check("POST", "/repos/{owner}/{repo}/git/trees", &tree, 201);
    let paths: Vec<&str> = tree["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["pipelines"], "README.md deleted by sha null");
    let commit = gh
        .call(
            t,
            "POST",
            &format!("{REPO}/git/commits"),
            json!({"message": "Add new", "tree": tree["sha"], "parents": [tip]}),
        )
        .await;
    let commit = gh.check("POST", "/repos/{owner}/{repo}/git/commits", &commit, 201)["sha"]
        .as_str()
        .unwrap()
        .to_owned();
    let ff = gh
        .call(
            t,
            "PATCH",
            &format!("{REPO}/git/refs/heads/main"),
            json!({"sha": commit}),
        )
        .await;
    gh.check("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", &ff, 200);
    assert!(gh
        .rs
        .sandbox
        .file_on_branch("acme-data", "pipelines", "main", "README.md")
        .is_none());
    let back = gh
        .call(
            t,
            "PATCH",
            &format!("{REPO}/git/refs/heads/main"),
            json!({"sha": tip, "force": false}),
        )
        .await;
    assert_eq!(
        gh.check("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", &back, 422)["message"],
        "Update is not a fast forward"
    );
    let branch = gh
        .call(
            t,
            "POST",
            &format!("{REPO}/git/refs"),
            json!({"ref": "refs/heads/topic", "sha": tip}),
        )
        .await;
    gh.check("POST", "/repos/{owner}/{repo}/git/refs", &branch, 201);
    let dup = gh
        .call(
            t,
            "POST",
            &format!("{REPO}/git/refs"),
            json!({"ref": "refs/heads/topic", "sha": tip}),
        )
        .await;
    assert_eq!(
        gh.check("POST", "/repos/{owner}/{repo}/git/refs", &dup, 422)["message"],
        "Reference already exists"
    );
    let bad = gh
        .call(
            t,
            "POST",
            &format!("{REPO}/git/refs"),
            json!({"ref": "refs/heads/other", "sha": "0".repeat(40)}),
        )
        .await;
    assert_eq!(
        gh.check("POST", "/repos/{owner}/{repo}/git/refs", &bad, 422)["message"],
        "Object does not exist"
    );
    let del = gh
        .call(
            t,
            "DELETE",
            &format!("{REPO}/git/refs/heads/topic"),
            json!({}),
        )
        .await;
    gh.check("DELETE", "/repos/{owner}/{repo}/git/refs/{ref}", &del, 204);
    let empty = gh
        .call(
            t,
            "POST",
            "/repos/acme-data/empty-repo/git/blobs",
            json!({"content": "x"}),
        )
        .await;
    gh.check("POST", "/repos/{owner}/{repo}/git/blobs", &empty, 409);
    gh.finish().await;
}

#[tokio::test]
async fn contents_put_makes_the_first_commit_and_checks_the_sha() {
    let gh = Gh::start().await;
    let t = &gh.alex;
    let path = "/repos/acme-data/empty-repo/contents/pipelines/a.yaml";
    let first = gh
        .call(
            t,
            "PUT",
            path,
            json!({"message": "First", "content": STANDARD.encode("a: 1\n")}),
        )
        .await;
    let first = gh.check("PUT", "/repos/{owner}/{repo}/contents/{path}", &first, 201);
    assert!(first["commit"]["parents"].as_array().unwrap().is_empty());
    let blob = first["content"]["sha"].as_str().unwrap().to_owned();
    let no_sha = gh
        .call(
            t,
            "PUT",
            path,
            json!({"message": "Again", "content": STANDARD.encode("a: 2\n")}),
        )
        .await;
    gh.check("PUT", "/repos/{owner}/{repo}/contents/{path}", &no_sha, 422);
    gh.rs
        .sandbox
        .commit_elsewhere(
            "acme-data",
            "empty-repo",
            "main",
            "pipelines/a.yaml",
            Some("a: 3\n"),
        )
        .unwrap();
    let stale = gh
        .call(
            t,
            "PUT",
            path,
            json!({"message": "Again", "content": STANDARD.encode("a: 2\n"), "sha": blob}),
        )
        .await;
    gh.check("PUT", "/repos/{owner}/{repo}/contents/{path}", &stale, 409);
    let f = gh.get(t, path).await;
    let current = gh.check("GET", "/repos/{owner}/{repo}/contents/{path}", &f, 200)["sha"]
        .as_str()
        .unwrap()
        .to_owned();
    let update = gh.call(t, "PUT", path, json!({"message": "Again", "content": STANDARD.encode("a: 2\n"), "sha": current, "branch": "main"})).await;
    gh.check("PUT", "/repos/{owner}/{repo}/contents/{path}", &update, 200);
    assert_eq!(
        gh.rs
            .sandbox
            .file_on_branch("acme-data", "empty-repo", "main", "pipelines/a.yaml")
            .unwrap(),
        b"a: 2\n"
    );
    let sam = tokens(&gh.rs, "sam").await.0;
    let refused = gh
        .call(
            &sam,
            "PUT",
            "/repos/acme-data/pipelines/contents/x.yaml",
            json!({"message": "x", "content": "eA=="}),
        )
        .await;
    gh.check(
        "PUT",
        "/repos/{owner}/{repo}/contents/{path}",
        &refused,
        403,
    );
    let runbooks = gh
        .call(
            t,
            "POST",
            "/repos/acme-data/runbooks/git/blobs",
            json!({"content": "x"}),
        )
        .await;
    assert_eq!(
        gh.check("POST", "/repos/{owner}/{repo}/git/blobs", &runbooks, 403)["message"],
        "Resource not accessible by integration"
    );
    gh.finish().await;
}
