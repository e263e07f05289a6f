"""Template filters of the public pages."""

import datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language_info

from statements import translations

register = template.Library()


def _honest(said_on, precision: str, day_format: str, month_format: str) -> str:
    if not said_on:
        return ""
    if isinstance(said_on, str):
        said_on = datetime.date.fromisoformat(said_on)
    if precision == "month":
        return date_format(said_on, month_format)
    text = date_format(said_on, day_format)
    return f"c. {text}" if precision == "approximate" else text


@register.filter
def honest_date(said_on, precision: str = "day") -> str:
    """A date as precisely as it is known: "22 Sep 2022", "c. 22 Sep 2022" (approximate),
    "Sep 2022" (month only: stored as the 1st, which must never read as a day)."""
    return _honest(said_on, precision, "j M Y", "M Y")


@register.filter
def honest_date_long(said_on, precision: str = "day") -> str:
    """honest_date with month names in full: "22 September 2022", "September 2022"."""
    return _honest(said_on, precision, "j F Y", "F Y")


@register.filter
def as_date(value):
    """An ISO date string (from a JSON row) as a date, for the date filter and <time>."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else value


@register.filter
def honest_datetime(said_on, precision: str = "day") -> str:
    """The machine-readable date of a <time> element at the precision known: "2022-11" for a
    month-only date (a valid HTML month string), the day otherwise."""
    if not said_on:
        return ""
    if isinstance(said_on, str):
        said_on = datetime.date.fromisoformat(said_on)
    return f"{said_on:%Y-%m}" if precision == "month" else said_on.isoformat()


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
