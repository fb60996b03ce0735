//! Source (`src`) and commit endpoints: reading files and directories,
//! committing through multipart and form bodies, and every error they give.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::common::*;

const WH: &str = "/repositories/acme-data/warehouse-pipelines";

async fn tip(rs: &sandbox::RunningSandbox, token: &str, repo: &str, branch: &str) -> String {
    let (status, b) = api_json(rs, token, &format!("{repo}/refs/branches/{branch}")).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    b["target"]["hash"].as_str().unwrap().to_owned()
}

async fn post_form(
    rs: &sandbox::RunningSandbox,
    token: &str,
    repo: &str,
    form: &[(&str, &str)],
) -> Response {
    http()
        .post(format!("{}{repo}/src", rs.sandbox.api_url()))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn post_multipart(
    rs: &sandbox::RunningSandbox,
    token: &str,
    repo: &str,
    form: Form,
) -> Response {
    http()
        .post(format!("{}{repo}/src", rs.sandbox.api_url()))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn text(rs: &sandbox::RunningSandbox, token: &str, path: &str) -> (StatusCode, String) {
    let r = api(rs, token, path).await;
    (r.status(), r.text().await.unwrap())
}

async fn error_of(r: Response) -> String {
    let body: Value = r.json().await.unwrap();
    error_message(&body).to_owned()
}

fn paths(page: &Value) -> Vec<String> {
    page["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn files_are_raw_by_branch_hash_or_prefix() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let hash = tip(&rs, &t.access, WH, "main").await;
    for rev in ["main", hash.as_str(), &hash[..7]] {
        let r = api(&rs, &t.access, &format!("{WH}/src/{rev}/README.md")).await;
        assert_eq!(r.status(), StatusCode::OK, "{rev}");
        assert!(r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        assert!(r.text().await.unwrap().starts_with("# warehouse-pipelines"));
    }
    let (status, yaml) = text(
        &rs,
        &t.access,
        &format!("{WH}/src/main/pipelines/nightly-load.orch.yaml"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(yaml.starts_with("type: \"orchestration\""));

    // A branch name with a slash.
    let lee = tokens_for(&rs, "lee").await;
    let (status, _) = text(
        &rs,
        &lee.access,
        "/repositories/lee-park/etl-jobs/src/feature/retry/jobs/daily.orch.yaml",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn directories_list_with_pagination_and_meta() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let hash = tip(&rs, &t.access, WH, "main").await;
    let (status, root) = api_json(&rs, &t.access, &format!("{WH}/src/main/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paths(&root), ["README.md", "pipelines"]);
    let readme = &root["values"][0];
    assert_eq!(readme["type"], "commit_file");
    assert!(readme["size"].as_u64().unwrap() > 0);
    assert_eq!(readme["commit"]["hash"], hash.as_str());
    assert_eq!(readme["commit"]["type"], "commit");
    let dir = &root["values"][1];
    assert_eq!(dir["type"], "commit_directory");
    assert!(dir.get("size").is_none());
    assert_eq!(root["page"], 1);
    assert_eq!(root["size"], 2);

    // Links lead somewhere real.
    let (status, listing) =
        get_url(&t.access, dir["links"]["self"]["href"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(paths(&listing).iter().all(|p| p.starts_with("pipelines/")));
    let (status, meta) =
        get_url(&t.access, readme["links"]["meta"]["href"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meta["path"], "README.md");

    // Pagination: follow `next`.
    let (_, first) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/src/main/pipelines/?pagelen=1"),
    )
    .await;
    let total = first["size"].as_u64().unwrap();
    assert!(total >= 3, "{first}");
    let mut seen = paths(&first);
    let mut next = first["next"].as_str().map(str::to_owned);
    while let Some(url) = next {
        let (status, page) = get_url(&t.access, &url).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(paths(&page));
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len() as u64, total);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    // q on the listing.
    let (_, yaml) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/src/main/pipelines/?q=path~\".yaml\""),
    )
    .await;
    assert_eq!(
        paths(&yaml),
        [
            "pipelines/nightly-load.orch.yaml",
            "pipelines/orders-clean.tran.yaml"
        ]
    );

    // format=meta on a file and a directory.
    let (status, meta) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/src/main/pipelines/orders-clean.tran.yaml?format=meta"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meta["type"], "commit_file");
    assert_eq!(meta["path"], "pipelines/orders-clean.tran.yaml");
    assert_eq!(meta["commit"]["hash"], hash.as_str());
    // `attributes` is one string of an enum in the document: none for a plain file.
    assert!(meta.get("attributes").is_none());
    assert!(meta["size"].as_u64().unwrap() > 0);
    assert!(meta.get("mimetype").is_some());
    let (_, meta) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/src/main/pipelines?format=meta"),
    )
    .await;
    assert_eq!(meta["type"], "commit_directory");
    assert_eq!(meta["path"], "pipelines");

    // No commit: a redirect to the main branch tip's root.
    let r = api(&rs, &t.access, &format!("{WH}/src?pagelen=5")).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = location(&r);
    assert!(
        loc.ends_with(&format!("{WH}/src/{hash}/?pagelen=5")),
        "{loc}"
    );
    assert_eq!(get_url(&t.access, &loc).await.0, StatusCode::OK);
}

#[tokio::test]
async fn missing_things_are_404_and_bad_formats_400() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (status, body) = api_json(&rs, &t.access, &format!("{WH}/src/main/nope.txt")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error_message(&body).contains("nope.txt"));
    let (status, body) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/src/no-such-branch/README.md"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_message(&body), "Commit not found");
    let (status, _) = api_json(&rs, &t.access, &format!("{WH}/src/0000000/README.md")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api_json(&rs, &t.access, &format!("{WH}/src/main/README.md/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/src/main/README.md?format=rendered"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api_json(&rs, &t.access, "/repositories/alex-rivera/empty-repo/src").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let nora = tokens_for(&rs, "nora").await;
    let (status, body) = api_json(&rs, &nora.access, &format!("{WH}/src/main/README.md")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_message(&body);
    let (status, _) = api_json(&rs, &t.access, &format!("{WH}/commit/0000000000")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api_json(&rs, &t.access, &format!("{WH}/commits/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_form_commit_lands_on_the_branch() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let before = tip(&rs, &t.access, WH, "main").await;
    let r = post_form(
        &rs,
        &t.access,
        WH,
        &[
            ("message", "Add a pipeline"),
            ("/pipelines/new.orch.yaml", "type: \"orchestration\"\n"),
            ("branch", "main"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(r.text().await.unwrap().is_empty());
    // The new commit is the branch's tip (the 201 names it nowhere, as documented).
    let hash = tip(&rs, &t.access, WH, "main").await;
    assert_eq!(hash.len(), 40);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));

    let (status, commit) = get_url(
        &t.access,
        &format!("{}{WH}/commit/{hash}", rs.sandbox.api_url()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(commit["hash"], hash);
    assert_eq!(commit["message"], "Add a pipeline");
    assert_eq!(commit["parents"][0]["hash"], before.as_str());
    assert_eq!(commit["author"]["user"]["nickname"], "alex");
    assert!(commit["author"]["raw"].as_str().unwrap().contains('<'));
    assert!(commit["date"].is_string());
    assert_eq!(tip(&rs, &t.access, WH, "main").await, hash);

    let (status, body) = text(
        &rs,
        &t.access,
        &format!("{WH}/src/main/pipelines/new.orch.yaml"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "type: \"orchestration\"\n");
    // Older files are still there.
    assert_eq!(
        text(&rs, &t.access, &format!("{WH}/src/main/README.md"))
            .await
            .0,
        StatusCode::OK
    );

    // History: newest first, and filtered by path.
    let (_, commits) = api_json(&rs, &t.access, &format!("{WH}/commits/main")).await;
    assert_eq!(commits["values"][0]["hash"], hash);
    assert_eq!(commits["values"][1]["hash"], before.as_str());
    let (_, touched) = api_json(
        &rs,
        &t.access,
        &format!("{WH}/commits/main?path=pipelines/new.orch.yaml"),
    )
    .await;
    assert_eq!(touched["size"], 1);
    assert_eq!(touched["values"][0]["hash"], hash);
    let (_, all) = api_json(&rs, &t.access, &format!("{WH}/commits?pagelen=100")).await;
    assert_eq!(all["size"], 6, "4 on main, 1 on develop, the new one");
    let (status, short) = api_json(&rs, &t.access, &format!("{WH}/commit/{}", &hash[..8])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(short["hash"], hash);

    // Without `branch` the commit goes to the main branch, with the default
    // message; a given author is kept as written.
    let r = post_form(
        &rs,
        &t.access,
        WH,
        &[
            ("notes.txt", "hi"),
            ("author", "Robo Tester <robo@example.org>"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let hash = tip(&rs, &t.access, WH, "main").await;
    let (_, c) = get_url(
        &t.access,
        &format!("{}{WH}/commit/{hash}", rs.sandbox.api_url()),
    )
    .await;
    assert_eq!(c["author"]["raw"], "Robo Tester <robo@example.org>");
    assert!(c["author"].get("user").is_none());
    assert!(c["message"].as_str().unwrap().contains("Bitbucket"));
    assert_eq!(
        tip(&rs, &t.access, WH, "main").await,
        c["hash"].as_str().unwrap()
    );
}

#[tokio::test]
async fn a_multipart_commit_carries_several_files_and_binary_content() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let repo = "/repositories/alex-rivera/sandbox-pipelines";
    let binary: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0, 0xff, 0xfe];
    // Field names go out raw, as `curl -F /path=@file` sends them (reqwest
    // would otherwise use RFC 2231 `name*=` for names with `/`).
    let form = Form::new()
        .percent_encode_noop()
        .text("message", "Two files")
        .text("branch", "main")
        .part(
            "/flows/a.orch.yaml",
            Part::bytes(b"type: \"orchestration\"\n".to_vec()).file_name("a.orch.yaml"),
        )
        .text("flows/b.tran.yaml", "type: \"transformation\"\n")
        .part(
            "img/logo.png",
            Part::bytes(binary.clone()).file_name("logo.png"),
        );
    let r = post_multipart(&rs, &t.access, repo, form).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let (_, listing) = api_json(&rs, &t.access, &format!("{repo}/src/main/flows/")).await;
    assert_eq!(paths(&listing), ["flows/a.orch.yaml", "flows/b.tran.yaml"]);
    let r = api(&rs, &t.access, &format!("{repo}/src/main/img/logo.png")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_TYPE], "application/octet-stream");
    assert_eq!(r.bytes().await.unwrap().to_vec(), binary);
}

#[tokio::test]
async fn stale_parents_are_409() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let old = tip(&rs, &t.access, WH, "main").await;
    let r = post_form(&rs, &t.access, WH, &[("a.txt", "1"), ("parents", &old)]).await;
    assert_eq!(r.status(), StatusCode::CREATED, "the tip as parent is fine");
    let r = post_form(
        &rs,
        &t.access,
        WH,
        &[("a.txt", "2"), ("parents", &old), ("branch", "main")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let message = error_of(r).await;
    assert!(message.contains("moved"), "{message}");
    assert_eq!(
        text(&rs, &t.access, &format!("{WH}/src/main/a.txt"))
            .await
            .1,
        "1"
    );
    let r = post_form(
        &rs,
        &t.access,
        WH,
        &[("a.txt", "3"), ("parents", "0123456789abcdef")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "unknown parent");
}

#[tokio::test]
async fn files_deletes_and_missing_deletes_are_400() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let r = post_form(
        &rs,
        &t.access,
        WH,
        &[
            ("files", "pipelines/orders-clean.tran.yaml"),
            ("files", "/README.md"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        text(&rs, &t.access, &format!("{WH}/src/main/README.md"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, listing) = api_json(&rs, &t.access, &format!("{WH}/src/main/pipelines/")).await;
    assert!(!paths(&listing).contains(&"pipelines/orders-clean.tran.yaml".to_owned()));
    let before = tip(&rs, &t.access, WH, "main").await;
    let r = post_form(&rs, &t.access, WH, &[("files", "README.md")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    error_of(r).await;
    assert_eq!(
        tip(&rs, &t.access, WH, "main").await,
        before,
        "nothing committed"
    );
}

#[tokio::test]
async fn the_first_commit_of_an_empty_repository_creates_main() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let repo = "/repositories/alex-rivera/empty-repo";
    let (_, r) = api_json(&rs, &t.access, repo).await;
    assert!(r["mainbranch"].is_null());
    let resp = post_form(&rs, &t.access, repo, &[("README.md", "# empty no more\n")]).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let hash = tip(&rs, &t.access, repo, "main").await;
    let (_, c) = get_url(
        &t.access,
        &format!("{}{repo}/commit/{hash}", rs.sandbox.api_url()),
    )
    .await;
    assert_eq!(c["parents"], serde_json::json!([]));
    let (_, r) = api_json(&rs, &t.access, repo).await;
    assert_eq!(r["mainbranch"]["name"], "main");
    assert_eq!(
        tip(&rs, &t.access, repo, "main").await,
        c["hash"].as_str().unwrap()
    );
    assert_eq!(
        api(&rs, &t.access, &format!("{repo}/src")).await.status(),
        StatusCode::FOUND
    );

    // A new branch forks from the main branch tip.
    let resp = post_form(
        &rs,
        &t.access,
        repo,
        &[("x.txt", "x"), ("branch", "feature/x")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let feature_tip = tip(&rs, &t.access, repo, "feature/x").await;
    let (_, c2) = get_url(
        &t.access,
        &format!("{}{repo}/commit/{feature_tip}", rs.sandbox.api_url()),
    )
    .await;
    assert_eq!(c2["parents"][0]["hash"], c["hash"]);
    let (_, r) = api_json(&rs, &t.access, repo).await;
    assert_eq!(r["mainbranch"]["name"], "main", "unchanged");
    assert_eq!(
        text(&rs, &t.access, &format!("{repo}/src/feature/x/README.md"))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn writing_needs_write_permission() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let r = post_form(
        &rs,
        &t.access,
        "/repositories/acme-data/finance-reports",
        &[("a.txt", "x")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    error_of(r).await;
    let r = post_form(
        &rs,
        &t.access,
        "/repositories/sam-chen/sam-sandbox",
        &[("a.txt", "x")],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "invisible, not forbidden"
    );
    let r = http()
        .post(format!("{}{WH}/src", rs.sandbox.api_url()))
        .form(&[("a.txt", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_paths_bodies_and_sizes_are_refused() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    for bad in ["../x", "a//b", "a/./b", "dir/", "//abs"] {
        let r = post_form(&rs, &t.access, WH, &[(bad, "x")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(error_of(r).await.contains("path"), "{bad}");
    }
    let r = post_form(&rs, &t.access, WH, &[("files", "../README.md")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A file where a directory is, and under a file.
    for bad in ["pipelines", "README.md/x"] {
        let r = post_form(&rs, &t.access, WH, &[(bad, "x")]).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let r = post_form(&rs, &t.access, WH, &[("a", "x"), ("branch", "bad..name")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post_form(&rs, &t.access, WH, &[("a", "x"), ("author", "no email")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post_form(&rs, &t.access, WH, &[("message", "a"), ("message", "b")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let r = http()
        .post(format!("{}{WH}/src", rs.sandbox.api_url()))
        .header(AUTHORIZATION, format!("Bearer {}", t.access))
        .json(&serde_json::json!({ "a.txt": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // 1 MiB is fine; past 10 MiB is a 413.
    let mib = "x".repeat(1024 * 1024);
    let r = post_form(&rs, &t.access, WH, &[("big.txt", &mib)]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let huge = "x".repeat(11 * 1024 * 1024);
    let r = http()
        .post(format!("{}{WH}/src", rs.sandbox.api_url()))
        .header(AUTHORIZATION, format!("Bearer {}", t.access))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("huge.txt={huge}"))
        .send()
        .await;
    // The sandbox answers before reading the body; depending on timing the
    // client sees the 413 or a reset connection, never a success.
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}

#[tokio::test]
async fn seeded_accounts_have_the_promised_shapes() {
    let rs = start().await;
    let t = tokens_for(&rs, "alex").await;
    let (_, all) = api_json(&rs, &t.access, "/repositories/alex-lab?pagelen=100").await;
    assert_eq!(all["size"], 30);
    let (_, writable) = api_json(
        &rs,
        &t.access,
        "/repositories/alex-lab?role=contributor&pagelen=100",
    )
    .await;
    assert_eq!(writable["size"], 20);
    let lee = tokens_for(&rs, "lee").await;
    let (_, mine) = api_json(&rs, &lee.access, "/repositories/lee-park?role=contributor").await;
    let values = mine["values"].as_array().unwrap();
    assert!(!values.is_empty());
    for r in values {
        let main = r["mainbranch"]["name"].as_str().unwrap();
        assert!(main == "master" || main == "trunk", "{main}");
        let slug = r["slug"].as_str().unwrap();
        let (status, _) = api_json(
            &rs,
            &lee.access,
            &format!("/repositories/lee-park/{slug}/refs/branches/main"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Every non-empty repository has a README on its main branch.
    let (status, _) = text(
        &rs,
        &t.access,
        "/repositories/acme-data/finance-reports/src/main/README.md",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// Since 4 May 2026 an access token works only in the `Authorization` header: one in the
/// query string or in a form body is refused with 401, even beside a valid header.
#[tokio::test]
async fn tokens_outside_the_authorization_header_are_refused() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    let in_query = http()
        .get(format!(
            "{}/user?access_token={}",
            rs.sandbox.api_url(),
            tokens.access
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(in_query.status(), StatusCode::UNAUTHORIZED);
    assert!(error_of(in_query).await.contains("Authorization"));
    let (status, _) = api_json(
        &rs,
        &tokens.access,
        &format!("/user?access_token={}", tokens.access),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "even beside the header");

    let head = tip(&rs, &tokens.access, WH, "main").await;
    let in_body = post_form(
        &rs,
        &tokens.access,
        WH,
        &[
            ("access_token", &tokens.access),
            ("branch", "main"),
            ("parents", &head),
            ("notes.txt", "x"),
        ],
    )
    .await;
    assert_eq!(in_body.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        tip(&rs, &tokens.access, WH, "main").await,
        head,
        "nothing committed"
    );
}

/// Atlassian's document gives the commit's 201 no body and no `Location`: the sandbox sends
/// neither, so clients must learn the new commit from the branch.
#[tokio::test]
async fn a_new_commit_answers_a_bare_201() {
    let rs = start().await;
    let tokens = tokens_for(&rs, "alex").await;
    let head = tip(&rs, &tokens.access, WH, "main").await;
    let created = post_form(
        &rs,
        &tokens.access,
        WH,
        &[
            ("branch", "main"),
            ("parents", &head),
            ("notes.txt", "x"),
            ("message", "m"),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert!(created.headers().get(LOCATION).is_none());
    assert!(created.text().await.unwrap().is_empty());
    assert_ne!(tip(&rs, &tokens.access, WH, "main").await, head);
}
