//! Reads against the description: the user, installations and their repositories (who sees
//! what), repositories, branches, refs, commits, trees, contents, pagination, rate limits,
//! faults.

use reqwest::StatusCode;
use sandbox::Fault;
use serde_json::Value;

use crate::common::*;

fn names(v: &Value, list: &str, field: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn installations_show_what_the_app_and_the_user_both_reach() {
    let gh = Gh::start().await;
    let me = gh.get(&gh.alex, "/user").await;
    let me = gh.check("GET", "/user", &me, 200);
    assert_eq!(
        (me["login"].as_str(), me["id"].as_u64()),
        (Some("alex"), Some(1001))
    );
    let a = gh.get(&gh.alex, "/user/installations").await;
    let list = gh.check("GET", "/user/installations", &a, 200);
    let accounts: Vec<&str> = list["installations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["account"]["login"].as_str().unwrap())
        .collect();
    assert_eq!(
        accounts,
        ["acme-data", "alex"],
        "not globex: not installed there"
    );
    let org = &list["installations"][0];
    assert_eq!(
        (
            org["repository_selection"].as_str(),
            org["permissions"]["contents"].as_str()
        ),
        (Some("all"), Some("write"))
    );
    let id = org["id"].as_u64().unwrap();
    let repos = gh
        .get(&gh.alex, &format!("/user/installations/{id}/repositories"))
        .await;
    let repos = gh.check(
        "GET",
        "/user/installations/{installation_id}/repositories",
        &repos,
        200,
    );
    assert_eq!(
        names(&repos, "repositories", "name"),
        ["empty-repo", "pipelines", "runbooks", "warehouse"]
    );
    let runbooks = repos["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "runbooks")
        .unwrap();
    assert_eq!(runbooks["permissions"]["push"], false, "read only");
    let own = list["installations"][1]["id"].as_u64().unwrap();
    let selected = gh
        .get(&gh.alex, &format!("/user/installations/{own}/repositories"))
        .await;
    let selected = gh.check(
        "GET",
        "/user/installations/{installation_id}/repositories",
        &selected,
        200,
    );
    assert_eq!(
        (
            names(&selected, "repositories", "name"),
            selected["repository_selection"].as_str()
        ),
        (vec!["notes".to_owned()], Some("selected"))
    );
    let scratch = gh.get(&gh.alex, "/repos/alex/scratch").await;
    gh.check("GET", "/repos/{owner}/{repo}", &scratch, 404);
    let etl = gh.get(&gh.alex, "/repos/globex/etl").await;
    gh.check("GET", "/repos/{owner}/{repo}", &etl, 404);
    let newbie = tokens(&gh.rs, "newbie").await.0;
    let none = gh.get(&newbie, "/user/installations").await;
    assert_eq!(
        gh.check("GET", "/user/installations", &none, 200)["total_count"],
        0
    );
    let theirs = gh
        .get(&newbie, &format!("/user/installations/{id}/repositories"))
        .await;
    gh.check(
        "GET",
        "/user/installations/{installation_id}/repositories",
        &theirs,
        404,
    );
    gh.finish().await;
}

#[tokio::test]
async fn the_install_page_installs_and_sends_the_user_to_the_setup_url() {
    let gh = Gh::start().await;
    let (_, mut browser) = authorize(&gh.rs.url, "newbie").await;
    let page = browser
        .get(&format!("{}?state=s-9", gh.rs.sandbox.install_url(SLUG)))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Install Pipeline Studio") && page.contains(">Install<"),
        "{page}"
    );
    let form = hidden_fields(&page, &format!("/apps/{SLUG}/installations"));
    let r = browser
        .post(&format!("{}/apps/{SLUG}/installations", gh.rs.url), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with(SETUP), "{to}");
    assert_eq!(param(&to, "setup_action").as_deref(), Some("install"));
    assert_eq!(param(&to, "state").as_deref(), Some("s-9"));
    let newbie = tokens(&gh.rs, "newbie").await.0;
    let list = gh.get(&newbie, "/user/installations").await;
    let list = gh.check("GET", "/user/installations", &list, 200);
    assert_eq!(
        list["installations"][0]["id"].to_string(),
        param(&to, "installation_id").unwrap()
    );
    let hello = gh.get(&newbie, "/repos/newbie/hello").await;
    let hello = gh.check("GET", "/repos/{owner}/{repo}", &hello, 200);
    assert_eq!(hello["permissions"]["admin"], true);
    gh.rs.sandbox.install("globex", SLUG);
    let etl = gh.get(&gh.alex, "/repos/globex/etl").await;
    gh.check("GET", "/repos/{owner}/{repo}", &etl, 200);
    gh.finish().await;
}

#[tokio::test]
async fn repositories_refs_commits_trees_and_contents_match_the_description() {
    let gh = Gh::start().await;
    let t = &gh.alex;
    let repo = gh.get(t, "/repos/acme-data/pipelines").await;
    assert_eq!(
        gh.check("GET", "/repos/{owner}/{repo}", &repo, 200)["default_branch"],
        "main"
    );
    let branch = gh
        .get(t, "/repos/acme-data/pipelines/branches/feature/orders-v2")
        .await;
    gh.check(
        "GET",
        "/repos/{owner}/{repo}/branches/{branch}",
        &branch,
        200,
    );
    let r = gh
        .get(t, "/repos/acme-data/pipelines/git/ref/heads/main")
        .await;
    let main = gh.check("GET", "/repos/{owner}/{repo}/git/ref/{ref}", &r, 200);
    let sha = main["object"]["sha"].as_str().unwrap().to_owned();
    let missing = gh
        .get(t, "/repos/acme-data/pipelines/git/ref/heads/nope")
        .await;
    gh.check("GET", "/repos/{owner}/{repo}/git/ref/{ref}", &missing, 404);
    let empty = gh
        .get(t, "/repos/acme-data/empty-repo/git/ref/heads/main")
        .await;
    assert_eq!(
        gh.check("GET", "/repos/{owner}/{repo}/git/ref/{ref}", &empty, 409)["message"],
        "Git Repository is empty."
    );
    let c = gh
        .get(t, &format!("/repos/acme-data/pipelines/git/commits/{sha}"))
        .await;
    let commit = gh.check(
        "GET",
        "/repos/{owner}/{repo}/git/commits/{commit_sha}",
        &c,
        200,
    );
    assert_eq!(commit["parents"].as_array().unwrap().len(), 1);
    let tree = commit["tree"]["sha"].as_str().unwrap();
    let tr = gh
        .get(
            t,
            &format!("/repos/acme-data/pipelines/git/trees/{tree}?recursive=1"),
        )
        .await;
    let tr = gh.check(
        "GET",
        "/repos/{owner}/{repo}/git/trees/{tree_sha}",
        &tr,
        200,
    );
    let paths: Vec<&str> = tr["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["README.md", "pipelines", "pipelines/orders.orch.yaml"]
    );
    let f = gh
        .get(
            t,
            "/repos/acme-data/pipelines/contents/pipelines/orders.orch.yaml?ref=main",
        )
        .await;
    let file = gh.check("GET", "/repos/{owner}/{repo}/contents/{path}", &f, 200);
    assert_eq!(file["encoding"], "base64");
    assert!(file["content"]
        .as_str()
        .unwrap()
        .lines()
        .all(|l| l.len() <= 60));
    let d = gh.get(t, "/repos/acme-data/pipelines/contents/").await;
    let dir = gh.check("GET", "/repos/{owner}/{repo}/contents/{path}", &d, 200);
    assert_eq!(dir.as_array().unwrap().len(), 2);
    let none = gh
        .get(t, "/repos/acme-data/pipelines/contents/nope.yaml")
        .await;
    gh.check("GET", "/repos/{owner}/{repo}/contents/{path}", &none, 404);
    let raw = gh
        .send(
            Some(t),
            http()
                .get(format!(
                    "{}/repos/acme-data/pipelines/contents/README.md",
                    gh.api()
                ))
                .header("accept", "application/vnd.github.raw+json"),
        )
        .await;
    assert!(raw.text().starts_with("# pipelines"));
    let log = gh
        .get(
            t,
            "/repos/acme-data/pipelines/commits?path=README.md&per_page=1",
        )
        .await;
    let log = gh.check("GET", "/repos/{owner}/{repo}/commits", &log, 200);
    assert_eq!(log[0]["commit"]["message"], "Initial commit");
    let empty_log = gh.get(t, "/repos/acme-data/empty-repo/commits").await;
    gh.check("GET", "/repos/{owner}/{repo}/commits", &empty_log, 409);
    gh.finish().await;
}

#[tokio::test]
async fn pages_link_rate_limits_and_faults() {
    let gh = Gh::start().await;
    let bigco = tokens(&gh.rs, "bigco").await.0;
    let list = gh
        .get(&bigco, "/user/installations?per_page=5&page=2")
        .await;
    let body = gh.check("GET", "/user/installations", &list, 200);
    assert_eq!(
        (
            body["total_count"].as_u64(),
            body["installations"].as_array().unwrap().len()
        ),
        (Some(20), 5)
    );
    let link = list.header("link").unwrap_or_default().to_owned();
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=3") && link.contains("rel=\"last\""),
        "{link}"
    );
    let id = body["installations"][0]["id"].as_u64().unwrap();
    let repos = gh
        .get(
            &bigco,
            &format!("/user/installations/{id}/repositories?per_page=100"),
        )
        .await;
    let repos = gh.check(
        "GET",
        "/user/installations/{installation_id}/repositories",
        &repos,
        200,
    );
    assert_eq!(
        (
            repos["total_count"].as_u64(),
            repos["repositories"].as_array().unwrap().len()
        ),
        (Some(500), 100)
    );
    assert_eq!(list.header("x-ratelimit-limit"), Some("5000"));
    gh.rs.sandbox.set_rate_limit_remaining("alex", 0);
    let limited = gh.get(&gh.alex, "/user").await;
    gh.check("GET", "/user", &limited, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    gh.rs.sandbox.set_rate_limit_remaining("alex", 10);
    gh.rs.sandbox.inject(Fault::status(429, 1, "/api/v3/user"));
    let faulted = gh.get(&gh.alex, "/user").await;
    assert_eq!(faulted.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(faulted.header("retry-after").is_some());
    let ok = gh.get(&gh.alex, "/user").await;
    gh.check("GET", "/user", &ok, 200);
    assert_eq!(ok.header("x-ratelimit-remaining"), Some("9"));
    let no_token = gh
        .send(None, http().get(format!("{}/user", gh.api())))
        .await;
    assert_eq!(
        gh.check("GET", "/user", &no_token, 401)["message"],
        "Requires authentication"
    );
    let stats = gh.rs.sandbox.stats();
    assert!(
        stats
            .api_requests_by_endpoint
            .contains_key("GET /user/installations"),
        "{stats:?}"
    );
    gh.finish().await;
}
