"""The seed topic with its editorial title and target group (the interchange format has only slugs)."""

from django.db import migrations

SLUG = "russian-mobilisation-2022"
TOPIC = {
    "title": "Russians fleeing the 2022 mobilisation",
    "description": (
        "Whether governments would admit Russian men fleeing the partial mobilisation ordered by "
        "Vladimir Putin on 21 September 2022: asylum, humanitarian visas or entry at the border."
    ),
    "target_group": "Russian citizens evading the 2022 mobilisation",
}


def create_topic(apps, schema_editor):
    Topic = apps.get_model("statements", "Topic")
    topic, created = Topic.objects.get_or_create(slug=SLUG, defaults=TOPIC)
    if not created and topic.title == "Russian mobilisation 2022":
        Topic.objects.filter(pk=topic.pk).update(**TOPIC)


def remove_topic(apps, schema_editor):
    apps.get_model("statements", "Topic").objects.filter(slug=SLUG, statements__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("statements", "0001_initial")]
    operations = [migrations.RunPython(create_topic, remove_topic)]
