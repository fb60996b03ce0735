//! The cross-workspace listings removed by CHANGE-2770: 410 with an `error`
//! body, with or without a token. The document still describes their old 200
//! (they are marked `deprecated`) and lists no 410, so the answers are
//! validated against `error`.

use crate::common::*;

#[tokio::test]
async fn change_2770_listings_are_410_errors() {
    let c = Contract::start().await;
    for (o, path) in [
        (op("get", "/repositories"), "/repositories"),
        (op("get", "/workspaces"), "/workspaces"),
        (
            op("get", "/user/permissions/repositories"),
            "/user/permissions/repositories",
        ),
        (
            op("get", "/user/permissions/workspaces"),
            "/user/permissions/workspaces",
        ),
    ] {
        c.expect(
            document()
                .operation(o.template, o.method)
                .is_some_and(|op| op["deprecated"] == true),
            || format!("the document no longer marks {} deprecated", o.template),
        );
        for token in [Some(c.alex.as_str()), None] {
            let answer = c.get(token, path).await;
            if let Some(body) = c.undocumented(o, &answer, 410) {
                let message = body["error"]["message"].as_str().unwrap_or("");
                c.expect(message.contains("CHANGE-2770"), || {
                    format!(
                        "{}: 410 message does not name CHANGE-2770: {message:?}",
                        answer.request
                    )
                });
            }
        }
    }
    c.finish().await;
}
