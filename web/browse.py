"""`/statements/`: browse and search the statements (SPEC §6a).

The API's statement filters as a form, the selection in the URL, facets with counts of the
current selection, the search's words marked, cursor pages, and the same selection as API,
CSV, JSON Lines, Atom and embed links. Parameters that are not filters (utm_source …) are
ignored, as on every page; a bad value of a filter is a 400 page saying what was wrong.
"""

import datetime
import json
from urllib.parse import urlencode

from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse

from api import shapes
from api.links import StatementUrls, absolute
from statements import paging
from statements.facets import FACETS, facet_counts, year_range
from statements.filtering import FILTER_NAMES, GOVERNMENT_GROUPS, Filtered, FilterError, filtered_from, shown
from statements.listing import StatementPages, highlighted_quotes
from statements.models import Government, Stance, Topic
from web.headings import selection_in_words

PAGE_SIZE = 20
FACET_TOP = 8  # values a facet shows before its "show all" list
ORDERING = paging.ORDERINGS["-said_on"]
CURSOR_ERROR = "cursor: not a cursor of this list; use the Newer and Older links as given."


def _with(query: str, **changes) -> str:
    """The query string `query` with `changes` (None removes a parameter), cursor dropped."""
    data = QueryDict(query, mutable=True)
    data.pop("cursor", None)
    for name, value in changes.items():
        data.pop(name, None)
        if value not in (None, ""):
            data[name] = value
    return data.urlencode(safe=",")


def _facet_links(filtered: Filtered, facets) -> dict:
    """Per facet, each value with the URL that narrows the list to it (or, when it is the only
    value chosen, widens it again)."""
    query = filtered.query()
    chosen = dict(filtered.given())
    links = {}
    for name in FACETS:
        entries = []
        for value in facets.by[name]:
            if name == "year":
                start, end = year_range(value.value)
                selected = chosen.get("said_after") == start and chosen.get("said_before") == end
                dates = (None, None) if selected else (start.isoformat(), end.isoformat())
                href = _with(query, said_after=dates[0], said_before=dates[1])
            else:
                selected = chosen.get(name) == [value.value]
                href = _with(query, **{name: None if selected else value.value})
            entries.append({"value": value, "href": "?" + href, "selected": selected})
        links[name] = entries
    return links


def _error_page(request, errors: list[str]):
    context = _form_context(request.GET, None) | {"errors": errors, "section": "statements"}
    return render(request, "web/statements.html", context, status=400)


def _form_context(data, filtered: Filtered | None) -> dict:
    """What the filter form shows: the choices, and the values as given (kept after an error)."""
    chosen = dict(filtered.given()) if filtered else {}
    government = data.get("government", "")
    form = {name: data.get(name, "") for name in FILTER_NAMES}
    for name in ("said_after", "said_before"):  # a date input holds a date or nothing
        try:
            datetime.date.fromisoformat(form[name])
        except ValueError:
            form[name] = ""
    return {
        "form": form,
        "government_unlisted": "," in government
        and government not in {",".join(codes) for _label, codes in GOVERNMENT_GROUPS.values()},
        "chosen": chosen,
        "governments": Government.objects.public().order_by("name"),
        "topics": Topic.objects.public().order_by("title"),
        "stances": Stance.choices,
        "groups": [(key, label, ",".join(codes)) for key, (label, codes) in GOVERNMENT_GROUPS.items()],
    }


def statements_page(request):
    # A named group of governments becomes its codes in the URL (shareable, and exact).
    group = request.GET.get("group")
    if group in GOVERNMENT_GROUPS:
        data = request.GET.copy()
        del data["group"]
        data.setlist("government", [",".join(GOVERNMENT_GROUPS[group][1])])
        return HttpResponseRedirect(f"{request.path}?{data.urlencode(safe=',')}")
    data = request.GET.copy()
    for name in FILTER_NAMES:  # an empty field of the form is no filter
        if name in data and not [v for v in data.getlist(name) if v.strip()]:
            del data[name]
    errors = []
    try:
        filtered = filtered_from(data)
    except FilterError as exc:
        errors += [
            f"{name}: {' '.join(messages)}"
            + (f" (given: {shown(data.get(name, ''))})" if name.startswith("said_") else "")
            for name, messages in exc.errors.items()
        ]
    raw_cursor = request.GET.get("cursor")
    try:
        cursor = paging.decode(raw_cursor, ORDERING) if raw_cursor else None
    except paging.CursorError:
        errors.append(CURSOR_ERROR)
    if errors:
        return _error_page(request, errors)
    urls = StatementUrls(request)
    pages = StatementPages(filtered.selection, ORDERING, shapes.list_projection(urls.api_prefix, urls.page_prefix))
    page = paging.keyset_page(pages, cursor, PAGE_SIZE)  # older: the next page, newer: the previous
    statements = [json.loads(row["json"]) for row in page.rows]
    marked = highlighted_quotes([s["id"] for s in statements], filtered.selection.q)
    for statement in statements:
        statement["segments"] = marked.get(statement["id"], [(statement["quote"], False)])
    facets = facet_counts(filtered.selection)
    query = filtered.query()
    suffix = f"?{query}" if query else ""
    context = _form_context(data, filtered) | {
        "section": "statements",
        "statements": statements,
        "facets": facets,
        "facet_links": _facet_links(filtered, facets),
        "facet_top": FACET_TOP,
        "facet_top_slice": f":{FACET_TOP}",
        "facet_rest_slice": f"{FACET_TOP}:",
        "described": filtered.describe(),
        "in_words": selection_in_words(filtered, facets.total),
        "title_words": selection_in_words(filtered),
        "query": query,
        "newer": f"?{_with(query, cursor=page.previous)}" if page.previous else None,
        "older": f"?{_with(query, cursor=page.next)}" if page.next else None,
        "links": {
            "api": absolute(request, reverse("api:statement-list") + suffix),
            "csv": absolute(request, reverse("api:statements-export-csv") + suffix),
            "jsonl": absolute(request, reverse("api:statements-export-jsonl") + suffix),
            "atom": absolute(request, reverse("statements-feed-atom") + suffix),
            "embed": absolute(request, reverse("embed-statements") + suffix),
        },
        "permalink": absolute(request, request.path + suffix),
    }
    return render(request, "web/statements.html", context)


def statements_url(**filters) -> str:
    """The list's URL for `filters` (entity pages link to their statements)."""
    return f"{reverse('statements-page')}?{urlencode(filters, safe=',')}"


def latest_rows(request, selection, limit: int) -> list[dict]:
    """The newest `limit` statements of `selection` as the list shows them (one query)."""
    urls = StatementUrls(request)
    pages = StatementPages(selection, ORDERING, shapes.list_projection(urls.api_prefix, urls.page_prefix))
    rows = [json.loads(row["json"]) for row in pages.page(None, False, limit)]
    for row in rows:
        row["segments"] = [(row["quote"], False)]
    return rows
