"""Django admin for editors: statements (statements/admin/statement.py), speakers, governments, topics."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from statements.admin.forms import OpenedAtForm
from statements.admin.statement import StatementAdmin
from statements.models import Government, Speaker, Topic

__all__ = ["GovernmentAdmin", "SpeakerAdmin", "StatementAdmin", "TopicAdmin"]

# The navigation sidebar takes a fifth of a laptop screen from the statement list; the
# breadcrumbs and the index page do its job.
admin.site.enable_nav_sidebar = False
admin.site.site_header = "Statement tracker: editors"
admin.site.site_title = "Statement tracker admin"


class EntityAdmin(SimpleHistoryAdmin):
    """Speakers, governments, topics: a form opened before someone else's change is refused."""

    form = OpenedAtForm  # its hidden field: admin/statements/change_form.html


@admin.register(Speaker)
class SpeakerAdmin(EntityAdmin):
    list_display = ["name", "slug", "kind", "wikidata_id"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Government)
class GovernmentAdmin(EntityAdmin):
    list_display = ["code", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Topic)
class TopicAdmin(EntityAdmin):
    list_display = ["slug", "title", "target_group"]
    search_fields = ["slug", "title", "description"]
    prepopulated_fields = {"slug": ["title"]}
