-- The event log (statements.events.Event): every publish, correction, retraction and
-- reinstatement, recorded by the database itself whatever wrote it (the admin, an import,
-- `--update`, a restore, code, a shell), in the same transaction as the write: a transaction
-- that rolls back leaves no event.
--
-- The triggers are constraint triggers deferred to the commit, for three reasons:
-- * the event keeps the statement as the public record shows it once the transaction is done
--   (its sources and correction notes, written after the statement row, included);
-- * ids are given in commit order: the first event of a committing transaction takes an
--   advisory lock held until its commit is complete, so a reader that sees event N also sees
--   every event below N (or it was rolled back). A client reading `?after=N` never misses an
--   event that commits later with a smaller id, the classic gap of an outbox read by id;
-- * a transaction that rolls back never fires them.
-- A statement entering the public record with its history (an import of a new statement with
-- its correction notes) is one `published` event, not a `published` and some `corrected`.
--
-- Synthetic benchmark data (statements/generator.py) sets statements.record_events = 'off': it
-- is not news, and a million events would only slow the benchmark's set-up.

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

-- A statement inserted as published (an import) entered the public record.
CREATE OR REPLACE FUNCTION statements_event_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM statements_record_event(NEW.id, 'statement.published');
    RETURN NULL;
END $$;

-- A status change: into the public record (published, or reinstated after a retraction), or
-- out of it (retracted). draft <-> retracted was never public and is no event.
CREATE OR REPLACE FUNCTION statements_event_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' THEN
        PERFORM statements_record_event(
            NEW.id, CASE WHEN OLD.status = 'retracted' THEN 'statement.reinstated' ELSE 'statement.published' END
        );
    ELSIF OLD.status = 'published' THEN
        PERFORM statements_record_event(NEW.id, 'statement.retracted');
    END IF;
    RETURN NULL;
END $$;

-- A public correction of a statement that is published (when the transaction ends), unless the
-- statement entered the public record in this same transaction (its `published` or
-- `reinstated` event already shows it corrected).
CREATE OR REPLACE FUNCTION statements_event_on_correction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM statements_statement WHERE id = NEW.statement_id AND status = 'published')
       AND NOT EXISTS (
           SELECT 1 FROM statements_event
           WHERE statement_id = NEW.statement_id
             AND type IN ('statement.published', 'statement.reinstated')
             AND transaction_id = pg_current_xact_id()::text::bigint
       ) THEN
        PERFORM statements_record_event(NEW.statement_id, 'statement.corrected');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS statements_event_insert ON statements_statement;
CREATE CONSTRAINT TRIGGER statements_event_insert AFTER INSERT ON statements_statement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status = 'published' AND current_setting('statements.record_events', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION statements_event_on_insert();

DROP TRIGGER IF EXISTS statements_event_status ON statements_statement;
CREATE CONSTRAINT TRIGGER statements_event_status AFTER UPDATE OF status ON statements_statement
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status AND current_setting('statements.record_events', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION statements_event_on_status();

DROP TRIGGER IF EXISTS statements_event_correction ON statements_correction;
CREATE CONSTRAINT TRIGGER statements_event_correction AFTER INSERT ON statements_correction
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.kind = 'correction' AND current_setting('statements.record_events', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION statements_event_on_correction();
