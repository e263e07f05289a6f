"""factory_boy factories for the domain models."""

import datetime
import itertools

import factory

from statements.models import Government, GovernmentKind, Source, Speaker, Statement, Topic, government_codes

_codes = itertools.cycle([code for code in government_codes() if code not in ("EU", "UN")])


class GovernmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Government
        django_get_or_create = ["code"]

    code = factory.LazyFunction(lambda: next(_codes))
    name = factory.LazyAttribute(lambda o: f"Country {o.code}")
    kind = GovernmentKind.STATE


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    kind = "person"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic-{n}")
    title = factory.Sequence(lambda n: f"Topic {n}")


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement
        skip_postgeneration_save = True

    speaker = factory.SubFactory(SpeakerFactory)
    government = factory.SubFactory(GovernmentFactory)
    topic = factory.SubFactory(TopicFactory)
    role = "Minister of the Interior"
    organization = "Ministry of the Interior"
    said_on = datetime.date(2022, 9, 27)
    quote = factory.Sequence(lambda n: f"Quote number {n} about asylum.")
    language = "en"
    stance = "restrictive"
    status = "published"

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if create and extracted is None:
            SourceFactory(statement=self)

    @factory.post_generation
    def retraction(self, create, extracted, **kwargs):
        """A retracted statement has its public reason (a database rule, checked at commit)."""
        if create and self.status == "retracted" and not self.corrections.exists():
            self.corrections.create(kind="retraction", note=extracted or "Retracted by the test factory.")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    statement = factory.SubFactory(StatementFactory)
    url = factory.Sequence(lambda n: f"https://example.org/news/{n}")
    publisher = "Example News"
