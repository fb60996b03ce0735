//! Authorizations, codes and user access tokens with the lifetimes of GitHub's pages
//! "Generating a user access token for a GitHub App" and "Refreshing user access tokens":
//! a code lives 10 minutes and is used once; an access token (`ghu_…`) 8 hours; a refresh
//! token (`ghr_…`) 6 months (15,811,200 s), used once: "Once you use a refresh token, that
//! refresh token and the old user access token will no longer work."

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::ids::random_alphanumeric;
use crate::sessions::Sessions;

pub(crate) const CODE_TTL: Duration = Duration::from_secs(10 * 60);
pub(crate) const ACCESS_TTL: Duration = Duration::from_secs(8 * 3600);
pub(crate) const REFRESH_TTL: Duration = Duration::from_secs(15_811_200);
/// Dead tokens are remembered this long (for `secrets_issued_to`), then forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// A user's authorization of an app (by client id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Grant {
    pub user: String,
    pub client_id: String,
}

#[derive(Debug)]
struct Code {
    grant: Grant,
    redirect_uri: Option<String>,
    challenge: Option<String>,
    expires_at: Duration,
    used: bool,
}

#[derive(Debug)]
struct Token {
    grant: Grant,
    expires_at: Duration,
    dead: bool,
    /// Refresh tokens: the access token issued with it, which dies when it is used.
    pair: Option<String>,
    /// Refresh tokens: exchanged already.
    used: bool,
}

/// What a sign-in or a form was rendered for.
#[derive(Debug, Clone)]
pub(crate) enum TicketPurpose {
    /// The sign-in form, bound to the browser's pre-session cookie (login CSRF).
    SignIn { browser: String },
    /// The consent form, bound to the user and the authorize query shown.
    Consent { user: String, query: String },
    /// A Revoke button on "Authorized GitHub Apps".
    Revoke { user: String },
    /// An Install button of `/apps/{slug}/installations/new`.
    Install {
        user: String,
        slug: String,
        state: Option<String>,
    },
}

/// A token-endpoint refusal: GitHub's `error` code and its description.
pub(crate) type Refusal = (&'static str, &'static str);

pub(crate) const BAD_CODE: Refusal = (
    "bad_verification_code",
    "The code passed is incorrect or expired.",
);
pub(crate) const BAD_REFRESH: Refusal = (
    "bad_refresh_token",
    "The refresh token passed is incorrect or expired.",
);
pub(crate) const REDIRECT_MISMATCH: Refusal = (
    "redirect_uri_mismatch",
    "The redirect_uri MUST match the registered callback URL for this application.",
);

#[derive(Debug)]
pub(crate) struct OAuthState {
    grants: BTreeSet<Grant>,
    codes: HashMap<String, Code>,
    access: HashMap<String, Token>,
    refresh: HashMap<String, Token>,
    pub pages: Sessions<TicketPurpose>,
    /// On (GitHub's only behaviour): a refresh token is single use. Off: it stays alive.
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
            rotation: true,
        }
    }
}

/// `(access_token, refresh_token)`.
pub(crate) type Issued = (String, String);

impl OAuthState {
    pub(crate) fn authorized(&self, grant: &Grant) -> bool {
        self.grants.contains(grant)
    }

    pub(crate) fn issue_code(
        &mut self,
        grant: Grant,
        redirect_uri: Option<&str>,
        challenge: Option<&str>,
        now: Duration,
    ) -> String {
        self.prune(now);
        self.grants.insert(grant.clone());
        let code = random_alphanumeric(20).to_ascii_lowercase();
        self.codes.insert(
            code.clone(),
            Code {
                grant,
                redirect_uri: redirect_uri.map(str::to_owned),
                challenge: challenge.map(str::to_owned),
                expires_at: now + CODE_TTL,
                used: false,
            },
        );
        code
    }

    pub(crate) fn redeem_code(
        &mut self,
        client_id: &str,
        code: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: Duration,
    ) -> Result<Issued, Refusal> {
        let entry = self.codes.get_mut(code).ok_or(BAD_CODE)?;
        if entry.grant.client_id != client_id {
            return Err(BAD_CODE);
        }
        if entry.used || now >= entry.expires_at || !self.grants.contains(&entry.grant) {
            entry.used = true;
            return Err(BAD_CODE);
        }
        entry.used = true;
        if redirect_uri.is_some() && redirect_uri != entry.redirect_uri.as_deref() {
            return Err(REDIRECT_MISMATCH);
        }
        if let Some(challenge) = &entry.challenge {
            let ok = verifier.is_some_and(|v| {
                crate::oauth::store::verifier_is_well_formed(v)
                    && crate::oauth::store::s256(v) == *challenge
            });
            if !ok {
                return Err(BAD_CODE);
            }
        }
        let grant = entry.grant.clone();
        Ok(self.issue(grant, now))
    }

    pub(crate) fn was_used(&self, refresh_token: &str) -> bool {
        self.refresh.get(refresh_token).is_some_and(|t| t.used)
    }

