//! Branches: listing, both create calls, delete, and the default-branch reads.

use serde_json::{json, Value};

use crate::common::*;

const LIST: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches",
);
const CREATE: Op = op(
    "POST",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches",
);
const UTILS: &str = "/branch-utils/latest/projects/{projectKey}/repos/{repositorySlug}/branches";
const CREATE_UTILS: Op = op("POST", UTILS);
const DELETE_UTILS: Op = op("DELETE", UTILS);
const DEFAULT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/default-branch",
);
const BRANCHES_DEFAULT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/branches/default",
);

fn ids(page: &Value) -> Vec<String> {
    values(page)
        .iter()
        .map(|b| b["displayId"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test]
async fn branches_are_listed_filtered_and_flag_the_default() {
    let dc = Dc::start().await;
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/pipelines/branches?details=true",
        )
        .await;
    let page = dc.documented(LIST, &a, 200).unwrap();
    assert_eq!(ids(&page), ["feature/orders-v2", "main"]);
    let main = &values(&page)[1];
    assert_eq!(main["id"], "refs/heads/main");
    assert_eq!(main["default"], true);
    assert_eq!(main["type"], "BRANCH");
    assert_eq!(main["latestCommit"].as_str().unwrap().len(), 40);
    assert_eq!(main["latestCommit"], main["latestChangeset"]);
    assert_eq!(values(&page)[0]["default"], false);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/pipelines/branches?filterText=MAI",
        )
        .await;
    assert_eq!(ids(&dc.documented(LIST, &a, 200).unwrap()), ["main"]);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/pipelines/branches?limit=1",
        )
        .await;
    let page = dc.documented(LIST, &a, 200).unwrap();
    assert_eq!(
        (page["size"].as_u64(), page["nextPageStart"].as_u64()),
        (Some(1), Some(1))
    );
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/empty-repo/branches",
        )
        .await;
    assert_eq!(dc.documented(LIST, &a, 200).unwrap()["size"], 0);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/nope/branches",
        )
        .await;
    dc.documented(LIST, &a, 404);
    let a = dc
        .get(None, "/api/latest/projects/DATA/repos/pipelines/branches")
        .await;
    dc.documented(LIST, &a, 401);
    dc.finish().await;
}

#[tokio::test]
async fn default_branches_configured_and_existing() {
    let dc = Dc::start().await;
    let get = |repo: &'static str, tail: &'static str| {
        let dc = &dc;
        async move {
            dc.get(
                Some(&dc.alex),
                &format!("/api/latest/projects/DATA/repos/{repo}{tail}"),
            )
            .await
        }
    };
    let a = get("warehouse", "/default-branch").await;
    let r = dc.documented(DEFAULT, &a, 200).unwrap();
    assert_eq!(
        r,
        json!({"id": "refs/heads/master", "displayId": "master", "type": "BRANCH"})
    );
    // An empty repository still has a configured default branch (the document says so).
    let a = get("empty-repo", "/default-branch").await;
    assert_eq!(
        dc.documented(DEFAULT, &a, 200).unwrap()["displayId"],
        "main"
    );
    let a = get("nope", "/default-branch").await;
    dc.documented(DEFAULT, &a, 404);

    let a = get("warehouse", "/branches/default").await;
    let b = dc.documented(BRANCHES_DEFAULT, &a, 200).unwrap();
    assert_eq!(
        (b["displayId"].as_str(), b["default"].as_bool()),
        (Some("master"), Some(true))
    );
    // …but no branch: 204, no body.
    let a = get("empty-repo", "/branches/default").await;
    dc.documented(BRANCHES_DEFAULT, &a, 204);
    dc.finish().await;
}

async fn post(dc: &Dc, token: &str, path: &str, body: Value) -> Answer {
    dc.send(
        Some(token),
        http().post(format!("{}{path}", dc.rest())).json(&body),
    )
    .await
}

