"""Otter-Grader "v1" master notebooks (LAB_FORMAT.md), read into the same LabSpec as native labs.

Block cells (raw cells, or markdown cells fenced as ```otter) delimit questions and, inside them,
solutions, tests and prompts; they never appear in the spec. Solution cells become answers (or
manual answers), each test cell one test. Otter judges a test by its printed output, so such tests
get an output check whose expected value the import takes from the reference solution's run; a
test with an `assert` is judged like an nbgrader test instead.
"""

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import nbformat
import yaml

from labs.format.common import (
    GRADE_ID_RE,
    HIDDEN_TEST_PLACEHOLDER,
    build_settings,
    cell_source,
    duplicate_grade_id_errors,
    first_heading,
    is_number,
    kernel_metadata,
    no_graded_cell_errors,
    raise_if_errors,
    settings_notes,
    slugify,
)
from labs.spec import CellError, ImportNote, LabSpec, SealedCheck, SpecCell

BLOCK_RE = re.compile(r"#\s*(?P<edge>begin|end)\s+(?P<kind>question|solution|tests|prompt)\b", re.I)
CONFIG_RE = re.compile(r"#\s*assignment\s+config\b", re.I)
IGNORE_CELL_RE = re.compile(r"##\s*ignore\s*##", re.I)
FENCE_OPEN, FENCE_CLOSE = "```otter", "```"
# What otter puts in place of a written answer when the question has no prompt of its own.
MANUAL_PROMPT = "_Type your answer here, replacing this text._"
OUTPUT_CHECK = SealedCheck(name="output", compare="output", expected_from_reference=True)
TEST_CONFIG_KEYS = frozenset(("hidden", "points", "success_message", "failure_message"))
QUESTION_KEYS = frozenset(("name", "points", "manual", "all_or_nothing", "check_cell", "export"))
# Otter 7's assignment-config keys that Cultivate reads, and why the others do not apply.
USED_ASSIGNMENT_KEYS = ("name", "seed", "generate", "tests")
UNUSED_ASSIGNMENT_KEYS = {
    "config_file": "settings come from the notebook or a lab.toml beside it",
    "requirements": "the kernel environment is labs/kernel-requirements.txt, for every lab",
    "overwrite_requirements": "the kernel environment is labs/kernel-requirements.txt",
    "environment": "the kernel environment is labs/kernel-requirements.txt",
    "run_tests": "the import always runs the reference solution and the release in the sandbox",
    "solutions_pdf": "Cultivate makes no PDFs",
    "template_pdf": "Cultivate makes no PDFs",
    "init_cell": "learners submit the notebook; there is no Otter grader to initialise",
    "check_all_cell": "tests run when the learner submits",
    "export_cell": "learners upload the notebook itself; there is no export zip or PDF",
    "save_environment": "grading runs the notebook; no environment is serialized",
    "ignore_modules": "grading runs the notebook; no environment is serialized",
    "files": "Cultivate does not ship extra files with a lab yet",
    "autograder_files": "Cultivate does not ship extra files with a lab yet",
    "student_files": "Cultivate does not ship extra files with a lab yet",
    "plugins": "Otter plugins do not run in Cultivate",
    "show_question_points": "the release shows each test's points in its metadata",
    "runs_on": "grading runs in Cultivate's sandbox",
    "python_version": "the kernel environment's Python is used",
    "channel_priority_strict": "no conda environment is built",
    "strip_solutions_from_all_cells": "solution markers are read in every cell",
    "suppress_no_tests_warning": "the import report lists every question",
    "variables": "grading runs the notebook; no environment is serialized",
}
# Keys of `generate` (Otter's autograder config) Cultivate reads; the others concern Gradescope.
USED_GENERATE_KEYS = ("seed", "seed_variable")

