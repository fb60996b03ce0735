//! Studio accounts: sign up (through the mailed link), sign in, sign out, and the limits on
//! both.

use crate::helpers::{
    confirm_sign_up_on, newest_mail_on, sign_up_on, sign_up_token, spawn_app, spawn_app_with,
    Browser, Engine, Options, PASSWORD,
};
use api::{ApiError, ErrorCode, Me, SignUpLink, SignUpStarted};
use serde_json::json;

async fn sign_up_through_the_mailed_link_signs_in_and_sign_out_ends_the_session(engine: Engine) {
    let app = spawn_app(engine).await;
    let started = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": " Ada@Example.com ", "password": PASSWORD, "return_to": "/projects/new"}),
        )
        .await;
    assert_eq!(started.status(), 202);
    let started: SignUpStarted = started.json().await.unwrap();
    assert_eq!(started.email, "ada@example.com");
    assert_eq!(
        app.browser.get(api::paths::ME).await.status(),
        401,
        "no account and no session before the link is used"
    );

    let token = sign_up_token(&app.browser, "ada@example.com").await;
    let signed_up = confirm_sign_up_on(&app.browser, &token).await;
    assert_eq!(signed_up.me.email, "ada@example.com");
    assert_eq!(signed_up.return_to, "/projects/new");
    let me = signed_up.me;

    let response = app.browser.get(api::paths::ME).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Me>().await.unwrap(), me);

    let session_before = app.browser.cookie(server::session::COOKIE_NAME).unwrap();
    assert_eq!(
        app.browser
            .post_json(api::paths::SIGN_OUT, &json!({}))
            .await
            .status(),
        204
    );
    assert!(
        app.browser.cookie(server::session::COOKIE_NAME).is_none(),
        "sign-out clears the cookie"
    );

    // The old session id is dead on the server too, not only forgotten by the browser.
    app.browser
        .set_cookie(server::session::COOKIE_NAME, &session_before);
    let error: ApiError = app.browser.get(api::paths::ME).await.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::NotSignedIn);
}

/// Sign-up must not tell who has an account: same status, body and headers for a known and
/// an unknown address, and the known account is left exactly as it was.
async fn sign_up_answers_alike_for_known_and_unknown_addresses(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let probe = |email: &'static str| {
        let browser = Browser::new(&app.url);
        async move {
            let response = browser
                .post_json(
                    api::paths::SIGN_UP,
                    &json!({"email": email, "password": "another long password"}),
                )
                .await;
            let status = response.status();
            let mut headers: Vec<String> = response
                .headers()
                .iter()
                .map(|(name, _)| name.to_string())
                .filter(|name| name != "date" && name != "content-length")
                .collect();
            headers.sort();
            let body: serde_json::Value = response.json().await.unwrap();
            (
                status,
                headers,
                body,
                browser.cookie(server::session::COOKIE_NAME),
            )
        }
    };
    let (known_status, known_headers, known_body, known_cookie) = probe("ADA@example.com").await;
    let (new_status, new_headers, new_body, new_cookie) = probe("new@example.com").await;
    assert_eq!(known_status, 202);
    assert_eq!(known_status, new_status);
    assert_eq!(known_headers, new_headers);
    assert_eq!(known_body["link_valid_hours"], new_body["link_valid_hours"]);
    assert_eq!(
        known_body.as_object().unwrap().len(),
        new_body.as_object().unwrap().len()
    );
    assert_eq!(
        (known_cookie, new_cookie),
        (None, None),
        "neither is signed in"
    );

    // Only the mailbox says which is which, and the account is untouched.
    let note = newest_mail_on(&app.browser, "ada@example.com").await;
    assert!(note.contains("has one already"), "{note}");
    assert!(!note.contains("#token="), "{note}");
    let link = newest_mail_on(&app.browser, "new@example.com").await;
    assert!(link.contains("#token="), "{link}");
    let sign_in = |password: &'static str| {
        let browser = Browser::new(&app.url);
        async move {
            browser
                .post_json(
                    api::paths::SIGN_IN,
                    &json!({"email": "ada@example.com", "password": password}),
                )
                .await
                .status()
        }
    };
    assert_eq!(sign_in(PASSWORD).await, 200);
    assert_eq!(sign_in("another long password").await, 401);
}

