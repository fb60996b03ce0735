//! What an operator watches: `/metrics` (never public by default, never a secret in it),
//! JSON logs that name each request, and a request id that follows a request to Bitbucket.

use std::time::Duration;

use crate::helpers::{logs, spawn_app_with, Engine, Options, TestApp, METRICS_TOKEN};

async fn scrape(app: &TestApp) -> String {
    let response = app
        .browser
        .raw()
        .get(format!("{}/metrics", app.url))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    response.text().await.unwrap()
}

/// The value of the one sample `series` (`name{labels}`), 0 when absent.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.parse().unwrap())
}

async fn metrics_are_served_only_to_whom_the_operator_chose(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            metrics_listener: true,
            ..Options::default()
        },
    )
    .await;
    let http = app.browser.raw();
    let at_studio = format!("{}/metrics", app.url);
    let anonymous = http.get(&at_studio).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let wrong = http
        .get(&at_studio)
        .bearer_auth("studio-test-metrics-tokem")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(scrape(&app)
        .await
        .contains("studio_http_request_duration_seconds"));

    // The listener of its own answers without a token: it is reached only from where the
    // operator bound it.
    let own = app.metrics_url.as_deref().expect("a metrics listener");
    let open = http.get(format!("{own}/metrics")).send().await.unwrap();
    assert_eq!(open.status(), 200);
    assert!(open
        .text()
        .await
        .unwrap()
        .contains("studio_db_pool_max_connections"));

    // With neither setting, nothing is served at /metrics.
    let mut settings = app.settings.clone();
    settings.metrics = server::config::MetricsSettings::default();
    let plain = app.instance_with(settings).await;
    let none = plain
        .browser
        .raw()
        .get(format!("{}/metrics", plain.url))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    // (The app's shell answers any other path, and shows its not-found page.)
    assert!(!none
        .text()
        .await
        .unwrap()
        .contains("studio_http_request_duration_seconds"));
}

async fn requests_bitbucket_calls_and_refreshes_are_counted_by_template(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox
        .sandbox
        .advance_clock(Duration::from_secs(7200 + 60));
    let picker = app
        .browser
        .get(api::paths::BITBUCKET_REPOSITORY_PICKER)
        .await;
    assert_eq!(picker.status(), 200);
    let metrics = scrape(&app).await;

    let picker_route = format!(
        r#"studio_http_request_duration_seconds_count{{method="GET",route="{}",status="200"}}"#,
        api::paths::BITBUCKET_REPOSITORY_PICKER
    );
    assert!(sample(&metrics, &picker_route) >= 1.0, "{metrics}");
    assert!(
        sample(
            &metrics,
            r#"studio_bitbucket_request_duration_seconds_count{endpoint="token",method="POST",status="200"}"#
        ) >= 2.0,
        "the code exchange and the refresh: {metrics}"
    );
    assert!(
        sample(
            &metrics,
            r#"studio_bitbucket_request_duration_seconds_count{endpoint="/user/workspaces",method="GET",status="200"}"#
        ) >= 1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            r#"studio_bitbucket_token_refreshes_total{outcome="refreshed"}"#
        ),
        1.0
    );
    assert!(sample(&metrics, "studio_db_pool_max_connections") >= 1.0);
    // The account's workspaces and repositories are names a user chose: never labels.
    for name in ["alex-rivera", "acme-data", "pipelines-etl"] {
        assert!(!metrics.contains(name), "{name} in\n{metrics}");
    }
}

async fn a_rate_limit_from_bitbucket_is_counted(engine: Engine) {
    let app = TestApp::connected(engine).await;
    // The first opening takes the list the callback read; the second asks Bitbucket.
    let first = app
        .browser
        .get(api::paths::BITBUCKET_REPOSITORY_PICKER)
        .await;
    assert_eq!(first.status(), 200);
    app.sandbox
        .sandbox
        .inject_fault(429, 1, "/2.0/user/workspaces");
    let limited = app
        .browser
        .get(api::paths::BITBUCKET_REPOSITORY_PICKER)
        .await;
    assert_eq!(limited.status(), 429);
    let metrics = scrape(&app).await;
    assert_eq!(
        sample(
            &metrics,
            r#"studio_bitbucket_rate_limited_total{endpoint="/user/workspaces"}"#
        ),
        1.0,
        "{metrics}"
    );
}

async fn a_request_id_is_returned_and_sent_to_bitbucket(engine: Engine) {
    let app = TestApp::connected(engine).await;
    app.sandbox.sandbox.clear_stats();
    let http = app.browser.raw();
    let picker = app.browser.url(api::paths::BITBUCKET_REPOSITORY_PICKER);

    // From the proxy in front: kept.
    let answered = app
        .browser
        .send(http.get(&picker).header("x-request-id", "lb-7f3a.42"))
        .await;
    assert_eq!(answered.status(), 200);
    assert_eq!(answered.headers()["x-request-id"], "lb-7f3a.42");
    let upstream = app.sandbox.sandbox.stats().request_ids;
    assert!(!upstream.is_empty());
    assert!(
        upstream.iter().all(|id| id == "lb-7f3a.42"),
        "every Bitbucket call of the request carries its id: {upstream:?}"
    );

    // Anything but a plain token is replaced by an id of the studio's own.
    let answered = app
        .browser
        .send(http.get(&picker).header("x-request-id", "a\"}{\"injected"))
        .await;
    let own = answered.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(own.len() >= 8 && own.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
    let plain = app.browser.get(api::paths::ME).await;
    assert_ne!(
        plain.headers()["x-request-id"],
        own.as_str(),
        "ids are unique"
    );

    // The JSON logs carry it on the request's lines.
    let json_lines: Vec<serde_json::Value> = logs::captured()
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).expect("every JSON line parses"))
        .collect();
    assert!(
        json_lines
            .iter()
            .any(|line| line["span"]["request_id"] == "lb-7f3a.42"),
        "a JSON log line names the request"
    );
}

/// Every secret the server handles (client secret, codes, `state`, access and refresh
/// tokens, the session id, the password) is absent from `/metrics` and the JSON logs.
async fn secrets_never_reach_the_metrics_or_the_json_logs(engine: Engine) {
    let app = crate::helpers::spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let secrets = crate::secrets::exercise_every_secret(&app).await;
    let metrics = scrape(&app).await;
    let json: String = logs::captured()
        .lines()
        .filter(|line| line.starts_with('{'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        json.contains(api::paths::BITBUCKET_OAUTH_CALLBACK),
        "the callback was logged as JSON, so the scan means something"
    );
    for secret in &secrets {
        for (place, text) in [("/metrics", &metrics), ("the JSON logs", &json)] {
            assert!(
                !text.contains(secret.as_str()),
                "a secret reached {place} ({} characters, starts {:?})",
                secret.len(),
                &secret[..4.min(secret.len())]
            );
        }
    }
}

crate::both_engines!(
    metrics_are_served_only_to_whom_the_operator_chose,
    requests_bitbucket_calls_and_refreshes_are_counted_by_template,
    a_rate_limit_from_bitbucket_is_counted,
    a_request_id_is_returned_and_sent_to_bitbucket,
    secrets_never_reach_the_metrics_or_the_json_logs,
);
