-- Attempt counters for rate limits (sign-in failures per account, sign-ups per address and per
-- client). One row per limited key, so checking and counting an attempt is one atomic
-- statement (an upsert with a condition) on both engines and across instances: parallel
-- attempts cannot all read "under the limit" before any of them is counted. Keys are SHA-256
-- digests prefixed by the limit's name; addresses are never kept in clear.
-- Replaces sign_in_failures, which counted a failure only after the password was checked.
DROP TABLE sign_in_failures;
CREATE TABLE rate_limits (
    key          TEXT    PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts     BIGINT NOT NULL
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);
