"""Shared pieces for the shipped labs' tests: each lab validated once, answers graded in-process."""

from dataclasses import dataclass

import pytest

from curriculum.content import lab_folders
from labs.judge import Grade
from labs.services import grading_run
from labs.spec import LabSpec
from tests.labs.conftest import validated

LABS = {folder.name: folder for folder in lab_folders()}


def lab(slug: str) -> tuple[LabSpec, dict]:
    """The lab's spec (with the expected values of its sealed checks) and validation report."""
    return validated(LABS[slug])


def reference_answers(spec: LabSpec) -> dict[str, dict]:
    """Every answer cell filled in with the author's solution, as a learner would upload it."""
    return {
        cell.grade_id: {"cell_type": "code", "source": cell.source}
        for cell in spec.cells
        if cell.role == "answer"
    }


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong solution: the reference answer of one cell with one change."""

    slug: str
    name: str
    cell: str  # the grade_id of the answer cell the learner got wrong
    replace: str  # text of the reference solution…
    by: str  # …and what the learner wrote instead
    fails: str  # the grade_id of the test that must take points away
    hint: str  # words the failure message must contain (what to look at)

    @property
    def id(self) -> str:
        return f"{self.slug}:{self.name}"


def grade_mistake(mistake: Mistake) -> tuple[Grade, LabSpec]:
    spec, _ = lab(mistake.slug)
    answers = reference_answers(spec)
    source = answers[mistake.cell]["source"]
    if mistake.replace not in source:
        pytest.fail(f"{mistake.id}: the reference of {mistake.cell} lacks {mistake.replace!r}")
    wrong = source.replace(mistake.replace, mistake.by)
    answers[mistake.cell] = {"cell_type": "code", "source": wrong}
    return grading_run(spec=spec, answers=answers).grade, spec
