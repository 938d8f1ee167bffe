"""The import report on the lab's page: curriculum authors (staff) read what the import made of
each cell and what validating the lab found; learners never see it (it names hidden tests)."""

import html
import re

import pytest

from labs.services import lab_store
from tests.labs.conftest import FIXTURES, validated

UNKNOWN_KEYS = FIXTURES / "otter_compat" / "unknown_keys"


@pytest.fixture
def otter_lab(db):
    """An Otter lab whose hidden test's config holds keys Otter does not use."""
    spec, report = validated(UNKNOWN_KEYS)
    return lab_store(spec=spec, report=report).lab


def lab_page(client, lab) -> str:
    response = client.get(f"/labs/{lab.slug}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_staff_read_what_was_ignored_per_cell_and_how_validation_went(otter_lab, client, org):
    client.force_login(org.staff.user)

    page = lab_page(client, otter_lab)

    assert "Import report" in page
    # the unknown keys, each named, under the test cell they came from (one heading per cell)
    assert "q1-test-1: test config key 'name' (Otter ignores it)" in page
    assert "q1-test-2: test config key 'description' (Otter ignores it)" in page
    assert page.count("Cell 8 · q1-test-1") == 1
    assert page.count("Cell 9 · q1-test-2") == 1
    cell_8 = page[page.index("Cell 8 · q1-test-1") : page.index("Cell 9 · q1-test-2")]
    assert "'name'" in cell_8 and "'locked'" in cell_8 and "'description'" not in cell_8
    assert re.search(r">\s*ignored\s*<", cell_8)
    assert "a visible test, judged by its output" in cell_8
    # the validation outcome: the reference three times at full marks, the release at zero
    assert re.search(r"Full marks in 3 runs:\s*3, 3, 3\s*of 3 automatic points", page)
    assert "Scores zero, as it must" in page
    assert "None: every check graded the same in every run" in page


@pytest.mark.parametrize("role", ["engineer", "manager", "director", "outsider"])
def test_learners_get_the_page_without_the_report(otter_lab, client, org, role):
    client.force_login(getattr(org, role).user)

    page = lab_page(client, otter_lab)

    assert "Import report" not in page
    assert "test config key" not in page
    assert "Otter ignores it" not in page
    assert "Full marks in" not in page


def test_a_version_stored_without_notes_says_so(db, client, org):
    spec, report = validated(UNKNOWN_KEYS)
    lab = lab_store(spec=spec, report={**report, "notes": []}).lab
    client.force_login(org.staff.user)

    page = lab_page(client, lab)

    assert "No notes were stored with this version." in page
