-- An editor's unsaved text, per user, project and pipeline ('' for a new pipeline), kept as
-- the contract's JSON (api::PipelineDraft) so a new draft field needs no migration.
CREATE TABLE pipeline_drafts (
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    slot       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, project_id, slot)
);
