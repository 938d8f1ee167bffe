"""What a lab is, independent of the format it was written in.

A source notebook (nbgrader's v3 cell metadata, or an Otter-Grader v1 master notebook) is parsed
into a `LabSpec`: the lab's settings and its cells, each with the authoritative source (solutions
and hidden tests included) and the source the learner receives. Everything downstream (the
release, the grading run, the judging, the feedback) reads a `LabSpec`, never the source format.

A spec is stored as JSON with each lab version (`to_dict` / `from_dict`), and its content hash
identifies the version.
"""

import ast
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

CellType = Literal["code", "markdown", "raw"]

# plain: shown to the learner, not graded, not editable by contract (e.g. explanations)
# locked: read-only code or markdown the grader re-inserts from the source (setup, imports)
# answer: an autograded answer: the learner's code is used (matched by grade_id)
# manual: a manually graded answer (code or markdown), points given by a reviewer
# test: a test cell: authoritative code, run after the answers; points if it passes
# task: a markdown task graded by hand, with points
Role = Literal["plain", "locked", "answer", "manual", "test", "task"]
Comparison = Literal["exact", "tolerance", "set", "sequence", "range", "output"]
# When a grade waits for a person's sign-off (needs_review) before it counts:
# none: never (flags are still shown to reviewers and staff); flagged: when the grader raised a
# flag (tampering signs, say); manual: when flagged or the lab has cells graded by hand;
# always: every grade.
REVIEW_POLICIES = ("none", "flagged", "manual", "always")


@dataclass(frozen=True)
class SealedCheck:
    """A value the test cell computes and the worker compares, outside the sandbox.

    The cell calls `seal(name, value)`; the value travels back as JSON. `expected` never enters
    the sandbox. When the author gives no expected value (`expected_from_reference`), the import
    takes it from the reference solution's run. `compare="output"` compares the cell's printed
    output (stdout and result text) instead of a sealed value (Otter's doctest-style tests).
    """

    name: str
    compare: Comparison = "exact"
    expected: Any = None
    expected_from_reference: bool = False
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class SpecCell:
    index: int  # position in the source notebook
    cell_type: CellType
    role: Role
    source: str  # authoritative: solutions and hidden tests included
    release_source: str  # what the learner's notebook holds
    grade_id: str | None = None
    points: float = 0.0
    hidden: bool = False  # the whole test is hidden (its code never reaches the learner)
    has_hidden_part: bool = False  # some lines are hidden (nbgrader's HIDDEN TESTS markers)
    sealed: tuple[SealedCheck, ...] = ()
    title: str = ""  # a name people read in feedback: the question or grade_id
    success_message: str = ""
    failure_message: str = ""
    metadata: dict = field(default_factory=dict)  # nbgrader metadata to carry into the release
    question: str = ""  # Otter: the question a test belongs to (all_or_nothing scores by it)

    @property
    def graded(self) -> bool:
        return self.role in ("test", "manual", "task")

    @property
    def display_title(self) -> str:
        """What a learner reads for this test: its docstring or first comment, else the title
        the format gave it (Otter's "q2 test 1"), else its grade id in words. Only what the
        learner's notebook shows is read: a hidden test's own words could give it away."""
        own = "" if self.hidden else source_title(self.release_source)
        if own:
            return own
        if self.title and self.title != self.grade_id:
            return self.title
        return readable_id(self.grade_id)


TITLE_LENGTH = 120
# Comment lines that are instructions to a grading tool, not a name for the test.
_TOOL_COMMENT = re.compile(
    r"^#+\s*(BEGIN\b|END\b|hidden\b|IGNORE\b|SOLUTION\b|SEED\b|YOUR CODE HERE|noqa\b|type:|"
    r"-\*-|!)",
    re.IGNORECASE,
)


def source_title(source: str) -> str:
    """A test cell's name for itself: the first line of its docstring (or of its function's,
    for Otter's exception-format tests), else its first comment line before any code."""
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython magics and the like: comments can still name the test
        body = []
    docstring = ast.get_docstring(ast.Module(body=body, type_ignores=[]))
    if not docstring and body and isinstance(body[0], ast.FunctionDef | ast.AsyncFunctionDef):
        docstring = ast.get_docstring(body[0])
    for line in (docstring or "").splitlines():
        if line.strip():
            return _shorten(line.strip())
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        words = stripped.lstrip("#").strip()
        if words and not _TOOL_COMMENT.match(stripped):
            return _shorten(words)
    return ""


