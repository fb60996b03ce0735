//! The OAuth 2.0 authorization-code flow against a provider, through the `oauth2` crate.
//!
//! Bitbucket Cloud wants HTTP Basic client authentication and a form body (the crate's
//! defaults), ignores `scope` in the request (scopes are set on the consumer) and reports the
//! granted scopes in the answer: as the standard `scope` since 4 May 2026, as a non-standard
//! `scopes` before; [`token_set`] reads either ([`BitbucketTokenFields`] holds the old one).
//!
//! The crate's own reqwest glue cannot tell a 503 from an `invalid_grant` once the body fails
//! to parse, and that difference decides whether a link is kept or marked for reconnection.
//!
//! Bitbucket Data Center (an incoming application link) takes the client's id and secret in
//! the form body, requires PKCE S256 and the `scope` parameter: [`OAuthSettings`] says which.
//!
//! [`send`] therefore turns 5xx and 429 answers into transport errors ([`TokenTransportError`]),
//! which surface as [`TokenError::Transient`].

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::telemetry::Metrics;

/// The extra token-response field Bitbucket Cloud sends: granted scopes, space-separated.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BitbucketTokenFields {
    #[serde(default)]
    pub scopes: Option<String>,
}

impl ExtraTokenFields for BitbucketTokenFields {}

type TokenResponseBody = StandardTokenResponse<BitbucketTokenFields, BasicTokenType>;

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponseBody,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens as the provider issued them.
pub struct TokenSet {
    pub access_token: SecretString,
    /// `None` when a refresh response did not rotate the refresh token.
    pub refresh_token: Option<SecretString>,
    pub expires_in: Duration,
    pub scopes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The provider refused for good (`invalid_grant`, `invalid_client`, …): retrying won't help.
    #[error("the provider refused: {code}: {description}")]
    Refused { code: String, description: String },
    /// Network trouble, 5xx, 429 or an unreadable answer: worth retrying later.
    #[error("the provider's token endpoint is unavailable: {reason}")]
    Transient {
        reason: String,
        retry_after: Option<u64>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum TokenTransportError {
    #[error("HTTP {status}")]
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    #[error(transparent)]
    Network(#[from] reqwest::Error),
    #[error(transparent)]
    Http(#[from] oauth2::http::Error),
    #[error("the token endpoint's answer is larger than {} KiB", super::body::MAX_ERROR_BYTES / 1024)]
    TooLarge,
}

/// The start of an authorization: where to send the browser and what to remember.
pub struct AuthorizationRequest {
    pub url: url::Url,
    pub pkce_verifier: Option<SecretString>,
}

/// How the studio authenticates itself at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic (Bitbucket Cloud).
    Basic,
    /// `client_id` and `client_secret` in the form body (Bitbucket Data Center).
    RequestBody,
}

/// One provider's OAuth client registration.
#[derive(Clone, Debug)]
pub struct OAuthSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    pub authorize_url: String,
    pub token_url: String,
    pub callback_url: String,
    pub pkce: bool,
    pub client_auth: ClientAuth,
    /// Sent as `scope` when not empty (Cloud ignores it: its scopes are the consumer's).
    pub scopes: Vec<String>,
    /// Scopes the grant must carry, checked at the callback.
    pub required_scopes: Vec<String>,
}

pub struct ProviderOAuth {
    client: OAuthClient,
    http: Transport,
    pkce: bool,
    scopes: Vec<String>,
    required_scopes: Vec<String>,
}

/// The token endpoint's HTTP client (see the module docs for why it is not the crate's own).
/// A named type rather than a closure: closures here defeat the compiler's `Send` inference
/// for the handlers' futures.
struct Transport {
    http: reqwest::Client,
    metrics: Arc<Metrics>,
}

impl<'c> oauth2::AsyncHttpClient<'c> for Transport {
    type Error = TokenTransportError;
    type Future = Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenTransportError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self, request))
    }
}

