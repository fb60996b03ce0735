-- The wizard's draft, one per user: what was chosen and typed so far (api::ProjectDraft as
-- JSON), so nothing is lost across the OAuth round trip, reloads, sign-out and restarts.
CREATE TABLE project_drafts (
    user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    body       TEXT    NOT NULL,
    updated_at BIGINT NOT NULL
);
