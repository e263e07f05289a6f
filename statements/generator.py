"""Deterministic synthetic statements for benchmarks, written with COPY (not the ORM row by row).

The shape follows the real data: governments that speak more than others (Zipf), speakers who
each speak for one government, stances skewed toward restrictive and sticky per government and
topic (so positions have runs), dates clustered around crises, quotes of 15–60 words drawn
Zipf-like from the vocabulary of the real seed quotes followed by a long tail of rarer made-up
words (so that search terms range from "in every quote" to "in a few"), several languages,
1–3 sources each.
Generated rows carry no change history and no events: they are benchmark data, not editorial
records.
"""

import datetime
import itertools
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_countries import countries

from statements.events import recording_off
from statements.models import Government, GovernmentKind, Speaker, Topic

STANCE_WEIGHTS = {"restrictive": 45, "welcoming": 22, "neutral": 20, "conditional": 13}
LANGUAGE_WEIGHTS = {"en": 62, "de": 8, "fr": 8, "ru": 5, "es": 5, "nl": 4, "pl": 3, "it": 3, "uk": 2}
STATUS_WEIGHTS = {"published": 97, "draft": 2, "retracted": 1}
PUBLISHERS = ["Reuters", "AFP", "Associated Press", "Official transcript", "Government press office", "BBC", "DW"]
RARE_WORDS = 40_000
FIRST_DAY = datetime.date(2014, 1, 1)
LAST_DAY = datetime.date(2026, 10, 31)
# Crises during which governments talk a lot: (first day, length in days, weight).
CRISES = [
    (datetime.date(2015, 8, 1), 240, 4),
    (datetime.date(2021, 8, 10), 90, 2),
    (datetime.date(2022, 2, 24), 120, 5),
    (datetime.date(2022, 9, 21), 60, 6),
    (datetime.date(2023, 10, 7), 90, 2),
]


@dataclass
class GeneratedCounts:
    statements: int
    sources: int
    governments: int
    speakers: int
    topics: int


