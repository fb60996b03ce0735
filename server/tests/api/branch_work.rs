//! Work on a branch, on every provider, through the same routes: the selector's branches,
//! a new branch, pipelines read and saved on it with `main` untouched, the comparison with
//! `main` and a file's diff, the provider's pull request page, and a merge or deletion on the
//! provider noticed.

use api::{
    ApiError, BranchGroup, BranchList, BranchState, Comparison, ErrorCode, FileChange, FileDiff,
    GitProvider, PipelineFile, Project,
};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_engines;
use crate::helpers::{Engine, TestApp};

const PATH: &str = "pipelines/orders.orch.yaml";
const SEEDED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: \"start\"\n";
const EDITED: &str = "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Begin:\n      type: \"start\"\n";
const BRANCH: &str = "feature/orders";

/// Where each provider's project lives in its sandbox, and how a test reaches its controls.
struct On {
    provider: GitProvider,
    group: &'static str,
    repo: &'static str,
}

const CLOUD: On = On {
    provider: GitProvider::BitbucketCloud,
    group: "acme-data",
    repo: "warehouse-pipelines",
};
const DATA_CENTER: On = On {
    provider: GitProvider::BitbucketDataCenter,
    group: "DATA",
    repo: "pipelines",
};
const GITHUB: On = On {
    provider: GitProvider::GitHub,
    group: "acme-data",
    repo: "pipelines",
};

impl On {
    async fn connected(&self, engine: Engine) -> TestApp {
        match self.provider {
            GitProvider::BitbucketCloud => TestApp::connected(engine).await,
            GitProvider::BitbucketDataCenter => TestApp::connected_to_datacenter(engine).await,
            GitProvider::GitHub => TestApp::connected_to_github(engine, "alex").await,
        }
    }

    fn control(&self, app: &TestApp) -> String {
        let base = match self.provider {
            GitProvider::BitbucketCloud => app.sandbox.url.clone(),
            GitProvider::BitbucketDataCenter => app.datacenter.url.clone(),
            GitProvider::GitHub => app.github.sandbox.base_url().to_owned(),
        };
        format!("{base}/_control")
    }

    /// The repository's names as the provider's control API takes them.
    fn repository(&self) -> Value {
        match self.provider {
            GitProvider::BitbucketCloud => {
                json!({"nickname": "alex", "workspace": self.group, "repository": self.repo})
            }
            GitProvider::BitbucketDataCenter => {
                json!({"project": self.group, "repository": self.repo})
            }
            GitProvider::GitHub => json!({"owner": self.group, "repo": self.repo}),
        }
    }

    /// Someone else's commit of `content` at [`PATH`] on `branch`.
    async fn commit_elsewhere(&self, app: &TestApp, branch: &str, content: &str) {
        self.commit_file_elsewhere(app, branch, PATH, content).await;
    }

    /// Someone else's commit of `content` at `path` on `branch`.
    async fn commit_file_elsewhere(&self, app: &TestApp, branch: &str, path: &str, content: &str) {
        let mut body = self.repository();
        let fields = body.as_object_mut().unwrap();
        fields.insert("branch".into(), json!(branch));
        match self.provider {
            GitProvider::BitbucketCloud => {
                fields.insert("files".into(), json!({ path: content }));
            }
            _ => {
                fields.insert("path".into(), json!(path));
                fields.insert("content".into(), json!(content));
            }
        }
        self.post_control(app, "commit", body).await;
    }

    /// A pull request of `branch` merged into `main` on the provider.
    async fn merge(&self, app: &TestApp, branch: &str, delete_branch: bool) {
        let mut body = self.repository();
        let fields = body.as_object_mut().unwrap();
        fields.insert("branch".into(), json!(branch));
        fields.insert("into".into(), json!("main"));
        fields.insert("delete_branch".into(), json!(delete_branch));
        self.post_control(app, "merge", body).await;
    }

