//! `GET …/src/{commit}/{path}`: a directory (`paginated_treeentries`), its
//! `format=meta` (`commit_file` for a file; for a directory the document's
//! `commit_directory` is not in the subset, so its base `treeentry` is
//! used), a raw file (not JSON: status and content type only); and `POST
//! …/src` (201 with no body defined; 403, 404, and the undocumented 409).

use reqwest::multipart::{Form, Part};

use crate::common::*;

const READ: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/src/{commit}/{path}",
);
const WRITE: Op = op("post", "/repositories/{workspace}/{repo_slug}/src");
const BRANCH: Op = op(
    "get",
    "/repositories/{workspace}/{repo_slug}/refs/branches/{name}",
);

const REPO: &str = "/repositories/acme-data/warehouse-pipelines";

async fn main_tip(c: &Contract, repo: &str) -> Option<String> {
    let answer = c
        .get(Some(&c.alex), &format!("{repo}/refs/branches/main"))
        .await;
    c.documented(BRANCH, &answer, 200)
        .and_then(|b| b["target"]["hash"].as_str().map(str::to_owned))
}

/// A commit as the studio sends it: multipart, one part per file named by its
/// path (with a file name), plus `message`, `branch`, `parents`.
async fn commit(c: &Contract, repo: &str, parent: &str, path: &str, content: &str) -> Answer {
    let form = Form::new()
        .percent_encode_noop()
        .text("message", "Contract test commit")
        .text("branch", "main")
        .text("parents", parent.to_owned())
        .part(
            path.to_owned(),
            Part::text(content.to_owned()).file_name(path.rsplit('/').next().unwrap().to_owned()),
        );
    c.send(
        Some(&c.alex),
        http()
            .post(format!("{}{repo}/src", c.api_url()))
            .multipart(form),
    )
    .await
}

#[tokio::test]
async fn directories_are_paginated_tree_entries() {
    let c = Contract::start().await;
    let Some(tip) = main_tip(&c, REPO).await else {
        c.finish().await;
        return;
    };
    // The root and a folder, as the studio lists them (trailing slash, pagelen=100).
    for folder in ["", "pipelines/"] {
        let answer = c
            .get(
                Some(&c.alex),
                &format!("{REPO}/src/{tip}/{folder}?pagelen=100"),
            )
            .await;
        if let Some(page) = c.documented(READ, &answer, 200) {
            c.expect(!values(&page).is_empty(), || {
                format!("{}: empty", answer.request)
            });
            for v in values(&page) {
                let kind = v["type"].as_str().unwrap_or("");
                c.expect(kind == "commit_file" || kind == "commit_directory", || {
                    format!("{}: entry type {kind:?}", answer.request)
                });
            }
        }
    }
    // A second page by `next`.
    let answer = c
        .get(
            Some(&c.alex),
            &format!("{REPO}/src/{tip}/pipelines/?pagelen=1"),
        )
        .await;
    if let Some(first) = c.documented(READ, &answer, 200) {
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&c.alex, &next).await;
            c.documented(READ, &answer, 200);
        }
    }
    // Unknown path, unknown commit: 404.
    for path in [
        format!("{REPO}/src/{tip}/no-such-dir/"),
        format!("{REPO}/src/{tip}/no-such-file.yaml"),
        format!("{REPO}/src/0000000000/README.md"),
    ] {
        let answer = c.get(Some(&c.alex), &path).await;
        c.documented(READ, &answer, 404);
    }
    c.finish().await;
}

#[tokio::test]
async fn meta_and_raw_files() {
    let c = Contract::start().await;
    let Some(tip) = main_tip(&c, REPO).await else {
        c.finish().await;
        return;
    };
    for file in ["README.md", "pipelines/nightly-load.orch.yaml"] {
        let answer = c
            .get(
                Some(&c.alex),
                &format!("{REPO}/src/{tip}/{file}?format=meta"),
            )
            .await;
        if let Some(meta) = c.against(&answer, 200, "commit_file") {
            c.expect(
                meta["type"] == "commit_file" && meta["path"] == file,
                || format!("{}: {meta}", answer.request),
            );
        }
    }
    let answer = c
        .get(
            Some(&c.alex),
            &format!("{REPO}/src/{tip}/pipelines?format=meta"),
        )
        .await;
    if let Some(meta) = c.against(&answer, 200, "treeentry") {
        c.expect(meta["type"] == "commit_directory", || {
            format!("{}: {meta}", answer.request)
        });
    }

    // A raw file is its bytes, not JSON.
    let answer = c
        .get(
            Some(&c.alex),
            &format!("{REPO}/src/{tip}/pipelines/nightly-load.orch.yaml"),
        )
        .await;
    c.expect(answer.status.as_u16() == 200, || {
        format!("{} → {}", answer.request, answer.status)
    });
    c.expect(answer.content_type().starts_with("text/plain"), || {
        format!(
            "{}: Content-Type {:?}",
            answer.request,
            answer.content_type()
        )
    });
    c.expect(answer.body.starts_with(b"type: \"orchestration\""), || {
        format!("{}: unexpected bytes", answer.request)
    });
    c.finish().await;
}

#[tokio::test]
async fn commits_are_201_without_a_body() {
    let c = Contract::start().await;
    let Some(tip) = main_tip(&c, REPO).await else {
        c.finish().await;
        return;
    };
    let answer = commit(
        &c,
        REPO,
        &tip,
        "pipelines/contract.orch.yaml",
        "type: \"orchestration\"\n",
    )
    .await;
    c.documented(WRITE, &answer, 201);
    // The document defines no body for 201: the studio must not need one.
    c.expect(answer.body.is_empty(), || {
        format!(
            "{}: 201 with a body: {:?}",
            answer.request,
            String::from_utf8_lossy(&answer.body)
        )
    });

    // The old tip is no longer the tip: 409, which the document does not list.
    let answer = commit(&c, REPO, &tip, "pipelines/late.orch.yaml", "x: 1\n").await;
    c.undocumented(WRITE, &answer, 409);

    // Read-only: 403; no such repository: 404.
    if let Some(ro_tip) = main_tip(&c, "/repositories/acme-data/finance-reports").await {
        let answer = commit(
            &c,
            "/repositories/acme-data/finance-reports",
            &ro_tip,
            "a.yaml",
            "a",
        )
        .await;
        c.documented(WRITE, &answer, 403);
    }
    let answer = commit(
        &c,
        "/repositories/acme-data/no-such-repo",
        &tip,
        "a.yaml",
        "a",
    )
    .await;
    c.documented(WRITE, &answer, 404);

    // The first commit of an empty repository, as a form, as the studio makes it.
    let answer = c
        .send(
            Some(&c.alex),
            http()
                .post(format!(
                    "{}/repositories/alex-rivera/empty-repo/src",
                    c.api_url()
                ))
                .form(&[
                    ("README.md", "# empty-repo\n"),
                    ("message", "Create the main branch for Pipeline Studio"),
                    ("branch", "main"),
                ]),
        )
        .await;
    c.documented(WRITE, &answer, 201);
    main_tip(&c, "/repositories/alex-rivera/empty-repo").await;
    c.finish().await;
}
