-- Every provider's grants (Bitbucket Cloud's and Data Center's) live in this table since
-- 0010: its name says so now. A rename keeps every row; PostgreSQL keeps the old names of
-- the constraints (and of the primary key's index), so they are renamed too.
ALTER TABLE bitbucket_links RENAME TO provider_grants;
ALTER TABLE provider_grants RENAME CONSTRAINT bitbucket_links_pkey TO provider_grants_pkey;
ALTER TABLE provider_grants RENAME CONSTRAINT bitbucket_links_user_id_fkey TO provider_grants_user_id_fkey;
