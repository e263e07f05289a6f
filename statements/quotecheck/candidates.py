"""Candidates for the quote check: the published statements a printed text may come from, found
through an index, never a scan (SPEC §9).

Two indexes are asked, each the same way: the statements' quotes in their own language
(`statements_statement.quote_words`) and the quotes' renderings in other languages
(`statements_translation.text_words`, the renderings' own index), so that an English rendering
printed by a wire finds a German original through the English rendering the tracker holds.

The cost is bounded whatever the text (2,000 characters of the commonest words, 2,000 distinct
words, one word repeated): the printed words are reduced to their distinct lexemes; at most
MAX_PROBES of those below the statistics' floor are probed (one index probe each, the longest
first); the tsquery asks for at least m of the k = RARE_WORDS rarest, C(k, m) ≤ 70 conjunctions;
each conjunction holds a word expected in at most ENTRY_CAP texts (the posting lists GIN
reads); the index step touches at most CANDIDATE_CAP rows, fewer for a long print (CANDIDATE_WORK:
characters × rows that pg_trgm compares), and ranks at most RANKED.
"""

import itertools
import threading
import time
from dataclasses import dataclass

from django.db import connections
from psycopg import sql as pgsql

from statements.listing import Projection, Selection
from tracker.db_router import reads

CANDIDATE_BUDGET = 300  # rows the index step aims to return …
CANDIDATE_CAP = 2000  # … and never more than this …
# … nor more than this many characters of printed text × rows for pg_trgm to compare: ranking a
# 2,000-character print against 2,000 rows took 290 ms of SQL at 200,000 statements (bench/
# quotecheck.py); 100 rows for such a print, 2,000 for one of up to 100 characters (at a
# million, halving it from 400,000 took the 2,000-character worst cases' p99 from 135-144 ms
# to 84-103 ms with the same accuracy).
CANDIDATE_WORK = 200_000
# Each conjunction the index is asked must hold a word expected in at most this many texts: GIN
# intersects posting lists from the shortest, so that bounds the index entries it reads. A print
# made only of words each found in more texts (2,000 characters of "the of and …") names no
# remark: no candidates (at 200,000 statements such a print read 200 ms of posting lists).
ENTRY_CAP = 20_000
RARE_WORDS = 8  # k: how many of the printed words the index is asked about
MAX_PROBES = 16  # uncommon printed words checked for being in any quote at all
RANKED = 30  # candidates aligned after ranking
# The second way in: pairs of neighbouring printed words (sql/quote_pairs.sql). A text is a
# candidate when it has at least PAIRS_NEEDED of the print's PAIRS rarest pairs: among a million
# statements the words of "We welcome all people seeking asylum" are each in tens of thousands
# of quotes, but few say both "we welcome" and "seeking asylum".
PAIRS = 10
PAIRS_NEEDED = 2


@dataclass(frozen=True)
class Index:
    """One searchable text column: its table and tsvector/key columns, and how its rows reach
    the statement (`s`) they belong to."""

    name: str
    table: str
    words: str  # the GIN-indexed tsvector of the normalised text
    key: str  # the normalised text (statements_quote_key), for pg_trgm's ranking
    text: str  # the text as printed
    statement_id: str
    published: str  # the condition on its own rows that keeps to published statements' texts
    rendering: str  # the columns saying which rendering a candidate came through (NULLs for quotes)
    pairs: str  # the GIN-indexed expression of its neighbouring word pairs (sql/quote_pairs.sql)
    pairs_index: str  # that index's name
    # How its rows are named in the candidates' query, and joined to their statement `s`: the
    # quotes are the statements themselves (so that the statement filters, said of `s`, include
    # the partial GIN index's condition and the planner uses it; no join).
    alias: str = "t"
    join: str = ""


QUOTES = Index(
    "quotes",
    "statements_statement",
    "quote_words",
    "quote_key",
    "quote",
    "id",
    "t.status = 'published'",
    "NULL::text AS language, NULL::text AS by, NULL::boolean AS official, NULL::text AS source_url",
    "statements_quote_pairs(s.quote_key)",
    "statements_quote_pairs_gin",
    alias="s",
)
RENDERINGS = Index(
    "renderings",
    "statements_translation",
    "text_words",
    "text_key",
    "text",
    "statement_id",
    "EXISTS (SELECT FROM statements_statement AS p WHERE p.id = t.statement_id AND p.status = 'published')",
    "t.language, t.by, t.official, t.source_url",
    "statements_quote_pairs(t.text_key)",
    "statements_tr_pairs_gin",
    join="JOIN statements_statement AS s ON s.id = t.statement_id",
)
INDEXES = (QUOTES, RENDERINGS)


def _cursor():
    """A cursor where statements are read (a replica, when there is one)."""
    return connections[reads()].cursor()


