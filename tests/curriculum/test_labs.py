"""Acceptance 1 of the curriculum: every shipped lab passes the engine's import validation."""

import pytest

from core.skills.catalog import SKILLS
from tests.curriculum.conftest import LABS, lab

CATALOG = {row[0] for row in SKILLS}


@pytest.mark.parametrize("slug", sorted(LABS))
def test_every_shipped_lab_passes_import_validation(slug):
    spec, report = lab(slug)  # validated(): asserts report["ok"]

    assert report["reference_scores"] == [spec.auto_max_score] * 3
    assert report["release_score"] == 0
    assert not report["flaky"]
    assert spec.settings.slug == slug
    assert set(spec.settings.skills) <= CATALOG, f"{slug} names skills the catalog lacks"
    assert any(check for test in spec.tests for check in test.sealed), f"{slug} has no sealed check"
    hidden = [test for test in spec.tests if test.has_hidden_part or test.hidden]
    assert hidden, f"{slug} has no hidden tests"