#[tokio::test]
async fn creating_branches_through_api_latest() {
    let dc = Dc::start().await;
    let path = "/api/latest/projects/DATA/repos/pipelines/branches";
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "feature/new", "startPoint": "main", "message": "hi"}),
    )
    .await;
    let b = dc.documented(CREATE, &a, 200).unwrap();
    assert_eq!(b["id"], "refs/heads/feature/new");
    assert_eq!(b["default"], false);
    let list = dc
        .get(Some(&dc.alex), &format!("{path}?filterText=new"))
        .await;
    assert_eq!(
        ids(&dc.documented(LIST, &list, 200).unwrap()),
        ["feature/new"]
    );
    // From a commit id, with the refs/heads/ prefix.
    let tip = b["latestCommit"].as_str().unwrap().to_owned();
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "refs/heads/from-id", "startPoint": tip}),
    )
    .await;
    dc.documented(CREATE, &a, 200);

    // Exists, or overlaps as a directory: 409, which this operation does not document.
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "main", "startPoint": "main"}),
    )
    .await;
    let e = dc.undocumented(CREATE, &a, 409).unwrap();
    assert_eq!(
        e["errors"][0]["exceptionName"],
        "com.atlassian.bitbucket.repository.DuplicateRefException"
    );
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "feature", "startPoint": "main"}),
    )
    .await;
    dc.undocumented(CREATE, &a, 409);
    // A bad name, an unknown start point, a missing field, a body that is not JSON: 400.
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "bad..name", "startPoint": "main"}),
    )
    .await;
    let e = dc.undocumented(CREATE, &a, 400).unwrap();
    assert_eq!(e["errors"][0]["context"], "name");
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "ok", "startPoint": "nowhere"}),
    )
    .await;
    assert_eq!(
        dc.undocumented(CREATE, &a, 400).unwrap()["errors"][0]["context"],
        "startPoint"
    );
    let a = post(&dc, &dc.alex, path, json!({"startPoint": "main"})).await;
    dc.undocumented(CREATE, &a, 400);
    let a = dc
        .send(
            Some(&dc.alex),
            http()
                .post(format!("{}{path}", dc.rest()))
                .body("{not json"),
        )
        .await;
    dc.undocumented(CREATE, &a, 400);
    // Without write permission, or with a read-only token: 401. Unreadable: 404.
    let sam = dc.token("sam", "REPO_WRITE").await;
    let a = post(&dc, &sam, path, json!({"name": "x", "startPoint": "main"})).await;
    let e = dc.documented(CREATE, &a, 401).unwrap();
    assert_eq!(
        e["errors"][0]["exceptionName"],
        "com.atlassian.bitbucket.AuthorisationException"
    );
    let reader = dc.token("alex", "REPO_READ").await;
    let a = post(
        &dc,
        &reader,
        path,
        json!({"name": "x", "startPoint": "main"}),
    )
    .await;
    dc.documented(CREATE, &a, 401);
    let nora = dc.token("nora", "REPO_WRITE").await;
    let a = post(&dc, &nora, path, json!({"name": "x", "startPoint": "main"})).await;
    dc.documented(CREATE, &a, 404);
    dc.finish().await;
}

