"""Demo mentoring data: seniors open to mentoring, a few active mentorships with a session each,
feedback notes, questions with answers, and learning time. Idempotent: each row is only made
when missing."""

import datetime

from django.utils import timezone

from core.models import Person
from core.skills.models import Skill
from mentoring import selectors, services
from mentoring.models import FeedbackNote, LearningEntry, Mentorship, Question

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
    (
        "lars",
        "amara",
        "fortnightly",
        "Ship a drift monitor whose alerts people trust.",
        8,
        ["Pick an alert threshold from a stable week"],
    ),
]

# The next session each pair has on the calendar, in days from today (a pair without one shows
# when its cadence asks for the next).
PLANNED = {("priya", "omar"): 5, ("sofia", "ben"): 2, ("lars", "amara"): 6}

# author, recipient, category, kind, visibility, body, days ago (the quarters' feedback trend
# on a manager's home needs some history)
NOTES = [
    (
        "tomas",
        "amara",
        "coding",
        "praise",
        "with_managers",
        "Your **drift check** caught the broken join before it reached training. Great catch.",
        0,
    ),
    (
        "priya",
        "omar",
        "collaboration",
        "constructive",
        "private",
        "In design reviews, share the doc a day earlier so others can prepare.",
        0,
    ),
    (
        "kenji",
        "grace",
        "prioritisation",
        "constructive",
        "managers_only",
        "Grace takes on too much at once; let's help her say no to side requests.",
        0,
    ),
    (
        "lars",
        "amara",
        "collaboration",
        "praise",
        "private",
        "Your write-up of the retraining incident was the clearest thing I read this month.",
        3,
    ),
    (
        "tomas",
        "amara",
        "prioritisation",
        "constructive",
        "managers_only",
        "Amara says yes to every review request; worth a word on protecting focus time.",
        12,
    ),
    (
        "ines",
        "hana",
        "coding",
        "praise",
        "with_managers",
        "The privacy checks you added to the assistant's logs are exactly what we needed.",
        75,
    ),
    (
        "sofia",
        "ben",
        "collaboration",
        "praise",
        "with_managers",
        "You explained the evaluation plan to the product team without a single slide. Well done.",
        130,
    ),
    (
        "noah",
        "lea",
        "coding",
        "constructive",
        "with_managers",
        "Split the ranking change into smaller pull requests: reviews will come back faster.",
        200,
    ),
    (
        "kenji",
        "yusuf",
        "coding",
        "praise",
        "with_managers",
        "The backfill script you wrote saved the team a week.",
        290,
    ),
]


# author, anonymous, title, body, skills, answers as (author, body, accepted)
QUESTIONS = [
    (
        "amara",
        False,
        "How big should a validation set be for a drift alert?",
        "Our alert fires every Monday. Is the reference window too small, or the threshold?",
        ["telemetry", "evaluation"],
        [
            (
                "lars",
                "Start from the noise: compute the statistic between two halves of a **stable** "
                "week. If that alone crosses the threshold, the window is too small.",
                True,
            )
        ],
    ),
    (
        "ben",
        True,
        "Is it fine to tune the threshold on the test set if we report it honestly?",
        "I am not sure I understand why everyone says no.",
        ["evaluation", "data-science-process"],
        [
            (
                "sofia",
                "The test set then stops being unseen: the number you report is optimistic. "
                "Tune on validation folds and keep the test set for the last look.",
                False,
            )
        ],
    ),
    (
        "grace",
        False,
        "How do you version a dataset that changes every night?",
        "Copies are too big. What do you fingerprint?",
        ["data-management"],
        [],
    ),
    (
        "lea",
        False,
        "What should go in a prompt registry entry?",
        "",
        ["model-prompt-management"],
        [],
    ),
]

# person, days ago, minutes, what, skill
LEARNING = [
    ("amara", 0, 25, "Notes on alert thresholds", "telemetry"),
    ("amara", 1, 45, "Data drift lab", "telemetry"),
    ("amara", 3, 30, "Read about PSI thresholds", "telemetry"),
    ("amara", 9, 60, "Evaluating classifiers lab", "evaluation"),
    ("ben", 2, 90, "Paired bootstrap for model comparisons", "evaluation"),
    ("omar", 4, 50, "Feature store runbook", "training-pipelines"),
    ("lea", 1, 40, "Search relevance metrics", "evaluation"),
    ("grace", 6, 30, "Dataset fingerprints", "data-management"),
    ("hana", 2, 120, "Privacy and security lab", "privacy-security"),
    ("priya", 5, 60, "Reviewed a mentee's pipeline design", "mentoring"),
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
    for author, recipient, category, kind, visibility, body, days_ago in NOTES:
        _note(people[author], people[recipient], category, kind, visibility, body, days_ago)
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    for author, anonymous, title, body, tags, answers in QUESTIONS:
        _question(people, skills, author, anonymous, title, body, tags, answers)
    today = timezone.localdate()
    for username, days_ago, minutes, what, skill in LEARNING:
        date = today - datetime.timedelta(days=days_ago)
        if not LearningEntry.objects.filter(person=people[username], date=date, what=what):
            services.learning_entry_create(
                person=people[username],
                date=date,
                minutes=minutes,
                what=what,
                skill=skills.get(skill),  # a database without the catalog has none
            )
    if stdout is not None:
        stdout.write(
            "Mentoring: mentors, mentorships, sessions, feedback notes, questions and learning "
            "time are ready.\n"
        )


def _note(author, recipient, category, kind, visibility, body, days_ago) -> None:
    if FeedbackNote.objects.filter(author=author, recipient=recipient, body=body).exists():
        return
    note = services.feedback_note_create(
        author=author,
        recipient=recipient,
        category=category,
        kind=kind,
        visibility=visibility,
        body=body,
    )
    if days_ago:  # written earlier: the demo has a history (the service stamps "now")
        FeedbackNote.objects.filter(pk=note.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )


def _question(people, skills, author, anonymous, title, body, tags, answers) -> None:
    if Question.objects.filter(author=people[author], title=title).exists():
        return
    question = services.question_create(
        author=people[author],
        title=title,
        body=body,
        skills=[skills[slug] for slug in tags if slug in skills],
        anonymous=anonymous,
    )
    for answerer, text, accepted in answers:
        answer = services.answer_create(question=question, author=people[answerer], body=text)
        if accepted and services.MENTORING_SKILL_SLUG in skills:  # accepting is evidence
            services.answer_accept(question=question, answer=answer, person=people[author])


def _pair(people, mentor, mentee, cadence, goals, days_ago, items) -> None:
    planned = PLANNED.get((mentor, mentee))
    mentor, mentee = people[mentor], people[mentee]
    existing = Mentorship.objects.filter(mentor=mentor, mentee=mentee).first()
    if existing is not None:
        _plan(existing, mentor, planned)
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
    _plan(mentorship, mentor, planned)


def _plan(mentorship, mentor, days_ahead: int | None) -> None:
    """The next session on the calendar, unless one is there already (or the pair ended)."""
    today = timezone.localdate()
    if days_ahead is None or mentorship.status != Mentorship.Status.ACTIVE:
        return
    if mentorship.sessions.filter(date__gt=today).exists():
        return
    services.session_create(
        mentorship=mentorship,
        author=mentor,
        date=today + datetime.timedelta(days=days_ahead),
        agenda="- What did you try since last time?\n- What should we look at together?",
    )
