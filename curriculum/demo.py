"""Demo learning paths: the shipped path files loaded, and the demo people enrolled in the path
for where they are: early-career engineers in Foundations (enrolled by their manager), seniors
in Production ML in practice and managers in Leading ML teams (by themselves); and some lab work
(attempts, a grade waiting for a sign-off, a grading that failed, a problem report). Idempotent."""

import datetime

from django.utils import timezone

from core.models import CareerStage, Person
from core.skills.models import Skill
from curriculum.models import Enrolment
from curriculum.services import enrolment_create, paths_load
from labs.judge import Verdict
from labs.models import Lab, LabProblemReport, Submission, SubmissionStatus
from labs.ratings import problem_report
from labs.services import keep_run, submission_record_evidence, total_points

FOUNDATIONS, PRODUCTION, LEADING = "foundations", "production-ml", "leading-ml-teams"


def seed_paths(*, stdout=None) -> None:
    if not Skill.objects.exists():  # a database emptied by hand (or a test flush): no catalog
        if stdout is not None:
            stdout.write("Learning paths: not loaded, the skill catalog is empty.\n")
        return
    paths = {path.slug: path for path in paths_load()}
    people = Person.objects.filter(user__is_active=True, user__is_staff=False).select_related(
        "user", "manager__user"
    )
    managers = set(Person.objects.filter(reports__isnull=False).values_list("pk", flat=True))
    enrolled = set(Enrolment.objects.values_list("person_id", "path__slug"))
    made = 0
    for person in people:
        for slug, by in _paths_of(person, managers):
            if slug in paths and (person.pk, slug) not in enrolled:
                enrolment_create(person=person, path=paths[slug], enrolled_by=by)
                made += 1
    if stdout is not None:
        stdout.write(f"Learning paths: {len(paths)} loaded, {made} new enrolments.\n")


def _paths_of(person: Person, managers: set[int]) -> list[tuple[str, Person]]:
    """(path slug, who enrols them) for one demo person."""
    found = []
    if person.career_stage == CareerStage.EARLY_CAREER:
        found.append((FOUNDATIONS, person.manager or person))
    if person.career_stage == CareerStage.SENIOR:
        found.append((PRODUCTION, person))
    if person.pk in managers:
        found.append((LEADING, person))
    return found


# The demo's lab work, so that homes and gradebooks have something to show: person, lab,
# outcomes of their attempts, oldest first ("passed", "not_passed", "flagged": a grade waiting
# for a reviewer's sign-off, "failed": the grader could not run the notebook).
LAB_WORK = [
    ("amara", "data-drift", ["passed"]),
    ("amara", "evaluating-classifiers", ["not_passed", "not_passed"]),
    ("omar", "training-pipelines", ["flagged"]),
    ("ben", "evaluating-llm-answers", ["flagged"]),
    ("priya", "data-drift", ["passed"]),
    ("lars", "data-pipelines", ["passed"]),
    ("hana", "privacy-security", ["not_passed", "passed"]),
    ("grace", "ds-process", ["not_passed"]),
    ("lea", "human-in-the-loop", ["failed"]),
]

# person, lab, what they found
PROBLEMS = [
    (
        "grace",
        "ds-process",
        "The cross-validation test expects the AUC rounded to three places, but the task does "
        "not say so.",
    ),
]


def seed_lab_work(*, stdout=None) -> None:
    """Lab attempts stored as the grader stores its results, without running the notebooks
    (the demo's people never wrote them); a passing grade becomes evidence, as a real one
    does. A person who has attempted a lab already is left alone."""
    people = {p.user.username: p for p in Person.objects.select_related("user")}
    labs = {lab.slug: lab for lab in Lab.objects.filter(current_version__isnull=False)}
    made = 0
    for username, slug, outcomes in LAB_WORK:
        person, lab = people.get(username), labs.get(slug)
        if person is None or lab is None or lab.submissions.filter(person=person).exists():
            continue
        for attempt, outcome in enumerate(outcomes, start=1):
            _attempt(person, lab, attempt, outcome, hours_ago=3 * (len(outcomes) - attempt) + 2)
            made += 1
    for username, slug, text in PROBLEMS:
        person, lab = people.get(username), labs.get(slug)
        if person and lab and not LabProblemReport.objects.filter(lab=lab, person=person).exists():
            problem_report(lab=lab, person=person, text=text)
    if stdout is not None:
        stdout.write(f"Lab work: {made} new demo attempts.\n")


def _attempt(person: Person, lab: Lab, attempt: int, outcome: str, hours_ago: int) -> None:
    version = lab.current_version
    spec = version.get_spec()
    tests = list(spec.tests)
    passing = {"passed": len(tests), "flagged": len(tests), "not_passed": len(tests) // 2}
    results = [
        Verdict(
            id=test.grade_id or "",
            title=test.display_title,
            max_points=test.points,
            hidden=test.hidden,
            passed=i < passing.get(outcome, 0),
            points=test.points if i < passing.get(outcome, 0) else 0.0,
            message="" if i < passing.get(outcome, 0) else "Not the value the test expected.",
        ).as_dict()
        for i, test in enumerate(tests)
    ]
    graded_at = timezone.now() - datetime.timedelta(hours=hours_ago)
    failed = outcome == "failed"
    submission = Submission.objects.create(
        lab=lab,
        version=version,
        graded_version=version,
        person=person,
        attempt=attempt,
        answers={  # each attempt's code differs: identical code graded twice would compare
            cell.grade_id: {"cell_type": "code", "source": f"# attempt {attempt}"}
            for cell in spec.cells
            if cell.role == "answer" and cell.grade_id
        },
        status={
            "failed": SubmissionStatus.FAILED,
            "flagged": SubmissionStatus.NEEDS_REVIEW,
        }.get(outcome, SubmissionStatus.GRADED),
        score=None if failed else total_points(results),
        max_score=spec.max_score,
        results=[] if failed else results,
        flags=["tamper_suspected"] if outcome == "flagged" else [],
        error="The notebook's kernel did not start." if failed else "",
        telemetry={
            "sandbox": "demo",
            "queue_seconds": 1.5 + attempt,
            "seconds": 0.0 if failed else 6.0 + attempt,
            "limits_hit": [],
            "ended": "not_started" if failed else "finished",
            "worker": "demo",
        },
        graded_at=graded_at,
        times_graded=1,
    )
    keep_run(submission)
    if outcome == "passed":
        submission_record_evidence(submission=submission)
