"""Demo mentoring data: seniors open to mentoring, a few active mentorships with a session each,
and some feedback notes. Idempotent: pairs and notes are only made when missing."""

import datetime

from django.utils import timezone

from core.models import Person
from mentoring import selectors, services
from mentoring.models import FeedbackNote, Mentorship

MENTORS = {"priya": 2, "lars": 2, "sofia": 2, "noah": 1, "diego": 2}

# mentor, mentee, cadence, goals, days since the last session, action items
PAIRS = [
    (
        "priya",
        "omar",
        "fortnightly",
        "Own a training pipeline end to end.",
        5,
        ["Read the feature store runbook", "Pair on the next retraining job"],
    ),
    (
        "sofia",
        "ben",
        "weekly",
        "Design an evaluation for an LLM feature.",
        20,
        ["Draft three evaluation criteria"],
    ),
    ("diego", "lea", "monthly", "Track data lineage for the search index.", 10, []),
]

# author, recipient, category, kind, visibility, body
NOTES = [
    (
        "tomas",
        "amara",
        "coding",
        "praise",
        "with_managers",
        "Your **drift check** caught the broken join before it reached training. Great catch.",
    ),
    (
        "priya",
        "omar",
        "collaboration",
        "constructive",
        "private",
        "In design reviews, share the doc a day earlier so others can prepare.",
    ),
    (
        "kenji",
        "grace",
        "prioritisation",
        "constructive",
        "managers_only",
        "Grace takes on too much at once; let's help her say no to side requests.",
    ),
]


def seed_mentoring(*, stdout=None) -> None:
    people = {p.user.username: p for p in Person.objects.select_related("user")}
    for username, capacity in MENTORS.items():
        person = people[username]
        skills = list(selectors.offerable_skills(person=person))
        services.mentor_profile_update(
            person=person, open_to_mentoring=True, capacity=capacity, skills=skills
        )
    for mentor, mentee, cadence, goals, days_ago, items in PAIRS:
        _pair(people, mentor, mentee, cadence, goals, days_ago, items)
    for author, recipient, category, kind, visibility, body in NOTES:
        if not FeedbackNote.objects.filter(
            author=people[author], recipient=people[recipient]
        ).exists():
            services.feedback_note_create(
                author=people[author],
                recipient=people[recipient],
                category=category,
                kind=kind,
                visibility=visibility,
                body=body,
            )
    if stdout is not None:
        stdout.write("Mentoring: mentors, mentorships, sessions and feedback notes are ready.\n")


def _pair(people, mentor, mentee, cadence, goals, days_ago, items) -> None:
    mentor, mentee = people[mentor], people[mentee]
    if Mentorship.objects.filter(mentor=mentor, mentee=mentee).exists():
        return
    mentorship = services.mentorship_propose(
        proposed_by=people["maya"], mentor=mentor, mentee=mentee, cadence=cadence, goals=goals
    )
    services.mentorship_respond(mentorship_id=mentorship.pk, person=mentor, accept=True)
    services.mentorship_respond(mentorship_id=mentorship.pk, person=mentee, accept=True)
    mentorship.refresh_from_db()
    services.session_create(
        mentorship=mentorship,
        author=mentor,
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        agenda="- Where are you now?\n- What is blocking you?",
        notes="We agreed on the goals and the first steps.",
        action_items=items,
    )
