-- Keeps statements_positionstep in step with statements_statement (see PositionStep).
-- Statement-level triggers with transition tables: a bulk insert or COPY rebuilds each affected
-- (topic, government) pair once, not once per row.

CREATE OR REPLACE FUNCTION statements_rebuild_position_steps(topics bigint[], governments text[])
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    pair record;
BEGIN
    -- Serialise rebuilds of the same pair across transactions (in a fixed order: no deadlocks);
    -- every statement below then takes a fresh snapshot that sees the other's committed rows.
    FOR pair IN
        SELECT DISTINCT t, g FROM unnest(topics, governments) AS a(t, g) ORDER BY t, g
    LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('statements.position_steps:' || pair.t || ':' || pair.g, 0));
    END LOOP;

    DELETE FROM statements_positionstep AS p
    USING unnest(topics, governments) AS a(topic_id, government_id)
    WHERE p.topic_id = a.topic_id AND p.government_id = a.government_id;

    INSERT INTO statements_positionstep (
        statement_id, topic_id, government_id, said_on, tie_date, stance, previous_stance, is_change,
        since, run_previous_stance, welcoming_count, conditional_count, restrictive_count, neutral_count
    )
    SELECT id, topic_id, government_id, said_on, tie_date, stance, previous_stance, is_change,
           first_value(said_on) OVER run, first_value(previous_stance) OVER run,
           welcoming_count, conditional_count, restrictive_count, neutral_count
    FROM (
        SELECT *, sum(is_change::int) OVER pair_order AS run_number
        FROM (
            SELECT s.id, s.topic_id, s.government_id, s.said_on,
                   COALESCE(s.published_on, s.said_on) AS tie_date, s.stance,
                   lag(s.stance) OVER pair_order AS previous_stance,
                   lag(s.stance) OVER pair_order IS DISTINCT FROM s.stance AS is_change,
                   count(*) FILTER (WHERE s.stance = 'welcoming') OVER pair_order AS welcoming_count,
                   count(*) FILTER (WHERE s.stance = 'conditional') OVER pair_order AS conditional_count,
                   count(*) FILTER (WHERE s.stance = 'restrictive') OVER pair_order AS restrictive_count,
                   count(*) FILTER (WHERE s.stance = 'neutral') OVER pair_order AS neutral_count
            FROM statements_statement AS s
            JOIN (SELECT DISTINCT t, g FROM unnest(topics, governments) AS a(t, g)) AS a
              ON s.topic_id = a.t AND s.government_id = a.g
            WHERE s.status = 'published'
            WINDOW pair_order AS (
                PARTITION BY s.topic_id, s.government_id
                ORDER BY s.said_on, COALESCE(s.published_on, s.said_on), s.id
                ROWS UNBOUNDED PRECEDING
            )
        ) AS ordered
        WINDOW pair_order AS (
            PARTITION BY topic_id, government_id ORDER BY said_on, tie_date, id ROWS UNBOUNDED PRECEDING
        )
    ) AS numbered
    WINDOW run AS (
        PARTITION BY topic_id, government_id, run_number ORDER BY said_on, tie_date, id
        ROWS UNBOUNDED PRECEDING
    );
END
$fn$;

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
    IF topics IS NOT NULL THEN
        PERFORM statements_rebuild_position_steps(topics, governments);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER statements_position_steps_insert
    AFTER INSERT ON statements_statement REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION statements_position_steps_trigger();
CREATE TRIGGER statements_position_steps_update
    AFTER UPDATE ON statements_statement REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION statements_position_steps_trigger();
CREATE TRIGGER statements_position_steps_delete
    AFTER DELETE ON statements_statement REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION statements_position_steps_trigger();

-- Backfill: rebuild every pair that has a published statement.
SELECT statements_rebuild_position_steps(array_agg(topic_id), array_agg(government_id))
FROM (SELECT DISTINCT topic_id, government_id FROM statements_statement WHERE status = 'published') AS pairs;
