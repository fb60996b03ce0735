//! Grants, authorization codes, tokens and form tickets, with Bitbucket's
//! lifetimes and the OAuth 2.0 security rules a careful provider enforces.
//!
//! The rules here are the ones the studio must survive in production, so the
//! sandbox applies them strictly: codes are single use and a replayed code
//! revokes everything issued from it (RFC 6749 §4.1.2), a `code_verifier`
//! without a prior challenge is refused (RFC 9700 §2.1.1, PKCE downgrade), and
//! rotated refresh tokens die 10 minutes after first use (Bitbucket's
//! announced rotation).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::AuthorizeRequest;
use crate::ids::random_token;
use crate::Consumer;

pub(crate) const CODE_TTL: Duration = Duration::from_secs(5 * 60);
pub(crate) const ACCESS_TTL: Duration = Duration::from_secs(7200);
pub(crate) const ROTATION_GRACE: Duration = Duration::from_secs(10 * 60);
/// "A refresh token which is not used to generate an access token will expire after 3
/// months" (Atlassian's text on refresh tokens).
pub(crate) const UNUSED_REFRESH_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
const TICKET_TTL: Duration = Duration::from_secs(60 * 60);
/// Expired tokens are remembered this long so the API can still say
/// "expired" rather than "invalid", then forgotten to bound memory in long
/// benchmark runs.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Access tokens are this many random bytes (≈2,600 base64 characters):
/// Bitbucket warns its tokens can exceed 2,500 characters, and a sandbox with
/// short tokens would let a `VARCHAR(255)` column slip through.
const ACCESS_TOKEN_BYTES: usize = 1950;
/// Refresh tokens are as long: storage and logs must cope with both.
const REFRESH_TOKEN_BYTES: usize = 1950;
const CODE_BYTES: usize = 32;

#[derive(Debug)]
struct AuthCode {
    consumer: String,
    account: String,
    redirect_uri: Option<String>,
    challenge: Option<String>,
    expires_at: Duration,
    used: bool,
    revoked: bool,
    family: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub consumer: String,
    pub account: String,
    pub scopes: Vec<String>,
    expires_at: Duration,
    revoked: bool,
    family: u64,
}

#[derive(Debug)]
struct RefreshToken {
    consumer: String,
    account: String,
    scopes: Vec<String>,
    family: u64,
    revoked: bool,
    /// Set when used while rotation is on: the token dies
    /// [`ROTATION_GRACE`] later.
    first_rotated_at: Option<Duration>,
    expires_at: Option<Duration>,
}

#[derive(Debug, Clone)]
pub(crate) enum TicketPurpose {
    Consent(AuthorizeRequest),
    AppAuthorizations,
}

/// A per-page anti-CSRF token, bound to the signed-in account.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub account: String,
    pub purpose: TicketPurpose,
    expires_at: Duration,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenGrant {
    pub access_token: String,
    pub refresh_token: String,
    pub scopes: Vec<String>,
}

/// A token-endpoint error (`{"error", "error_description"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError {
        error: "invalid_grant",
        description: description.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessDenied {
    Unknown,
    Expired,
}

#[derive(Debug)]
pub(crate) struct OAuthState {
    /// (nickname, consumer key) → when granted.
    grants: BTreeMap<(String, String), Duration>,
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    tickets: HashMap<String, Ticket>,
    /// Tokens issued from one authorization code (and refreshed from them)
    /// share a family, so a replayed code can revoke all of them.
    next_family: u64,
    issued: u64,
    /// Since 4 May 2026 Bitbucket rotates every refresh token; off only for tests of the
    /// older behaviour.
    pub rotation: bool,
}

impl Default for OAuthState {
    fn default() -> Self {
        Self {
            grants: BTreeMap::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            tickets: HashMap::new(),
            next_family: 0,
            issued: 0,
            rotation: true,
        }
    }
}

impl OAuthState {
    pub(crate) fn has_grant(&self, nickname: &str, consumer: &str) -> bool {
        self.grants
            .contains_key(&(nickname.to_owned(), consumer.to_owned()))
    }

