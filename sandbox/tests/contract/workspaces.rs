//! `GET /user/workspaces` (`paginated_workspace_access`), `GET
//! /workspaces/{workspace}` (`workspace`) and `GET
//! /user/workspaces/{workspace}/permissions/repositories`
//! (`paginated_repository_permissions`).

use serde_json::Value;

use crate::common::*;

const USER_WORKSPACES: Op = op("get", "/user/workspaces");
const WORKSPACE: Op = op("get", "/workspaces/{workspace}");
const PERMISSIONS: Op = op(
    "get",
    "/user/workspaces/{workspace}/permissions/repositories",
);

fn slugs(page: &Value) -> Vec<String> {
    values(page)
        .iter()
        .map(|v| v["workspace"]["slug"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// `workspace_base` defines no `name`; the sandbox leaves it out so the
/// studio is proven to work without it.
fn no_names(c: &Contract, answer: &Answer, page: &Value) {
    for (i, v) in values(page).iter().enumerate() {
        c.expect(v["workspace"].get("name").is_none(), || {
            format!(
                "{}: values[{i}].workspace has `name`, which workspace_base does not define",
                answer.request
            )
        });
    }
}

#[tokio::test]
async fn user_workspaces_pages_sorted_by_slug() {
    let c = Contract::start().await;
    // What the studio sends for the whole list: pagelen=100&sort=slug.
    let answer = c
        .get(Some(&c.alex), "/user/workspaces?pagelen=100&sort=slug")
        .await;
    if let Some(page) = c.documented(USER_WORKSPACES, &answer, 200) {
        no_names(&c, &answer, &page);
        c.expect(
            slugs(&page) == ["acme-data", "alex-lab", "alex-rivera"],
            || format!("{}: slugs {:?}", answer.request, slugs(&page)),
        );
    }
    let answer = c.get(Some(&c.alex), "/user/workspaces?sort=-slug").await;
    if let Some(page) = c.documented(USER_WORKSPACES, &answer, 200) {
        c.expect(
            slugs(&page) == ["alex-rivera", "alex-lab", "acme-data"],
            || format!("{}: slugs {:?}", answer.request, slugs(&page)),
        );
    }

    // The first workspace alone (pagelen=1), then the second page by `next`.
    let answer = c.get(Some(&c.alex), "/user/workspaces?pagelen=1").await;
    if let Some(first) = c.documented(USER_WORKSPACES, &answer, 200) {
        no_names(&c, &answer, &first);
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&c.alex, &next).await;
            if let Some(second) = c.documented(USER_WORKSPACES, &answer, 200) {
                no_names(&c, &answer, &second);
                c.expect(
                    values(&second).len() == 1 && slugs(&second) != slugs(&first),
                    || {
                        format!(
                            "{}: second page {:?} after {:?}",
                            answer.request,
                            slugs(&second),
                            slugs(&first)
                        )
                    },
                );
            }
        }
    }

    // The documented `administrator` filter.
    let answer = c
        .get(
            Some(&c.alex),
            "/user/workspaces?administrator=true&sort=slug",
        )
        .await;
    if let Some(page) = c.documented(USER_WORKSPACES, &answer, 200) {
        c.expect(slugs(&page) == ["alex-rivera"], || {
            format!("{}: slugs {:?}", answer.request, slugs(&page))
        });
    }
    c.finish().await;
}

#[tokio::test]
async fn user_workspaces_of_a_large_account_has_a_second_page() {
    let c = Contract::start().await;
    let bigco = c.token("bigco").await;
    let answer = c
        .get(Some(&bigco), "/user/workspaces?pagelen=100&sort=slug")
        .await;
    if let Some(page) = c.documented(USER_WORKSPACES, &answer, 200) {
        c.expect(values(&page).len() == 20, || {
            format!("{}: {} workspaces", answer.request, values(&page).len())
        });
    }
    let answer = c
        .get(Some(&bigco), "/user/workspaces?pagelen=10&sort=slug")
        .await;
    if let Some(first) = c.documented(USER_WORKSPACES, &answer, 200) {
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&bigco, &next).await;
            if let Some(second) = c.documented(USER_WORKSPACES, &answer, 200) {
                no_names(&c, &answer, &second);
                c.expect(
                    slugs(&second).first().map(String::as_str) == Some("bigco-11"),
                    || {
                        format!(
                            "{}: second page starts {:?}",
                            answer.request,
                            slugs(&second).first()
                        )
                    },
                );
            }
        }
    }
    c.finish().await;
}

