"""Atom feeds. Django's syndication framework escapes every user-entered string for XML."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from statements.models import Correction, Status

FEED_LENGTH = 50


class CorrectionsFeed(Feed):
    """Every public correction, retraction and reinstatement, newest first (the latest 50)."""

    feed_type = Atom1Feed
    title = "Statement tracker: corrections"
    subtitle = "Corrections, retractions and reinstatements of published statements, with their notes."

    def link(self):
        return reverse("corrections-feed")

    def items(self):
        return (
            Correction.objects.filter(statement__status__in=[Status.PUBLISHED, Status.RETRACTED])
            .select_related("statement__speaker", "statement__government")
            .order_by("-created_at", "-id")[:FEED_LENGTH]
        )

    def item_title(self, correction: Correction) -> str:
        statement = correction.statement
        speaker, government = statement.speaker.name, statement.government.name
        return f"{correction.get_kind_display()}: {speaker} ({government}), {statement.said_on}"

    def item_description(self, correction: Correction) -> str:
        fields = f" (corrected: {', '.join(correction.fields)})" if correction.fields else ""
        return f"{correction.note}{fields}"

    def item_link(self, correction: Correction) -> str:
        return reverse("statement-page", args=[correction.statement_id])

    def item_guid(self, correction: Correction) -> str:
        return f"{self.item_link(correction)}#correction-{correction.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction: Correction):
        return correction.created_at

    def item_updateddate(self, correction: Correction):
        return correction.updated_at

    def item_author_name(self, correction: Correction) -> str:
        return "Statement tracker editors"
