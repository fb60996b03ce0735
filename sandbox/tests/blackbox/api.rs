//! REST API 2.0: shapes, access rules, filters, pagination.

use reqwest::header::AUTHORIZATION;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

fn names(page: &Value, pointer: &str) -> Vec<String> {
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.pointer(pointer).unwrap().as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn user_has_bitbuckets_shape() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (status, me) = api_json(&rs, &t.access, "/user").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["type"], "user");
    assert_eq!(me["display_name"], "Alex Rivera");
    assert_eq!(me["nickname"], "alex");
    let uuid = me["uuid"].as_str().unwrap();
    assert!(uuid.starts_with('{') && uuid.ends_with('}') && uuid.len() == 38);
    assert!(me["account_id"].as_str().unwrap().contains(':'));
    assert_eq!(
        me["links"]["avatar"]["href"],
        format!("{}/account/alex/avatar/", rs.url)
    );
    assert!(me["links"]["html"]["href"].is_string());
    assert!(me["links"]["self"]["href"].is_string());
    assert!(me["created_on"].as_str().unwrap().ends_with("+00:00"));

    // Same ids on every start.
    let rs2 = start().await;
    let t2 = tokens_for(&rs2, "alex").await;
    let (_, me2) = api_json(&rs2, &t2.access, "/user").await;
    assert_eq!(me["uuid"], me2["uuid"]);
    assert_eq!(me["account_id"], me2["account_id"]);
}

#[tokio::test]
async fn missing_or_unknown_tokens_are_401() {
    let rs = start().await;
    let r = http()
        .get(format!("{}/user", rs.sandbox.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    error_message(&body);
    let (status, body) = api_json(&rs, "garbage", "/user").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!error_message(&body).is_empty());
}

#[tokio::test]
async fn user_workspaces_lists_memberships() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (status, page) = api_json(&rs, &t.access, "/user/workspaces").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        names(&page, "/workspace/slug"),
        ["acme-data", "alex-lab", "alex-rivera"]
    );
    let values = page["values"].as_array().unwrap();
    assert_eq!(values[0]["type"], "workspace_access");
    assert_eq!(values[0]["administrator"], false);
    assert_eq!(values[1]["administrator"], false);
    assert_eq!(values[2]["administrator"], true);
    assert_eq!(values[0]["workspace"]["type"], "workspace_base");
    // `workspace_base` has no name (GET /workspaces/{slug} does), and its
    // links are `avatar` and `self` only.
    assert!(values[0]["workspace"].get("name").is_none());
    assert!(values[0]["workspace"]["links"].get("html").is_none());
    assert!(values[0]["workspace"]["links"]["self"]["href"].is_string());
    assert!(values[0]["workspace"]["uuid"]
        .as_str()
        .unwrap()
        .starts_with('{'));
    assert_eq!(page["size"], 3);
    assert_eq!(page["page"], 1);
    assert_eq!(page["pagelen"], 10);
    assert!(page.get("next").is_none());
    assert!(page.get("previous").is_none());

    let (_, page) = api_json(
        &rs,
        &t.access,
        r#"/user/workspaces?q=workspace.slug="acme-data""#,
    )
    .await;
    assert_eq!(names(&page, "/workspace/slug"), ["acme-data"]);
}

#[tokio::test]
async fn pagination_follows_next_links_and_caps_pagelen() {
    let rs = start().await;
    let t = tokens_for(&rs, "bigco").await;
    let (_, first) = api_json(&rs, &t.access, "/user/workspaces?pagelen=7&sort=-slug").await;
    assert_eq!(first["size"], 20);
    assert_eq!(first["pagelen"], 7);
    assert_eq!(names(&first, "/workspace/slug")[0], "bigco-20");
    let mut seen = names(&first, "/workspace/slug");
    let mut next = first["next"].as_str().unwrap().to_owned();
    assert!(next.starts_with(&rs.sandbox.api_url()));
    assert!(next.contains("pagelen=7") && next.contains("sort=-slug") && next.contains("page=2"));
    loop {
        let (status, page) = get_url(&t.access, &next).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page["previous"].is_string());
        seen.extend(names(&page, "/workspace/slug"));
        match page["next"].as_str() {
            Some(n) => next = n.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 20);
    assert_eq!(seen.last().unwrap(), "bigco-01");

    let (status, body) = api_json(&rs, &t.access, "/user/workspaces?pagelen=7&page=4").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_message(&body), "Invalid page");
    let (status, _) = api_json(&rs, &t.access, "/user/workspaces?page=0").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, page) = api_json(
        &rs,
        &t.access,
        "/repositories/bigco-03?pagelen=1000&role=contributor",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["pagelen"], 100);
    assert_eq!(page["size"], 500);
    assert_eq!(page["values"].as_array().unwrap().len(), 100);
    let next = page["next"].as_str().unwrap();
    assert!(next.contains("role=contributor") && next.contains("page=2"));
}

