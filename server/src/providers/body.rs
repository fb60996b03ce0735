//! Reading what a provider answers, bounded. Every body from a provider (REST or token
//! endpoint) is read through here, chunk by chunk, and refused past
//! a limit, so an upstream that misbehaves (or a man in the middle of a misconfigured proxy)
//! cannot make the server buffer without end. `serde_json` bounds the nesting (128 levels);
//! this bounds the size.

use serde::de::DeserializeOwned;

use super::ProviderError;

/// Largest JSON answer read: a page of 1,000 projects or file paths is well under 1 MiB.
pub const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;
/// Largest error body read; only its message is shown, and only its first part matters.
pub const MAX_ERROR_BYTES: usize = 64 * 1024;

/// The body, or `None` when it is longer than `max` bytes (announced or as read; the rest is
/// left unread and the connection dropped).
pub async fn at_most(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > max {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// The body of a JSON answer, at most [`MAX_ANSWER_BYTES`]; `what` names it in errors.
pub async fn answer(response: reqwest::Response, what: &str) -> Result<Vec<u8>, ProviderError> {
    at_most(response, MAX_ANSWER_BYTES)
        .await
        .map_err(|e| ProviderError::Unavailable(e.without_url().to_string()))?
        .ok_or_else(|| {
            ProviderError::Unexpected(format!(
                "The answer for the {what} is larger than {} MiB.",
                MAX_ANSWER_BYTES / (1024 * 1024)
            ))
        })
}

/// A JSON answer parsed as `T`, at most [`MAX_ANSWER_BYTES`].
pub async fn json<T: DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, ProviderError> {
    let bytes = answer(response, what).await?;
    serde_json::from_slice(&bytes).map_err(|e| ProviderError::Unexpected(e.to_string()))
}

/// An error answer parsed as `T`, or `T::default()` when it is not that, or too long, or
/// cannot be read: the status decides what went wrong, the body only adds its message.
pub async fn error_json<T: DeserializeOwned + Default>(response: reqwest::Response) -> T {
    match at_most(response, MAX_ERROR_BYTES).await {
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => T::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use futures::stream;
    use secrecy::SecretString;

    /// An upstream answering every path with a valid JSON page of `len` bytes (an empty list
    /// padded out), in 64 KiB chunks, its length announced or not.
    async fn upstream(len: usize, announced: bool) -> String {
        let app = axum::Router::new().fallback(move || async move {
            let head = br#"{"values":[],"isLastPage":true,"pad":""#.to_vec();
            let mut json = head;
            json.resize(len - 2, b'x');
            json.extend_from_slice(br#""}"#);
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                json.chunks(65536).map(|c| Ok(c.to_vec())).collect();
            let mut response =
                axum::response::Response::new(Body::from_stream(stream::iter(chunks)));
            if announced {
                response
                    .headers_mut()
                    .insert("content-length", len.to_string().parse().unwrap());
            }
            response
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused_whether_announced_or_streamed() {
        for announced in [true, false] {
            let url = upstream(MAX_ERROR_BYTES + 1, announced).await;
            let response = reqwest::get(&url).await.unwrap();
            assert_eq!(
                at_most(response, MAX_ERROR_BYTES).await.unwrap(),
                None,
                "announced: {announced}"
            );
            let url = upstream(MAX_ERROR_BYTES, announced).await;
            let response = reqwest::get(&url).await.unwrap();
            let read = at_most(response, MAX_ERROR_BYTES).await.unwrap().unwrap();
            assert_eq!(read.len(), MAX_ERROR_BYTES);
        }
    }

    #[tokio::test]
    async fn an_oversized_error_body_leaves_the_default() {
        let url = upstream(MAX_ERROR_BYTES * 4, false).await;
        let response = reqwest::get(&url).await.unwrap();
        let parsed: serde_json::Value = error_json(response).await;
        assert_eq!(parsed, serde_json::Value::Null);
    }

    fn is_too_large(error: &ProviderError) -> bool {
        matches!(error, ProviderError::Unexpected(m) if m.contains("larger than"))
    }

    /// The clients' own reads go through the bound: a list answer one byte past it, valid
    /// JSON that would parse, is refused by both providers' clients.
    #[tokio::test]
    async fn both_clients_refuse_an_oversized_list_instead_of_buffering_it() {
        let token = SecretString::from("token".to_owned());
        let metrics = crate::telemetry::Metrics::new();
        for announced in [false, true] {
            let base = upstream(MAX_ANSWER_BYTES + 1, announced).await;
            let dc = crate::providers::bitbucket_datacenter::rest::DataCenterRest::new(
                reqwest::Client::new(),
                &base,
                metrics.clone(),
            )
            .unwrap();
            let error = dc
                .writable_repositories(&token, "DATA", None, 0)
                .await
                .unwrap_err();
            assert!(is_too_large(&error), "Data Center: {error:?}");

            let cloud = crate::providers::bitbucket_cloud::rest::BitbucketRest::new(
                reqwest::Client::new(),
                &base,
                metrics.clone(),
            )
            .unwrap();
            let error = cloud
                .writable_repositories(&token, "acme", None, None)
                .await
                .unwrap_err();
            assert!(is_too_large(&error), "Cloud: {error:?}");
        }
        // Just under the bound, the same answer is read.
        let base = upstream(MAX_ANSWER_BYTES, false).await;
        let dc = crate::providers::bitbucket_datacenter::rest::DataCenterRest::new(
            reqwest::Client::new(),
            &base,
            metrics,
        )
        .unwrap();
        let page = dc
            .writable_repositories(&token, "DATA", None, 0)
            .await
            .unwrap();
        assert!(page.values.is_empty());
    }
}
