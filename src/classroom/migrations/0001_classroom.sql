-- The classroom's tables. Written once for SQLite and PostgreSQL alike: only
-- TEXT and BIGINT columns, no autoincrement, `ON CONFLICT` for idempotent inserts.

-- Server settings, such as the instructor token's SHA-256.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A class: the labs and quizzes it covers (JSON arrays of ids), its join code,
-- whether the instructor paused every clock, and when it ends (0: no limit).
CREATE TABLE classes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    labs TEXT NOT NULL,
    quizzes TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    paused BIGINT NOT NULL DEFAULT 0,
    ends_ms BIGINT NOT NULL DEFAULT 0
);

-- A trainee of one class; the token is kept only as its SHA-256.
CREATE TABLE trainees (
    id TEXT PRIMARY KEY,
    class_id TEXT NOT NULL REFERENCES classes (id),
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    joined_ms BIGINT NOT NULL
);
CREATE INDEX trainees_by_class ON trainees (class_id);

-- Everything a trainee's page reported, once per client-side event id.
CREATE TABLE progress (
    trainee_id TEXT NOT NULL REFERENCES trainees (id),
    event_id TEXT NOT NULL,
    class_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (trainee_id, event_id)
);
CREATE INDEX progress_by_class ON progress (class_id, received_ms);

-- What the instructor sent the class (incidents, clock commands, resets), in order.
CREATE TABLE commands (
    id TEXT PRIMARY KEY,
    class_id TEXT NOT NULL REFERENCES classes (id),
    body TEXT NOT NULL,
    issued_ms BIGINT NOT NULL
);
CREATE INDEX commands_by_class ON commands (class_id, issued_ms);
