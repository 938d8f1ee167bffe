"""Every bad upload answers 400/413 with a reason in the product's words and stores nothing.

The reason is what a learner reads: it must say what is wrong with the file, never quote a
Python exception. The fuzz tests at the end throw mutated notebooks at the page and the API.
"""

import copy
import json
import re

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from labs.format import build_release, load_lab
from labs.models import Submission
from tests.labs.conftest import CORRECT, FIXTURES, answered_notebook

RESAVE = "Open it in Jupyter and save it, or download the lab's notebook again."

# What a learner must never read: the words of Python and of its libraries' exceptions.
PYTHON_WORDS = re.compile(
    r"Traceback|Error\b|Exception|NoneType|\bobject\b|'(str|int|dict|list|float|bool)'|"
    r"not subscriptable|item assignment|has no attribute|unhashable|is not of type|"
    r"is not valid under|required property|Expecting (value|property)|\(char \d+\)|"
    r"Multipart form parse"
)


def assert_product_words(reason: str) -> None:
    assert reason.strip(), "an answer without a reason"
    assert not PYTHON_WORDS.search(reason), reason


@pytest.fixture
def api(org):
    client = APIClient()
    client.force_authenticate(org.engineer.user)
    return client


def upload(api, lab, data: bytes, name="answers.ipynb"):
    file = SimpleUploadedFile(name, data, content_type="application/x-ipynb+json")
    return api.post(f"/api/labs/{lab.slug}/submissions/", {"notebook": file}, format="multipart")


def page_upload(client, lab, data: bytes):
    file = SimpleUploadedFile("answers.ipynb", data, content_type="application/x-ipynb+json")
    return client.post(f"/labs/{lab.slug}/submit/", {"notebook": file})


def page_reasons(response) -> list[str]:
    """The error messages the upload form shows under the file field."""
    page = response.content.decode()
    found = re.search(r'<ul class="errorlist" id="id_notebook_error">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []


def good_notebook(version) -> bytes:
    return nbformat.writes(answered_notebook(version, CORRECT)).encode()


def another_labs_notebook() -> bytes:
    return nbformat.writes(build_release(load_lab(FIXTURES / "otter_v1"))).encode()


def deep_nesting() -> bytes:
    return b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b', "nbformat": 4}'


def too_many_cells(version) -> bytes:
    notebook = answered_notebook(version, CORRECT)
    notebook.cells += [nbformat.v4.new_markdown_cell("x") for _ in range(600)]
    return nbformat.writes(notebook).encode()


def answered(version) -> dict:
    """The answered notebook as plain JSON, to break on purpose."""
    return json.loads(good_notebook(version))


def broken(change):
    """A bad upload: the answered notebook after `change(notebook)`."""

    def make(version) -> bytes:
        notebook = answered(version)
        change(notebook)
        return json.dumps(notebook).encode()

    return make


def first_answer(notebook: dict) -> dict:
    return next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))


def _set(target: dict, key: str, value):
    target[key] = value


