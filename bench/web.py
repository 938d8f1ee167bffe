"""Pages at 100, 1,000 and 10,000 people: latency and SQL queries per request, side by side.

For each size it builds an organisation on its own PostgreSQL database (`cultivate_bench` on
127.0.0.1:5432, emptied and migrated afresh for every size; never `cultivate` or its test
database): a head, directors, managers with teams of 8, the skill catalog assessed for everyone
(reviews with history and self-ratings), evidence, review requests, mentorships with sessions,
feedback notes and requests, learning time, learning-path enrolments and three labs with
submissions. The first team is the same at every size, so what each page shows stays the same:
a team, or one page of a list.

Then, with Django's test client in-process, signed in as that team's manager (and as staff for
the whole-organisation lists), it requests each page and its API counterpart N times, round
robin after a warm-up, and records the wall-clock time (p50, p95) and the number of SQL
queries of every request. The last table compares each size with the first: a query count that
grows with the organisation (an N+1, a list not paginated) shows as a ratio above 1.

Run: `.venv/bin/python bench/web.py [--sizes 100,1000,10000] [--requests 30] [--explain]`.
`--explain` prints, for the largest size, the plan (EXPLAIN ANALYZE) of each page's slowest
queries, trimmed to the lines that matter (scans, joins, times). Results go in bench/README.md.
"""

import argparse
import gc
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import common

# The benchmark's own database, whatever the environment says: it is dropped for every size.
BENCH_DATABASE = "cultivate_bench"
common.django_setup(BENCH_DATABASE)

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.models import CareerStage, Person, Team  # noqa: E402
from core.skills.models import (  # noqa: E402
    Assessment,
    Evidence,
    EvidenceKind,
    ReviewRequest,
    Skill,
    SkillTarget,
)
from curriculum.models import Enrolment  # noqa: E402
from curriculum.services import paths_load  # noqa: E402
from labs.format import load_lab  # noqa: E402
from labs.format.release import answers_digest  # noqa: E402
from labs.models import Submission, SubmissionStatus  # noqa: E402
from labs.services import lab_store  # noqa: E402
from mentoring.models import (  # noqa: E402
    FeedbackNote,
    FeedbackRequest,
    LearningEntry,
    MentorProfile,
    Mentorship,
    Session,
)

TEAM_SIZE = 8  # reports per manager
MANAGERS_PER_DIRECTOR = 8
BATCH = 5000
LABS = ("data-drift", "evaluating-classifiers", "telemetry")  # the first is the gradebook's
LAB_TAKERS = (0.9, 0.5, 0.25)  # the share of people who submitted each lab
SEARCH = "senior"  # a title word: a full first page of results at every size

FIRST = (
    "Maya", "Tomás", "Inès", "Kenji", "Priya", "Lars", "Amara", "Ben", "Sofia", "Noah", "Léa",
    "Omar", "Hana", "Diego", "Grace", "Yusuf", "Aiko", "Mateo", "Zara", "Felix", "Nadia", "Ravi",
    "Elena", "Jonas", "Chloé", "Kwame", "Lin", "Oskar", "Farah", "Iris",
)  # fmt: skip
LAST = (
    "Okafor", "Silva", "Moreau", "Watanabe", "Raman", "Berg", "Nwosu", "Carter", "Rossi",
    "Fischer", "Dubois", "Haddad", "Kim", "Luna", "Lee", "Demir", "Novak", "Costa", "Schmidt",
    "Ahmed", "Larsen", "Mensah", "Tanaka", "Garcia", "Ivanova", "Byrne", "Sato", "Weber",
    "Kowalski", "Nakamura",
)  # fmt: skip
# An engineer's career stage by their place in the team.
ENGINEER_STAGES = (
    CareerStage.EARLY_CAREER,
    CareerStage.SENIOR,
    CareerStage.EARLY_CAREER,
    CareerStage.SENIOR,
    CareerStage.EARLY_CAREER,
    CareerStage.STAFF,
    CareerStage.EARLY_CAREER,
    CareerStage.SENIOR,
)
ROLE_TITLES = {
    "staff": "Platform administrator",
    "head": "VP of Machine Learning",
    "director": "Director of ML Engineering",
    "manager": "Engineering Manager",
}
ENGINEER_TITLES = {
    CareerStage.EARLY_CAREER: "ML Engineer",
    CareerStage.SENIOR: "Senior ML Engineer",
    CareerStage.STAFF: "Staff ML Engineer",
}


