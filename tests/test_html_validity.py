"""Every public page and embed is valid HTML by the W3C Nu checker (a validator nobody here wrote)."""

import pytest

from statements import services
from statements.alerts import tokens
from statements.alerts.models import Address, Alert, SavedSearch
from statements.models import Statement
from tests.html_checker import nu_errors

TOPIC = "russian-mobilisation-2022"


@pytest.fixture
def pages(seeded, client, staff_user):
    remark = Statement.objects.get(government="US", said_on="2022-09-27")
    retracted = Statement.objects.get(government="US", said_on="2022-09-23")
    services.statement_retract(statement_id=retracted.pk, user=staff_user, reason="Withdrawn <by> the source.")
    corrected = Statement.objects.get(government="US", said_on="2022-09-26")
    corrected.stance = "neutral"
    services.statement_save(statement=corrected, user=staff_user, expected_version=1, note="Recoded & checked.")
    address = Address.objects.create(email="reader@example.org")
    alert = Alert.objects.create(address=address, search=SavedSearch.objects.create(filter="government=US"))
    urls = {
        "follow by e-mail page": "/alerts/?filter=government%3DUS",
        "follow by e-mail, bad filter (400)": "/alerts/?filter=stanse%3Drestrictive",
        "alert confirmation page": f"/alerts/confirm/{tokens.make(tokens.CONFIRM, alert.pk, f='daily')}/",
        "alert unsubscribe page": f"/alerts/unsubscribe/{tokens.make(tokens.UNSUBSCRIBE, alert.pk)}/",
        "manage my alerts page": f"/alerts/manage/{tokens.make(tokens.MANAGE, address.pk)}/",
        "alert link not valid (400)": "/alerts/manage/not-a-link/",
        "statement page": f"/statements/{remark.pk}/",
        "corrected statement page": f"/statements/{corrected.pk}/",
        "retracted statement page (410)": f"/statements/{retracted.pk}/",
        "retracted statement card embed (410)": f"/embed/statements/{retracted.pk}/",
        "list embed holding a retraction": "/embed/statements/?government=US",
        "positions embed with a retraction behind it": f"/embed/positions/{TOPIC}/?as_of=2022-09-24",
        "matrix embed with a retraction behind it": "/embed/positions/?as_of=2022-09-24",
        "corrections log": "/corrections/",
        "compare page": f"/statements/{remark.pk}/compare/",
        "positions page": f"/positions/{TOPIC}/?as_of=2022-09-27",
        "statement card embed": f"/embed/statements/{remark.pk}/",
        "statement list embed": "/embed/statements/?government=US",
        "positions embed": f"/embed/positions/{TOPIC}/",
        "API docs": "/api/docs/",
        "bad request page": f"/positions/{TOPIC}/?as_of=not-a-date",
        "not found page": "/no/such/page/",
        "quote check form": "/check/",
        "quote check result": "/check/?text=We+welcome+all+people+seeking+asylum",
        "quote check, no match": "/check/?text=Wir+haben+so+vieles+geschafft",
        "quote check, bad text (400)": "/check/?text=two+words",
        "home": "/",
        "about": "/about/",
        "statements": "/statements/",
        "statements, search with highlights": "/statements/?q=case-by-case",
        "statements, filtered, nothing found": "/statements/?government=US&stance=restrictive",
        "statements, bad filter (400)": "/statements/?said_after=2022-13-40&government=XX",
        "speakers": "/speakers/",
        "speaker": f"/speakers/{remark.speaker.slug}/",
        "governments": "/governments/",
        "government": "/governments/US/",
        "topics": "/topics/",
        "topic, with its timeline and bars": f"/topics/{TOPIC}/",
        "timeline embed": f"/embed/timeline/{TOPIC}/",
        "matrix page": "/positions/",
    }
    pages = {name: client.get(url).content for name, url in urls.items()}
    pages["method not allowed page (405)"] = client.post("/about/").content
    return pages


def test_the_nu_checker_reports_no_error_on_any_page_or_embed(pages, tmp_path):
    assert nu_errors(pages, tmp_path) == []
