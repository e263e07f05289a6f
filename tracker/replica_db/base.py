"""The read replicas' database backend: Django's PostgreSQL backend that reports a failure to
connect or to query (a replica stopped, restarted or cut off) to the read router
(tracker/db_router.py), which skips the replica and reads the request again elsewhere."""

from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql import base

from api.exceptions import is_statement_timeout


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._watch)

    def ensure_connection(self):
        try:
            super().ensure_connection()
        except (OperationalError, InterfaceError) as exc:
            self._failed(exc)
            raise

    def _watch(self, execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            if not is_statement_timeout(exc):  # a slow query is the query's fault, not the replica's
                self._failed(exc)
            raise

    def _failed(self, exc: BaseException) -> None:
        from tracker.db_router import record_replica_failure

        record_replica_failure(self.alias, exc)
