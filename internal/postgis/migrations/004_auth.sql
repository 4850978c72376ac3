-- Accounts, browser sessions and API tokens. Secrets are stored only as hashes.
CREATE TABLE app_user (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('editor', 'admin')),
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_session (
    id         text PRIMARY KEY,
    hash       text NOT NULL,
    user_id    bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    csrf_token text NOT NULL,
    client     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX app_session_expires_idx ON app_session (expires_at);

CREATE TABLE api_token (
    id           text PRIMARY KEY,
    hash         text NOT NULL,
    user_id      bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    name         text NOT NULL CHECK (name <> ''),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- Failed sign-ins per account, so throttling holds across instances.
CREATE TABLE sign_in_failure (
    username text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failure_idx ON sign_in_failure (username, at);

---- create above / drop below ----

DROP TABLE sign_in_failure, api_token, app_session, app_user;
