//! Branches and comparing one with `main`: `GET …/branches` (`short-branch` items),
//! `GET …/compare/{basehead}` (`commit-comparison`), the merge control and the page that
//! opens a pull request, on `acme-data/pipelines`: `main` is merged into
//! `feature/orders-v2` (the control API), which then modifies the orders pipeline, adds a
//! pipeline and moves the README, while `main` gains a file.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::*;
use crate::support::{assert_pull_request_page, control, with_fields};

const BRANCHES: &str = "/repos/{owner}/{repo}/branches";
const COMPARE: &str = "/repos/{owner}/{repo}/compare/{basehead}";
const REPO: &str = "/repos/acme-data/pipelines";
const FEATURE: &str = "feature/orders-v2";
const ORDERS: &str = "pipelines/orders.orch.yaml";

async fn merge(gh: &Gh, body: Value) -> (StatusCode, Value) {
    let body = with_fields(json!({ "owner": "acme-data", "repo": "pipelines" }), body);
    control(&gh.rs.url, "merge", &body).await
}

fn commit(gh: &Gh, branch: &str, path: &str, content: Option<&str>) -> String {
    gh.rs
        .sandbox
        .commit_elsewhere("acme-data", "pipelines", branch, path, content)
        .unwrap()
}

async fn tip(gh: &Gh, branch: &str) -> Value {
    let a = gh.get(&gh.alex, &format!("{REPO}/branches/{branch}")).await;
    gh.check("GET", "/repos/{owner}/{repo}/branches/{branch}", &a, 200)["commit"].clone()
}

async fn sha_of(gh: &Gh, branch: &str) -> String {
    tip(gh, branch).await["sha"].as_str().unwrap().to_owned()
}

