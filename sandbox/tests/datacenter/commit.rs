//! Saving a file: `PUT …/browse/{path}` creates, updates, refuses stale and pointless
//! edits, and guards its limits; a colleague's commit (`commit_elsewhere`) makes a stale
//! save fail.

use serde_json::Value;

use crate::common::*;

const EDIT: Op = op(
    "PUT",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}",
);
const BRANCHES: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches",
);
const BRANCHES_DEFAULT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches/default",
);
const YAML: &str = "pipelines/orders.orch.yaml";

async fn put(dc: &Dc, token: &str, repo: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    dc.send(
        Some(token),
        http()
            .put(format!(
                "{}/api/latest/projects/DATA/repos/{repo}/browse/{path}",
                dc.rest()
            ))
            .multipart(edit_form(fields)),
    )
    .await
}

/// The id of the newest commit touching `path` on main (what an editor opened the file at).
async fn last_commit(dc: &Dc, path: &str) -> String {
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("/api/latest/projects/DATA/repos/pipelines/commits?path={path}&limit=1"),
        )
        .await;
    values(&a.json().unwrap())[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn exception(body: &Value) -> &str {
    body["errors"][0]["exceptionName"].as_str().unwrap_or("")
}

#[tokio::test]
async fn creating_and_updating_a_file_commits_exactly_that_file() {
    let dc = Dc::start().await;
    let path = "pipelines/daily.orch.yaml";
    let tip = last_commit(&dc, "README.md").await;
    let before_tip = last_commit(&dc, YAML).await;
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        path,
        &[
            ("content", "type: \"orchestration\"\n"),
            ("branch", "main"),
            ("message", "Add daily"),
        ],
    )
    .await;
    let created = dc.documented(EDIT, &a, 200).unwrap();
    assert_eq!(a.header("x-ausername"), Some("alex"));
    assert_eq!(created["message"], "Add daily");
    assert_eq!(created["author"]["name"], "Alex Rivera");
    assert_eq!(created["author"]["emailAddress"], "alex@example.com");
    assert_eq!(created["parents"][0]["id"], before_tip.as_str());
    assert_ne!(created["id"], tip.as_str());
    assert_eq!(
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", path)
            .as_deref(),
        Some("type: \"orchestration\"\n")
    );
    // The other files are untouched, and the new commit changed only this one.
    assert!(dc
        .rs
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", YAML)
        .is_some());
    assert_eq!(last_commit(&dc, "README.md").await, tip);

    let source = created["id"].as_str().unwrap().to_owned();
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        path,
        &[
            ("content", "v2\n"),
            ("branch", "refs/heads/main"),
            ("sourceCommitId", &source),
        ],
    )
    .await;
    let updated = dc.documented(EDIT, &a, 200).unwrap();
    assert_eq!(updated["parents"][0]["id"], source.as_str());
    assert_eq!(
        updated["message"],
        format!("{path} edited online with Bitbucket")
    );
    assert_eq!(
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", path)
            .as_deref(),
        Some("v2\n")
    );
    dc.finish().await;
}

