-- statements_dataversion counts writes to every table the public reads, one bump per SQL
-- statement (FOR EACH STATEMENT: a COPY of a million rows is one bump).
--
-- Version 2: one row per database backend (its pid), not one row for everyone. A transaction
-- only ever updates its own backend's row, and no two transactions run on one backend at the
-- same time, so writers never wait for each other here (one shared row made every editor's
-- save queue behind a long import, and deadlock against it). Readers take the sum: each
-- committed write adds at least one, so the sum a snapshot sees grows with every commit it can
-- see, whatever order the writers started in. Row 0 holds the counts of backends gone
-- (statements_fold_data_versions, run now and then), so the table stays small.
CREATE OR REPLACE FUNCTION statements_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO statements_dataversion (id, version, changed_at) VALUES (pg_backend_pid(), 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE
    SET version = statements_dataversion.version + 1, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;

-- Fold the rows of backends that no longer exist into row 0 (the sum stays the same).
CREATE OR REPLACE FUNCTION statements_fold_data_versions() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    folded integer;
BEGIN
    INSERT INTO statements_dataversion (id, version, changed_at) VALUES (0, 0, clock_timestamp())
    ON CONFLICT (id) DO NOTHING;
    WITH gone AS (
        DELETE FROM statements_dataversion
        WHERE id <> 0 AND id NOT IN (SELECT pid FROM pg_stat_activity)
        RETURNING version, changed_at
    ), totals AS (
        SELECT count(*) AS n, sum(version) AS version, max(changed_at) AS changed_at FROM gone
    )
    UPDATE statements_dataversion AS d
    SET version = d.version + totals.version, changed_at = greatest(d.changed_at, totals.changed_at)
    FROM totals WHERE d.id = 0 AND totals.n > 0
    RETURNING totals.n INTO folded;
    RETURN coalesce(folded, 0);
END
$$;

-- The one row of version 1 becomes row 0.
UPDATE statements_dataversion SET id = 0 WHERE id = 1;
INSERT INTO statements_dataversion (id, version, changed_at) VALUES (0, 1, clock_timestamp())
ON CONFLICT (id) DO NOTHING;