/// The scenario of the module docs; answers main's tip before it moved on.
async fn diverged(gh: &Gh) -> String {
    let (status, body) = merge(gh, json!({ "branch": "main", "into": FEATURE })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let readme = gh
        .rs
        .sandbox
        .file_on_branch("acme-data", "pipelines", "main", "README.md")
        .unwrap();
    commit(
        gh,
        FEATURE,
        ORDERS,
        Some("type: \"orchestration\"\nversion: \"2.0\"\n"),
    );
    commit(gh, FEATURE, "pipelines/new.orch.yaml", Some("a\nb\n"));
    commit(
        gh,
        FEATURE,
        "docs/README.md",
        Some(std::str::from_utf8(&readme).unwrap()),
    );
    commit(gh, FEATURE, "README.md", None);
    let before = sha_of(gh, "main").await;
    commit(gh, "main", "notes.txt", Some("notes\n"));
    before
}

#[tokio::test]
async fn branches_are_listed_by_page() {
    let gh = Gh::start().await;
    let a = gh.get(&gh.alex, &format!("{REPO}/branches")).await;
    let list = gh.check("GET", BRANCHES, &a, 200);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [FEATURE, "main"]);
    assert_eq!(list[1]["protected"], false);
    assert!(list[1]["commit"]["url"]
        .as_str()
        .unwrap()
        .ends_with(list[1]["commit"]["sha"].as_str().unwrap()));
    assert!(a.header("link").is_none());
    let a = gh
        .get(&gh.alex, &format!("{REPO}/branches?per_page=1"))
        .await;
    let list = gh.check("GET", BRANCHES, &a, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let link = a.header("link").unwrap_or_default().to_owned();
    assert!(link.contains("per_page=1&page=2>; rel=\"next\""), "{link}");
    let a = gh
        .get(&gh.alex, &format!("{REPO}/branches?per_page=1&page=2"))
        .await;
    assert_eq!(gh.check("GET", BRANCHES, &a, 200)[0]["name"], "main");
    let a = gh
        .get(&gh.alex, &format!("{REPO}/branches?protected=true"))
        .await;
    assert_eq!(gh.check("GET", BRANCHES, &a, 200), json!([]));
    let a = gh
        .get(&gh.alex, "/repos/acme-data/empty-repo/branches")
        .await;
    assert_eq!(gh.check("GET", BRANCHES, &a, 200), json!([]));
    let a = gh.get(&gh.alex, "/repos/acme-data/nope/branches").await;
    gh.check("GET", BRANCHES, &a, 404);
    gh.finish().await;
}

#[tokio::test]
async fn comparing_a_branch_with_main() {
    let gh = Gh::start().await;
    let before = diverged(&gh).await;
    let feature = sha_of(&gh, FEATURE).await;
    let a = gh
        .get(&gh.alex, &format!("{REPO}/compare/main...{FEATURE}"))
        .await;
    let cmp = gh.check("GET", COMPARE, &a, 200);
    assert_eq!(
        (
            &cmp["status"],
            &cmp["ahead_by"],
            &cmp["behind_by"],
            &cmp["total_commits"]
        ),
        (&json!("diverged"), &json!(5), &json!(1), &json!(5))
    );
    assert_eq!(cmp["merge_base_commit"]["sha"], before.as_str());
    assert_eq!(
        cmp["base_commit"]["sha"],
        sha_of(&gh, "main").await.as_str()
    );
    // Oldest first: the merge of main, then the four file commits, the newest last.
    let commits = cmp["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 5);
    assert_eq!(commits[0]["parents"].as_array().unwrap().len(), 2);
    assert_eq!(commits[4]["sha"], feature.as_str());
    let files: Vec<(&str, &str)> = cmp["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["status"].as_str().unwrap(),
                f["filename"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("renamed", "docs/README.md"),
            ("added", "pipelines/new.orch.yaml"),
            ("modified", ORDERS)
        ]
    );
    let [moved, added, modified] = [0, 1, 2].map(|i| &cmp["files"][i]);
    assert_eq!(moved["previous_filename"], "README.md");
    assert!(
        moved.get("patch").is_none(),
        "a rename without edits has no patch"
    );
    assert_eq!(
        (
            &added["additions"],
            &added["deletions"],
            &added["changes"],
            &added["patch"]
        ),
        (
            &json!(2),
            &json!(0),
            &json!(2),
            &json!("@@ -0,0 +1,2 @@\n+a\n+b")
        )
    );
    let patch = modified["patch"].as_str().unwrap();
    assert!(
        patch.starts_with("@@ -1,15 +1,2 @@\n type: \"orchestration\"\n-version: \"1.0\"\n"),
        "{patch}"
    );
    assert_eq!(modified["deletions"], 14);

    // Pages of commits (files on the first only), with a Link header.
    let a = gh
        .get(
            &gh.alex,
            &format!("{REPO}/compare/main...{FEATURE}?per_page=2"),
        )
        .await;
    let page = gh.check("GET", COMPARE, &a, 200);
    assert_eq!(page["commits"].as_array().unwrap().len(), 2);
    assert_eq!(page["files"].as_array().unwrap().len(), 3);
    assert!(a
        .header("link")
        .unwrap_or_default()
        .contains("rel=\"next\""));
    let a = gh
        .get(
            &gh.alex,
            &format!("{REPO}/compare/main...{FEATURE}?per_page=2&page=3"),
        )
        .await;
    let page = gh.check("GET", COMPARE, &a, 200);
    assert_eq!(page["commits"][0]["sha"], feature.as_str());
    assert_eq!(page["files"], json!([]));

    // Identical, ahead, behind; SHAs and `owner:` qualifiers.
    for (basehead, status, ahead, behind) in [
        ("main...main".to_owned(), "identical", 0, 0),
        (format!("{before}...main"), "ahead", 1, 0),
        (format!("main...{before}"), "behind", 0, 1),
        (
            format!("acme-data:main...acme-data:{FEATURE}"),
            "diverged",
            5,
            1,
        ),
    ] {
        let a = gh
            .get(&gh.alex, &format!("{REPO}/compare/{basehead}"))
            .await;
        let cmp = gh.check("GET", COMPARE, &a, 200);
        assert_eq!(
            (
                cmp["status"].as_str(),
                cmp["ahead_by"].as_u64(),
                cmp["behind_by"].as_u64()
            ),
            (Some(status), Some(ahead), Some(behind)),
            "{basehead}"
        );
    }
    for path in [
        format!("{REPO}/compare/main...nope"),
        format!("{REPO}/compare/nope...main"),
        format!("{REPO}/compare/main..{FEATURE}"),
        format!("{REPO}/compare/globex:main...{FEATURE}"),
        "/repos/acme-data/nope/compare/main...main".to_owned(),
        "/repos/acme-data/empty-repo/compare/main...main".to_owned(),
    ] {
        let a = gh.get(&gh.alex, &path).await;
        gh.check("GET", COMPARE, &a, 404);
    }
    gh.finish().await;
}

#[tokio::test]
async fn merging_makes_a_merge_commit() {
    let gh = Gh::start().await;
    diverged(&gh).await;
    let (main, feature) = (sha_of(&gh, "main").await, sha_of(&gh, FEATURE).await);
    let (status, body) = merge(&gh, json!({ "branch": FEATURE, "delete_branch": true })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let merged = tip(&gh, "main").await;
    assert_eq!(merged["sha"], body["sha"]);
    let parents: Vec<&str> = merged["parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sha"].as_str().unwrap())
        .collect();
    assert_eq!(parents, [main.as_str(), feature.as_str()]);
    assert_eq!(
        merged["commit"]["message"],
        format!("Merge branch '{FEATURE}' into main")
    );
    let file = |path: &str| {
        gh.rs
            .sandbox
            .file_on_branch("acme-data", "pipelines", "main", path)
    };
    assert_eq!(
        file("pipelines/new.orch.yaml").as_deref(),
        Some(&b"a\nb\n"[..])
    );
    assert_eq!(file("notes.txt").as_deref(), Some(&b"notes\n"[..]));
    // "Delete branch"; the old tip is now 0 ahead of main and 2 behind.
    let a = gh
        .get(&gh.alex, &format!("{REPO}/branches/{FEATURE}"))
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = gh
        .get(&gh.alex, &format!("{REPO}/compare/main...{feature}"))
        .await;
    let cmp = gh.check("GET", COMPARE, &a, 200);
    assert_eq!(
        (&cmp["status"], &cmp["ahead_by"], &cmp["behind_by"]),
        (&json!("behind"), &json!(0), &json!(2))
    );

    // A fast-forwardable branch still gets a merge commit; conflicts change nothing.
    let a = gh
        .call(
            &gh.alex,
            "POST",
            &format!("{REPO}/git/refs"),
            json!({"ref": "refs/heads/ff", "sha": body["sha"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    let ff = commit(&gh, "ff", "ff.txt", Some("ff\n"));
    let (status, body) = merge(&gh, json!({ "branch": "ff", "into": "main" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["sha"], ff.as_str());
    commit(&gh, "ff", ORDERS, Some("theirs\n"));
    let main = commit(&gh, "main", ORDERS, Some("ours\n"));
    let (status, body) = merge(&gh, json!({ "branch": "ff" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["paths"], json!([ORDERS]));
    assert_eq!(sha_of(&gh, "main").await, main);
    for (body, expected) in [
        (json!({ "branch": "nope" }), StatusCode::NOT_FOUND),
        (
            json!({ "branch": "ff", "into": "nope" }),
            StatusCode::NOT_FOUND,
        ),
        (
            json!({ "branch": "ff", "repo": "nope" }),
            StatusCode::NOT_FOUND,
        ),
        (json!({ "branch": "main" }), StatusCode::BAD_REQUEST),
    ] {
        let (status, answer) = merge(&gh, body.clone()).await;
        assert_eq!(status, expected, "{body} → {answer}");
        assert_eq!(answer["ok"], false);
    }
    gh.finish().await;
}

#[tokio::test]
async fn the_open_a_pull_request_page() {
    let gh = Gh::start().await;
    let page = |path: &str| http().get(format!("{}{path}", gh.rs.url)).send();
    let r = page(&format!(
        "/acme-data/pipelines/compare/main...{FEATURE}?expand=1"
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_pull_request_page(
        &html,
        "Open a pull request",
        "acme-data/pipelines",
        "feature/orders-v2",
        "main",
    );
    let html = page("/Acme-Data/Pipelines/compare/main...%22%3E%3Cb%3Ex?expand=1")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"value="&quot;&gt;&lt;b&gt;x""#) && !html.contains("<b>x"),
        "{html}"
    );
    for path in [
        "/acme-data/nope/compare/main...x?expand=1",
        "/acme-data/pipelines/compare/main",
    ] {
        let r = page(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    gh.finish().await;
}
