"""Admin login lockout (django-axes) that an attacker cannot turn against an editor.

Failures are counted per (username, client address) and per client address, the address being
the real client's (api.middleware.client_address: the socket's, or the one the configured
proxies saw). Five wrong passwords for "alice" from one address lock alice out *from that
address* only; she can still log in from hers. An address that fails too often, whatever
the usernames, is locked as a whole.
"""

import datetime

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT as a callable: the per-user limit, or 0 (locked) once the client's address
    has reached its own limit over every username."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    failures = AccessAttempt.objects.filter(
        ip_address=get_client_ip_address(request), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return 0 if (failures or 0) >= settings.AXES_ADDRESS_FAILURE_LIMIT else settings.AXES_USER_FAILURE_LIMIT
