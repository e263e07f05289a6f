"""The benchmark generator: deterministic, realistic in shape, and valid under every constraint."""

from collections import Counter

from django.core.management import call_command

from statements.generator import statements_generate
from statements.models import Correction, PositionStep, Source, Statement
from tests.conftest import searched


def fingerprint() -> list[tuple]:
    return list(Statement.objects.order_by("id").values_list("government_id", "said_on", "stance", "quote")[:50])


def test_generates_valid_statements_with_sources_and_positions(db):
    result = statements_generate(count=2000, seed=3, governments=20, speakers=100, topics=3)

    assert (result.statements, Statement.objects.count()) == (2000, 2000)
    assert Source.objects.count() == result.sources
    assert min(Counter(Source.objects.values_list("statement_id", flat=True)).values()) >= 1
    assert max(Counter(Source.objects.values_list("statement_id", flat=True)).values()) <= 3
    stances = Counter(Statement.objects.values_list("stance", flat=True))
    assert stances.most_common(1)[0][0] == "restrictive" and len(stances) == 4
    lengths = [len(q.split()) for q in Statement.objects.values_list("quote", flat=True)]
    assert min(lengths) >= 15 and max(lengths) <= 60
    assert len(set(Statement.objects.values_list("language", flat=True))) > 3
    assert PositionStep.objects.count() == Statement.objects.published().count()  # the COPY fired the triggers
    retracted = Statement.objects.filter(status="retracted")
    assert retracted.exists() and all(s.corrections.get().kind == "retraction" for s in retracted)
    assert searched(Statement.objects, "asylum").exists()  # the vocabulary is the seed quotes'


def test_same_seed_same_data(db):
    statements_generate(count=300, seed=9, governments=10, speakers=20, topics=2)
    first = fingerprint()
    Source.objects.all().delete()
    Correction.objects.all().delete()
    Statement.objects.all().delete()

    statements_generate(count=300, seed=9, governments=10, speakers=20, topics=2)

    assert fingerprint() == first


def test_command(db, capsys):
    call_command("generate_statements", "500", "--governments", "5", "--speakers", "10", "--topics", "1")

    assert "generated 500 statements" in capsys.readouterr().out
    assert Statement.objects.values("government").distinct().count() == 5