def seed_vocabulary() -> list[str]:
    """Words of the real seed quotes, most frequent first (the Zipf ranks)."""
    words: dict[str, int] = {}
    for path in sorted((Path(settings.BASE_DIR) / "seeds").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                for word in re.findall(r"[^\W\d_]+", json.loads(line)["quote"].lower()):
                    words[word] = words.get(word, 0) + 1
    return sorted(words, key=lambda w: (-words[w], w))


def rare_words(vocabulary: list[str], count: int, rng: random.Random) -> list[str]:
    """`count` made-up words for the long tail a real corpus has (names, places, compounds),
    each the start of one seed word and the end of another in the same script ("asylrity")."""
    by_script: dict[str, list[str]] = {}
    for word in vocabulary:
        if len(word) >= 4:
            by_script.setdefault(unicodedata.name(word[0], "?").split()[0], []).append(word)
    groups = sorted(by_script.values(), key=len, reverse=True)
    weights = [len(group) for group in groups]
    known, words = set(vocabulary), []
    while len(words) < count:
        group = rng.choices(groups, weights=weights)[0]
        start, end = rng.choice(group), rng.choice(group)
        word = start[: rng.randint(2, 4)] + end[-rng.randint(2, 5) :]
        if word not in known:
            known.add(word)
            words.append(word)
    return words


def zipf_weights(n: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


class Generator:
    def __init__(self, *, seed: int, governments: int, speakers: int, topics: int, government_skew: float):
        self.rng = random.Random(seed)
        self.government_count = governments
        self.speaker_count = speakers
        self.topic_count = topics
        self.government_skew = government_skew
        # The seed quotes' few hundred words, then a long tail: every seed word is in at least 1%
        # of a million generated quotes, while real search terms include words in only a handful.
        seed_words = seed_vocabulary()
        self.vocabulary = seed_words + rare_words(seed_words, RARE_WORDS, self.rng)
        self.word_weights = zipf_weights(len(self.vocabulary), 1.0)
        self.days = (LAST_DAY - FIRST_DAY).days

    def _codes(self) -> list[str]:
        codes = [code for code, _name in countries if code not in ("EU", "UN")]
        self.rng.shuffle(codes)
        return ["EU", "UN", *codes][: self.government_count]

    def ensure_references(self):
        """Governments, topics and speakers the statements point to (reused when present)."""
        codes = self._codes()
        kinds = {"EU": GovernmentKind.SUPRANATIONAL, "UN": GovernmentKind.INTERNATIONAL}
        Government.objects.bulk_create(
            [Government(code=c, name=countries.name(c), kind=kinds.get(c, GovernmentKind.STATE)) for c in codes],
            ignore_conflicts=True,
        )
        Topic.objects.bulk_create(
            [Topic(slug=f"generated-topic-{n}", title=f"Generated topic {n}") for n in range(1, self.topic_count + 1)],
            ignore_conflicts=True,
        )
        Speaker.objects.bulk_create(
            [
                Speaker(
                    name=f"Generated Speaker {n}", slug=f"generated-speaker-{n}", kind="person" if n % 10 else "body"
                )
                for n in range(1, self.speaker_count + 1)
            ],
            ignore_conflicts=True,
        )
        self.codes = codes
        self.topic_ids = list(
            Topic.objects.filter(slug__startswith="generated-topic-").order_by("id").values_list("id", flat=True)
        )[: self.topic_count]
        speaker_ids = list(
            Speaker.objects.filter(slug__startswith="generated-speaker-").order_by("id").values_list("id", flat=True)
        )[: self.speaker_count]
        # Each speaker speaks for one government.
        self.speakers_of = {code: [] for code in codes}
        for index, speaker_id in enumerate(speaker_ids):
            self.speakers_of[codes[index % len(codes)]].append(speaker_id)
        self.government_weights = zipf_weights(len(codes), self.government_skew)
        stances = list(STANCE_WEIGHTS)
        self.home_stance = {
            (code, topic): self.rng.choices(stances, weights=list(STANCE_WEIGHTS.values()))[0]
            for code in codes
            for topic in self.topic_ids
        }

    def _day(self) -> datetime.date:
        if self.rng.random() < 0.5:
            start, length, _weight = self.rng.choices(CRISES, weights=[c[2] for c in CRISES])[0]
            return start + datetime.timedelta(days=int(self.rng.expovariate(1 / (length / 3))) % length)
        return FIRST_DAY + datetime.timedelta(days=self.rng.randrange(self.days))

    def _quote(self) -> str:
        words = self.rng.choices(self.vocabulary, cum_weights=self.word_weights, k=self.rng.randint(15, 60))
        return " ".join(words).capitalize() + "."

    def rows(self, count: int, first_id: int):
        """Yield one COPY row per statement for `count` statements with ids from `first_id`."""
        now = timezone.now()
        stances, stance_weights = list(STANCE_WEIGHTS), list(STANCE_WEIGHTS.values())
        languages, language_weights = list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values())
        statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
        for statement_id in range(first_id, first_id + count):
            code = self.rng.choices(self.codes, cum_weights=self.government_weights)[0]
            topic = self.rng.choice(self.topic_ids)
            stance = (
                self.home_stance[(code, topic)]
                if self.rng.random() < 0.7
                else self.rng.choices(stances, weights=stance_weights)[0]
            )
            said_on = self._day()
            precision = self.rng.choices(["day", "approximate", "month"], weights=[90, 8, 2])[0]
            if precision == "month":
                said_on = said_on.replace(day=1)
            published_on = (
                said_on + datetime.timedelta(days=self.rng.choice([0, 0, 1, 1, 2, 7]))
                if self.rng.random() < 0.3
                else None
            )
            language = self.rng.choices(languages, weights=language_weights)[0]
            yield (
                statement_id,
                now,
                now,
                "Minister of Foreign Affairs" if statement_id % 3 else "Minister of the Interior",
                f"Government of {code}",
                said_on,
                precision,
                published_on,
                self._quote(),
                language,
                language != "en" and self.rng.random() < 0.3,
                stance,
                "" if self.rng.random() < 0.6 else self._quote(),
                self.rng.choices(statuses, weights=status_weights)[0],
                code,
                self.rng.choice(self.speakers_of[code]),
                topic,
            )


STATEMENT_COLUMNS = (
    "id, created_at, updated_at, role, organization, said_on, date_precision, published_on, quote, language, "
    "is_translation, stance, context, status, government_id, speaker_id, topic_id"
)
# Sources are made by the server from each statement's id (1, 2 or 3 of them, 3:2:1), so that
# a million statements never sit in Python's memory twice.
SOURCES_SQL = """
INSERT INTO statements_source (created_at, updated_at, url, publisher, position, statement_id)
SELECT s.created_at, s.created_at, 'https://news.example.org/' || s.id || '/' || n,
       (%(publishers)s::text[])[1 + (s.id * 7 + n) %% cardinality(%(publishers)s::text[])], n, s.id
FROM statements_statement AS s
CROSS JOIN LATERAL generate_series(0, CASE WHEN s.id %% 6 < 3 THEN 0 WHEN s.id %% 6 < 5 THEN 1 ELSE 2 END) AS n
WHERE s.id >= %(first_id)s
"""

# Every retracted statement has its public reason (a database rule, checked at commit).
RETRACTIONS_SQL = """
INSERT INTO statements_correction (created_at, updated_at, statement_id, kind, note, fields, before, after)
SELECT s.updated_at, s.updated_at, s.id, 'retraction', 'Generated retraction.', '[]', '{}', '{}'
FROM statements_statement AS s WHERE s.id >= %(first_id)s AND s.status = 'retracted'
"""


def statements_generate(
    *,
    count: int,
    seed: int = 1,
    governments: int = 200,
    speakers: int = 5000,
    topics: int = 20,
    government_skew: float = 1.0,
    progress=None,
) -> GeneratedCounts:
    """Add `count` synthetic statements (and their references) in one transaction, with COPY."""
    generator = Generator(
        seed=seed, governments=governments, speakers=speakers, topics=topics, government_skew=government_skew
    )
    with transaction.atomic(), recording_off():  # benchmark data is not news: no event log
        generator.ensure_references()
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE statements_statement IN EXCLUSIVE MODE")
            cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM statements_statement")
            first_id = cursor.fetchone()[0]
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY statements_statement ({STATEMENT_COLUMNS}) FROM STDIN") as copy:
                for index, row in enumerate(generator.rows(count, first_id)):
                    copy.write_row(row)
                    if progress and index % 10_000 == 0:
                        progress(index)
            cursor.execute(SOURCES_SQL, {"publishers": PUBLISHERS, "first_id": first_id})
            sources = cursor.rowcount
            cursor.execute(RETRACTIONS_SQL, {"first_id": first_id})
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('statements_statement', 'id'), "
                "(SELECT MAX(id) FROM statements_statement))"
            )
            cursor.execute("SELECT statements_tally_compact()")
            cursor.execute("ANALYZE statements_statement")
            cursor.execute("ANALYZE statements_source")
            cursor.execute("ANALYZE statements_positionstep")
            cursor.execute("ANALYZE statements_statementtally")
    return GeneratedCounts(count, sources, governments, speakers, topics)