# --- The database -------------------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY rows into the model's table: several times faster than bulk_create for big tables."""
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


# --- The organisation ---------------------------------------------------------------------------


@dataclass(eq=False)
class Member:
    """One person of the generated organisation, before and after it is stored."""

    index: int
    role: str  # head, director, manager, engineer, staff
    stage: str
    boss: "Member | None" = None
    team_key: str = ""
    position: int = 0  # place among the boss's reports
    person: Person | None = None
    reports: list["Member"] = field(default_factory=list)


def org_shape(size: int) -> list[Member]:
    """A head, then directors with 8 managers each and managers with 8 engineers each, filled
    in that order until there are `size` people (the staff account included)."""
    members = [Member(0, "staff", CareerStage.STAFF, team_key="platform")]
    head = Member(1, "head", CareerStage.PRINCIPAL, team_key="engineering")
    members.append(head)

    def add(role: str, stage: str, boss: Member, team_key: str) -> Member | None:
        if len(members) >= size:
            return None
        member = Member(len(members), role, stage, boss, team_key, position=len(boss.reports))
        boss.reports.append(member)
        members.append(member)
        return member

    groups = teams = 0
    while len(members) < size:
        director = add("director", CareerStage.PRINCIPAL, head, f"group-{groups}")
        groups += 1
        for _ in range(MANAGERS_PER_DIRECTOR):
            manager = add("manager", CareerStage.STAFF, director, f"team-{teams}")
            teams += 1
            if manager is None:
                break
            for place in range(TEAM_SIZE):
                if add("engineer", ENGINEER_STAGES[place], manager, manager.team_key) is None:
                    break
    return members


