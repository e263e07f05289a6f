"""The honest date: when a remark was made, written no more precisely than it is known ("September
2022" for a month-only date, stored as the 1st, which must never read as a day; "c. 22 Sep 2022"
for around that day). Declared once, as a table of styles; Python (feeds, the pages' template
filters, JSON-LD) and PostgreSQL (the citation inside the statement's JSON, api/shapes.py) both
write from it, and tests/api/test_dates.py runs the two on the same rows, every style and
precision. The words are English whatever the process locale or active language: the site is.
"""

import datetime
import re
from dataclasses import dataclass

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Style:
    """How one style writes a date: `day` and `month` are templates over the parts below ({d} the
    day of the month without a leading zero, {mon} "Sep", {month} "September", {year}, {iso}
    "2022-09-22", {ym} "2022-09"); `approximate` wraps the `day` form ({} is where it goes)."""

    day: str
    month: str
    approximate: str


STYLES = {
    # Lists, grids, titles: "22 Sep 2022", "c. 22 Sep 2022", "Sep 2022".
    "short": Style("{d} {mon} {year}", "{mon} {year}", "c. {}"),
    # A statement's own date, feeds: "22 September 2022", "c. 22 September 2022", "September 2022".
    "long": Style("{d} {month} {year}", "{month} {year}", "c. {}"),
    # The citation (SPEC §6): "2022-09-22", "c. 2022-09-22", "September 2022".
    "citation": Style("{iso}", "{month} {year}", "c. {}"),
    # ISO 8601 at its precision (JSON-LD's dateCreated): "2022-09-22", "2022-09-22~" (ISO 8601-2's
    # approximate qualifier, as the Library of Congress's EDTF writes it), "2022-09" (reduced precision).
    "edtf": Style("{iso}", "{ym}", "{}~"),
    # A <time> element's datetime: "2022-09-22" (approximate too: HTML has no "around"), "2022-09"
    # (a valid month string).
    "html": Style("{iso}", "{ym}", "{}"),
}


def honest_date(said_on: datetime.date | str | None, precision: str, style: str = "short") -> str:
    """`said_on` (a date, or ISO text from a JSON row) at `precision` ("day", "approximate",
    "month"; anything else reads as a day) in `style`; "" for no date."""
    if not said_on:
        return ""
    if isinstance(said_on, str):
        said_on = datetime.date.fromisoformat(said_on)
    form = STYLES[style]
    month = MONTHS[said_on.month - 1]
    parts = {
        "d": said_on.day,
        "mon": month[:3],
        "month": month,
        "year": f"{said_on.year:04d}",
        "iso": said_on.isoformat(),
        "ym": f"{said_on.year:04d}-{said_on.month:02d}",
    }
    if precision == "month":
        return form.month.format(**parts)
    text = form.day.format(**parts)
    return form.approximate.format(text) if precision == "approximate" else text


# PostgreSQL's to_char() pattern of each part ("FM": no padding; "Month"/"Mon" are English
# whatever lc_time, which only "TM" would consult).
_TO_CHAR = {"d": "FMDD", "mon": "Mon", "month": "FMMonth", "year": "YYYY", "iso": "YYYY-MM-DD", "ym": "YYYY-MM"}
_PART = re.compile(r"\{(\w+)\}")


def _literal(text: str) -> str:
    assert "%" not in text and "\\" not in text, text  # the SQL takes parameters
    return "'" + text.replace("'", "''") + "'"


def _template_sql(template: str, column: str) -> str:
    pieces = []
    for i, piece in enumerate(_PART.split(template)):
        if i % 2:
            pieces.append(f"to_char({column}, '{_TO_CHAR[piece]}')")
        elif piece:
            pieces.append(_literal(piece))
    return " || ".join(pieces)


def honest_date_sql(column: str, precision: str, style: str) -> str:
    """SQL of honest_date(column, precision, style): the same table, written by PostgreSQL."""
    form = STYLES[style]
    day = _template_sql(form.day, column)
    before, _, after = form.approximate.partition("{}")
    around = " || ".join([*([_literal(before)] if before else []), day, *([_literal(after)] if after else [])])
    month = _template_sql(form.month, column)
    return f"CASE {precision} WHEN 'month' THEN {month} WHEN 'approximate' THEN {around} ELSE {day} END"