# case: (make the file, status, the whole reason the learner reads)
BAD = {
    "not JSON": (
        lambda v: b"this is not a notebook",
        400,
        "The file is not JSON (line 1, column 1 is unexpected).",
    ),
    "deep nesting": (
        lambda v: deep_nesting(),
        400,
        "The file's JSON is nested too deeply to be a notebook.",
    ),
    "bad UTF-8": (
        lambda v: b'{"cells": [], "x": "\xff\xfe"}',
        400,
        "The file is not UTF-8 text (byte 21 is invalid).",
    ),
    "empty file": (lambda v: b"  \n", 400, "The file is empty."),
    "JSON but not a notebook": (
        lambda v: b"[1, 2, 3]",
        400,
        "The file is JSON but not a Jupyter notebook (no cells or nbformat).",
    ),
    "an old notebook format": (
        broken(lambda nb: _set(nb, "nbformat", 3)),
        400,
        f"The notebook is not in format version 4, the one Jupyter saves. {RESAVE}",
    ),
    "cells not a list": (
        broken(lambda nb: _set(nb, "cells", "abc")),
        400,
        f"The notebook's cells are not a list. {RESAVE}",
    ),
    # The report of issue 8: "'str' object does not support item assignment".
    "a cell that is a string": (
        broken(lambda nb: nb["cells"].insert(1, "print(1)")),
        400,
        f"Cell 2 is not a notebook cell. {RESAVE}",
    ),
    "an unknown cell type": (
        broken(lambda nb: _set(nb["cells"][0], "cell_type", "bogus")),
        400,
        f"Cell 1 is neither a code, a markdown nor a raw cell. {RESAVE}",
    ),
    "notebook metadata not named fields": (
        broken(lambda nb: _set(nb, "metadata", ["kernel"])),
        400,
        f'The notebook\'s metadata should be named fields ({{"name": value, …}}). {RESAVE}',
    ),
    "cultivate metadata a string": (
        broken(lambda nb: _set(nb["metadata"], "cultivate", "reference-stats")),
        400,
        "The notebook's “cultivate” metadata should be named fields "
        f'({{"name": value, …}}). {RESAVE}',
    ),
    "the lab's name a number": (
        broken(lambda nb: _set(nb["metadata"], "cultivate", {"lab": 7})),
        400,
        f"The lab named in the notebook's metadata should be text. {RESAVE}",
    ),
    "cell metadata a string": (
        broken(lambda nb: _set(nb["cells"][0], "metadata", "x")),
        400,
        f'Cell 1\'s metadata should be named fields ({{"name": value, …}}). {RESAVE}',
    ),
    "source a list of numbers": (
        broken(lambda nb: _set(first_answer(nb), "source", [1, 2])),
        400,
        f"Cell 4's source is not text. {RESAVE}",
    ),
    "nbgrader metadata a list": (
        broken(lambda nb: _set(first_answer(nb)["metadata"], "nbgrader", ["solution"])),
        400,
        f'Cell 4\'s nbgrader metadata should be named fields ({{"name": value, …}}). {RESAVE}',
    ),
    "grade_id a number": (
        broken(lambda nb: _set(first_answer(nb)["metadata"]["nbgrader"], "grade_id", 3)),
        400,
        f"Cell 4's grade_id should be text. {RESAVE}",
    ),
    "outputs a string": (
        broken(lambda nb: _set(first_answer(nb), "outputs", "42")),
        400,
        "Cell 4's outputs are not a list of outputs; clear them and try again.",
    ),
    "an output that is a number": (
        broken(lambda nb: _set(first_answer(nb), "outputs", [42])),
        400,
        "Cell 4's outputs are not a list of outputs; clear them and try again.",
    ),
    "an output of an unknown kind": (
        broken(lambda nb: _set(first_answer(nb), "outputs", [{"output_type": "bogus"}])),
        400,
        f"The notebook does not follow the notebook format (at cell 4, output 1). {RESAVE}",
    ),
    "execution count as text": (
        broken(lambda nb: _set(first_answer(nb), "execution_count", "one")),
        400,
        "The notebook does not follow the notebook format "
        f"(at cell 4, “execution_count”). {RESAVE}",
    ),
    "a cell without metadata": (
        broken(lambda nb: first_answer(nb).pop("metadata")),
        400,
        "The notebook does not follow the notebook format "
        f"(at cell 4: “metadata” is missing). {RESAVE}",
    ),
    "a NUL in an answer": (
        broken(lambda nb: _set(first_answer(nb), "source", "x = 1\x00")),
        400,
        "The answer “mean_of” holds characters that are not text "
        "(a NUL or an unpaired surrogate); remove them and upload again.",
    ),
    "no answer cells": (
        broken(lambda nb: _set(nb, "cells", [])),
        400,
        "The notebook has no answer cells of this lab (cells with a grade_id).",
    ),
    "another lab's notebook": (
        lambda v: another_labs_notebook(),
        400,
        "This notebook belongs to the lab “stats-warmup”, not “reference-stats”. "
        "Download this lab's notebook and answer in it.",
    ),
    "too many cells": (
        too_many_cells,
        400,
        "The notebook has 611 cells; at most 500 are accepted.",
    ),
}


@pytest.mark.parametrize("case", BAD.keys())
def test_bad_uploads_are_refused_with_a_reason_and_store_nothing(case, api, reference_version):
    make, status, reason = BAD[case]

    response = upload(api, reference_version.lab, make(reference_version))

    assert response.status_code == status, response.content
    assert response.json() == {"notebook": [reason]}
    assert_product_words(reason)
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("case", ["a cell that is a string", "grade_id a number", "not JSON"])
def test_the_upload_page_shows_the_same_reasons(case, client, org, reference_version):
    make, _, reason = BAD[case]
    client.force_login(org.engineer.user)

    response = page_upload(client, reference_version.lab, make(reference_version))

    assert response.status_code == 400
    assert page_reasons(response) == [reason.replace("'", "&#x27;").replace('"', "&quot;")]
    assert Submission.objects.count() == 0


def test_an_oversize_file_answers_413(api, reference_version, settings):
    settings.LABS_MAX_UPLOAD_BYTES = 2_000
    data = good_notebook(reference_version)
    assert len(data) > 2_000

    response = upload(api, reference_version.lab, data)

    assert response.status_code == 413
    reason = response.json()["notebook"][0]
    assert reason.startswith("The file is ") and reason.endswith("; the limit is 0.0 MB.")
    assert Submission.objects.count() == 0


def test_a_missing_file_field_is_a_400(api, reference_version):
    response = api.post(
        f"/api/labs/{reference_version.lab.slug}/submissions/", {}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "notebook": ["Attach the notebook as the multipart field `notebook`."]
    }


def test_a_malformed_multipart_body_is_explained_in_our_words(api, reference_version):
    response = api.generic(
        "POST",
        f"/api/labs/{reference_version.lab.slug}/submissions/",
        b"--x\r\nnot a part",
        content_type="multipart/form-data",  # no boundary
    )

    assert response.status_code == 400
    reason = response.json()["notebook"][0]
    assert reason.startswith("The request is not a well-formed multipart form.")
    assert_product_words(reason)


def test_a_good_notebook_is_stored_queued_with_its_answers_only(api, reference_version, org):
    response = upload(api, reference_version.lab, good_notebook(reference_version))

    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.version == reference_version
    assert submission.person == org.engineer
    assert set(submission.answers) == {"mean_of", "scale", "spread"}


def test_attempts_are_limited_per_lab(api, reference_version, monkeypatch):
    import dataclasses

    from labs.models import LabVersion

    spec = reference_version.get_spec()
    limited = dataclasses.replace(spec, settings=dataclasses.replace(spec.settings, max_attempts=1))
    LabVersion.objects.filter(pk=reference_version.pk).update(spec=limited.to_dict())

    first = upload(api, reference_version.lab, good_notebook(reference_version))
    second = upload(api, reference_version.lab, good_notebook(reference_version))

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json() == {"notebook": ["You have used all 1 attempts of this lab."]}
    assert Submission.objects.count() == 1


def test_an_unforeseen_failure_is_logged_and_answered_in_our_words(
    api, reference_version, monkeypatch, caplog
):
    """Whatever a check misses, the learner reads a sentence and the operator a traceback."""
    import labs.uploads

    def trips(notebook):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(labs.uploads, "learner_answers", trips)

    response = upload(api, reference_version.lab, good_notebook(reference_version))

    assert response.status_code == 400
    assert response.json() == {
        "notebook": [f"The notebook could not be read as a Jupyter notebook. {RESAVE}"]
    }
    assert "not subscriptable" in caplog.text  # the traceback is in the log, for us
    assert Submission.objects.count() == 0


# --- fuzzing ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["\x00", "\ud800", "code", "markdown", "raw", "stream", "mean_of", ""]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def paths_in(node, path=()):
    """Every place in a JSON document: (key, key, …) from the top."""
    yield path
    if isinstance(node, dict | list):
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            yield from paths_in(child, (*path, key))


@st.composite
def mutated_notebooks(draw, base: dict) -> bytes:
    """The answered notebook with one to three places replaced, removed or added to; now and
    then cut short, as a broken download would be."""
    notebook = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths_in(notebook))[1:]))
        parent = notebook
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "remove":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], list):
            parent[path[-1]].append(draw(json_values))
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(max_size=10))] = draw(json_values)
    data = json.dumps(notebook).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure can be replayed
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_mutated_notebooks_get_201_or_a_reason_in_our_words_through_the_api(
    data, api, reference_version
):
    body = data.draw(mutated_notebooks(answered(reference_version)))
    before = Submission.objects.count()

    response = upload(api, reference_version.lab, body)

    assert response.status_code in (201, 400, 413), response.content
    if response.status_code == 201:
        assert Submission.objects.count() == before + 1
    else:
        assert_product_words(response.json()["notebook"][0])
        assert Submission.objects.count() == before


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_mutated_notebooks_get_a_submission_or_a_reason_in_our_words_on_the_page(
    data, client, org, reference_version
):
    client.force_login(org.engineer.user)
    body = data.draw(mutated_notebooks(answered(reference_version)))
    before = Submission.objects.count()

    response = page_upload(client, reference_version.lab, body)

    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert Submission.objects.count() == before + 1
    else:
        reasons = page_reasons(response)
        assert reasons
        for reason in reasons:
            assert_product_words(reason)
        assert Submission.objects.count() == before