async fn sign_up_links_work_once_and_expire(engine: Engine) {
    let app = spawn_app(engine).await;
    let ask = |email: &'static str| {
        let browser = &app.browser;
        async move {
            let response = browser
                .post_json(
                    api::paths::SIGN_UP,
                    &json!({"email": email, "password": PASSWORD}),
                )
                .await;
            assert_eq!(response.status(), 202);
            sign_up_token(browser, email).await
        }
    };
    let refused = |token: String| {
        let browser = Browser::new(&app.url);
        async move {
            let response = browser
                .post_json(api::paths::SIGN_UP_CONFIRM, &json!({ "token": token }))
                .await;
            assert_eq!(response.status(), 422);
            let error: ApiError = response.json().await.unwrap();
            assert_eq!(error.field.as_deref(), Some("token"));
            assert!(
                error.message.contains("expired or was used"),
                "{}",
                error.message
            );
        }
    };
    let token = ask("ada@example.com").await;
    confirm_sign_up_on(&app.browser, &token).await;
    refused(token).await;

    let token = ask("bob@example.com").await;
    app.sql("UPDATE sign_ups SET expires_at = 0").await;
    refused(token).await;
    refused("made-up".into()).await;
    refused("x".repeat(10_000)).await;
}

async fn sign_up_is_limited_per_address_and_per_client(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            sign_up_limit_per_client: 5,
            ..Options::default()
        },
    )
    .await;
    let sign_up = |email: &'static str| {
        let browser = &app.browser;
        async move {
            browser
                .post_json(
                    api::paths::SIGN_UP,
                    &json!({"email": email, "password": PASSWORD}),
                )
                .await
        }
    };
    for _ in 0..server::routes::auth::SIGN_UPS_PER_ADDRESS {
        assert_eq!(sign_up("ada@example.com").await.status(), 202);
    }
    let limited = sign_up("ADA@example.com").await;
    assert_eq!(
        limited.status(),
        429,
        "the address's mailbox is not flooded"
    );
    assert!(limited.headers().contains_key("retry-after"));
    let error: ApiError = limited.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::TooManyRequests);

    // 4 sign-ups from this client so far (one refused); one more is allowed, then none.
    assert_eq!(sign_up("bob@example.com").await.status(), 202);
    assert_eq!(sign_up("carol@example.com").await.status(), 429);

    // After the hour, both limits have room again.
    app.sql(&format!(
        "UPDATE rate_limits SET window_start = window_start - {}",
        server::routes::auth::SIGN_UP_WINDOW_SECS + 1
    ))
    .await;
    assert_eq!(sign_up("carol@example.com").await.status(), 202);
}

async fn sign_up_mail_goes_out_through_smtp(engine: Engine) {
    let smtp = crate::helpers::fake_smtp::FakeSmtp::start().await;
    let app = spawn_app_with(
        engine,
        Options {
            mail_outbox: false,
            smtp_url: Some(smtp.url.clone()),
            ..Options::default()
        },
    )
    .await;
    let response = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let messages = smtp.messages().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    assert!(message.contains("To: ada@example.com"), "{message}");
    assert!(message.contains("/sign-up/confirm#token="), "{message}");
    assert_eq!(
        app.browser.get(api::paths::SANDBOX_MAILBOX).await.status(),
        200,
        "with SMTP the mailbox page is not served: the app's shell answers instead"
    );
    assert!(!app
        .browser
        .get(api::paths::SANDBOX_MAILBOX)
        .await
        .text()
        .await
        .unwrap()
        .contains("Studio mailbox"));
}

async fn sign_up_says_so_when_mail_is_not_configured(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            mail_outbox: false,
            ..Options::default()
        },
    )
    .await;
    let response = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "ada@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), 503);
    let error: ApiError = response.json().await.unwrap();
    assert!(error.message.contains("mail server"), "{}", error.message);
}

async fn sign_in_checks_the_password(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    app.browser.forget_cookies();

    let wrong = app
        .browser
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": "ada@example.com", "password": "wrong password!"}),
        )
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.json::<ApiError>().await.unwrap().code,
        ErrorCode::InvalidCredentials
    );

    let unknown = app
        .browser
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": "bob@example.com", "password": "whatever12345"}),
        )
        .await;
    assert_eq!(
        unknown.json::<ApiError>().await.unwrap().code,
        ErrorCode::InvalidCredentials,
        "unknown email reads the same"
    );

    let right = app
        .browser
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": " ADA@example.com ", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(right.status(), 200);
    assert_eq!(app.browser.get(api::paths::ME).await.status(), 200);
}

