-- Facts about the database itself, such as which geodata it was loaded from.
CREATE TABLE planmap_meta (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

---- create above / drop below ----

DROP TABLE planmap_meta;
