//! `GET /user`: the account behind the token (`account`).

use crate::common::*;

const USER: Op = op("get", "/user");

#[tokio::test]
async fn user_is_an_account() {
    let c = Contract::start().await;
    let answer = c.get(Some(&c.alex), "/user").await;
    if let Some(me) = c.documented(USER, &answer, 200) {
        // What the studio reads; the document's `account` has uuid,
        // display_name and links.avatar (account_id and nickname are `user`'s).
        c.expect(me["uuid"].is_string(), || format!("/user: no uuid: {me}"));
        c.expect(me["display_name"].is_string(), || {
            format!("/user: no display_name: {me}")
        });
    }
    // The document answers `account`; the object says `"type": "user"`, so it
    // must also be a valid `user` (the `discriminator` reading, checked here
    // only, as the validator otherwise ignores discriminators).
    c.against(&answer, 200, "user");
    for nickname in ["bigco", "sam"] {
        let token = c.token(nickname).await;
        let answer = c.get(Some(&token), "/user").await;
        c.documented(USER, &answer, 200);
    }
    c.finish().await;
}
