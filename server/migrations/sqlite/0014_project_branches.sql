-- The branches each user chose, created or committed to in a project, most recent first in
-- the branch selector; the newest is the one the project page opens on. `committed_at` is
-- when the studio last committed there for the user (NULL: never): such a branch with nothing
-- left that the project's branch lacks was merged.
CREATE TABLE project_branches (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    committed_at INTEGER,
    used_at      INTEGER NOT NULL,
    PRIMARY KEY (user_id, project_id, name)
);
