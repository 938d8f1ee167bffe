"""Reading labs from disk: the notebooks, the settings file beside each, and the format to parse."""

import dataclasses
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import nbformat
import yaml

from labs.format.common import slugify
from labs.format.nbgrader import parse_nbgrader
from labs.format.otter import is_otter_notebook, parse_otter
from labs.spec import CellError, LabFormatError, LabSpec

FORMATS = ("auto", "native", "nbgrader", "otter")
SETTINGS_SUFFIXES = (".toml", ".json", ".yaml", ".yml")
SETTINGS_FILES = tuple(f"lab{suffix}" for suffix in SETTINGS_SUFFIXES)
# Jupyter's autosaves, never a lab.
SKIPPED_FOLDERS = (".ipynb_checkpoints",)


@dataclass(frozen=True)
class _Found:
    """A notebook to import, and the names its default slug and title come from."""

    path: Path
    assignment: str  # nbgrader names an assignment by its folder
    settings: dict


def load_lab(path: Path, *, fmt: str = "auto") -> LabSpec:
    """Parse the lab at `path`: a .ipynb file, or a directory holding exactly one.

    A `lab.toml`, `lab.json` or `lab.yaml` beside the notebook gives settings that win over the
    notebook's own. `fmt="auto"` reads Otter block cells as Otter, anything else as native.
    Raises LabFormatError, naming the problem, for anything that is not a usable lab.
    """
    specs = load_labs(path, fmt=fmt)
    if len(specs) != 1:
        slugs = ", ".join(spec.settings.slug for spec in specs)
        _fail(f"{path} holds {len(specs)} labs ({slugs}); import them with import_lab")
    return specs[0]


def load_labs(path: Path, *, fmt: str = "auto") -> list[LabSpec]:
    """Parse every lab at `path`: a notebook, a folder of notebooks (an nbgrader assignment,
    `source/<assignment>/`), nbgrader's `source/` folder or a course folder holding it.

    One lab per notebook, as nbgrader grades them: each notebook is submitted and graded on its
    own, and grade ids are unique only within one. A notebook without a slug gets one from its
    assignment folder's name and its file name. Every problem of every notebook is reported at
    once.
    """
    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    specs, errors = [], []
    notebooks = _find_notebooks(Path(path))
    for found in notebooks:
        try:
            specs.append(_load_one(found, fmt))
        except LabFormatError as error:
            prefix = f"{found.path.name}: " if len(notebooks) > 1 else ""
            errors += [CellError(e.index, prefix + e.message, e.grade_id) for e in error.errors]
    if errors:
        raise LabFormatError(errors)
    return _with_unique_slugs(specs)


def _load_one(found: _Found, fmt: str) -> LabSpec:
    nb = read_notebook(found.path)
    chosen = detect_format(nb) if fmt == "auto" else fmt
    name = slugify(f"{found.assignment}-{found.path.stem}") or "lab"
    defaults = {"slug": name, "title": f"{found.assignment}: {found.path.stem}"}
    if chosen == "otter":
        return parse_otter(nb, settings=found.settings, defaults=defaults)
    return parse_nbgrader(nb, settings=found.settings, source_format=chosen, defaults=defaults)


def _with_unique_slugs(specs: list[LabSpec]) -> list[LabSpec]:
    """Two notebooks of one import never share a slug: the later ones get -2, -3…"""
    seen: set[str] = set()
    unique = []
    for spec in specs:
        slug, number = spec.settings.slug, 1
        while slug in seen:
            number += 1
            slug = f"{spec.settings.slug[: 50 - len(str(number)) - 1]}-{number}"
        seen.add(slug)
        settings = dataclasses.replace(spec.settings, slug=slug)
        unique.append(dataclasses.replace(spec, settings=settings))
    return unique


