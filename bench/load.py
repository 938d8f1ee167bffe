"""Load: a burst of submissions graded with nothing lost, then many people browsing at once.

On the production pipeline of `bench/grading.py` (gunicorn with DEBUG off, one Celery worker with
a process per core grading in the bubblewrap sandbox, PostgreSQL, Redis; loopback only):

1. **Burst**: N notebooks of the reference lab (default 200, each a different learner's, three in
   five correct) uploaded at once through the API by a pool of uploaders; every learner polls
   until graded. Reported: upload → result latency p50/p95/max, graded per minute, and the
   check that nothing was lost: N submissions stored, each graded exactly once (one grading run
   each), none failed, every correct notebook with full automatic marks.
2. **Browsing**: U people (default 50) signed in at once, each opening the main pages (home,
   people, skills, mentoring, labs, a lab, hackathons, paths, notifications, their own page) one
   after another for D seconds (default 60). Reported per page and in all: requests, p50/p95
   latency, and errors (anything but 200, or no answer).

Bounded: at most N + U*D/0.05 requests, and the whole run stops after 10 minutes whatever
happens. Run: `.venv/bin/python bench/load.py [-n 200] [--users 50] [--seconds 60]`. It owns
the database `cultivate_bench_grading` and Redis databases 8 and 9, as bench/grading.py does
(the two never run at once). The Markdown tables go to stdout, for bench/README.md.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

# This process signs people in by writing their sessions; the server must check them with the
# same secret, so it is chosen here, before Django starts (bench/grading.py sets it up).
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)

import common  # noqa: E402
import grading  # noqa: E402

grading.SECRET_KEY = os.environ["SECRET_KEY"]

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connections  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from labs.models import GradingRun, Submission  # noqa: E402

RUN_LIMIT = 600  # seconds: the whole run, whatever happens
THINK = 0.05  # seconds between two pages of one person
PAGES = [
    "/",
    "/people/",
    "/skills/",
    "/mentoring/",
    "/labs/",
    "/labs/{lab}/",
    "/hackathons/",
    "/paths/",
    "/notifications/",
    "/people/{me}/",
]


def log(message: str) -> None:
    grading.log(message)


# --- The burst ----------------------------------------------------------------------------------


def burst(api: grading.Api, lab: grading.BenchLab) -> tuple[str, dict]:
    n = len(lab.notebooks)
    learners = [lab.next_learner() for _ in range(n)]
    started = time.time()
    with ThreadPoolExecutor(grading.UPLOADERS) as pool:
        subs = list(
            pool.map(
                lambda i: grading.submit(api, lab.slug, learners[i], i, lab.notebooks[i]),
                range(n),
            )
        )
    grading.wait_for_results(
        api, subs, timeout=120 + 5 * n, gap=grading.BURST_POLL_GAP, sweep=grading.BURST_SWEEP
    )
    wall = max(s.graded_at for s in subs) - started
    latencies = [s.latency for s in subs]
    ids = [s.id for s in subs]
    runs = GradingRun.objects.filter(submission_id__in=ids, regrade__isnull=True)
    checks = {
        "stored": Submission.objects.filter(pk__in=ids).count(),
        "graded once": sum(1 for count in _runs_per_submission(runs).values() if count == 1),
        "failed": sum(1 for s in subs if s.status == "failed"),
        "correct without full marks": sum(
            1
            for s, right in zip(subs, lab.correct, strict=True)
            if right and sum(s.auto_points.values()) < s.auto_max
        ),
    }
    connections.close_all()
    row = (
        f"| {n} submissions of {lab.slug} at once | {60 * n / wall:.0f} graded/min | "
        f"{grading.seconds(common.percentile(latencies, 0.5))} | "
        f"{grading.seconds(common.percentile(latencies, 0.95))} | "
        f"{grading.seconds(max(latencies))} | {checks['stored']} stored, "
        f"{checks['graded once']} graded exactly once, {checks['failed']} failed, "
        f"{checks['correct without full marks']} correct without full marks |"
    )
    return row, checks


def _runs_per_submission(runs) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for submission_id in runs.values_list("submission_id", flat=True):
        counts[submission_id] += 1
    return counts


# --- Browsing -----------------------------------------------------------------------------------


def sessions_for(tokens: list[str]) -> list[tuple[str, int]]:
    """A signed-in session for each learner, as signing in would make it: (cookie, person id)."""
    signed_in = []
    for token in Token.objects.filter(key__in=tokens).select_related("user__person"):
        user = token.user
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        signed_in.append((session.session_key, user.person.pk))
    connections.close_all()
    return signed_in


def browse(url: str, lab: str, people: list[tuple[str, int]], seconds: float) -> dict:
    """Each person opens the pages in turn until the time is up; (page → [latency], errors)."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    samples: dict[str, str] = {}  # page → what the first error was
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def person(cookie: str, me: int, offset: int) -> None:
        turn = offset
        while time.monotonic() < stop:
            page = PAGES[turn % len(PAGES)]
            turn += 1
            request = urllib.request.Request(  # noqa: S310 - http on loopback
                url + page.format(lab=lab, me=me),
                headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
            )
            began = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    response.read()
                    problem = "" if "/accounts/login/" not in response.url else "signed out"
            except urllib.error.HTTPError as error:
                problem = f"{error.code}"
            except (urllib.error.URLError, OSError) as error:
                problem = f"no answer ({error})"
            took = time.monotonic() - began
            with lock:
                latencies[page].append(took)
                if problem:
                    errors[page] += 1
                    samples.setdefault(page, problem)
            time.sleep(THINK)

    threads = [
        threading.Thread(target=person, args=(cookie, me, i), daemon=True)
        for i, (cookie, me) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return {"latencies": latencies, "errors": errors, "samples": samples}


def browse_table(result: dict, users: int, seconds: float) -> str:
    lines = [
        f"{users} people browsing at once for {seconds:.0f} s, {THINK * 1000:.0f} ms between "
        "two pages of one person:",
        "",
        "| page | requests | p50 | p95 | errors |",
        "|---|---|---|---|---|",
    ]
    everything = []
    for page in PAGES:
        times = result["latencies"].get(page, [])
        everything += times
        if times:
            lines.append(
                f"| `{page}` | {len(times)} | {grading.seconds(common.percentile(times, 0.5))} | "
                f"{grading.seconds(common.percentile(times, 0.95))} | "
                f"{result['errors'].get(page, 0)} |"
            )
    total_errors = sum(result["errors"].values())
    lines.append(
        f"| **all** | {len(everything)} | "
        f"{grading.seconds(common.percentile(everything, 0.5))} | "
        f"{grading.seconds(common.percentile(everything, 0.95))} | {total_errors} |"
    )
    lines.append(f"\n{len(everything) / seconds:.0f} requests a second in all.")
    if result["samples"]:
        lines.append(f"First error per page: {result['samples']}")
    return "\n".join(lines)


# --- The run ------------------------------------------------------------------------------------


def run(args) -> str:
    started = time.monotonic()
    cores = os.cpu_count() or 1
    lab = grading.BenchLab(grading.REFERENCE, grading.LAB_FOLDERS[grading.REFERENCE])
    log(f"fresh database {grading.DATABASE}, Redis databases 8 and 9")
    common.fresh_database(grading.DATABASE)
    grading.reset_redis()
    grading.import_labs([lab])
    log("collectstatic, as a deploy does (the pages' files, hashed and compressed)")
    subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=grading.ROOT,
        env=grading.service_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    tokens = grading.create_learners(cores + args.n + args.users)
    people = sessions_for(tokens[-args.users :])
    connections.close_all()
    with grading.Pipeline(cores) as pipeline:
        log(f"gunicorn on {pipeline.url}, a worker with {cores} processes")
        api = grading.Api(pipeline.url)
        lab.tokens = list(reversed(tokens[: cores + args.n]))
        release = api.get_json(f"/api/labs/{lab.slug}/notebook/", tokens[0])
        grading.make_notebooks(lab, release, args.n)
        connections.close_all()
        log("warming up: one submission per worker process")
        warm = [
            grading.submit(api, lab.slug, lab.next_learner(), i, lab.notebooks[i])
            for i in range(cores)
        ]
        grading.wait_for_results(api, warm, timeout=300, gap=0.05, sweep=0.2)
        log(f"a burst of {args.n} submissions")
        burst_row, checks = burst(api, lab)
        log(f"  {burst_row}")
        log(f"{args.users} people browsing for {args.seconds} s")
        browsing = browse(pipeline.url, lab.slug, people, args.seconds)
    took = (time.monotonic() - started) / 60
    lost = args.n - checks["graded once"]
    return "\n".join(
        [
            f"{cores} cores, sandbox required (bubblewrap), gunicorn with {2 * cores} workers; "
            f"the run took {took:.1f} min.",
            "",
            "| load | throughput | latency p50 | p95 | max | nothing lost? |",
            "|---|---|---|---|---|---|",
            burst_row,
            "",
            browse_table(browsing, args.users, args.seconds),
            "",
            "Nothing lost." if lost == 0 and not checks["failed"] else f"LOST OR FAILED: {checks}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="submissions in the burst (200)")
    parser.add_argument("--users", type=int, default=50, help="people browsing at once (50)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they browse (60)")
    args = parser.parse_args()
    grading.WORK.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGALRM, lambda *_: sys.exit("the load run took over 10 minutes"))
    signal.alarm(RUN_LIMIT)
    try:
        table = run(args)
    finally:
        connections.close_all()
        grading.reset_redis()
    print(table)


if __name__ == "__main__":
    main()
