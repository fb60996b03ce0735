//! Grants, authorization codes, tokens, sign-in sessions and form tickets, with Data
//! Center's lifetimes (code 10 seconds, Atlassian's default for its OAuth 2.0 provider;
//! access token 1 hour; refresh token 90 days) and the
//! OAuth 2.0 security rules a careful provider enforces: single-use codes whose replay
//! revokes what the first use issued (RFC 6749 §4.1.2), mandatory S256 PKCE, refresh-token
//! rotation where the old token dies at once.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use super::scopes::Scope;
use super::AuthorizeRequest;
use crate::ids::random_token;
use crate::sessions::Sessions;

/// A client must exchange its code at once: a slow exchange fails on Data Center too.
pub(crate) const CODE_TTL: Duration = Duration::from_secs(10);
pub(crate) const ACCESS_TTL: Duration = Duration::from_secs(3600);
pub(crate) const REFRESH_TTL: Duration = Duration::from_secs(90 * 24 * 3600);
/// Dead tokens are remembered this long (so a 401 can say "expired" rather than "unknown",
/// and `secrets_issued_to` still lists them), then forgotten to bound memory.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Who a code or token speaks for, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    pub user: String,
    pub client: String,
    pub scopes: Vec<Scope>,
}

#[derive(Debug)]
struct Code {
    grant: Grant,
    redirect_uri: String,
    challenge: String,
    expires_at: Duration,
    used: bool,
    revoked: bool,
    family: u64,
}

#[derive(Debug)]
struct AccessToken {
    grant: Grant,
    expires_at: Duration,
    revoked: bool,
    family: u64,
}

#[derive(Debug)]
struct RefreshToken {
    grant: Grant,
    expires_at: Duration,
    revoked: bool,
    /// Exchanged while rotation was on: dead, and presenting it again is counted.
    rotated: bool,
    family: u64,
}

