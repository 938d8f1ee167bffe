"""Grading speed: Cultivate's sandboxed run against plain nbclient, side by side.

Both run the reference lab's grading notebook (the same cells: preamble, answers, tests,
canaries) with the correct answers, N times, alternating, on this machine:

- baseline: nbclient with a stock local kernel (no sandbox, no limits), as nbgrader would;
- cultivate: `labs.executor.execute` (bubblewrap, rlimits, IPC sockets, a fresh kernel each time).

It prints wall-clock seconds per notebook (median, p90) and the ratio cultivate / baseline.
Run: `.venv/bin/python bench/grading.py [N]` (default 10). Results go in bench/README.md.
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

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from labs import executor, judge  # noqa: E402
from labs.format import load_lab  # noqa: E402
from labs.services import lab_validate  # noqa: E402


def baseline(cells: list[str], python: str) -> float:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    started = time.perf_counter()
    client = NotebookClient(notebook, timeout=30, allow_errors=True, kernel_name="python3")
    client.execute()
    return time.perf_counter() - started


def sandboxed(cells: list[str], limits: executor.Limits) -> float:
    started = time.perf_counter()
    result = executor.execute(cells, limits)
    assert not result.startup_error, result.startup_error
    return time.perf_counter() - started


def summary(times: list[float]) -> str:
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    return f"median {statistics.median(times):.3f} s, p90 {p90:.3f} s"


def main(runs: int) -> None:
    spec, _ = lab_validate(spec=load_lab(ROOT / "tests/labs/fixtures/reference_lab"))
    plan = judge.build_run(spec, {}, use_reference=True)
    cells = [c.code for c in plan.cells]
    limits = judge.limits_for(spec, output_bytes=1_000_000)
    python = executor.kernel_python()
    base, ours = [], []
    for _ in range(runs):
        base.append(baseline(cells, python))
        ours.append(sandboxed(cells, limits))
    print(f"sandbox: {executor.sandbox_mode()}, {len(cells)} cells, {runs} runs each")
    print(f"baseline (nbclient, no sandbox): {summary(base)}")
    print(f"cultivate (bubblewrap + limits): {summary(ours)}")
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"ratio cultivate/baseline (median): {ratio:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
