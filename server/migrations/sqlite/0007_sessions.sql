-- Sessions, replacing tower-sessions-sqlx-store's table. The session id (the cookie's value)
-- is a bearer secret, so only its SHA-256 is stored: someone who can read this table cannot
-- present any of its sessions. `user_id` is the signed-in user (NULL before sign-in), kept
-- beside the data so a session and its user can be read together and a user's sessions found.
-- Sessions in the old table cannot be carried over (their ids were stored in clear): users
-- sign in once more after this migration.
DROP TABLE IF EXISTS tower_sessions;
CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);
