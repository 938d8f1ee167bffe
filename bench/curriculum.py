"""Grading time of each shipped lab: its reference solution through the sandbox, 3 times.

For every lab under curriculum/labs/ it grades the author's solution the way a worker grades a
submission (`labs.services.grading_run`: a fresh kernel in bubblewrap, the lab's own limits) and
prints the median of 3 runs: the kernel's execution time (what the lab's `total_timeout` limits)
and the wall-clock time of the whole run (kernel start-up and shutdown included).
Acceptance: every lab well under 30 s of execution on 2 cores.

Run: `LABS_KERNEL_PYTHON=... .venv/bin/python bench/curriculum.py [slug ...]`. Results go in
bench/README.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

import django  # noqa: E402

django.setup()

from curriculum.content import lab_folders  # noqa: E402
from labs.format import load_lab  # noqa: E402
from labs.services import grading_run  # noqa: E402

RUNS = 3


def measure(folder: Path) -> dict:
    spec = load_lab(folder)
    executions, walls, sandbox = [], [], ""
    for _ in range(RUNS):
        started = time.perf_counter()
        graded = grading_run(spec=spec, answers={}, use_reference=True)
        walls.append(time.perf_counter() - started)
        executions.append(graded.execution.duration)
        sandbox = graded.execution.sandbox
    return {
        "lab": spec.settings.slug,
        "tests": len(spec.tests),
        "points": spec.auto_max_score,
        "execution": statistics.median(executions),
        "wall": statistics.median(walls),
        "slowest": max(walls),
        "sandbox": sandbox,
    }


def main(slugs: list[str]) -> None:
    folders = [f for f in lab_folders() if not slugs or f.name in slugs]
    print("| lab | tests | points | execution (median) | wall clock (median) | slowest run |")
    print("|---|---|---|---|---|---|")
    for folder in folders:
        row = measure(folder)
        print(
            f"| {row['lab']} | {row['tests']} | {row['points']:g} | {row['execution']:.1f} s "
            f"| {row['wall']:.1f} s | {row['slowest']:.1f} s |",
            flush=True,
        )
    print(f"\nsandbox: {row['sandbox']}")


if __name__ == "__main__":
    main(sys.argv[1:])
