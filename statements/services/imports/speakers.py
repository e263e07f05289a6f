"""A file's speakers matched to the stored ones (by Wikidata id, else by a name that differs only
in spacing, case or punctuation), and URL slugs for new ones."""

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.text import slugify

from statements.interchange import SpeakerData
from statements.models import Speaker
from statements.quotecheck import TRANSLITERATED

# Spellings of one name that are the same speaker: apostrophes and dashes of every kind, white
# space (trailing, doubled), case, Unicode compatibility forms. PostgreSQL computes the same key.
_LOOKALIKES = ("’‘ʼ′`´‐‑‒–—―", "'" * 6 + "-" * 6)
_NAME_KEY_SQL = (
    "SELECT id FROM statements_speaker WHERE "
    "lower(btrim(regexp_replace(translate(normalize(name, NFKC), %s, %s), '\\s+', ' ', 'g'))) = ANY(%s)"
)


def name_key(name: str) -> str:
    """The key under which two spellings of a name are one speaker."""
    text = unicodedata.normalize("NFKC", name).translate(str.maketrans(*_LOOKALIKES))
    return re.sub(r"\s+", " ", text).strip().lower()


class _SpeakerResolver:
    """Matches the file's speakers to existing ones: by Wikidata id, else by name, where names that
    differ only in spacing, case or the kind of apostrophe are one speaker (and said so)."""

    def __init__(self, speakers: Iterable[SpeakerData]):
        speakers = list(speakers)
        names = {s.name for s in speakers}
        keys = sorted({name_key(name) for name in names})
        wikidata_ids = {s.wikidata_id for s in speakers if s.wikidata_id}
        lookalike = RawSQL(_NAME_KEY_SQL, [*_LOOKALIKES, keys])
        existing = Speaker.objects.filter(
            Q(name__in=names) | Q(wikidata_id__in=wikidata_ids) | Q(pk__in=lookalike)
        ).order_by("id")
        self.by_wikidata = {s.wikidata_id: s for s in existing if s.wikidata_id}
        self.by_name: dict[str, list[Speaker]] = {}
        for speaker in existing:
            self.by_name.setdefault(name_key(speaker.name), []).append(speaker)
        self.new: dict[tuple, Speaker] = {}
        self.lookalikes: dict[str, str] = {}  # a name as written → the speaker's name it matched

    def resolve(self, data: SpeakerData) -> Speaker:
        if data.wikidata_id and data.wikidata_id in self.by_wikidata:
            return self.by_wikidata[data.wikidata_id]
        candidates = self.by_name.get(name_key(data.name), [])
        for candidate in sorted(candidates, key=lambda s: s.name != data.name):  # the exact spelling first
            if not data.wikidata_id or candidate.wikidata_id in (None, data.wikidata_id):
                if candidate.name != data.name:
                    self.lookalikes[data.name] = candidate.name
                return candidate
        key = (name_key(data.name), data.wikidata_id)
        if key not in self.new:
            self.new[key] = Speaker(name=data.name, kind=data.kind, wikidata_id=data.wikidata_id)
            if data.wikidata_id:
                self.by_wikidata[data.wikidata_id] = self.new[key]
            self.by_name.setdefault(name_key(data.name), []).append(self.new[key])
        return self.new[key]


def unique_slugs(names: list[str]) -> list[str]:
    """URL slugs for new speakers: ASCII where the name allows, unique with -2, -3 … suffixes."""
    bases = [
        (slugify(name.translate(TRANSLITERATED)) or slugify(name, allow_unicode=True) or "speaker")[:190]
        for name in names
    ]
    taken = set(Speaker.objects.filter(slug__in=set(bases)).values_list("slug", flat=True))
    slugs = []
    for base in bases:
        slug = base
        if slug in taken:
            taken |= set(Speaker.objects.filter(slug__startswith=f"{base}-").values_list("slug", flat=True))
            number = 2
            while f"{base}-{number}" in taken:
                number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        slugs.append(slug)
    return slugs
