import datetime

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model

from core.models import CareerStage, Person, Team

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    career_stage = CareerStage.EARLY_CAREER
    title = "ML Engineer"
    timezone = "Europe/Berlin"
    joined_on = datetime.date(2025, 3, 1)


def enable_totp(user) -> Authenticator:
    """Give `user` a TOTP authenticator, as if they had set up two-factor authentication."""
    return TOTP.activate(user, generate_totp_secret()).instance


def staff_person(**kwargs) -> Person:
    person = PersonFactory(user__is_staff=True, user__is_superuser=True, **kwargs)
    enable_totp(person.user)
    return person
