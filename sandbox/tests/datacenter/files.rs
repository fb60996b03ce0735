//! Reading: `browse` (files and directories), `raw`, `files`, `last-modified`, `commits`.

use serde_json::json;

use crate::common::*;

const BROWSE_ROOT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse",
);
const BROWSE: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}",
);
const RAW: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/raw/{path}",
);
const FILES_ROOT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/files",
);
const FILES: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/files/{path}",
);
const LAST_MODIFIED: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/last-modified/{path}",
);
const LAST_MODIFIED_ROOT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/last-modified",
);
const COMMITS: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/commits",
);
const COMMIT: Op = op(
    "GET",
    "/api/latest/projects/{projectKey}/repos/{repositorySlug}/commits/{commitId}",
);

const PIPELINES: &str = "/api/latest/projects/DATA/repos/pipelines";
const YAML: &str = "pipelines/orders.orch.yaml";

#[tokio::test]
async fn browsing_a_directory_and_a_file() {
    let dc = Dc::start().await;
    let a = dc.get(Some(&dc.alex), &format!("{PIPELINES}/browse")).await;
    dc.unschematized(BROWSE_ROOT, &a, 200);
    let root = a.json().unwrap();
    assert_eq!(root["path"]["toString"], "");
    assert_eq!(root["revision"], "main");
    let children = &root["children"];
    assert_eq!(
        (children["size"].as_u64(), children["isLastPage"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(
        children["values"][0],
        json!({"path": {"components": ["pipelines"], "parent": "", "name": "pipelines", "toString": "pipelines"}, "type": "DIRECTORY"})
    );
    let readme = &children["values"][1];
    assert_eq!(
        (readme["type"].as_str(), readme["path"]["name"].as_str()),
        (Some("FILE"), Some("README.md"))
    );
    assert_eq!(readme["path"]["extension"], "md");
    assert!(readme["size"].as_u64().unwrap() > 0);
    assert_eq!(readme["contentId"].as_str().unwrap().len(), 40);

    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/browse/pipelines/"))
        .await;
    dc.unschematized(BROWSE, &a, 200);
    let dir = a.json().unwrap();
    assert_eq!(dir["path"]["toString"], "pipelines");
    assert_eq!(
        dir["children"]["values"][0]["path"]["toString"], "orders.orch.yaml",
        "child paths are relative"
    );

    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/{YAML}?at=refs/heads/main"),
        )
        .await;
    dc.unschematized(BROWSE, &a, 200);
    let file = a.json().unwrap();
    assert_eq!(file["lines"][0], json!({"text": "type: \"orchestration\""}));
    assert_eq!(file["start"], 0);
    assert_eq!(file["isLastPage"], true);
    let total = file["size"].as_u64().unwrap();
    assert_eq!(total as usize, file["lines"].as_array().unwrap().len());
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/{YAML}?start=2&limit=3"),
        )
        .await;
    let page = a.json().unwrap();
    assert_eq!(
        (page["start"].as_u64(), page["size"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(page["isLastPage"], false);
    assert_eq!(page["nextPageStart"], 5);
    assert_eq!(page["lines"][0], file["lines"][2]);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/{YAML}?type=true"),
        )
        .await;
    assert_eq!(a.json().unwrap(), json!({"type": "FILE"}));
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/pipelines?type=true"),
        )
        .await;
    assert_eq!(a.json().unwrap(), json!({"type": "DIRECTORY"}));
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/README.md?size=true&type=true"),
        )
        .await;
    assert!(
        a.json().unwrap()["size"].as_u64().unwrap() > 0,
        "size wins over type"
    );

    // At the first commit the pipeline was not there yet.
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/commits?limit=100"))
        .await;
    let first = values(&dc.documented(COMMITS, &a, 200).unwrap())
        .last()
        .unwrap()["id"]
        .clone();
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/{YAML}?at={}", first.as_str().unwrap()),
        )
        .await;
    let e = dc.documented(BROWSE, &a, 404).unwrap();
    assert_eq!(
        e["errors"][0]["exceptionName"],
        "com.atlassian.bitbucket.content.NoSuchPathException"
    );
    for missing in [
        "browse/nope.txt",
        "browse/README.md?at=nope",
        "browse/README.md/x",
    ] {
        let a = dc
            .get(Some(&dc.alex), &format!("{PIPELINES}/{missing}"))
            .await;
        dc.documented(BROWSE, &a, 404);
    }
    // A `..` segment (sent encoded: clients normalise a literal one away).
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/browse/a%2F..%2FREADME.md"),
        )
        .await;
    dc.documented(BROWSE, &a, 400);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/empty-repo/browse",
        )
        .await;
    dc.documented(BROWSE_ROOT, &a, 404);
    let a = dc.get(None, &format!("{PIPELINES}/browse")).await;
    dc.documented(BROWSE_ROOT, &a, 401);
    // The warehouse's files live on master, its default.
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/warehouse/browse/models",
        )
        .await;
    assert_eq!(a.json().unwrap()["revision"], "master");
    dc.finish().await;
}

