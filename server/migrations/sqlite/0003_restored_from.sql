-- Restores (#35): the audit log records `restored`, and which revision a restore wrote back.
-- SQLite cannot change a CHECK constraint in place, so the history table is rebuilt with the
-- same rows (ids kept, so AUTOINCREMENT goes on from the highest) and its indexes made again.
CREATE TABLE history_with_restores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain TEXT NOT NULL,
    previous_domain TEXT,
    action TEXT NOT NULL
        CHECK (action IN ('added', 'updated', 'renamed', 'removed', 'restored')),
    revision INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at_unix_ms INTEGER NOT NULL,
    -- The entry after the change; NULL for a removal.
    body TEXT,
    -- The revision a restore wrote back; NULL for every other change.
    restored_from INTEGER
        CHECK ((action = 'restored') = (restored_from IS NOT NULL) AND (restored_from IS NULL OR restored_from >= 1))
);
INSERT INTO history_with_restores (id, domain, previous_domain, action, revision, actor, at_unix_ms, body)
    SELECT id, domain, previous_domain, action, revision, actor, at_unix_ms, body FROM history;
DROP TABLE history;
ALTER TABLE history_with_restores RENAME TO history;
CREATE INDEX history_by_domain ON history (domain, id);
CREATE INDEX history_by_previous_domain ON history (previous_domain, id);
