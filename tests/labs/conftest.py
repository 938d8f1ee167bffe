import contextlib
import copy
from functools import cache
from pathlib import Path

import nbformat
import pytest

from labs import executor
from labs.format import load_lab
from labs.services import lab_store, lab_validate

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_LAB = FIXTURES / "reference_lab"


@contextlib.contextmanager
def forked_from_a_zygote():
    """As in a grading worker: every run inside forks its kernel from this process's zygote,
    which is stopped afterwards."""
    wanted = executor._zygote_wanted
    executor.want_zygote()
    try:
        yield
    finally:
        executor._zygote_wanted = wanted
        executor.stop_zygote()


# Answers to the reference lab: all right, one part right, nothing done (the release stubs).
CORRECT = {
    "mean_of": "def mean_of(values):\n    return sum(values) / len(values)",
    "scale": (
        "def scale(values):\n    low, high = min(values), max(values)\n"
        "    return [(v - low) / (high - low) for v in values]"
    ),
    "spread": "def spread(values):\n    return statistics.stdev(values)",
}
PARTIAL = {**CORRECT, "scale": "def scale(values):\n    return values", "spread": "spread = len"}


@cache
def validated(path: Path):
    """Parse and validate a lab once per test session (validation runs the sandbox 4 times)."""
    spec, report = lab_validate(spec=load_lab(path))
    assert report["ok"], report
    return spec, report


@pytest.fixture
def reference_version(db):
    spec, report = validated(REFERENCE_LAB)
    return lab_store(spec=spec, report=report)


@pytest.fixture
def reference_lab(reference_version):
    return reference_version.lab


def answered_notebook(version, answers: dict[str, str]) -> dict:
    """The lab's release notebook with some answer cells filled in, as a learner would."""
    notebook = nbformat.from_dict(copy.deepcopy(version.release))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook
