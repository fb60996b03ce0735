-- One refresh at a time per user across every instance: an instance refreshes only while it
-- holds this lease (Unix milliseconds until which it is held). A lease, not a held lock, so an
-- instance that dies mid-refresh blocks nobody for longer than the lease.
ALTER TABLE bitbucket_links ADD COLUMN refresh_lease_until BIGINT;
