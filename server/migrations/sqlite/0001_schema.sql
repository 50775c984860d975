-- The settings book, its audit log and the browser sessions (SQLite).
-- One row per configured domain, keyed by the domain's ASCII (punycode) form; `body` is the entry
-- exactly as core's wire::entry_to_wire writes it, `revision` repeats its revision for queries.

CREATE TABLE book (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- The last revision issued (core's SettingsBook::sequence): the collection's version.
    sequence INTEGER NOT NULL CHECK (sequence >= 0)
);
INSERT INTO book (id, sequence) VALUES (1, 0);

CREATE TABLE domains (
    domain TEXT PRIMARY KEY NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    body TEXT NOT NULL
);

CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain TEXT NOT NULL,
    previous_domain TEXT,
    action TEXT NOT NULL CHECK (action IN ('added', 'updated', 'renamed', 'removed')),
    revision INTEGER NOT NULL,
    actor TEXT NOT NULL,
    at_unix_ms INTEGER NOT NULL,
    -- The entry after the change; NULL for a removal.
    body TEXT
);
CREATE INDEX history_by_domain ON history (domain, id);
CREATE INDEX history_by_previous_domain ON history (previous_domain, id);

CREATE TABLE sessions (
    -- SHA-256 (hex) of the cookie value; the value itself is never stored.
    id_hash TEXT PRIMARY KEY NOT NULL,
    csrf_token TEXT NOT NULL,
    -- SHA-256 (hex) of the access token the session was opened with: the session ends when
    -- that token leaves the tokens file.
    token_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    expires_at_unix_ms INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at_unix_ms);
