-- Uploads: a file becomes a draft of staged features, validated in
-- PostGIS, then committed in one transaction or discarded.
CREATE TABLE upload (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    filename      text NOT NULL,
    size          bigint NOT NULL,
    status        text NOT NULL CHECK (status IN ('processing', 'ready', 'failed', 'committed', 'discarded')),
    options       jsonb NOT NULL DEFAULT '{}',
    bytes_read    bigint NOT NULL DEFAULT 0,
    features_read int NOT NULL DEFAULT 0,
    result        jsonb,
    summary       jsonb,
    error         text NOT NULL DEFAULT '',
    commit        jsonb
);

CREATE UNLOGGED TABLE upload_feature (
    upload_id    bigint NOT NULL REFERENCES upload ON DELETE CASCADE,
    idx          int NOT NULL,
    layer        text NOT NULL DEFAULT '',
    fid          text NOT NULL DEFAULT '',
    properties   jsonb NOT NULL DEFAULT '{}',
    geom_src     geometry,
    issues       jsonb NOT NULL DEFAULT '[]',
    geom         geometry(Geometry, 4326),
    valid        boolean,
    valid_reason text NOT NULL DEFAULT '',
    outside      boolean NOT NULL DEFAULT false,
    duplicate_of int,
    match        text,
    match_by     text,
    PRIMARY KEY (upload_id, idx)
);
CREATE INDEX upload_feature_geom_idx ON upload_feature USING gist (geom);

---- create above / drop below ----

DROP TABLE upload_feature, upload;