# Markers inside code cells (otter's solution syntax, after jAssign).
SOLUTION_SUFFIX = re.compile(r"#\s*SOLUTION\s*$")
NO_PROMPT_SUFFIX = re.compile(r"#\s*SOLUTION\s+NO\s+PROMPT\s*$")
SEED_SUFFIX = re.compile(r"#\s*SEED\s*$")
BEGIN_SOLUTION = re.compile(r"^(?P<indent>\s*)#\s*BEGIN\s+SOLUTION(?P<silent>\s+NO\s+PROMPT)?\s*$")
END_SOLUTION = re.compile(r"^\s*#\s*END\s+SOLUTION\s*$")
BEGIN_PROMPT = re.compile(r"#\s*BEGIN\s+PROMPT\s*$")
END_PROMPT = re.compile(r"#\s*END\s+PROMPT\s*$")
IGNORE_SUFFIX = re.compile(r"#\s*IGNORE\s*$")
BEGIN_IGNORE = re.compile(r"^\s*#\s*BEGIN\s+IGNORE\s*$")
END_IGNORE = re.compile(r"^\s*#\s*END\s+IGNORE\s*$")
BEGIN_TEST_CONFIG = re.compile(r"""^\s*(\"\"\"|''')\s*#\s*BEGIN\s+TEST\s+CONFIG\s*$""", re.I)
END_TEST_CONFIG = re.compile(r"""^\s*(\"\"\"|''')\s*;?\s*#\s*END\s+TEST\s+CONFIG\s*$""", re.I)
# `x = 1 # SOLUTION` becomes `x = ...`: names, attributes, subscripts, tuples, an annotation.
TARGET = r"[A-Za-z_][\w.]*(?:\[[^\]]*\])*"
ASSIGNMENT_RE = re.compile(
    rf"^(?P<prefix>\s*{TARGET}(?:\s*,\s*{TARGET})*(?:\s*:\s*[^=]+?)?\s*=)(?!=)"
)


@dataclass(frozen=True)
class _Item:
    """A cell of the master notebook, or one part of a markdown cell holding ```otter fences."""

    index: int
    cell_type: str
    source: str


@dataclass
class _Question:
    name: str
    index: int
    points: Any
    manual: bool
    all_or_nothing: bool = False
    answers: int = 0
    tests: int = 0
    graded: list[tuple[int, float | None]] = field(default_factory=list)  # (position, points)


def is_otter_notebook(nb: Mapping[str, Any]) -> bool:
    """Whether a notebook has Otter's assignment-config or begin-question block cells."""
    for index, cell in enumerate(nb.get("cells", [])):
        for item in _items(index, cell, []):
            first = _first_line(item.source)
            if item.cell_type == "raw" and (CONFIG_RE.match(first) or _is_begin_question(first)):
                return True
    return False


def parse_otter(
    nb: nbformat.NotebookNode,
    *,
    settings: dict | None = None,
    defaults: Mapping[str, str] | None = None,
) -> LabSpec:
    """Read an Otter-Grader v1 master notebook into a LabSpec.

    The lab's slug and title default to the assignment config's `name` (else `defaults`, from
    the file's name); the notebook's `metadata.cultivate` and then `settings` override them.
    Raises LabFormatError listing every problem found.
    """
    reader = _Reader()
    for index, cell in enumerate(nb.get("cells", [])):
        for item in _items(index, cell, reader.errors):
            reader.feed(item)
    reader.finish()
    errors = reader.errors + duplicate_grade_id_errors(reader.cells)
    errors += no_graded_cell_errors(reader.cells)
    defaults = defaults or {}
    name = reader.assignment.get("name")
    layers = [{"slug": defaults["slug"]} if defaults.get("slug") else {}]
    layers.append({"slug": slugify(str(name))} if name else {})
    in_notebook = nb.get("metadata", {}).get("cultivate", {})
    layers += [in_notebook if isinstance(in_notebook, Mapping) else {}, settings or {}]
    title = first_heading(reader.cells) or (str(name) if name else defaults.get("title", ""))
    lab_settings, settings_errors = build_settings(layers, default_title=title)
    raise_if_errors(errors + settings_errors)
    seed, seed_variable = reader.seed
    cells, seed_notes = _with_student_seed(reader.cells, seed_variable, reader.student_seed)
    return LabSpec(
        settings=lab_settings,
        cells=tuple(cells),
        source_format="otter",
        notebook_metadata=kernel_metadata(nb),
        seed=seed,
        seed_variable=seed_variable,
        all_or_nothing=tuple(reader.all_or_nothing),
        notes=(*settings_notes(layers, lab_settings), *reader.notes, *seed_notes),
    )


