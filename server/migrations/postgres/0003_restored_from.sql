-- Restores (#35): the audit log records `restored`, and which revision a restore wrote back.
ALTER TABLE history DROP CONSTRAINT history_action_check;
ALTER TABLE history ADD CONSTRAINT history_action_check
    CHECK (action IN ('added', 'updated', 'renamed', 'removed', 'restored'));
-- The revision a restore wrote back; NULL for every other change.
ALTER TABLE history ADD COLUMN restored_from BIGINT
    CHECK ((action = 'restored') = (restored_from IS NOT NULL) AND (restored_from IS NULL OR restored_from >= 1));
