//! `GET /repositories/{workspace}` (`paginated_repositories`) with the
//! studio's parameters, and `GET /repositories/{workspace}/{repo_slug}`
//! (`repository`).

use serde_json::Value;

use crate::common::*;

const LIST: Op = op("get", "/repositories/{workspace}");
const SHOW: Op = op("get", "/repositories/{workspace}/{repo_slug}");

/// What the studio sends for the repository picker.
const PICKER: &str = "role=contributor&pagelen=50&sort=-updated_on";

fn names(page: &Value) -> Vec<String> {
    values(page)
        .iter()
        .map(|v| v["name"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test]
async fn writable_repositories_newest_first() {
    let c = Contract::start().await;
    let answer = c
        .get(Some(&c.alex), &format!("/repositories/alex-lab?{PICKER}"))
        .await;
    if let Some(page) = c.documented(LIST, &answer, 200) {
        // 30 repositories, permissions cycling write, read, admin: 20 writable.
        c.expect(values(&page).len() == 20, || {
            format!("{}: {} repositories", answer.request, values(&page).len())
        });
        let dates: Vec<&str> = values(&page)
            .iter()
            .filter_map(|v| v["updated_on"].as_str())
            .collect();
        c.expect(dates.windows(2).all(|w| w[0] >= w[1]), || {
            format!("{}: not newest first: {dates:?}", answer.request)
        });
    }
    for ws in ["acme-data", "alex-rivera"] {
        let answer = c
            .get(Some(&c.alex), &format!("/repositories/{ws}?{PICKER}"))
            .await;
        c.documented(LIST, &answer, 200);
    }
    c.finish().await;
}

#[tokio::test]
async fn writable_repositories_filtered_by_name() {
    let c = Contract::start().await;
    // BBQL as the filtering page writes it: name ~ "abc".
    for (term, expected) in [("data", 2), ("abc", 0)] {
        let q = enc(&format!("name ~ \"{term}\""));
        let answer = c
            .get(
                Some(&c.alex),
                &format!("/repositories/alex-lab?{PICKER}&q={q}"),
            )
            .await;
        if let Some(page) = c.documented(LIST, &answer, 200) {
            let got = names(&page);
            c.expect(
                got.len() == expected && got.iter().all(|n| n.contains(term)),
                || format!("{}: {got:?}", answer.request),
            );
        }
    }
    // Is one repository writable: role=contributor&q=full_name = "ws/repo".
    for (full_name, expected) in [
        ("alex-lab/airflow-dags", 1),
        ("alex-lab/analytics-sandbox", 0),
    ] {
        let q = enc(&format!("full_name = \"{full_name}\""));
        let answer = c
            .get(
                Some(&c.alex),
                &format!("/repositories/alex-lab?role=contributor&q={q}"),
            )
            .await;
        if let Some(page) = c.documented(LIST, &answer, 200) {
            c.expect(values(&page).len() == expected, || {
                format!("{}: {:?}", answer.request, names(&page))
            });
        }
    }
    c.finish().await;
}

#[tokio::test]
async fn writable_repositories_second_page_by_next() {
    let c = Contract::start().await;
    let bigco = c.token("bigco").await;
    let answer = c
        .get(Some(&bigco), &format!("/repositories/bigco-01?{PICKER}"))
        .await;
    if let Some(first) = c.documented(LIST, &answer, 200) {
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&bigco, &next).await;
            if let Some(second) = c.documented(LIST, &answer, 200) {
                let (a, b) = (names(&first), names(&second));
                c.expect(b.len() == 50 && b.iter().all(|n| !a.contains(n)), || {
                    format!(
                        "{}: second page overlaps the first or is short",
                        answer.request
                    )
                });
            }
        }
    }
    // And by name, over several pages.
    let q = enc("name ~ \"repo-01\"");
    let answer = c
        .get(
            Some(&bigco),
            &format!("/repositories/bigco-02?{PICKER}&q={q}"),
        )
        .await;
    if let Some(first) = c.documented(LIST, &answer, 200) {
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&bigco, &next).await;
            c.documented(LIST, &answer, 200);
        }
    }
    c.finish().await;
}

#[tokio::test]
async fn repository_lists_of_unknown_workspaces_are_404() {
    let c = Contract::start().await;
    for ws in ["no-such-workspace", "sam-chen"] {
        let answer = c
            .get(Some(&c.alex), &format!("/repositories/{ws}?{PICKER}"))
            .await;
        c.documented(LIST, &answer, 404);
    }
    // A bad query or role: 400, which the document does not list here.
    for query in [
        format!("{PICKER}&q={}", enc("name ~ ")),
        "role=writer".to_owned(),
        "role=contributor&pagelen=50&sort=nonsense".to_owned(),
    ] {
        let answer = c
            .get(Some(&c.alex), &format!("/repositories/alex-lab?{query}"))
            .await;
        c.undocumented(LIST, &answer, 400);
    }
    c.finish().await;
}

#[tokio::test]
async fn a_repository_is_a_repository() {
    let c = Contract::start().await;
    for (full_name, main) in [
        ("acme-data/warehouse-pipelines", Some("main")),
        ("acme-data/marketing-etl", Some("master")),
        ("acme-data/finance-reports", Some("main")),
        ("alex-rivera/sandbox-pipelines", Some("main")),
        ("alex-rivera/empty-repo", None),
        ("alex-lab/airflow-dags", Some("main")),
    ] {
        let answer = c
            .get(Some(&c.alex), &format!("/repositories/{full_name}"))
            .await;
        if let Some(repo) = c.documented(SHOW, &answer, 200) {
            c.expect(repo["full_name"] == full_name, || {
                format!("{}: full_name {}", answer.request, repo["full_name"])
            });
            c.expect(repo["mainbranch"]["name"].as_str() == main, || {
                format!("{}: mainbranch {}", answer.request, repo["mainbranch"])
            });
        }
    }
    for full_name in [
        "acme-data/no-such-repo",
        "no-such-workspace/x",
        "sam-chen/sam-sandbox",
    ] {
        let answer = c
            .get(Some(&c.alex), &format!("/repositories/{full_name}"))
            .await;
        c.documented(SHOW, &answer, 404);
    }
    c.finish().await;
}