impl ProviderOAuth {
    pub fn new(
        settings: &OAuthSettings,
        http: reqwest::Client,
        metrics: Arc<Metrics>,
    ) -> Result<Self, url::ParseError> {
        let client = oauth2::Client::new(ClientId::new(settings.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                settings.client_secret.expose_secret().to_owned(),
            ))
            .set_auth_uri(AuthUrl::new(settings.authorize_url.clone())?)
            .set_token_uri(TokenUrl::new(settings.token_url.clone())?)
            .set_redirect_uri(RedirectUrl::new(settings.callback_url.clone())?)
            .set_auth_type(match settings.client_auth {
                ClientAuth::Basic => oauth2::AuthType::BasicAuth,
                ClientAuth::RequestBody => oauth2::AuthType::RequestBody,
            });
        Ok(Self {
            client,
            http: Transport { http, metrics },
            pkce: settings.pkce,
            scopes: settings.scopes.clone(),
            required_scopes: settings.required_scopes.clone(),
        })
    }

    /// The provider's URL that asks the user for consent. `state` is ours (see routes::oauth).
    pub fn authorization_request(&self, state: &str) -> AuthorizationRequest {
        let state = state.to_owned();
        let mut request = self
            .client
            .authorize_url(move || CsrfToken::new(state))
            .add_scopes(self.scopes.iter().cloned().map(oauth2::Scope::new));
        let mut pkce_verifier = None;
        if self.pkce {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            pkce_verifier = Some(SecretString::from(verifier.secret().to_owned()));
        }
        let (url, _) = request.url();
        AuthorizationRequest { url, pkce_verifier }
    }

    /// The first required scope the grant lacks. A token answer without `scope` granted what
    /// was asked for (RFC 6749 §5.1), when something was; Cloud asks for nothing (its scopes
    /// are the consumer's), so there an answer without scopes grants none.
    pub fn missing_scope<'a>(&'a self, granted: &[String]) -> Option<&'a str> {
        let granted: &[String] = if granted.is_empty() {
            &self.scopes
        } else {
            granted
        };
        self.required_scopes
            .iter()
            .find(|scope| !granted.contains(scope))
            .map(String::as_str)
    }

    pub async fn exchange_code(
        &self,
        code: &str,
        pkce_verifier: Option<SecretString>,
    ) -> Result<TokenSet, TokenError> {
        let mut request = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()));
        if let Some(verifier) = pkce_verifier {
            request = request
                .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()));
        }
        request
            .request_async(&self.http)
            .await
            .map(token_set)
            .map_err(classify)
    }

    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, TokenError> {
        let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
        self.client
            .exchange_refresh_token(&token)
            .request_async(&self.http)
            .await
            .map(token_set)
            .map_err(classify)
    }
}

