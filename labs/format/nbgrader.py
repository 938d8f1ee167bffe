"""Native labs: nbgrader's schema-version-3 cell metadata and markers (LAB_FORMAT.md).

A notebook written for nbgrader imports unchanged. Cultivate adds two things an nbgrader notebook
simply lacks: lab settings (`metadata.cultivate` of the notebook, or a file beside it) and sealed
checks on test cells (`metadata.cultivate.sealed` of the cell), whose expected values stay on the
server.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

import nbformat

from labs.format.common import (
    GRADE_ID_RE,
    build_settings,
    cell_source,
    duplicate_grade_id_errors,
    first_heading,
    is_number,
    kernel_metadata,
    no_graded_cell_errors,
    plain_json,
    raise_if_errors,
    settings_notes,
)
from labs.spec import CellError, Comparison, ImportNote, LabSpec, Role, SealedCheck, SpecCell

SOURCE_FORMATS = ("native", "nbgrader")
SCHEMA_VERSION = 3
# nbgrader's v3 schema allows exactly these keys; it rejects any other.
NBGRADER_KEYS = frozenset(
    ("schema_version", "grade", "solution", "locked", "task", "grade_id", "points")
    + ("checksum", "cell_type")
)
FLAG_KEYS = ("grade", "solution", "locked", "task")
# The checksum is dropped: nbgrader recomputes it, and Cultivate does not use it.
RELEASE_KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")
RELEASE_KEYS += ("cell_type",)
GRADED_ROLES = ("test", "manual", "task")
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)
COMPARISONS = get_args(Comparison)
SEALED_KEYS = frozenset(("compare", "expected", "abs_tol", "rel_tol", "low", "high"))


@dataclass(frozen=True)
class _Marker:
    begin: str
    end: str
    allowed_in: str  # for the error message


# Matched anywhere on a line, as nbgrader does; the marker lines themselves never survive.
SOLUTION = _Marker("BEGIN SOLUTION", "END SOLUTION", "solution cells")
HIDDEN_TESTS = _Marker("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "grade cells")
MARK_SCHEME = _Marker("BEGIN MARK SCHEME", "END MARK SCHEME", "task cells")
MARKERS = (SOLUTION, HIDDEN_TESTS, MARK_SCHEME)


@dataclass(frozen=True)
class _Flags:
    grade: bool = False
    solution: bool = False
    locked: bool = False
    task: bool = False

    def allows(self, marker: _Marker) -> bool:
        return {SOLUTION: self.solution, HIDDEN_TESTS: self.grade, MARK_SCHEME: self.task}[marker]


def parse_nbgrader(
    nb: nbformat.NotebookNode,
    *,
    settings: dict | None = None,
    source_format: str = "native",
    defaults: Mapping[str, str] | None = None,
) -> LabSpec:
    """Read a native (or plain nbgrader) notebook into a LabSpec.

    `settings` (from a file beside the notebook) wins over the notebook's `metadata.cultivate`;
    with `source_format="nbgrader"` only `settings` is read. `defaults` gives the slug and title
    a notebook without settings gets (from its folder and file names). Cells in nbgrader's
    schema versions 0 to 2 are upgraded first, as `nbgrader update` would. Raises
    LabFormatError listing every problem found.
    """
    if source_format not in SOURCE_FORMATS:
        raise ValueError(f"source_format must be one of {SOURCE_FORMATS}, not {source_format!r}")
    cells: list[SpecCell] = []
    errors: list[CellError] = []
    notes: list[ImportNote] = []
    for index, cell in enumerate(nb.get("cells", [])):
        cell, upgrade_notes = upgrade_cell(index, cell)
        spec_cell, cell_errors = _parse_cell(index, cell)
        cells.append(spec_cell)
        errors += cell_errors
        notes += upgrade_notes + _cell_notes(spec_cell)
    errors += duplicate_grade_id_errors(cells)
    errors += no_graded_cell_errors(cells)
    defaults = defaults or {}
    layers, layer_errors = _settings_layers(nb, settings, source_format)
    layers.insert(0, {"slug": defaults["slug"]} if defaults.get("slug") else {})
    title = first_heading(cells) or defaults.get("title", "")
    lab_settings, settings_errors = build_settings(layers, default_title=title)
    raise_if_errors(errors + layer_errors + settings_errors)
    return LabSpec(
        settings=lab_settings,
        cells=tuple(cells),
        source_format=source_format,
        notebook_metadata=kernel_metadata(nb),
        notes=(*settings_notes(layers, lab_settings), *notes),
    )


def _settings_layers(
    nb: Mapping[str, Any], settings: dict | None, source_format: str
) -> tuple[list[Mapping[str, Any]], list[CellError]]:
    # A plain nbgrader notebook has no Cultivate metadata to trust; its settings come from a file.
    in_notebook = nb.get("metadata", {}).get("cultivate", {}) if source_format == "native" else {}
    if not isinstance(in_notebook, Mapping):
        return [settings or {}], [CellError(None, "settings: metadata.cultivate must be a mapping")]
    return [in_notebook, settings or {}], []


ROLE_NOTES = {
    "answer": "an autograded answer: the learner's code runs in its place",
    "manual": "an answer graded by a person ({points:g} points)",
    "test": "a test cell ({points:g} points if it runs without an error)",
    "task": "a task graded by a person ({points:g} points)",
    "locked": "read-only: the grader runs the author's version",
}


# The keys each older schema allows; `nbgrader update` drops any other when it upgrades a cell.
OLD_SCHEMA_KEYS = {
    0: NBGRADER_KEYS - {"cell_type", "task"},
    1: NBGRADER_KEYS - {"cell_type", "task"},
    2: NBGRADER_KEYS - {"task"},
}


def upgrade_cell(index: int, cell: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[ImportNote]]:
    """A cell in nbgrader's schema version 0, 1 or 2, upgraded to version 3 as `nbgrader update`
    does it (nbgrader 0.9's upgrade rules); other cells as they are.

    A missing schema_version means version 0. Upgrading: missing flags become false; a cell
    with no flag set loses its nbgrader metadata; a grade cell's points become a number >= 0
    (0 when missing or empty); other cells lose their points; a cell with a checksum but no
    cell_type gets its own type; keys the older schema did not know are dropped.
    """
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    if not isinstance(meta, Mapping):
        return cell, []
    version = meta.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version not in OLD_SCHEMA_KEYS:
        return cell, []  # version 3 as it is; anything else is refused with the reason
    upgraded = dict(meta)
    for flag in ("grade", "solution", "locked"):
        upgraded.setdefault(flag, False)
    dropped = sorted(set(upgraded) - OLD_SCHEMA_KEYS[version] - {"grade", "solution", "locked"})
    metadata = dict(cell.get("metadata", {}))
    if not (upgraded["grade"] or upgraded["solution"] or upgraded["locked"]):
        metadata.pop("nbgrader")
        note = (
            f"nbgrader schema version {version}: no grade, solution or locked flag, so a plain cell"
        )
        return {**cell, "metadata": metadata}, [ImportNote(index, "translated", note)]
    problem = _upgrade_points(upgraded)
    if problem:
        return cell, []  # left as it is: the version 3 check names the problem
    if "checksum" in upgraded and "cell_type" not in upgraded:
        upgraded["cell_type"] = cell.get("cell_type", "code")
    for key in dropped:
        upgraded.pop(key)
    upgraded["schema_version"] = SCHEMA_VERSION
    metadata["nbgrader"] = upgraded
    message = (
        f"nbgrader schema version {version} upgraded to {SCHEMA_VERSION}, as `nbgrader update` does"
    )
    notes = [ImportNote(index, "translated", message)]
    if dropped:
        why = f"keys that schema version {version} does not define: {', '.join(dropped)}"
        notes.append(ImportNote(index, "ignored", why))
    return {**cell, "metadata": metadata}, notes


def _upgrade_points(meta: dict) -> bool:
    """nbgrader's points rules for an upgraded cell; True when the points cannot be read."""
    if not meta["grade"]:
        meta.pop("points", None)
        return False
    points = meta.get("points", 0.0)
    if points == "" or points is None:
        points = 0.0
    try:
        points = float(points)
    except (TypeError, ValueError):
        return True
    meta["points"] = max(points, 0.0)
    return False


def _cell_notes(cell: SpecCell) -> list[ImportNote]:
    if cell.role not in ROLE_NOTES:
        return []
    message = f"{cell.grade_id}: " + ROLE_NOTES[cell.role].format(points=cell.points)
    if cell.has_hidden_part:
        message += "; its hidden tests run only when grading"
    return [ImportNote(cell.index, "translated", message)]


def _parse_cell(index: int, cell: Mapping[str, Any]) -> tuple[SpecCell, list[CellError]]:
    cell_type = cell.get("cell_type", "code")
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    problems = [] if isinstance(meta, Mapping) else ["metadata.nbgrader must be a mapping"]
    meta = meta if isinstance(meta, Mapping) else {}
    flags, lines = _flags(meta), cell_source(cell).split("\n")
    role = _role(flags)
    sealed, sealed_problems = _sealed_checks(cell, role)
    problems += _metadata_problems(cell_type, meta) if meta else []
    problems += _marker_problems(lines, flags) + sealed_problems
    grade_id = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
    points = meta.get("points")
    spec_cell = SpecCell(
        index=index,
        cell_type=cell_type,
        role=role,
        source="\n".join(_without_marker_lines(lines)),
        release_source="\n".join(_release_lines(lines, flags.solution, cell_type)),
        grade_id=grade_id or None,
        points=float(points) if role in GRADED_ROLES and is_number(points) else 0.0,
        has_hidden_part=_has_hidden_lines(lines),
        sealed=sealed,
        title=grade_id or "",
        metadata=_release_metadata(meta, role) if meta else {},
    )
    return spec_cell, [CellError(index, problem, grade_id or None) for problem in problems]


def _flags(meta: Mapping[str, Any]) -> _Flags:
    return _Flags(**{key: meta.get(key) is True for key in FLAG_KEYS})


def _role(flags: _Flags) -> Role:
    if flags.solution:
        return "manual" if flags.grade else "answer"
    if flags.task:
        return "task"
    if flags.grade:
        return "test"
    return "locked" if flags.locked else "plain"


def _metadata_problems(cell_type: str, meta: Mapping[str, Any]) -> list[str]:
    problems = _schema_problems(meta)
    unknown = sorted(set(meta) - NBGRADER_KEYS)
    if unknown:
        problems.append(f"unknown nbgrader metadata key(s): {', '.join(unknown)}")
    problems += [
        f"nbgrader {key} must be true or false" for key in FLAG_KEYS if _not_bool(meta, key)
    ]
    flags = _flags(meta)
    problems += _grade_id_problems(meta, flags)
    problems += _points_problems(meta, flags)
    problems += _combination_problems(cell_type, flags)
    return problems


def _not_bool(meta: Mapping[str, Any], key: str) -> bool:
    return key in meta and not isinstance(meta[key], bool)


def _schema_problems(meta: Mapping[str, Any]) -> list[str]:
    version = meta.get("schema_version")
    if version == SCHEMA_VERSION and not isinstance(version, bool):
        return []
    found = "no schema_version" if version is None else f"schema_version {version!r}"
    return [
        f"nbgrader metadata has {found}; Cultivate reads nbgrader's schema versions 0 to 3 "
        "(whole numbers; versions before 3 are upgraded as `nbgrader update` does), and "
        "nbgrader 0.9 writes version 3"
    ]


def _grade_id_problems(meta: Mapping[str, Any], flags: _Flags) -> list[str]:
    if not (flags.grade or flags.solution or flags.locked or flags.task):
        return []
    grade_id = meta.get("grade_id")
    if not isinstance(grade_id, str) or not grade_id.strip():
        return ["grade_id is missing or empty (required on grade, solution, locked and task cells)"]
    if not GRADE_ID_RE.fullmatch(grade_id):
        return [f"grade_id {grade_id!r} may only use letters, digits, '_' and '-'"]
    return []


def _points_problems(meta: Mapping[str, Any], flags: _Flags) -> list[str]:
    if not (flags.grade or flags.task):
        return []
    points = meta.get("points")
    if points is None:
        return ["graded cell without points"]
    if not is_number(points) or points < 0:
        return [f"points must be a number >= 0, not {points!r}"]
    return []


def _combination_problems(cell_type: str, flags: _Flags) -> list[str]:
    problems = []
    if flags.task and (flags.grade or flags.solution):
        problems.append("a task cell cannot also be a grade or solution cell")
    if flags.task and cell_type == "code":
        problems.append("task cells must be markdown cells")
    if cell_type != "code" and flags.solution and not flags.grade:
        problems.append(
            "a markdown answer must be graded by hand: set grade and points as well as solution"
        )
    if cell_type != "code" and flags.grade and not flags.solution:
        problems.append("a graded markdown cell must also be a solution cell (a manual answer)")
    return problems


def _marker_problems(lines: list[str], flags: _Flags) -> list[str]:
    problems = []
    for marker in MARKERS:
        present = any(marker.begin in line or marker.end in line for line in lines)
        if present and not flags.allows(marker):
            problems.append(
                f"{marker.begin} / {marker.end} markers belong only in {marker.allowed_in}"
            )
        problems += _balance_problems(lines, marker)
    return problems


def _balance_problems(lines: list[str], marker: _Marker) -> list[str]:
    problems, opened_at = [], None
    for number, line in enumerate(lines, start=1):
        if marker.begin in line:
            if opened_at is not None:
                problems.append(f"{marker.begin} on line {number} is nested in line {opened_at}'s")
            opened_at = number
        elif marker.end in line:
            if opened_at is None:
                problems.append(f"{marker.end} on line {number} has no {marker.begin} before it")
            opened_at = None
    if opened_at is not None:
        problems.append(f"{marker.begin} on line {opened_at} has no {marker.end}")
    return problems


def _is_marker_line(line: str) -> bool:
    return any(marker.begin in line or marker.end in line for marker in MARKERS)


def _without_marker_lines(lines: list[str]) -> list[str]:
    """The authoritative source: solutions, hidden tests and mark schemes kept, markers gone."""
    return [line for line in lines if not _is_marker_line(line)]


def _release_lines(lines: list[str], is_solution: bool, cell_type: str) -> list[str]:
    """The learner's source: solution regions stubbed, hidden tests and mark schemes dropped."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    if is_solution and not any(SOLUTION.begin in line for line in lines):
        return list(stub)
    kept: list[str] = []
    skipping: _Marker | None = None
    for line in lines:
        if skipping is not None:
            skipping = None if skipping.end in line else skipping
            continue
        opened = next((m for m in MARKERS if m.begin in line), None)
        if opened is SOLUTION:
            indent = line[: len(line) - len(line.lstrip())]
            kept += [indent + stub_line for stub_line in stub]
        if opened is not None:
            skipping = opened
        elif not _is_marker_line(line):
            kept.append(line)
    return kept


def _has_hidden_lines(lines: list[str]) -> bool:
    inside = False
    for line in lines:
        if HIDDEN_TESTS.begin in line:
            inside = True
        elif HIDDEN_TESTS.end in line:
            inside = False
        elif inside:
            return True
    return False


def _release_metadata(meta: Mapping[str, Any], role: Role) -> dict:
    """The nbgrader metadata the learner's copy carries (so that answers map by grade_id)."""
    released = {key: plain_json(meta[key]) for key in RELEASE_KEYS if key in meta}
    for flag in ("grade", "solution", "locked"):
        released[flag] = meta.get(flag) is True
    # nbgrader locks test and task cells in the release; learners must not edit them.
    if role in ("test", "task"):
        released["locked"] = True
    if role not in GRADED_ROLES:
        released.pop("points", None)
    released["schema_version"] = SCHEMA_VERSION
    return dict(sorted(released.items()))


def _sealed_checks(
    cell: Mapping[str, Any], role: Role
) -> tuple[tuple[SealedCheck, ...], list[str]]:
    cultivate = cell.get("metadata", {}).get("cultivate") or {}
    raw = cultivate.get("sealed") if isinstance(cultivate, Mapping) else None
    if raw is None:
        return (), []
    if role != "test":
        return (), ["sealed checks belong only in test cells (grade and points, no solution)"]
    if not isinstance(raw, Mapping) or not raw:
        return (), ["metadata.cultivate.sealed must map each sealed name to its check"]
    checks, problems = [], []
    for name, spec in raw.items():
        check, check_problems = _sealed_check(name, spec)
        problems += [f"sealed check {name!r}: {problem}" for problem in check_problems]
        if check is not None:
            checks.append(check)
    return tuple(checks), problems


def _sealed_check(name: str, spec: Any) -> tuple[SealedCheck | None, list[str]]:
    if not isinstance(spec, Mapping):
        return None, ["must be a mapping with at least `compare`"]
    compare = spec.get("compare", "exact")
    unknown = sorted(set(spec) - SEALED_KEYS)
    problems = [f"unknown key(s): {', '.join(unknown)}"] if unknown else []
    if compare not in COMPARISONS:
        problems.append(f"unknown compare {compare!r} (one of {', '.join(COMPARISONS)})")
    problems += _sealed_number_problems(spec, compare)
    if problems:
        return None, problems
    return SealedCheck(
        name=name,
        compare=compare,
        expected=plain_json(spec.get("expected")),
        # A range's bounds are its expectation; anything else without `expected` takes the
        # reference solution's value at import.
        expected_from_reference="expected" not in spec and compare != "range",
        abs_tol=float(spec.get("abs_tol", 0.0)),
        rel_tol=float(spec.get("rel_tol", 0.0)),
        low=None if spec.get("low") is None else float(spec["low"]),
        high=None if spec.get("high") is None else float(spec["high"]),
    ), []


def _sealed_number_problems(spec: Mapping[str, Any], compare: str) -> list[str]:
    problems = []
    for key in ("abs_tol", "rel_tol"):
        if key in spec and (not is_number(spec[key]) or spec[key] < 0):
            problems.append(f"{key} must be a number >= 0")
    for key in ("low", "high"):
        if spec.get(key) is not None and not is_number(spec[key]):
            problems.append(f"{key} must be a number")
    if problems:
        return problems
    low, high = spec.get("low"), spec.get("high")
    if compare == "range" and low is None and high is None:
        problems.append("a range needs `low`, `high` or both")
    if low is not None and high is not None and low > high:
        problems.append("low is greater than high")
    return problems
