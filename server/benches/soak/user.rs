//! One simulated user, as the app would drive the server: sign up through the mailed link,
//! connect Bitbucket through the sandbox's real OAuth pages, then until the deadline open
//! the picker, search, create projects, and create, edit and delete pipelines (with a
//! colleague's commit pushed meanwhile now and then), signing out and in again at times.
//!
//! Every answer is classified ([`Outcome`]); nothing here panics on an answer the studio
//! should not have given: it is counted, and the user carries on as a person would (signs in
//! again, reconnects, re-reads the file).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

use crate::cluster::Cluster;
use crate::helpers::{form_with_button, Browser, PASSWORD};
use crate::place::Place;
use crate::tally::{Known, Outcome, SeenFailure, Tally};

/// The client gives up after this; the report lists any request slower than 30 s.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(35);
/// Pipelines each user keeps in the shared repository (its own paths: users never write
/// each other's files, so every file has one writer and one expected content).
const FILES_PER_USER: usize = 3;

pub struct User {
    n: usize,
    /// The provider, repository and account this user works in.
    place: Place,
    email: String,
    browser: Browser,
    cluster: Arc<Cluster>,
    tally: Arc<Tally>,
    rng: StdRng,
    started: Instant,
    project: Option<i64>,
    projects_made: usize,
    version: u64,
    files: Vec<(String, Known)>,
    /// Whether each file was ever written (by a save or a colleague).
    written: Vec<bool>,
    /// The branch this user works on: half of the users keep a branch of their own
    /// (`soak/u{n}`, created from `main` in each new project), the others work on `main`.
    branch: Option<String>,
    /// Whether the user's branch exists in the current project.
    branch_ready: bool,
}

/// One answer, read whole.
struct Answer {
    status: Option<u16>,
    body: String,
    location: Option<String>,
}

impl Answer {
    fn unanswered() -> Answer {
        Answer {
            status: None,
            body: String::new(),
            location: None,
        }
    }

    fn code(&self) -> String {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    fn is(&self, status: u16) -> bool {
        self.status == Some(status)
    }
}

/// What the user should do after an answer it did not hope for.
enum Next {
    Carry,
    SignIn,
    Connect,
    /// An outage: wait a moment.
    Pause,
}

impl User {
    pub fn new(n: usize, cluster: Arc<Cluster>, tally: Arc<Tally>, started: Instant) -> User {
        // A cookie jar of the user's own.
        let browser = Browser::new(&cluster.app.url);
        User {
            n,
            place: Place::of_user(n),
            email: format!("soak-{n}-{}@example.com", rand::random::<u32>()),
            browser,
            cluster,
            tally,
            rng: StdRng::seed_from_u64(n as u64),
            started,
            project: None,
            projects_made: 0,
            version: 0,
            files: (0..FILES_PER_USER)
                .map(|k| (format!("pipelines/soak/u{n}-{k}.orch.yaml"), Known::Deleted))
                .collect(),
            written: vec![false; FILES_PER_USER],
            branch: (n % 2 == 1).then(|| format!("soak/u{n}")),
            branch_ready: false,
        }
    }

    /// The branch the user's pipelines are on, as the pipeline routes and bodies name it.
    fn on_branch(&self) -> &str {
        self.branch.as_deref().unwrap_or(api::PROJECT_BRANCH)
    }

    /// Creates the user's branch in the project, once (a 409 means it exists already: a
    /// create whose answer was lost, or another instance).
    async fn make_branch(&mut self, project: i64) -> Result<(), Next> {
        if self.branch_ready || self.branch.is_none() {
            return Ok(());
        }
        let body = json!({"name": self.on_branch(), "from": api::PROJECT_BRANCH});
        let answer = self
            .call(
                "branch create",
                Method::POST,
                &api::paths::branches(project),
                Some(&body),
            )
            .await;
        if answer.is(201) || (answer.is(409) && answer.code() == "conflict") {
            self.branch_ready = true;
            return Ok(());
        }
        Err(self.next_after(&answer))
    }

