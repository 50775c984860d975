-- The list's cache brings itself up to date from the changes after the sequence it holds
-- (store/mod.rs, COLLECTION_CHANGES): the history rows with a newer revision, found by it.
CREATE INDEX history_by_revision ON history (revision);
