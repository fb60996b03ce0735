//! Sign-in sessions and single-use form tickets, as the Data Center and GitHub stand-ins'
//! pages keep them: a session cookie names a user for 12 hours; every form carries a ticket
//! bound to what it was rendered for (`P`, each sandbox's own purposes), used once and dead
//! after an hour, so a replayed or forged form is refused (CSRF).

use std::collections::HashMap;
use std::time::Duration;

use crate::ids::random_token;

const TICKET_TTL: Duration = Duration::from_secs(60 * 60);
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Most live tickets or sessions kept: a client hammering the sign-in page cannot grow the
/// store without bound.
const MAX_EPHEMERAL: usize = 20_000;

#[derive(Debug)]
pub(crate) struct Sessions<P> {
    tickets: HashMap<String, (P, Duration)>,
    /// Session cookie value → (user, expiry).
    sessions: HashMap<String, (String, Duration)>,
}

impl<P> Default for Sessions<P> {
    fn default() -> Self {
        Sessions {
            tickets: HashMap::new(),
            sessions: HashMap::new(),
        }
    }
}

impl<P> Sessions<P> {
    pub(crate) fn new_ticket(&mut self, purpose: P, now: Duration) -> String {
        self.prune(now);
        let token = random_token(24);
        self.tickets
            .insert(token.clone(), (purpose, now + TICKET_TTL));
        token
    }

    /// A ticket is used once, whether or not the form it came with is then accepted.
    pub(crate) fn take_ticket(&mut self, token: &str, now: Duration) -> Option<P> {
        let (purpose, expires_at) = self.tickets.remove(token)?;
        (now < expires_at).then_some(purpose)
    }

    pub(crate) fn new_session(&mut self, user: &str, now: Duration) -> String {
        self.prune(now);
        let id = random_token(32);
        self.sessions
            .insert(id.clone(), (user.to_owned(), now + SESSION_TTL));
        id
    }

    pub(crate) fn session_user(&self, id: &str, now: Duration) -> Option<&str> {
        self.sessions
            .get(id)
            .filter(|(_, expires)| now < *expires)
            .map(|(user, _)| user.as_str())
    }

    pub(crate) fn end_session(&mut self, id: &str) {
        self.sessions.remove(id);
    }

    /// Forgets expired tickets and sessions; over the cap even then, starts again rather
    /// than grow.
    pub(crate) fn prune(&mut self, now: Duration) {
        self.tickets.retain(|_, (_, expires)| now < *expires);
        self.sessions.retain(|_, (_, expires)| now < *expires);
        if self.tickets.len() > MAX_EPHEMERAL || self.sessions.len() > MAX_EPHEMERAL {
            self.tickets.clear();
            self.sessions.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_single_use_and_expire() {
        let mut s: Sessions<u8> = Sessions::default();
        let t = s.new_ticket(7, Duration::ZERO);
        assert_eq!(s.take_ticket(&t, Duration::ZERO), Some(7));
        assert_eq!(s.take_ticket(&t, Duration::ZERO), None);
        let old = s.new_ticket(8, Duration::ZERO);
        assert_eq!(s.take_ticket(&old, TICKET_TTL), None);
        let id = s.new_session("alex", Duration::ZERO);
        assert_eq!(s.session_user(&id, Duration::ZERO), Some("alex"));
        assert_eq!(s.session_user(&id, SESSION_TTL), None);
    }
}
