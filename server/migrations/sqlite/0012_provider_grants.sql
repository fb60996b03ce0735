-- Every provider's grants (Bitbucket Cloud's and Data Center's) live in this table since
-- 0010: its name says so now. A rename keeps every row; SQLite renames the primary key's
-- index with the table.
ALTER TABLE bitbucket_links RENAME TO provider_grants;
