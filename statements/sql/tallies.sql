-- Statement tallies (statements.models.StatementTally): counts of published statements by
-- government, topic, stance and language (each alone, per month) and by pairs of them (per
-- year), kept by statement-level triggers with transition tables: one aggregated INSERT per
-- write statement (a 1M-row COPY included), never an UPDATE of a shared row.

-- The tally keys one published statement counts under.
CREATE OR REPLACE FUNCTION statements_tally_keys(
    g text, t bigint, s text, l text, said_on date,
    OUT kind text, OUT government_id text, OUT topic_id bigint, OUT stance text, OUT language text, OUT period date
) RETURNS SETOF record LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT k.* FROM (VALUES
        ('',   NULL, NULL::bigint, NULL, NULL, date_trunc('month', said_on)::date),
        ('g',  g,    NULL,         NULL, NULL, date_trunc('month', said_on)::date),
        ('t',  NULL, t,            NULL, NULL, date_trunc('month', said_on)::date),
        ('s',  NULL, NULL,         s,    NULL, date_trunc('month', said_on)::date),
        ('l',  NULL, NULL,         NULL, l,    date_trunc('month', said_on)::date),
        ('gt', g,    t,            NULL, NULL, date_trunc('year', said_on)::date),
        ('gs', g,    NULL,         s,    NULL, date_trunc('year', said_on)::date),
        ('gl', g,    NULL,         NULL, l,    date_trunc('year', said_on)::date),
        ('ts', NULL, t,            s,    NULL, date_trunc('year', said_on)::date),
        ('tl', NULL, t,            NULL, l,    date_trunc('year', said_on)::date),
        ('sl', NULL, NULL,         s,    l,    date_trunc('year', said_on)::date)
    ) AS k
$$;

CREATE OR REPLACE FUNCTION statements_tally_insert_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO statements_statementtally (kind, government_id, topic_id, stance, language, period, n)
    SELECT k.kind, k.government_id, k.topic_id, k.stance, k.language, k.period, count(*)
    FROM new_rows AS r
    CROSS JOIN LATERAL statements_tally_keys(r.government_id, r.topic_id, r.stance, r.language, r.said_on) AS k
    WHERE r.status = 'published'
    GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION statements_tally_delete_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO statements_statementtally (kind, government_id, topic_id, stance, language, period, n)
    SELECT k.kind, k.government_id, k.topic_id, k.stance, k.language, k.period, -count(*)
    FROM old_rows AS r
    CROSS JOIN LATERAL statements_tally_keys(r.government_id, r.topic_id, r.stance, r.language, r.said_on) AS k
    WHERE r.status = 'published'
    GROUP BY 1, 2, 3, 4, 5, 6;
    RETURN NULL;
END $$;

-- Only rows whose counted key changed (an edit of a quote or a version bump changes nothing).
CREATE OR REPLACE FUNCTION statements_tally_update_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO statements_statementtally (kind, government_id, topic_id, stance, language, period, n)
    SELECT k.kind, k.government_id, k.topic_id, k.stance, k.language, k.period, sum(d.sign)
    FROM (
        SELECT -1 AS sign, o.government_id, o.topic_id, o.stance, o.language, o.said_on
        FROM old_rows AS o JOIN new_rows AS n USING (id)
        WHERE o.status = 'published'
          AND (n.status, n.government_id, n.topic_id, n.stance, n.language, n.said_on)
              IS DISTINCT FROM (o.status, o.government_id, o.topic_id, o.stance, o.language, o.said_on)
        UNION ALL
        SELECT 1, n.government_id, n.topic_id, n.stance, n.language, n.said_on
        FROM old_rows AS o JOIN new_rows AS n USING (id)
        WHERE n.status = 'published'
          AND (n.status, n.government_id, n.topic_id, n.stance, n.language, n.said_on)
              IS DISTINCT FROM (o.status, o.government_id, o.topic_id, o.stance, o.language, o.said_on)
    ) AS d
    CROSS JOIN LATERAL statements_tally_keys(d.government_id, d.topic_id, d.stance, d.language, d.said_on) AS k
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(d.sign) <> 0;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS statements_tally_insert ON statements_statement;
CREATE TRIGGER statements_tally_insert AFTER INSERT ON statements_statement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION statements_tally_insert_trigger();
DROP TRIGGER IF EXISTS statements_tally_delete ON statements_statement;
CREATE TRIGGER statements_tally_delete AFTER DELETE ON statements_statement
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION statements_tally_delete_trigger();
DROP TRIGGER IF EXISTS statements_tally_update ON statements_statement;
CREATE TRIGGER statements_tally_update AFTER UPDATE ON statements_statement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION statements_tally_update_trigger();

-- Folds the deltas together: the rows it deletes come back as their sums, in one statement, so
-- that readers see the same totals before and after, and writes that run meanwhile (their rows
-- are not in this statement's snapshot) are kept as they are. Returns the rows left.
CREATE OR REPLACE FUNCTION statements_tally_compact() RETURNS bigint LANGUAGE sql AS $$
    WITH gone AS (DELETE FROM statements_statementtally RETURNING *),
    kept AS (
        INSERT INTO statements_statementtally (kind, government_id, topic_id, stance, language, period, n)
        SELECT kind, government_id, topic_id, stance, language, period, sum(n) FROM gone
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0
        RETURNING 1
    )
    SELECT count(*) FROM kept
$$;

-- The statements already there.
TRUNCATE statements_statementtally;
INSERT INTO statements_statementtally (kind, government_id, topic_id, stance, language, period, n)
SELECT k.kind, k.government_id, k.topic_id, k.stance, k.language, k.period, count(*)
FROM statements_statement AS r
CROSS JOIN LATERAL statements_tally_keys(r.government_id, r.topic_id, r.stance, r.language, r.said_on) AS k
WHERE r.status = 'published'
GROUP BY 1, 2, 3, 4, 5, 6;
