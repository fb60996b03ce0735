//! Instance, users, projects and repositories: `application-properties`, `users/{userSlug}`,
//! `projects`, `repos` (paging over `bigdc`'s 10,000) and one repository.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::*;

const PROPERTIES: Op = op("GET", "/api/latest/application-properties");
const USER: Op = op("GET", "/api/latest/users/{userSlug}");
const PROJECTS: Op = op("GET", "/api/latest/projects");
const REPOS: Op = op("GET", "/api/latest/repos");
const REPOSITORY: Op = op("GET", REPO);

fn names(page: &Value) -> Vec<String> {
    values(page)
        .iter()
        .map(|r| {
            format!(
                "{}/{}",
                r["project"]["key"].as_str().unwrap_or("?"),
                r["slug"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[tokio::test]
async fn application_properties_and_users() {
    let dc = Dc::start().await;
    let a = dc.get(None, "/api/latest/application-properties").await;
    let props = dc.documented(PROPERTIES, &a, 200).unwrap();
    assert_eq!(props["version"], "9.2.0");

    let a = dc.get(Some(&dc.alex), "/api/latest/users/alex").await;
    let user = dc.documented(USER, &a, 200).unwrap();
    assert_eq!(a.header("x-ausername"), Some("alex"));
    assert_eq!(user["displayName"], "Alex Rivera");
    assert_eq!(user["slug"], "alex");
    assert_eq!(user["type"], "NORMAL");
    assert_eq!(user["active"], true);
    let a = dc.get(Some(&dc.alex), "/api/latest/users/nobody").await;
    dc.documented(USER, &a, 404);
    assert_eq!(
        a.header("x-ausername"),
        Some("alex"),
        "errors name the user too"
    );
    let a = dc.get(None, "/api/latest/users/alex").await;
    dc.documented(USER, &a, 401);
    dc.finish().await;
}

/// Whose token it is, from resources that need one: `GET /users?limit=1` names its caller in
/// `X-AUSERNAME` (its body is a page of `RestApplicationUser`), and the application-links
/// servlet's `whoami` answers the caller's slug as text; both refuse an anonymous caller or
/// a bad token with a 401.
#[tokio::test]
async fn the_caller_is_named_by_resources_that_need_a_user() {
    let dc = Dc::start().await;
    let a = dc.get(Some(&dc.alex), "/api/latest/users?limit=1").await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.shown());
    assert_eq!(a.header("x-ausername"), Some("alex"));
    let page = a.json().unwrap();
    assert_eq!(values(&page).len(), 1);
    assert_eq!(page["isLastPage"], false);
    for user in values(&page) {
        dc.against(&a, "RestApplicationUser", user);
        assert!(user.get("links").is_none() && user.get("avatarUrl").is_none());
    }
    let a = dc
        .get(Some(&dc.alex), "/api/latest/users?filter=rivera")
        .await;
    let page = a.json().unwrap();
    assert_eq!(values(&page)[0]["slug"], "alex");
    for token in [None, Some("nope")] {
        let a = dc.get(token, "/api/latest/users?limit=1").await;
        assert_eq!(a.status.as_u16(), 401, "{:?}", token);
        assert!(a.header("x-ausername").is_none());
    }

    let whoami = format!("{}/plugins/servlet/applinks/whoami", dc.rs.url);
    let a = dc.send(Some(&dc.alex), http().get(&whoami)).await;
    assert_eq!(a.status.as_u16(), 200);
    assert!(a.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(String::from_utf8_lossy(&a.body), "alex");
    for token in [None, Some("nope")] {
        let a = dc.send(token, http().get(&whoami)).await;
        assert_eq!(a.status.as_u16(), 401, "{:?}", token);
    }
    dc.finish().await;
}

#[tokio::test]
async fn alex_sees_what_alex_may_and_the_permission_filter_narrows_it() {
    let dc = Dc::start().await;
    let list = |query: &'static str, token: Option<String>| {
        let dc = &dc;
        async move {
            let a = dc
                .get(token.as_deref(), &format!("/api/latest/repos{query}"))
                .await;
            names(&dc.documented(REPOS, &a, 200).unwrap_or_default())
        }
    };
    let alex = Some(dc.alex.clone());
    assert_eq!(
        list("", alex.clone()).await,
        [
            "DATA/empty-repo",
            "DATA/pipelines",
            "DATA/warehouse",
            "OPS/infra",
            "OPS/ops-scripts",
            "OPS/runbooks",
            "~ALEX/notes"
        ]
    );
    assert_eq!(
        list("?permission=REPO_WRITE", alex.clone()).await,
        [
            "DATA/empty-repo",
            "DATA/pipelines",
            "DATA/warehouse",
            "OPS/ops-scripts",
            "~ALEX/notes"
        ]
    );
    // Admin needs a token that may administer: REPO_WRITE caps alex at write.
    assert!(list("?permission=REPO_ADMIN", alex.clone())
        .await
        .is_empty());
    let admin = Some(dc.token("alex", "REPO_ADMIN").await);
    assert_eq!(
        list("?permission=REPO_ADMIN", admin).await,
        ["DATA/pipelines", "~ALEX/notes"]
    );
    assert_eq!(
        list("?archived=ARCHIVED", alex.clone()).await,
        ["DATA/legacy-etl"]
    );
    assert_eq!(
        list("?archived=all&projectkey=data&name=E", alex.clone())
            .await
            .len(),
        4
    );
    assert_eq!(
        list(
            "?projectname=operations&permission=REPO_WRITE",
            alex.clone()
        )
        .await,
        ["OPS/ops-scripts"]
    );
    assert_eq!(
        list("?name=%20WARE%20&unknown=1", alex.clone()).await,
        ["DATA/warehouse"]
    );
    assert!(list("?visibility=public", alex.clone()).await.is_empty());
    // Others, anonymous, and a read-only token.
    let sam = Some(dc.token("sam", "REPO_WRITE").await);
    assert_eq!(list("", sam.clone()).await.len(), 3);
    assert!(list("?permission=REPO_WRITE", sam).await.is_empty());
    let nora = Some(dc.token("nora", "REPO_WRITE").await);
    assert_eq!(
        list("", nora.clone()).await,
        ["OPS/infra", "OPS/ops-scripts", "OPS/runbooks"]
    );
    assert!(list("?permission=REPO_WRITE", nora).await.is_empty());
    assert!(list("", None).await.is_empty());
    let read_only = Some(dc.token("alex", "REPO_READ").await);
    assert!(list("?permission=REPO_WRITE", read_only.clone())
        .await
        .is_empty());
    assert_eq!(list("", read_only).await.len(), 7);
    let public_only = Some(dc.token("alex", "PUBLIC_REPOS").await);
    assert!(list("", public_only).await.is_empty());

    for bad in [
        "?permission=WRITE",
        "?visibility=secret",
        "?archived=maybe",
        "?state=GONE",
    ] {
        let a = dc
            .get(Some(&dc.alex), &format!("/api/latest/repos{bad}"))
            .await;
        dc.documented(REPOS, &a, 400);
    }
    // A bad token is a 401 the document does not list here (the listing is anonymous-friendly).
    let a = dc.get(Some("nope"), "/api/latest/repos").await;
    dc.undocumented(REPOS, &a, 401);
    dc.finish().await;
}

#[tokio::test]
async fn a_repository_has_the_documents_shape_and_no_write_only_field() {
    let dc = Dc::start().await;
    let a = dc
        .get(Some(&dc.alex), "/api/latest/projects/DATA/repos/pipelines")
        .await;
    let r = dc.documented(REPOSITORY, &a, 200).unwrap();
    assert_eq!(a.header("x-ausername"), Some("alex"));
    assert_eq!(r["slug"], "pipelines");
    assert_eq!(r["scmId"], "git");
    assert_eq!(r["state"], "AVAILABLE");
    assert_eq!(r["archived"], false);
    assert_eq!(r["project"]["key"], "DATA");
    assert_eq!(r["project"]["name"], "Data Platform");
    assert_eq!(r["project"]["type"], "NORMAL");
    // `links` and `defaultBranch` are write-only in `RestRepository`, `links` and
    // `avatarUrl` in its project: never in an answer.
    for absent in ["links", "defaultBranch"] {
        assert!(r.get(absent).is_none(), "{absent}");
    }
    for absent in ["links", "avatarUrl"] {
        assert!(r["project"].get(absent).is_none(), "project {absent}");
    }
    assert!(
        write_only_fields(
            &serde_json::json!({"$ref": "#/components/schemas/RestRepository"}),
            &serde_json::json!({"links": {}, "project": {"avatarUrl": "x"}, "slug": "x"})
        )
        .len()
            == 2,
        "the check sees write-only fields"
    );
    assert!(r["hierarchyId"].as_str().unwrap().len() == 20);
    let allowed: BTreeSet<&str> = [
        "archived",
        "defaultBranch",
        "description",
        "forkable",
        "hierarchyId",
        "id",
        "links",
        "name",
        "origin",
        "partition",
        "project",
        "public",
        "relatedLinks",
        "scmId",
        "scope",
        "slug",
        "state",
        "statusMessage",
    ]
    .into();
    for key in r.as_object().unwrap().keys() {
        assert!(
            allowed.contains(key.as_str()),
            "{key} is not a RestRepository field"
        );
    }

    // Case-insensitive keys, the personal project, and what is hidden.
    let a = dc
        .get(Some(&dc.alex), "/api/latest/projects/~alex/repos/notes")
        .await;
    let notes = dc.documented(REPOSITORY, &a, 200).unwrap();
    assert_eq!(notes["project"]["type"], "PERSONAL");
    assert!(notes["project"].get("links").is_none());
    let a = dc
        .get(Some(&dc.alex), "/api/latest/projects/DATA/repos/nope")
        .await;
    dc.documented(REPOSITORY, &a, 404);
    let sam = dc.token("sam", "REPO_READ").await;
    let a = dc
        .get(Some(&sam), "/api/latest/projects/OPS/repos/runbooks")
        .await;
    let body = dc.documented(REPOSITORY, &a, 404).unwrap();
    assert_eq!(
        body["errors"][0]["exceptionName"],
        "com.atlassian.bitbucket.repository.NoSuchRepositoryException"
    );
    let a = dc
        .get(None, "/api/latest/projects/DATA/repos/pipelines")
        .await;
    dc.documented(REPOSITORY, &a, 401);
    dc.finish().await;
}

#[tokio::test]
async fn projects_by_permission_and_name() {
    let dc = Dc::start().await;
    let keys = |page: &Value| -> Vec<String> {
        values(page)
            .iter()
            .map(|p| p["key"].as_str().unwrap_or("?").to_owned())
            .collect()
    };
    let a = dc.get(Some(&dc.alex), "/api/latest/projects").await;
    let page = dc.documented(PROJECTS, &a, 200).unwrap();
    assert_eq!(keys(&page), ["DATA", "OPS", "~ALEX"]);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects?permission=PROJECT_WRITE",
        )
        .await;
    assert_eq!(
        keys(&dc.documented(PROJECTS, &a, 200).unwrap()),
        ["DATA", "~ALEX"]
    );
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects?permission=PROJECT_ADMIN",
        )
        .await;
    assert!(
        values(&dc.documented(PROJECTS, &a, 200).unwrap()).is_empty(),
        "REPO_WRITE cannot administer"
    );
    let admin = dc.token("alex", "PROJECT_ADMIN").await;
    let a = dc
        .get(
            Some(&admin),
            "/api/latest/projects?permission=PROJECT_ADMIN",
        )
        .await;
    assert_eq!(keys(&dc.documented(PROJECTS, &a, 200).unwrap()), ["~ALEX"]);
    let a = dc
        .get(Some(&dc.alex), "/api/latest/projects?name=platform")
        .await;
    assert_eq!(keys(&dc.documented(PROJECTS, &a, 200).unwrap()), ["DATA"]);
    let big = dc.token("bigdc", "REPO_READ").await;
    let a = dc.get(Some(&big), "/api/latest/projects?limit=100").await;
    let page = dc.documented(PROJECTS, &a, 200).unwrap();
    assert_eq!(page["size"], 21, "DATA and P01…P20");
    for bad in ["REPO_READ", "ANYTHING"] {
        let a = dc
            .get(
                Some(&dc.alex),
                &format!("/api/latest/projects?permission={bad}"),
            )
            .await;
        dc.documented(PROJECTS, &a, 400);
    }
    dc.finish().await;
}

/// Every page of `/repos{query}` for `token`, following `nextPageStart`.
async fn all_pages(dc: &Dc, token: &str, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let a = dc
            .get(
                Some(token),
                &format!("/api/latest/repos?{query}&limit=1000&start={start}"),
            )
            .await;
        let Some(page) = dc.documented(REPOS, &a, 200) else {
            return out;
        };
        assert_eq!(page["limit"], 1000);
        out.extend(names(&page));
        if page["isLastPage"] == true {
            assert!(page.get("nextPageStart").is_none());
            return out;
        }
        let next = page["nextPageStart"]
            .as_u64()
            .expect("nextPageStart on a page that is not the last");
        assert_eq!(next as usize, out.len());
        start = next;
    }
}

#[tokio::test]
async fn bigdc_pages_through_ten_thousand_writable_repositories() {
    let dc = Dc::start().await;
    let big = dc.token("bigdc", "REPO_WRITE").await;
    dc.rs.sandbox.clear_stats();
    let writable = all_pages(&dc, &big, "permission=REPO_WRITE").await;
    assert_eq!(writable.len(), 10_000);
    assert_eq!(
        dc.rs.sandbox.stats().api_requests_by_endpoint["GET /api/latest/repos"],
        10
    );
    assert_eq!(writable[0], "P01/service-00001");
    assert_eq!(writable[9_999], "P20/service-10000");
    assert_eq!(writable.iter().collect::<BTreeSet<_>>().len(), 10_000);
    assert!(
        writable.iter().all(|r| !r.contains("archive")),
        "read-only ones are not listed"
    );
    let readable = all_pages(&dc, &big, "permission=REPO_READ").await;
    assert_eq!(readable.len(), 10_000 + 20 + 3);
    assert_eq!(readable[0], "DATA/empty-repo");

    // The cap on `limit`, the `name` filter, and `projectkey`.
    let a = dc.get(Some(&big), "/api/latest/repos?limit=5000").await;
    let page = dc.documented(REPOS, &a, 200).unwrap();
    assert_eq!(
        (page["limit"].as_u64(), page["size"].as_u64()),
        (Some(1000), Some(1000))
    );
    let a = dc
        .get(
            Some(&big),
            "/api/latest/repos?permission=REPO_WRITE&name=SERVICE-0004",
        )
        .await;
    let page = dc.documented(REPOS, &a, 200).unwrap();
    assert_eq!(page["size"], 10, "service-00040 … service-00049");
    let a = dc
        .get(
            Some(&big),
            "/api/latest/repos?permission=REPO_WRITE&name=archive",
        )
        .await;
    assert_eq!(dc.documented(REPOS, &a, 200).unwrap()["size"], 0);
    let p02 = all_pages(&dc, &big, "permission=REPO_WRITE&projectkey=%20p02%20").await;
    assert_eq!(p02.len(), 500);
    assert_eq!(p02[0], "P02/service-00501");
    let a = dc
        .get(
            Some(&big),
            "/api/latest/repos?permission=REPO_WRITE&projectkey=P02&limit=25&start=490",
        )
        .await;
    let page = dc.documented(REPOS, &a, 200).unwrap();
    assert_eq!(
        (page["size"].as_u64(), page["isLastPage"].as_bool()),
        (Some(10), Some(true))
    );
    dc.finish().await;
}
