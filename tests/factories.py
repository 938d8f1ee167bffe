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
    onboarded_at = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)  # not a newcomer


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


# --- Mentoring rows for the person page (tests/core/test_person_page.py) ---------------------
# Rows are written directly, as AssessmentFactory's: the services' rules and notifications are
# tested in tests/mentoring.

from django.utils import timezone  # noqa: E402

from mentoring.models import FeedbackNote, LearningEntry, Mentorship, Session  # noqa: E402


class MentorshipFactory(factory.django.DjangoModelFactory):
    """An active mentorship that started four weeks ago."""

    class Meta:
        model = Mentorship

    mentor = factory.SubFactory(PersonFactory, career_stage="senior")
    mentee = factory.SubFactory(PersonFactory)
    status = Mentorship.Status.ACTIVE
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(weeks=4))


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    mentorship = factory.SubFactory(MentorshipFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))


class FeedbackNoteFactory(factory.django.DjangoModelFactory):
    """Praise about collaboration, for the recipient and the author only."""

    class Meta:
        model = FeedbackNote

    author = factory.SubFactory(PersonFactory)
    recipient = factory.SubFactory(PersonFactory)
    category = "collaboration"
    kind = "praise"
    body = factory.Sequence(lambda n: f"Feedback note number {n}.")
    visibility = "private"


class LearningEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningEntry

    person = factory.SubFactory(PersonFactory)
    date = factory.LazyFunction(timezone.localdate)
    minutes = 30
    what = "Read about evaluation"


# --- Onboarding (tests/core/test_onboarding.py) -----------------------------------------------

from curriculum.models import Audience, Path  # noqa: E402


class NewcomerFactory(PersonFactory):
    """Someone who has just signed up: no team, no manager, the default stage, not onboarded."""

    team = None
    onboarded_at = None


class PathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Path

    slug = factory.Sequence(lambda n: f"test-path-{n}")
    title = factory.Sequence(lambda n: f"Test path {n}")
    audience = Audience.EARLY_CAREER
    summary = "A path made by a test."


# --- Audit and privacy (tests/core/test_audit.py, tests/core/test_privacy.py) ----------------
# Rows are written directly, as the factories above: one of each kind that holds personal data.

from core.notifications.models import Notification, NotificationKind  # noqa: E402
from hackathons.models import Comment as IdeaComment  # noqa: E402
from hackathons.models import Idea  # noqa: E402
from labs.models import Lab, LabVersion  # noqa: E402
from labs.models import Submission as LabSubmission  # noqa: E402
from mentoring.models import Answer, PrivateNote, Question  # noqa: E402


class LabFactory(factory.django.DjangoModelFactory):
    """A lab with one version whose spec is empty: enough for rows that point to it, not for
    grading (tests/labs stores real versions)."""

    class Meta:
        model = Lab
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"test-lab-{n}")
    title = factory.Sequence(lambda n: f"Test lab {n}")

    @factory.post_generation
    def version(lab, create, extracted, **kwargs):
        if not create:
            return
        version = LabVersion.objects.create(
            lab=lab, number=1, content_hash=f"hash-{lab.slug}", source_format="native",
            spec={}, release={},
        )  # fmt: skip
        lab.current_version = version
        lab.save(update_fields=["current_version"])


class LabSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabSubmission

    lab = factory.SubFactory(LabFactory)
    version = factory.LazyAttribute(lambda s: s.lab.current_version)
    person = factory.SubFactory(PersonFactory)
    attempt = 1
    status = "graded"
    answers = factory.LazyFunction(lambda: {"answer": {"cell_type": "code", "source": "x = 1"}})
    score = 3.0
    max_score = 4.0


class PrivateNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivateNote

    session = factory.SubFactory(SessionFactory)
    author = factory.LazyAttribute(lambda note: note.session.mentorship.mentee)
    body = factory.Sequence(lambda n: f"Private note {n}.")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    author = factory.SubFactory(PersonFactory)
    title = factory.Sequence(lambda n: f"Question {n}?")
    body = "How do you do it?"


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(PersonFactory)
    body = "Like this."


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"Idea {n}")
    problem = "Something hurts."
    proposer = factory.SubFactory(PersonFactory)


class IdeaCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaComment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(PersonFactory)
    body = "Good idea."


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(PersonFactory)
    kind = NotificationKind.FEEDBACK_RECEIVED
    title = "Feedback for you"
    link = "/mentoring/"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
