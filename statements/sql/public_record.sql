-- When each statement entered and last changed the public record, kept by the database whatever
-- writes (the admin, imports and `--update`, restores, services, the shell): feeds are ordered
-- and windowed by it (SPEC §6), so a March 2022 remark published today is today's news.
--
--   record_entered_at  when it was first published (or inserted as published or retracted);
--   record_changed_at  when it last entered or changed the record: published, corrected,
--                      retracted or reinstated;
--   record_change      which of those that was: published | corrected | retracted | reinstated.
--
-- A correction is a change, on a published statement, of what needs a public correction note
-- (statements.models.CORRECTED_FIELDS: quote, speaker, said_on, stance, government); an edit of
-- the editors' context or a source is not news. Drafts have none of the three. Application code
-- never writes them: on UPDATE this trigger puts back the old values unless the row's record
-- changed. A restore (which puts back the times an export gave, created_at among them) takes
-- them from those times: entered when created, changed at its latest public correction.
--
-- Read together with the event log of SPEC §10 (statements_event, if present), which records
-- every such change; these columns are the latest one, on the row, for an index to order by.

CREATE OR REPLACE FUNCTION statements_public_record_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    latest record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status IN ('published', 'retracted') THEN
            NEW.record_entered_at := now();
            NEW.record_changed_at := now();
            NEW.record_change := CASE NEW.status WHEN 'retracted' THEN 'retracted' ELSE 'published' END;
        ELSE
            NEW.record_entered_at := NULL;
            NEW.record_changed_at := NULL;
            NEW.record_change := NULL;
        END IF;
        RETURN NEW;
    END IF;

    NEW.record_entered_at := OLD.record_entered_at;
    NEW.record_changed_at := OLD.record_changed_at;
    NEW.record_change := OLD.record_change;
    IF NEW.status NOT IN ('published', 'retracted') THEN
        RETURN NEW;
    END IF;

    IF NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        -- A restore putting back the times of an export.
        SELECT c.created_at, c.kind INTO latest FROM statements_correction AS c
        WHERE c.statement_id = NEW.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1;
        NEW.record_entered_at := NEW.created_at;
        NEW.record_changed_at := GREATEST(NEW.created_at, latest.created_at);
        NEW.record_change := CASE
            WHEN NEW.status = 'retracted' THEN 'retracted'
            WHEN latest.kind = 'reinstatement' THEN 'reinstated'
            WHEN latest.kind = 'correction' THEN 'corrected'
            ELSE 'published' END;
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        NEW.record_entered_at := COALESCE(OLD.record_entered_at, now());
        NEW.record_changed_at := now();
        NEW.record_change := CASE
            WHEN NEW.status = 'retracted' THEN 'retracted'
            WHEN OLD.status = 'retracted' THEN 'reinstated'
            ELSE 'published' END;
    ELSIF NEW.status = 'published'
        AND (NEW.quote, NEW.speaker_id, NEW.said_on, NEW.stance, NEW.government_id)
            IS DISTINCT FROM (OLD.quote, OLD.speaker_id, OLD.said_on, OLD.stance, OLD.government_id) THEN
        NEW.record_entered_at := COALESCE(OLD.record_entered_at, now());
        NEW.record_changed_at := now();
        NEW.record_change := 'corrected';
    END IF;
    RETURN NEW;
END
$$;

-- Rows already there: entered when first published according to their history (or when
-- created), changed at their latest public correction, retraction or reinstatement.
UPDATE statements_statement AS s
SET record_entered_at = known.entered,
    record_changed_at = GREATEST(known.entered, known.corrected_at),
    record_change = CASE
        WHEN s.status = 'retracted' THEN 'retracted'
        WHEN known.corrected_at IS NULL OR known.corrected_at < known.entered THEN 'published'
        WHEN known.kind = 'reinstatement' THEN 'reinstated'
        WHEN known.kind = 'correction' THEN 'corrected'
        ELSE 'published' END
FROM (
    SELECT s2.id,
           COALESCE(
               (SELECT min(h.history_date) FROM statements_historicalstatement AS h
                WHERE h.id = s2.id AND h.status IN ('published', 'retracted')),
               s2.created_at
           ) AS entered,
           latest.created_at AS corrected_at,
           latest.kind
    FROM statements_statement AS s2
    LEFT JOIN LATERAL (
        SELECT c.created_at, c.kind FROM statements_correction AS c
        WHERE c.statement_id = s2.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1
    ) AS latest ON true
    WHERE s2.status IN ('published', 'retracted')
) AS known
WHERE known.id = s.id;

-- Should the update above have queued (deferred) foreign-key checks (it does for rows written
-- earlier in the same transaction), they run now: ALTER TABLE cannot run with events pending.
SET CONSTRAINTS ALL IMMEDIATE;

-- A statement on the public record knows when it entered and last changed it. (Not a model
-- CheckConstraint: full_clean() would test it on an unsaved instance, before this trigger ran.)
ALTER TABLE statements_statement DROP CONSTRAINT IF EXISTS statements_statement_public_record_times;
ALTER TABLE statements_statement ADD CONSTRAINT statements_statement_public_record_times CHECK (
    status = 'draft'
    OR (record_entered_at IS NOT NULL AND record_changed_at IS NOT NULL AND record_change IS NOT NULL
        AND record_change IN ('published', 'corrected', 'retracted', 'reinstated'))
);

DROP TRIGGER IF EXISTS statements_public_record ON statements_statement;
CREATE TRIGGER statements_public_record
    BEFORE INSERT OR UPDATE ON statements_statement
    FOR EACH ROW EXECUTE FUNCTION statements_public_record_trigger();
