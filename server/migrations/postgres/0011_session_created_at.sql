-- A session's absolute lifetime (SECURITY.md, "Sessions that never end") is counted from its
-- creation, which the table did not keep. A session already open gets the latest moment it can
-- have been created: its last renewal, 7 days (the idle period) before its end. So it lasts at
-- most the absolute lifetime from then, and none is cut short by the upgrade.
-- The default (the time of the insert) serves only instances of an older build still running
-- during a rolling upgrade, whose inserts do not name the column; this build always does.
ALTER TABLE sessions ADD COLUMN created_at BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM now())::BIGINT);
UPDATE sessions SET created_at = expires_at - 604800;
CREATE INDEX sessions_created_at ON sessions (created_at);
