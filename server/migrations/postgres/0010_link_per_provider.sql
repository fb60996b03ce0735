-- One authorization per user and provider (Bitbucket Cloud, Bitbucket Data Center): the
-- link's key becomes (user_id, provider). Existing rows are Cloud's.
ALTER TABLE bitbucket_links ADD COLUMN provider TEXT NOT NULL DEFAULT 'bitbucket';
ALTER TABLE bitbucket_links ALTER COLUMN provider DROP DEFAULT;
ALTER TABLE bitbucket_links DROP CONSTRAINT bitbucket_links_pkey;
ALTER TABLE bitbucket_links ADD PRIMARY KEY (user_id, provider);
