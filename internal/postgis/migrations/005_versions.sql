-- Every change of a feature's geometry or attributes is a version, with
-- who, when and why; every write is in the audit log.
ALTER TABLE project ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE layer_feature ADD COLUMN version int NOT NULL DEFAULT 1;

CREATE TABLE feature_version (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection text NOT NULL,
    fid        text NOT NULL,
    version    int NOT NULL CHECK (version > 0),
    op         text NOT NULL CHECK (op IN ('import', 'create', 'replace', 'patch', 'delete', 'rollback')),
    properties jsonb,
    geom       geometry(Geometry, 4326),
    changed_by text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    reason     text NOT NULL DEFAULT '',
    upload_id  bigint,
    UNIQUE (collection, fid, version)
);
CREATE INDEX feature_version_upload_idx ON feature_version (upload_id) WHERE upload_id IS NOT NULL;

CREATE TABLE audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    username text NOT NULL,
    action   text NOT NULL,
    target   text NOT NULL,
    detail   jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

---- create above / drop below ----

DROP TABLE audit_log, feature_version;
ALTER TABLE layer_feature DROP COLUMN version;
ALTER TABLE project DROP COLUMN version;