    /// The user's branch compared with `main`: what the project page shows beside it.
    async fn compare(&mut self) -> Next {
        let (Some(project), Some(branch)) = (self.project, self.branch.clone()) else {
            return self.me().await;
        };
        if let Err(next) = self.make_branch(project).await {
            return next;
        }
        let url = api::paths::compare(project) + &api::paths::branch_query(Some(&branch), true);
        let answer = self.call("branch compare", Method::GET, &url, None).await;
        if answer.is(200) {
            return Next::Carry;
        }
        self.next_after(&answer)
    }

    /// After a write whose answer says nothing for certain: it may or may not have landed.
    fn unsettle(&mut self, k: usize, attempted: Known) {
        let known = std::mem::replace(&mut self.files[k].1, Known::Deleted);
        self.files[k].1 = known.unsettle(attempted);
        self.written[k] = true;
    }

    /// Runs until `deadline`, then leaves every file it touched in the tally's ledger.
    pub async fn run(mut self, deadline: Instant) {
        while !self.sign_up().await {
            if Instant::now() > deadline {
                return;
            }
            self.pause().await;
        }
        while Instant::now() < deadline {
            let next = match self.rng.gen_range(0..100) {
                0..20 => self.open_picker().await,
                20..32 => self.search().await,
                32..35 => self.me().await,
                35..38 => self.compare().await,
                38..42 => self.sign_out_and_in().await,
                42..47 => self.create_project().await,
                _ => self.work_on_a_pipeline().await,
            };
            match next {
                Next::Carry => {}
                Next::SignIn => {
                    self.sign_in().await;
                }
                Next::Connect => {
                    self.connect().await;
                }
                Next::Pause => self.pause().await,
            }
            let think = self.rng.gen_range(20..120);
            tokio::time::sleep(Duration::from_millis(think)).await;
        }
        // Files never written hold nothing to check.
        for ((path, known), written) in self.files.iter().zip(&self.written) {
            if *written {
                self.tally
                    .final_state(self.place, self.on_branch(), path, known.clone());
            }
        }
    }

    async fn pause(&mut self) {
        let wait = self.rng.gen_range(500..1500);
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }

