"""Check an uploaded notebook before anything is stored (DESIGN.md, step 2).

Every way a file can be wrong becomes an `UploadError` with an HTTP status and a sentence a
learner understands; nothing is written until the file has passed every check.
"""

import json

import nbformat
from django.conf import settings

from labs.format import learner_answers
from labs.spec import LabSpec

MAX_OUTPUTS = 2000


class UploadError(ValueError):
    def __init__(self, reason: str, *, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def parse_upload(data: bytes, *, spec: LabSpec) -> dict[str, dict]:
    """The learner's answers (grade_id → cell) from an uploaded notebook, or an UploadError."""
    limit = settings.LABS_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise UploadError(
            f"The file is {_megabytes(len(data))}; the limit is {_megabytes(limit)}.", status=413
        )
    if not data.strip():
        raise UploadError("The file is empty.")
    raw = _json(_text(data))
    notebook = _notebook(raw)
    _check_size(notebook)
    _check_belongs(notebook, spec)
    answers = learner_answers(notebook)
    if not answers:
        raise UploadError("The notebook has no answer cells of this lab (cells with a grade_id).")
    return answers


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadError(f"The file is not UTF-8 text (byte {exc.start} is invalid).") from None


def _json(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise UploadError("The file's JSON is nested too deeply to be a notebook.") from None
    except ValueError as exc:
        raise UploadError(f"The file is not JSON: {exc}.") from None


def _notebook(raw) -> nbformat.NotebookNode:
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        raise UploadError("The file is JSON but not a Jupyter notebook (no cells or nbformat).")
    try:
        notebook = nbformat.from_dict(raw)
        if notebook.get("nbformat") != 4:
            notebook = nbformat.convert(notebook, 4)
        nbformat.validate(notebook)
    except RecursionError:
        raise UploadError("The notebook is nested too deeply.") from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds; all mean "invalid"
        message = str(exc).splitlines()[0][:300] if str(exc) else exc.__class__.__name__
        raise UploadError(f"The notebook does not follow the notebook format: {message}") from None
    return notebook


def _check_size(notebook) -> None:
    cells = len(notebook.cells)
    if cells > settings.LABS_MAX_CELLS:
        raise UploadError(
            f"The notebook has {cells} cells; at most {settings.LABS_MAX_CELLS} are accepted."
        )
    outputs = sum(len(c.get("outputs", [])) for c in notebook.cells)
    if outputs > MAX_OUTPUTS:
        raise UploadError(
            f"The notebook holds {outputs} outputs; clear them (at most {MAX_OUTPUTS})."
        )


def _check_belongs(notebook, spec: LabSpec) -> None:
    slug = notebook.metadata.get("cultivate", {}).get("lab")
    if slug and slug != spec.settings.slug:
        raise UploadError(
            f"This notebook belongs to the lab “{slug}”, not “{spec.settings.slug}”. "
            "Download this lab's notebook and answer in it."
        )
    expected = {c.grade_id for c in spec.cells if c.role in ("answer", "manual")}
    found = set(learner_answers(notebook))
    if not slug and found and not found <= expected:
        raise UploadError("This notebook's answer cells are not those of this lab.")
