-- statements_dataversion counts writes to every table the public API reads, one bump per SQL
-- statement (FOR EACH STATEMENT: a COPY of a million rows is one bump). The upsert recreates the
-- row if something (a test flush) removed it. Writers of different transactions queue on this
-- one row until they commit: right for an editorial database, wrong for a write-heavy one.
CREATE OR REPLACE FUNCTION statements_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO statements_dataversion (id, version, changed_at) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE
    SET version = statements_dataversion.version + 1, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'statements_statement', 'statements_source', 'statements_speaker', 'statements_government',
        'statements_topic', 'statements_correction'
    ] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_data_version', t);
        EXECUTE format(
            'CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
            'FOR EACH STATEMENT EXECUTE FUNCTION statements_bump_data_version()',
            t || '_data_version', t
        );
    END LOOP;
END
$$;

INSERT INTO statements_dataversion (id, version, changed_at) VALUES (1, 1, clock_timestamp())
ON CONFLICT (id) DO NOTHING;
