"""Readiness (`/readyz`): whether this app server can answer, naming what is down.

The primary must answer (503 otherwise); each read replica is reported with its state (ok,
lagging, down) and replay lag, checked now (tracker/db_router.py). A replica that is down or
lagging costs nothing but capacity: reads go elsewhere, so the answer stays 200."""

from django.db import Error, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from tracker import db_router


@never_cache
@require_safe
def readyz(request):
    databases = {}
    try:
        with connections[db_router.PRIMARY].cursor() as cursor:
            cursor.execute("SELECT 1")
        databases[db_router.PRIMARY] = {"role": "primary", "state": "ok"}
    except Error as exc:
        databases[db_router.PRIMARY] = {"role": "primary", "state": "down", "error": db_router._one_line(exc)}
    for state in db_router.replica_states(check=True):
        databases[state.pop("alias")] = {"role": "replica", **state}
    ready = databases[db_router.PRIMARY]["state"] == "ok"
    body = {"status": "ok" if ready else "unavailable", "databases": databases}
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = "5"
    return response
