-- A quote as the quote check compares it (SPEC §9): Unicode compatibility forms folded (NFKC),
-- apostrophes of every kind dropped ("don’t" and "dont" are one word), diacritics removed as
-- the unaccent extension's rules do (wire copy often drops them), lower case. The generated
-- columns statements_statement.quote_key (ranked with pg_trgm's word_similarity) and
-- quote_words (its words, GIN-indexed: where candidates come from) are made with it, and the
-- printed text goes through the same function, so both sides are normalised alike.
--
-- IMMUTABLE, as a generated column needs: unaccent() itself is only STABLE because its rules
-- file could change; the dictionary is named with its schema, so the function does not depend
-- on search_path (pg_dump and restores run with an empty one).
DO $do$
DECLARE
    home text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent');
BEGIN
    EXECUTE format(
        $f$
        CREATE OR REPLACE FUNCTION statements_quote_key(quote text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        RETURN lower(%1$s.unaccent(%2$L::regdictionary, translate(normalize(quote, NFKC), %3$L, '')))
        $f$,
        home, home || '.unaccent', $q$'’‘ʼ′`´$q$
    );
END
$do$;
