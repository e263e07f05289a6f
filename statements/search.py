"""Full-text search that understands words: "refugee" finds "refugees", "Flüchtling" finds
"Flüchtlinge".

Each statement's quote and context are stemmed by PostgreSQL's own text-search configuration for
the statement's language (`english` for en, `german` for de …; `simple`, which only lowercases,
for a language PostgreSQL has no stemmer for: Polish, Czech, Ukrainian …). The stored
`search_vector` (statements.models) is built by the SQL function `statements_search_config`,
which maps a language tag to its configuration as CONFIGS below does (a test holds them equal;
statements/sql/search_config.sql is read by migration 0018 and frozen).

A search does not say which language it is in, and the statements it should find are in many.
So the words are matched the way each statement was stemmed: the query stemmed by every
configuration, the distinct results OR-ed (most configurations stem a word alike), finds the
candidates in the GIN index in one scan, and each candidate is
then kept only if the query stemmed by its *own* configuration matches it (without that, a stem
one language makes of an excluded word could let through a statement another language stemmed
differently). Ranking and the highlighted words use the statement's own configuration too.

The words of a search are written into the SQL as a quoted literal, never a parameter: the
best plan depends on how common they are, so a prepared plan must see them (statements/listing.py).
"""

from psycopg import sql

# BCP 47 primary language subtag → PostgreSQL's configuration (all built in since PostgreSQL 15;
# `norwegian` covers Bokmål and Nynorsk). Any other language: FALLBACK.
CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
FALLBACK = "simple"
VECTOR = "search_vector"  # the stored column (statements.models.Statement.search_vector)
EVERY_CONFIG = tuple(sorted({*CONFIGS.values(), FALLBACK}))


def config_for(language: str) -> str:
    """The text-search configuration of a statement in `language` (a BCP 47 tag)."""
    return CONFIGS.get(language.split("-", 1)[0].lower(), FALLBACK)


def _literal(text: str) -> str:
    """`text` as an SQL string literal, "%" doubled (the SQL it goes into also takes parameters)."""
    return sql.Literal(text).as_string().replace("%", "%%")


def _query(config_sql: str, q: str) -> str:
    return f"websearch_to_tsquery({config_sql}, {_literal(q)})"


def own_query(q: str, table: str) -> str:
    """The search as the statement `table` was stemmed: its language's configuration, as a CASE
    on the language tag whose branches are constants (the planner stems the search once per
    configuration, not once per row). Not statements_search_config(): PostgreSQL cannot inline
    it (a text-to-regconfig cast is not immutable), and calling it cost 5.8 µs a row, seven
    times the match itself. This CASE still costs about 8 µs a row at a million statements on
    a loaded machine (bench/RESULTS.md): the known limit of this design."""
    tags = sorted(CONFIGS, key=lambda tag: (tag != "en", tag))  # most statements are in English
    branches = " ".join(f"WHEN '{tag}' THEN {_query(f"'{CONFIGS[tag]}'::regconfig", q)}" for tag in tags)
    fallback = _query(f"'{FALLBACK}'::regconfig", q)
    # The primary subtag is lowercase already (statements_statement_language_bcp47).
    return f"(CASE split_part({table}.language, '-', 1) {branches} ELSE {fallback} END)"


def candidates_query(q: str, languages: tuple[str, ...] = ()) -> str:
    """The search stemmed by every configuration (only those of `languages` when the selection
    names them), the distinct results OR-ed (statements_search_query): a constant the planner
    folds and estimates, which the GIN index answers in one scan."""
    configs = sorted({config_for(language) for language in languages}) if languages else EVERY_CONFIG
    array = "ARRAY[" + ", ".join(f"'{config}'" for config in configs) + "]::regconfig[]"
    return f"statements_search_query({_literal(q)}, {array})"


def condition(q: str, table: str, languages: tuple[str, ...] = ()) -> str:
    """SQL: the statement `table` matches the search `q` (web-search syntax).

    The check against the statement's own stemming is written as a CASE: the planner cannot
    estimate `@@` against a per-row query and would take it to keep 0.5% of the candidates
    (PostgreSQL's default), then fetch every candidate of a common word through the index and
    sort them (seconds at a million statements) instead of walking the date order and stopping
    after a page; a CASE it estimates at one half, nearer the truth (most candidates match)."""
    candidates, own = candidates_query(q, languages), own_query(q, table)
    exact = f"CASE WHEN {table}.{VECTOR} @@ {own} THEN true ELSE false END"
    return f"({table}.{VECTOR} @@ {candidates} AND {exact})"


def rank(q: str, table: str) -> str:
    """SQL: how well the statement `table` matches `q` (ts_rank, as a float8)."""
    return f"ts_rank({table}.{VECTOR}, {own_query(q, table)})::float8"


def headline(q: str, table: str, text_sql: str, options: str) -> str:
    """SQL: ts_headline of `text_sql` (a text of the statement `table`) with the words `q`
    matched marked, stemmed as the statement was. `options`: SQL of ts_headline's options."""
    return f"ts_headline(statements_search_config({table}.language), {text_sql}, {own_query(q, table)}, {options})"
