//! The token endpoint: PKCE, single-use codes, client authentication, refresh rotation,
//! revocation and expiry.

use std::time::Duration;

use reqwest::StatusCode;
use sandbox::datacenter::spawn;
use serde_json::Value;

use crate::common::*;

async fn oauth_error(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert!(body["error_description"].is_string(), "{body}");
    (status, body["error"].as_str().unwrap().to_owned())
}

async fn post(url: &str, form: &[(&str, &str)]) -> reqwest::Response {
    http().post(url).form(form).send().await.unwrap()
}

#[tokio::test]
async fn a_code_gives_a_bearer_token_once_and_a_replay_revokes_it() {
    let rs = spawn(clients()).await.unwrap();
    let token_url = rs.sandbox.token_url();
    let code = code(&rs.url, "alex", "REPO_WRITE REPO_READ").await;
    let r = exchange(&token_url, &code).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "REPO_READ REPO_WRITE");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let repos = format!("{}/api/latest/repos", rs.sandbox.rest_url());
    let ok = http()
        .get(&repos)
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let again = exchange(&token_url, &code).await;
    assert_eq!(
        oauth_error(again).await,
        (StatusCode::BAD_REQUEST, "invalid_grant".into())
    );
    let revoked = http()
        .get(&repos)
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    let refresh = post(
        &token_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(oauth_error(refresh).await.1, "invalid_grant");
    assert_eq!(rs.sandbox.stats().token_requests.authorization_code, 2);
    rs.shutdown().await;
}

#[tokio::test]
async fn pkce_redirect_uri_client_and_expiry_are_checked() {
    let rs = spawn(clients()).await.unwrap();
    let token_url = rs.sandbox.token_url();
    let exchange_with =
        |code: String, verifier: &'static str, redirect: &'static str, client: &'static str| {
            let token_url = token_url.clone();
            async move {
                post(
                    &token_url,
                    &[
                        ("grant_type", "authorization_code"),
                        ("code", &code),
                        ("redirect_uri", redirect),
                        ("code_verifier", verifier),
                        ("client_id", client),
                        ("client_secret", SECRET),
                    ],
                )
                .await
            }
        };
    let wrong_verifier = "x".repeat(43).leak();
    let c = code(&rs.url, "alex", WRITE).await;
    let r = exchange_with(c.clone(), wrong_verifier, REDIRECT, CLIENT).await;
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_grant".into())
    );
    // Single use even when refused: the right verifier now fails too.
    let r = exchange_with(c, VERIFIER, REDIRECT, CLIENT).await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");

    let c = code(&rs.url, "alex", WRITE).await;
    let r = exchange_with(c, VERIFIER, "http://127.0.0.1:9/other", CLIENT).await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");

    // Another application link's code: refused, and not consumed.
    let c = code(&rs.url, "alex", WRITE).await;
    let r = exchange_with(c.clone(), VERIFIER, REDIRECT, OTHER).await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
    assert_eq!(exchange(&token_url, &c).await.status(), StatusCode::OK);

    let c = code(&rs.url, "alex", WRITE).await;
    rs.sandbox.advance_clock(Duration::from_secs(10 + 1));
    let r = exchange(&token_url, &c).await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
    rs.shutdown().await;
}

/// Atlassian's OAuth 2.0 provider gives an authorization code 10 seconds by default: a
/// client must exchange it at once, and one that is slower fails on Data Center as here.
#[tokio::test]
async fn a_code_lives_ten_seconds() {
    let rs = spawn(clients()).await.unwrap();
    let token_url = rs.sandbox.token_url();
    let c = code(&rs.url, "alex", WRITE).await;
    rs.sandbox.advance_clock(Duration::from_secs(7));
    assert_eq!(exchange(&token_url, &c).await.status(), StatusCode::OK);
    let c = code(&rs.url, "alex", WRITE).await;
    rs.sandbox.advance_clock(Duration::from_secs(10));
    let r = exchange(&token_url, &c).await;
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_grant".into())
    );
    rs.shutdown().await;
}