#[tokio::test]
async fn permission_filters_find_writable_repositories() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let base = "/user/workspaces/acme-data/permissions/repositories";
    let (status, page) = api_json(&rs, &t.access, &format!("{base}?q=permission>\"read\"")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        names(&page, "/repository/name"),
        ["marketing-etl", "warehouse-pipelines"]
    );
    let first = &page["values"][0];
    assert_eq!(first["type"], "repository_permission");
    assert_eq!(first["permission"], "write");
    assert_eq!(first["repository"]["type"], "repository");
    assert_eq!(first["repository"]["full_name"], "acme-data/marketing-etl");
    assert!(first["repository"]["uuid"].is_string());

    let (_, page) = api_json(&rs, &t.access, &format!("{base}?q=repository.name~\"ETL\"")).await;
    assert_eq!(names(&page, "/repository/name"), ["marketing-etl"]);
    let (_, page) = api_json(
        &rs,
        &t.access,
        &format!("{base}?q=repository.full_name=\"acme-data/finance-reports\""),
    )
    .await;
    assert_eq!(names(&page, "/permission"), ["read"]);
    let (_, page) = api_json(&rs, &t.access, &format!("{base}?sort=-repository.name")).await;
    assert_eq!(names(&page, "/repository/name")[0], "warehouse-pipelines");

    let (status, body) = api_json(&rs, &t.access, &format!("{base}?q=permission>>\"read\"")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).starts_with("Invalid query"));
    let (status, _) = api_json(&rs, &t.access, &format!("{base}?q=colour=\"red\"")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Nora has a workspace but nothing in it, and no access to acme-data.
    let n = tokens_for(&rs, "nora").await;
    // The document answers 403 here (it lists no 404).
    let (status, body) = api_json(&rs, &n.access, base).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_message(&body),
        "The requesting user does not have access to the workspace."
    );
    let (status, page) = api_json(
        &rs,
        &n.access,
        "/user/workspaces/nora-quinn/permissions/repositories",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["size"], 0);
}

#[tokio::test]
async fn repositories_role_q_and_sort() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (_, page) = api_json(&rs, &t.access, "/repositories/acme-data").await;
    assert_eq!(page["size"], 4);
    let (_, page) = api_json(&rs, &t.access, "/repositories/acme-data?role=contributor").await;
    assert_eq!(
        names(&page, "/slug"),
        ["marketing-etl", "warehouse-pipelines"]
    );
    let (_, page) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data?role=member&sort=-name",
    )
    .await;
    assert_eq!(
        names(&page, "/slug"),
        [
            "warehouse-pipelines",
            "marketing-etl",
            "legacy-scripts",
            "finance-reports"
        ]
    );
    let (_, page) = api_json(&rs, &t.access, "/repositories/acme-data?role=admin").await;
    assert_eq!(page["size"], 0);
    let (_, page) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data?q=(name~\"pipe\" OR project.key=\"FIN\") AND is_private=true&sort=name",
    )
    .await;
    assert_eq!(
        names(&page, "/slug"),
        ["finance-reports", "warehouse-pipelines"]
    );
    let (_, page) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data?q=updated_on>2023-01-20&sort=updated_on",
    )
    .await;
    assert!(page["size"].as_u64().unwrap() >= 1);
    let (status, body) = api_json(&rs, &t.access, "/repositories/acme-data?q=name=").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error_message(&body).starts_with("Invalid query"));
    let (status, _) = api_json(&rs, &t.access, "/repositories/acme-data?role=owner").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api_json(&rs, &t.access, "/repositories/acme-data?role=boss").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let s = tokens_for(&rs, "sam").await;
    let (_, page) = api_json(&rs, &s.access, "/repositories/acme-data?role=contributor").await;
    assert_eq!(page["size"], 0, "sam only reads acme-data");
    let (status, body) = api_json(&rs, &t.access, "/repositories/sam-chen").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        error_message(&body),
        "No workspace with identifier 'sam-chen'."
    );
}

