"""Deferring jobs of the task queue (Procrastinate, on our PostgreSQL) inside the caller's
transaction.

Procrastinate's Django integration defers through Django's own connection, so a job deferred
in a transaction is committed with it, or rolled back with it. In the worker, though, the app
runs on a connector of its own (a pool of other connections): a task that defers another job
from inside its Django transaction would commit that job on its own, before or without the
rows it is about. So every deferral goes through a job manager on Django's connection, in the
web process and in the worker alike.
"""

import datetime

from procrastinate.contrib.django.django_connector import DjangoConnector
from procrastinate.manager import JobManager

_in_transaction = JobManager(DjangoConnector())


def defer(task, *, at: datetime.datetime | None = None, **kwargs) -> int:
    """Defer `task(**kwargs)` (to run no sooner than `at`) in the current transaction; its id."""
    job = task.configure(schedule_at=at).make_new_job(**kwargs)
    return _in_transaction.defer_job(job).id


def defer_many(task, kwargs_list: list[dict]) -> list[int]:
    """Defer one job of `task` per kwargs in `kwargs_list`, in one statement."""
    if not kwargs_list:
        return []
    deferrer = task.configure()
    jobs = [deferrer.make_new_job(**kwargs) for kwargs in kwargs_list]
    return [job.id for job in _in_transaction.batch_defer_jobs(jobs)]