#[tokio::test]
async fn conflicts_are_409() {
    let dc = Dc::start().await;
    let source = last_commit(&dc, YAML).await;
    // Creating a file that exists.
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        YAML,
        &[("content", "x"), ("branch", "main")],
    )
    .await;
    assert_eq!(
        exception(&dc.documented(EDIT, &a, 409).unwrap()),
        "com.atlassian.bitbucket.content.FileAlreadyExistsException"
    );
    // Content identical to the file's.
    let same = dc
        .rs
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", YAML)
        .unwrap();
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        YAML,
        &[
            ("content", &same),
            ("branch", "main"),
            ("sourceCommitId", &source),
        ],
    )
    .await;
    assert_eq!(
        exception(&dc.documented(EDIT, &a, 409).unwrap()),
        "com.atlassian.bitbucket.content.EditFileNoChangeException"
    );
    // A directory where the file would go.
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "pipelines",
        &[
            ("content", "x"),
            ("branch", "main"),
            ("sourceCommitId", &source),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 409);
    // An archived repository.
    let a = put(
        &dc,
        &dc.alex,
        "legacy-etl",
        "README.md",
        &[("content", "x"), ("branch", "main")],
    )
    .await;
    assert_eq!(
        exception(&dc.documented(EDIT, &a, 409).unwrap()),
        "com.atlassian.bitbucket.repository.ArchivedRepositoryException"
    );

    // A colleague changes another file: the editor's sourceCommitId is older than the tip,
    // but this file has not changed since, so the save goes through.
    dc.rs
        .sandbox
        .commit_elsewhere(
            "DATA",
            "pipelines",
            "main",
            "README.md",
            Some("# changed\n"),
        )
        .unwrap();
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        YAML,
        &[
            ("content", "mine 1\n"),
            ("branch", "main"),
            ("sourceCommitId", &source),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 200);
    // Then the colleague changes this very file: a save from the old commit is refused and
    // the colleague's text stays.
    let mine = last_commit(&dc, YAML).await;
    let theirs = dc
        .rs
        .sandbox
        .commit_elsewhere("DATA", "pipelines", "main", YAML, Some("theirs\n"))
        .unwrap();
    assert_eq!(theirs.len(), 40);
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        YAML,
        &[
            ("content", "mine 2\n"),
            ("branch", "main"),
            ("sourceCommitId", &mine),
        ],
    )
    .await;
    assert_eq!(
        exception(&dc.documented(EDIT, &a, 409).unwrap()),
        "com.atlassian.bitbucket.content.FileContentConflictException"
    );
    assert_eq!(
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", YAML)
            .as_deref(),
        Some("theirs\n")
    );
    // Saving from the colleague's commit works.
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        YAML,
        &[
            ("content", "mine 2\n"),
            ("branch", "main"),
            ("sourceCommitId", &theirs),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 200);
    // A colleague deletes it: a save from before the deletion is refused.
    let before = last_commit(&dc, YAML).await;
    dc.rs
        .sandbox
        .commit_elsewhere("DATA", "pipelines", "main", YAML, None)
        .unwrap();
    assert!(dc
        .rs
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", YAML)
        .is_none());
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        YAML,
        &[
            ("content", "again\n"),
            ("branch", "main"),
            ("sourceCommitId", &before),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 409);
    // commit_elsewhere refuses what it cannot do.
    assert!(dc
        .rs
        .sandbox
        .commit_elsewhere("DATA", "pipelines", "nope", YAML, Some("x"))
        .is_err());
    assert!(dc
        .rs
        .sandbox
        .commit_elsewhere("DATA", "pipelines", "main", YAML, None)
        .is_err());
    assert!(dc
        .rs
        .sandbox
        .commit_elsewhere("DATA", "pipelines", "main", "../x", Some("x"))
        .is_err());
    dc.finish().await;
}

