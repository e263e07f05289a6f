"""A client mirroring the API with updated_since ends identical to the database."""

from statements import services
from statements.models import Statement
from tests.factories import StatementFactory

LIST = "/api/v1/statements/"


class Mirror:
    """What a sync client does: poll updated_since, upsert rows, delete tombstones."""

    def __init__(self, api):
        self.api, self.rows, self.since = api, {}, "2000-01-01T00:00:00Z"

    def poll(self) -> int:
        url, params, seen = LIST, {"updated_since": self.since, "ordering": "updated_at", "page_size": 3}, 0
        while url:
            body = self.api.get(url, params).json()
            for row in body["results"]:
                seen += 1
                if row["status"] == "retracted":
                    self.rows.pop(row["id"], None)
                else:
                    self.rows[row["id"]] = row
                self.since = max(self.since, row["updated_at"])
            url, params = body["next"], None
        return seen


def database_view(api) -> dict:
    return {s.pk: api.get(f"{LIST}{s.pk}/").json() for s in Statement.objects.published()}


def _without_detail_keys(rows: dict) -> dict:
    return {pk: {k: v for k, v in row.items() if k not in ("corrections", "citation")} for pk, row in rows.items()}


def test_mirror_follows_publish_correct_and_retract(seeded, api, staff_user):
    mirror = Mirror(api)
    assert mirror.poll() == 44

    draft = StatementFactory(status="draft", topic=Statement.objects.first().topic)
    assert mirror.poll() <= 1 and draft.pk not in mirror.rows  # drafts never sync
    services.statement_publish(statement_id=draft.pk, user=staff_user)
    mirror.poll()
    assert draft.pk in mirror.rows

    corrected = Statement.objects.get(government="US", said_on="2022-09-27")
    corrected.stance = "conditional"
    services.statement_save(statement=corrected, user=staff_user, expected_version=corrected.version, note="Recoded.")
    retracted = Statement.objects.get(government="NL", said_on="2022-12-28")
    services.statement_retract(statement_id=retracted.pk, user=staff_user, reason="Withdrawn.")
    mirror.poll()

    assert mirror.rows[corrected.pk]["stance"] == "conditional"
    assert retracted.pk not in mirror.rows
    assert mirror.rows == _without_detail_keys(database_view(api))
    assert mirror.poll() >= 1  # the boundary row again (updated_since is inclusive), nothing else
    assert mirror.rows == _without_detail_keys(database_view(api))