def detect_format(nb: nbformat.NotebookNode) -> str:
    return "otter" if is_otter_notebook(nb) else "native"


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """An nbformat v4 notebook from a file, or a LabFormatError saying what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        _fail(f"{path.name} is not UTF-8 text")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        _fail(f"{path.name} is not valid JSON ({_short(exc)})")
    if not isinstance(data, dict) or "nbformat" not in data or "cells" not in data:
        _fail(f"{path.name} is JSON but not a Jupyter notebook (no nbformat or cells)")
    return _notebook_from_json(path.name, _with_cell_ids(data))


def _notebook_from_json(name: str, data: dict) -> nbformat.NotebookNode:
    # nbformat raises many kinds of errors on malformed notebooks (ValueError, KeyError,
    # AttributeError, jsonschema's ValidationError...); each means "not a notebook we can read".
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:
        _fail(f"{name} is not a valid nbformat v4 notebook ({_short(exc)})")
    return nb


def _with_cell_ids(data: dict) -> dict:
    """Fill in the cell ids nbformat 4.5 requires but that older tools leave out.

    Cultivate addresses cells by position and grade_id, so any unique id does; nbformat only
    warns about missing ids today and means to refuse them later.
    """
    cells, minor = data.get("cells"), data.get("nbformat_minor")
    if data.get("nbformat") != 4 or not isinstance(minor, int) or minor < 5:
        return data
    for position, cell in enumerate(cells if isinstance(cells, list) else []):
        if isinstance(cell, dict):
            cell.setdefault("id", f"cell-{position}")
    return data


def _find_notebooks(path: Path) -> list[_Found]:
    if path.is_file():
        if path.suffix != ".ipynb":
            _fail(f"{path.name} is not a .ipynb notebook")
        return [_found(path, _settings_for(path, alone=True))]
    if not path.is_dir():
        _fail(f"no such file or directory: {path}")
    if _notebooks_in(path):
        return _assignment(path)
    folders = _assignment_folders(path / "source") or _assignment_folders(path)
    if not folders:
        _fail(
            f"{path} holds no .ipynb notebook, nor nbgrader's source/<assignment>/ folders "
            "(found: none)"
        )
    return [found for folder in folders for found in _assignment(folder)]


def _assignment(folder: Path) -> list[_Found]:
    notebooks = _notebooks_in(folder)
    alone = len(notebooks) == 1
    if not alone and any((folder / name).is_file() for name in SETTINGS_FILES):
        names = ", ".join(n.name for n in notebooks)
        _fail(
            f"{folder} holds several notebooks ({names}) and one lab settings file: name it "
            "after its notebook (problem1.lab.toml beside problem1.ipynb)"
        )
    return [_found(notebook, _settings_for(notebook, alone=alone)) for notebook in notebooks]


def _found(notebook: Path, settings: dict) -> _Found:
    return _Found(path=notebook, assignment=notebook.resolve().parent.name, settings=settings)


def _notebooks_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def _assignment_folders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        child
        for child in sorted(folder.iterdir())
        if child.is_dir() and child.name not in SKIPPED_FOLDERS and _notebooks_in(child)
    ]


def _settings_for(notebook: Path, *, alone: bool) -> dict:
    """The settings file of one notebook: `<name>.lab.toml` beside it, or, when it is the only
    notebook of its folder, `lab.toml` (or .json, .yaml)."""
    folder = notebook.parent
    names = [f"{notebook.stem}.lab{suffix}" for suffix in SETTINGS_SUFFIXES]
    names += list(SETTINGS_FILES) if alone else []
    present = [folder / name for name in names if (folder / name).is_file()]
    if len(present) > 1:
        _fail(f"more than one settings file: {', '.join(p.name for p in present)}; keep one")
    if not present:
        return {}
    settings = _parse_settings_file(present[0])
    if not isinstance(settings, dict):
        _fail(f"{present[0].name} must hold a table of settings (slug, title, ...)")
    return settings


def _parse_settings_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            return tomllib.loads(text)
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        _fail(f"cannot read {path.name}: {_short(exc)}")


def _short(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0][:300] or type(exc).__name__


def _fail(message: str) -> NoReturn:
    raise LabFormatError([CellError(None, message)])
