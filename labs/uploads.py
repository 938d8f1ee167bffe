"""Check an uploaded notebook before anything is stored (DESIGN.md, step 2).

Every way a file can be wrong becomes an `UploadError` with an HTTP status and a sentence a
learner understands; nothing is written until the file has passed every check. The structure
the rest of the code relies on (cells are objects, metadata are objects, sources are text…) is
checked first, so that no later step trips over it; anything that still goes wrong is logged
and answered with a plain sentence, never with the text of a Python exception.
"""

import json
import logging
import uuid

import nbformat
from django.conf import settings

from labs.format import learner_answers
from labs.spec import LabSpec

logger = logging.getLogger(__name__)

MAX_OUTPUTS = 2000
RESAVE = "Open it in Jupyter and save it, or download the lab's notebook again."
UNREADABLE = f"The notebook could not be read as a Jupyter notebook. {RESAVE}"


def multipart_body(notebook: bytes) -> tuple[bytes, str]:
    """A notebook as an API client uploads it (the multipart field `notebook`): the request's
    body and its Content-Type. For clients written in Python: the benchmarks and the tests."""
    boundary = uuid.uuid4().hex
    body = b"\r\n".join([
        f"--{boundary}".encode(),
        b'Content-Disposition: form-data; name="notebook"; filename="answers.ipynb"',
        b"Content-Type: application/x-ipynb+json",
        b"",
        notebook,
        f"--{boundary}--".encode(),
        b"",
    ])  # fmt: skip
    return body, f"multipart/form-data; boundary={boundary}"


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
    try:
        return _answers(data, spec)
    except UploadError:
        raise
    except RecursionError:
        raise UploadError("The notebook is nested too deeply.") from None
    except Exception:
        # A shape no check above foresaw: the learner gets a sentence, we get the traceback.
        logger.exception("unexpected error reading an upload for lab %s", spec.settings.slug)
        raise UploadError(UNREADABLE) from None


def _answers(data: bytes, spec: LabSpec) -> dict[str, dict]:
    raw = _json(_text(data))
    _check_structure(raw)
    notebook = _notebook(raw)
    _check_size(notebook)
    _check_belongs(notebook, spec)
    answers = learner_answers(notebook)
    if not answers:
        raise UploadError("The notebook has no answer cells of this lab (cells with a grade_id).")
    _check_storable(answers)
    return answers


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"The file is not UTF-8 text (byte {exc.start + 1} is invalid)."
        raise UploadError(reason) from None


def _json(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise UploadError("The file's JSON is nested too deeply to be a notebook.") from None
    except json.JSONDecodeError as exc:
        raise UploadError(
            f"The file is not JSON (line {exc.lineno}, column {exc.colno} is unexpected)."
        ) from None
    except ValueError:  # e.g. a number too long to read
        raise UploadError("The file is not JSON that a notebook can hold.") from None


# --- structure: what our own code reads, checked before anything reads it -------------------


def _check_structure(raw) -> None:
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        raise UploadError("The file is JSON but not a Jupyter notebook (no cells or nbformat).")
    version, minor = raw["nbformat"], raw.get("nbformat_minor")
    if type(version) is not int or version != 4 or type(minor) is not int:
        raise UploadError(
            f"The notebook is not in format version 4, the one Jupyter saves. {RESAVE}"
        )
    metadata = _fields(raw.get("metadata", {}), "The notebook's metadata")
    cultivate = _fields(metadata.get("cultivate", {}), "The notebook's “cultivate” metadata")
    _text_field(cultivate.get("lab", ""), "The lab named in the notebook's metadata")
    if not isinstance(raw["cells"], list):
        raise UploadError(f"The notebook's cells are not a list. {RESAVE}")
    for number, cell in enumerate(raw["cells"], start=1):
        _check_cell(cell, f"Cell {number}")


def _check_cell(cell, name: str) -> None:
    if not isinstance(cell, dict):
        raise UploadError(f"{name} is not a notebook cell. {RESAVE}")
    if cell.get("cell_type") not in ("code", "markdown", "raw"):
        raise UploadError(f"{name} is neither a code, a markdown nor a raw cell. {RESAVE}")
    _text_field(cell.get("id", ""), f"{name}'s id")
    source = cell.get("source", "")
    if not isinstance(source, str) and not (
        isinstance(source, list) and all(isinstance(line, str) for line in source)
    ):
        raise UploadError(f"{name}'s source is not text. {RESAVE}")
    outputs = cell.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
        raise UploadError(f"{name}'s outputs are not a list of outputs; clear them and try again.")
    metadata = _fields(cell.get("metadata", {}), f"{name}'s metadata")
    nbgrader = _fields(metadata.get("nbgrader", {}), f"{name}'s nbgrader metadata")
    _text_field(nbgrader.get("grade_id", ""), f"{name}'s grade_id")


def _fields(value, name: str) -> dict:
    if not isinstance(value, dict):
        raise UploadError(f'{name} should be named fields ({{"name": value, …}}). {RESAVE}')
    return value


def _text_field(value, name: str) -> None:
    if not isinstance(value, str):
        raise UploadError(f"{name} should be text. {RESAVE}")


def _notebook(raw) -> nbformat.NotebookNode:
    try:
        notebook = nbformat.from_dict(raw)
        nbformat.validate(notebook)
    except nbformat.ValidationError as exc:
        where = _where(exc)
        raise UploadError(
            f"The notebook does not follow the notebook format (at {where}). {RESAVE}"
        ) from None
    return notebook


def _where(exc) -> str:
    """A validation error's place in words: "cell 3, output 1, “text”"."""
    parts = list(getattr(exc, "absolute_path", ()))
    place = "the top level"
    if parts[:1] == ["cells"] and len(parts) > 1 and isinstance(parts[1], int):
        place, parts = f"cell {parts[1] + 1}", parts[2:]
    if parts[:1] == ["outputs"] and len(parts) > 1 and isinstance(parts[1], int):
        place, parts = f"{place}, output {parts[1] + 1}", parts[2:]
    names = [part for part in parts if isinstance(part, str)]
    if names:
        place = f"{place}, “{_shown('.'.join(names))}”"
    if getattr(exc, "validator", None) == "required" and isinstance(exc.instance, dict):
        missing = [name for name in exc.validator_value if name not in exc.instance]
        if missing:
            place = f"{place}: “{_shown(str(missing[0]))}” is missing"
    return place


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
            f"This notebook belongs to the lab “{_shown(slug)}”, not “{spec.settings.slug}”. "
            "Download this lab's notebook and answer in it."
        )
    expected = {c.grade_id for c in spec.cells if c.role in ("answer", "manual")}
    found = set(learner_answers(notebook))
    if not slug and found and not found <= expected:
        raise UploadError("This notebook's answer cells are not those of this lab.")


def _check_storable(answers: dict[str, dict]) -> None:
    """No NUL character or lone surrogate: no database stores them in JSON (and no Python
    source holds them)."""
    for grade_id, cell in answers.items():
        for text in (grade_id, cell["source"]):
            if "\x00" in text or not _encodes(text):
                raise UploadError(
                    f"The answer “{_shown(grade_id)}” holds characters that are not text "
                    "(a NUL or an unpaired surrogate); remove them and upload again."
                )


def _shown(text: str) -> str:
    """Text from the upload, quoted in a message: short, and always encodable."""
    shown = text[:80].encode("utf-8", "replace").decode("utf-8")
    return "".join(char if char.isprintable() else "?" for char in shown)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
