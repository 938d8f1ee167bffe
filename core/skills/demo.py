"""Demo skill data: assessments with some history, evidence and a few open review requests, so
that the radar, the heatmap and the coverage view are worth looking at. Idempotent: a person
who already has assessments is left alone, evidence has a source, requests are made once.

Levels are spread around each person's career-stage target by a hash of their name and the
skill, so every run (and every machine) builds the same organisation.
"""

import hashlib
from datetime import timedelta

from django.utils import timezone

from core import demo
from core.models import Person
from core.skills.models import Assessment, EvidenceKind, ReviewRequest, Skill, SkillTarget
from core.skills.services import assessment_create, evidence_record, review_request_create

# How far the reviewer's current level sits from the target, how the self-rating differs from
# it, and how much lower the previous review was (0 = no earlier review of that skill).
CURRENT_OFFSETS = (-2, -1, 0, 0, 0, 1, 1)
SELF_OFFSETS = (-1, 0, 0, 1, 1)
EARLIER_DROPS = (0, 0, 1, 1, 1, 2)

# Skills the demo organisation is thin in (what the coverage view is for): nobody but these
# people is above level 2.
SCARCE = {
    "human-in-the-loop": (),
    "user-feedback-loops": ("sofia",),
    "privacy-security": ("diego",),
}

# skill, kind, title, link
EVIDENCE = [
    (
        "evaluation",
        EvidenceKind.LAB_RESULT,
        "Lab: evaluating LLM answers with repeated sampling",
        "https://example.com/labs/llm-evaluation",
    ),
    (
        "data-management",
        EvidenceKind.LAB_RESULT,
        "Lab: detecting data shift in a feature pipeline",
        "https://example.com/labs/data-shift",
    ),
    (
        "telemetry",
        EvidenceKind.LAB_RESULT,
        "Lab: tracing latency and drift of a served model",
        "https://example.com/labs/model-telemetry",
    ),
    (
        "training-pipelines",
        EvidenceKind.HACKATHON_PROJECT,
        "Hackathon: one-click retraining with lineage",
        "https://example.com/hackathons/2025/retraining",
    ),
    (
        "driving-innovation",
        EvidenceKind.HACKATHON_PROJECT,
        "Hackathon: prompt regression tests in CI",
        "https://example.com/hackathons/2025/prompt-ci",
    ),
    (
        "model-prompt-management",
        EvidenceKind.EXTERNAL_LINK,
        "Design doc: prompt versioning across model updates",
        "https://example.com/docs/prompt-versioning",
    ),
    (
        "mentoring",
        EvidenceKind.FEEDBACK_NOTE,
        "Feedback from a mentee: clear, patient, practical",
        "https://example.com/feedback/mentoring",
    ),
    (
        "human-in-the-loop",
        EvidenceKind.ANSWERED_QUESTION,
        "Answered: when should a human approve a model decision?",
        "https://example.com/questions/human-approval",
    ),
    (
        "testing",
        EvidenceKind.EXTERNAL_LINK,
        "Pull request: property tests for the feature store",
        "https://example.com/code/feature-store-tests",
    ),
    (
        "privacy-security",
        EvidenceKind.ANSWERED_QUESTION,
        "Answered: keeping personal data out of prompts",
        "https://example.com/questions/pii-in-prompts",
    ),
    (
        "code-review",
        EvidenceKind.FEEDBACK_NOTE,
        "Feedback from the team: reviews that teach",
        "https://example.com/feedback/reviews",
    ),
    (
        "user-feedback-loops",
        EvidenceKind.EXTERNAL_LINK,
        "Write-up: turning thumbs-down into an evaluation set",
        "https://example.com/docs/feedback-to-evals",
    ),
]

# requester, reviewer, skill, message
REVIEW_REQUESTS = [
    (
        "amara",
        "tomas",
        "evaluation",
        "I finished the LLM evaluation lab; could you look at my level?",
    ),
    ("ben", "tomas", "testing", "I added property tests to the feature store this sprint."),
    ("lea", "noah", "data-management", "Could we go through the drift dashboard I built?"),
    ("grace", "kenji", "telemetry", "I set up tracing for the ingestion jobs."),
]


def _pick(options: tuple, *parts: str):
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _level(value: int) -> int:
    return max(0, min(4, value))


def seed_skills(*, stdout=None) -> None:
    skills = list(Skill.objects.active())
    if not skills:
        return
    usernames = [row[0] for row in demo.PEOPLE]
    people = {
        person.user.username: person
        for person in Person.objects.filter(user__username__in=usernames).select_related(
            "user", "manager__user"
        )
    }
    admin = Person.objects.filter(user__username=demo.ADMIN[0]).select_related("user").first()
    targets = {
        (stage, skill_id): level
        for stage, skill_id, level in SkillTarget.objects.values_list(
            "career_stage", "skill_id", "level"
        )
    }
    seeded = 0
    for username in usernames:
        person = people.get(username)
        if person is None or Assessment.objects.filter(subject=person).exists():
            continue
        reviewer = person.manager or admin
        for skill in skills:
            target = targets.get((person.career_stage, skill.pk), 1)
            _assess(person, reviewer, skill, target)
        seeded += 1
    by_slug = {skill.slug: skill for skill in skills}
    for index, person in enumerate(people.values()):
        _evidence(person, index, by_slug)
    _review_requests(people)
    if stdout is not None and seeded:
        stdout.write(f"Skills: assessed {seeded} demo people.")


def _assess(person: Person, reviewer: Person | None, skill: Skill, target: int) -> None:
    name = person.user.username
    now = timezone.now()
    current = _level(target + _pick(CURRENT_OFFSETS, name, skill.slug))
    if skill.slug in SCARCE and name not in SCARCE[skill.slug]:
        current = min(current, 2)
    elif skill.slug in SCARCE:
        current = max(current, 3)
    drop = _pick(EARLIER_DROPS, name, skill.slug, "earlier")
    if reviewer is not None:
        if drop:
            assessment_create(
                subject=person,
                skill=skill,
                assessor=reviewer,
                level=_level(current - drop),
                created_at=now - timedelta(days=170),
            )
        assessment_create(
            subject=person,
            skill=skill,
            assessor=reviewer,
            level=current,
            note=f"Seen this quarter: {skill.rubric_for(current).lower()}",
            created_at=now - timedelta(days=25),
        )
    assessment_create(
        subject=person,
        skill=skill,
        assessor=person,
        level=_level(current + _pick(SELF_OFFSETS, name, skill.slug, "self")),
        created_at=now - timedelta(days=30),
    )


def _evidence(person: Person, index: int, skills: dict[str, Skill]) -> None:
    for offset in range(3):
        slug, kind, title, url = EVIDENCE[(index * 3 + offset) % len(EVIDENCE)]
        if slug in skills:
            evidence_record(
                person=person,
                skill=skills[slug],
                kind=kind,
                title=title,
                url=url,
                created_by=None if kind == EvidenceKind.LAB_RESULT else person,
                source=f"demo:{slug}:{offset}",
            )


def _review_requests(people: dict[str, Person]) -> None:
    for requester, reviewer, slug, message in REVIEW_REQUESTS:
        skill = Skill.objects.active().filter(slug=slug).first()
        if requester not in people or reviewer not in people or skill is None:
            continue
        asked = ReviewRequest.objects.filter(
            requester=people[requester], reviewer=people[reviewer], skill=skill
        )
        if not asked.exists():
            review_request_create(
                requester=people[requester],
                reviewer=people[reviewer],
                skill=skill,
                message=message,
                notify=False,  # demo reviewers have no real inbox
            )
