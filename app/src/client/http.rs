//! The transport: `fetch` through gloo-net, JSON in and out, every failure as an [`ApiError`].
//!
//! Requests are same-origin with the browser's cookies (the session cookie is HttpOnly, so the
//! app never sees it). POSTs, PUTs, PATCHes and DELETEs always carry `Content-Type: application/json`: the server refuses
//! state-changing calls without it as part of its CSRF defence.

use api::ApiError;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::RequestCredentials;

use super::errors;

/// `GET path`, decoding a JSON body of type `T`.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let response = send(prepare(Request::get(path)).build()).await?;
    decode(response).await
}

/// `POST path` with a JSON body, decoding a JSON answer of type `T`.
pub async fn post_json<B, T>(path: &str, body: &B) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    json_call(Request::post(path), body).await
}

/// `PUT path` with a JSON body, decoding a JSON answer of type `T`.
pub async fn put_json<B, T>(path: &str, body: &B) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    json_call(Request::put(path), body).await
}

/// `PATCH path` with a JSON body, decoding a JSON answer of type `T`.
pub async fn patch_json<B, T>(path: &str, body: &B) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    json_call(Request::patch(path), body).await
}

/// `DELETE path` with a JSON body (what to delete, and from which version), decoding a
/// JSON answer of type `T`.
pub async fn delete_json<B, T>(path: &str, body: &B) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    json_call(Request::delete(path), body).await
}

async fn json_call<B, T>(builder: RequestBuilder, body: &B) -> Result<T, ApiError>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    let response = send(prepare(builder).json(body)).await?;
    decode(response).await
}

/// `POST path` with a JSON body, expecting an answer without a body (such as 204).
pub async fn post_no_content<B>(path: &str, body: &B) -> Result<(), ApiError>
where
    B: Serialize + ?Sized,
{
    let response = send(prepare(Request::post(path)).json(body)).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

/// `DELETE path`, expecting an answer without a body. Sent with an empty JSON body: the
/// server's CSRF gate wants `application/json` on every state-changing call.
pub async fn delete_no_content(path: &str) -> Result<(), ApiError> {
    let response = send(prepare(Request::delete(path)).json(&serde_json::json!({}))).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

fn prepare(builder: RequestBuilder) -> RequestBuilder {
    builder
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiError> {
    let request = request.map_err(|_| errors::unsendable())?;
    request.send().await.map_err(|_| errors::unreachable())
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let body = response.text().await.map_err(|_| errors::unreachable())?;
    serde_json::from_str(&body).map_err(|_| errors::unreadable())
}

async fn error_of(response: Response) -> ApiError {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    errors::from_response(status, &body)
}
