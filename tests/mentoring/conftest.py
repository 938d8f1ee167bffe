import datetime

import pytest
from rest_framework.test import APIClient

from core.skills.models import AssessorRole, Skill
from mentoring.models import MentorProfile, Mentorship
from tests.factories import AssessmentFactory, PersonFactory


def make_expert(person, slug="coding", level=3, reviewer=None):
    """`person` at `level` in a skill, rated by a reviewer (so it counts as current)."""
    return AssessmentFactory(
        subject=person,
        skill=Skill.objects.get(slug=slug),
        assessor=reviewer or person.manager or PersonFactory(),
        assessor_role=AssessorRole.MANAGER,
        level=level,
    )


def open_mentor(person, capacity=2, skills=()):
    profile, _ = MentorProfile.objects.update_or_create(
        person=person, defaults={"open_to_mentoring": True, "capacity": capacity}
    )
    profile.skills_offered.set(Skill.objects.filter(slug__in=skills))
    return profile


def active_mentorship(mentor, mentee, **kwargs):
    return Mentorship.objects.create(
        mentor=mentor,
        mentee=mentee,
        status=Mentorship.Status.ACTIVE,
        start_date=datetime.date(2026, 1, 5),
        **kwargs,
    )


@pytest.fixture
def api():
    def client_for(person):
        client = APIClient()
        if person is not None:
            client.force_authenticate(person.user)
        return client

    return client_for


@pytest.fixture
def mentor(org):
    """`outsider` (senior, another team): an active mentor of `peer`."""
    open_mentor(org.outsider, capacity=2)
    return org.outsider