async fn sign_up_explains_what_is_wrong(engine: Engine) {
    let app = spawn_app(engine).await;
    let short = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "ada@example.com", "password": "short"}),
        )
        .await;
    assert_eq!(short.status(), 422);
    let error: ApiError = short.json().await.unwrap();
    assert_eq!(
        (error.code, error.field.as_deref()),
        (ErrorCode::InvalidInput, Some("password"))
    );

    let bad_email = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "ada", "password": "long enough password"}),
        )
        .await;
    assert_eq!(
        bad_email.json::<ApiError>().await.unwrap().field.as_deref(),
        Some("email")
    );
}

async fn api_routes_need_a_session(engine: Engine) {
    let app = spawn_app(engine).await;
    for path in [
        api::paths::ME,
        api::paths::BITBUCKET_CONNECTION,
        api::paths::PROJECTS,
        api::paths::BITBUCKET_WORKSPACES,
    ] {
        let response = app.browser.get(path).await;
        assert_eq!(response.status(), 401, "{path}");
        assert_eq!(
            response.json::<ApiError>().await.unwrap().code,
            ErrorCode::NotSignedIn
        );
    }
}

async fn sign_in_is_rate_limited_per_account(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    sign_up_on(&Browser::new(&app.url), "bob@example.com").await;
    app.browser.forget_cookies();
    let attempt = |email: &'static str, password: &'static str| {
        let body = json!({"email": email, "password": password});
        let browser = &app.browser;
        async move { browser.post_json(api::paths::SIGN_IN, &body).await }
    };
    for _ in 0..server::routes::auth::MAX_FAILURES {
        assert_eq!(
            attempt("ada@example.com", "wrong password!").await.status(),
            401
        );
    }
    // Even the right password waits now: the limit is per account, not per guess.
    let limited = attempt("ada@example.com", "correct horse battery").await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let error: ApiError = limited.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::TooManyRequests);
    assert_eq!(error.retry_after_seconds, Some(retry_after));

    // Another account is not affected, and an unknown email is limited alike (the limit
    // does not reveal which accounts exist).
    assert_eq!(
        attempt("bob@example.com", "correct horse battery")
            .await
            .status(),
        200
    );
    for _ in 0..server::routes::auth::MAX_FAILURES {
        assert_eq!(
            attempt("nobody@example.com", "wrong password!")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        attempt("nobody@example.com", "wrong password!")
            .await
            .status(),
        429
    );

    // When the window has passed, ada may try again.
    app.sql("UPDATE rate_limits SET window_start = window_start - 901")
        .await;
    assert_eq!(
        attempt("ada@example.com", "correct horse battery")
            .await
            .status(),
        200
    );
}

/// 39 wrong sign-ins for one account at once, over two instances, then the right one: the
/// limit must hold as if they came one by one. Before attempts were reserved before hashing,
/// every one of them was hashed (39 × 401, then 200).
async fn parallel_sign_ins_cannot_beat_the_limit(engine: Engine) {
    let app = spawn_app(engine).await;
    app.sign_up("ada@example.com").await;
    let other = app.another_instance().await;
    let origins = [app.url.clone(), other.url.clone()];
    let attempt = |i: usize, password: &'static str| {
        let browser = Browser::new(&origins[i % 2]);
        async move {
            browser
                .post_json(
                    api::paths::SIGN_IN,
                    &json!({"email": "ada@example.com", "password": password}),
                )
                .await
                .status()
                .as_u16()
        }
    };
    let statuses = futures::future::join_all((0..39).map(|i| attempt(i, "wrong password!"))).await;
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    let max = server::routes::auth::MAX_FAILURES as usize;
    assert_eq!((wrong, throttled), (max, 39 - max), "{statuses:?}");
    assert_eq!(attempt(0, PASSWORD).await, 429);
    assert_eq!(attempt(1, PASSWORD).await, 429);
}

/// The flooding client of the tests below: another address than the tests' usual 127.0.0.1.
const FLOODER: &str = "127.0.0.2";

fn flooder(app: &crate::helpers::TestApp) -> Browser {
    Browser::from_address(&app.url, FLOODER.parse().unwrap())
}