def _with_student_seed(
    cells: list[SpecCell], variable: str, value: Any
) -> tuple[list[SpecCell], list[ImportNote]]:
    """With a seed variable, the learner's copy assigns it the student value (as Otter's does)."""
    if not variable or value is None:
        return cells, []
    assignment = re.compile(rf"^(\s*){re.escape(variable)}\s*=(?!=).*$", re.M)
    line = f"{variable} = {value!r}"
    seeded, notes = [], []
    for cell in cells:
        if cell.cell_type == "code" and assignment.search(cell.release_source):
            release = assignment.sub(lambda m: m.group(1) + line, cell.release_source)
            cell = replace(cell, release_source=release)
            message = f"the learner's copy sets `{line}` (Otter's student value)"
            notes.append(ImportNote(cell.index, "translated", message))
        seeded.append(cell)
    return seeded, notes


class _Reader:
    """Walks the master notebook's cells in order, tracking the open question and block."""

    def __init__(self) -> None:
        self.cells: list[SpecCell] = []
        self.errors: list[CellError] = []
        self.assignment: dict = {}
        self.question: _Question | None = None
        self.block: tuple[str, int] | None = None  # (kind, index of its BEGIN cell)
        self.names: set[str] = set()
        self.seen_config = False
        self.notes: list[ImportNote] = []
        self.seed: tuple[int | None, str] = (None, "")
        self.student_seed: Any = None
        self.ok_format = True
        self.all_or_nothing: list[str] = []

    def note(self, index: int | None, kind: str, message: str) -> None:
        self.notes.append(ImportNote(index, kind, message))

    def error(self, index: int, message: str, grade_id: str | None = None) -> None:
        self.errors.append(CellError(index, message, grade_id))

    def feed(self, item: _Item) -> None:
        first = _first_line(item.source)
        if item.cell_type == "raw" and CONFIG_RE.match(first):
            self._assignment_config(item)
        elif item.cell_type == "raw" and BLOCK_RE.match(first):
            match = BLOCK_RE.match(first)
            self._boundary(item, match["edge"].lower(), match["kind"].lower())
        elif not IGNORE_CELL_RE.match(first):
            self._content(item)

    def finish(self) -> None:
        if self.question is not None:
            self.error(
                self.question.index, f"question {self.question.name!r} has no # END QUESTION"
            )
            self._close_question()

    # Block cells

    def _assignment_config(self, item: _Item) -> None:
        if self.seen_config:
            self.error(item.index, "a second # ASSIGNMENT CONFIG cell")
        self.seen_config = True
        config = self._yaml(item)
        self.assignment = config if isinstance(config, dict) else {}
        for key in self.assignment:
            if key in UNUSED_ASSIGNMENT_KEYS:
                why = UNUSED_ASSIGNMENT_KEYS[key]
                self.note(item.index, "ignored", f"assignment config {key!r}: {why}")
            elif key not in USED_ASSIGNMENT_KEYS:
                self.note(item.index, "ignored", f"assignment config {key!r}: not an Otter key")
        self._tests_config(item)
        self._seed_config(item)

    def _tests_config(self, item: _Item) -> None:
        tests = self.assignment.get("tests")
        if not isinstance(tests, dict):
            return
        self.ok_format = tests.get("ok_format", True) is not False
        if not self.ok_format:
            self.note(
                item.index,
                "translated",
                "exception-format tests: each test cell's function is called with the "
                "notebook's values of its parameters, as Otter calls it",
            )
            self.note(
                item.index,
                "differs",
                "a test function runs in the notebook's namespace: names it uses without "
                "taking them as parameters resolve there, where Otter's test file would fail",
            )
        for key in sorted(set(tests) - {"ok_format"}):
            self.note(item.index, "ignored", f"tests {key!r}: Cultivate keeps tests with the lab")

    def _seed_config(self, item: _Item) -> None:
        """Otter's seeding: `seed: {variable, autograder_value, student_value}`, or
        `generate: {seed, seed_variable}` (a seed variable takes the autograder value)."""
        seed = self.assignment.get("seed")
        generate = self.assignment.get("generate")
        generate = generate if isinstance(generate, dict) else {}
        if isinstance(seed, dict) and seed.get("variable"):
            value, variable = seed.get("autograder_value"), str(seed["variable"])
            self.student_seed = seed.get("student_value")
        else:
            value, variable = generate.get("seed"), str(generate.get("seed_variable") or "")
        for key in sorted(set(generate) - set(USED_GENERATE_KEYS)):
            why = "it configures Otter's Gradescope autograder"
            self.note(item.index, "ignored", f"generate {key!r}: {why}")
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(item.index, f"the assignment seed must be a whole number, not {value!r}")
            return
        self.seed = (value, variable)
        how = (
            f"{variable} is set to {value}"
            if variable
            else f"numpy and random are seeded with {value}"
        )
        self.note(item.index, "translated", f"seed: {how} before every cell when grading")

    def _boundary(self, item: _Item, edge: str, kind: str) -> None:
        if kind == "question":
            (self._begin_question if edge == "begin" else self._end_question)(item)
        elif edge == "begin":
            self._begin_block(item, kind)
        else:
            self._end_block(item, kind)

    def _begin_question(self, item: _Item) -> None:
        if self.question is not None:
            self.error(item.index, f"# BEGIN QUESTION inside question {self.question.name!r}")
            self._close_question()
        config = self._yaml(item)
        if not isinstance(config, dict):
            config = {}
        self.question = _Question(
            name=self._question_name(item, config.get("name")),
            index=item.index,
            points=self._question_points(item, config.get("points")),
            manual=config.get("manual") is True,
            all_or_nothing=config.get("all_or_nothing") is True,
        )
        self._question_notes(item, config)

    def _question_notes(self, item: _Item, config: dict) -> None:
        name = self.question.name
        if self.question.all_or_nothing:
            self.all_or_nothing.append(name)
            message = f"question {name!r}: all or nothing (0 points unless every test passes)"
            self.note(item.index, "translated", message)
        if "check_cell" in config:
            why = "learners see the visible tests as cells and their results on submitting"
            self.note(item.index, "ignored", f"question {name!r}: check_cell: {why}")
        if config.get("export"):
            why = "Cultivate makes no PDF; the notebook itself is submitted"
            self.note(item.index, "ignored", f"question {name!r}: export: {why}")
        for key in sorted(set(config) - QUESTION_KEYS):
            self.note(item.index, "ignored", f"question {name!r}: {key!r} is not an Otter key")

    def _question_name(self, item: _Item, name: Any) -> str:
        if not isinstance(name, str) or not name.strip():
            self.error(item.index, "question has no name (set `name:` in # BEGIN QUESTION)")
            return f"question-{item.index}"
        if not GRADE_ID_RE.fullmatch(name):
            self.error(item.index, f"question name {name!r} may only use letters, digits, _ and -")
        elif name in self.names:
            self.error(item.index, f"duplicate question name {name!r}", name)
        self.names.add(name)
        return name

    def _question_points(self, item: _Item, points: Any) -> Any:
        if _valid_points(points):
            return points
        self.error(
            item.index,
            f"question points must be a number, a list (one per test case) or {{each: n}}, "
            f"not {points!r}",
        )
        return None

    def _end_question(self, item: _Item) -> None:
        if self.question is None:
            self.error(item.index, "# END QUESTION without # BEGIN QUESTION")
            return
        self._close_open_block()
        self._close_question(item.index)

    def _begin_block(self, item: _Item, kind: str) -> None:
        if self.question is None:
            what = "test cells" if kind == "tests" else f"a {kind} block"
            self.error(item.index, f"{what} outside a question: add # BEGIN QUESTION before them")
        elif kind == "tests" and self.question.manual:
            self.error(item.index, "a manual question has no tests")
        self._close_open_block()
        self.block = (kind, item.index)

    def _end_block(self, item: _Item, kind: str) -> None:
        if self.block is None or self.block[0] != kind:
            self.error(item.index, f"# END {kind.upper()} without # BEGIN {kind.upper()}")
            return
        self.block = None

    def _close_open_block(self) -> None:
        if self.block is not None:
            kind, index = self.block
            self.error(index, f"# BEGIN {kind.upper()} has no # END {kind.upper()}")
            self.block = None

    def _close_question(self, end_index: int | None = None) -> None:
        question, self.question = self.question, None
        if question.manual and question.answers == 0:
            self._prompt_only(question, question.index if end_index is None else end_index)
        explicit = [points for _, points in question.graded]
        unit = "answer cells" if question.manual else "test cases"
        resolved, problem = resolve_points(question.points, explicit, unit=unit)
        if problem:
            self.error(question.index, f"question {question.name!r}: {problem}", question.name)
            return
        for (position, _), points in zip(question.graded, resolved, strict=True):
            self.cells[position] = replace(self.cells[position], points=points)

    def _prompt_only(self, question: _Question, index: int) -> None:
        """A manual question that is only a prompt: Otter shows it and a person grades the work.
        The learner gets a written-answer cell after the prompt, graded by hand."""
        question.graded.append((len(self.cells), None))
        self.cells.append(
            SpecCell(
                index=index,
                cell_type="markdown",
                role="manual",
                source=MANUAL_PROMPT,
                release_source=MANUAL_PROMPT,
                grade_id=question.name,
                title=question.name,
            )
        )
        message = (
            f"question {question.name!r}: a prompt only, graded by a person; the learner "
            "answers in a written-answer cell added after it"
        )
        self.note(index, "translated", message)

    def _yaml(self, item: _Item) -> Any:
        try:
            return yaml.safe_load(item.source)
        except yaml.YAMLError as exc:
            self.error(item.index, f"invalid YAML in block cell: {exc}")
            return None

    # Content cells

    def _content(self, item: _Item) -> None:
        lines = item.source.split("\n")
        source, problems = remove_ignored(lines)
        for problem in problems:
            self.error(item.index, problem)
        if len(source) < len(lines) and not problems:
            why = "removed from both versions, as Otter removes them from what it grades"
            self.note(
                item.index, "ignored", f"{len(lines) - len(source)} `# IGNORE` line(s): {why}"
            )
        item = replace(item, source="\n".join(source))
        kind = self.block[0] if self.block else None
        if self.question is None and kind is not None:
            return  # the misplaced block was reported when it began
        if kind == "solution":
            self._solution(item)
        elif kind == "tests":
            self._test(item)
        else:  # text outside questions, a question's prompt, or a prompt block
            self.cells.append(_plain(item))

    def _solution(self, item: _Item) -> None:
        question = self.question
        question.answers += 1
        grade_id = question.name if question.answers == 1 else f"{question.name}-{question.answers}"
        if item.cell_type == "code":
            source, release, problems = transform_solution(item.source.split("\n"))
            source_text, release_text = "\n".join(source), "\n".join(release)
        else:
            problems = [] if question.manual else ["a written answer needs `manual: true`"]
            source_text, release_text = item.source, MANUAL_PROMPT
        for problem in problems:
            self.error(item.index, problem, grade_id)
        role = "a manual answer" if question.manual else "an autograded answer"
        self.note(
            item.index, "translated", f"{grade_id}: {role} (solution replaced in the release)"
        )
        if question.manual:
            question.graded.append((len(self.cells), None))
        self.cells.append(
            SpecCell(
                index=item.index,
                cell_type=item.cell_type,
                role="manual" if question.manual else "answer",
                source=source_text,
                release_source=release_text,
                grade_id=grade_id,
                title=question.name,
            )
        )

    def _test(self, item: _Item) -> None:
        question = self.question
        if item.cell_type != "code":
            self.error(item.index, "only code cells belong between # BEGIN TESTS and # END TESTS")
            return
        question.tests += 1
        grade_id = f"{question.name}-test-{question.tests}"
        test, problems, ignored = read_test(item.source)
        if not self.ok_format and not problems:
            code, problems = exception_test(test.code)
            test = replace(test, code=code)
        for problem in problems:
            self.error(item.index, problem, grade_id)
        for key in ignored:
            self.note(
                item.index, "ignored", f"{grade_id}: test config key {key!r} (Otter ignores it)"
            )
        question.graded.append((len(self.cells), test.points))
        output_check = self.ok_format and not has_assert(test.code)
        judged = "by its output, as Otter's doctest" if output_check else "by errors"
        visibility = "hidden" if test.hidden else "visible"
        self.note(item.index, "translated", f"{grade_id}: a {visibility} test, judged {judged}")
        self.cells.append(
            SpecCell(
                index=item.index,
                cell_type="code",
                role="test",
                source=test.code,
                release_source=HIDDEN_TEST_PLACEHOLDER if test.hidden else test.code,
                grade_id=grade_id,
                hidden=test.hidden,
                sealed=(OUTPUT_CHECK,) if output_check else (),
                title=f"{question.name} test {question.tests}",
                success_message=test.success_message,
                failure_message=test.failure_message,
                question=question.name,
            )
        )