#[derive(Debug, Clone)]
pub(crate) enum TicketPurpose {
    /// The sign-in form, bound to the browser's pre-session cookie (login CSRF).
    SignIn { browser: String },
    /// The consent form, bound to the signed-in user and the exact request shown.
    Consent {
        user: String,
        request: AuthorizeRequest,
    },
    /// "Switch user", bound to the signed-in user.
    SignOut { user: String },
    /// A Revoke button on "Authorized applications", bound to the signed-in user.
    Revoke { user: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub scopes: Vec<Scope>,
}

/// A token-endpoint refusal (`{"error","error_description"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

pub(crate) fn invalid_grant(description: &str) -> OAuthError {
    OAuthError {
        error: "invalid_grant",
        description: description.to_owned(),
    }
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denied {
    Unknown,
    Expired,
    Revoked,
}

#[derive(Debug)]
pub(crate) struct OAuthState {
    /// (user, client) pairs the user allowed and did not revoke.
    grants: BTreeSet<(String, String)>,
    codes: HashMap<String, Code>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    /// Sign-in sessions and form tickets.
    pages: Sessions<TicketPurpose>,
    next_family: u64,
    pub rotation: bool,
}

impl Default for OAuthState {
    fn default() -> Self {
        OAuthState {
            grants: BTreeSet::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            pages: Sessions::default(),
            next_family: 0,
            rotation: true,
        }
    }
}

impl OAuthState {
    pub(crate) fn issue_code(
        &mut self,
        grant: Grant,
        redirect_uri: &str,
        challenge: &str,
        now: Duration,
    ) -> String {
        self.prune(now);
        self.grants
            .insert((grant.user.clone(), grant.client.clone()));
        self.next_family += 1;
        let code = random_token(32);
        self.codes.insert(
            code.clone(),
            Code {
                grant,
                redirect_uri: redirect_uri.to_owned(),
                challenge: challenge.to_owned(),
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
        client: &str,
        code: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: Duration,
    ) -> Result<Issued, OAuthError> {
        let invalid = || invalid_grant("The authorization code is invalid.");
        let Some(entry) = self.codes.get_mut(code) else {
            return Err(invalid());
        };
        if entry.grant.client != client {
            // Another client's code: refused without consuming it.
            return Err(invalid());
        }
        if entry.used {
            let family = entry.family;
            self.revoke_family(family);
            return Err(invalid_grant(
                "The authorization code has already been used; the tokens issued with it are revoked.",
            ));
        }
        // Single use whatever happens next, so a failed check cannot be retried.
        entry.used = true;
        if entry.revoked {
            return Err(invalid());
        }
        if now >= entry.expires_at {
            return Err(invalid_grant("The authorization code has expired."));
        }
        if redirect_uri != Some(entry.redirect_uri.as_str()) {
            return Err(invalid_grant(
                "The redirect_uri does not match the one of the authorization request.",
            ));
        }
        let Some(verifier) = verifier else {
            return Err(OAuthError {
                error: "invalid_request",
                description: "The code_verifier is missing.".into(),
            });
        };
        if !crate::oauth::store::verifier_is_well_formed(verifier)
            || crate::oauth::store::s256(verifier) != entry.challenge
        {
            return Err(invalid_grant(
                "The code_verifier does not match the code_challenge.",
            ));
        }
        let (grant, family) = (entry.grant.clone(), entry.family);
        Ok(self.issue_tokens(grant, family, now))
    }

    /// Whether `token` is a refresh token already exchanged under rotation.
    pub(crate) fn was_rotated(&self, token: &str) -> bool {
        self.refresh.get(token).is_some_and(|t| t.rotated)
    }

    pub(crate) fn refresh(
        &mut self,
        client: &str,
        token: &str,
        now: Duration,
    ) -> Result<Issued, OAuthError> {
        let invalid = || invalid_grant("The refresh token is invalid.");
        let rotation = self.rotation;
        let Some(entry) = self.refresh.get_mut(token) else {
            return Err(invalid());
        };
        if entry.grant.client != client {
            return Err(invalid());
        }
        if entry.revoked {
            return Err(invalid_grant("The refresh token has been revoked."));
        }
        if entry.rotated {
            return Err(invalid_grant("The refresh token has already been used."));
        }
        if now >= entry.expires_at {
            return Err(invalid_grant("The refresh token has expired."));
        }
        let (grant, family) = (entry.grant.clone(), entry.family);
        if rotation {
            entry.rotated = true;
            return Ok(self.issue_tokens(grant, family, now));
        }
        let access_token = self.issue_access(grant.clone(), family, now);
        Ok(Issued {
            access_token,
            refresh_token: token.to_owned(),
            scopes: grant.scopes,
        })
    }

    pub(crate) fn check_access(&self, token: &str, now: Duration) -> Result<Grant, Denied> {
        let entry = self.access.get(token).ok_or(Denied::Unknown)?;
        if entry.revoked
            || !self
                .grants
                .contains(&(entry.grant.user.clone(), entry.grant.client.clone()))
        {
            return Err(Denied::Revoked);
        }
        if now >= entry.expires_at {
            return Err(Denied::Expired);
        }
        Ok(entry.grant.clone())
    }

    /// Ends the user's authorization of `client`: the grant, its codes and every access and
    /// refresh token die.
    pub(crate) fn revoke(&mut self, user: &str, client: &str) {
        self.grants.remove(&(user.to_owned(), client.to_owned()));
        let hit = |g: &Grant| g.user == user && g.client == client;
        self.codes
            .values_mut()
            .filter(|c| hit(&c.grant))
            .for_each(|c| c.revoked = true);
        self.access
            .values_mut()
            .filter(|t| hit(&t.grant))
            .for_each(|t| t.revoked = true);
        self.refresh
            .values_mut()
            .filter(|t| hit(&t.grant))
            .for_each(|t| t.revoked = true);
    }

    /// The clients the user allowed and has not revoked.
    pub(crate) fn clients_of(&self, user: &str) -> Vec<String> {
        self.grants
            .iter()
            .filter(|(u, _)| u == user)
            .map(|(_, client)| client.clone())
            .collect()
    }

    /// Every code, access token and refresh token of the user still remembered, live or dead.
    pub(crate) fn secrets_of(&self, user: &str) -> Vec<String> {
        let codes = self
            .codes
            .iter()
            .filter(|(_, c)| c.grant.user == user)
            .map(|(k, _)| k);
        let access = self
            .access
            .iter()
            .filter(|(_, t)| t.grant.user == user)
            .map(|(k, _)| k);
        let refresh = self
            .refresh
            .iter()
            .filter(|(_, t)| t.grant.user == user)
            .map(|(k, _)| k);
        codes.chain(access).chain(refresh).cloned().collect()
    }

    pub(crate) fn new_ticket(&mut self, purpose: TicketPurpose, now: Duration) -> String {
        self.prune(now);
        self.pages.new_ticket(purpose, now)
    }

    /// A ticket is used once, whether or not the form it came with is then accepted.
    pub(crate) fn take_ticket(&mut self, token: &str, now: Duration) -> Option<TicketPurpose> {
        self.pages.take_ticket(token, now)
    }

    pub(crate) fn new_session(&mut self, user: &str, now: Duration) -> String {
        self.prune(now);
        self.pages.new_session(user, now)
    }

    pub(crate) fn session_user(&self, id: &str, now: Duration) -> Option<&str> {
        self.pages.session_user(id, now)
    }

    pub(crate) fn end_session(&mut self, id: &str) {
        self.pages.end_session(id);
    }

    fn revoke_family(&mut self, family: u64) {
        self.access
            .values_mut()
            .filter(|t| t.family == family)
            .for_each(|t| t.revoked = true);
        self.refresh
            .values_mut()
            .filter(|t| t.family == family)
            .for_each(|t| t.revoked = true);
    }

    fn issue_tokens(&mut self, grant: Grant, family: u64, now: Duration) -> Issued {
        let access_token = self.issue_access(grant.clone(), family, now);
        let refresh_token = random_token(48);
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                grant: grant.clone(),
                expires_at: now + REFRESH_TTL,
                revoked: false,
                rotated: false,
                family,
            },
        );
        Issued {
            access_token,
            refresh_token,
            scopes: grant.scopes,
        }
    }

    fn issue_access(&mut self, grant: Grant, family: u64, now: Duration) -> String {
        self.prune(now);
        let token = random_token(48);
        self.access.insert(
            token.clone(),
            AccessToken {
                grant,
                expires_at: now + ACCESS_TTL,
                revoked: false,
                family,
            },
        );
        token
    }

    fn prune(&mut self, now: Duration) {
        let forget = |expires_at: Duration| now < expires_at + FORGET_AFTER;
        self.codes.retain(|_, c| forget(c.expires_at));
        self.access.retain(|_, t| forget(t.expires_at));
        self.refresh.retain(|_, t| forget(t.expires_at));
        self.pages.prune(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            user: "alex".into(),
            client: "studio".into(),
            scopes: vec![Scope::RepoWrite],
        }
    }

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn code(store: &mut OAuthState) -> String {
        store.issue_code(
            grant(),
            "http://cb",
            &crate::oauth::store::s256(VERIFIER),
            Duration::ZERO,
        )
    }

    #[test]
    fn a_replayed_code_revokes_what_it_issued() {
        let mut store = OAuthState::default();
        let c = code(&mut store);
        let issued = store
            .redeem_code(
                "studio",
                &c,
                Some("http://cb"),
                Some(VERIFIER),
                Duration::ZERO,
            )
            .unwrap();
        assert!(store
            .check_access(&issued.access_token, Duration::ZERO)
            .is_ok());
        assert!(store
            .redeem_code(
                "studio",
                &c,
                Some("http://cb"),
                Some(VERIFIER),
                Duration::ZERO
            )
            .is_err());
        assert_eq!(
            store.check_access(&issued.access_token, Duration::ZERO),
            Err(Denied::Revoked)
        );
        assert!(store
            .refresh("studio", &issued.refresh_token, Duration::ZERO)
            .is_err());
    }

    #[test]
    fn rotation_kills_the_old_refresh_token_at_once() {
        let mut store = OAuthState::default();
        let c = code(&mut store);
        let first = store
            .redeem_code(
                "studio",
                &c,
                Some("http://cb"),
                Some(VERIFIER),
                Duration::ZERO,
            )
            .unwrap();
        let second = store
            .refresh("studio", &first.refresh_token, Duration::ZERO)
            .unwrap();
        assert_ne!(second.refresh_token, first.refresh_token);
        assert!(store.was_rotated(&first.refresh_token));
        assert!(store
            .refresh("studio", &first.refresh_token, Duration::ZERO)
            .is_err());
        assert!(store
            .refresh("studio", &second.refresh_token, Duration::ZERO)
            .is_ok());
    }

    #[test]
    fn refresh_tokens_die_after_ninety_days() {
        let mut store = OAuthState::default();
        let c = code(&mut store);
        let issued = store
            .redeem_code(
                "studio",
                &c,
                Some("http://cb"),
                Some(VERIFIER),
                Duration::ZERO,
            )
            .unwrap();
        assert!(store
            .refresh("studio", &issued.refresh_token, REFRESH_TTL)
            .is_err());
    }
}
