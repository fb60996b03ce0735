//! Studio accounts: sign up, sign in, sign out.

use crate::helpers::{spawn_app, Engine};
use api::{ApiError, ErrorCode, Me};
use serde_json::json;

async fn sign_up_signs_in_and_sign_out_ends_the_session(engine: Engine) {
    let app = spawn_app(engine).await;
    let me = app.sign_up("ada@example.com").await;
    assert_eq!(me.email, "ada@example.com");

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

    app.sign_up("ada@example.com").await;
    let again = app
        .browser
        .post_json(
            api::paths::SIGN_UP,
            &json!({"email": "Ada@Example.com", "password": "long enough password"}),
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        again.json::<ApiError>().await.unwrap().field.as_deref(),
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
    app.sign_up("bob@example.com").await;
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
    app.sql("UPDATE sign_in_failures SET at = at - 901").await;
    assert_eq!(
        attempt("ada@example.com", "correct horse battery")
            .await
            .status(),
        200
    );
}

crate::both_engines!(
    sign_in_is_rate_limited_per_account,
    sign_up_signs_in_and_sign_out_ends_the_session,
    sign_in_checks_the_password,
    sign_up_explains_what_is_wrong,
    api_routes_need_a_session,
);