    pub(crate) fn refresh(
        &mut self,
        client_id: &str,
        token: &str,
        now: Duration,
    ) -> Result<Issued, Refusal> {
        let rotation = self.rotation;
        let entry = self.refresh.get_mut(token).ok_or(BAD_REFRESH)?;
        if entry.grant.client_id != client_id || entry.dead || entry.used || now >= entry.expires_at
        {
            return Err(BAD_REFRESH);
        }
        let grant = entry.grant.clone();
        if !rotation {
            let access = self.issue_access(grant, now);
            return Ok((access, token.to_owned()));
        }
        entry.used = true;
        if let Some(old) = entry.pair.clone() {
            if let Some(a) = self.access.get_mut(&old) {
                a.dead = true;
            }
        }
        Ok(self.issue(grant, now))
    }

    /// The grant of a live access token.
    pub(crate) fn check_access(&self, token: &str, now: Duration) -> Option<Grant> {
        let t = self.access.get(token)?;
        (!t.dead && now < t.expires_at && self.grants.contains(&t.grant)).then(|| t.grant.clone())
    }

    /// Ends a user's authorization of an app: every code and token of it dies.
    pub(crate) fn revoke(&mut self, user: &str, client_id: &str) {
        let grant = Grant {
            user: user.to_owned(),
            client_id: client_id.to_owned(),
        };
        self.grants.remove(&grant);
        self.codes
            .values_mut()
            .filter(|c| c.grant == grant)
            .for_each(|c| c.used = true);
        for t in self.access.values_mut().chain(self.refresh.values_mut()) {
            if t.grant == grant {
                t.dead = true;
            }
        }
    }

    /// The client ids the user authorized.
    pub(crate) fn clients_of(&self, user: &str) -> Vec<String> {
        self.grants
            .iter()
            .filter(|g| g.user == user)
            .map(|g| g.client_id.clone())
            .collect()
    }

    /// Every code and token of the user still remembered, live or dead.
    pub(crate) fn secrets_of(&self, user: &str) -> Vec<String> {
        let codes = self
            .codes
            .iter()
            .filter(|(_, c)| c.grant.user == user)
            .map(|(k, _)| k);
        let tokens = self
            .access
            .iter()
            .chain(self.refresh.iter())
            .filter(|(_, t)| t.grant.user == user)
            .map(|(k, _)| k);
        codes.chain(tokens).cloned().collect()
    }

    fn issue(&mut self, grant: Grant, now: Duration) -> Issued {
        let access = self.issue_access(grant.clone(), now);
        let refresh = format!("ghr_{}", random_alphanumeric(76));
        self.refresh.insert(
            refresh.clone(),
            Token {
                grant,
                expires_at: now + REFRESH_TTL,
                dead: false,
                pair: Some(access.clone()),
                used: false,
            },
        );
        (access, refresh)
    }

    fn issue_access(&mut self, grant: Grant, now: Duration) -> String {
        self.prune(now);
        let token = format!("ghu_{}", random_alphanumeric(36));
        self.access.insert(
            token.clone(),
            Token {
                grant,
                expires_at: now + ACCESS_TTL,
                dead: false,
                pair: None,
                used: false,
            },
        );
        token
    }

    fn prune(&mut self, now: Duration) {
        let keep = |expires_at: Duration| now < expires_at + FORGET_AFTER;
        self.codes.retain(|_, c| keep(c.expires_at));
        self.access.retain(|_, t| keep(t.expires_at));
        self.refresh.retain(|_, t| keep(t.expires_at));
        self.pages.prune(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    fn grant() -> Grant {
        Grant {
            user: "alex".into(),
            client_id: "Iv1.x".into(),
        }
    }

    #[test]
    fn a_refresh_kills_the_old_pair() {
        let mut s = OAuthState::default();
        let challenge = crate::oauth::store::s256(VERIFIER);
        let code = s.issue_code(grant(), None, Some(&challenge), Duration::ZERO);
        assert_eq!(
            s.redeem_code("Iv1.x", &code, None, None, Duration::ZERO),
            Err(BAD_CODE)
        );
        let code = s.issue_code(grant(), None, Some(&challenge), Duration::ZERO);
        let (a, r) = s
            .redeem_code("Iv1.x", &code, None, Some(VERIFIER), Duration::ZERO)
            .unwrap();
        assert!(s.check_access(&a, Duration::ZERO).is_some());
        let (a2, r2) = s.refresh("Iv1.x", &r, Duration::ZERO).unwrap();
        assert!(s.check_access(&a, Duration::ZERO).is_none());
        assert!(s.check_access(&a2, Duration::ZERO).is_some());
        assert_eq!(s.refresh("Iv1.x", &r, Duration::ZERO), Err(BAD_REFRESH));
        assert!(s.check_access(&a2, ACCESS_TTL).is_none());
        s.revoke("alex", "Iv1.x");
        assert_eq!(s.refresh("Iv1.x", &r2, Duration::ZERO), Err(BAD_REFRESH));
    }
}