class _ColumnStatistics:
    """PostgreSQL's statistics of one tsvector column (its most common words and their shares of
    rows), refreshed at most every STALE seconds: ANALYZE changes them, rarely."""

    STALE = 300

    def __init__(self, relation: str, attribute: str, table: str):
        self.relation, self.attribute, self.table = relation, attribute, table  # an expression index's: its own name
        self._lock = threading.Lock()
        self._loaded_at = -self.STALE
        self.shares: dict[str, float] = {}
        self.floor = 0.0  # the least common of them: any other word is rarer
        self.rows = 0.0

    def current(self) -> "_ColumnStatistics":
        with self._lock:
            if time.monotonic() - self._loaded_at >= self.STALE:
                self._load()
                self._loaded_at = time.monotonic()
        return self

    def _load(self) -> None:
        with _cursor() as cursor:
            cursor.execute(
                """
                SELECT st.most_common_elems::text::text[], st.most_common_elem_freqs, c.reltuples
                FROM pg_class AS c
                LEFT JOIN pg_stats AS st
                  ON st.schemaname = current_schema() AND st.tablename = %s AND st.attname = %s
                WHERE c.oid = %s::regclass
                """,
                [self.relation, self.attribute, self.table],
            )
            elements, shares, rows = cursor.fetchone()
        elements, shares = elements or [], shares or []
        self.shares = dict(zip(elements, shares[: len(elements)], strict=True))
        self.floor = min(self.shares.values(), default=0.0)
        self.rows = max(rows or 0.0, 0.0)

    def share(self, word: str) -> float:
        # A word below the statistics' floor: at most the floor, half of it as a guess.
        return self.shares.get(word, self.floor / 2)


_STATISTICS = {index.name: _ColumnStatistics(index.table, index.words, index.table) for index in INDEXES}
# The pairs' statistics are the expression indexes' own (ANALYZE keeps them under the index's name).
_PAIR_STATISTICS = {
    index.name: _ColumnStatistics(index.pairs_index, "statements_quote_pairs", index.table) for index in INDEXES
}


def forget_statistics() -> None:
    """Read PostgreSQL's statistics again at the next check (after an ANALYZE of a new table, say:
    until then a common word would pass for uncommon and be probed)."""
    for statistics in [*_STATISTICS.values(), *_PAIR_STATISTICS.values()]:
        with statistics._lock:
            statistics._loaded_at = -statistics.STALE


def _at_least(shares: list[float], m: int) -> float:
    """The chance that a row has at least m of these words, each independently."""
    chances = [1.0] + [0.0] * len(shares)
    for p in shares:
        for j in range(len(chances) - 1, 0, -1):
            chances[j] = chances[j] * (1 - p) + chances[j - 1] * p
        chances[0] *= 1 - p
    return sum(chances[m:])


def _literal(value) -> str:
    return pgsql.Literal(value).as_string().replace("%", "%%")


def _word_query(word: str) -> str:
    return f"plainto_tsquery('simple', {_literal(word)})"


def lexemes_of(text: str) -> list[str]:
    """The printed text's distinct normalised words, as the indexes hold them."""
    return words_and_pairs(text)[0]


def words_and_pairs(text: str) -> tuple[list[str], list[str]]:
    """The printed text's distinct normalised words and pairs of neighbouring words, as the
    indexes hold them (one query)."""
    with _cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(to_tsvector('simple', k)), tsvector_to_array(statements_quote_pairs(k)) "
            "FROM statements_quote_key(%s) AS k",
            [text],
        )
        lexemes, pairs = cursor.fetchone()
    return lexemes, pairs


def pairs_query(pairs: list[str], index: Index) -> str | None:
    """SQL of the tsquery asking `index`'s pairs for at least PAIRS_NEEDED of the print's PAIRS
    rarest pairs (by the pairs index's statistics), each in at most ENTRY_CAP texts (a pair as
    common as "of the" says nothing and costs a long posting list), or None when too few are."""
    statistics = _PAIR_STATISTICS[index.name].current()
    telling = [p for p in pairs if statistics.share(p) * statistics.rows <= ENTRY_CAP]
    telling = sorted(telling, key=lambda p: (statistics.share(p), -len(p), p))[:PAIRS]
    if len(telling) < PAIRS_NEEDED:
        return None
    combinations = itertools.combinations(telling, PAIRS_NEEDED)
    tsquery = " | ".join("(" + " & ".join(_pair_lexeme(p) for p in combo) + ")" for combo in combinations)
    return f"{_literal(tsquery)}::tsquery"


def _pair_lexeme(pair: str) -> str:
    """A pair as a quoted lexeme of tsquery's own syntax (a quote inside doubled)."""
    return "'" + pair.replace("\\", "\\\\").replace("'", "''") + "'"


def _uncommon(lexemes: list[str], index: Index) -> list[str]:
    """Printed words below the index's statistics' floor, the longest (likeliest rare) first, at
    most MAX_PROBES: each is probed once; the others stay out of the query."""
    shares = _STATISTICS[index.name].current().shares
    return sorted((w for w in lexemes if w not in shares), key=lambda w: (-len(w), w))[:MAX_PROBES]


