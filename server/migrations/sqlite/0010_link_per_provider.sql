-- One authorization per user and provider (Bitbucket Cloud, Bitbucket Data Center): the
-- link's key becomes (user_id, provider). Existing rows are Cloud's. SQLite cannot change a
-- primary key in place, so the table is rebuilt with the same columns plus `provider`.
CREATE TABLE provider_links (
    user_id             INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider            TEXT    NOT NULL,
    account_id          TEXT    NOT NULL,
    account_uuid        TEXT    NOT NULL,
    nickname            TEXT    NOT NULL,
    display_name        TEXT    NOT NULL,
    avatar_url          TEXT,
    scopes              TEXT    NOT NULL,
    access_token        TEXT    NOT NULL,
    refresh_token       TEXT    NOT NULL,
    access_expires_at   INTEGER NOT NULL,
    status              TEXT    NOT NULL,
    status_reason       TEXT,
    connected_at        INTEGER NOT NULL,
    validated_at        INTEGER NOT NULL,
    last_used_at        INTEGER,
    updated_at          INTEGER NOT NULL,
    preferred_workspace TEXT,
    refresh_lease_until INTEGER,
    PRIMARY KEY (user_id, provider)
);
INSERT INTO provider_links
    (user_id, provider, account_id, account_uuid, nickname, display_name, avatar_url, scopes,
     access_token, refresh_token, access_expires_at, status, status_reason, connected_at,
     validated_at, last_used_at, updated_at, preferred_workspace, refresh_lease_until)
SELECT user_id, 'bitbucket', account_id, account_uuid, nickname, display_name, avatar_url, scopes,
       access_token, refresh_token, access_expires_at, status, status_reason, connected_at,
       validated_at, last_used_at, updated_at, preferred_workspace, refresh_lease_until
FROM bitbucket_links;
DROP TABLE bitbucket_links;
ALTER TABLE provider_links RENAME TO bitbucket_links;