def _plain(item: _Item) -> SpecCell:
    return SpecCell(
        index=item.index,
        cell_type=item.cell_type,
        role="plain",
        source=item.source,
        release_source=item.source,
    )


# Cells and fences


def _items(index: int, cell: Mapping[str, Any], errors: list[CellError]) -> Iterator[_Item]:
    cell_type = cell.get("cell_type", "code")
    source = cell_source(cell)
    if cell_type != "markdown" or FENCE_OPEN not in source:
        yield _Item(index, cell_type, source)
        return
    yield from _split_fences(index, source, errors)


def _split_fences(index: int, source: str, errors: list[CellError]) -> Iterator[_Item]:
    """Split a markdown cell into its text and its ```otter blocks, as otter does."""
    text: list[str] = []
    block: list[str] | None = None
    for line in source.split("\n"):
        if block is None and line.strip() == FENCE_OPEN:
            yield from _markdown_part(index, text)
            text, block = [], []
        elif block is not None and line.strip() == FENCE_CLOSE:
            yield _Item(index, "raw", "\n".join(block))
            block = None
        else:
            (text if block is None else block).append(line)
    if block is not None:
        errors.append(CellError(index, "a ```otter block is not closed"))
        text = block
    yield from _markdown_part(index, text)


def _markdown_part(index: int, lines: list[str]) -> Iterator[_Item]:
    text = "\n".join(lines).strip("\n")
    if text.strip():
        yield _Item(index, "markdown", text)


