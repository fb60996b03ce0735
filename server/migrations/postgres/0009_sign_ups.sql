-- Sign-ups waiting for their address to be confirmed. The account is created only when the
-- mailed link is used, so sign-up answers the same whether or not an address has an account.
-- The link's token is kept as its SHA-256 only; the password is already an argon2id hash.
CREATE TABLE sign_ups (
    token_hash    TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    return_to     TEXT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sign_ups_email ON sign_ups (email);
CREATE INDEX sign_ups_expires_at ON sign_ups (expires_at);

-- Mail the studio keeps instead of sending, when no SMTP server is configured (sandbox mode
-- and tests): read at /_sandbox/mail. Never used when SMTP_URL is set.
CREATE TABLE mail_outbox (
    id        BIGSERIAL PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL,
    sent_at   BIGINT NOT NULL
);
