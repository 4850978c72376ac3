-- Layers: basemap layers shipped with planmap and layers GIS staff upload.
CREATE TABLE layer (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_-]{0,62}$' AND id NOT IN ('projects', 'programmes')),
    kind        text NOT NULL CHECK (kind IN ('basemap', 'upload')),
    title_zh    text NOT NULL CHECK (title_zh <> ''),
    title_en    text NOT NULL CHECK (title_en <> ''),
    description text NOT NULL DEFAULT '',
    attribution text NOT NULL DEFAULT '',
    license     text NOT NULL DEFAULT '',
    origin      text NOT NULL DEFAULT 'geodata',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE layer_feature (
    layer_id   text NOT NULL REFERENCES layer ON DELETE CASCADE,
    seq        int NOT NULL,
    fid        text NOT NULL CHECK (fid <> ''),
    properties jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(properties) = 'object'),
    geom       geometry(Geometry, 4326) NOT NULL CHECK (NOT ST_IsEmpty(geom)),
    PRIMARY KEY (layer_id, seq),
    UNIQUE (layer_id, fid)
);

CREATE INDEX layer_feature_geom_idx ON layer_feature USING gist (geom);

---- create above / drop below ----

DROP TABLE layer_feature, layer;
