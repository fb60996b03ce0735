//! Figure 10: provider calls for work on a branch (issue 31), on every provider, counted by
//! each provider's sandbox: opening the branch list, a new branch, switching to it and back,
//! the comparison's summary, and one file's diff. The project holds three pipelines on
//! `main`, and its page (the pipelines on `main`) was read first, as a user arrives there.
//! The counts are the same every run, so one run is measured.

use std::collections::BTreeMap;

use api::GitProvider;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::github::Consent;
use crate::helpers::{spawn_app_with, Engine, Options, TestApp};
use crate::report::{verdict_at_most, Table};
use crate::Config;

/// Issue 31: switching branch at most 2 calls, the comparison's summary at most 1.
const SWITCH_BUDGET: f64 = 2.0;
const SUMMARY_BUDGET: f64 = 1.0;
const BRANCH: &str = "feature/faster-orders";
const PIPELINES: [&str; 3] = [
    "pipelines/orders.orch.yaml",
    "pipelines/customers.orch.yaml",
    "pipelines/clean.tran.yaml",
];

struct On {
    provider: GitProvider,
    label: &'static str,
    group: &'static str,
    repo: &'static str,
}

const PROVIDERS: [On; 3] = [
    On {
        provider: GitProvider::BitbucketCloud,
        label: "Bitbucket Cloud",
        group: "acme-data",
        repo: "warehouse-pipelines",
    },
    On {
        provider: GitProvider::BitbucketDataCenter,
        label: "Bitbucket Data Center",
        group: "DATA",
        repo: "pipelines",
    },
    On {
        provider: GitProvider::GitHub,
        label: "GitHub",
        group: "acme-data",
        repo: "pipelines",
    },
];

fn pipeline(path: &str) -> String {
    let kind = if path.ends_with(".tran.yaml") {
        "transformation"
    } else {
        "orchestration"
    };
    format!("type: \"{kind}\"\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: \"start\"\n")
}

impl On {
    fn stats(&self, app: &TestApp) -> (u64, BTreeMap<String, u64>) {
        match self.provider {
            GitProvider::BitbucketCloud => {
                let s = app.sandbox.sandbox.stats();
                (s.api_requests, s.api_requests_by_endpoint)
            }
            GitProvider::BitbucketDataCenter => {
                let s = app.datacenter.sandbox.stats();
                (s.api_requests, s.api_requests_by_endpoint)
            }
            GitProvider::GitHub => {
                let s = app.github.sandbox.stats();
                (s.api_requests, s.api_requests_by_endpoint)
            }
        }
    }

    async fn connect(&self, app: &TestApp) {
        match self.provider {
            GitProvider::BitbucketCloud => {
                app.authorize_on(&app.browser, "Alex Rivera", "Grant access")
                    .await;
            }
            GitProvider::BitbucketDataCenter => {
                app.authorize_datacenter(&app.browser, "alex", "Allow")
                    .await;
            }
            GitProvider::GitHub => {
                app.authorize_github(&app.browser, "alex", Consent::Authorize)
                    .await;
            }
        }
    }

    /// The three pipelines committed on `main` by a colleague.
    async fn seed(&self, app: &TestApp) {
        for path in PIPELINES {
            let (url, body) = match self.provider {
                GitProvider::BitbucketCloud => (
                    format!("{}/_control/commit", app.sandbox.url),
                    json!({"nickname": "alex", "workspace": self.group, "repository": self.repo,
                           "files": {path: pipeline(path)}}),
                ),
                GitProvider::BitbucketDataCenter => (
                    format!("{}/_control/commit", app.datacenter.url),
                    json!({"project": self.group, "repository": self.repo, "branch": "main",
                           "path": path, "content": pipeline(path)}),
                ),
                GitProvider::GitHub => (
                    format!("{}/_control/commit", app.github.sandbox.base_url()),
                    json!({"owner": self.group, "repo": self.repo, "branch": "main",
                           "path": path, "content": pipeline(path)}),
                ),
            };
            let answer = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = answer.status();
            // A file the seed holds already with this text is refused by Data Center: fine.
            assert!(
                status.is_success() || status == 400,
                "seeding {path}: {status}"
            );
        }
    }
}

