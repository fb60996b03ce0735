-- Failed sign-ins per account, for rate limiting (DESIGN §4.12). Keyed by a SHA-256 of the
-- normalised email, so addresses people mistype (or attackers try) are not kept in clear.
-- Rows older than the limiter's window are deleted as new ones arrive.
CREATE TABLE sign_in_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    email_key TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email_key, at);
