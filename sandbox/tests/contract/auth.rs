//! 401 (no token, an unknown token, an expired one) and the 403 for a scope
//! the consumer lacks, on the routes the studio calls. `/user` and
//! `/user/workspaces` document 401; the other routes do not, so their 401s
//! are validated against the document's `error` envelope.

use std::time::Duration;

use crate::common::*;

const EXPIRED: &str = "Access token expired. Use your refresh token to obtain a new access token.";

/// Routes whose 401 the document lists.
const DOCUMENTED_401: [(Op, &str); 2] = [
    (op("get", "/user"), "/user"),
    (
        op("get", "/user/workspaces"),
        "/user/workspaces?pagelen=100&sort=slug",
    ),
];

/// Routes the studio calls whose 401 the document does not list (it lists
/// 401 only for `/user*`): validated against `error`.
const UNDOCUMENTED_401: [(Op, &str); 5] = [
    (
        op("get", "/repositories/{workspace}"),
        "/repositories/alex-lab?role=contributor&pagelen=50&sort=-updated_on",
    ),
    (
        op("get", "/repositories/{workspace}/{repo_slug}"),
        "/repositories/acme-data/warehouse-pipelines",
    ),
    (
        op(
            "get",
            "/repositories/{workspace}/{repo_slug}/refs/branches/{name}",
        ),
        "/repositories/acme-data/warehouse-pipelines/refs/branches/main",
    ),
    (
        op("get", "/workspaces/{workspace}"),
        "/workspaces/acme-data",
    ),
    (
        op(
            "get",
            "/repositories/{workspace}/{repo_slug}/commit/{commit}",
        ),
        "/repositories/acme-data/warehouse-pipelines/commit/0000000",
    ),
];

#[tokio::test]
async fn missing_and_unknown_tokens_are_401_errors() {
    let c = Contract::start().await;
    for token in [None, Some("not-a-token")] {
        for (o, path) in DOCUMENTED_401 {
            let answer = c.get(token, path).await;
            c.documented(o, &answer, 401);
        }
        for (o, path) in UNDOCUMENTED_401 {
            let answer = c.get(token, path).await;
            c.undocumented(o, &answer, 401);
        }
    }
    // The permission listing documents 401 too.
    let answer = c
        .get(
            None,
            "/user/workspaces/acme-data/permissions/repositories?q=permission%3E%22read%22",
        )
        .await;
    c.documented(
        op(
            "get",
            "/user/workspaces/{workspace}/permissions/repositories",
        ),
        &answer,
        401,
    );
    c.finish().await;
}

#[tokio::test]
async fn expired_tokens_are_401_errors() {
    let c = Contract::start().await;
    // Access tokens live 7,200 s on Bitbucket (the sandbox too).
    c.rs.sandbox.advance_clock(Duration::from_secs(7_201));
    for (o, path) in DOCUMENTED_401 {
        let answer = c.get(Some(&c.alex), path).await;
        if let Some(body) = c.documented(o, &answer, 401) {
            c.expect(body["error"]["message"] == EXPIRED, || {
                format!(
                    "{}: expired-token message is {}",
                    answer.request, body["error"]["message"]
                )
            });
        }
    }
    for (o, path) in UNDOCUMENTED_401 {
        let answer = c.get(Some(&c.alex), path).await;
        c.undocumented(o, &answer, 401);
    }
    c.finish().await;
}

#[tokio::test]
async fn a_missing_scope_is_a_403_error() {
    let c = Contract::start().await;
    let narrow = access_token(&c.rs, NARROW_KEY, "alex").await;
    // GET /repositories/{workspace}/{repo_slug} documents 403.
    let answer = c
        .get(Some(&narrow), "/repositories/acme-data/warehouse-pipelines")
        .await;
    c.documented(
        op("get", "/repositories/{workspace}/{repo_slug}"),
        &answer,
        403,
    );
    let answer = c
        .get(
            Some(&narrow),
            "/repositories/acme-data/warehouse-pipelines/refs/branches/main",
        )
        .await;
    c.documented(
        op(
            "get",
            "/repositories/{workspace}/{repo_slug}/refs/branches/{name}",
        ),
        &answer,
        403,
    );
    // GET /repositories/{workspace} does not document 403: `error`.
    let answer = c
        .get(
            Some(&narrow),
            "/repositories/acme-data?role=contributor&pagelen=50&sort=-updated_on",
        )
        .await;
    c.undocumented(op("get", "/repositories/{workspace}"), &answer, 403);
    c.finish().await;
}
