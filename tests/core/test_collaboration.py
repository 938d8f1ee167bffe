"""Collaboration across teams: the links managers and staff see, and who may see them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.collaboration import Quarter, collaboration
from mentoring.models import Answer, Mentorship, Question
from tests.factories import PersonFactory, TeamFactory
from tests.hackathons.helpers import make_event, make_team

URL = "/collaboration/"


def this_quarter(day: int = 0) -> datetime.date:
    return Quarter.of(timezone.localdate()).start + datetime.timedelta(days=day)


def mentoring(mentor, mentee, on: datetime.date, status=Mentorship.Status.ACTIVE):
    return Mentorship.objects.create(mentor=mentor, mentee=mentee, status=status, start_date=on)


def answered(asker, answerer, *, anonymous=False):
    question = Question.objects.create(author=asker, title="How?", anonymous=anonymous)
    return Answer.objects.create(question=question, author=answerer, body="Like this.")


@pytest.fixture
def teams(db):
    """Three teams of two, and one team of one that works with nobody."""
    names = ["Data platform", "Evaluation", "Serving", "Research"]
    made = {name: TeamFactory(name=name, slug=name.lower().replace(" ", "-")) for name in names}
    people = {name: [PersonFactory(team=team) for _ in range(2)] for name, team in made.items()}
    people["Research"].pop().delete()
    return made, people


def test_links_are_counted_per_team_quarter_and_kind(teams):
    made, people = teams
    data, evaluation, serving = people["Data platform"], people["Evaluation"], people["Serving"]
    mentoring(data[0], evaluation[0], this_quarter(3))
    last_quarter = Quarter.of(this_quarter()).before().start
    mentoring(data[1], serving[0], last_quarter)
    mentoring(data[0], data[1], this_quarter(4))  # the same team: no link
    mentoring(serving[1], evaluation[1], this_quarter(5), status=Mentorship.Status.PROPOSED)
    answered(evaluation[0], serving[0])
    answered(serving[1], data[0], anonymous=True)  # never counted: it could name the asker
    event = make_event()
    make_team(event, data[0], serving[1], evaluation[1])

    result = collaboration(today=timezone.localdate())

    rows = {row.team.name: row for row in result.rows}
    assert rows["Data platform"].per_quarter == [0, 0, 1, 3]
    assert rows["Data platform"].per_kind == {"hackathon": 2, "mentoring": 2, "questions": 0}
    assert rows["Evaluation"].per_quarter[-1] == 4  # mentoring, question, hackathon (2 teams)
    assert rows["Serving"].per_kind == {"hackathon": 2, "mentoring": 1, "questions": 1}
    assert [t.name for t in rows["Data platform"].partners] == ["Evaluation", "Serving"]
    assert [team.name for team in result.isolated] == ["Research"]
    pairs = {(e.team_a.name, e.team_b.name): e.count for e in result.edges}
    assert pairs == {
        ("Data platform", "Evaluation"): 2,
        ("Data platform", "Serving"): 2,
        ("Evaluation", "Serving"): 2,
    }
    assert len(result.nodes) == 4 and all(float(edge.width) >= 1 for edge in result.edges)


def test_the_page_shows_the_picture_its_tables_and_the_isolated_teams(client, teams, org):
    made, people = teams
    mentoring(people["Data platform"][0], people["Serving"][0], this_quarter(1))
    client.force_login(org.manager.user)

    page = client.get(URL)

    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg class="collaboration__svg"' in html and "<desc" in html
    assert "Teams with no link to another team this quarter" in html
    assert f'href="{made["Research"].get_absolute_url()}">Research</a>' in html
    assert "Mentoring pairs" in html and "Pairs of teams" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("engineer", 404), ("peer", 404), ("outsider", 404), ("manager", 200), ("staff", 200)],
)
def test_only_managers_and_staff_see_it(client, org, who, status):
    client.force_login(getattr(org, who).user)
    assert client.get(URL).status_code == status


def test_anonymous_people_are_asked_to_sign_in(client, db):
    page = client.get(URL)
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_queries_do_not_grow_with_the_links(client, teams, org):
    made, people = teams
    client.force_login(org.staff.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    mentoring(people["Data platform"][0], people["Serving"][0], this_quarter(1))
    few = queries()
    for i in range(10):
        mentee = PersonFactory(team=made["Serving"])
        mentoring(people["Evaluation"][i % 2], mentee, this_quarter(i))
        answered(mentee, people["Data platform"][1])
    event = make_event()
    make_team(event, people["Research"][0], people["Evaluation"][0], people["Serving"][1])
    assert queries() == few
