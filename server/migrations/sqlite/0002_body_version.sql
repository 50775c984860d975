-- Which version of core's stored entry format the texts in `domains.body` and `history.body`
-- were written in (core's DOCUMENT_VERSION). Rows from before this migration are version 2.
-- At start the server rewrites every text older than the version it writes, through core, and
-- raises this (store/mod.rs, `upgrade_bodies`): SQL cannot write the text itself, which must be
-- exactly what core writes (the list joins the stored texts unread).
ALTER TABLE book ADD COLUMN body_version INTEGER NOT NULL DEFAULT 2 CHECK (body_version >= 1);
