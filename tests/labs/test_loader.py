"""Loading a lab from disk: the notebook, the settings file beside it, the format."""

import json
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from labs.format import load_lab, load_labs
from labs.spec import LabFormatError, LabSpec

FIXTURES = Path(__file__).parent / "fixtures"
NBGRADER_DIR = FIXTURES / "nbgrader_reference"
OTTER_DIR = FIXTURES / "otter_v1"


def only_error(path: Path, **kwargs) -> str:
    with pytest.raises(LabFormatError) as caught:
        load_lab(path, **kwargs)
    [error] = caught.value.errors
    assert error.index is None
    return error.message


def native_notebook(cultivate: dict | None = None) -> nbformat.NotebookNode:
    answer = {"grade_id": "a", "solution": True, "schema_version": 3}
    test = {"grade_id": "t", "grade": True, "points": 1, "schema_version": 3}
    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"nbgrader": answer}),
            new_code_cell("assert x == 1", metadata={"nbgrader": test}),
        ]
    )
    if cultivate is not None:
        nb.metadata["cultivate"] = cultivate
    return nb


def write(directory: Path, nb: nbformat.NotebookNode, name: str = "lab.ipynb") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    nbformat.write(nb, path)
    return path


def test_directory_with_nbgrader_notebook_and_lab_toml():
    spec = load_lab(NBGRADER_DIR)
    assert spec.source_format == "native"
    assert spec.settings.slug == "descriptive-stats"
    assert spec.settings.cell_timeout == 20
    assert spec.settings.review_policy == "manual"
    assert spec.settings.skills == ("statistics",)


def test_notebook_file_reads_the_settings_beside_it():
    spec = load_lab(NBGRADER_DIR / "descriptive_stats.ipynb")
    assert spec.settings.slug == "descriptive-stats"


def test_otter_is_detected_and_lab_yaml_merged():
    spec = load_lab(OTTER_DIR)
    assert spec.source_format == "otter"
    assert spec.settings.slug == "stats-warmup"
    assert spec.settings.passing_score == 80.0


def test_format_can_be_forced():
    assert load_lab(OTTER_DIR, fmt="otter").source_format == "otter"
    assert load_lab(NBGRADER_DIR, fmt="nbgrader").source_format == "nbgrader"


def test_settings_file_wins_over_notebook_metadata(tmp_path):
    write(tmp_path, native_notebook({"slug": "in-notebook", "memory_mb": 512}))
    (tmp_path / "lab.json").write_text(json.dumps({"slug": "in-file"}))
    spec = load_lab(tmp_path)
    assert (spec.settings.slug, spec.settings.memory_mb) == ("in-file", 512)


def test_nbgrader_format_ignores_notebook_metadata(tmp_path):
    write(tmp_path, native_notebook({"slug": "in-notebook", "memory_mb": 512}))
    (tmp_path / "lab.toml").write_text('slug = "in-file"\n')
    spec = load_lab(tmp_path, fmt="nbgrader")
    assert (spec.settings.slug, spec.settings.memory_mb) == ("in-file", 1024)


def test_unknown_format(tmp_path):
    assert only_error(NBGRADER_DIR, fmt="jupyter").startswith("unknown format 'jupyter'")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not json", "lab.ipynb is not valid JSON"),
        (b'{"cells": [1, 2', "lab.ipynb is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "lab.ipynb is not valid JSON"),
        (b'{"name": "a notebook?"}', "lab.ipynb is JSON but not a Jupyter notebook"),
        (b"\xff\xfe not utf-8", "lab.ipynb is not UTF-8 text"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, '
            b'"cells": [{"cell_type": "code"}]}',
            "lab.ipynb is not a valid nbformat v4 notebook",
        ),
        (
            b'{"nbformat": 9, "nbformat_minor": 0, "metadata": {}, "cells": []}',
            "lab.ipynb is not a valid nbformat v4 notebook",
        ),
    ],
)
def test_unreadable_notebooks_say_why(tmp_path, content, message):
    (tmp_path / "lab.ipynb").write_bytes(content)
    assert only_error(tmp_path).startswith(message)


def test_cells_without_ids_are_read_without_warnings(tmp_path):
    nb = json.loads(nbformat.writes(native_notebook({"slug": "no-ids"})))
    for cell in nb["cells"]:
        del cell["id"]
    (tmp_path / "lab.ipynb").write_text(json.dumps(nb))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_lab(tmp_path).settings.slug == "no-ids"


def test_a_directory_without_notebooks_says_so(tmp_path):
    assert "holds no .ipynb notebook" in only_error(tmp_path)


def test_a_directory_of_several_notebooks_is_one_lab_each_and_load_lab_wants_one(tmp_path):
    write(tmp_path, native_notebook(), "one.ipynb")
    write(tmp_path, native_notebook(), "two.ipynb")
    assert "holds 2 labs" in only_error(tmp_path)
    assert len(load_labs(tmp_path)) == 2


def test_path_must_exist_and_be_a_notebook(tmp_path):
    assert only_error(tmp_path / "missing").startswith("no such file or directory")
    (tmp_path / "lab.toml").write_text('slug = "x"\n')
    assert only_error(tmp_path / "lab.toml") == "lab.toml is not a .ipynb notebook"


def test_one_settings_file_only(tmp_path):
    write(tmp_path, native_notebook())
    (tmp_path / "lab.toml").write_text('slug = "a"\n')
    (tmp_path / "lab.yaml").write_text("slug: b\n")
    assert only_error(tmp_path).startswith("more than one settings file: lab.toml, lab.yaml")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("lab.toml", "slug = ", "cannot read lab.toml:"),
        ("lab.json", "{", "cannot read lab.json:"),
        ("lab.yaml", "slug: [a", "cannot read lab.yaml:"),
        ("lab.yaml", "- a list", "lab.yaml must hold a table of settings"),
    ],
)
def test_bad_settings_files(tmp_path, name, content, message):
    write(tmp_path, native_notebook())
    (tmp_path / name).write_text(content)
    assert only_error(tmp_path).startswith(message)


def test_fixture_copies_load_the_same(tmp_path):
    shutil.copytree(OTTER_DIR, tmp_path / "otter")
    assert load_lab(tmp_path / "otter") == load_lab(OTTER_DIR)


@pytest.mark.parametrize("directory", [NBGRADER_DIR, OTTER_DIR])
def test_spec_survives_storage_as_json(directory):
    spec = load_lab(directory)
    stored = json.loads(json.dumps(spec.to_dict()))
    assert LabSpec.from_dict(stored) == spec
    assert LabSpec.from_dict(stored).content_hash() == spec.content_hash()
