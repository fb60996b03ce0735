-- The Bitbucket workspace the repository step opens first: the one the user last chose a
-- repository in, or the account's first workspace as read at authorization. Knowing it
-- before asking Bitbucket lets the step fetch that workspace's repositories and the
-- workspace list at the same time: first repositories after one round trip.
ALTER TABLE bitbucket_links ADD COLUMN preferred_workspace TEXT;
