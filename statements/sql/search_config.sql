-- The text-search configuration of a statement's language (statements/search.py: CONFIGS, held
-- equal by a test): PostgreSQL's built-in stemmer for the BCP 47 primary language subtag, `simple`
-- (lowercase, no stemming) for a language without one. IMMUTABLE, as a generated column's
-- expression must be: the mapping only changes through a new migration with its own copy of
-- this file (which rebuilds the column).
CREATE OR REPLACE FUNCTION statements_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(split_part(language, '-', 1))
        WHEN 'ar' THEN 'pg_catalog.arabic'::regconfig
        WHEN 'ca' THEN 'pg_catalog.catalan'::regconfig
        WHEN 'da' THEN 'pg_catalog.danish'::regconfig
        WHEN 'de' THEN 'pg_catalog.german'::regconfig
        WHEN 'el' THEN 'pg_catalog.greek'::regconfig
        WHEN 'en' THEN 'pg_catalog.english'::regconfig
        WHEN 'es' THEN 'pg_catalog.spanish'::regconfig
        WHEN 'eu' THEN 'pg_catalog.basque'::regconfig
        WHEN 'fi' THEN 'pg_catalog.finnish'::regconfig
        WHEN 'fr' THEN 'pg_catalog.french'::regconfig
        WHEN 'ga' THEN 'pg_catalog.irish'::regconfig
        WHEN 'hi' THEN 'pg_catalog.hindi'::regconfig
        WHEN 'hu' THEN 'pg_catalog.hungarian'::regconfig
        WHEN 'hy' THEN 'pg_catalog.armenian'::regconfig
        WHEN 'id' THEN 'pg_catalog.indonesian'::regconfig
        WHEN 'it' THEN 'pg_catalog.italian'::regconfig
        WHEN 'lt' THEN 'pg_catalog.lithuanian'::regconfig
        WHEN 'nb' THEN 'pg_catalog.norwegian'::regconfig
        WHEN 'ne' THEN 'pg_catalog.nepali'::regconfig
        WHEN 'nl' THEN 'pg_catalog.dutch'::regconfig
        WHEN 'nn' THEN 'pg_catalog.norwegian'::regconfig
        WHEN 'no' THEN 'pg_catalog.norwegian'::regconfig
        WHEN 'pt' THEN 'pg_catalog.portuguese'::regconfig
        WHEN 'ro' THEN 'pg_catalog.romanian'::regconfig
        WHEN 'ru' THEN 'pg_catalog.russian'::regconfig
        WHEN 'sr' THEN 'pg_catalog.serbian'::regconfig
        WHEN 'sv' THEN 'pg_catalog.swedish'::regconfig
        WHEN 'ta' THEN 'pg_catalog.tamil'::regconfig
        WHEN 'tr' THEN 'pg_catalog.turkish'::regconfig
        WHEN 'yi' THEN 'pg_catalog.yiddish'::regconfig
        ELSE 'pg_catalog.simple'::regconfig
    END
$$;

-- A search stemmed by each of `configs`, the distinct results OR-ed: what finds the candidates in
-- the GIN index (statements/search.py). IMMUTABLE with constant arguments, so the planner folds
-- it into one tsquery and estimates how many statements it matches from the lexemes' statistics;
-- without the DISTINCT, 26 configurations that stem a word alike read as 26 alternatives, the
-- estimate as most of the table, and the plan as a sequential scan.
CREATE OR REPLACE FUNCTION statements_search_query(q text, configs regconfig[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(string_agg(DISTINCT '(' || stemmed::text || ')', ' | '), '')::tsquery
    FROM (SELECT websearch_to_tsquery(config, q) AS stemmed FROM unnest(configs) AS config) AS each_config
    WHERE numnode(stemmed) > 0
$$;