/// One measured step: its label, the calls, and by endpoint.
type Step = (&'static str, u64, BTreeMap<String, u64>, Option<f64>);

async fn counted(
    on: &On,
    app: &TestApp,
    label: &'static str,
    budget: Option<f64>,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Step {
    let (before, by_before) = on.stats(app);
    let response = match body {
        Some(body) => app.browser.fetch_json(method, url, &body).await,
        None => app.browser.get(url).await,
    };
    let status = response.status();
    assert!(
        status.is_success(),
        "{label}: {status} {}",
        response.text().await.unwrap()
    );
    let (after, by_after) = on.stats(app);
    let by: BTreeMap<String, u64> = by_after
        .into_iter()
        .filter_map(|(endpoint, n)| {
            let added = n - by_before.get(&endpoint).copied().unwrap_or(0);
            (added > 0).then_some((endpoint, added))
        })
        .collect();
    (label, after - before, by, budget)
}

async fn steps(on: &On, app: &TestApp) -> Vec<Step> {
    on.connect(app).await;
    on.seed(app).await;
    let body = json!({"name": format!("Branches on {}", on.label), "configuration": "advanced",
        "repository": {"provider": on.provider, "group": on.group, "slug": on.repo}});
    let project: Value = app
        .browser
        .post_json(api::paths::PROJECTS, &body)
        .await
        .json()
        .await
        .unwrap();
    let id = project["id"].as_i64().expect("a project");
    let on_branch =
        |branch: Option<&str>| api::paths::pipelines(id) + &api::paths::branch_query(branch, true);
    // The project page, as the user arrives: the pipelines on main.
    app.browser.get(&on_branch(None)).await;
    let compare = api::paths::compare(id) + &api::paths::branch_query(Some(BRANCH), true);
    let mut steps = vec![
        counted(
            on,
            app,
            "open the branch list",
            None,
            Method::GET,
            &api::paths::branches(id),
            None,
        )
        .await,
        counted(
            on,
            app,
            "New branch from main",
            None,
            Method::POST,
            &api::paths::branches(id),
            Some(json!({"name": BRANCH, "from": "main"})),
        )
        .await,
        counted(
            on,
            app,
            "switch to the new branch (its pipelines)",
            Some(SWITCH_BUDGET),
            Method::GET,
            &on_branch(Some(BRANCH)),
            None,
        )
        .await,
        counted(
            on,
            app,
            "comparison summary (nothing on it yet)",
            Some(SUMMARY_BUDGET),
            Method::GET,
            &compare,
            None,
        )
        .await,
    ];
    // A save on the branch, as the editor makes it (not counted: today's save).
    let file = api::paths::pipeline_file_at(id, PIPELINES[0])
        + &api::paths::branch_query(Some(BRANCH), false);
    let opened: Value = app.browser.get(&file).await.json().await.unwrap();
    let save = json!({"path": PIPELINES[0], "content": pipeline(PIPELINES[0]).replace("Start", "Begin"),
        "message": "Faster orders", "base_revision": opened["revision"], "branch": BRANCH});
    let saved = app
        .browser
        .fetch_json(Method::PUT, &api::paths::pipeline_file(id), &save)
        .await;
    assert!(saved.status().is_success(), "the save on the branch");
    let diff = format!(
        "{}?branch={}&path={}",
        api::paths::compare_file(id),
        api::paths::encode_query_value(BRANCH),
        api::paths::encode_query_value(PIPELINES[0])
    );
    steps.extend([
        counted(
            on,
            app,
            "switch to main",
            Some(SWITCH_BUDGET),
            Method::GET,
            &on_branch(None),
            None,
        )
        .await,
        counted(
            on,
            app,
            "switch to the branch after a save on it",
            Some(SWITCH_BUDGET),
            Method::GET,
            &on_branch(Some(BRANCH)),
            None,
        )
        .await,
        counted(
            on,
            app,
            "comparison summary (one commit ahead)",
            Some(SUMMARY_BUDGET),
            Method::GET,
            &compare,
            None,
        )
        .await,
        counted(
            on,
            app,
            "a changed file's diff",
            None,
            Method::GET,
            &diff,
            None,
        )
        .await,
    ]);
    steps
}

pub async fn run(config: &Config) -> Table {
    let _ = config;
    let mut table = Table::new(
        "10. Provider calls for work on a branch",
        "switching branch ≤ 2 calls, the comparison's summary ≤ 1, on every provider",
        &[
            "provider",
            "step",
            "provider calls",
            "by endpoint",
            "budget",
        ],
    );
    for on in &PROVIDERS {
        let app = spawn_app_with(Engine::Sqlite, Options::default()).await;
        app.sign_up("branches@example.com").await;
        for (label, calls, by, budget) in steps(on, &app).await {
            let by = by
                .iter()
                .map(|(endpoint, n)| format!("{endpoint} × {n}"))
                .collect::<Vec<_>>()
                .join("; ");
            let verdict = match budget {
                Some(budget) => format!(
                    "≤ {budget:.0}: {}",
                    verdict_at_most(calls as f64, budget, "calls")
                ),
                None => "no budget".to_owned(),
            };
            table.row(vec![
                on.label.to_owned(),
                label.to_owned(),
                calls.to_string(),
                by,
                verdict,
            ]);
        }
    }
    table.note("Counted by each provider's sandbox: every call the server made to the provider's API for that one request. The project's three pipelines were listed on main first (the project page as the user arrives). A save on the branch, made between the two halves as the editor makes it, is not counted (it costs what a save on main costs).");
    table.note("Switching branch is the pipelines list on that branch. What a repository holds at a commit (its pipelines' paths, each one's last change, the commit itself) never changes and is kept, so a branch made from main costs only its head; after the studio's own save the new commit is the parent's with one file changed, so it is kept as well. A commit made elsewhere costs its listing and each pipeline's last change once. Data Center commits a save on whatever the branch's tip is when the file is unchanged; its answer names the parent it used (`RestCommit.parents`), and what is kept of that parent is taken only when the studio had listed it.");
    table.note("The comparison's summary: GitHub answers counts and files in one compare call. Bitbucket has no one call for both: Cloud's are the commits on each side (`commits?include=&exclude=`, asked at once) and, when the branch has commits, the diffstat between the two tips (its `spec` takes commits, per Atlassian's document; the base's tip is the newest commit behind or, with none behind, the one parent the branch's own commits were made on, so it is not asked for); Data Center's are `compare/changes` and `compare/commits` both ways, asked at once. So a summary with counts and files costs 3 calls on either Bitbucket, the floor their documents allow, against the budget's 1.");
    table
}
