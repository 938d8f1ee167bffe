"""Reading a lab from disk: the notebook, the settings file beside it, and the format to parse."""

import json
import tomllib
from pathlib import Path
from typing import Any, NoReturn

import nbformat
import yaml

from labs.format.nbgrader import parse_nbgrader
from labs.format.otter import is_otter_notebook, parse_otter
from labs.spec import CellError, LabFormatError, LabSpec

FORMATS = ("auto", "native", "nbgrader", "otter")
SETTINGS_FILES = ("lab.toml", "lab.json", "lab.yaml", "lab.yml")


def load_lab(path: Path, *, fmt: str = "auto") -> LabSpec:
    """Parse the lab at `path`: a .ipynb file, or a directory holding exactly one.

    A `lab.toml`, `lab.json` or `lab.yaml` beside the notebook gives settings that win over the
    notebook's own. `fmt="auto"` reads Otter block cells as Otter, anything else as native.
    Raises LabFormatError, naming the problem, for anything that is not a usable lab.
    """
    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    notebook_path = _notebook_path(Path(path))
    nb = read_notebook(notebook_path)
    settings = _read_settings(notebook_path.parent)
    chosen = detect_format(nb) if fmt == "auto" else fmt
    if chosen == "otter":
        return parse_otter(nb, settings=settings)
    return parse_nbgrader(nb, settings=settings, source_format=chosen)


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


def _notebook_path(path: Path) -> Path:
    if path.is_file():
        if path.suffix != ".ipynb":
            _fail(f"{path.name} is not a .ipynb notebook")
        return path
    if not path.is_dir():
        _fail(f"no such file or directory: {path}")
    notebooks = sorted(path.glob("*.ipynb"))
    if len(notebooks) != 1:
        found = ", ".join(n.name for n in notebooks) or "none"
        _fail(f"{path} must hold exactly one .ipynb notebook (found: {found})")
    return notebooks[0]


def _read_settings(directory: Path) -> dict:
    present = [directory / name for name in SETTINGS_FILES if (directory / name).is_file()]
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