#[tokio::test]
async fn creating_and_deleting_branches_through_branch_utils() {
    let dc = Dc::start().await;
    let path = "/branch-utils/latest/projects/DATA/repos/warehouse/branches";
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "dev", "startPoint": "master"}),
    )
    .await;
    assert_eq!(
        dc.documented(CREATE_UTILS, &a, 201).unwrap()["displayId"],
        "dev"
    );
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "dev", "startPoint": "master"}),
    )
    .await;
    dc.documented(CREATE_UTILS, &a, 409);
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "-dev", "startPoint": "master"}),
    )
    .await;
    dc.documented(CREATE_UTILS, &a, 400);
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "dev2", "startPoint": "0000000"}),
    )
    .await;
    dc.documented(CREATE_UTILS, &a, 400);
    let sam = dc.token("sam", "REPO_WRITE").await;
    let a = post(
        &dc,
        &sam,
        path,
        json!({"name": "dev2", "startPoint": "master"}),
    )
    .await;
    dc.documented(CREATE_UTILS, &a, 401);

    let delete = |token: String, body: Value| {
        let dc = &dc;
        async move {
            dc.send(
                Some(&token),
                http().delete(format!("{}{path}", dc.rest())).json(&body),
            )
            .await
        }
    };
    let a = delete(sam, json!({"name": "dev"})).await;
    dc.documented(DELETE_UTILS, &a, 401);
    let a = delete(dc.alex.clone(), json!({"name": "master"})).await;
    dc.documented(DELETE_UTILS, &a, 400);
    let a = delete(
        dc.alex.clone(),
        json!({"name": "dev", "endPoint": "0000000"}),
    )
    .await;
    dc.documented(DELETE_UTILS, &a, 400);
    let a = delete(dc.alex.clone(), json!({"name": "dev", "dryRun": true})).await;
    dc.documented(DELETE_UTILS, &a, 204);
    let list = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/warehouse/branches",
        )
        .await;
    assert_eq!(
        ids(&dc.documented(LIST, &list, 200).unwrap()),
        ["dev", "master"],
        "a dry run deletes nothing"
    );
    let a = delete(dc.alex.clone(), json!({"name": "refs/heads/dev"})).await;
    dc.documented(DELETE_UTILS, &a, 204);
    // Deleting what is not there is a 204 too.
    let a = delete(dc.alex.clone(), json!({"name": "dev"})).await;
    dc.documented(DELETE_UTILS, &a, 204);
    let list = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/warehouse/branches",
        )
        .await;
    assert_eq!(ids(&dc.documented(LIST, &list, 200).unwrap()), ["master"]);
    dc.finish().await;
}

/// The branch-utils create, the one the studio uses, answers only the statuses the
/// document declares for it (201, 400, 401, 409), whatever goes wrong: a repository the
/// caller cannot see is its 401 ("insufficient repository permissions"), not a 404 the
/// operation does not declare. `startPoint` is a commit id, as `RestBranchCreateRequest`
/// says.
#[tokio::test]
async fn the_branch_utils_create_answers_only_what_the_document_declares() {
    let dc = Dc::start().await;
    let path = "/branch-utils/latest/projects/DATA/repos/warehouse/branches";
    let list = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/warehouse/branches?filterText=master",
        )
        .await;
    let tip = values(&dc.documented(LIST, &list, 200).unwrap())[0]["latestCommit"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "main", "startPoint": tip}),
    )
    .await;
    let b = dc.documented(CREATE_UTILS, &a, 201).unwrap();
    assert_eq!(
        (b["displayId"].as_str(), b["latestCommit"].as_str()),
        (Some("main"), Some(tip.as_str()))
    );
    // Exists: 409; overlaps as a directory: 409; a bad or missing name or start point: 400.
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "main", "startPoint": tip}),
    )
    .await;
    dc.documented(CREATE_UTILS, &a, 409);
    let a = post(
        &dc,
        &dc.alex,
        path,
        json!({"name": "main/x", "startPoint": tip}),
    )
    .await;
    dc.documented(CREATE_UTILS, &a, 409);
    for body in [
        json!({"name": "bad..name", "startPoint": tip}),
        json!({"startPoint": tip}),
        json!({"name": "x"}),
        json!({"name": "x", "startPoint": "0000000000000000000000000000000000000000"}),
    ] {
        let a = post(&dc, &dc.alex, path, body).await;
        dc.documented(CREATE_UTILS, &a, 400);
    }
    let a = dc
        .send(
            Some(&dc.alex),
            http()
                .post(format!("{}{path}", dc.rest()))
                .body("{not json"),
        )
        .await;
    dc.documented(CREATE_UTILS, &a, 400);
    // A read-only token, a user who cannot see the repository, a repository that is not
    // there, no token: 401.
    let reader = dc.token("alex", "REPO_READ").await;
    let nora = dc.token("nora", "REPO_WRITE").await;
    for (token, path) in [
        (Some(reader.as_str()), path),
        (Some(nora.as_str()), path),
        (
            Some(dc.alex.as_str()),
            "/branch-utils/latest/projects/DATA/repos/nope/branches",
        ),
        (None, path),
    ] {
        let a = dc
            .send(
                token,
                http()
                    .post(format!("{}{path}", dc.rest()))
                    .json(&json!({"name": "y", "startPoint": tip})),
            )
            .await;
        dc.documented(CREATE_UTILS, &a, 401);
    }
    dc.finish().await;
}