def create_people(members: list[Member]) -> None:
    """Teams (a director's group holds their managers' teams), users and people."""
    teams = {
        "platform": Team(name="Platform", slug="platform"),
        "engineering": Team(name="Engineering", slug="engineering"),
    }
    Team.objects.bulk_create(teams.values())
    for level, name in (("director", "Group"), ("manager", "Team")):
        made = []
        for i, m in enumerate(m for m in members if m.role == level):
            parent = teams[m.boss.team_key]
            teams[m.team_key] = Team(name=f"{name} {i + 1}", slug=m.team_key, parent=parent)
            made.append(teams[m.team_key])
        Team.objects.bulk_create(made, batch_size=BATCH)

    password = make_password(None)  # unusable: the bench signs people in with force_login
    users = [
        get_user_model()(
            username=f"{FIRST[m.index % 30]}.{LAST[(m.index // 30) % 30]}.{m.index}".lower(),
            first_name=FIRST[m.index % 30],
            last_name=LAST[(m.index // 30) % 30],
            email=f"person{m.index}@example.com",
            password=password,
            is_staff=m.role == "staff",
            is_superuser=m.role == "staff",
        )
        for m in members
    ]
    get_user_model().objects.bulk_create(users, batch_size=BATCH)
    TOTP.activate(users[0], generate_totp_secret())  # staff must use two-factor authentication
    # Level by level, so that every manager is stored before their reports.
    for role in ("staff", "head", "director", "manager", "engineer"):
        level = [m for m in members if m.role == role]
        for m in level:
            m.person = Person(
                user=users[m.index],
                team=teams[m.team_key],
                manager=m.boss.person if m.boss else None,
                career_stage=m.stage,
                title=ROLE_TITLES.get(m.role) or ENGINEER_TITLES[m.stage],
                timezone="Europe/Berlin",
                joined_on=date(2022, 1, 1) + timedelta(days=m.index % 1000),
                bio=f"Works on {'data pipelines' if m.index % 2 else 'model evaluation'}.",
            )
        Person.objects.bulk_create([m.person for m in level], batch_size=BATCH)


def create_skills(members: list[Member], now) -> None:
    """Per person and active skill: a reviewer's level (a third with an earlier review too) and
    a self-rating; evidence and open review requests for some."""
    skills = list(Skill.objects.active())
    targets = {
        (stage, skill_id): level
        for stage, skill_id, level in SkillTarget.objects.values_list(
            "career_stage", "skill_id", "level"
        )
    }

    def rows():
        for m in members[1:]:
            rng = random.Random(m.index)
            pk = m.person.pk
            reviewer = m.boss.person.pk if m.boss else None
            for skill in skills:
                target = targets.get((m.stage, skill.pk), 2)
                level = min(4, max(0, target + rng.choice((-2, -1, 0, 0, 0, 1))))
                reviewed = now - timedelta(days=rng.randrange(5, 120))
                if reviewer and rng.random() < 1 / 3:
                    earlier = max(0, level - 1)
                    yield (
                        pk,
                        skill.pk,
                        reviewer,
                        "manager",
                        earlier,
                        "",
                        reviewed - timedelta(days=180),
                    )
                if reviewer:
                    yield (pk, skill.pk, reviewer, "manager", level, "Seen in reviews.", reviewed)
                own = min(4, max(0, level + rng.choice((-1, 0, 0, 1))))
                yield (pk, skill.pk, pk, "self", own, "", reviewed - timedelta(days=3))

    columns = ["subject_id", "skill_id", "assessor_id", "assessor_role", "level", "note"]
    copy_rows(Assessment, [*columns, "created_at"], rows())

    engineers = [m for m in members if m.role == "engineer"]
    Evidence.objects.bulk_create(
        (
            Evidence(
                person=m.person,
                skill=skills[(m.index + k) % len(skills)],
                kind=EvidenceKind.EXTERNAL_LINK,
                title=f"Design doc {m.index}-{k}",
                url=f"https://example.com/docs/{m.index}-{k}",
                source=f"bench:{m.index}:{k}",
                created_at=now - timedelta(days=(m.index + k) % 200),
            )
            for m in engineers
            for k in range(2)
        ),
        batch_size=BATCH,
    )
    ReviewRequest.objects.bulk_create(
        (
            ReviewRequest(
                requester=m.person,
                reviewer=m.boss.person,
                skill=skills[m.index % len(skills)],
                message="Could you look at this one?",
            )
            for m in engineers
            if m.position in (0, 4)
        ),
        batch_size=BATCH,
    )


def create_mentoring(members: list[Member], now) -> None:
    """Mentors among seniors; a third of the early-career engineers mentored by a senior of
    the next team; the first manager mentors someone outside their team (what mentors see
    widens what they may open). Feedback from managers and peers; learning time."""
    engineers = [m for m in members if m.role == "engineer"]
    mentors = [m for m in engineers if m.stage in (CareerStage.SENIOR, CareerStage.STAFF)]
    MentorProfile.objects.bulk_create(
        (MentorProfile(person=m.person, open_to_mentoring=True, capacity=2) for m in mentors),
        batch_size=BATCH,
    )
    place = {m.index: i for i, m in enumerate(mentors)}
    pairs = []
    for i, mentee in enumerate(m for m in engineers if m.stage == CareerStage.EARLY_CAREER):
        senior = _first_senior_of(mentee.boss)
        if i % 3 == 0 and senior is not None and len(mentors) > TEAM_SIZE:
            # The first senior of the next team: never someone of the mentee's own team.
            mentor = mentors[(place[senior.index] + 4) % len(mentors)]
            pairs.append((mentor.person, mentee.person))
    first_manager = next(m for m in members if m.role == "manager")
    outside = [m for m in engineers if m.boss is not first_manager]
    if outside:
        pairs.append((first_manager.person, outside[0].person))
    mentorships = Mentorship.objects.bulk_create(
        (
            Mentorship(
                mentor=mentor,
                mentee=mentee,
                proposed_by=mentee,
                status=Mentorship.Status.ACTIVE,
                goals="Grow in evaluation and data management.",
                start_date=(now - timedelta(days=90)).date(),
                mentor_accepted_at=now - timedelta(days=90),
                mentee_accepted_at=now - timedelta(days=90),
                created_at=now - timedelta(days=91),
            )
            for mentor, mentee in pairs
        ),
        batch_size=BATCH,
    )
    Session.objects.bulk_create(
        (
            Session(
                mentorship=mentorship,
                date=(now - timedelta(days=days)).date(),
                agenda="Goals, then the last lab.",
                created_by=mentorship.mentor,
            )
            for mentorship in mentorships
            for days in (40, 12)
        ),
        batch_size=BATCH,
    )

    notes = []
    for m in members[2:]:
        if m.boss is not None:
            notes.append(
                FeedbackNote(
                    author=m.boss.person,
                    recipient=m.person,
                    category="collaboration",
                    kind="praise",
                    body="Clear write-up of the evaluation results.",
                    visibility="with_managers",
                    acknowledged_at=now - timedelta(days=5) if m.index % 2 else None,
                    created_at=now - timedelta(days=m.index % 60),
                )
            )
        if m.role == "engineer" and len(m.boss.reports) > 1:
            peer = m.boss.reports[(m.position + 1) % len(m.boss.reports)]
            notes.append(
                FeedbackNote(
                    author=peer.person,
                    recipient=m.person,
                    category="coding",
                    kind="constructive",
                    body="Smaller pull requests would be easier to review.",
                    visibility="private",
                    created_at=now - timedelta(days=m.index % 45),
                )
            )
    FeedbackNote.objects.bulk_create(notes, batch_size=BATCH)
    FeedbackRequest.objects.bulk_create(
        (
            FeedbackRequest(requester=m.person, asked=m.boss.person, about="My last design doc")
            for m in engineers
            if m.position == 2
        ),
        batch_size=BATCH,
    )
    LearningEntry.objects.bulk_create(
        (
            LearningEntry(
                person=m.person,
                date=(now - timedelta(days=7 * week + m.index % 5)).date(),
                minutes=30 + (m.index * 7 + week * 13) % 150,
                what="Worked through a lab",
            )
            for m in engineers
            for week in range(3)
        ),
        batch_size=BATCH,
    )


def _first_senior_of(manager: Member) -> Member | None:
    seniors = [r for r in manager.reports if r.stage in (CareerStage.SENIOR, CareerStage.STAFF)]
    return seniors[0] if seniors else None


def create_labs(members: list[Member], now) -> str:
    """Three shipped labs (stored without running them: no sandbox is needed to read grades),
    each submitted by a share of the people, one to three attempts, the last mostly passing."""
    learners = [m for m in members if m.role in ("engineer", "manager")]
    digest = answers_digest({})
    submissions = []
    for lab_number, (slug, share) in enumerate(zip(LABS, LAB_TAKERS, strict=True)):
        spec = load_lab(common.ROOT / "curriculum" / "labs" / slug)
        version = lab_store(spec=spec, report={"ok": True})
        top = version.get_spec().max_score
        for m in learners:
            rng = random.Random(m.index * 10 + lab_number)
            # By place in the team, so that the first team is the same at every size.
            if (m.position * 0.37 + lab_number * 0.21) % 1 >= share:
                continue
            attempts = rng.choice((1, 1, 2, 3))
            for attempt in range(1, attempts + 1):
                last = attempt == attempts
                status = SubmissionStatus.GRADED
                if last and rng.random() < 0.1:
                    status = rng.choice((SubmissionStatus.NEEDS_REVIEW, SubmissionStatus.FAILED))
                score = top * (rng.uniform(0.7, 1.0) if last else rng.uniform(0.1, 0.6))
                graded_at = now - timedelta(days=30 - 7 * attempt, hours=rng.randrange(24))
                submissions.append(
                    Submission(
                        lab=version.lab,
                        version=version,
                        graded_version=version,
                        person=m.person,
                        attempt=attempt,
                        status=status,
                        answers={},
                        answers_digest=digest,
                        score=None if status == SubmissionStatus.FAILED else round(score, 1),
                        max_score=top,
                        times_graded=1,
                        graded_at=graded_at,
                        started_at=graded_at - timedelta(seconds=20),
                    )
                )
    Submission.objects.bulk_create(submissions, batch_size=BATCH)
    # created_at is auto_now_add: put each attempt a little before its grading.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE labs_submission SET created_at = started_at - interval '1 minute'")
    return LABS[0]


def create_enrolments(members: list[Member]) -> None:
    paths = {path.slug: path for path in paths_load()}
    chosen = {
        CareerStage.EARLY_CAREER: "foundations",
        CareerStage.SENIOR: "production-ml",
        CareerStage.STAFF: "production-ml",
    }
    enrolments = []
    for m in members[1:]:
        slug = "leading-ml-teams" if m.role in ("manager", "director") else chosen.get(m.stage)
        if slug in paths:
            by = m.boss.person if m.stage == CareerStage.EARLY_CAREER and m.boss else m.person
            enrolments.append(Enrolment(person=m.person, path=paths[slug], enrolled_by=by))
    Enrolment.objects.bulk_create(enrolments, batch_size=BATCH)


@dataclass
class Org:
    manager: Person
    report: Person
    staff: Person
    lab: str
    seconds: float
    rows: int


def generate(size: int) -> Org:
    started = time.perf_counter()
    now = timezone.now()
    members = org_shape(size)
    create_people(members)
    create_skills(members, now)
    create_mentoring(members, now)
    lab = create_labs(members, now)
    create_enrolments(members)
    with connection.cursor() as cursor:
        # What autovacuum does to freshly loaded tables before long: statistics for the
        # planner, and the visibility map that lets it answer from an index alone.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")  # the load written out now, not while pages are measured
    rows = sum(model._base_manager.count() for model in apps.get_models(include_auto_created=True))
    manager = next(m for m in members if m.role == "manager")
    gc.collect()  # the generator's garbage, collected before the first request rather than during
    return Org(
        manager=manager.person,
        report=manager.reports[0].person,
        staff=members[0].person,
        lab=lab,
        seconds=time.perf_counter() - started,
        rows=rows,
    )


# --- Measuring ----------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    who: str  # manager or staff
    url: str
    times: list[float] = field(default_factory=list)
    sql_times: list[float] = field(default_factory=list)
    queries: set[int] = field(default_factory=set)
    size: int = 0  # bytes of the last response
    captured: list[dict] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def sql_p50(self) -> float:
        return statistics.median(self.sql_times)

    @property
    def p95(self) -> float:
        return common.percentile(self.times, 0.95)

    @property
    def query_count(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


def pages_for(org: Org) -> list[Page]:
    report, lab = org.report.pk, org.lab
    return [
        Page("team heatmap", "manager", reverse("skills:heatmap")),
        Page("team heatmap API", "manager", reverse("api:skill-heatmap")),
        Page("manager home", "manager", reverse("home")),
        Page("manager's reports", "manager", reverse("my-reports")),
        Page("person page", "manager", reverse("person-detail", args=[report])),
        Page("person API", "manager", reverse("api:person-detail", args=[report])),
        Page("person's skill matrix", "manager", reverse("skills:person", args=[report])),
        Page("person's skills API", "manager", reverse("api:person-skills", args=[report])),
        Page("gradebook (the team)", "manager", reverse("labs:gradebook", args=[lab])),
        Page("gradebook API (the team)", "manager", reverse("api:lab-gradebook", args=[lab])),
        Page("gradebook (page 1 of all)", "staff", reverse("labs:gradebook", args=[lab])),
        Page("gradebook API (page 1 of all)", "staff", reverse("api:lab-gradebook", args=[lab])),
        Page("people directory", "manager", reverse("people-directory")),
        Page("people directory, search", "manager", f"{reverse('people-directory')}?q={SEARCH}"),
        Page("people API (page 1 of all)", "staff", reverse("api:person-list")),
    ]


class SQLTimer:
    """Time spent in the database driver's execute, to the microsecond (Django's query log
    rounds each query to the millisecond)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def request(client: Client, page: Page) -> None:
    reset_queries()  # DEBUG keeps the last 9,000 queries: a full log would count none
    timer = SQLTimer()
    with CaptureQueriesContext(connection) as context, connection.execute_wrapper(timer):
        started = time.perf_counter()
        response = client.get(page.url)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{page.name} ({page.who}): {page.url} answered {response.status_code}")
    page.times.append(elapsed)
    page.size = len(response.content)
    page.sql_times.append(timer.seconds)
    page.queries.add(len(context.captured_queries))
    page.captured = context.captured_queries


def measure(org: Org, requests: int, warmup: int = 3) -> list[Page]:
    clients = {"manager": Client(HTTP_HOST="localhost"), "staff": Client(HTTP_HOST="localhost")}
    clients["manager"].force_login(org.manager.user)
    clients["staff"].force_login(org.staff.user)
    pages = pages_for(org)
    for _ in range(warmup):
        for page in pages:
            request(clients[page.who], page)
    for page in pages:
        page.times.clear()
        page.sql_times.clear()
    for _ in range(requests):  # round robin: a slow moment of the machine hits every page
        for page in pages:
            request(clients[page.who], page)
    return pages


# --- Plans --------------------------------------------------------------------------------------

PLAN_WORDS = ("Scan", "Join", "Loop", "Sort", "Aggregate", "Limit", "Execution Time", "CTE")


def explain(pages: list[Page], slowest: int = 2) -> None:
    """The plan of each page's slowest queries (of its last request), key lines only."""
    for page in pages:
        print(f"\n### {page.name} ({page.who})")
        selects = [q for q in page.captured if q["sql"].startswith(("SELECT", "WITH"))]
        queries = sorted(selects, key=lambda q: float(q["time"]), reverse=True)
        for query in queries[:slowest]:
            sql = query["sql"]
            print(f"\n{query['time']} s: {sql[:160]}{'…' if len(sql) > 160 else ''}")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
                lines = [row[0] for row in cursor.fetchall()]
            for line in lines:
                if any(word in line for word in PLAN_WORDS):
                    print(f"    {line.rstrip()[:150]}")


# --- Output -------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


def print_size(size: int, org: Org, pages: list[Page], requests: int) -> None:
    print(
        f"\n## {size:,} people ({org.rows:,} rows in all, generated in {org.seconds:.0f} s; "
        f"{requests} requests a page)\n"
    )
    print("| page | as | queries | p50 (ms) | p95 (ms) | in SQL, p50 (ms) | HTML/JSON (kB) |")
    print("|---|---|---|---|---|---|---|")
    for page in pages:
        print(
            f"| {page.name} | {page.who} | {page.query_count} | {ms(page.p50)} | {ms(page.p95)} "
            f"| {ms(page.sql_p50)} | {page.size / 1000:.0f} |"
        )


def print_comparison(results: dict[int, list[Page]]) -> None:
    """Queries, p50 and p95 of every size as ratios to the first size's."""
    sizes = list(results)
    base = sizes[0]
    print(f"\n## Side by side: each size as a ratio to {base:,} people\n")
    heads = " | ".join(f"queries ×{s:,} | p50 ×{s:,} | p95 ×{s:,}" for s in sizes[1:])
    print(f"| page | as | queries at {base:,} | p50 at {base:,} (ms) | {heads} |")
    print("|---|---|---|---|" + "---|---|---|" * (len(sizes) - 1))
    for i, page in enumerate(results[base]):
        ratios = " | ".join(
            f"{max(p.queries) / max(page.queries):.2f} | {p.p50 / page.p50:.2f} "
            f"| {p.p95 / page.p95:.2f}"
            for p in (results[s][i] for s in sizes[1:])
        )
        print(f"| {page.name} | {page.who} | {page.query_count} | {ms(page.p50)} | {ratios} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="people, comma-separated")
    parser.add_argument("--requests", type=int, default=30, help="requests per page and size")
    parser.add_argument("--explain", action="store_true", help="plans at the largest size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, list[Page]] = {}
    for size in sizes:
        common.fresh_database(BENCH_DATABASE)
        org = generate(size)
        results[size] = measure(org, args.requests)
        print_size(size, org, results[size], args.requests)
        sys.stdout.flush()
    if len(sizes) > 1:
        print_comparison(results)
    if args.explain:
        print(f"\n## Plans at {sizes[-1]:,} people (EXPLAIN ANALYZE, key lines)")
        explain(results[sizes[-1]])


if __name__ == "__main__":
    main()
