-- A statement's renderings in other languages (statements.models.Translation, SPEC §4).
--
-- 1. A rendering is never in the quote's own language: compared by primary language subtag
--    ("en-GB" renders nothing of an "en" quote). A CHECK cannot see the statement's row, so two
--    triggers keep it, one on each side: a rendering written, a quote's language changed.
-- 2. Writes to renderings count as writes the public reads (statements_bump_data_version, as on
--    every other public table), so a cached API page revalidates.
-- 3. The event log keeps a statement's renderings in its images, as its sources and corrections
--    (statements_record_event, version 2 of statements/sql/events.sql's): an event's statement
--    is what the API's detail showed, renderings included.

CREATE OR REPLACE FUNCTION statements_primary_language(tag text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(split_part(tag, '-', 1));

CREATE OR REPLACE FUNCTION statements_translation_language_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'statements_translation' THEN
        IF EXISTS (
            SELECT 1 FROM statements_statement AS s
            WHERE s.id = NEW.statement_id
              AND statements_primary_language(s.language) = statements_primary_language(NEW.language)
        ) THEN
            RAISE EXCEPTION 'a rendering in % of statement % is in the quote''s own language', NEW.language, NEW.statement_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'statements_translation_language_not_original';
        END IF;
    ELSIF EXISTS (
        SELECT 1 FROM statements_translation AS tr
        WHERE tr.statement_id = NEW.id
          AND statements_primary_language(tr.language) = statements_primary_language(NEW.language)
    ) THEN
        RAISE EXCEPTION 'statement % has a rendering in %: its quote cannot be in that language', NEW.id, NEW.language
            USING ERRCODE = 'check_violation', CONSTRAINT = 'statements_translation_language_not_original';
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS statements_translation_language ON statements_translation;
CREATE TRIGGER statements_translation_language AFTER INSERT OR UPDATE OF language, statement_id
    ON statements_translation FOR EACH ROW EXECUTE FUNCTION statements_translation_language_check();

DROP TRIGGER IF EXISTS statements_statement_translation_language ON statements_statement;
CREATE TRIGGER statements_statement_translation_language AFTER UPDATE OF language ON statements_statement
    FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
    EXECUTE FUNCTION statements_translation_language_check();

DROP TRIGGER IF EXISTS statements_translation_data_version ON statements_translation;
CREATE TRIGGER statements_translation_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON statements_translation FOR EACH STATEMENT EXECUTE FUNCTION statements_bump_data_version();

CREATE OR REPLACE FUNCTION statements_record_event(statement bigint, event_type text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(5526091, 2);
    INSERT INTO statements_event (
        type, statement_id, occurred_at, transaction_id,
        government_id, speaker_id, topic_id, stance, language, is_translation, said_on, updated_at, status,
        search_vector, images
    )
    SELECT event_type, s.id, clock_timestamp(), pg_current_xact_id()::text::bigint,
        s.government_id, s.speaker_id, s.topic_id, s.stance, s.language, s.is_translation, s.said_on, s.updated_at,
        s.status, s.search_vector,
        jsonb_build_object(
            'statement', to_jsonb(s) - 'search_vector' - 'quote_key' - 'quote_words',
            'speaker', to_jsonb(sp),
            'government', to_jsonb(g),
            'topic', to_jsonb(tp),
            'sources', COALESCE((
                SELECT jsonb_agg(to_jsonb(src) ORDER BY src.position, src.id)
                FROM statements_source AS src WHERE src.statement_id = s.id
            ), '[]'::jsonb),
            'translations', COALESCE((
                SELECT jsonb_agg(to_jsonb(tr) - 'text_key' - 'text_words' ORDER BY tr.language, tr.id)
                FROM statements_translation AS tr WHERE tr.statement_id = s.id
            ), '[]'::jsonb),
            'corrections', COALESCE((
                SELECT jsonb_agg(to_jsonb(c) ORDER BY c.created_at, c.id)
                FROM statements_correction AS c WHERE c.statement_id = s.id
            ), '[]'::jsonb)
        )
    FROM statements_statement AS s
    JOIN statements_speaker AS sp ON sp.id = s.speaker_id
    JOIN statements_government AS g ON g.code = s.government_id
    JOIN statements_topic AS tp ON tp.id = s.topic_id
    WHERE s.id = statement;
END $$;
