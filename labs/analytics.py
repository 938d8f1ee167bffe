"""Lab analytics and grading health, for curriculum authors and operators (staff; issue 12).

Read-only. A lab's figures come from a fixed number of queries whatever the number of
submissions: the lab's submissions are streamed once, only the columns the figures need, and
folded as they arrive; the gradings compared for flaky tests are streamed in order of the code
they graded, so that one group of identical code is in memory at a time. Grading health counts
in the database, by hour.

What the figures mean:
- A test's pass rate: among the lab's graded submissions (graded or waiting for a sign-off, on
  any version) whose results include the test, the share in which it passed. A submission
  counts with its current grade.
- The score distribution: those submissions' percent of the points, in ten bins of 10 points
  (0–10 … 90–100, 100 in the last).
- Time to complete: per learner, from their first submission to the first final grade that
  reached the passing score of the version that graded it (the gradebook's "time to pass");
  the median over the learners who passed.
- Queue wait and execution time: medians over first gradings (a regrade's wait would count
  from the original submission).
- A flaky test: within one group of gradings of identical code (the same answers digest)
  against the same version, it passed in one grading and failed in another. Gradings that
  could not run (failed, or whose kernel never started) are left out.
"""

import heapq
import itertools
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Count, F, FloatField, IntegerField, Min, Q, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncHour
from django.utils import timezone
from django.utils.timesince import timesince

from labs.models import GradingRun, Lab, Submission, SubmissionStatus
from labs.selectors import grade_passes, percent_of
from labs.spec import readable_id

GRADED_STATUSES = (SubmissionStatus.GRADED, SubmissionStatus.NEEDS_REVIEW)
BINS = 10
TOP_FAILURES = 5
RECENT_LIMIT_HITS = 20
FLAKY_EXAMPLES = 3  # submissions linked per flaky test
HEALTH_HOURS = 24
CHUNK = 500  # rows fetched from the database at a time

# What the grader writes in telemetry["limits_hit"] and ["ended"] (labs.services), in words.
LIMIT_WORDS = {
    "cell_timeout": "a cell ran out of time",
    "deadline": "the notebook ran out of time",
    "output": "output over the cap",
    "sealed_output": "checked values over the cap",
}
ENDED_WORDS = {
    "finished": "finished",
    "died": "the kernel died",
    "timed_out": "timed out",
    "not_started": "the kernel did not start",
}
# A grading that produced no grade: the grader gave up, or the kernel never came up. A kernel
# that died or ran out of time still gives the learner a grade (their code's doing).
FAILED_RUN = Q(status=SubmissionStatus.FAILED) | Q(telemetry__ended="not_started")


# --- A lab ------------------------------------------------------------------------------------


@dataclass
class TestStats:
    """One test of the lab's current version, over the graded submissions that ran it."""

    grade_id: str
    title: str
    points: float
    hidden: bool
    attempts: int = 0
    passed: int = 0

    @property
    def pass_rate(self) -> float | None:
        return _share(self.passed, self.attempts)


@dataclass(frozen=True)
class ScoreBin:
    low: int  # percent
    high: int
    count: int
    total: int  # graded submissions with a score

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}%"

    @property
    def share(self) -> float | None:
        return _share(self.count, self.total)


@dataclass(frozen=True)
class FailureMessage:
    grade_id: str
    title: str
    message: str
    count: int


@dataclass(frozen=True)
class LimitHit:
    """A submission whose (latest) grading hit a limit or did not finish normally."""

    submission: Submission  # with person__user
    limits: tuple[str, ...]  # keys of LIMIT_WORDS
    ended: str  # a key of ENDED_WORDS, "" when not recorded

    @property
    def words(self) -> str:
        words = [LIMIT_WORDS.get(limit, limit) for limit in self.limits]
        if self.ended and self.ended != "finished":
            words.append(ENDED_WORDS.get(self.ended, self.ended))
        return "; ".join(dict.fromkeys(words)).capitalize()


@dataclass(frozen=True)
class LimitCount:
    what: str  # in words
    submissions: int


@dataclass
class FlakyTest:
    grade_id: str
    title: str
    groups: int = 0  # groups of identical code whose gradings disagreed on it
    compared: int = 0  # groups of identical code graded at least twice with it
    example_ids: list[int] = field(default_factory=list)
    examples: list[Submission] = field(default_factory=list)  # with person__user


