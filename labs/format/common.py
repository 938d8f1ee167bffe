"""What both source formats share: cell text, lab settings, headings and lab-wide checks.

Every check reports a `CellError` and carries on, so that an author sees every problem of a
notebook in one import instead of fixing them one at a time.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from labs.spec import (
    REVIEW_POLICIES,
    CellError,
    ImportNote,
    LabFormatError,
    LabSettings,
    SpecCell,
)

# nbgrader's own rule for grade ids; Cultivate also uses them in URLs and feedback.
GRADE_ID_RE = re.compile(r"[A-Za-z0-9_-]+")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")
HEADING_RE = re.compile(r"^ {0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
# What a learner sees in place of a test whose code must never leave the server.
HIDDEN_TEST_PLACEHOLDER = "# Hidden test: runs when you submit."

SETTING_NAMES = tuple(f.name for f in fields(LabSettings))
POSITIVE_INT_SETTINGS = ("cell_timeout", "total_timeout", "memory_mb")
KERNEL_METADATA_KEYS = ("kernelspec", "language_info")


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat allows a list of lines on disk)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def plain_json(value: Any) -> Any:
    """A copy made of plain dicts and lists, so that a spec holds no NotebookNode."""
    return json.loads(json.dumps(value))


def kernel_metadata(nb: Mapping[str, Any]) -> dict:
    metadata = nb.get("metadata", {})
    return {key: plain_json(metadata[key]) for key in KERNEL_METADATA_KEYS if key in metadata}


def is_number(value: Any) -> bool:
    # bool is an int in Python, but `points: true` is a mistake, not one point.
    return isinstance(value, int | float) and not isinstance(value, bool)


def first_heading(cells: Iterable[SpecCell]) -> str:
    """The first markdown heading a learner sees, a lab's title when none is given."""
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.release_source.splitlines():
            match = HEADING_RE.match(line)
            if match:
                return match.group("title")
    return ""


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-_")[:50]


def duplicate_grade_id_errors(cells: Iterable[SpecCell]) -> list[CellError]:
    first_seen: dict[str, int] = {}
    errors = []
    for cell in cells:
        if not cell.grade_id:
            continue
        if cell.grade_id in first_seen:
            message = f"duplicate grade_id, already used by cell {first_seen[cell.grade_id]}"
            errors.append(CellError(cell.index, message, cell.grade_id))
        else:
            first_seen[cell.grade_id] = cell.index
    return errors


def no_graded_cell_errors(cells: Iterable[SpecCell]) -> list[CellError]:
    if any(cell.graded for cell in cells):
        return []
    return [CellError(None, "the lab has no graded cells (tests, graded answers or tasks)")]


def raise_if_errors(errors: list[CellError]) -> None:
    if errors:
        raise LabFormatError(errors)


def build_settings(
    layers: Iterable[Mapping[str, Any]], *, default_title: str
) -> tuple[LabSettings | None, list[CellError]]:
    """Merge settings layers (later ones win) and validate them.

    Returns the settings, or None with the reasons when they are not usable.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    problems = [f"unknown setting {key!r}" for key in merged if key not in SETTING_NAMES]
    problems += _settings_problems(merged)
    errors = [CellError(None, f"settings: {problem}") for problem in problems]
    if errors:
        return None, errors
    values = {key: merged[key] for key in SETTING_NAMES if key in merged}
    values["title"] = values.get("title") or default_title or values["slug"]
    values["skills"] = tuple(values.get("skills", ()))
    if "passing_score" in values:
        values["passing_score"] = float(values["passing_score"])
    return LabSettings(**values), []


def _settings_problems(values: Mapping[str, Any]) -> list[str]:
    problems = _slug_problems(values.get("slug"))
    for name in POSITIVE_INT_SETTINGS:
        if name in values and not _is_int_at_least(values[name], 1):
            problems.append(f"{name} must be a positive whole number, not {values[name]!r}")
    if "max_attempts" in values and not _is_int_at_least(values["max_attempts"], 0):
        problems.append(
            f"max_attempts must be a whole number, 0 for unlimited, not {values['max_attempts']!r}"
        )
    score = values.get("passing_score", 0)
    if not is_number(score) or not 0 <= score <= 100:
        problems.append(f"passing_score must be a number from 0 to 100, not {score!r}")
    policy = values.get("review_policy", "flagged")
    if policy not in REVIEW_POLICIES:
        problems.append(
            f"review_policy must be one of {', '.join(REVIEW_POLICIES)}, not {policy!r}"
        )
    for name in ("title", "description"):
        if not isinstance(values.get(name, ""), str):
            problems.append(f"{name} must be text")
    skills = values.get("skills", [])
    if not isinstance(skills, list | tuple) or not all(isinstance(s, str) for s in skills):
        problems.append("skills must be a list of skill slugs")
    return problems


def _slug_problems(slug: Any) -> list[str]:
    if slug is None or slug == "":
        return ["slug is required (in the notebook's metadata.cultivate or a lab.toml beside it)"]
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        return [
            f"slug {slug!r} must be lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit, at most 50 characters"
        ]
    return []


def _is_int_at_least(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def settings_notes(
    layers: list[Mapping[str, Any]], settings: LabSettings | None
) -> list[ImportNote]:
    """Where the slug came from when no settings gave one, for the import report."""
    if settings is None or any(layer.get("slug") for layer in layers[1:]):
        return []
    return [
        ImportNote(
            None,
            "translated",
            f"no lab settings: slug {settings.slug!r} from the folder and file names, title "
            f"{settings.title!r}, every other setting its default",
        )
    ]