#[tokio::test]
async fn permissions_fields_and_branches_are_checked() {
    let dc = Dc::start().await;
    let ok = [("content", "x\n"), ("branch", "main")];
    let sam = dc.token("sam", "REPO_WRITE").await;
    let a = put(&dc, &sam, "pipelines", "new.txt", &ok).await;
    assert_eq!(
        exception(&dc.documented(EDIT, &a, 401).unwrap()),
        "com.atlassian.bitbucket.AuthorisationException"
    );
    let reader = dc.token("alex", "REPO_READ").await;
    let a = put(&dc, &reader, "pipelines", "new.txt", &ok).await;
    dc.documented(EDIT, &a, 401);
    let nora = dc.token("nora", "REPO_WRITE").await;
    let a = put(&dc, &nora, "pipelines", "new.txt", &ok).await;
    dc.documented(EDIT, &a, 404);
    let a = put(&dc, &dc.alex, "nope", "new.txt", &ok).await;
    dc.documented(EDIT, &a, 404);

    let a = put(&dc, &dc.alex, "pipelines", "new.txt", &[("branch", "main")]).await;
    assert_eq!(
        dc.documented(EDIT, &a, 400).unwrap()["errors"][0]["context"],
        "content"
    );
    let a = put(&dc, &dc.alex, "pipelines", "new.txt", &[("content", "x")]).await;
    assert_eq!(
        dc.documented(EDIT, &a, 400).unwrap()["errors"][0]["context"],
        "branch"
    );
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "new.txt",
        &[("content", "x"), ("branch", "main"), ("branch", "main")],
    )
    .await;
    dc.documented(EDIT, &a, 400);
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "new.txt",
        &[
            ("content", "x"),
            ("branch", "main"),
            ("sourceCommitId", "0123456789"),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 400);
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "new.txt",
        &[("content", "x"), ("branch", "nope")],
    )
    .await;
    dc.documented(EDIT, &a, 404);
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "new.txt",
        &[
            ("content", "x"),
            ("branch", "new"),
            ("sourceBranch", "nope"),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 404);

    // sourceBranch starts a new branch; main is left alone.
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "new.txt",
        &[
            ("content", "x\n"),
            ("branch", "feature/save"),
            ("sourceBranch", "main"),
        ],
    )
    .await;
    dc.documented(EDIT, &a, 200);
    assert_eq!(
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "feature/save", "new.txt")
            .as_deref(),
        Some("x\n")
    );
    assert!(dc
        .rs
        .sandbox
        .file_on_branch("DATA", "pipelines", "main", "new.txt")
        .is_none());
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/pipelines/branches?filterText=save",
        )
        .await;
    assert_eq!(dc.documented(BRANCHES, &a, 200).unwrap()["size"], 1);

    // An empty repository takes its first file on the branch named.
    let a = put(
        &dc,
        &dc.alex,
        "empty-repo",
        "README.md",
        &[("content", "# hello\n"), ("branch", "main")],
    )
    .await;
    let first = dc.documented(EDIT, &a, 200).unwrap();
    assert_eq!(first["parents"], serde_json::json!([]));
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/empty-repo/branches/default",
        )
        .await;
    assert_eq!(
        dc.documented(BRANCHES_DEFAULT, &a, 200).unwrap()["latestCommit"],
        first["id"]
    );
    dc.finish().await;
}

#[tokio::test]
async fn the_body_and_the_path_are_bounded() {
    let dc = Dc::start().await;
    let big = "x".repeat(10 * 1024 * 1024 + 1);
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "big.txt",
        &[("content", &big), ("branch", "main")],
    )
    .await;
    dc.undocumented(EDIT, &a, 413);
    let exactly = "x".repeat(10 * 1024 * 1024);
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        "big.txt",
        &[("content", &exactly), ("branch", "main")],
    )
    .await;
    dc.documented(EDIT, &a, 200);
    let many: Vec<(String, String)> = (0..20).map(|i| (format!("f{i}"), "v".to_owned())).collect();
    let mut fields: Vec<(&str, &str)> =
        many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    fields.extend([("content", "x"), ("branch", "main")]);
    let a = put(&dc, &dc.alex, "pipelines", "many.txt", &fields).await;
    dc.documented(EDIT, &a, 400);
    let long = format!("{}/x.txt", "d".repeat(1100));
    let a = put(
        &dc,
        &dc.alex,
        "pipelines",
        &long,
        &[("content", "x"), ("branch", "main")],
    )
    .await;
    dc.documented(EDIT, &a, 400);
    let a = dc
        .send(
            Some(&dc.alex),
            http()
                .put(format!(
                    "{}/api/latest/projects/DATA/repos/pipelines/browse/x.txt",
                    dc.rest()
                ))
                .json(&serde_json::json!({"content": "x", "branch": "main"})),
        )
        .await;
    dc.undocumented(EDIT, &a, 415);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("/api/latest/repos?name={}", "n".repeat(9000)),
        )
        .await;
    dc.undocumented(op("GET", "/api/latest/repos"), &a, 414);
    dc.finish().await;
}