    pub(crate) fn record_grant(&mut self, nickname: &str, consumer: &str, now: Duration) {
        self.grants
            .entry((nickname.to_owned(), consumer.to_owned()))
            .or_insert(now);
    }

    /// Every code, access token and refresh token issued to the account that the sandbox
    /// still remembers, live or dead.
    pub(crate) fn secrets_of(&self, nickname: &str) -> Vec<String> {
        let codes = self.codes.iter().filter(|(_, c)| c.account == nickname);
        let access = self.access.iter().filter(|(_, t)| t.account == nickname);
        let refresh = self.refresh.iter().filter(|(_, t)| t.account == nickname);
        codes
            .map(|(k, _)| k.clone())
            .chain(access.map(|(k, _)| k.clone()))
            .chain(refresh.map(|(k, _)| k.clone()))
            .collect()
    }

    /// Consumer keys the account has authorized, with when.
    pub(crate) fn grants_of(&self, nickname: &str) -> Vec<(String, Duration)> {
        self.grants
            .iter()
            .filter(|((n, _), _)| n == nickname)
            .map(|((_, key), at)| (key.clone(), *at))
            .collect()
    }

    pub(crate) fn issue_code(
        &mut self,
        consumer: &str,
        account: &str,
        redirect_uri: Option<String>,
        challenge: Option<String>,
        now: Duration,
    ) -> String {
        self.prune(now);
        let code = random_token(CODE_BYTES);
        self.next_family += 1;
        self.codes.insert(
            code.clone(),
            AuthCode {
                consumer: consumer.to_owned(),
                account: account.to_owned(),
                redirect_uri,
                challenge,
                expires_at: now + CODE_TTL,
                used: false,
                revoked: false,
                family: self.next_family,
            },
        );
        code
    }

    pub(crate) fn redeem_code(
        &mut self,
        client: &Consumer,
        code: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: Duration,
    ) -> Result<TokenGrant, OAuthError> {
        let not_valid = || invalid_grant("The specified code is not valid.");
        let Some(entry) = self.codes.get_mut(code) else {
            return Err(not_valid());
        };
        if entry.consumer != client.key {
            // Someone else's code: refuse without consuming it.
            return Err(not_valid());
        }
        if entry.used {
            let family = entry.family;
            self.revoke_family(family);
            return Err(invalid_grant("The specified code has already been used."));
        }
        // Single use, whatever happens next: a failed PKCE or redirect_uri
        // check must not leave the code open to guessing.
        entry.used = true;
        if entry.revoked {
            return Err(not_valid());
        }
        if now >= entry.expires_at {
            return Err(invalid_grant("The specified code has expired."));
        }
        let redirect_ok = match (entry.redirect_uri.as_deref(), redirect_uri) {
            (Some(sent), Some(given)) => sent == given,
            (Some(_), None) => false,
            (None, None) => true,
            (None, Some(given)) => given == client.callback_url,
        };
        if !redirect_ok {
            return Err(invalid_grant(
                "The redirect_uri does not match the one used in the authorization request.",
            ));
        }
        match (entry.challenge.as_deref(), verifier) {
            (Some(challenge), Some(verifier)) => {
                if !verifier_is_well_formed(verifier) || s256(verifier) != challenge {
                    return Err(invalid_grant("Invalid code_verifier."));
                }
            }
            (Some(_), None) => return Err(invalid_grant("Missing code_verifier.")),
            (None, Some(_)) => {
                return Err(invalid_grant(
                    "A code_verifier was sent but the authorization request had no code_challenge.",
                ))
            }
            (None, None) => {}
        }
        let (account, family) = (entry.account.clone(), entry.family);
        Ok(self.issue_tokens(client, &account, client.scopes.clone(), family, now))
    }

    /// Whether `token` is a refresh token already exchanged under rotation: presenting it
    /// again means two refreshes raced (or a replay).
    pub(crate) fn was_rotated(&self, token: &str) -> bool {
        self.rotation
            && self
                .refresh
                .get(token)
                .is_some_and(|entry| entry.first_rotated_at.is_some())
    }

