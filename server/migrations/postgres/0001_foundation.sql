-- Studio accounts, OAuth transactions, Bitbucket links, projects and the connection audit trail.
-- Times are Unix seconds (BIGINT) so the same queries run on SQLite and PostgreSQL.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

-- One row per /oauth/bitbucket/start. Looked up by a hash of `state`, so the database never
-- holds a usable state value; consumed atomically by setting used_at.
CREATE TABLE oauth_transactions (
    state_hash      TEXT    PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_binding TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    pkce_verifier   TEXT,
    return_to       TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT
);
CREATE INDEX oauth_transactions_expires_at ON oauth_transactions (expires_at);

-- A user's authorization of Bitbucket. Tokens are AES-256-GCM ciphertexts (see crypto.rs),
-- TEXT because Bitbucket tokens can exceed 2,500 characters.
CREATE TABLE bitbucket_links (
    user_id           BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    account_id        TEXT    NOT NULL,
    account_uuid      TEXT    NOT NULL,
    nickname          TEXT    NOT NULL,
    display_name      TEXT    NOT NULL,
    avatar_url        TEXT,
    scopes            TEXT    NOT NULL,
    access_token      TEXT    NOT NULL,
    refresh_token     TEXT    NOT NULL,
    access_expires_at BIGINT  NOT NULL,
    status            TEXT    NOT NULL,
    status_reason     TEXT,
    connected_at      BIGINT  NOT NULL,
    validated_at      BIGINT  NOT NULL,
    last_used_at      BIGINT,
    updated_at        BIGINT  NOT NULL
);

CREATE TABLE projects (
    id             BIGSERIAL PRIMARY KEY,
    user_id        BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    -- lower-cased name: a user's project names are unique regardless of case
    name_key       TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    configuration  TEXT    NOT NULL,
    provider       TEXT,
    workspace      TEXT,
    repo_slug      TEXT,
    repo_full_name TEXT,
    branch         TEXT,
    html_url       TEXT,
    created_at     BIGINT  NOT NULL,
    UNIQUE (user_id, name_key)
);

CREATE TABLE connection_events (
    id       BIGSERIAL PRIMARY KEY,
    user_id  BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    detail   TEXT,
    at       BIGINT  NOT NULL
);
CREATE INDEX connection_events_user ON connection_events (user_id, at);