#[tokio::test]
async fn repository_objects_have_bitbuckets_shape() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (status, repo) = api_json(&rs, &t.access, "/repositories/acme-data/marketing-etl").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(repo["type"], "repository");
    assert_eq!(repo["full_name"], "acme-data/marketing-etl");
    assert_eq!(repo["slug"], "marketing-etl");
    assert_eq!(repo["scm"], "git");
    assert_eq!(repo["is_private"], true);
    assert_eq!(repo["mainbranch"]["type"], "branch");
    assert_eq!(repo["mainbranch"]["name"], "master");
    assert_eq!(repo["workspace"]["slug"], "acme-data");
    assert_eq!(repo["project"]["key"], "DATA");
    assert_eq!(repo["owner"]["type"], "team");
    assert!(repo["updated_on"].as_str().unwrap().contains('T'));
    assert_eq!(
        repo["links"]["html"]["href"],
        format!("{}/acme-data/marketing-etl", rs.url)
    );
    assert_eq!(repo["links"]["clone"].as_array().unwrap().len(), 2);

    let (_, empty) = api_json(&rs, &t.access, "/repositories/alex-rivera/empty-repo").await;
    assert!(empty["mainbranch"].is_null());
    assert_eq!(empty["owner"]["type"], "user");
    let (_, branches) = api_json(
        &rs,
        &t.access,
        "/repositories/alex-rivera/empty-repo/refs/branches",
    )
    .await;
    assert_eq!(branches["size"], 0);

    // Private repositories of others do not exist.
    let (status, _) = api_json(&rs, &t.access, "/repositories/sam-chen/sam-sandbox").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api_json(&rs, &t.access, "/repositories/acme-data/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn branches_list_and_create() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (status, page) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data/warehouse-pipelines/refs/branches",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&page, "/name"), ["develop", "main"]);
    let target = &page["values"][1]["target"];
    assert_eq!(target["type"], "commit");
    assert_eq!(target["hash"].as_str().unwrap().len(), 40);
    assert!(target["date"].is_string());
    assert!(target["message"].is_string());
    assert!(target["author"]["raw"].is_string());
    let (_, page) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data/warehouse-pipelines/refs/branches?q=name=\"main\"",
    )
    .await;
    assert_eq!(names(&page, "/name"), ["main"]);

    // marketing-etl has master but no main: create it from master's tip.
    let (_, master) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data/marketing-etl/refs/branches/master",
    )
    .await;
    let hash = master["target"]["hash"].as_str().unwrap().to_owned();
    let create = |repo: &str, body: Value| {
        let url = format!(
            "{}/repositories/acme-data/{repo}/refs/branches",
            rs.sandbox.api_url()
        );
        let token = t.access.clone();
        async move {
            http()
                .post(url)
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = create(
        "marketing-etl",
        serde_json::json!({ "name": "main", "target": { "hash": hash } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.headers().contains_key("location"));
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["name"], "main");
    assert_eq!(created["target"]["hash"], hash.as_str());
    let (status, _) = api_json(
        &rs,
        &t.access,
        "/repositories/acme-data/marketing-etl/refs/branches/main",
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let r = create(
        "marketing-etl",
        serde_json::json!({ "name": "main", "target": { "hash": hash } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "exists");
    let r = create(
        "marketing-etl",
        serde_json::json!({ "name": "bad name", "target": { "hash": hash } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "invalid name");
    let r = create(
        "marketing-etl",
        serde_json::json!({ "name": "x", "target": { "hash": "0".repeat(40) } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "unknown commit");
    let r = create(
        "marketing-etl",
        serde_json::json!({ "target": { "hash": hash } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "no name");
    let r = create(
        "finance-reports",
        serde_json::json!({ "name": "main2", "target": { "hash": hash } }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "read only");
}

#[tokio::test]
async fn removed_cross_workspace_endpoints_are_410() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    for path in [
        "/repositories",
        "/workspaces",
        "/user/permissions/repositories",
        "/user/permissions/workspaces",
    ] {
        let (status, body) = api_json(&rs, &t.access, path).await;
        assert_eq!(status, StatusCode::GONE, "{path}");
        assert!(error_message(&body).contains("CHANGE-2770"), "{path}");
    }
}

#[tokio::test]
async fn scopes_the_consumer_lacks_are_403() {
    let mut c = consumer();
    c.scopes = vec!["account".into()];
    let rs = sandbox::spawn(vec![c], false).await.unwrap();
    let t = tokens_for(&rs, "alex").await;
    assert_eq!(api(&rs, &t.access, "/user").await.status(), StatusCode::OK);
    let (status, body) = api_json(&rs, &t.access, "/repositories/acme-data").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        error_message(&body),
        "Your credentials lack one or more required privilege scopes."
    );
    // `error.detail` is a string in the document: the scopes are `error.data`.
    assert_eq!(body["error"]["data"]["required"][0], "repository");
    assert_eq!(body["error"]["data"]["granted"][0], "account");
}

/// Bitbucket's limit: requests per rolling hour per user on `/2.0/repositories/…`, then 429
/// with `Retry-After` until the oldest request of the window is an hour old. Other resources
/// and other users are not counted.
#[tokio::test]
async fn repositories_are_rate_limited_per_user_and_hour() {
    let rs = start().await;
    rs.sandbox
        .set_rate_limit(3, std::time::Duration::from_secs(3600));
    let alex = tokens_for(&rs, "alex").await.access;
    for _ in 0..3 {
        assert_eq!(
            api(&rs, &alex, "/repositories/acme-data").await.status(),
            StatusCode::OK
        );
    }
    let limited = api(&rs, &alex, "/repositories/acme-data/warehouse-pipelines").await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3590..=3600).contains(&retry), "{retry}");
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(
        error_message(&body),
        "Rate limit for this resource has been exceeded"
    );
    assert_eq!(
        api(&rs, &alex, "/user").await.status(),
        StatusCode::OK,
        "not limited"
    );
    let sam = tokens_for(&rs, "sam").await.access;
    assert_eq!(
        api(&rs, &sam, "/repositories/acme-data").await.status(),
        StatusCode::OK,
        "per user"
    );
    rs.sandbox
        .advance_clock(std::time::Duration::from_secs(3601));
    assert_eq!(
        api(&rs, &alex, "/repositories/acme-data").await.status(),
        StatusCode::OK,
        "the window rolled"
    );
}
