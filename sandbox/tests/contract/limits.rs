//! 429 "Rate limit for this resource has been exceeded" (injected, as the
//! sandbox does not count requests). No path in the document lists 429, so
//! every one is validated against the `error` envelope, with `Retry-After`.

use reqwest::header::RETRY_AFTER;

use crate::common::*;

#[tokio::test]
async fn rate_limited_answers_are_429_errors_with_retry_after() {
    let c = Contract::start().await;
    for (o, path) in [
        (op("get", "/user"), "/user"),
        (
            op("get", "/user/workspaces"),
            "/user/workspaces?pagelen=100&sort=slug",
        ),
        (
            op("get", "/repositories/{workspace}"),
            "/repositories/alex-lab?role=contributor&pagelen=50&sort=-updated_on",
        ),
        (
            op(
                "get",
                "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}",
            ),
            "/repositories/acme-data/warehouse-pipelines/src/main/README.md",
        ),
    ] {
        let prefix = format!("/2.0{}", path.split('?').next().unwrap());
        c.rs.sandbox.inject_fault(429, 1, &prefix);
        let answer = c.get(Some(&c.alex), path).await;
        c.undocumented(o, &answer, 429);
        c.expect(answer.headers.contains_key(RETRY_AFTER), || {
            format!("{}: 429 without Retry-After", answer.request)
        });
    }
    c.finish().await;
}
