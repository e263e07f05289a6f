"""The trigger-maintained position steps agree with the SPEC's rules, computed here in Python."""

import datetime
import random
import threading

import pytest
from django.db import connection, connections

from statements.models import PositionStep, Statement
from statements.positions import STANCES, positions_as_of
from tests.factories import GovernmentFactory, SpeakerFactory, StatementFactory, TopicFactory


def reference_position(statements: list[Statement], as_of: datetime.date) -> dict | None:
    """SPEC §5, literally: the latest published statement said on or before as_of, with the tie rule."""
    said = sorted(
        (s for s in statements if s.status == "published" and s.said_on <= as_of),
        key=lambda s: (s.said_on, s.published_on or s.said_on, s.pk),
    )
    if not said:
        return None
    stance, since, previous = said[-1].stance, said[-1].said_on, None
    for earlier in reversed(said[:-1]):
        if earlier.stance != stance:
            previous = earlier.stance
            break
        since = earlier.said_on
    counts = {value: sum(1 for s in said if s.stance == value) for value in STANCES}
    return {"statement": said[-1].pk, "stance": stance, "since": since, "previous": previous, "counts": counts}


def test_positions_match_the_reference_on_random_histories(db):
    rng = random.Random(20220927)
    topic = TopicFactory()
    governments = [GovernmentFactory() for _ in range(5)]
    speaker = SpeakerFactory()
    start = datetime.date(2022, 9, 1)
    for n in range(300):
        day = start + datetime.timedelta(days=rng.randrange(40))
        StatementFactory(
            topic=topic,
            government=rng.choice(governments),
            speaker=speaker,
            quote=f"q{n}",
            said_on=day,
            published_on=rng.choice([None, day, day + datetime.timedelta(days=rng.randrange(3))]),
            stance=rng.choice(STANCES),
            status=rng.choices(["published", "draft", "retracted"], weights=[8, 1, 1])[0],
        )
    # Writes after the fact: the triggers must follow them.
    for statement in rng.sample(list(Statement.objects.all()), 60):
        statement.stance = rng.choice(STANCES)
        statement.status = rng.choice(["published", "draft"])
        statement.said_on = start + datetime.timedelta(days=rng.randrange(40))
        statement.save()
    Statement.objects.filter(pk__in=[s.pk for s in rng.sample(list(Statement.objects.all()), 20)]).delete()

    statements = list(Statement.objects.all())
    for as_of in [start + datetime.timedelta(days=d) for d in range(-1, 42, 3)]:
        actual = {
            p.government.code: {
                "statement": p.statement.pk,
                "stance": p.stance,
                "since": p.since,
                "previous": p.previous_stance,
                "counts": p.counts,
            }
            for p in positions_as_of(topic=topic, as_of=as_of)
        }
        expected = {
            g.code: reference_position([s for s in statements if s.government_id == g.code], as_of) for g in governments
        }
        assert actual == {code: row for code, row in expected.items() if row is not None}, as_of


def _waiting_for_advisory_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_writer_waits_and_then_sees_the_other_s_statements():
    """The race the per-pair advisory lock closes: B rebuilds the pair while A's rows are uncommitted.

    Without the lock, B's rebuild would not see A's statement and the two rebuilds would leave
    steps computed from different snapshots. With it, B waits for A's commit, then sees A's rows.
    """
    from django.db import transaction

    topic, government, speaker = TopicFactory(), GovernmentFactory(), SpeakerFactory()
    a_has_written, a_may_commit = threading.Event(), threading.Event()
    errors = []

    def writer_a() -> None:
        try:
            with transaction.atomic():
                StatementFactory(
                    topic=topic,
                    government=government,
                    speaker=speaker,
                    quote="A",
                    said_on=datetime.date(2022, 9, 1),
                    stance="welcoming",
                )
                a_has_written.set()
                assert a_may_commit.wait(timeout=20)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def writer_b() -> None:
        try:
            assert a_has_written.wait(timeout=20)
            StatementFactory(
                topic=topic,
                government=government,
                speaker=speaker,
                quote="B",
                said_on=datetime.date(2022, 9, 2),
                stance="restrictive",
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    assert a_has_written.wait(timeout=20)
    waited = threading.Event()
    for _ in range(400):  # until B is seen blocked on the pair's lock (bounded)
        if _waiting_for_advisory_lock():
            break
        waited.wait(0.025)
    assert _waiting_for_advisory_lock(), "B should wait for A's transaction"
    a_may_commit.set()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    steps = list(PositionStep.objects.filter(topic=topic).order_by("said_on"))
    assert [(s.stance, s.previous_stance, s.welcoming_count, s.restrictive_count) for s in steps] == [
        ("welcoming", None, 1, 0),
        ("restrictive", "welcoming", 1, 1),
    ]
    connection.close()


def test_a_step_carries_its_statement_s_summary_and_follows_every_edit_to_it(db):
    """The summary a position shows (speaker slug and name, role, precision, quote) is read from
    the step: editing the statement, or renaming or re-slugging its speaker, reaches it at once."""
    topic, government = TopicFactory(), GovernmentFactory()
    speaker, other = SpeakerFactory(name="Anna Example"), SpeakerFactory(name="Other Speaker")
    statement = StatementFactory(topic=topic, government=government, speaker=speaker, quote="First words.")
    untouched = StatementFactory(topic=topic, government=GovernmentFactory(), speaker=other)

    def summary():
        position = positions_as_of(topic=topic, as_of=datetime.date(2100, 1, 1), governments=[government.code])
        s = position[0].statement
        return (s.speaker.slug, s.speaker.name, s.role, s.date_precision, s.quote)

    assert summary() == (speaker.slug, "Anna Example", statement.role, statement.date_precision, "First words.")
    statement.quote, statement.role, statement.date_precision = "Second words.", "Minister", "approximate"
    statement.save()
    assert summary() == (speaker.slug, "Anna Example", "Minister", "approximate", "Second words.")
    speaker.name, speaker.slug = "Anna Renamed", "anna-renamed"
    speaker.save()
    assert summary() == ("anna-renamed", "Anna Renamed", "Minister", "approximate", "Second words.")
    statement.speaker = other
    statement.save()
    assert summary() == (other.slug, "Other Speaker", "Minister", "approximate", "Second words.")
    assert PositionStep.objects.get(statement=untouched).speaker_name == "Other Speaker"
