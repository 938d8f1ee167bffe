"""Learning paths as files: one TOML file per path under `curriculum/paths/`.

A file names its path (slug, title, audience, position, markdown summary) and lists its modules
(`[[modules]]`: title, markdown reading, skills) and each module's steps (`[[modules.steps]]`),
each exactly one of

    lab = "data-pipelines"                  # pass this lab
    evidence = "testing"                    # have evidence recorded for this skill…
    evidence_kind = "external_link"         # …optionally of this kind
    activity = "mentoring.mentor-someone"   # an activity registered in core.activities

with an optional `title`. Reading a file checks every name against what exists (the shipped labs
and those imported, the skill catalog, the registered activities) and reports every problem at
once, naming the file. Nothing here writes: `curriculum.services.paths_load` stores the result.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.activities import activity_keys
from core.skills.models import EvidenceKind, Skill
from curriculum.models import Audience
from labs.models import Lab

PATHS_DIR = Path(__file__).resolve().parent / "paths"
LABS_DIR = Path(__file__).resolve().parent / "labs"

PATH_KEYS = {"slug", "title", "audience", "position", "summary", "modules"}
MODULE_KEYS = {"title", "reading", "skills", "steps"}
STEP_KEYS = {"lab", "evidence", "evidence_kind", "activity", "title"}
STEP_KINDS = ("lab", "evidence", "activity")


class PathFileError(Exception):
    """A path file that cannot be loaded; the message names the file and every problem."""

    def __init__(self, file: Path, problems: list[str]):
        self.file = file
        self.problems = problems
        super().__init__(f"{file.name}: " + "; ".join(problems))


@dataclass(frozen=True)
class StepSpec:
    kind: str
    title: str = ""
    lab_slug: str = ""
    skill: str = ""
    evidence_kind: str = ""
    activity: str = ""


@dataclass(frozen=True)
class ModuleSpec:
    title: str
    reading: str
    skills: tuple[str, ...]
    steps: tuple[StepSpec, ...]


@dataclass(frozen=True)
class PathSpec:
    file: Path
    slug: str
    title: str
    audience: str
    summary: str
    position: int
    modules: tuple[ModuleSpec, ...]


@dataclass(frozen=True)
class Known:
    """The names a path file may use."""

    labs: frozenset[str]
    skills: frozenset[str]
    activities: frozenset[str]

    @classmethod
    def now(cls) -> "Known":
        return cls(
            labs=frozenset(shipped_lab_slugs() | set(Lab.objects.values_list("slug", flat=True))),
            skills=frozenset(Skill.objects.active().values_list("slug", flat=True)),
            activities=frozenset(activity_keys()),
        )


def shipped_lab_slugs(folder: Path = LABS_DIR) -> set[str]:
    """The slugs of the labs that ship under curriculum/labs/ (from their lab.toml files)."""
    slugs = set()
    for settings_file in folder.glob("*/lab.toml"):
        with settings_file.open("rb") as handle:
            slugs.add(tomllib.load(handle).get("slug") or settings_file.parent.name)
    return slugs


def path_files(folder: Path = PATHS_DIR) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def read_paths(folder: Path = PATHS_DIR, *, known: Known | None = None) -> list[PathSpec]:
    """Every path file of `folder`, checked; the first file with problems raises."""
    known = known or Known.now()
    specs = [read_path_file(file, known=known) for file in path_files(folder)]
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.slug in seen:
            raise PathFileError(
                spec.file, [f"the slug {spec.slug!r} is taken by {seen[spec.slug].name}"]
            )
        seen[spec.slug] = spec.file
    return specs


def read_path_file(file: Path, *, known: Known) -> PathSpec:
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise PathFileError(file, [f"not valid TOML ({error})"]) from error
    problems: list[str] = []
    _unknown_keys(data, PATH_KEYS, "the path", problems)
    for key in ("slug", "title", "summary"):
        if not _text(data.get(key)):
            problems.append(f"the path needs a {key}")
    if data.get("audience") not in Audience.values:
        problems.append(f"audience must be one of {', '.join(Audience.values)}")
    position = data.get("position", 0)
    if not isinstance(position, int) or position < 0:
        problems.append("position must be a whole number, 0 or more")
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list) or not raw_modules:
        problems.append("the path needs at least one [[modules]]")
        raw_modules = []
    modules = [_module(raw, f"module {n}", known, problems) for n, raw in enumerate(raw_modules, 1)]
    if problems:
        raise PathFileError(file, problems)
    return PathSpec(
        file=file,
        slug=data["slug"].strip(),
        title=data["title"].strip(),
        audience=data["audience"],
        summary=data["summary"].strip(),
        position=position,
        modules=tuple(modules),
    )


def _module(raw, where: str, known: Known, problems: list[str]) -> ModuleSpec:
    if not isinstance(raw, dict):
        problems.append(f"{where} is not a table")
        return ModuleSpec("", "", (), ())
    title = _text(raw.get("title"))
    where = f"{where} ({title!r})" if title else where
    _unknown_keys(raw, MODULE_KEYS, where, problems)
    if not title:
        problems.append(f"{where} needs a title")
    skills = raw.get("skills", [])
    if not isinstance(skills, list):
        problems.append(f"{where}: skills must be a list of skill slugs")
        skills = []
    for slug in skills:
        if slug not in known.skills:
            problems.append(f"{where}: unknown skill {slug!r}")
    raw_steps = raw.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(f"{where} needs at least one [[modules.steps]]")
        raw_steps = []
    steps = [
        _step(step, f"{where}, step {n}", known, problems) for n, step in enumerate(raw_steps, 1)
    ]
    return ModuleSpec(
        title=title,
        reading=_text(raw.get("reading")),
        skills=tuple(skills),
        steps=tuple(steps),
    )


def _step(raw, where: str, known: Known, problems: list[str]) -> StepSpec:
    if not isinstance(raw, dict):
        problems.append(f"{where} is not a table")
        return StepSpec(kind="")
    _unknown_keys(raw, STEP_KEYS, where, problems)
    kinds = [kind for kind in STEP_KINDS if kind in raw]
    if len(kinds) != 1:
        problems.append(f"{where} needs exactly one of lab, evidence or activity")
        return StepSpec(kind="")
    kind, name, title = kinds[0], raw[kinds[0]], _text(raw.get("title"))
    evidence_kind = raw.get("evidence_kind", "")
    if evidence_kind and kind != "evidence":
        problems.append(f"{where}: evidence_kind goes with evidence only")
    if kind == "lab" and name not in known.labs:
        problems.append(f"{where}: unknown lab {name!r}")
    if kind == "evidence" and name not in known.skills:
        problems.append(f"{where}: unknown skill {name!r}")
    if kind == "evidence" and evidence_kind and evidence_kind not in EvidenceKind.values:
        problems.append(f"{where}: evidence_kind must be one of {', '.join(EvidenceKind.values)}")
    if kind == "activity" and name not in known.activities:
        choices = ", ".join(sorted(known.activities)) or "none registered"
        problems.append(f"{where}: unknown activity {name!r} (known: {choices})")
    return StepSpec(
        kind=kind,
        title=title,
        lab_slug=name if kind == "lab" else "",
        skill=name if kind == "evidence" else "",
        evidence_kind=evidence_kind if kind == "evidence" else "",
        activity=name if kind == "activity" else "",
    )


def _unknown_keys(data: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        problems.append(f"{where} has unknown keys: {', '.join(unknown)}")


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""
