"""Acceptance 1 through the `import_lab` command: real formats import, bad ones are refused."""

import json
import shutil

import nbformat
import pytest
from django.core.management import CommandError, call_command

from labs.models import Lab, LabVersion
from tests.labs.conftest import FIXTURES, REFERENCE_LAB


def import_lab(path, *args):
    call_command("import_lab", str(path), *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_an_nbgrader_notebook_imports_unchanged(db):
    import_lab(FIXTURES / "nbgrader_reference", "--format", "nbgrader")

    lab = Lab.objects.get(slug="descriptive-stats")
    version = lab.current_version
    assert version.source_format == "nbgrader"
    assert version.validation["ok"] and version.validation["release_score"] == 0
    release = json.dumps(version.release)
    assert "BEGIN SOLUTION" not in release and "raise NotImplementedError()" in release
    assert version.get_spec().max_score == 5  # 2 autograded + 3 graded by hand


def test_an_otter_v1_assignment_imports(db):
    import_lab(FIXTURES / "otter_v1", "--format", "otter")

    version = LabVersion.objects.get(lab__slug__isnull=False, source_format="otter")
    assert version.validation["ok"]
    assert version.validation["reference_scores"] == [7.0, 7.0, 7.0]
    outputs = [c for t in version.get_spec().tests for c in t.sealed if c.compare == "output"]
    assert outputs and all(c.expected is not None for c in outputs)  # from the reference run


def test_importing_the_same_lab_twice_gives_one_version_and_a_new_one_on_change(db, tmp_path):
    import_lab(REFERENCE_LAB)
    import_lab(REFERENCE_LAB)
    assert LabVersion.objects.count() == 1

    changed = tmp_path / "lab"
    shutil.copytree(REFERENCE_LAB, changed)
    notebook = next(changed.glob("*.ipynb"))
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source += "\n\nNow with a typo fixed."
    nbformat.write(nb, notebook)
    import_lab(changed)

    lab = Lab.objects.get(slug="reference-stats")
    assert [v.number for v in lab.versions.order_by("number")] == [1, 2]
    assert lab.current_version.number == 2


def test_sealed_expected_values_are_kept_with_the_version_not_the_release(db):
    import_lab(REFERENCE_LAB)

    version = LabVersion.objects.get()
    check = version.get_spec().cell_by_grade_id("test_spread").sealed[0]
    assert check.expected == pytest.approx(2.138089935299395)
    assert "2.138" not in json.dumps(version.release)


def test_an_invalid_lab_is_refused_with_errors_that_name_the_cell(db, tmp_path):
    nb = nbformat.read(next(REFERENCE_LAB.glob("*.ipynb")), as_version=4)
    nb.cells[4].metadata["nbgrader"]["grade_id"] = "mean_of"  # duplicate of the answer cell
    del nb.cells[7].metadata["nbgrader"]["points"]
    nbformat.write(nb, tmp_path / "broken.ipynb")

    with pytest.raises(CommandError) as error:
        import_lab(tmp_path / "broken.ipynb")

    message = str(error.value)
    assert "cell 4" in message and "mean_of" in message
    assert "cell 7" in message and "points" in message
    assert not Lab.objects.exists()


def test_a_lab_whose_reference_fails_is_refused_unless_forced(db, tmp_path):
    nb = nbformat.read(next(REFERENCE_LAB.glob("*.ipynb")), as_version=4)
    nb.cells[7].source = "assert scale([2, 4, 6]) == [0, 1, 2]"  # the reference cannot pass
    nbformat.write(nb, tmp_path / "wrong.ipynb")

    with pytest.raises(CommandError, match="reference solution scores 3/4"):
        import_lab(tmp_path / "wrong.ipynb")
    assert not LabVersion.objects.exists()

    import_lab(tmp_path / "wrong.ipynb", "--force")
    assert LabVersion.objects.get().validation["ok"] is False


def test_a_missing_path_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        import_lab(tmp_path / "nowhere")


def test_settings_added_later_keep_the_version_and_refresh_the_report(db, tmp_path):
    course = tmp_path / "source" / "week1"
    course.mkdir(parents=True)
    shutil.copy(FIXTURES / "nbgrader_reference" / "descriptive_stats.ipynb", course)
    import_lab(course)
    first = Lab.objects.get().current_version
    assert first.lab.slug == "week1-descriptive_stats"  # from the folder and file names
    assert any("slug" in note["message"] for note in first.validation["notes"])

    (course / "lab.toml").write_text('slug = "week1-descriptive_stats"\ntitle = "Week 1"\n')
    import_lab(course)

    again = Lab.objects.get().current_version
    assert (again.pk, again.number, again.content_hash) == (first.pk, 1, first.content_hash)
    assert again.lab.title == "Week 1"
    assert not any("slug" in note["message"] for note in again.validation["notes"])


@pytest.mark.parametrize("slug", ["reviews", "people", "submissions"])
def test_a_slug_that_names_a_page_of_ours_is_refused_before_anything_runs(db, tmp_path, slug):
    folder = tmp_path / "lab"
    shutil.copytree(REFERENCE_LAB, folder)
    (folder / "lab.toml").write_text(f'slug = "{slug}"\n')

    with pytest.raises(CommandError, match=f"The slug “{slug}” names a page of Cultivate's own"):
        import_lab(folder)

    assert not Lab.objects.exists()
