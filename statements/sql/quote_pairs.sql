-- The pairs of neighbouring words of a normalised quote (statements_quote_key), as the lexemes
-- of a tsvector: "we welcome any folks" → 'any_folks' 'we_welcome' 'welcome_any'. The quote
-- check's second way to its candidates (statements/quotecheck/candidates.py): among a million
-- statements, the words of a short print ("We welcome all people seeking asylum") are each in
-- tens of thousands of quotes and any four of them in thousands, but the remark it garbles is
-- one of the few that say "we welcome" and "seeking asylum". GIN-indexed as an expression (no
-- column: nothing to rewrite, nothing in the statements' JSON), published statements only.
-- The words come from the 'simple' parser, as quote_words' do, in order of their positions.
CREATE OR REPLACE FUNCTION statements_quote_pairs(key text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (
    WITH words AS (
        SELECT w.lexeme, p.position
        FROM unnest(to_tsvector('simple'::regconfig, key)) AS w,
             unnest(w.positions) AS p(position)
    )
    SELECT array_to_tsvector(coalesce(array_agg(DISTINCT a.lexeme || '_' || b.lexeme), '{}'::text[]))
    FROM words AS a JOIN words AS b ON b.position = a.position + 1
);
