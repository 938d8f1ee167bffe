"""The learner's notebook, generated from a LabSpec, and the answers read back from an upload.

The release holds only `release_source`s: no solution, no hidden test line, no sealed expected
value (those live in `SealedCheck`s, never in cell metadata). Answer cells carry nbgrader metadata
with their grade_id, so that an uploaded notebook maps back to the spec whatever the learner did
to the other cells.
"""

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import nbformat
from nbformat import v4

from labs.format.common import HIDDEN_TEST_PLACEHOLDER, KERNEL_METADATA_KEYS, cell_source
from labs.spec import LabSpec, SpecCell

SCHEMA_VERSION = 3
NEW_CELL = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell, "raw": v4.new_raw_cell}


def build_release(spec: LabSpec) -> nbformat.NotebookNode:
    """An nbformat v4 notebook for learners, validated, with outputs cleared."""
    cells = [_release_cell(position, cell) for position, cell in enumerate(spec.cells)]
    nb = v4.new_notebook(cells=cells, metadata=_notebook_metadata(spec))
    nbformat.validate(nb)
    return nb


def learner_answers(nb: Mapping[str, Any]) -> dict[str, dict]:
    """grade_id → {"cell_type", "source"} of an uploaded notebook's answer cells.

    Only cells whose nbgrader metadata says `solution` count; everything else in an upload is
    ignored, since the grader takes every other cell from the lab version. When a learner
    duplicated an answer cell, the first copy wins (as in nbgrader).
    """
    answers: dict[str, dict] = {}
    for cell in nb.get("cells", []):
        grade_id = _answer_grade_id(cell)
        if grade_id and grade_id not in answers:
            answers[grade_id] = {"cell_type": cell.get("cell_type"), "source": cell_source(cell)}
    return answers


def answers_digest(answers: Mapping[str, Mapping]) -> str:
    """A fingerprint of the learner's code: equal for the same answers, whatever else the
    notebook held (outputs, metadata, cell order)."""
    canonical = json.dumps(
        {grade_id: _answer_source(answers[grade_id]) for grade_id in sorted(answers)},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _answer_source(answer) -> str:
    """An answer's code; a value stored in another shape (a bare string) counts as it is."""
    return answer.get("source", "") if isinstance(answer, Mapping) else str(answer)


def _answer_grade_id(cell: Any) -> str | None:
    metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    if not isinstance(nbgrader, Mapping) or nbgrader.get("solution") is not True:
        return None
    grade_id = nbgrader.get("grade_id")
    return grade_id if isinstance(grade_id, str) and grade_id else None


def _release_cell(position: int, cell: SpecCell) -> nbformat.NotebookNode:
    source = HIDDEN_TEST_PLACEHOLDER if cell.hidden else cell.release_source
    nbgrader = _nbgrader_metadata(cell)
    metadata = {"nbgrader": nbgrader} if nbgrader else {}
    # Stable ids: the same lab version always gives the same notebook.
    return NEW_CELL[cell.cell_type](source=source, metadata=metadata, id=f"cell-{position}")


def _nbgrader_metadata(cell: SpecCell) -> dict:
    if cell.metadata:
        metadata = copy.deepcopy(cell.metadata)
    elif cell.grade_id and cell.role != "plain":
        metadata = _synthesized_metadata(cell)  # otter cells have none of their own
    else:
        return {}
    if cell.hidden:
        metadata["locked"] = True
    return metadata


def _synthesized_metadata(cell: SpecCell) -> dict:
    metadata = {
        "grade": cell.graded,
        "grade_id": cell.grade_id,
        "locked": cell.role in ("locked", "test", "task"),
        "schema_version": SCHEMA_VERSION,
        "solution": cell.role in ("answer", "manual"),
    }
    if cell.graded:
        metadata["points"] = cell.points
    if cell.role == "task":
        metadata["task"] = True
    return metadata


def _notebook_metadata(spec: LabSpec) -> dict:
    metadata = {
        key: copy.deepcopy(spec.notebook_metadata[key])
        for key in KERNEL_METADATA_KEYS
        if key in spec.notebook_metadata
    }
    metadata["cultivate"] = {"lab": spec.settings.slug, "version": spec.content_hash()[:12]}
    return metadata
