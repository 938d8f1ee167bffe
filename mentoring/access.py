"""Mentoring's rules for core's registries: whom a mentor may see and assess, and mentors as
suggestions for a skill gap. Registered from `MentoringConfig.ready()`."""

from django.db.models import Count, Q
from django.urls import reverse

from core.skills.models import AssessorRole
from core.skills.suggestions import Suggestion

MAX_SUGGESTED_MENTORS = 3


def mentors_see_their_mentees(person) -> Q:
    """An active mentor sees their mentees (and so their skill matrices)."""
    from mentoring.models import Mentorship

    return Q(pk__in=Mentorship.objects.active().filter(mentor=person).values("mentee_id"))


def mentors_assess_their_mentees(subject) -> tuple[str, Q]:
    from mentoring.models import Mentorship

    mentors = Mentorship.objects.active().filter(mentee=subject).values("mentor_id")
    return AssessorRole.MENTOR, Q(pk__in=mentors)


def suggest_mentors(*, person, skill, gap: int) -> list[Suggestion]:
    """Mentors who offer `skill` and have a place left; not the person's own managers."""
    from core.skills.selectors import managers_of
    from mentoring.models import MentorProfile, Mentorship

    profiles = (
        MentorProfile.objects.filter(
            open_to_mentoring=True, skills_offered=skill, person__user__is_active=True
        )
        .exclude(person=person)
        .exclude(person__in=[m.pk for m in managers_of(person)])
        .annotate(
            active=Count(
                "person__mentorships_as_mentor",
                filter=Q(person__mentorships_as_mentor__status=Mentorship.Status.ACTIVE),
            )
        )
        .select_related("person__user")
    )
    found = [p for p in profiles if p.active < p.capacity][:MAX_SUGGESTED_MENTORS]
    return [
        Suggestion(
            text=f"Mentoring from {p.person.display_name}, who offers {skill.name}",
            url=reverse("mentoring:index"),
            source="mentoring",
        )
        for p in found
    ]
