-- A retracted statement always has its public reason: a retraction in statements_correction not
-- followed by a reinstatement. Checked at commit (a deferred constraint trigger), because every
-- write path writes the status and the note in one transaction, the status first.
CREATE OR REPLACE FUNCTION statements_check_retraction_reason() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM statements_correction AS r
        WHERE r.statement_id = NEW.id AND r.kind = 'retraction'
          AND NOT EXISTS (
              SELECT 1 FROM statements_correction AS later
              WHERE later.statement_id = NEW.id AND later.kind = 'reinstatement'
                AND (later.created_at, later.id) > (r.created_at, r.id)
          )
    ) AND EXISTS (SELECT 1 FROM statements_statement WHERE id = NEW.id AND status = 'retracted') THEN
        RAISE EXCEPTION 'statement % is retracted without a public reason', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'statements_statement_retraction_reason',
                  HINT = 'Retract through the workflow (statements.services.statement_retract), which records the reason.';
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS statements_statement_retraction_reason ON statements_statement;
CREATE CONSTRAINT TRIGGER statements_statement_retraction_reason
    AFTER INSERT OR UPDATE OF status ON statements_statement
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'retracted')
    EXECUTE FUNCTION statements_check_retraction_reason();

-- Statements retracted before this rule (by a script, a generator) get a note that says so.
INSERT INTO statements_correction (created_at, updated_at, statement_id, kind, note, fields, before, after)
SELECT s.updated_at, s.updated_at, s.id, 'retraction',
       'Retracted before retraction reasons were recorded.', '[]', '{}', '{}'
FROM statements_statement AS s
WHERE s.status = 'retracted'
  AND NOT EXISTS (SELECT 1 FROM statements_correction AS c WHERE c.statement_id = s.id AND c.kind = 'retraction');
