"""The floor of `bench/grading.py`: grading cells run in one interpreter that is already warm.

Run by the kernel environment's Python (the one learners' kernels use), with a JSON list of
notebooks on standard input, each a list of cells' code. The first notebook runs once untimed,
so that every module the cells import is loaded; then each notebook runs in a fresh namespace
dict, its output captured, its errors caught (a failing test is an outcome, not a stop), as a
kernel would. Prints JSON: seconds per notebook (wall clock and this process's CPU time).
No kernel, no messaging, no sandbox: what is left is the cells' own work.
"""

import contextlib
import io
import json
import sys
import time


def run(cells: list[str]) -> None:
    namespace = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for number, code in enumerate(cells):
            with contextlib.suppress(Exception):  # a failing test is an outcome
                exec(compile(code, f"<cell {number}>", "exec"), namespace)  # noqa: S102


def main() -> None:
    notebooks = json.load(sys.stdin)
    run(notebooks[0])  # warm: imports loaded, caches filled
    wall, cpu = [], []
    for cells in notebooks:
        started, started_cpu = time.perf_counter(), time.process_time()
        run(cells)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    json.dump({"wall": wall, "cpu": cpu}, sys.stdout)


if __name__ == "__main__":
    main()
