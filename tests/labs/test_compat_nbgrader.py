"""nbgrader's own documentation example imports unchanged and grades as nbgrader grades it.

The example (`source/ps1/` and the submissions `submitted/bitdiddle/ps1/`,
`submitted/hacker/ps1/`) ships in nbgrader's wheel under `nbgrader/docs/source/user_guide/`.
Its files are not part of this project: the test downloads the pinned wheel at test time into
`var/compat-cache/` (`pip download nbgrader==0.9.6 --no-deps`) and extracts those folders.

The expected verdicts are nbgrader's, obtained once by running nbgrader itself:

    python3 -m venv var/compat-h6/nbgrader
    var/compat-h6/nbgrader/bin/pip install nbgrader==0.9.6
    cp -r var/compat-h6/nbgrader/lib/python3.11/site-packages/nbgrader/docs/source/user_guide \
        var/compat-h6/nbgrader-course
    cd var/compat-h6/nbgrader-course && rm -rf autograded feedback release gradebook.db
    nbgrader generate_assignment ps1 --force && nbgrader autograde ps1 --force

and reading each grade cell's `auto_score` from the gradebook (`nbgrader.api.Gradebook`,
`find_submission_notebook(...).grades`):

    bitdiddle problem1 correct_squares              0.0 of 1.0
    bitdiddle problem1 correct_sum_of_squares       0.0 of 0.5
    bitdiddle problem1 squares_invalid_input        1.0 of 1.0
    bitdiddle problem1 sum_of_squares_uses_squares  0.5 of 0.5
    hacker    problem1 correct_squares              1.0 of 1.0
    hacker    problem1 correct_sum_of_squares       0.5 of 0.5
    hacker    problem1 squares_invalid_input        1.0 of 1.0
    hacker    problem1 sum_of_squares_uses_squares  0.5 of 0.5

(problem2 has no autograded test: its answers are graded by hand. nbgrader also gives
bitdiddle's hand-graded code answer `sum_of_squares_application` an automatic 0 because it
raised; Cultivate leaves every hand-graded answer to a reviewer.)
"""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from labs.models import Lab
from labs.services import grading_run
from labs.uploads import parse_upload
from tests.conftest import skip_or_fail

NBGRADER_VERSION = "0.9.6"
EXAMPLE = "nbgrader/docs/source/user_guide/"
EXPECTED = {
    "bitdiddle": {
        "correct_squares": 0.0,
        "correct_sum_of_squares": 0.0,
        "squares_invalid_input": 1.0,
        "sum_of_squares_uses_squares": 0.5,
    },
    "hacker": {
        "correct_squares": 1.0,
        "correct_sum_of_squares": 0.5,
        "squares_invalid_input": 1.0,
        "sum_of_squares_uses_squares": 0.5,
    },
}


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """nbgrader's documentation example, extracted from the pinned wheel."""
    cache = Path(settings.VAR_DIR) / "compat-cache"
    cache.mkdir(parents=True, exist_ok=True)
    wheels = sorted(cache.glob(f"nbgrader-{NBGRADER_VERSION}-*.whl"))
    if not wheels:
        download = subprocess.run(  # noqa: S603 - pip, with fixed arguments
            [sys.executable, "-m", "pip", "download", f"nbgrader=={NBGRADER_VERSION}"]
            + ["--no-deps", "--dest", str(cache)],
            capture_output=True,
            text=True,
        )
        wheels = sorted(cache.glob(f"nbgrader-{NBGRADER_VERSION}-*.whl"))
        if download.returncode != 0 or not wheels:
            skip_or_fail(f"cannot download nbgrader's wheel: {download.stderr.strip()[-300:]}")
    root = tmp_path_factory.mktemp("nbgrader")
    with zipfile.ZipFile(wheels[0]) as wheel:
        for name in wheel.namelist():
            if name.startswith(EXAMPLE + "source/ps1/") or name.startswith(EXAMPLE + "submitted/"):
                wheel.extract(name, root)
    return root / EXAMPLE


def test_the_example_imports_with_no_added_files_one_lab_per_notebook(db, example):
    call_command("import_lab", str(example / "source" / "ps1"))

    labs = {lab.slug: lab for lab in Lab.objects.all()}
    assert sorted(labs) == ["ps1-problem1", "ps1-problem2"]
    problem1 = labs["ps1-problem1"].current_version
    assert problem1.validation["ok"], problem1.validation
    assert problem1.get_spec().auto_max_score == 3.0
    assert labs["ps1-problem1"].title == "Part A (2 points)"  # its first heading


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_nbgraders_verdict_on_every_autograded_test(db, example, student):
    call_command("import_lab", str(example / "source" / "ps1"))
    spec = Lab.objects.get(slug="ps1-problem1").current_version.get_spec()
    upload = (example / "submitted" / student / "ps1" / "problem1.ipynb").read_bytes()

    graded = grading_run(spec=spec, answers=parse_upload(upload, spec=spec))

    scores = {result.id: result.points for result in graded.grade.results}
    assert scores == EXPECTED[student]
