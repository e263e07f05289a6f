"""/healthz (liveness) and /readyz (readiness). The failures themselves are the deploy tests'
(tests/deploy/test_failing_well.py: PostgreSQL cut, Redis killed)."""

from tracker import health


def test_readyz_names_each_database_alias_and_is_ready(db, client, settings):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready" and body["down"] == []
    assert set(body["checks"]) == {f"database:{alias}" for alias in settings.DATABASES}
    assert body["checks"]["database:default"]["ok"] is True
    assert body["checks"]["database:default"]["required"] is True
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_503_when_a_required_check_fails_and_names_it(db, client, monkeypatch):
    def broken_primary():
        return [health.Check("database:default", False, True, 2000.0, "OperationalError: connection refused")]

    monkeypatch.setattr(health, "CHECKS", [broken_primary, health.check_caches])
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["down"] == ["database:default"]
    assert response.json()["status"] == "unavailable"
    assert int(response["Retry-After"]) > 0


def test_an_optional_part_down_keeps_readyz_at_200(db, client, monkeypatch):
    def broken_cache():
        return [health.Check("cache:default", False, False, 0.1, "ConnectionError: refused")]

    monkeypatch.setattr(health, "CHECKS", [health.check_databases, broken_cache])
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["down"] == ["cache:default"]


def test_healthz_asks_nothing(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").content == b"ok"
