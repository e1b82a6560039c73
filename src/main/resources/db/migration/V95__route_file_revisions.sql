-- Route files edited through the API (issue 18). The routes/ folder shipped with the hub is the baseline; a change is
-- a new revision of one file. Revision rows are never updated or deleted, so they are also the file's history.
CREATE TABLE route_file_revision (
    path             TEXT NOT NULL,
    revision         INTEGER NOT NULL CHECK (revision > 0),
    content          TEXT,              -- NULL: the revision deletes the file
    content_sha256   TEXT,
    -- the shipped file the change was made on top of (SHA-256), NULL when no file of that path was shipped
    baseline_sha256  TEXT,
    restored_from    INTEGER,           -- a restore copies this revision (0 = the shipped file)
    message          TEXT,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (path, revision)
);

-- One row per edited file: its current revision, and whether a new release superseded it (the shipped file no longer
-- equals the revision's baseline, so the shipped file runs again; never merged).
CREATE TABLE route_file (
    path                TEXT PRIMARY KEY,
    current_revision    INTEGER NOT NULL,
    superseded_at       TIMESTAMPTZ,
    superseded_by_sha256 TEXT,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

-- What each instance runs for each edited file: revision 0 is the shipped file.
CREATE TABLE route_file_instance (
    instance_id  TEXT NOT NULL,
    path         TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'failed', 'superseded')),
    error        TEXT,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (instance_id, path)
);

-- Every change is announced; each instance LISTENs and also re-checks periodically.
CREATE FUNCTION route_file_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('hub_route_files', NEW.path);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER route_file_changed AFTER INSERT OR UPDATE ON route_file
    FOR EACH ROW EXECUTE FUNCTION route_file_notify();

-- The integration engineer's role: reads and changes route files (routes:inspect, routes:write).
ALTER TABLE hub_user DROP CONSTRAINT hub_user_role_check;
ALTER TABLE hub_user ADD CONSTRAINT hub_user_role_check
    CHECK (role IN ('admin', 'operator', 'editor', 'integrator', 'partner', 'viewer'));