/// `studio_password_hashes_total{outcome}` of the app, read from `/metrics`.
async fn password_hashes(app: &crate::helpers::TestApp, outcome: &str) -> u64 {
    let metrics = app
        .browser
        .raw()
        .get(format!("{}/metrics", app.url))
        .bearer_auth(crate::helpers::METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("studio_password_hashes_total{{outcome=\"{outcome}\"}} ");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&series))
        .unwrap_or_else(|| panic!("{series} in:\n{metrics}"))
        .parse()
        .unwrap()
}

async fn sign_in_on(browser: &Browser, email: &str, password: &str) -> reqwest::Response {
    browser
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": email, "password": password}),
        )
        .await
}

/// A 429 as the issue asks: `Retry-After` in seconds, and the typed error.
async fn assert_throttled(response: reqwest::Response) {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "{retry_after}");
    let error: ApiError = response.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::TooManyRequests);
    assert_eq!(error.retry_after_seconds, Some(retry_after));
}

/// Issue 26: one client's sign-ins with made-up addresses (each hashed, for equal timing)
/// are limited per client, and each is **reserved before any hashing**: of 40 sent at once
/// with a limit of 10, exactly 10 passwords are hashed (a check after hashing would hash all
/// 40 and refuse 30 just the same). Another client signs in meanwhile; the flooding client
/// is refused even with a right password, since the limit is its own, not an account's.
async fn a_sign_in_flood_is_limited_per_client_before_any_hashing(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            sign_in_limit_per_client: 10,
            ..Options::default()
        },
    )
    .await;
    app.sign_up("ada@example.com").await;
    app.browser.forget_cookies();
    let hashed_before = password_hashes(&app, "hashed").await;
    let flooder = flooder(&app);
    let answers = futures::future::join_all((0..40).map(|i| {
        let flooder = &flooder;
        async move {
            let email = format!("made-up-{i}@example.com");
            sign_in_on(flooder, &email, "not the password").await
        }
    }))
    .await;
    let mut wrong = 0;
    let mut throttled = 0;
    for answer in answers {
        match answer.status().as_u16() {
            401 => wrong += 1,
            429 => {
                throttled += 1;
                assert_throttled(answer).await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((wrong, throttled), (10, 30));
    assert_eq!(
        password_hashes(&app, "hashed").await - hashed_before,
        10,
        "only the reserved attempts are hashed"
    );

    // Another client is not affected; the flooder is, whatever it sends.
    assert_eq!(
        sign_in_on(&app.browser, "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_throttled(sign_in_on(&flooder, "ada@example.com", PASSWORD).await).await;
}

/// The hashing queue is bounded in all and per client, and sheds with 429 and `Retry-After`
/// (1 s) instead of queueing, holding nothing while the refusal's pause runs: the test holds the flooding client's two slots,
/// then the whole queue, through the server's own queue. A shed attempt is not counted against
/// the account it named.
async fn a_full_hash_queue_sheds_load_fairly_between_clients(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            password_hash_queue: 4,
            password_hash_queue_per_client: 2,
            ..Options::default()
        },
    )
    .await;
    app.sign_up("ada@example.com").await;
    app.browser.forget_cookies();
    let flooder = flooder(&app);
    let flooders_share = [app.hashing.slot(FLOODER), app.hashing.slot(FLOODER)]
        .map(|slot| slot.unwrap_or_else(|_| panic!("a free slot")));
    let shed_before = password_hashes(&app, "shed").await;
    // More wrong passwords for ada than her account allows, all shed before any check, each
    // answered after the refusal's pause (so ignoring Retry-After does not make a flood).
    for _ in 0..server::routes::auth::MAX_FAILURES + 2 {
        let sent = std::time::Instant::now();
        let shed = sign_in_on(&flooder, "ada@example.com", "not the password").await;
        assert!(sent.elapsed() >= server::routes::auth::REFUSAL_PAUSE);
        assert_eq!(
            shed.headers()["retry-after"],
            server::routes::auth::BUSY_RETRY_AFTER_SECS
                .to_string()
                .as_str()
        );
        assert_throttled(shed).await;
    }
    assert_eq!(
        password_hashes(&app, "shed").await - shed_before,
        server::routes::auth::MAX_FAILURES as u64 + 2
    );
    // The flooder's share is full, not the queue: ada signs in from her own address, and
    // none of the shed attempts counted as a failure of her account.
    assert_eq!(
        sign_in_on(&app.browser, "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );

    // The whole queue full (two more clients' slots): everyone is shed, then served again.
    let others = [
        app.hashing.slot("198.51.100.1"),
        app.hashing.slot("198.51.100.2"),
    ]
    .map(|slot| slot.unwrap_or_else(|_| panic!("a free slot")));
    assert_throttled(sign_in_on(&Browser::new(&app.url), "ada@example.com", PASSWORD).await).await;
    drop(others);
    assert_eq!(
        sign_in_on(&Browser::new(&app.url), "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    drop(flooders_share);
    assert_eq!(
        sign_in_on(&flooder, "ada@example.com", "not the password")
            .await
            .status(),
        401
    );
}

/// A real flood with the production queue's shares (2 per client): 64 sign-ins at once, again
/// and again, from one client, while another signs in. Every one of the other's sign-ins
/// succeeds (its share is its own), and the flood only ever gets 401 or 429 with
/// `Retry-After`. How fast the other's sign-in is under the flood is a benchmark figure
/// (BENCHMARKS.md, figure 8), not asserted here.
async fn another_clients_sign_in_succeeds_during_a_flood(engine: Engine) {
    let app = spawn_app_with(
        engine,
        Options {
            sign_in_limit_per_client: 100_000,
            password_hash_queue: 32,
            password_hash_queue_per_client: 2,
            ..Options::default()
        },
    )
    .await;
    app.sign_up("ada@example.com").await;
    app.browser.forget_cookies();
    let flooder = flooder(&app);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let flood = async {
        let mut statuses = Vec::new();
        let mut round = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            round += 1;
            let answers = futures::future::join_all((0..64).map(|i| {
                let flooder = &flooder;
                async move {
                    let email = format!("flood-{round}-{i}@example.com");
                    sign_in_on(flooder, &email, "not the password").await
                }
            }))
            .await;
            for answer in answers {
                let status = answer.status().as_u16();
                if status == 429 {
                    assert_throttled(answer).await;
                }
                statuses.push(status);
            }
        }
        statuses
    };
    let user = async {
        for _ in 0..5 {
            let browser = Browser::new(&app.url);
            assert_eq!(
                sign_in_on(&browser, "ada@example.com", PASSWORD)
                    .await
                    .status(),
                200,
                "another client signs in during the flood"
            );
        }
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    };
    let (statuses, ()) = futures::future::join(flood, user).await;
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
}

/// Asks for a sign-up of `email` in a browser of its own and returns the mailed token: an
/// attacker's own link, say.
async fn someone_elses_link(app: &crate::helpers::TestApp, email: &str) -> String {
    let sender = Browser::new(&app.url);
    let started = sender
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": email, "password": "the sender's own password"}),
        )
        .await;
    assert_eq!(started.status(), 202);
    sign_up_token(&sender, email).await
}

async fn inspect(browser: &Browser, token: &str) -> reqwest::Response {
    browser
        .post_json(api::paths::SIGN_UP_INSPECT, &json!({ "token": token }))
        .await
}

/// Issue 26, item 2: someone signs up and gets a signed-in victim to use the link. The
/// confirmation is refused with a typed error and the victim stays signed in as themselves,
/// the link still working; only an explicit switch signs them out and into the new account.
async fn a_sign_up_link_never_replaces_a_signed_in_session_silently(engine: Engine) {
    let app = spawn_app(engine).await;
    let victim = app.sign_up("victim@example.com").await;
    let victims_session = app.browser.cookie(server::session::COOKIE_NAME).unwrap();
    let token = someone_elses_link(&app, "mallory@example.com").await;

    // The page learns, without using the link, whose it is and who is signed in.
    let inspected = inspect(&app.browser, &token).await;
    assert_eq!(inspected.status(), 200);
    assert_eq!(
        inspected.json::<SignUpLink>().await.unwrap(),
        SignUpLink {
            email: "mallory@example.com".into(),
            signed_in_as: Some(victim.clone()),
        }
    );

    for body in [
        json!({ "token": token }),
        json!({ "token": token, "switch_account": false }),
    ] {
        let refused = app
            .browser
            .post_json(api::paths::SIGN_UP_CONFIRM, &body)
            .await;
        assert_eq!(refused.status(), 409, "{body}");
        assert!(
            refused.headers().get("set-cookie").is_none(),
            "the session is left alone"
        );
        let error: ApiError = refused.json().await.unwrap();
        assert_eq!(error.code, ErrorCode::SignedInAsSomeoneElse);
        assert!(
            error.message.contains("victim@example.com"),
            "{}",
            error.message
        );
    }
    assert_eq!(
        app.browser.cookie(server::session::COOKIE_NAME).as_deref(),
        Some(victims_session.as_str())
    );
    let me = app.browser.get(api::paths::ME).await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Me>().await.unwrap(), victim, "still the victim");
    let nobody = Browser::new(&app.url);
    let sign_in = nobody
        .post_json(
            api::paths::SIGN_IN,
            &json!({"email": "mallory@example.com", "password": "the sender's own password"}),
        )
        .await;
    assert_eq!(sign_in.status(), 401, "no account was created");

    // Choosing to switch: the victim's session ends, the new account is signed in.
    let switched = app
        .browser
        .post_json(
            api::paths::SIGN_UP_CONFIRM,
            &json!({ "token": token, "switch_account": true }),
        )
        .await;
    assert_eq!(switched.status(), 201);
    let switched: api::SignedUp = switched.json().await.unwrap();
    assert_eq!(switched.me.email, "mallory@example.com");
    let me: Me = app.browser.get(api::paths::ME).await.json().await.unwrap();
    assert_eq!(me, switched.me);
    let old = Browser::new(&app.url);
    old.set_cookie(server::session::COOKIE_NAME, &victims_session);
    assert_eq!(
        old.get(api::paths::ME).await.status(),
        401,
        "the victim's session ended with the switch, not merely replaced in this browser"
    );
    assert_eq!(inspect(&app.browser, &token).await.status(), 422, "used up");
}

/// Inspecting names the link's address and nobody signed in, uses nothing up, and answers a
/// bad or used link as the confirmation does; a browser whose session has ended confirms
/// without being asked to switch.
async fn inspecting_a_sign_up_link_uses_nothing_up(engine: Engine) {
    let app = spawn_app(engine).await;
    let token = someone_elses_link(&app, "Ada@Example.com").await;
    for _ in 0..2 {
        let inspected = inspect(&app.browser, &token).await;
        assert_eq!(inspected.status(), 200);
        assert_eq!(
            inspected.json::<SignUpLink>().await.unwrap(),
            SignUpLink {
                email: "ada@example.com".into(),
                signed_in_as: None,
            }
        );
    }
    for bad in ["made-up".to_owned(), "x".repeat(10_000), String::new()] {
        let refused = inspect(&app.browser, &bad).await;
        assert_eq!(refused.status(), 422);
        let error: ApiError = refused.json().await.unwrap();
        assert_eq!(error.field.as_deref(), Some("token"));
    }

    // A session that has ended is nobody's: no question to ask.
    let signed_out = Browser::new(&app.url);
    sign_up_on(&signed_out, "bob@example.com").await;
    let stale = signed_out.cookie(server::session::COOKIE_NAME).unwrap();
    assert_eq!(
        signed_out
            .post_json(api::paths::SIGN_OUT, &json!({}))
            .await
            .status(),
        204
    );
    signed_out.set_cookie(server::session::COOKIE_NAME, &stale);
    let signed_up = confirm_sign_up_on(&signed_out, &token).await;
    assert_eq!(signed_up.me.email, "ada@example.com");
    assert_eq!(inspect(&app.browser, &token).await.status(), 422, "used up");
}

crate::both_engines!(
    a_sign_in_flood_is_limited_per_client_before_any_hashing,
    a_full_hash_queue_sheds_load_fairly_between_clients,
    another_clients_sign_in_succeeds_during_a_flood,
    sign_in_is_rate_limited_per_account,
    parallel_sign_ins_cannot_beat_the_limit,
    sign_up_through_the_mailed_link_signs_in_and_sign_out_ends_the_session,
    sign_up_answers_alike_for_known_and_unknown_addresses,
    sign_up_links_work_once_and_expire,
    sign_up_is_limited_per_address_and_per_client,
    sign_up_says_so_when_mail_is_not_configured,
    sign_up_mail_goes_out_through_smtp,
    sign_in_checks_the_password,
    sign_up_explains_what_is_wrong,
    api_routes_need_a_session,
    a_sign_up_link_never_replaces_a_signed_in_session_silently,
    inspecting_a_sign_up_link_uses_nothing_up,
);
