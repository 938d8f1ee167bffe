"""`LongSelect`, the team filter's widget, writes the same HTML as Django's own <select>."""

import pytest
from django import forms
from pytest_django.asserts import assertHTMLEqual

from core.forms import DirectorySearchForm, LongSelect
from tests.factories import TeamFactory

CHOICES = [("", "All teams"), ("ml", "ML & Data"), ("search", 'Search "<relevance>"')]
GROUPED = [("", "Any"), ("Platform", [("serving", "Serving"), ("data", "Data")]), ("x", "X")]
ATTRS = {"id": "id_team", "aria-describedby": "id_team_helptext", "aria-invalid": "true"}


@pytest.mark.parametrize("choices", [CHOICES, GROUPED], ids=["flat", "groups"])
@pytest.mark.parametrize("value", [None, "", "search", "data"])
def test_a_long_select_writes_what_djangos_select_writes(choices, value):
    ours = LongSelect(choices=choices).render("team", value, ATTRS)
    django = forms.Select(choices=choices).render("team", value, ATTRS)

    assertHTMLEqual(ours, django)  # the same elements and attributes, in any order


def test_the_directory_marks_the_chosen_team(db):
    TeamFactory(slug="ml", name="ML")
    TeamFactory(slug="data", name="Data")

    html = str(DirectorySearchForm({"team": "data"})["team"])

    assert '<option value="data" selected>Data</option>' in html
    assert '<option value="ml">ML</option>' in html
