"""Template filters of the public pages."""

import datetime

from django import template
from django.utils.translation import get_language_info

from api import dates
from statements import translations

register = template.Library()


@register.filter
def honest_date(said_on, precision: str = "day") -> str:
    """A date as precisely as it is known: "22 Sep 2022", "c. 22 Sep 2022" (approximate),
    "Sep 2022" (month only: stored as the 1st, which must never read as a day)."""
    return dates.honest_date(said_on, precision, "short")


@register.filter
def honest_date_long(said_on, precision: str = "day") -> str:
    """honest_date with month names in full: "22 September 2022", "September 2022"."""
    return dates.honest_date(said_on, precision, "long")


@register.filter
def as_date(value):
    """An ISO date string (from a JSON row) as a date, for the date filter and <time>."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else value


@register.filter
def honest_datetime(said_on, precision: str = "day") -> str:
    """The machine-readable date of a <time> element at the precision known: "2022-11" for a
    month-only date (a valid HTML month string), the day otherwise."""
    return dates.honest_date(said_on, precision, "html")


# --- The quote's renderings (statements/translations.py) ------------------------------------------

register.filter("english_rendering", translations.english)
register.filter("other_renderings", translations.others)
register.filter("rendering_label", translations.label)
register.filter("is_english", translations.is_english)


@register.filter
def language_label(tag: str) -> str:
    """A language tag in English words ("German"), or the tag itself when Django does not know it."""
    try:
        return get_language_info((tag or "").lower())["name"]
    except KeyError:
        return tag