@dataclass(frozen=True)
class LabAnalytics:
    lab: Lab
    submissions: int  # every submission, whatever its status
    graded: int  # graded or waiting for a sign-off
    learners: int  # people who submitted at least once
    learners_passed: int
    tests: list[TestStats]
    histogram: list[ScoreBin]
    median_time_to_complete: timedelta | None
    common_failures: list[FailureMessage]
    limit_hits: list[LimitHit]  # the most recent first, at most RECENT_LIMIT_HITS
    limit_hit_count: int
    limit_counts: list[LimitCount]  # the most common first
    timed: int  # first gradings with a recorded duration
    median_queue_seconds: float | None
    median_seconds: float | None
    flaky: list[FlakyTest]
    groups_compared: int  # groups of identical code graded at least twice

    @property
    def pass_share(self) -> float | None:
        return _share(self.learners_passed, self.learners)

    @property
    def time_to_complete(self) -> str:
        if self.median_time_to_complete is None:
            return ""
        start = timezone.now()
        words = timesince(start, start + self.median_time_to_complete, depth=2)
        return words.replace("\xa0", " ")


def lab_analytics(lab: Lab) -> LabAnalytics:
    """The lab's figures (see the module's docstring); four queries whatever its size."""
    spec = lab.current_version.get_spec()
    tests = {
        t.grade_id: TestStats(t.grade_id, t.display_title, t.points, t.hidden) for t in spec.tests
    }
    folded = _SubmissionFold(tests)
    for row in _submission_rows(lab):
        folded.add(*row)
    flaky, timing = _compare_gradings(lab, titles={k: t.title for k, t in tests.items()})
    linked = _linked_submissions(folded.limit_hits, flaky.values())
    waits, seconds = timing.waits, timing.seconds
    return LabAnalytics(
        lab=lab,
        submissions=folded.submissions,
        graded=folded.graded,
        learners=len(folded.first_at),
        learners_passed=len(folded.passed_at),
        tests=list(tests.values()),
        histogram=[
            ScoreBin(i * 100 // BINS, (i + 1) * 100 // BINS, count, sum(folded.bins))
            for i, count in enumerate(folded.bins)
        ],
        median_time_to_complete=_median(
            [folded.passed_at[p] - folded.first_at[p] for p in folded.passed_at]
        ),
        common_failures=[
            FailureMessage(grade_id, folded.titles[grade_id], message, count)
            for (grade_id, message), count in folded.failures.most_common(TOP_FAILURES)
        ],
        limit_hits=[
            LimitHit(linked[pk], limits, ended)
            for pk, limits, ended in folded.limit_hits
            if pk in linked
        ],
        limit_hit_count=folded.limit_hit_count,
        limit_counts=[LimitCount(words, n) for words, n in folded.limit_counts.most_common()],
        timed=len(seconds),
        median_queue_seconds=_median(waits),
        median_seconds=_median(seconds),
        flaky=sorted(
            (test for test in flaky.values() if test.groups),
            key=lambda test: (-test.groups, test.title),
        ),
        groups_compared=timing.groups_compared,
    )


SUBMISSION_COLUMNS = (
    "pk",
    "person_id",
    "status",
    "score",
    "max_score",
    "pass_mark",
    "created_at",
    "graded_at",
    "results",
    "telemetry",
)


def _submission_rows(lab: Lab):
    return (
        Submission.objects.filter(lab=lab)
        .with_outcome()
        .order_by("-created_at", "-pk")
        .values_list(*SUBMISSION_COLUMNS)
        .iterator(chunk_size=CHUNK)
    )


class _SubmissionFold:
    """The lab's submissions (SUBMISSION_COLUMNS, the newest first), folded one at a time."""

    def __init__(self, tests: dict[str, TestStats]):
        self.tests = tests
        self.titles = {grade_id: test.title for grade_id, test in tests.items()}
        self.submissions = self.graded = self.limit_hit_count = 0
        self.bins = [0] * BINS
        self.first_at: dict[int, datetime] = {}  # person → their first submission
        self.passed_at: dict[int, datetime] = {}  # person → their first passing grade
        self.failures: Counter = Counter()  # (grade id, message) → failed results
        self.limit_counts: Counter = Counter()
        self.limit_hits: list[tuple[int, tuple, str]] = []  # (submission id, limits, ended)

    def add(self, pk, person, status, score, max_score, mark, created, graded_at, results, tel):
        self.submissions += 1
        _keep_earliest(self.first_at, person, created)
        if graded_at and grade_passes(status, score, max_score, mark):
            _keep_earliest(self.passed_at, person, graded_at)
        if status in GRADED_STATUSES:
            self._add_grade(score, max_score, results or [])
        self._add_telemetry(pk, tel or {})

    def _add_grade(self, score, max_score, results: list[dict]) -> None:
        self.graded += 1
        percent = percent_of(score, max_score)
        if percent is not None:
            self.bins[min(max(int(percent // (100 // BINS)), 0), BINS - 1)] += 1
        for result in results:
            grade_id, passed = result.get("id"), result.get("passed")
            if not isinstance(passed, bool):  # answers graded by hand: not a test
                continue
            if grade_id in self.tests:
                self.tests[grade_id].attempts += 1
                self.tests[grade_id].passed += passed
            if not passed:
                self.titles.setdefault(grade_id, _title(result))
                message = (result.get("message") or "").strip() or "No message."
                self.failures[grade_id, message] += 1

    def _add_telemetry(self, pk: int, telemetry: dict) -> None:
        limits = tuple(telemetry.get("limits_hit") or ())
        ended = telemetry.get("ended") or ("died" if telemetry.get("kernel_died") else "")
        if not limits and ended in ("", "finished"):
            return
        self.limit_hit_count += 1
        for limit in limits:
            self.limit_counts[LIMIT_WORDS.get(limit, limit)] += 1
        if ended not in ("", "finished"):
            self.limit_counts[ENDED_WORDS.get(ended, ended)] += 1
        if len(self.limit_hits) < RECENT_LIMIT_HITS:
            self.limit_hits.append((pk, limits, ended))


@dataclass
class _Timing:
    waits: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    groups_compared: int = 0


def _gradings(lab: Lab):
    """Every grading of the lab's submissions, ordered by the code and version it graded: the
    runs kept since issue 12, and the submissions graded before there were runs (their
    current grade is their only one). Rows: (answers digest, version id, submission id,
    status, regrade id, results, telemetry)."""
    runs = (
        GradingRun.objects.filter(submission__lab=lab)
        .annotate(digest=F("submission__answers_digest"), graded_by=F("version_id"))
        .order_by("digest", "graded_by", "pk")
        .values_list(
            "digest", "graded_by", "submission_id", "status", "regrade_id", "results", "telemetry"
        )
    )
    before_runs = (
        Submission.objects.filter(lab=lab, runs__isnull=True)
        .exclude(status__in=(SubmissionStatus.QUEUED, SubmissionStatus.RUNNING))
        .annotate(
            digest=F("answers_digest"),
            graded_by=Coalesce("graded_version_id", "version_id"),
            no_regrade=Value(None, output_field=IntegerField()),
        )
        .order_by("digest", "graded_by", "pk")
        .values_list("digest", "graded_by", "pk", "status", "no_regrade", "results", "telemetry")
    )
    # Both are read as they stream, merged on the code and version they graded.
    return heapq.merge(
        runs.iterator(chunk_size=CHUNK),
        before_runs.iterator(chunk_size=CHUNK),
        key=lambda row: (row[0], row[1]),
    )


def _compare_gradings(lab: Lab, titles: dict[str, str]) -> tuple[dict[str, FlakyTest], _Timing]:
    """Flaky tests, one group of identical code and version at a time; and the first
    gradings' queue wait and execution time, read on the way."""
    flaky: dict[str, FlakyTest] = {}
    timing = _Timing()
    for (digest, _), group in itertools.groupby(_gradings(lab), key=lambda row: row[:2]):
        outcomes: dict[str, dict[bool, int]] = {}  # test → passed? → an example submission
        counted = 0
        for _, _, submission, status, regrade, results, telemetry in group:
            telemetry = telemetry or {}
            if regrade is None:
                _add_timing(timing, telemetry)
            if not judges_tests(status, telemetry.get("ended")):
                continue
            counted += 1
            for grade_id, title, passed in tests_judged(results):
                outcomes.setdefault(grade_id, {}).setdefault(passed, submission)
                titles.setdefault(grade_id, title)
        if not digest or counted < 2:
            continue
        timing.groups_compared += 1
        for grade_id, seen in outcomes.items():
            test = flaky.setdefault(grade_id, FlakyTest(grade_id, titles[grade_id]))
            test.compared += 1
            if len(seen) == 2:
                test.groups += 1
                for example in (seen[True], seen[False]):
                    if len(test.example_ids) < FLAKY_EXAMPLES and example not in test.example_ids:
                        test.example_ids.append(example)
    return flaky, timing


def _add_timing(timing: _Timing, telemetry: dict) -> None:
    wait, seconds = telemetry.get("queue_seconds"), telemetry.get("seconds")
    if isinstance(wait, int | float):
        timing.waits.append(float(wait))
    if isinstance(seconds, int | float):
        timing.seconds.append(float(seconds))


def _linked_submissions(limit_hits: list[tuple], flaky) -> dict[int, Submission]:
    """The submissions the page links to, with their learners (one query); the flaky tests'
    examples are attached on the way."""
    flaky = list(flaky)
    wanted = {pk for pk, *_ in limit_hits}
    for test in flaky:
        wanted.update(test.example_ids)
    found = (
        Submission.objects.select_related("person__user")
        .defer(
            "answers",
            "results",
            "flags",
            "feedback_notebook",
            "feedback_html",
            "telemetry",
            "error",
        )
        .in_bulk(wanted)
    )
    for test in flaky:
        test.examples = [found[pk] for pk in test.example_ids if pk in found]
    return found


def _keep_earliest(times: dict, key, when: datetime) -> None:
    if key not in times or when < times[key]:
        times[key] = when


def judges_tests(status: str, ended: str | None) -> bool:
    """Whether a grading says anything about the lab's tests: it produced a grade (it did not
    fail to grade, and the notebook started). Flaky tests and pass rates count only these."""
    return status != SubmissionStatus.FAILED and ended != "not_started"


def tests_judged(results: list[dict] | None):
    """(test id, title, passed) for each test of a grading's results that code judged (answers
    graded by hand have no pass or fail)."""
    for result in results or []:
        if isinstance(result.get("passed"), bool):
            yield result.get("id"), _title(result), result["passed"]


def _title(result: dict) -> str:
    title, grade_id = result.get("title"), result.get("id")
    return readable_id(grade_id) if title in (None, "", grade_id) else title


# --- Grading health ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthHour:
    start: datetime
    graded: int = 0
    failed: int = 0
    median_queue_seconds: float | None = None

    @property
    def gradings(self) -> int:
        return self.graded + self.failed

    @property
    def failure_rate(self) -> float | None:
        return _share(self.failed, self.gradings)


@dataclass(frozen=True)
class GradingHealth:
    now: datetime
    since: datetime  # the start of the first hour
    queued: int
    running: int
    oldest_queued_at: datetime | None
    hours: list[HealthHour]  # the oldest first; the last is the current hour, so far
    graded: int
    failed: int
    median_queue_seconds: float | None

    @property
    def depth(self) -> int:
        return self.queued + self.running

    @property
    def gradings(self) -> int:
        return self.graded + self.failed

    @property
    def failure_rate(self) -> float | None:
        return _share(self.failed, self.gradings)


def grading_health(now: datetime | None = None) -> GradingHealth:
    """The grading queue now, and every grading of the last `HEALTH_HOURS` hours (the current
    one so far), by hour: three queries whatever the number of gradings."""
    now = now or timezone.now()
    # Hours start where TruncHour starts them (the current time zone's), counted in UTC so
    # that a change of summer time does not shift them.
    current = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    since = current.astimezone(UTC) - timedelta(hours=HEALTH_HOURS - 1)
    waiting = (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)
    queue = Submission.objects.filter(status__in=waiting).aggregate(
        queued=Count("pk", filter=Q(status=SubmissionStatus.QUEUED)),
        running=Count("pk", filter=Q(status=SubmissionStatus.RUNNING)),
        oldest=Min("created_at", filter=Q(status=SubmissionStatus.QUEUED)),
    )
    runs = GradingRun.objects.filter(created_at__gte=since, created_at__lte=now).annotate(
        hour=TruncHour("created_at")
    )
    counts = {
        row["hour"]: row
        for row in runs.values("hour")
        .annotate(gradings=Count("pk"), failed=Count("pk", filter=FAILED_RUN))
        .order_by("hour")
    }
    waits: dict[datetime, list[float]] = {}
    first_gradings = runs.filter(regrade__isnull=True).annotate(
        wait=Cast(KT("telemetry__queue_seconds"), FloatField())
    )
    for hour, wait in first_gradings.filter(wait__isnull=False).values_list("hour", "wait"):
        waits.setdefault(hour, []).append(wait)
    hours = []
    for i in range(HEALTH_HOURS):
        start = since + timedelta(hours=i)
        row = counts.get(start, {"gradings": 0, "failed": 0})
        hours.append(
            HealthHour(
                start=start,
                graded=row["gradings"] - row["failed"],
                failed=row["failed"],
                median_queue_seconds=_median(waits.get(start, [])),
            )
        )
    return GradingHealth(
        now=now,
        since=since,
        queued=queue["queued"],
        running=queue["running"],
        oldest_queued_at=queue["oldest"],
        hours=hours,
        graded=sum(h.graded for h in hours),
        failed=sum(h.failed for h in hours),
        median_queue_seconds=_median([w for hour in waits.values() for w in hour]),
    )


# --- Helpers ----------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    """A percent with one decimal; None when there is nothing to take a share of."""
    return round(100 * part / whole, 1) if whole else None


def _median(values: list):
    return statistics.median(values) if values else None