    pub(crate) fn refresh(
        &mut self,
        client: &Consumer,
        token: &str,
        now: Duration,
    ) -> Result<TokenGrant, OAuthError> {
        let invalid = || invalid_grant("Invalid refresh_token");
        let rotation = self.rotation;
        let Some(entry) = self.refresh.get_mut(token) else {
            return Err(invalid());
        };
        if entry.consumer != client.key || entry.revoked {
            return Err(invalid());
        }
        if entry.expires_at.is_some_and(|at| now >= at)
            || entry
                .first_rotated_at
                .is_some_and(|at| now >= at + ROTATION_GRACE)
        {
            entry.revoked = true;
            return Err(invalid());
        }
        let (account, scopes, family) = (entry.account.clone(), entry.scopes.clone(), entry.family);
        if rotation {
            entry.first_rotated_at.get_or_insert(now);
            Ok(self.issue_tokens(client, &account, scopes, family, now))
        } else {
            let access_token = self.issue_access(client, &account, scopes.clone(), family, now);
            Ok(TokenGrant {
                access_token,
                refresh_token: token.to_owned(),
                scopes,
            })
        }
    }

    pub(crate) fn check_access(
        &self,
        token: &str,
        now: Duration,
    ) -> Result<&AccessToken, AccessDenied> {
        match self.access.get(token) {
            None => Err(AccessDenied::Unknown),
            Some(t) if t.revoked => Err(AccessDenied::Unknown),
            Some(t) if now >= t.expires_at => Err(AccessDenied::Expired),
            Some(t) => Ok(t),
        }
    }

    pub(crate) fn revoke(&mut self, nickname: &str, consumer: &str) {
        self.grants
            .remove(&(nickname.to_owned(), consumer.to_owned()));
        for c in self.codes.values_mut() {
            if c.account == nickname && c.consumer == consumer {
                c.revoked = true;
            }
        }
        for t in self.access.values_mut() {
            if t.account == nickname && t.consumer == consumer {
                t.revoked = true;
            }
        }
        for t in self.refresh.values_mut() {
            if t.account == nickname && t.consumer == consumer {
                t.revoked = true;
            }
        }
    }

    pub(crate) fn new_ticket(
        &mut self,
        account: &str,
        purpose: TicketPurpose,
        now: Duration,
    ) -> String {
        if self.tickets.len() > 1000 {
            self.tickets.retain(|_, t| t.expires_at > now);
        }
        let token = random_token(32);
        self.tickets.insert(
            token.clone(),
            Ticket {
                account: account.to_owned(),
                purpose,
                expires_at: now + TICKET_TTL,
            },
        );
        token
    }

    /// Single use: the ticket is gone whether or not it was still valid.
    pub(crate) fn take_ticket(&mut self, token: &str, now: Duration) -> Option<Ticket> {
        self.tickets.remove(token).filter(|t| now < t.expires_at)
    }

    fn revoke_family(&mut self, family: u64) {
        for t in self.access.values_mut() {
            if t.family == family {
                t.revoked = true;
            }
        }
        for t in self.refresh.values_mut() {
            if t.family == family {
                t.revoked = true;
            }
        }
    }

