//! Figure 6: provider calls for one whole wizard run, from the projects page to the project
//! created, in Chromium against the release front end (`end2end/bench/calls.bench.ts`), counted
//! by the provider's sandbox: on Bitbucket Cloud for Alex (3 workspaces, a repository with
//! `main`) and for Big Co (20 workspaces, a repository whose `main` the wizard creates), and
//! on GitHub for Alex (2 accounts) and Big Co (20 organizations). Bitbucket allows each user
//! 1,000 calls an hour on `/2.0/repositories/…`, GitHub 5,000 an hour per user token.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::helpers::{sign_up_on, spawn_app_with, Browser, Engine, Options};
use crate::report::{verdict_at_most, Table};
use crate::{browser, Config};

const BUDGET_ALEX: f64 = 8.0;
/// Issue 29: 20 workspaces, a search and the creation of `main`.
const BUDGET_BIG_CO: f64 = 12.0;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    sign_in_path: &'static str,
    password: &'static str,
    /// The studio's GitHub App as the GitHub sandbox's consent page names it.
    github_app: &'static str,
    accounts: Vec<Account>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Account {
    label: &'static str,
    email: String,
    /// `bitbucket` or `github`.
    provider: &'static str,
    provider_account: &'static str,
    group_label: &'static str,
    group: &'static str,
    repository: &'static str,
    control_url: String,
    next_project: bool,
    #[serde(skip)]
    budget: f64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Counted {
    calls: u64,
    by_endpoint: BTreeMap<String, u64>,
}

pub async fn run(config: &Config) -> Table {
    // The browser authorizes inside the wizard, so Bitbucket's callback must reach the
    // server it started on: the in-process server (this build, serving the release front
    // end), which the sandbox's consumer is registered for. Counting calls needs no
    // separate release process.
    let app = spawn_app_with(
        Engine::Sqlite,
        Options {
            site_root: Some(config.site.clone()),
            ..Options::default()
        },
    )
    .await;
    let cloud_control = format!("{}/_control", app.sandbox.url);
    let github_control = format!("{}/_control", app.github.url);
    let accounts = vec![
        Account {
            label: "Bitbucket Cloud: Alex Rivera (3 workspaces)",
            email: "calls-alex@example.com".into(),
            provider: "bitbucket",
            provider_account: "Alex Rivera",
            group_label: "Workspace",
            group: "acme-data",
            repository: "warehouse-pipelines",
            control_url: cloud_control.clone(),
            next_project: true,
            budget: BUDGET_ALEX,
        },
        Account {
            label: "Bitbucket Cloud: Big Co Engineer (20 workspaces, 10,000 repositories)",
            email: "calls-bigco@example.com".into(),
            provider: "bitbucket",
            provider_account: "Big Co Engineer",
            group_label: "Workspace",
            group: "bigco-07",
            repository: "repo-0042",
            control_url: cloud_control,
            next_project: false,
            budget: BUDGET_BIG_CO,
        },
        Account {
            label: "GitHub: alex (2 accounts with the app)",
            email: "calls-gh-alex@example.com".into(),
            provider: "github",
            provider_account: "alex",
            group_label: "Account",
            group: "acme-data",
            repository: "pipelines",
            control_url: github_control.clone(),
            next_project: true,
            budget: BUDGET_ALEX,
        },
        Account {
            label: "GitHub: bigco (20 organizations, 10,000 repositories)",
            email: "calls-gh-bigco@example.com".into(),
            provider: "github",
            provider_account: "bigco",
            group_label: "Account",
            group: "bigco-07",
            repository: "service-03042",
            control_url: github_control,
            next_project: false,
            budget: BUDGET_BIG_CO,
        },
    ];
    for account in &accounts {
        sign_up_on(&Browser::new(&app.url), &account.email).await;
    }
    let input = Input {
        sign_in_path: api::paths::SIGN_IN,
        password: crate::helpers::PASSWORD,
        github_app: "Pipeline Studio (test)",
        accounts,
    };
    let counted: BTreeMap<String, Counted> =
        browser::run(config, "bench/calls.bench.ts", &app.url, &input).await;

    let mut table = Table::new(
        "6. Provider calls for one whole wizard run",
        "at most 8 for Alex, at most 12 for Big Co, on every provider",
        &["account", "provider calls", "by endpoint", "budget"],
    );
    for account in &input.accounts {
        let budget = account.budget;
        let verdict =
            |calls: u64| format!("≤ {budget}: {}", verdict_at_most(calls as f64, budget, ""));
        table.row(row(
            account.label,
            &counted[account.label],
            verdict(counted[account.label].calls),
        ));
        for (label, figures) in counted
            .iter()
            .filter(|(label, _)| label.starts_with(&format!("{}:", account.label)))
        {
            table.row(row(label, figures, "no budget".to_owned()));
        }
    }
    table.note("Counted by the provider's sandbox from \"New project\" on the projects page to the new project's page: every call the server made to the provider's API and token endpoint (the consent pages the browser shows are not calls). The new project's page, which lists its pipelines, is held until the count is read. One run: the count is the same every time.");
    table.note("Next project (issue 29): right after the first, the same user starts another. The connect step asks Bitbucket nothing when the link was proven in the last minute (GET /2.0/user/workspaces otherwise, handed over to the repository step), and asks for the repository step's first screen only when the user is about to continue (the pointer over Continue, focus on it, a press): read and left, the step costs what it did before this issue. On to the first repositories: the pointer over Continue, then the click; the workspace list (the opening read always asks Bitbucket) and the remembered workspace's first repositories, unless the server read them in the last minute (here it had: the first project's).");
    table.note("The repository is chosen from the first repositories shown when it is among them (Alex's is); Big Co's is in another workspace and is searched for, each a call of its own.");
    table.note("Where the calls go: the token exchange; the account and the workspace list (read once at authorization and handed over to the repository step's opening, which otherwise always asks Bitbucket); the first repositories; the branch step's check of main (the repository comes from the list); and, creating the project, one question whether the account may write to that exact repository (GET /repositories/{workspace}?role=contributor&q=full_name=…, SECURITY.md rule 30). Big Co's two extra calls are the repositories of the workspace it chooses and the search there for its repository (bigco-07/repo-0042 is not among the first repositories shown).");
    table.note("GitHub (issue 30): the token exchange; the account and the installations (read once at authorization and handed over to the repository step's opening); the first repositories of the account the step opens on (GET /user/installations/{installation_id}/repositories, 100 a call, two of the picker's pages); the branch step's check of main, which reads the repository (its default branch, in case main is missing) and the branch's ref; and, creating the project, the repository again (whether the user may push to it: its own `permissions`, never a copy) and main's ref. bigco's extra call is the repositories of the account it chooses (bigco-07/service-03042 is among its first repositories shown, so no search).");
    table.note("The workspace names come with the workspace list (issue 29): its items embed each workspace condensed, without a name, and the partial response of Bitbucket's REST introduction (fields=+values.workspace.name) pulls the name into the same answer. Before, each name was a GET /workspaces/{workspace} of its own: 3 of Alex's 9 calls and 20 of Big Co's 28. A list answered without names (the sandbox can be told to ignore fields) is still named by those calls, after the first screen.");
    table
}

fn row(label: &str, figures: &Counted, verdict: String) -> Vec<String> {
    let by_endpoint = figures
        .by_endpoint
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(endpoint, n)| format!("{endpoint} × {n}"))
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        label.to_owned(),
        figures.calls.to_string(),
        by_endpoint,
        verdict,
    ]
}