#[tokio::test]
async fn user_workspaces_sorts_only_by_slug() {
    let c = Contract::start().await;
    // "Name of a response property to sort results (only slug is supported)."
    for sort in ["workspace.slug", "-workspace.slug", "name", "administrator"] {
        let answer = c
            .get(
                Some(&c.alex),
                &format!("/user/workspaces?pagelen=100&sort={}", enc(sort)),
            )
            .await;
        c.documented(USER_WORKSPACES, &answer, 400);
    }
    c.finish().await;
}

#[tokio::test]
async fn a_workspace_is_a_workspace() {
    let c = Contract::start().await;
    for slug in ["alex-rivera", "acme-data", "alex-lab"] {
        let answer = c.get(Some(&c.alex), &format!("/workspaces/{slug}")).await;
        if let Some(ws) = c.documented(WORKSPACE, &answer, 200) {
            c.expect(ws["slug"] == slug && ws["name"].is_string(), || {
                format!("{}: {ws}", answer.request)
            });
        }
    }
    // Unknown, and one alex is not a member of.
    for slug in ["no-such-workspace", "sam-chen"] {
        let answer = c.get(Some(&c.alex), &format!("/workspaces/{slug}")).await;
        c.documented(WORKSPACE, &answer, 404);
    }
    c.finish().await;
}

#[tokio::test]
async fn repository_permissions_by_full_name() {
    let c = Contract::start().await;
    // What the studio sends: q=repository.full_name = "ws/repo".
    for (full_name, permission) in [
        ("acme-data/warehouse-pipelines", "write"),
        ("acme-data/finance-reports", "read"),
    ] {
        let q = enc(&format!("repository.full_name = \"{full_name}\""));
        let answer = c
            .get(
                Some(&c.alex),
                &format!("/user/workspaces/acme-data/permissions/repositories?q={q}"),
            )
            .await;
        if let Some(page) = c.documented(PERMISSIONS, &answer, 200) {
            let got: Vec<&str> = values(&page)
                .iter()
                .filter_map(|v| v["permission"].as_str())
                .collect();
            c.expect(got == [permission], || {
                format!("{}: {got:?}", answer.request)
            });
        }
    }
    let answer = c
        .get(
            Some(&c.alex),
            &format!(
                "/user/workspaces/alex-lab/permissions/repositories?q={}&sort=repository.name&pagelen=5",
                enc("permission > \"read\"")
            ),
        )
        .await;
    if let Some(first) = c.documented(PERMISSIONS, &answer, 200) {
        if let Some(next) = c.next_of(&answer, &first) {
            let answer = c.follow(&c.alex, &next).await;
            c.documented(PERMISSIONS, &answer, 200);
        }
    }
    // A broken query is the documented 400.
    let answer = c
        .get(
            Some(&c.alex),
            &format!(
                "/user/workspaces/acme-data/permissions/repositories?q={}",
                enc("repository.full_name = ")
            ),
        )
        .await;
    c.documented(PERMISSIONS, &answer, 400);
    // "The requesting user does not have access to the workspace": 403.
    for ws in ["sam-chen", "no-such-workspace"] {
        let answer = c
            .get(
                Some(&c.alex),
                &format!("/user/workspaces/{ws}/permissions/repositories"),
            )
            .await;
        c.documented(PERMISSIONS, &answer, 403);
    }
    c.finish().await;
}
