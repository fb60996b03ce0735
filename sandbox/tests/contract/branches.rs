//! `GET|POST /repositories/{workspace}/{repo_slug}/refs/branches`
//! (`paginated_branches`, `branch`) and `GET …/refs/branches/{name}`
//! (`branch`).

use serde_json::{json, Value};

use crate::common::*;

const LIST: Op = op("get", "/repositories/{workspace}/{repo_slug}/refs/branches");
const CREATE: Op = op(
    "post",
    "/repositories/{workspace}/{repo_slug}/refs/branches",
);
const SHOW: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/refs/branches/{name}",
);

async fn tip(c: &Contract, token: &str, repo: &str, branch: &str) -> Option<String> {
    let answer = c
        .get(
            Some(token),
            &format!("/repositories/{repo}/refs/branches/{branch}"),
        )
        .await;
    let body = c.documented(SHOW, &answer, 200)?;
    body["target"]["hash"].as_str().map(str::to_owned)
}

async fn create(c: &Contract, repo: &str, body: Value) -> Answer {
    c.send(
        Some(&c.alex),
        http()
            .post(format!("{}/repositories/{repo}/refs/branches", c.api_url()))
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn branches_list_and_show() {
    let c = Contract::start().await;
    let answer = c
        .get(
            Some(&c.alex),
            "/repositories/acme-data/warehouse-pipelines/refs/branches",
        )
        .await;
    c.documented(LIST, &answer, 200);
    let answer = c
        .get(
            Some(&c.alex),
            "/repositories/acme-data/warehouse-pipelines/refs/branches?pagelen=1&sort=name",
        )
        .await;
    if let Some(first) = c.documented(LIST, &answer, 200) {
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&c.alex, &next).await;
            c.documented(LIST, &answer, 200);
        }
    }
    for (repo, branch) in [
        ("acme-data/warehouse-pipelines", "main"),
        ("acme-data/warehouse-pipelines", "develop"),
        ("acme-data/marketing-etl", "master"),
        ("alex-rivera/sandbox-pipelines", "main"),
    ] {
        tip(&c, &c.alex, repo, branch).await;
    }
    // A branch name with a slash.
    let lee = c.token("lee").await;
    tip(&c, &lee, "lee-park/etl-jobs", "feature/retry").await;

    for path in [
        "/repositories/acme-data/marketing-etl/refs/branches/main",
        "/repositories/alex-rivera/empty-repo/refs/branches/main",
        "/repositories/acme-data/no-such-repo/refs/branches/main",
    ] {
        let answer = c.get(Some(&c.alex), path).await;
        c.documented(SHOW, &answer, 404);
    }
    let answer = c
        .get(
            Some(&c.alex),
            "/repositories/acme-data/no-such-repo/refs/branches",
        )
        .await;
    c.documented(LIST, &answer, 404);
    c.finish().await;
}

#[tokio::test]
async fn creating_main_from_the_default_branch() {
    let c = Contract::start().await;
    let Some(master) = tip(&c, &c.alex, "acme-data/marketing-etl", "master").await else {
        c.finish().await;
        return;
    };
    // What the studio sends: {name, target: {hash}}.
    let body = json!({ "name": "main", "target": { "hash": master } });
    let answer = create(&c, "acme-data/marketing-etl", body.clone()).await;
    if let Some(branch) = c.documented(CREATE, &answer, 201) {
        c.expect(
            branch["name"] == "main" && branch["target"]["hash"] == master,
            || format!("{}: {branch}", answer.request),
        );
    }
    tip(&c, &c.alex, "acme-data/marketing-etl", "main").await;

    // Already there: the document lists neither 400 nor 409 for this.
    let answer = create(&c, "acme-data/marketing-etl", body).await;
    c.undocumented(CREATE, &answer, 400);
    // Other refusals the sandbox makes (invalid name, unknown commit, no
    // name): 400, undocumented.
    for bad in [
        json!({ "name": "bad..name", "target": { "hash": master } }),
        json!({ "name": "other", "target": { "hash": "0000000000" } }),
        json!({ "target": { "hash": master } }),
    ] {
        let answer = create(&c, "acme-data/marketing-etl", bad).await;
        c.undocumented(CREATE, &answer, 400);
    }

    // Read-only for alex: the documented 403.
    if let Some(main) = tip(&c, &c.alex, "acme-data/finance-reports", "main").await {
        let answer = create(
            &c,
            "acme-data/finance-reports",
            json!({ "name": "studio", "target": { "hash": main } }),
        )
        .await;
        c.documented(CREATE, &answer, 403);
    }
    // No such repository: 404.
    let answer = create(
        &c,
        "acme-data/no-such-repo",
        json!({ "name": "main", "target": { "hash": master } }),
    )
    .await;
    c.documented(CREATE, &answer, 404);
    c.finish().await;
}