def _first_line(source: str) -> str:
    return next((line.strip() for line in source.split("\n") if line.strip()), "")


def _is_begin_question(first_line: str) -> bool:
    match = BLOCK_RE.match(first_line)
    return bool(match) and match["edge"].lower() == "begin" and match["kind"].lower() == "question"


# Points


def _valid_points(points: Any) -> bool:
    if points is None or (is_number(points) and points >= 0):
        return True
    if isinstance(points, list):
        return all(is_number(p) and p >= 0 for p in points)
    if isinstance(points, dict):
        return set(points) == {"each"} and is_number(points["each"]) and points["each"] >= 0
    return False


def resolve_points(
    points: Any, explicit: list[float | None], *, unit: str = "test cases"
) -> tuple[list[float], str | None]:
    """Each graded cell's points from the question's and the cells' own (otter's rules).

    A list gives one value a cell; `{each: n}` gives n to every cell; a number is shared equally
    by the cells without their own points, after those with points; no number at all makes the
    question worth 1 unless some cells have their own points (then the others are worth 0).
    """
    count = len(explicit)
    if isinstance(points, list):
        if len(points) != count:
            return [], f"points lists {len(points)} values but the question has {count} {unit}"
        return [float(p) for p in points], None  # Otter: the list wins over the cases' own
    if isinstance(points, dict):
        return [float(points["each"] if e is None else e) for e in explicit], None
    given = sum(e for e in explicit if e is not None)
    missing = sum(1 for e in explicit if e is None)
    if points is None:
        share = 1 / count if missing == count and count else 0.0
    elif given > points:
        return [], f"its {unit}' points ({given:g}) exceed the question's points ({points:g})"
    else:
        share = (points - given) / missing if missing else 0.0
    return [float(share if e is None else e) for e in explicit], None