/// The scopes of Atlassian's "OAuth 2.0 scopes for incoming links": each is asked for and
/// granted as named; `ACCOUNT_WRITE` (update the user's account settings) reaches no
/// repository beyond public ones.
#[tokio::test]
async fn every_scope_atlassian_lists_is_granted_and_account_write_reaches_no_repository() {
    let rs = spawn(clients()).await.unwrap();
    let token_url = rs.sandbox.token_url();
    for scope in [
        "PUBLIC_REPOS",
        "ACCOUNT_WRITE",
        "REPO_READ",
        "REPO_WRITE",
        "REPO_ADMIN",
        "PROJECT_ADMIN",
        "ADMIN",
        "SYSTEM_ADMIN",
    ] {
        let c = code(&rs.url, "alex", scope).await;
        let r = exchange(&token_url, &c).await;
        assert_eq!(r.status(), StatusCode::OK, "{scope}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["scope"], scope);
    }
    let (account, _) = tokens(&rs, "alex", "ACCOUNT_WRITE").await;
    let (write, _) = tokens(&rs, "alex", "ACCOUNT_WRITE REPO_WRITE").await;
    let rest = rs.sandbox.rest_url();
    let repos = |token: String| {
        let url = format!("{rest}/api/latest/repos?permission=REPO_READ&limit=1000");
        async move {
            let r = http().get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let page: serde_json::Value = r.json().await.unwrap();
            values(&page).len()
        }
    };
    assert_eq!(
        repos(account.clone()).await,
        0,
        "REPO_READ is more than public access"
    );
    assert!(repos(write).await > 0);
    let r = http()
        .get(format!("{rest}/api/latest/projects/DATA/repos/pipelines"))
        .bearer_auth(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a private repository stays hidden"
    );
    rs.shutdown().await;
}

#[tokio::test]
async fn the_client_authenticates_with_exactly_one_method() {
    let rs = spawn(clients()).await.unwrap();
    let token_url = rs.sandbox.token_url();
    let grant = |code: &str| {
        vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code.to_owned()),
            ("redirect_uri".to_owned(), REDIRECT.to_owned()),
            ("code_verifier".to_owned(), VERIFIER.to_owned()),
        ]
    };
    // HTTP Basic alone: accepted.
    let c = code(&rs.url, "alex", WRITE).await;
    let r = http()
        .post(&token_url)
        .basic_auth(CLIENT, Some(SECRET))
        .form(&grant(&c))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Both methods: invalid_request.
    let c = code(&rs.url, "alex", WRITE).await;
    let mut both = grant(&c);
    both.push(("client_id".into(), CLIENT.into()));
    both.push(("client_secret".into(), SECRET.into()));
    let r = http()
        .post(&token_url)
        .basic_auth(CLIENT, Some(SECRET))
        .form(&both)
        .send()
        .await
        .unwrap();
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_request".into())
    );
    // Neither: invalid_client.
    let r = http()
        .post(&token_url)
        .form(&grant(&c))
        .send()
        .await
        .unwrap();
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::UNAUTHORIZED, "invalid_client".into())
    );
    // A wrong secret either way: invalid_client; Basic gets a challenge.
    let r = http()
        .post(&token_url)
        .basic_auth(CLIENT, Some("nope"))
        .form(&grant(&c))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("www-authenticate").is_some());
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::UNAUTHORIZED, "invalid_client".into())
    );
    let mut wrong = grant(&c);
    wrong.push(("client_id".into(), CLIENT.into()));
    wrong.push(("client_secret".into(), "nope".into()));
    let r = http().post(&token_url).form(&wrong).send().await.unwrap();
    assert_eq!(oauth_error(r).await.0, StatusCode::UNAUTHORIZED);
    // The body-authenticated exchange of the same code still works: refusals did not use it.
    assert_eq!(exchange(&token_url, &c).await.status(), StatusCode::OK);
    // A JSON body, a repeated parameter, an unknown grant: refused as RFC 6749 says.
    let r = http()
        .post(&token_url)
        .json(&serde_json::json!({"grant_type": "refresh_token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::BAD_REQUEST, "invalid_request".into())
    );
    let mut repeated = grant("x");
    repeated.push(("code".into(), "y".into()));
    let r = http()
        .post(&token_url)
        .basic_auth(CLIENT, Some(SECRET))
        .form(&repeated)
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(r).await.1, "invalid_request");
    let r = http()
        .post(&token_url)
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(r).await.1, "unsupported_grant_type");
    rs.shutdown().await;
}

