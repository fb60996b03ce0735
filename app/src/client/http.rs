//! The transport: `fetch` through gloo-net, JSON in and out, every failure as an [`ApiError`].
//!
//! Requests are same-origin with the browser's cookies (the session cookie is HttpOnly, so the
//! app never sees it). POSTs, PUTs, PATCHes and DELETEs always carry `Content-Type: application/json`: the server refuses
//! state-changing calls without it as part of its CSRF defence.

use api::ApiError;
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::{AbortController, RequestCredentials};

use super::errors;

/// `GET path`, decoding a JSON body of type `T`.
pub async fn get_json<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let (builder, _in_flight) = prepare(Request::get(path));
    let response = send(builder.build()).await?;
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

/// `PUT path` with a body that is JSON text already (a draft as the browser kept it), reading
/// and dropping the answer.
pub async fn put_json_text(path: &str, body: String) -> Result<(), ApiError> {
    let (builder, _in_flight) = prepare(Request::put(path));
    let response = send(
        builder
            .header("Content-Type", "application/json")
            .body(body),
    )
    .await?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    response.text().await.map_err(|_| errors::unreachable())?;
    Ok(())
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
    let (builder, _in_flight) = prepare(builder);
    let response = send(builder.json(body)).await?;
    decode(response).await
}

/// `POST path` with a JSON body, expecting an answer without a body (such as 204).
pub async fn post_no_content<B>(path: &str, body: &B) -> Result<(), ApiError>
where
    B: Serialize + ?Sized,
{
    let (builder, _in_flight) = prepare(Request::post(path));
    let response = send(builder.json(body)).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

/// `DELETE path`, expecting an answer without a body. Sent with an empty JSON body: the
/// server's CSRF gate wants `application/json` on every state-changing call.
pub async fn delete_no_content(path: &str) -> Result<(), ApiError> {
    let (builder, _in_flight) = prepare(Request::delete(path));
    let response = send(builder.json(&serde_json::json!({}))).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

/// A request on its way, aborted when dropped: a call is dropped unfinished when the page that
/// made it is gone (`crate::tasks`), and a fetch whose answer nobody reads would otherwise
/// stay open in the browser. Aborting one that has finished does nothing.
struct InFlight(Option<AbortController>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

/// Same-origin with cookies, asking for JSON, abortable (the guard must live until the answer
/// has been read).
fn prepare(builder: RequestBuilder) -> (RequestBuilder, InFlight) {
    let controller = AbortController::new().ok();
    let signal = controller.as_ref().map(AbortController::signal);
    let builder = builder
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json")
        .abort_signal(signal.as_ref());
    (builder, InFlight(controller))
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