def _probe(lexemes: list[str]) -> dict[str, set[str]]:
    """Which uncommon printed words some text of each index has (a typo, a word never said is in
    none, and must not take a rare word's place): one probe of the index each, one query."""
    probes = [
        f"SELECT {_literal(index.name)}, {_literal(w)} WHERE EXISTS (SELECT FROM {index.table} AS t "
        f"WHERE {index.published} AND t.{index.words} @@ {_word_query(w)})"
        for index in INDEXES
        for w in _uncommon(lexemes, index)
    ]
    found: dict[str, set[str]] = {index.name: set() for index in INDEXES}
    if probes:
        with _cursor() as cursor:
            cursor.execute(" UNION ALL ".join(probes))
            for name, word in cursor.fetchall():
                found[name].add(word)
    return found


def index_query(lexemes: list[str], index: Index, found: set[str]) -> str | None:
    """SQL of the tsquery asking `index` for at least m of the k rarest printed words that some
    text of it has (`found`: the uncommon ones that one has), or None when no text has any."""
    statistics = _STATISTICS[index.name].current()
    lexemes = [w for w in lexemes if w in statistics.shares or w in found]
    if not lexemes:
        return None
    rare = sorted(lexemes, key=lambda w: (statistics.share(w), -len(w), w))[:RARE_WORDS]
    shares = [statistics.share(w) for w in rare]
    m = next(
        (m for m in range(1, len(rare) + 1) if statistics.rows * _at_least(shares, m) <= CANDIDATE_BUDGET), len(rare)
    )
    bounded = {w for w in rare if statistics.share(w) * statistics.rows <= ENTRY_CAP}
    combinations = [c for c in itertools.combinations(rare, m) if bounded.intersection(c)]
    if not combinations:
        return None
    return " || ".join("(" + " && ".join(_word_query(w) for w in combo) + ")" for combo in combinations)


_CANDIDATES_SQL = """
SELECT c.id, c.text, c.similarity, {select} AS json, c.language, c.by, c.official, c.source_url
FROM (
    SELECT c.*, word_similarity(statements_quote_key(%s), c.key) AS similarity
    FROM (
        SELECT {a}.{statement_id} AS id, {a}.{text} AS text, {a}.{key} AS key, {rendering}
        FROM {table} AS {a} {join}
        WHERE {matching} AND {where}
        LIMIT {cap}
    ) AS c
    ORDER BY similarity DESC, c.id
    LIMIT {ranked}
) AS c
JOIN statements_statement AS s ON s.id = c.id
{joins}
"""


def rows_touched(text: str) -> int:
    """How many index rows the candidate step may read for `text`: CANDIDATE_CAP, fewer for a
    long print (pg_trgm's comparison costs the print's length per row)."""
    return max(RANKED, min(CANDIDATE_CAP, CANDIDATE_WORK // max(len(text), 1)))


@dataclass(frozen=True)
class Candidate:
    statement_id: int
    text: str  # the quote, or the rendering it was found through
    similarity: float  # pg_trgm's word similarity of the printed text to it
    statement: str  # the caller's projection of the statement
    rendering: dict | None = None  # {"language", "by", "official", "source_url"} when through a rendering


def candidates(text: str, selection: Selection, projection: Projection) -> list[Candidate]:
    """Published statements the printed `text` may come from, through their quotes and through
    their renderings: the RANKED best of each by word similarity. Three queries whatever the
    text: its words, the probes of its uncommon ones, and the candidates of both indexes."""
    lexemes, pairs = words_and_pairs(text)
    found = _probe(lexemes)
    where, where_params = selection.where("s")
    parts, params = [], []
    for index in INDEXES:
        by_words, by_pairs = index_query(lexemes, index, found[index.name]), pairs_query(pairs, index)
        matching = [(f"{index.alias}.{index.words} @@ ({by_words})", rows_touched(text))] if by_words else []
        # Quotes sharing two pairs with the print are few; the cap keeps pg_trgm's ranking of
        # them from doubling the check's cost when they are not (common phrases).
        matching += [(f"{index.pairs} @@ {by_pairs}", min(rows_touched(text), CANDIDATE_BUDGET))] if by_pairs else []
        for condition, cap in matching:
            parts.append(_candidates_sql(index, condition, projection, where, cap))
            params += [text, *where_params]
    if not parts:
        return []
    with _cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"({part})" for part in parts), params)
        rows = cursor.fetchall()
    seen, unique = set(), []
    for row in rows:  # a text found both ways once
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            unique.append(row)
    return [
        Candidate(
            pk,
            quote,
            sim,
            row,
            None if language is None else {"language": language, "by": by, "official": official, "source_url": url},
        )
        for pk, quote, sim, row, language, by, official, url in unique
    ]


def _candidates_sql(index: Index, matching: str, projection: Projection, where: str, cap: int) -> str:
    return _CANDIDATES_SQL.format(
        select=projection.select,
        joins=projection.joins,
        matching=matching,
        where=where,
        cap=cap,
        ranked=RANKED,
        table=index.table,
        statement_id=index.statement_id,
        text=index.text,
        key=index.key,
        rendering=index.rendering,
        a=index.alias,
        join=index.join,
    )
