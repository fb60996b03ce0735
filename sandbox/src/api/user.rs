//! `GET /2.0/user`: who the token belongs to (the studio shows it and stores
//! `account_id`/`uuid` to recognise the same Bitbucket account later).

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::errors::ApiError;
use super::{render, Caller};
use crate::Sandbox;

pub(super) async fn me(State(sb): State<Sandbox>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require("account")?;
    let world = sb.world();
    let account = world
        .directory
        .account(&caller.nickname)
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    Ok(Json(render::user(&sb, account)))
}