def readable_id(grade_id: str | None) -> str:
    """A grade id as words, for tests that do not name themselves: `test_mean_shift` → "Mean
    shift", `q2-test-1` → "Q2 test 1"."""
    words = re.sub(r"^tests?(?=[_-])", "", grade_id or "")
    words = " ".join(re.split(r"[_\-\s]+", words)).strip()
    return words[:1].upper() + words[1:] if words else "Unnamed test"


def _shorten(text: str) -> str:
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


@dataclass(frozen=True)
class LabSettings:
    slug: str
    title: str
    description: str = ""
    skills: tuple[str, ...] = ()  # skill slugs of the catalog
    cell_timeout: int = 30  # seconds per cell
    total_timeout: int = 300  # seconds for the whole run
    memory_mb: int = 1024  # address-space limit of the kernel
    max_attempts: int = 0  # 0 means unlimited
    passing_score: float = 100.0  # percent of the total points
    review_policy: str = "flagged"  # one of REVIEW_POLICIES


@dataclass(frozen=True)
class ImportNote:
    """One line of the import report: what became of a cell (or the notebook) and why.

    `kind` is "translated" (read into Cultivate's model), "ignored" (dropped, with the reason) or
    "differs" (Cultivate cannot do what the source tool does, in words).
    """

    index: int | None
    kind: Literal["translated", "ignored", "differs"]
    message: str

    def __str__(self) -> str:
        where = "notebook" if self.index is None else f"cell {self.index}"
        return f"{where}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class LabSpec:
    settings: LabSettings
    cells: tuple[SpecCell, ...]
    source_format: str = "native"  # native | nbgrader | otter
    notebook_metadata: dict = field(default_factory=dict)  # kernelspec, language_info
    # Otter: numpy and random are seeded with this before every cell of a grading run, or, with
    # `seed_variable`, that variable is set to it (Otter's two ways of seeding).
    seed: int | None = None
    seed_variable: str = ""
    all_or_nothing: tuple[str, ...] = ()  # questions worth nothing unless every test passes
    notes: tuple[ImportNote, ...] = ()  # the import report; not part of the content

    @property
    def tests(self) -> tuple[SpecCell, ...]:
        return tuple(c for c in self.cells if c.role == "test")

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.cells if c.graded))

    @property
    def auto_max_score(self) -> float:
        return float(sum(c.points for c in self.tests))

    def cell_by_grade_id(self, grade_id: str) -> SpecCell | None:
        return next((c for c in self.cells if c.grade_id == grade_id), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LabSpec":
        settings = dict(data["settings"])
        settings["skills"] = tuple(settings.get("skills", ()))
        cells = []
        for raw in data["cells"]:
            raw = dict(raw)
            raw["sealed"] = tuple(SealedCheck(**s) for s in raw.get("sealed", ()))
            cells.append(SpecCell(**raw))
        return cls(
            settings=LabSettings(**settings),
            cells=tuple(cells),
            source_format=data.get("source_format", "native"),
            notebook_metadata=data.get("notebook_metadata", {}),
            seed=data.get("seed"),
            seed_variable=data.get("seed_variable", ""),
            all_or_nothing=tuple(data.get("all_or_nothing", ())),
            notes=tuple(ImportNote(**n) for n in data.get("notes", ())),
        )

    def content_hash(self) -> str:
        """What identifies a version: what the notebook holds and how it is graded.

        The lab's settings (title, skills, limits, slug) are left out: they belong to the lab,
        so that settings added beside a notebook later do not make a new version of the same
        notebook. The import report is left out too: it describes the content, it is not it.
        """
        content = self.to_dict()
        for key in ("settings", "notes"):
            content.pop(key)
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CellError:
    """A problem with one cell of a source notebook, named so that an author can find it."""

    index: int | None
    message: str
    grade_id: str | None = None

    def __str__(self) -> str:
        where = "notebook" if self.index is None else f"cell {self.index}"
        if self.grade_id:
            where += f" ({self.grade_id})"
        return f"{where}: {self.message}"


class LabFormatError(ValueError):
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))