    /// Sends one request to the next instance and classifies the answer.
    async fn call(
        &self,
        route: &'static str,
        method: Method,
        path_or_url: &str,
        body: Option<&Value>,
    ) -> Answer {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.cluster.next_url())
        };
        let mut request = self
            .browser
            .raw()
            .request(method, url)
            .timeout(CLIENT_TIMEOUT);
        if let Some(body) = body {
            request = request.header("sec-fetch-site", "same-origin").json(body);
        }
        let started = Instant::now();
        let sent = self.browser.try_send(request).await;
        let (answer, outcome) = match sent {
            Err(error) => {
                let outcome = if error.is_timeout() {
                    Outcome::TimedOut
                } else {
                    self.tally.no_answer(self.started.elapsed());
                    Outcome::NoAnswer
                };
                let answer = Answer::unanswered();
                (answer, outcome)
            }
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response.headers().contains_key("retry-after");
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = match response.text().await {
                    Ok(body) => body,
                    Err(error) if error.is_timeout() => {
                        self.tally
                            .record(route, Outcome::TimedOut, started.elapsed());
                        return Answer::unanswered();
                    }
                    Err(_) => String::new(),
                };
                let answer = Answer {
                    status: Some(status),
                    body,
                    location,
                };
                let outcome = match status {
                    200..=399 => Outcome::Ok,
                    429 | 502 | 503 if retry_after => Outcome::Outage(status, answer.code()),
                    500..=599 => Outcome::ServerError(status),
                    _ => Outcome::Refused(status),
                };
                if status >= 500 || status == 429 {
                    self.tally.failure(SeenFailure {
                        at: self.started.elapsed(),
                        route,
                        status,
                        code: answer.code(),
                        retry_after,
                    });
                }
                (answer, outcome)
            }
        };
        self.tally.record(route, outcome, started.elapsed());
        answer
    }

    /// What an unhoped-for answer asks of the user.
    fn next_after(&self, answer: &Answer) -> Next {
        match (answer.status, answer.code().as_str()) {
            (Some(401), "not_signed_in") => Next::SignIn,
            (_, "provider_reconnect_needed" | "provider_not_connected") => Next::Connect,
            (None, _) | (Some(429 | 500..=599), _) => Next::Pause,
            _ => Next::Carry,
        }
    }

    async fn sign_up(&mut self) -> bool {
        let body = json!({"email": self.email, "password": PASSWORD});
        let started = self
            .call("sign-up", Method::POST, api::paths::SIGN_UP, Some(&body))
            .await;
        if !started.is(202) {
            return false;
        }
        let Some(token) = self.mailed_token().await else {
            self.tally
                .harness_error(format!("no sign-up mail reached {}", self.email));
            return false;
        };
        let confirm = json!({ "token": token });
        let confirmed = self
            .call(
                "sign-up confirm",
                Method::POST,
                api::paths::SIGN_UP_CONFIRM,
                Some(&confirm),
            )
            .await;
        confirmed.is(201) && self.connect().await
    }

    async fn mailed_token(&self) -> Option<String> {
        let page = format!(
            "{}?to={}",
            api::paths::SANDBOX_MAILBOX,
            api::paths::encode_query_value(&self.email)
        );
        for _ in 0..100 {
            let mail = self.call("mailbox", Method::GET, &page, None).await;
            let html = html_escape::decode_html_entities(&mail.body);
            if let Some(token) = crate::helpers::sign_up_token_in(&html) {
                return Some(token);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    async fn sign_in(&mut self) -> bool {
        let body = json!({"email": self.email, "password": PASSWORD});
        let answer = self
            .call("sign-in", Method::POST, api::paths::SIGN_IN, Some(&body))
            .await;
        answer.is(200)
    }

    async fn sign_out_and_in(&mut self) -> Next {
        self.call(
            "sign-out",
            Method::POST,
            api::paths::SIGN_OUT,
            Some(&json!({})),
        )
        .await;
        if self.sign_in().await {
            Next::Carry
        } else {
            Next::SignIn
        }
    }

    /// The whole authorization through the sandbox's pages, the callback sent to the next
    /// instance. True when the studio took the grant.
    async fn connect(&mut self) -> bool {
        for _ in 0..5 {
            match self.try_connect().await {
                Some(true) => return true,
                Some(false) => self.pause().await,
                None => return false,
            }
        }
        false
    }

    /// `Some(true)` connected, `Some(false)` try again, `None` give up (signed out).
    async fn try_connect(&mut self) -> Option<bool> {
        let start = format!(
            "{}?return_to={}",
            api::paths::oauth_start(self.place.provider),
            api::paths::encode_query_value(&self.place.repository_step())
        );
        let to_bitbucket = self.call("oauth start", Method::GET, &start, None).await;
        if to_bitbucket.is(401) {
            return self.sign_in().await.then_some(false);
        }
        let redirected = to_bitbucket.is(303);
        let Some(mut location) = to_bitbucket.location.filter(|_| redirected) else {
            return Some(false);
        };
        for _ in 0..6 {
            if self.cluster.is_callback(&location) {
                let callback = self.cluster.to_instance(&location);
                let back = self
                    .call("oauth callback", Method::GET, &callback, None)
                    .await;
                let landed = back.location.clone().unwrap_or_default();
                return Some(back.is(303) && !landed.contains("oauth_error"));
            }
            // The provider sandbox's own pages (sign in as a seeded account, then consent).
            let page = self
                .browser
                .try_send(self.browser.raw().get(&location))
                .await;
            let Ok(page) = page else { return Some(false) };
            if page.status().is_redirection() {
                location = self.browser.absolute(&Browser::location(&page), &location);
                continue;
            }
            let html = page.text().await.unwrap_or_default();
            let buttons = self.place.consent_buttons();
            let Some(mut form) = buttons.iter().find_map(|b| form_with_button(&html, b)) else {
                return Some(false);
            };
            let account = self.place.account_field();
            if html.contains(&format!("name=\"{account}\"")) {
                form.fields
                    .retain(|(name, _)| name != account && name != "password");
                form.fields.extend(self.place.sign_in_fields());
            }
            let action = self.browser.absolute(&form.action, &location);
            let submitted = self
                .browser
                .try_send(self.browser.raw().post(action).form(&form.fields))
                .await;
            let Ok(submitted) = submitted else {
                return Some(false);
            };
            if !submitted.status().is_redirection() {
                return Some(false);
            }
            location = self
                .browser
                .absolute(&Browser::location(&submitted), &location);
        }
        Some(false)
    }

    async fn me(&mut self) -> Next {
        let answer = self.call("me", Method::GET, api::paths::ME, None).await;
        self.next_after(&answer)
    }

    async fn open_picker(&mut self) -> Next {
        let answer = self
            .call(
                "repository picker",
                Method::GET,
                &api::paths::repository_picker(self.place.provider),
                None,
            )
            .await;
        self.next_after(&answer)
    }

    async fn search(&mut self) -> Next {
        let term = ["ware", "etl", "data", "pipe", "x"][self.rng.gen_range(0..5)];
        let path = format!(
            "{}?search={term}",
            api::paths::repositories(self.place.provider, self.place.group)
        );
        let answer = self
            .call("repository search", Method::GET, &path, None)
            .await;
        self.next_after(&answer)
    }

    async fn create_project(&mut self) -> Next {
        self.projects_made += 1;
        let body = json!({
            "name": format!("Soak {} {} {}", self.n, self.projects_made, rand::random::<u16>()),
            "configuration": "advanced",
            "repository": self.place.repository_ref(),
        });
        let answer = self
            .call(
                "create project",
                Method::POST,
                api::paths::PROJECTS,
                Some(&body),
            )
            .await;
        if answer.is(201) {
            self.project = answer.json()["id"].as_i64();
            // Every file starts over in the new project's repository: the same repository,
            // so what is known of the files stays; the branch is made again (or found).
            self.branch_ready = false;
            return Next::Carry;
        }
        self.next_after(&answer)
    }

    fn content(&mut self, k: usize, by: &str) -> String {
        self.version += 1;
        format!(
            "type: \"orchestration\"\nversion: \"1.0\"\npipeline:\n  components:\n    Start:\n      type: \"start\"\n# {by} u{} file {k} version {}\n",
            self.n, self.version
        )
    }

    /// Reads one of the user's files: `Ok(Some((content, revision)))`, `Ok(None)` when absent.
    async fn read(&self, project: i64, path: &str) -> Result<Option<(String, String)>, Next> {
        let answer = self
            .call(
                "pipeline read",
                Method::GET,
                &(api::paths::pipeline_file_at(project, path)
                    + &api::paths::branch_query(self.branch.as_deref(), false)),
                None,
            )
            .await;
        match answer.status {
            Some(200) => {
                let file = answer.json();
                Ok(Some((
                    file["content"].as_str().unwrap_or_default().to_owned(),
                    file["revision"].as_str().unwrap_or_default().to_owned(),
                )))
            }
            Some(404) if answer.code() == "not_found" => Ok(None),
            _ => Err(self.next_after(&answer)),
        }
    }

    async fn work_on_a_pipeline(&mut self) -> Next {
        let Some(project) = self.project else {
            return self.create_project().await;
        };
        if let Err(next) = self.make_branch(project).await {
            return next;
        }
        let k = self.rng.gen_range(0..FILES_PER_USER);
        let path = self.files[k].0.clone();
        let branch = self.branch.clone();
        // Open it as the editor does: what is there now, at which revision.
        let current = match self.read(project, &path).await {
            Ok(current) => current,
            Err(next) => return next,
        };
        // What was there must be what was last acknowledged (checked again at the end).
        let expected = self.files[k].1.clone();
        let found = match &current {
            Some((content, _)) => Known::Content(content.clone()),
            None => Known::Deleted,
        };
        if !expected.accepts(&found) {
            self.tally.harness_error(format!(
                "{path}: read {found:?}, but the file could only be {expected:?}"
            ));
        }
        self.files[k].1 = found;
        let file = api::paths::pipeline_file(project);
        match current {
            None => {
                let content = self.content(k, "created by");
                let body = json!({"path": path, "content": content, "message": "Soak: create",
                                  "branch": branch});
                let answer = self
                    .call("pipeline create", Method::PUT, &file, Some(&body))
                    .await;
                self.after_write(k, &answer, Known::Content(content))
            }
            Some((_, revision)) if self.place.deletes() && self.rng.gen_range(0..100) < 15 => {
                let body = json!({"path": path, "message": "Soak: delete",
                                  "base_revision": revision, "branch": branch});
                let answer = self
                    .call("pipeline delete", Method::DELETE, &file, Some(&body))
                    .await;
                self.after_write(k, &answer, Known::Deleted)
            }
            Some((_, revision)) => {
                let colleague = self.rng.gen_range(0..100) < 25;
                if colleague && !self.push_from_elsewhere(k).await {
                    return Next::Carry;
                }
                let content = self.content(k, "edited by");
                let body = json!({"path": path, "content": content, "message": "Soak: edit",
                                  "base_revision": revision, "branch": branch});
                let answer = self
                    .call("pipeline save", Method::PUT, &file, Some(&body))
                    .await;
                if colleague {
                    // The file changed since it was opened: the save must be refused, and
                    // the colleague's commit kept.
                    if answer.is(200) {
                        self.tally.harness_error(format!(
                            "{path}: a save over a colleague's commit was acknowledged"
                        ));
                        self.files[k].1 = Known::Content(content);
                        return Next::Carry;
                    }
                    // Refused, or not answered: either way the colleague's commit must be
                    // what the file holds (a save landing over it would be a lost update),
                    // so the expected state stays as it is.
                    if answer.is(409) {
                        return Next::Carry;
                    }
                    return self.next_after(&answer);
                }
                self.after_write(k, &answer, Known::Content(content))
            }
        }
    }

    fn after_write(&mut self, k: usize, answer: &Answer, acknowledged: Known) -> Next {
        if answer.is(200) || answer.is(201) {
            self.files[k].1 = acknowledged;
            self.written[k] = true;
            self.tally.acknowledged();
            return Next::Carry;
        }
        // Refused before anything was sent (the pipeline changed, the name is taken, the input
        // is invalid): nothing written. Anything else may follow a commit that landed (a
        // grant revoked between the commit and the read after it, a lost answer): unknown
        // until read again.
        let refused = matches!(
            (answer.status, answer.code().as_str()),
            (Some(409), "pipeline_changed" | "conflict") | (Some(400 | 422), _)
        );
        if !refused {
            self.unsettle(k, acknowledged);
        }
        self.next_after(answer)
    }

    /// A commit on the user's file made on the provider by a colleague (the sandbox's
    /// control API), acknowledged by the provider itself.
    async fn push_from_elsewhere(&mut self, k: usize) -> bool {
        let content = self.content(k, "pushed from a laptop for");
        let path = self.files[k].0.clone();
        let branch = self.on_branch().to_owned();
        let (url, body) = self
            .place
            .colleague_commit(&self.cluster, &branch, &path, &content);
        let pushed = self.browser.raw().post(url).json(&body).send().await;
        let ok = pushed.is_ok_and(|r| r.status().is_success());
        if ok {
            self.files[k].1 = Known::Content(content);
            self.written[k] = true;
            self.tally.acknowledged();
        } else {
            self.unsettle(k, Known::Content(content));
        }
        ok
    }
}