/// Sends a token request; 5xx and 429 become errors so they classify as transient. The
/// call is counted in the metrics as the `token` endpoint, and carries the request's id.
async fn send(
    transport: &Transport,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, TokenTransportError> {
    let request: reqwest::Request = request.try_into()?;
    let sent = transport
        .metrics
        .send_upstream(&transport.http, request, "token")
        .await;
    let response = sent?;
    let status = response.status();
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        let retry_after = crate::providers::refusal::retry_after(response.headers());
        return Err(TokenTransportError::Status {
            status: status.as_u16(),
            retry_after,
        });
    }
    let headers = response.headers().clone();
    // A token answer is a few hundred bytes; an error body, a few more.
    let body = super::body::at_most(response, super::body::MAX_ERROR_BYTES)
        .await?
        .ok_or(TokenTransportError::TooLarge)?;
    let status = if status.is_success() && is_error_answer(&body) {
        reqwest::StatusCode::BAD_REQUEST
    } else {
        status
    };
    let mut builder = oauth2::http::Response::builder().status(status.as_u16());
    for (name, value) in &headers {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    Ok(builder.body(body)?)
}

/// Whether a token endpoint's answer is an error whatever its status: an `error` and no
/// `access_token`. GitHub answers every token error with HTTP 200 ("Generating a user access
/// token for a GitHub App": `bad_verification_code`, `bad_refresh_token`,
/// `incorrect_client_credentials`, …); read as an error (RFC 6749 §5.2) it is a refusal, not
/// an unreadable answer, so a dead refresh token asks the user to reconnect.
fn is_error_answer(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Answer {
        error: Option<serde_json::Value>,
        access_token: Option<serde_json::Value>,
    }
    serde_json::from_slice::<Answer>(body).is_ok_and(|answer| {
        matches!(answer.error, Some(serde_json::Value::String(_))) && answer.access_token.is_none()
    })
}

fn token_set(response: TokenResponseBody) -> TokenSet {
    let scopes = response
        .extra_fields()
        .scopes
        .as_deref()
        .map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .or_else(|| {
            response
                .scopes()
                .map(|scopes| scopes.iter().map(|s| s.to_string()).collect())
        })
        .unwrap_or_default();
    TokenSet {
        access_token: SecretString::from(response.access_token().secret().to_owned()),
        refresh_token: response
            .refresh_token()
            .map(|t| SecretString::from(t.secret().to_owned())),
        // Bitbucket documents 7200 s; assume an hour if a response ever omits it.
        expires_in: response.expires_in().unwrap_or(Duration::from_secs(3600)),
        scopes,
    }
}

fn classify(error: RequestTokenError<TokenTransportError, BasicErrorResponse>) -> TokenError {
    match error {
        RequestTokenError::ServerResponse(body) => TokenError::Refused {
            code: body.error().to_string(),
            description: body.error_description().cloned().unwrap_or_default(),
        },
        RequestTokenError::Request(TokenTransportError::Status {
            status,
            retry_after,
        }) => TokenError::Transient {
            reason: format!("HTTP {status}"),
            retry_after,
        },
        RequestTokenError::Request(other) => TokenError::Transient {
            reason: other.to_string(),
            retry_after: None,
        },
        RequestTokenError::Parse(error, _) => TokenError::Transient {
            reason: format!("unreadable answer: {error}"),
            retry_after: None,
        },
        RequestTokenError::Other(reason) => TokenError::Transient {
            reason,
            retry_after: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(json: &str) -> TokenSet {
        token_set(serde_json::from_str::<TokenResponseBody>(json).unwrap())
    }

    #[test]
    fn granted_scopes_are_read_from_either_field() {
        let today = parsed(
            r#"{"access_token":"a","token_type":"bearer","expires_in":7200,"refresh_token":"r","scope":"account repository:write"}"#,
        );
        assert_eq!(today.scopes, ["account", "repository:write"]);
        let before = parsed(
            r#"{"access_token":"a","token_type":"bearer","scopes":"account repository:write"}"#,
        );
        assert_eq!(before.scopes, ["account", "repository:write"]);
        assert_eq!(
            before.expires_in,
            Duration::from_secs(3600),
            "no expires_in: an hour"
        );
        assert!(before.refresh_token.is_none());
    }

    #[test]
    fn an_error_is_an_error_whatever_its_status() {
        assert!(is_error_answer(
            br#"{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com"}"#
        ));
        assert!(!is_error_answer(
            br#"{"access_token":"ghu_x","token_type":"bearer"}"#
        ));
        assert!(!is_error_answer(
            br#"{"access_token":"ghu_x","error":"odd"}"#
        ));
        assert!(!is_error_answer(b"access_token=x&token_type=bearer"));
        assert!(!is_error_answer(br#"{"error":{"nested":true}}"#));
    }

    #[test]
    fn long_tokens_are_kept_whole() {
        let long = "t".repeat(3000);
        let set = parsed(&format!(
            r#"{{"access_token":"{long}","token_type":"bearer","refresh_token":"{long}"}}"#
        ));
        assert_eq!(set.access_token.expose_secret().len(), 3000);
    }
}
