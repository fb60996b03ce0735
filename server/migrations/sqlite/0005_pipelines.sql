-- Where a project's pipelines are, and the pipelines of Quick start projects, which
-- the studio keeps itself. `version` is the conflict rule (an edit names the version it
-- started from, as a Bitbucket commit names its parent).
ALTER TABLE projects ADD COLUMN pipeline_folder TEXT NOT NULL DEFAULT '';

CREATE TABLE studio_pipelines (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    path       TEXT    NOT NULL,
    content    TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    PRIMARY KEY (project_id, path)
);
