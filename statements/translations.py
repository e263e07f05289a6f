"""A quote's renderings in other languages (statements.models.Translation): which one is English,
and how readers are told who made each. One wording for pages, embeds and feeds.

A rendering is shown as its maker's ("Translation: Reuters"), the speaker's government's
("Official translation: …"), or the tracker's own ("Unofficial translation by the tracker's
editors"); nothing is machine-translated, and a rendering without a maker cannot be stored.
"""

EDITORS = "the tracker's editors"
_EDITORS_SPELLINGS = {EDITORS, "tracker's editors", "the tracker editors", "tracker editors"}


def _get(rendering, key: str):
    """A rendering's `key`, whether it came as a model row (pages) or as the API's JSON (lists, feeds)."""
    return rendering.get(key) if isinstance(rendering, dict) else getattr(rendering, key)


def _all(renderings) -> list:
    return list(renderings.all()) if hasattr(renderings, "all") else list(renderings or [])


def primary_language(tag: str) -> str:
    """The language of a BCP 47 tag without script or region: "en" of "en-GB"."""
    return (tag or "").split("-")[0].lower()


def is_english(tag: str) -> bool:
    return primary_language(tag) == "en"


def english(renderings):
    """The English rendering among a statement's renderings (en, en-GB …), or None."""
    return next((r for r in _all(renderings) if is_english(_get(r, "language"))), None)


def others(renderings) -> list:
    """The renderings in languages other than English, in the statement's order (by language)."""
    return [r for r in _all(renderings) if not is_english(_get(r, "language"))]


def by_editors(by: str) -> bool:
    return " ".join(by.replace("’", "'").split()).casefold() in _EDITORS_SPELLINGS


def label(rendering) -> str:
    """Who made a rendering, as readers are told: "Translation: Reuters", "Official translation:
    Government of Finland", or "Unofficial translation by the tracker's editors"."""
    by = _get(rendering, "by")
    if by_editors(by):
        return f"Unofficial translation by {EDITORS}"
    return f"{'Official translation' if _get(rendering, 'official') else 'Translation'}: {by}"
