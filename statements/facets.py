"""Facet counts: how the statements a selection selects divide by government, stance, topic,
language and year (the public list's side panel, SPEC §6a).

The counts of each facet add up to the same total, the selection's exact count. From the
tallies the database keeps (statements/tallies.py) when they hold the answer, which at 1M
statements takes milliseconds; otherwise one query over the selected statements (GROUPING
SETS), and for a search over its newest SEARCH_COUNT_LIMIT matches only, as the API's count.
Read through `facet_counts(selection)`.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connections

from statements.listing import SEARCH_COUNT_LIMIT, TABLE, Selection, T
from statements.models import Government, Topic
from statements.tallies import tally_counts
from tracker.db_router import reads

FACETS = ("government", "stance", "topic", "language", "year")

# Each facet: its grouping key over the statements `s`, and how its label is found.
_KEYS = {
    "government": f"{T}.government_id",
    "stance": f"{T}.stance",
    "topic": f"{T}.topic_id::text",
    "language": f"{T}.language",
    "year": f"extract(year FROM {T}.said_on)::int::text",
}


@dataclass(frozen=True)
class FacetValue:
    value: str  # what the filter takes: a code, a slug, a stance, a language tag, a year
    label: str
    count: int


@dataclass
class Facets:
    total: int = 0
    by: dict[str, list[FacetValue]] = field(default_factory=lambda: {name: [] for name in FACETS})
    capped: bool = False  # a search with more matches: the counts are of its newest SEARCH_COUNT_LIMIT


def _sql(where: str, capped: bool) -> str:
    keys = ", ".join(f"{key} AS {name}" for name, key in _KEYS.items())
    sets = ", ".join(f"({key})" for key in _KEYS.values())
    # GROUPING(...) numbers which set a row belongs to: bit 4 is government … bit 0 is year.
    return f"""
        WITH counted AS (
            SELECT {keys}, GROUPING({", ".join(_KEYS.values())}) AS grouping_set, count(*) AS n
            FROM {_source(where, capped)}
            GROUP BY GROUPING SETS ({sets}, ())
        )
        SELECT c.grouping_set, c.government, c.stance, tp.slug, c.language, c.year, c.n,
               coalesce(g.name, c.government), tp.title
        FROM counted AS c
        LEFT JOIN statements_government AS g ON g.code = c.government
        LEFT JOIN statements_topic AS tp ON tp.id = c.topic::bigint
    """


def _source(where: str, capped: bool) -> str:
    if not capped:
        return f"{TABLE} AS {T} WHERE {where}"
    newest = f"SELECT * FROM {TABLE} AS {T} WHERE {where} ORDER BY {T}.said_on DESC, {T}.id DESC"
    return f"({newest} LIMIT {SEARCH_COUNT_LIMIT}) AS {T}"


# Which facet a grouping set is (all others are "grouped away": their GROUPING bit is 1).
_SET_OF = {sum(1 << (len(FACETS) - 1 - j) for j in range(len(FACETS)) if j != i): name for i, name in enumerate(FACETS)}
_TOTAL = (1 << len(FACETS)) - 1


def facet_counts(selection: Selection, *, use_tallies: bool = True) -> Facets:
    """The selection's exact count and its counts per facet value (largest first; years newest
    first), whatever the page or the number of values: from the tallies (a query per facet
    and one for the labels) or from the statements (one query; a search: two)."""
    tallied = _from_tallies(selection) if use_tallies else None
    if tallied is not None:
        return _sorted(tallied)
    where, params = selection.where()
    using = reads()
    capped = False
    with connections[using].cursor() as cursor:
        if selection.q:
            cursor.execute(f"SELECT 1 FROM {TABLE} AS {T} WHERE {where} OFFSET {SEARCH_COUNT_LIMIT} LIMIT 1", params)
            capped = cursor.fetchone() is not None
        cursor.execute(_sql(where, capped), params)
        rows = cursor.fetchall()
    facets = Facets(capped=capped)
    for grouping_set, government, stance, topic_slug, language, year, n, government_name, topic_title in rows:
        if grouping_set == _TOTAL:
            facets.total = n
            continue
        name = _SET_OF[grouping_set]
        value, label = {
            "government": (government, government_name),
            "stance": (stance, stance),
            "topic": (topic_slug, topic_title),
            "language": (language, language),
            "year": (year, year),
        }[name]
        facets.by[name].append(FacetValue(value, label, n))
    return _sorted(facets)


def _sorted(facets: Facets) -> Facets:
    for name, values in facets.by.items():
        if name == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label))
    return facets


def _from_tallies(selection: Selection) -> Facets | None:
    total = tally_counts(selection)
    if total is None:
        return None
    counted = {name: tally_counts(selection, (name,)) for name in FACETS if name != "year"}
    if any(rows is None for rows in counted.values()):
        return None
    years = tally_counts(selection, (), "year")
    codes = [code for code, _period, _n in counted["government"]]
    slugs = [slug for slug, _period, _n in counted["topic"]]
    names = dict(Government.objects.filter(code__in=codes).values_list("code", "name"))
    titles = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "title"))
    labels = {"government": names, "topic": titles}
    facets = Facets(total=total[0][1] if total else 0)
    for name, rows in counted.items():
        facets.by[name] = [FacetValue(value, labels.get(name, {}).get(value, value), n) for value, _p, n in rows]
    facets.by["year"] = [FacetValue(str(period.year), str(period.year), n) for period, n in years]
    return facets


def year_range(year: str) -> tuple[datetime.date, datetime.date]:
    """The said_after and said_before of a year facet's link."""
    return datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
