-- Version 3 of the position steps (version 1: position_steps.sql; 2: position_steps_v2.sql).
-- Each step also holds what a statement's summary shows (speaker slug and name, role, date
-- precision, quote): positions, compare, timelines and the matrix read one index probe per
-- government and topic, without a lookup of the statement or its speaker (the matrix of 200
-- governments × 10 topics spent half its time there). A change to any of those on a statement
-- rebuilds the pair, as a change of stance does; a renamed speaker is updated in place (below).

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
        since, run_previous_stance, welcoming_count, conditional_count, restrictive_count, neutral_count,
        speaker_id, speaker_slug, speaker_name, role, date_precision, quote
    )
    SELECT numbered.id, topic_id, government_id, said_on, tie_date, stance, previous_stance, is_change,
           first_value(said_on) OVER run, first_value(previous_stance) OVER run,
           welcoming_count, conditional_count, restrictive_count, neutral_count,
           speaker_id, sp.slug, sp.name, role, date_precision, quote
    FROM (
        SELECT *, sum(is_change::int) OVER pair_order AS run_number
        FROM (
            SELECT s.id, s.topic_id, s.government_id, s.said_on,
                   COALESCE(s.published_on, s.said_on) AS tie_date, s.stance,
                   s.speaker_id, s.role, s.date_precision, s.quote,
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
    JOIN statements_speaker AS sp ON sp.id = numbered.speaker_id
    WINDOW run AS (
        PARTITION BY topic_id, government_id, run_number ORDER BY said_on, tie_date, numbered.id
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
        -- Only changes to what positions (and their statement summaries) show count; an edit to context does not.
        SELECT array_agg(topic_id), array_agg(government_id) INTO topics, governments
        FROM (
            SELECT o.topic_id, o.government_id FROM old_rows AS o JOIN new_rows AS n USING (id)
            WHERE (o.status = 'published' OR n.status = 'published')
              AND (o.status, o.stance, o.said_on, o.published_on, o.topic_id, o.government_id,
                   o.speaker_id, o.role, o.date_precision, o.quote)
                  IS DISTINCT FROM (n.status, n.stance, n.said_on, n.published_on, n.topic_id, n.government_id,
                                    n.speaker_id, n.role, n.date_precision, n.quote)
            UNION
            SELECT n.topic_id, n.government_id FROM old_rows AS o JOIN new_rows AS n USING (id)
            WHERE (o.status = 'published' OR n.status = 'published')
              AND (o.status, o.stance, o.said_on, o.published_on, o.topic_id, o.government_id,
                   o.speaker_id, o.role, o.date_precision, o.quote)
                  IS DISTINCT FROM (n.status, n.stance, n.said_on, n.published_on, n.topic_id, n.government_id,
                                    n.speaker_id, n.role, n.date_precision, n.quote)
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


-- A speaker's new slug or name reaches the steps of their statements (the index on speaker_id).
CREATE OR REPLACE FUNCTION statements_position_steps_speaker_trigger()
RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE statements_positionstep AS p
    SET speaker_slug = n.slug, speaker_name = n.name
    FROM new_rows AS n
    WHERE p.speaker_id = n.id AND (p.speaker_slug, p.speaker_name) IS DISTINCT FROM (n.slug, n.name);
    RETURN NULL;
END
$fn$;

DROP TRIGGER IF EXISTS statements_position_steps_speaker ON statements_speaker;
CREATE TRIGGER statements_position_steps_speaker
AFTER UPDATE ON statements_speaker
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION statements_position_steps_speaker_trigger();


-- Backfill: rebuild every pair that has a published statement.
SELECT statements_rebuild_position_steps(array_agg(topic_id), array_agg(government_id))
FROM (SELECT DISTINCT topic_id, government_id FROM statements_statement WHERE status = 'published') AS pairs;
