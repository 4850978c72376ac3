-- The plan, its vocabularies and its projects.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE plan_section (
    number   int PRIMARY KEY CHECK (number BETWEEN 1 AND 13),
    title_zh text NOT NULL CHECK (title_zh <> ''),
    title_en text NOT NULL CHECK (title_en <> '')
);

CREATE TABLE plan_clause (
    section int NOT NULL REFERENCES plan_section,
    item    int NOT NULL CHECK (item > 0),
    text    text NOT NULL CHECK (text <> ''),
    PRIMARY KEY (section, item)
);

CREATE TABLE project_status (
    code           text PRIMARY KEY,
    label_zh       text NOT NULL,
    label_en       text NOT NULL,
    description_zh text NOT NULL DEFAULT '',
    description_en text NOT NULL DEFAULT '',
    ordinal        int NOT NULL
);

CREATE TABLE precision_term (
    code     text PRIMARY KEY CHECK (code IN ('site', 'district', 'city', 'region')),
    label_zh text NOT NULL,
    label_en text NOT NULL,
    ordinal  int NOT NULL
);

CREATE TABLE project_category (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    label_zh text NOT NULL,
    label_en text NOT NULL,
    symbol   text NOT NULL DEFAULT ''
);

CREATE TABLE project (
    id                 text PRIMARY KEY CHECK (id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name_zh            text NOT NULL CHECK (name_zh <> ''),
    name_en            text NOT NULL CHECK (name_en <> ''),
    section            int NOT NULL,
    item               int NOT NULL,
    clause             text NOT NULL CHECK (clause <> ''),
    category           text NOT NULL REFERENCES project_category,
    status             text NOT NULL REFERENCES project_status,
    action_zh          text NOT NULL DEFAULT '',
    action_en          text NOT NULL DEFAULT '',
    targets            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(targets) = 'array'),
    city               text NOT NULL DEFAULT '',
    city_zh            text NOT NULL DEFAULT '',
    county             text NOT NULL DEFAULT '',
    county_zh          text NOT NULL DEFAULT '',
    country            text NOT NULL DEFAULT 'CN' CHECK (country ~ '^[A-Z]{2}$'),
    cross_border       boolean NOT NULL DEFAULT false,
    location_precision text NOT NULL CHECK (location_precision IN ('site', 'district', 'city', 'region')),
    uncertainty_km     double precision CHECK (uncertainty_km >= 0),
    location_note      text NOT NULL DEFAULT '',
    programme          text REFERENCES project DEFERRABLE INITIALLY DEFERRED,
    count_target       int CHECK (count_target > 0),
    sources            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(sources) = 'array'),
    geom               geometry(Geometry, 4326),
    origin             text NOT NULL DEFAULT 'geodata',
    updated_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (section, item) REFERENCES plan_clause,
    CHECK (location_precision = 'site' OR uncertainty_km IS NOT NULL),
    -- A programme, or a project no source locates, has no geometry: nothing is placed where it is not.
    CHECK (geom IS NULL OR (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)))
);

CREATE INDEX project_geom_idx ON project USING gist (geom);
CREATE INDEX project_section_idx ON project (section);
CREATE INDEX project_programme_idx ON project (programme);

CREATE TABLE project_status_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id text NOT NULL REFERENCES project ON DELETE CASCADE,
    seq        int NOT NULL,
    date       date NOT NULL,
    status     text NOT NULL REFERENCES project_status,
    kind       text NOT NULL CHECK (kind IN ('plan_target', 'reported')),
    note       text NOT NULL DEFAULT '',
    source     text NOT NULL DEFAULT '',
    CHECK (kind = 'plan_target' OR source <> ''),
    UNIQUE (project_id, seq)
);

-- One row per collection; a write bumps the version, which drives ETags.
CREATE TABLE collection_version (
    collection text PRIMARY KEY,
    version    bigint NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO collection_version (collection) VALUES ('projects');

---- create above / drop below ----

DROP TABLE collection_version, project_status_history, project, project_category, precision_term, project_status, plan_clause, plan_section;