# Solutions


def transform_solution(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split a solution cell into (authoritative source, learner's source, problems)."""
    source: list[str] = []
    release: list[str] = []
    problems: list[str] = []
    state, opened_at = None, 0  # None, "solution", "silent" (NO PROMPT) or "prompt"
    for number, line in enumerate(lines, start=1):
        if state in ("solution", "silent"):
            if END_SOLUTION.match(line):
                state = None
            elif BEGIN_SOLUTION.match(line):
                problems.append(
                    f"# BEGIN SOLUTION on line {number} is nested in line {opened_at}'s"
                )
            else:
                source.append(line)
            continue
        if state == "prompt":
            if END_PROMPT.search(line):
                state = None
            else:
                release.append(line)
            continue
        begin = BEGIN_SOLUTION.match(line)
        if begin:
            state, opened_at = ("silent" if begin["silent"] else "solution"), number
            if not begin["silent"]:
                release.append(begin["indent"] + "...")
        elif BEGIN_PROMPT.search(line):
            state, opened_at = "prompt", number
        elif END_SOLUTION.match(line) or END_PROMPT.search(line):
            problems.append(f"{line.strip()} on line {number} has no matching BEGIN")
        else:
            _solution_line(line, source, release)
    if state is not None:
        marker = "PROMPT" if state == "prompt" else "SOLUTION"
        problems.append(f"# BEGIN {marker} on line {opened_at} has no # END {marker}")
    return source, release, problems


def _solution_line(line: str, source: list[str], release: list[str]) -> None:
    no_prompt = NO_PROMPT_SUFFIX.search(line)
    if no_prompt:
        source.append(line[: no_prompt.start()].rstrip())
    elif SEED_SUFFIX.search(line):
        source.append(line)  # seeds make the reference run repeatable; learners never see them
    elif SOLUTION_SUFFIX.search(line):
        code = line[: SOLUTION_SUFFIX.search(line).start()].rstrip()
        source.append(code)
        release.append(_elided(code))
    else:
        source.append(line)
        release.append(line)


def _elided(code: str) -> str:
    assignment = ASSIGNMENT_RE.match(code)
    if assignment:
        return assignment["prefix"] + " ..."
    return code[: len(code) - len(code.lstrip())] + "..."


def remove_ignored(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop `# IGNORE` lines and `# BEGIN IGNORE` blocks (from both versions, as otter does)."""
    kept, problems, opened_at = [], [], None
    for number, line in enumerate(lines, start=1):
        if opened_at is not None:
            opened_at = None if END_IGNORE.match(line) else opened_at
        elif BEGIN_IGNORE.match(line):
            opened_at = number
        elif END_IGNORE.match(line):
            problems.append(f"# END IGNORE on line {number} has no # BEGIN IGNORE")
        elif not IGNORE_SUFFIX.search(line):
            kept.append(line)
    if opened_at is not None:
        problems.append(f"# BEGIN IGNORE on line {opened_at} has no # END IGNORE")
    return kept, problems


# Tests


@dataclass(frozen=True)
class OtterTest:
    code: str
    hidden: bool = False
    points: float | None = None
    success_message: str = ""
    failure_message: str = ""


def read_test(source: str) -> tuple[OtterTest, list[str], list[str]]:
    """A test cell's code without its config block, what the config and comment say, the
    problems, and the config keys that Otter does not use (ignored, as Otter does)."""
    code_lines, config_lines, problems = _split_test_config(source.split("\n"))
    config, config_problems, ignored = _test_config("\n".join(config_lines))
    problems += config_problems
    code_lines = _trim_blank(code_lines)
    hidden_comment = bool(code_lines) and _is_hidden_comment(code_lines[0])
    if hidden_comment:
        code_lines = _trim_blank(code_lines[1:])
    return (
        OtterTest(
            code="\n".join(code_lines),
            hidden=config.get("hidden", hidden_comment) is True,
            points=None if config.get("points") is None else float(config["points"]),
            success_message=str(config.get("success_message") or ""),
            failure_message=str(config.get("failure_message") or ""),
        ),
        problems,
        ignored,
    )


def exception_test(code: str) -> tuple[str, list[str]]:
    """An exception-format test: one function, and perhaps a call that Otter drops. Otter calls
    the function itself, each parameter taking the notebook's value of that name (None when it
    has none) and `env` the whole namespace; so does the call written here."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return code, [f"the test does not parse: {exc.msg} (line {exc.lineno})"]
    if not tree.body or not isinstance(tree.body[0], ast.FunctionDef) or len(tree.body) > 2:
        return code, ["an exception-format test is one function definition (and its call)"]
    function = tree.body[0]
    names = [arg.arg for arg in function.args.posonlyargs + function.args.args]
    names += [arg.arg for arg in function.args.kwonlyargs]
    values = ", ".join(
        f"{n}=globals()" if n == "env" else f"{n}=globals().get({n!r})" for n in names
    )
    return f"{ast.unparse(function)}\n{function.name}({values})", []


def _split_test_config(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    code, config, problems = [], [], []
    opened_at = None
    for number, line in enumerate(lines, start=1):
        if opened_at is None and BEGIN_TEST_CONFIG.match(line):
            opened_at = number
        elif opened_at is not None and END_TEST_CONFIG.match(line):
            opened_at = None
        else:
            (code if opened_at is None else config).append(line)
    if opened_at is not None:
        problems.append(f"BEGIN TEST CONFIG on line {opened_at} has no END TEST CONFIG")
    return code, config, problems


def _test_config(text: str) -> tuple[dict, list[str], list[str]]:
    try:
        config = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        return {}, [f"invalid YAML in the test config: {exc}"], []
    if not isinstance(config, dict):
        return {}, ["the test config must be a YAML mapping"], []
    ignored = [str(key) for key in config if key not in TEST_CONFIG_KEYS]
    problems = []
    points = config.get("points")
    if points is not None and (not is_number(points) or points < 0):
        problems.append(f"test config points must be a number >= 0, not {points!r}")
    if "hidden" in config and not isinstance(config["hidden"], bool):
        problems.append("test config hidden must be true or false")
    return ({} if problems else config), problems, ignored


def _is_hidden_comment(line: str) -> bool:
    # Otter: a first line that is a comment holding the word "hidden", in any case.
    return line.lstrip().startswith("#") and bool(re.search(r"\bhidden\b", line, re.I))


def _trim_blank(lines: list[str]) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = next((i for i in range(len(lines), 0, -1) if lines[i - 1].strip()), start)
    return lines[start:end]


def has_assert(code: str) -> bool:
    """Whether a test is assert-style (judged by errors) rather than by its printed output."""
    try:
        tree = ast.parse(code)
    except SyntaxError:  # IPython syntax (magics, `!cmd`): fall back to reading the lines
        return bool(re.search(r"^\s*assert\b", code, re.M))
    return any(isinstance(node, ast.Assert) for node in ast.walk(tree))