async fn refresh(token_url: &str, refresh_token: &str) -> reqwest::Response {
    http()
        .post(token_url)
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_is_refused_and_counted() {
    let rs = spawn(clients()).await.unwrap();
    let token_url = rs.sandbox.token_url();
    let (access, first) = tokens(&rs, "alex", WRITE).await;
    let r = refresh(&token_url, &first).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let second = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_ne!(body["access_token"].as_str().unwrap(), access);
    assert_eq!(body["scope"], "REPO_WRITE");

    let reused = refresh(&token_url, &first).await;
    assert_eq!(oauth_error(reused).await.1, "invalid_grant");
    let stats = rs.sandbox.stats().token_requests;
    assert_eq!((stats.refresh_token, stats.rotated_refresh_reused), (2, 1));
    assert_eq!(refresh(&token_url, &second).await.status(), StatusCode::OK);

    // Rotation off: the same refresh token comes back, and keeps working.
    rs.sandbox.set_rotation(false);
    let (_, kept) = tokens(&rs, "alex", WRITE).await;
    for _ in 0..2 {
        let r = refresh(&token_url, &kept).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["refresh_token"], kept.as_str());
    }
    // 90 days later it is dead.
    rs.sandbox
        .advance_clock(Duration::from_secs(90 * 24 * 3600 + 1));
    assert_eq!(
        oauth_error(refresh(&token_url, &kept).await).await.1,
        "invalid_grant"
    );
    rs.shutdown().await;
}

#[tokio::test]
async fn revoking_and_expiry_end_access_with_a_401() {
    let dc = Dc::start().await;
    let repos = op(
        "GET",
        "/api/latest/projects/{projectKey}/repos/{repositorySlug}",
    );
    let (access, refresh_token) = tokens(&dc.rs, "alex", WRITE).await;
    let a = dc
        .get(Some(&access), "/api/latest/projects/DATA/repos/pipelines")
        .await;
    dc.documented(repos, &a, 200);
    dc.rs.sandbox.revoke("alex", CLIENT);
    let a = dc
        .get(Some(&access), "/api/latest/projects/DATA/repos/pipelines")
        .await;
    let body = dc.documented(repos, &a, 401).unwrap();
    assert_eq!(
        body["errors"][0]["exceptionName"],
        "com.atlassian.bitbucket.auth.AuthenticationException"
    );
    assert!(a.header("x-ausername").is_none());
    let r = refresh(&dc.rs.sandbox.token_url(), &refresh_token).await;
    assert_eq!(oauth_error(r).await.1, "invalid_grant");
    // Every token alex was given, the revoked ones included, is still on record.
    assert!(dc.rs.sandbox.secrets_issued_to("alex").contains(&access));

    // Allowed again, then an hour later: the new token has expired.
    let (fresh, _) = tokens(&dc.rs, "alex", WRITE).await;
    dc.rs.sandbox.advance_clock(Duration::from_secs(3601));
    let a = dc
        .get(Some(&fresh), "/api/latest/projects/DATA/repos/pipelines")
        .await;
    let body = dc.documented(repos, &a, 401).unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    // A made-up token, and a scheme other than Bearer.
    let a = dc
        .get(Some("made-up"), "/api/latest/projects/DATA/repos/pipelines")
        .await;
    dc.documented(repos, &a, 401);
    let a = dc
        .send(
            None,
            http()
                .get(format!(
                    "{}/api/latest/projects/DATA/repos/pipelines",
                    dc.rest()
                ))
                .basic_auth("alex", Some("sandbox")),
        )
        .await;
    dc.documented(repos, &a, 401);
    dc.finish().await;
}
