#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if len(sys.argv) > 1 and sys.argv[1] != "runserver":
        # Commands (imports, exports, migrations) may run longer than a web request's 2 s.
        os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "0")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", "") is not None:
            raise  # a query failed: not a connection problem
        sys.exit(cannot_connect(exc))


def cannot_connect(exc: Exception) -> str:
    """One line naming the variable and the problem, without the URL's password."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    where = f"{database.get('HOST') or 'the local socket'}:{database.get('PORT') or 5432}/{database.get('NAME')}"
    variable = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the embedded PostgreSQL (DATABASE_URL unset)"
    reason = " ".join(str(exc).split())
    return f"{variable}: cannot connect to {where}: {reason}"


if __name__ == "__main__":
    main()
