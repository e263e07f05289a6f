"""Routes reads to the read replicas named in DATABASE_REPLICA_URLS, writes to the primary."""

import random

from django.conf import settings

REPLICA_PREFIX = "replica_"


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


class ReplicaRouter:
    """Reads go to a random replica (when any is configured); writes and migrations to `default`.

    Replicas stream from the primary, so a read right after a write may lag by replication
    delay; the public API is cached for 60 s anyway, and the admin tolerates it.
    """

    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        return random.choice(replicas) if replicas else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
