"""The alerts' rules kept by the database: each constraint refuses in full_clean() and in a raw
write."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from statements.alerts.models import Address, Alert, SavedSearch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "Mixed@Example.org"},  # stored lower-cased
        {"email": "a@example.org", "paused_at": timezone.now()},  # paused without the server's words
    ],
)
def test_address_constraints(fields):
    with pytest.raises(ValidationError):
        Address(**fields).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.create(**fields)


def test_alert_constraints():
    address = Address.objects.create(email="a@example.org")
    search = SavedSearch.objects.create(filter="government=DE")
    Alert.objects.create(address=address, search=search)
    for fields in ({"frequency": "hourly"}, {}):  # an unknown frequency; the same search twice
        other = Alert(address=address, search=search, **fields)
        with pytest.raises(ValidationError):
            other.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            other.save()