    fn issue_tokens(
        &mut self,
        client: &Consumer,
        account: &str,
        scopes: Vec<String>,
        family: u64,
        now: Duration,
    ) -> TokenGrant {
        let access_token = self.issue_access(client, account, scopes.clone(), family, now);
        let refresh_token = random_token(REFRESH_TOKEN_BYTES);
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                consumer: client.key.clone(),
                account: account.to_owned(),
                scopes: scopes.clone(),
                family,
                revoked: false,
                first_rotated_at: None,
                expires_at: Some(now + UNUSED_REFRESH_TTL),
            },
        );
        TokenGrant {
            access_token,
            refresh_token,
            scopes,
        }
    }

    fn issue_access(
        &mut self,
        client: &Consumer,
        account: &str,
        scopes: Vec<String>,
        family: u64,
        now: Duration,
    ) -> String {
        self.prune(now);
        let token = random_token(ACCESS_TOKEN_BYTES);
        self.access.insert(
            token.clone(),
            AccessToken {
                consumer: client.key.clone(),
                account: account.to_owned(),
                scopes,
                expires_at: now + ACCESS_TTL,
                revoked: false,
                family,
            },
        );
        token
    }

    /// Every 1,024 issues, forgets long-dead codes and access tokens.
    fn prune(&mut self, now: Duration) {
        self.issued += 1;
        if !self.issued.is_multiple_of(1024) {
            return;
        }
        self.codes.retain(|_, c| c.expires_at + FORGET_AFTER > now);
        self.access.retain(|_, t| t.expires_at + FORGET_AFTER > now);
    }
}

/// RFC 7636 §4.1: 43–128 characters from the unreserved set.
pub(crate) fn verifier_is_well_formed(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// An S256 challenge is a base64url SHA-256: exactly 43 characters.
pub(crate) fn challenge_is_well_formed(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consumer(key: &str) -> Consumer {
        Consumer {
            key: key.into(),
            secret: "s".into(),
            name: "Studio".into(),
            callback_url: "http://localhost/cb".into(),
            scopes: vec!["account".into(), "repository:write".into()],
        }
    }

    #[test]
    fn rfc7636_example_verifier() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn replayed_code_revokes_its_tokens() {
        let mut s = OAuthState::default();
        let c = consumer("k");
        let now = Duration::ZERO;
        let code = s.issue_code("k", "alex", None, None, now);
        let grant = s.redeem_code(&c, &code, None, None, now).unwrap();
        assert!(s.check_access(&grant.access_token, now).is_ok());
        assert_eq!(
            s.redeem_code(&c, &code, None, None, now).unwrap_err().error,
            "invalid_grant"
        );
        assert_eq!(
            s.check_access(&grant.access_token, now).unwrap_err(),
            AccessDenied::Unknown
        );
        assert!(s.refresh(&c, &grant.refresh_token, now).is_err());
    }

    #[test]
    fn another_consumers_code_is_refused_without_being_consumed() {
        let mut s = OAuthState::default();
        let code = s.issue_code("k", "alex", None, None, Duration::ZERO);
        assert!(s
            .redeem_code(&consumer("other"), &code, None, None, Duration::ZERO)
            .is_err());
        assert!(s
            .redeem_code(&consumer("k"), &code, None, None, Duration::ZERO)
            .is_ok());
    }

    #[test]
    fn an_unused_refresh_token_expires_after_three_months() {
        let mut s = OAuthState::default();
        let c = consumer("k");
        let code = s.issue_code("k", "alex", None, None, Duration::ZERO);
        let grant = s
            .redeem_code(&c, &code, None, None, Duration::ZERO)
            .unwrap();
        let later = UNUSED_REFRESH_TTL + Duration::from_secs(1);
        assert!(s.refresh(&c, &grant.refresh_token, later).is_err());
    }

    #[test]
    fn rotation_kills_the_old_refresh_token_after_grace() {
        let mut s = OAuthState::default();
        assert!(s.rotation, "on by default, as on bitbucket.org");
        let c = consumer("k");
        let code = s.issue_code("k", "alex", None, None, Duration::ZERO);
        let first = s
            .redeem_code(&c, &code, None, None, Duration::ZERO)
            .unwrap();
        let second = s
            .refresh(&c, &first.refresh_token, Duration::from_secs(1))
            .unwrap();
        assert_ne!(second.refresh_token, first.refresh_token);
        // Still usable inside the grace period…
        assert!(s
            .refresh(&c, &first.refresh_token, Duration::from_secs(599))
            .is_ok());
        // …dead after it, while the new one lives on.
        assert!(s
            .refresh(&c, &first.refresh_token, Duration::from_secs(601))
            .is_err());
        assert!(s
            .refresh(&c, &second.refresh_token, Duration::from_secs(601))
            .is_ok());
    }
}
