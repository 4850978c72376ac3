-- Every planmap instance learns of a collection's new data version at once,
-- so caches and ETags change across instances without a timer.
CREATE FUNCTION planmap_notify_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('planmap_versions', NEW.collection || ' ' || NEW.version);
    RETURN NEW;
END
$$;

CREATE TRIGGER collection_version_notify AFTER INSERT OR UPDATE ON collection_version
    FOR EACH ROW EXECUTE FUNCTION planmap_notify_version();

---- create above / drop below ----

DROP TRIGGER collection_version_notify ON collection_version;
DROP FUNCTION planmap_notify_version();
