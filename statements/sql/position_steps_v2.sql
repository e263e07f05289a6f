-- Version 2 of the position-step trigger (version 1: position_steps.sql, read by migration 0004).
-- A transaction that sets statements.defer_position_steps = 'on' (SET LOCAL; an import does)
-- queues the (topic, government) pairs it touches in a temporary table instead of rebuilding
-- them at once, and rebuilds each queued pair once with statements_flush_position_steps()
-- before it commits. The per-pair locks are then held for moments at the end of a long import,
-- not from its first statement to its commit: an editor's save of a statement in one of those
-- pairs no longer waits for the whole import.

CREATE OR REPLACE FUNCTION statements_position_steps_trigger()
RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    topics bigint[];
    governments text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(topic_id), array_agg(government_id) INTO topics, governments
        FROM (SELECT DISTINCT topic_id, government_id FROM new_rows WHERE status = 'published') AS pairs;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(topic_id), array_agg(government_id) INTO topics, governments
        FROM (SELECT DISTINCT topic_id, government_id FROM old_rows WHERE status = 'published') AS pairs;
    ELSE
        -- Only changes to what positions depend on count; an edit to context or a quote does not.
        SELECT array_agg(topic_id), array_agg(government_id) INTO topics, governments
        FROM (
            SELECT o.topic_id, o.government_id FROM old_rows AS o JOIN new_rows AS n USING (id)
            WHERE (o.status = 'published' OR n.status = 'published')
              AND (o.status, o.stance, o.said_on, o.published_on, o.topic_id, o.government_id)
                  IS DISTINCT FROM (n.status, n.stance, n.said_on, n.published_on, n.topic_id, n.government_id)
            UNION
            SELECT n.topic_id, n.government_id FROM old_rows AS o JOIN new_rows AS n USING (id)
            WHERE (o.status = 'published' OR n.status = 'published')
              AND (o.status, o.stance, o.said_on, o.published_on, o.topic_id, o.government_id)
                  IS DISTINCT FROM (n.status, n.stance, n.said_on, n.published_on, n.topic_id, n.government_id)
        ) AS pairs;
    END IF;
    IF topics IS NULL THEN
        RETURN NULL;
    END IF;
    IF current_setting('statements.defer_position_steps', true) = 'on' THEN
        CREATE TEMP TABLE IF NOT EXISTS statements_pending_pairs (
            topic_id bigint NOT NULL, government_id text NOT NULL, PRIMARY KEY (topic_id, government_id)
        ) ON COMMIT DELETE ROWS;
        INSERT INTO statements_pending_pairs
        SELECT DISTINCT t, g FROM unnest(topics, governments) AS a(t, g)
        ON CONFLICT DO NOTHING;
    ELSE
        PERFORM statements_rebuild_position_steps(topics, governments);
    END IF;
    RETURN NULL;
END
$fn$;

-- Rebuild every pair queued by this transaction (a no-op when none is).
CREATE OR REPLACE FUNCTION statements_flush_position_steps()
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    topics bigint[];
    governments text[];
BEGIN
    IF to_regclass('pg_temp.statements_pending_pairs') IS NULL THEN
        RETURN;
    END IF;
    SELECT array_agg(topic_id), array_agg(government_id) INTO topics, governments FROM pg_temp.statements_pending_pairs;
    IF topics IS NOT NULL THEN
        PERFORM statements_rebuild_position_steps(topics, governments);
        DELETE FROM pg_temp.statements_pending_pairs;
    END IF;
END
$fn$;