    async fn post_control(&self, app: &TestApp, what: &str, body: Value) {
        let response = reqwest::Client::new()
            .post(format!("{}/{what}", self.control(app)))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "{what}: {}",
            response.text().await.unwrap()
        );
    }

    /// The provider calls the server made so far.
    fn calls(&self, app: &TestApp) -> u64 {
        match self.provider {
            GitProvider::BitbucketCloud => app.sandbox.sandbox.stats().api_requests,
            GitProvider::BitbucketDataCenter => app.datacenter.sandbox.stats().api_requests,
            GitProvider::GitHub => app.github.sandbox.stats().api_requests,
        }
    }

    async fn project(&self, app: &TestApp) -> Project {
        self.commit_elsewhere(app, "main", SEEDED).await;
        let body = json!({"name": "Orders", "configuration": "advanced",
            "repository": {"provider": self.provider, "group": self.group, "slug": self.repo}});
        let response = app.browser.post_json(api::paths::PROJECTS, &body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }
}

async fn branches(app: &TestApp, id: i64, q: &str) -> BranchList {
    let url = format!("{}?q={q}", api::paths::branches(id));
    let response = app.browser.get(&url).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn new_branch(app: &TestApp, id: i64, name: &str, from: &str) -> reqwest::Response {
    let body = json!({"name": name, "from": from});
    app.browser
        .post_json(&api::paths::branches(id), &body)
        .await
}

async fn read_on(app: &TestApp, id: i64, branch: Option<&str>) -> PipelineFile {
    let url = api::paths::pipeline_file_at(id, PATH) + &api::paths::branch_query(branch, false);
    let response = app.browser.get(&url).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn save_on(app: &TestApp, id: i64, branch: &str, base: &str) -> reqwest::Response {
    save_text_on(app, id, branch, base, EDITED).await
}

async fn save_text_on(
    app: &TestApp,
    id: i64,
    branch: &str,
    base: &str,
    content: &str,
) -> reqwest::Response {
    let body = json!({"path": PATH, "content": content, "message": "Edit orders on a branch",
                      "base_revision": base, "branch": branch});
    app.browser
        .fetch_json(Method::PUT, &api::paths::pipeline_file(id), &body)
        .await
}

async fn compare(app: &TestApp, id: i64, branch: &str) -> Comparison {
    let url = api::paths::compare(id) + &api::paths::branch_query(Some(branch), true);
    let response = app.browser.get(&url).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// One file's diff on `branch` against `main`.
async fn file_diff(app: &TestApp, id: i64, branch: &str, path: &str) -> FileDiff {
    let url = format!(
        "{}?branch={}&path={}",
        api::paths::compare_file(id),
        api::paths::encode_query_value(branch),
        api::paths::encode_query_value(path)
    );
    let response = app.browser.get(&url).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn error_of(response: reqwest::Response, status: u16) -> ApiError {
    let code = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(code, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// `$cloud`, `$data_center` and `$github`: the test `$body` on each provider's sandbox.
macro_rules! on_every_provider {
    ($body:ident => $cloud:ident, $data_center:ident, $github:ident) => {
        async fn $cloud(engine: Engine) {
            $body(CLOUD, engine).await;
        }
        async fn $data_center(engine: Engine) {
            $body(DATA_CENTER, engine).await;
        }
        async fn $github(engine: Engine) {
            $body(GITHUB, engine).await;
        }
    };
}

/// The whole path a user takes, on one provider.
async fn work_on_a_branch(on: On, engine: Engine) {
    let app = on.connected(engine).await;
    let project = on.project(&app).await;
    let id = project.id;

    // The selector: the project's branch first, then the provider's.
    let listed = branches(&app, id, "").await;
    assert_eq!(listed.branches[0].name, "main");
    assert_eq!(listed.branches[0].group, BranchGroup::Project);

    // A new branch from main; the project opens on it next time.
    let created = new_branch(&app, id, BRANCH, "main").await;
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let again = error_of(new_branch(&app, id, BRANCH, "main").await, 409).await;
    assert_eq!(again.field.as_deref(), Some("name"));
    let listed = branches(&app, id, "orders").await;
    let names: Vec<_> = listed
        .branches
        .iter()
        .map(|b| (b.name.as_str(), b.group))
        .collect();
    assert_eq!(
        names[0],
        (BRANCH, BranchGroup::Recent),
        "recent first: {names:?}"
    );
    assert!(
        names.iter().all(|(name, _)| name.contains("orders")),
        "{names:?}"
    );
    assert!(
        names[1..]
            .iter()
            .all(|(_, group)| *group == BranchGroup::Other),
        "{names:?}"
    );
    let reopened: Project = app
        .browser
        .get(&api::paths::project(id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        reopened.repository.unwrap().chosen_branch.as_deref(),
        Some(BRANCH)
    );

    // Nothing on it yet.
    let even = compare(&app, id, BRANCH).await;
    assert_eq!(
        (even.state, even.ahead, even.behind),
        (BranchState::Even, 0, 0)
    );
    assert!(even.files.is_empty() && even.pull_request_url.is_none());

    // A save on the branch leaves main as it was.
    let opened = read_on(&app, id, Some(BRANCH)).await;
    assert_eq!(opened.content, SEEDED);
    let saved = save_on(&app, id, BRANCH, &opened.revision).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    assert_eq!(read_on(&app, id, Some(BRANCH)).await.content, EDITED);
    assert_eq!(
        read_on(&app, id, None).await.content,
        SEEDED,
        "main untouched"
    );

    // The same no-lost-update rule on the branch: a stale base is refused.
    let other = EDITED.replace("Begin", "Kick off");
    let stale = save_text_on(&app, id, BRANCH, &opened.revision, &other).await;
    let stale = error_of(stale, 409).await;
    assert_eq!(stale.code, ErrorCode::PipelineChanged, "{}", stale.message);

    // Compared with main: one commit ahead, the pipeline changed, its diff, the PR page.
    let changed = compare(&app, id, BRANCH).await;
    assert_eq!(
        (changed.state, changed.ahead, changed.behind),
        (BranchState::Changed, 1, 0)
    );
    assert_eq!(changed.files.len(), 1, "{:?}", changed.files);
    assert_eq!(changed.files[0].path, PATH);
    assert_eq!(changed.files[0].change, FileChange::Modified);
    assert!(!changed.files_capped);
    assert!(changed.files[0].pipeline);
    let url = changed.pull_request_url.expect("a pull request page");
    let expected = match on.provider {
        GitProvider::BitbucketCloud => "/acme-data/warehouse-pipelines/pull-requests/new?source=feature%2Forders&dest=main",
        GitProvider::BitbucketDataCenter => "/projects/DATA/repos/pipelines/pull-requests?create&sourceBranch=refs%2Fheads%2Ffeature%2Forders&targetBranch=refs%2Fheads%2Fmain",
        GitProvider::GitHub => "/acme-data/pipelines/compare/main...feature/orders?expand=1",
    };
    assert!(url.ends_with(expected), "{url}");
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200, "the sandbox's pull request page: {url}");
    let page = page.text().await.unwrap();
    assert!(
        page.contains("feature/orders") && page.contains("main"),
        "{page}"
    );

    let diff = file_diff(&app, id, BRANCH, PATH).await;
    let lines: Vec<_> = diff.hunks.iter().flat_map(|h| &h.lines).collect();
    let added = lines
        .iter()
        .find(|l| l.kind == api::DiffLineKind::Added)
        .expect("an added line");
    assert_eq!(added.text, "    Begin:");
    assert!(lines
        .iter()
        .any(|l| l.kind == api::DiffLineKind::Removed && l.text == "    Start:"));

    // main moves on: the comparison says so.
    on.commit_file_elsewhere(&app, "main", "pipelines/other.orch.yaml", SEEDED)
        .await;
    let behind = compare(&app, id, BRANCH).await;
    assert_eq!((behind.ahead, behind.behind), (1, 1));

    // Merged on the provider: noticed; then deleted there: gone, and forgotten.
    on.merge(&app, BRANCH, false).await;
    let merged = compare(&app, id, BRANCH).await;
    assert_eq!(merged.state, BranchState::Merged, "{merged:?}");
    // Another branch, merged and deleted there ("close source branch"): gone, and forgotten.
    let other = "feature/gone";
    assert_eq!(new_branch(&app, id, other, "main").await.status(), 201);
    on.commit_elsewhere(&app, other, &EDITED.replace("Begin", "Gone"))
        .await;
    on.merge(&app, other, true).await;
    let gone = compare(&app, id, other).await;
    assert_eq!(gone.state, BranchState::Gone);
    let listed = branches(&app, id, "gone").await;
    assert!(listed.branches.is_empty(), "{:?}", listed.branches);
}

on_every_provider!(work_on_a_branch => on_cloud, on_data_center, on_github);

/// Names are Git's rule, checked before any provider call; a studio project has no branches.
async fn bad_names_and_studio_projects_are_refused(engine: Engine) {
    let app = CLOUD.connected(engine).await;
    let project = CLOUD.project(&app).await;
    let before = app.sandbox.sandbox.stats().api_requests;
    for bad in ["a..b", "-x", "a b", "x.lock", ""] {
        let refused = error_of(new_branch(&app, project.id, bad, "main").await, 422).await;
        assert_eq!(refused.field.as_deref(), Some("name"), "{bad:?}");
    }
    let refused = error_of(new_branch(&app, project.id, "ok", "a..b").await, 422).await;
    assert_eq!(refused.field.as_deref(), Some("from"));
    let url = api::paths::compare(project.id) + "?branch=a..b";
    error_of(app.browser.get(&url).await, 422).await;
    let url = api::paths::pipelines(project.id) + "?branch=a~1";
    error_of(app.browser.get(&url).await, 422).await;
    assert_eq!(
        app.sandbox.sandbox.stats().api_requests,
        before,
        "no call for a bad name"
    );

    let body = json!({"name": "Scratch", "configuration": "quick_start"});
    let studio: Project = app
        .browser
        .post_json(api::paths::PROJECTS, &body)
        .await
        .json()
        .await
        .unwrap();
    error_of(app.browser.get(&api::paths::branches(studio.id)).await, 422).await;
    let url = api::paths::pipelines(studio.id) + "?branch=feature";
    error_of(app.browser.get(&url).await, 422).await;
}

/// Another user's project is not found, whatever the branch route.
async fn branches_of_someone_elses_project_are_not_found(engine: Engine) {
    let app = CLOUD.connected(engine).await;
    let project = CLOUD.project(&app).await;
    app.browser.forget_cookies();
    app.sign_up("eve@example.com").await;
    let response = app.browser.get(&api::paths::branches(project.id)).await;
    assert_eq!(response.status(), 404);
    let response = app.browser.get(&api::paths::compare(project.id)).await;
    assert_eq!(response.status(), 404);
    let body = json!({"name": "x"});
    let response = app
        .browser
        .fetch_json(Method::PUT, &api::paths::chosen_branch(project.id), &body)
        .await;
    assert_eq!(response.status(), 404);
}

async fn list_on(app: &TestApp, id: i64, branch: Option<&str>) {
    let url = api::paths::pipelines(id) + &api::paths::branch_query(branch, true);
    let response = app.browser.get(&url).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

/// The provider calls of `list_on`.
async fn calls_to_list(on: &On, app: &TestApp, id: i64, branch: Option<&str>) -> u64 {
    let before = on.calls(app);
    list_on(app, id, branch).await;
    on.calls(app) - before
}

/// Switching to a branch made from `main`, back, and to a branch after the studio's own save
/// on it asks the provider one thing: the branch's head. What a repository holds at a commit
/// is kept, and the studio's own commit of one file is the parent's with that file changed.
async fn switching_branches_costs_the_head(on: On, engine: Engine) {
    let app = on.connected(engine).await;
    let id = on.project(&app).await.id;
    list_on(&app, id, None).await;
    assert_eq!(new_branch(&app, id, BRANCH, "main").await.status(), 201);
    assert_eq!(
        calls_to_list(&on, &app, id, Some(BRANCH)).await,
        1,
        "a branch made from main"
    );
    assert_eq!(calls_to_list(&on, &app, id, None).await, 1, "main again");
    let opened = read_on(&app, id, Some(BRANCH)).await;
    assert_eq!(
        save_on(&app, id, BRANCH, &opened.revision).await.status(),
        200
    );
    assert_eq!(
        calls_to_list(&on, &app, id, Some(BRANCH)).await,
        1,
        "after the studio's own save"
    );
    // What was listed is what the provider says.
    let url = api::paths::pipelines(id) + &api::paths::branch_query(Some(BRANCH), true);
    let list: api::PipelineList = app.browser.get(&url).await.json().await.unwrap();
    let saved = list
        .pipelines
        .iter()
        .find(|p| p.path == PATH)
        .expect("listed");
    assert_eq!(
        saved.last_change.as_ref().unwrap().message,
        "Edit orders on a branch"
    );
}

on_every_provider!(switching_branches_costs_the_head => switching_on_cloud, switching_on_data_center, switching_on_github);

/// The comparison's summary of a branch one commit ahead of an unmoved `main`, in provider
/// calls: GitHub's one compare; Cloud's commits on each side and the diffstat, the base's tip
/// read from the branch's own commits (their parent) instead of asked for; Data Center's
/// changes and the commits on each side. Neither Bitbucket document has one operation for
/// counts and files together (BENCHMARKS.md, figure 10). A file's diff after it costs the
/// diff alone.
async fn the_summary_costs_the_providers_floor(on: On, engine: Engine) {
    let app = on.connected(engine).await;
    let id = on.project(&app).await.id;
    assert_eq!(new_branch(&app, id, BRANCH, "main").await.status(), 201);
    let opened = read_on(&app, id, Some(BRANCH)).await;
    assert_eq!(
        save_on(&app, id, BRANCH, &opened.revision).await.status(),
        200
    );
    let before = on.calls(&app);
    let compared = compare(&app, id, BRANCH).await;
    assert_eq!((compared.ahead, compared.behind), (1, 0));
    assert_eq!(compared.files.len(), 1);
    let expected = match on.provider {
        GitProvider::GitHub => 1,
        _ => 3,
    };
    assert_eq!(on.calls(&app) - before, expected, "{:?}", on.provider);

    // The file's diff a moment later: the diff alone (GitHub's is in the compare it kept).
    let before = on.calls(&app);
    let diff = file_diff(&app, id, BRANCH, PATH).await;
    assert!(!diff.hunks.is_empty(), "{:?}", on.provider);
    let expected = match on.provider {
        GitProvider::GitHub => 0,
        _ => 1,
    };
    assert_eq!(
        on.calls(&app) - before,
        expected,
        "{:?}: the diff",
        on.provider
    );
}

on_every_provider!(the_summary_costs_the_providers_floor => summary_on_cloud, summary_on_data_center, summary_on_github);

/// A save on a branch someone else moved since the editor opened (another file added)
/// lands on their commit: Cloud and GitHub refuse the old parent and the studio commits
/// again on the new tip, Data Center commits on the new tip itself (the file is unchanged).
/// Either way the new commit holds their file too, so what was kept of the commit the
/// editor opened is not taken for it.
async fn a_save_on_a_moved_branch_lists_what_others_added(on: On, engine: Engine) {
    let app = on.connected(engine).await;
    let id = on.project(&app).await.id;
    assert_eq!(new_branch(&app, id, BRANCH, "main").await.status(), 201);
    list_on(&app, id, Some(BRANCH)).await;
    let opened = read_on(&app, id, Some(BRANCH)).await;
    let theirs = "pipelines/theirs.orch.yaml";
    on.commit_file_elsewhere(&app, BRANCH, theirs, SEEDED).await;
    assert_eq!(
        save_on(&app, id, BRANCH, &opened.revision).await.status(),
        200
    );
    let url = api::paths::pipelines(id) + &api::paths::branch_query(Some(BRANCH), true);
    let list: api::PipelineList = app.browser.get(&url).await.json().await.unwrap();
    let paths: Vec<&str> = list.pipelines.iter().map(|p| p.path.as_str()).collect();
    assert!(
        paths.contains(&PATH) && paths.contains(&theirs),
        "{:?}: {paths:?}",
        on.provider
    );
}

on_every_provider!(a_save_on_a_moved_branch_lists_what_others_added => moved_branch_on_cloud, moved_branch_on_data_center, moved_branch_on_github);

async fn keep_draft(app: &TestApp, id: i64, branch: Option<&str>, content: &str) {
    let url = api::paths::pipeline_draft(id, Some(PATH), branch);
    let draft = json!({"path": PATH, "content": content, "base_revision": null, "message": ""});
    let response = app.browser.fetch_json(Method::PUT, &url, &draft).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}

async fn draft_on(app: &TestApp, id: i64, branch: Option<&str>) -> Option<String> {
    let url = api::paths::pipeline_draft(id, Some(PATH), branch);
    let kept: Option<api::SavedPipelineDraft> = app.browser.get(&url).await.json().await.unwrap();
    kept.map(|kept| kept.draft.content)
}

/// A pipeline's unsaved text on a branch is not its text on main: each editor gets back its
/// own, and a save on the branch ends only the branch's.
async fn unsaved_text_is_kept_per_branch(engine: Engine) {
    let app = CLOUD.connected(engine).await;
    let id = CLOUD.project(&app).await.id;
    assert_eq!(new_branch(&app, id, BRANCH, "main").await.status(), 201);
    keep_draft(&app, id, None, "# typed on main").await;
    keep_draft(&app, id, Some(BRANCH), "# typed on the branch").await;
    assert_eq!(
        draft_on(&app, id, None).await.as_deref(),
        Some("# typed on main")
    );
    assert_eq!(
        draft_on(&app, id, Some("main")).await.as_deref(),
        Some("# typed on main")
    );
    assert_eq!(
        draft_on(&app, id, Some(BRANCH)).await.as_deref(),
        Some("# typed on the branch")
    );
    let opened = read_on(&app, id, Some(BRANCH)).await;
    assert_eq!(
        save_on(&app, id, BRANCH, &opened.revision).await.status(),
        200
    );
    assert_eq!(draft_on(&app, id, Some(BRANCH)).await, None, "saved: over");
    assert_eq!(
        draft_on(&app, id, None).await.as_deref(),
        Some("# typed on main")
    );
    let url = api::paths::pipeline_draft(id, Some(PATH), Some("a..b"));
    assert_eq!(app.browser.get(&url).await.status(), 422);
}

/// A branch changing more files than Cloud's diffstat lists on a page (500) says its list is
/// a first page, instead of passing it off as every change.
async fn more_changed_files_than_listed_are_said(engine: Engine) {
    let app = CLOUD.connected(engine).await;
    let id = CLOUD.project(&app).await.id;
    assert_eq!(new_branch(&app, id, BRANCH, "main").await.status(), 201);
    let files: serde_json::Map<String, Value> = (0..501)
        .map(|n| (format!("bulk/f{n}.txt"), json!("x\n")))
        .collect();
    let mut body = CLOUD.repository();
    body["branch"] = json!(BRANCH);
    body["files"] = Value::Object(files);
    CLOUD.post_control(&app, "commit", body).await;
    let compared = compare(&app, id, BRANCH).await;
    assert_eq!(compared.files.len(), 500);
    assert!(compared.files_capped);
}

both_engines!(
    more_changed_files_than_listed_are_said,
    unsaved_text_is_kept_per_branch,
    switching_on_cloud,
    switching_on_data_center,
    switching_on_github,
    moved_branch_on_cloud,
    summary_on_cloud,
    summary_on_data_center,
    summary_on_github,
    moved_branch_on_data_center,
    moved_branch_on_github,
    on_cloud,
    on_data_center,
    on_github,
    bad_names_and_studio_projects_are_refused,
    branches_of_someone_elses_project_are_not_found,
);
