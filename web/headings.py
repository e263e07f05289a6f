"""A selection of statements named in words for people: "restrictive statements by Austria,
Belgium, Bulgaria and 24 other governments on Russians fleeing the 2022 mobilisation matching
'asylum'" (the list's heading and title), not parameter names (those stay in feeds' titles)."""

import datetime

from django.conf.locale import LANG_INFO
from django.utils.dateformat import format as date_format

from statements.filtering import Filtered
from statements.models import Government, Speaker, Topic

NAMED = 3  # names listed before "and N other …"


def _listed(names: list[str], noun: str, joiner: str = "and") -> str:
    """ "A", "A and B", "A, B and C", "A, B, C and 4 other governments"."""
    if len(names) > NAMED + 1:
        return f"{', '.join(names[:NAMED])} and {len(names) - NAMED} other {noun}"
    if len(names) > 1:
        return f"{', '.join(names[:-1])} {joiner} {names[-1]}"
    return names[0]


def _day(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _language(tag: str) -> str:
    info = LANG_INFO.get(tag.lower()) or LANG_INFO.get(tag.split("-")[0].lower())
    return info["name"] if info and "name" in info else tag


def _names(model, field: str, values, label: str = "name") -> list[str]:
    found = dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, label))
    return [found.get(value, str(value)) for value in values]


def selection_in_words(filtered: Filtered, count: int | None = None) -> str:
    """The statements `filtered` selects, in words, starting lowercase ("statements", "restrictive
    or neutral statements …"; "statement" when `count` is 1). Up to three small queries, for
    names only given as codes or ids."""
    cleaned, selection = filtered.cleaned, filtered.selection
    stances = cleaned["stance"]
    noun = "statement" if count == 1 else "statements"
    words = [f"{_listed(stances, 'stances', 'or')} {noun}" if stances else noun]
    if cleaned["is_translation"] is not None:
        words.append("printed in translation" if cleaned["is_translation"] else "printed in their original language")
    speakers = _names(Speaker, "id", list(selection.speakers)) if selection.speakers else []
    governments = _names(Government, "code", list(selection.governments)) if selection.governments else []
    if speakers:
        words.append(f"by {_listed(speakers, 'speakers')}")
    if governments:
        words.append(f"{'for' if speakers else 'by'} {_listed(governments, 'governments')}")
    if selection.topics:
        words.append(f"on {_listed(_names(Topic, 'id', list(selection.topics), 'title'), 'topics', 'or')}")
    if selection.languages:
        words.append(f"in {_listed([_language(tag) for tag in selection.languages], 'languages', 'or')}")
    after, before = selection.said_after, selection.said_before
    if after and before:
        words.append(f"said between {_day(after)} and {_day(before)}")
    elif after:
        words.append(f"said on or after {_day(after)}")
    elif before:
        words.append(f"said on or before {_day(before)}")
    if selection.updated_since:
        words.append(f"changed since {_day(selection.updated_since.date())}")
    if selection.q:
        words.append(f"matching ‘{selection.q}’")
    return " ".join(words)
