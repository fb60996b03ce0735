-- A session's absolute lifetime (SECURITY.md, "Sessions that never end") is counted from its
-- creation, which the table did not keep. A session already open gets the latest moment it can
-- have been created: its last renewal, 7 days (the idle period) before its end. So it lasts at
-- most the absolute lifetime from then, and none is cut short by the upgrade.
-- SQLite adds a NOT NULL column only with a constant default; 0 is never used by the server
-- (every insert names the column) and would mean a session over long ago, never one that lasts.
ALTER TABLE sessions ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET created_at = expires_at - 604800;
CREATE INDEX sessions_created_at ON sessions (created_at);
