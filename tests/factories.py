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


# --- Skills (core/skills) -------------------------------------------------------------------
# The catalog itself comes from migration 0004: tests use the real skills by slug
# (Skill.objects.get(slug="coding")) and make extra ones with SkillFactory.

from core.skills.models import (  # noqa: E402
    Assessment,
    AssessorRole,
    Evidence,
    EvidenceKind,
    ReviewRequest,
    Skill,
    SkillGroup,
)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"test-skill-{n}")
    name = factory.LazyAttribute(lambda skill: skill.slug.replace("-", " ").capitalize())
    short_name = factory.LazyAttribute(lambda skill: skill.name[:24])
    group = SkillGroup.FOUNDATIONS
    description = "A skill made by a test."
    rubric_0 = "Has not done it yet."
    rubric_1 = "Does it with help."
    rubric_2 = "Does it alone."
    rubric_3 = "Teaches it."
    rubric_4 = "Shapes how the organisation does it."
    position = 1000


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A self-assessment unless told otherwise (rows are written directly: no role check)."""

    class Meta:
        model = Assessment

    subject = factory.SubFactory(PersonFactory)
    skill = factory.LazyFunction(lambda: Skill.objects.get(slug="coding"))
    assessor = factory.SelfAttribute("subject")
    assessor_role = AssessorRole.SELF
    level = 2


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    person = factory.SubFactory(PersonFactory)
    skill = factory.LazyFunction(lambda: Skill.objects.get(slug="coding"))
    kind = EvidenceKind.EXTERNAL_LINK
    title = factory.Sequence(lambda n: f"Evidence {n}")
    url = "https://example.com/evidence"


class ReviewRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewRequest

    requester = factory.SubFactory(PersonFactory)
    reviewer = factory.SubFactory(PersonFactory)
    skill = factory.LazyFunction(lambda: Skill.objects.get(slug="coding"))
