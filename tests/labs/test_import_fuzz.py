"""The import parsers fuzzed (issue 15, "Fuzzing"): a lab author's notebook and settings file,
mutated by hypothesis, either import or are refused with LabFormatError naming the problem in
words; no other exception escapes, whatever the format (native, nbgrader, Otter). Bounded: a
fixed number of examples, derandomised, so that a failure replays."""

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labs.format import load_lab
from labs.spec import LabFormatError, LabSpec
from tests.labs.conftest import FIXTURES, REFERENCE_LAB
from tests.labs.test_uploads import mutated_notebooks

SOURCES = {
    "native": REFERENCE_LAB,
    "nbgrader": FIXTURES / "nbgrader_reference",
    "otter": FIXTURES / "otter_v1",
}

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def notebook_in(folder: Path) -> Path:
    (notebook,) = folder.glob("*.ipynb")
    return notebook


def copy_of(source: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def imports_or_explains(folder: Path, fmt: str) -> None:
    try:
        spec = load_lab(folder, fmt=fmt)
    except LabFormatError as error:
        assert error.errors, "a refusal names at least one problem"
        for problem in error.errors:
            assert isinstance(problem.message, str) and problem.message.strip()
            assert "Traceback" not in problem.message
    else:
        assert isinstance(spec, LabSpec)


@pytest.mark.parametrize("fmt", sorted(SOURCES))
@FUZZ
@given(data=st.data())
def test_a_mutated_notebook_imports_or_is_explained(data, fmt, tmp_path_factory):
    folder = copy_of(SOURCES[fmt], tmp_path_factory.mktemp("lab"), fmt)
    notebook = notebook_in(folder)
    base = json.loads(notebook.read_text())
    notebook.write_bytes(data.draw(mutated_notebooks(base)))

    imports_or_explains(folder, "auto" if fmt == "native" else fmt)


@pytest.mark.parametrize("fmt", sorted(SOURCES))
@FUZZ
@given(cut=st.integers(0, 400), junk=st.binary(max_size=40))
def test_a_damaged_settings_file_is_explained(fmt, cut, junk, tmp_path_factory):
    folder = copy_of(SOURCES[fmt], tmp_path_factory.mktemp("lab"), fmt)
    settings_files = [p for p in folder.iterdir() if p.stem == "lab" and p.suffix != ".ipynb"]
    if not settings_files:  # the native lab keeps its settings in the notebook's metadata
        notebook = notebook_in(folder)
        nb = nbformat.read(notebook, as_version=4)
        nb.metadata["cultivate"] = {"junk": junk.decode("latin-1")}
        nbformat.write(nb, notebook)
    else:
        target = settings_files[0]
        text = target.read_bytes()
        target.write_bytes(text[:cut] + junk + text[cut:])

    imports_or_explains(folder, "auto" if fmt == "native" else fmt)


@pytest.mark.parametrize("version", [[], {}, "3", 2.5, None, True])
def test_a_schema_version_that_is_not_a_number_is_explained(version, tmp_path):
    """Found by the fuzzing above: a list there raised TypeError (a 500 on the import page)."""
    folder = copy_of(SOURCES["nbgrader"], tmp_path, "nbgrader")
    notebook = notebook_in(folder)
    nb = json.loads(notebook.read_text())
    graded = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    graded["metadata"]["nbgrader"]["schema_version"] = version
    notebook.write_text(json.dumps(nb))

    with pytest.raises(LabFormatError) as refused:
        load_lab(folder, fmt="nbgrader")
    assert "schema" in " ".join(problem.message for problem in refused.value.errors).lower()