#[tokio::test]
async fn raw_content_and_file_lists() {
    let dc = Dc::start().await;
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/raw/README.md"))
        .await;
    dc.unschematized(RAW, &a, 200);
    assert!(
        a.content_type().starts_with("text/plain"),
        "{}",
        a.content_type()
    );
    assert_eq!(
        a.text(),
        "# pipelines\n\nSeeded by the Bitbucket Data Center sandbox.\n"
    );
    assert_eq!(
        Some(a.text()),
        dc.rs
            .sandbox
            .file_on_branch("DATA", "pipelines", "main", "README.md")
    );
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/raw/pipelines"))
        .await;
    dc.documented(RAW, &a, 404);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/raw/README.md?at=nope"),
        )
        .await;
    dc.documented(RAW, &a, 404);
    let a = dc.get(None, &format!("{PIPELINES}/raw/README.md")).await;
    dc.documented(RAW, &a, 401);

    let a = dc.get(Some(&dc.alex), &format!("{PIPELINES}/files")).await;
    let page = dc.documented(FILES_ROOT, &a, 200).unwrap();
    assert_eq!(values(&page), [json!("README.md"), json!(YAML)]);
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/files?limit=1"))
        .await;
    let page = dc.documented(FILES_ROOT, &a, 200).unwrap();
    assert_eq!(
        (page["size"].as_u64(), page["nextPageStart"].as_u64()),
        (Some(1), Some(1))
    );
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/files/pipelines"))
        .await;
    assert_eq!(
        values(&dc.documented(FILES, &a, 200).unwrap()),
        [json!("orders.orch.yaml")]
    );
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/files/README.md"))
        .await;
    dc.documented(FILES, &a, 400);
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/files/nope"))
        .await;
    dc.documented(FILES, &a, 404);
    dc.finish().await;
}

#[tokio::test]
async fn history_commits_and_last_modified() {
    let dc = Dc::start().await;
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/commits"))
        .await;
    let page = dc.documented(COMMITS, &a, 200).unwrap();
    let commits = values(&page);
    assert_eq!(commits.len(), 2);
    assert_eq!(commits[0]["message"], "Add the orders pipeline");
    assert_eq!(commits[0]["parents"][0]["id"], commits[1]["id"]);
    assert_eq!(commits[0]["displayId"].as_str().unwrap().len(), 11);
    assert_eq!(commits[0]["author"]["name"], "Alex Rivera");
    assert!(
        commits[0]["authorTimestamp"].as_i64().unwrap()
            > commits[1]["authorTimestamp"].as_i64().unwrap()
    );
    let newest = commits[0]["id"].as_str().unwrap().to_owned();
    let oldest = commits[1]["id"].as_str().unwrap().to_owned();

    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/commits?path=README.md"),
        )
        .await;
    assert_eq!(
        values(&dc.documented(COMMITS, &a, 200).unwrap())[0]["id"],
        oldest.as_str()
    );
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/commits?until=feature/orders-v2"),
        )
        .await;
    assert_eq!(dc.documented(COMMITS, &a, 200).unwrap()["size"], 1);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/commits?since={oldest}"),
        )
        .await;
    assert_eq!(values(&dc.documented(COMMITS, &a, 200).unwrap()).len(), 1);
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/commits?until=nope"))
        .await;
    dc.documented(COMMITS, &a, 400);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/empty-repo/commits",
        )
        .await;
    assert_eq!(dc.documented(COMMITS, &a, 200).unwrap()["size"], 0);
    let a = dc
        .get(
            Some(&dc.alex),
            "/api/latest/projects/DATA/repos/nope/commits",
        )
        .await;
    dc.documented(COMMITS, &a, 404);

    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/commits/{newest}"))
        .await;
    assert_eq!(
        dc.documented(COMMIT, &a, 200).unwrap()["id"],
        newest.as_str()
    );
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/commits/{}", &newest[..12]),
        )
        .await;
    assert_eq!(
        dc.documented(COMMIT, &a, 200).unwrap()["id"],
        newest.as_str()
    );
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/commits/{newest}?path=README.md"),
        )
        .await;
    assert_eq!(
        dc.documented(COMMIT, &a, 200).unwrap()["id"],
        oldest.as_str()
    );
    let a = dc
        .get(Some(&dc.alex), &format!("{PIPELINES}/commits/main"))
        .await;
    dc.documented(COMMIT, &a, 400);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/commits/{}", "0".repeat(40)),
        )
        .await;
    dc.documented(COMMIT, &a, 404);
    let a = dc.get(None, &format!("{PIPELINES}/commits/{newest}")).await;
    dc.undocumented(COMMIT, &a, 401);

    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/last-modified?at=main"),
        )
        .await;
    let lm = dc.documented(LAST_MODIFIED_ROOT, &a, 200).unwrap();
    assert_eq!(lm["latestCommit"]["id"], newest.as_str());
    assert_eq!(lm["files"]["README.md"]["id"], oldest.as_str());
    assert_eq!(lm["files"]["pipelines"]["id"], newest.as_str());
    dc.against(&a, "RestCommit", &lm["files"]["README.md"]);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/last-modified/pipelines?at=main"),
        )
        .await;
    let lm = dc.documented(LAST_MODIFIED, &a, 200).unwrap();
    assert_eq!(lm["files"]["orders.orch.yaml"]["id"], newest.as_str());
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/last-modified/pipelines"),
        )
        .await;
    dc.documented(LAST_MODIFIED, &a, 400);
    let a = dc
        .get(
            Some(&dc.alex),
            &format!("{PIPELINES}/last-modified/nope?at=main"),
        )
        .await;
    dc.documented(LAST_MODIFIED, &a, 404);
    dc.finish().await;
}
