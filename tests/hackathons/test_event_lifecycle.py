"""Acceptance 1: a whole event through every phase, through the API, with three teams and three
judges, one of them harsh; the ranking checked against numbers worked out by hand.

The judges (criteria: Impact ×2, Craft ×1; H is in team C, so never scores it):

    judge  A(Impact, Craft)  B(Impact, Craft)  C(Impact, Craft)  mean  std
    J1     5, 5              3, 3              5, 3              4     1
    J2     4, 2              2, 4              4, 2              3     1
    H      3, 3              1, 1              (own team)        2     1

Every score is its judge's mean ± 1 standard deviation, so each z-score is +1 or −1:

    A: Impact (+1 +1 +1)/3 = 1,  Craft (+1 −1 +1)/3 = 1/3   total (2·1 + 1/3)/3 = 7/9  ≈  0.778
    C: Impact (+1 +1)/2    = 1,  Craft (−1 −1)/2    = −1    total (2·1 − 1)/3   = 1/3  ≈  0.333
    B: Impact −1,                Craft (−1 +1 −1)/3 = −1/3  total (−2 − 1/3)/3  = −7/9 ≈ −0.778

Raw weighted means put C first: A = (5 + 10/3 + 3)/3 ≈ 3.78 (H's harsh 3 drags it down) while
C = (13/3 + 10/3)/2 ≈ 3.83, because H never scored C. Normalised per judge, A wins.
"""

import pytest
from django.core import mail

from core.skills.models import Evidence, EvidenceKind
from hackathons.models import Event, Phase
from tests.factories import PersonFactory, TeamFactory, staff_person
from tests.hackathons.helpers import move_to, phase_dates

SCORES = {
    "j1": {"A": (5, 5), "B": (3, 3), "C": (5, 3)},
    "j2": {"A": (4, 2), "B": (2, 4), "C": (4, 2)},
    "h": {"A": (3, 3), "B": (1, 1)},
}


@pytest.fixture
def cast(db):
    org_teams = [TeamFactory(name=n) for n in ("Platform", "Search", "Data")]
    people = {
        name: PersonFactory(user__username=name, team=org_teams[i % 3])
        for i, name in enumerate(["a1", "a2", "b1", "b2", "c1", "j1", "j2", "h", "outsider"])
    }
    people["staff"] = staff_person(user__username="organiser")
    return people


def test_a_whole_event_from_ideas_to_results(
    cast, api, eager_tasks, django_capture_on_commit_callbacks
):
    staff = cast["staff"]
    dates = {k: v.isoformat() for k, v in phase_dates(Phase.UPCOMING).items()}

    # Staff create the event, with weighted criteria and three judges.
    response = api(staff).post(
        "/api/hackathons/",
        {
            "slug": "telemetry-hack",
            "title": "Telemetry hack",
            "max_team_size": 3,
            "judges": [cast["j1"].pk, cast["j2"].pk, cast["h"].pk],
            "criteria": [{"name": "Impact", "weight": "2"}, {"name": "Craft", "weight": "1"}],
            "awards": ["Best use of telemetry"],
            **dates,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["phase"] == "upcoming"
    event = Event.objects.get(slug="telemetry-hack")
    url = "/api/hackathons/telemetry-hack"

    # Ideas phase: three ideas for the event.
    move_to(event, Phase.IDEAS)
    ideas = {}
    for key, lead in (("A", "a1"), ("B", "b1"), ("C", "c1")):
        response = api(cast[lead]).post(
            "/api/ideas/",
            {
                "title": f"Project {key}",
                "problem": f"Problem {key}",
                "approach": "",
                "skills": ["telemetry"],
                "event": "telemetry-hack",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        ideas[key] = response.json()["id"]

    # Team formation: A is cross-team (an invitation accepted), C takes the judge H (a join
    # request accepted by its lead).
    move_to(event, Phase.TEAMS)
    teams = {}
    for key, lead in (("A", "a1"), ("B", "b1"), ("C", "c1")):
        response = api(cast[lead]).post(f"{url}/teams/", {"idea": ideas[key]}, format="json")
        assert response.status_code == 201, response.json()
        teams[key] = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invite = api(cast["a1"]).post(
            f"/api/hackathon-teams/{teams['A']}/invite/", {"person": cast["a2"].pk}, format="json"
        )
    assert invite.status_code == 201 and len(callbacks) == 1  # the e-mail goes after commit
    assert mail.outbox[-1].to == ["a2@example.com"] and "invites you" in mail.outbox[-1].subject
    answer = api(cast["a2"]).post(
        f"/api/join-requests/{invite.json()['id']}/answer/", {"accept": True}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    join = api(cast["h"]).post(f"/api/hackathon-teams/{teams['C']}/join/", {}, format="json")
    assert join.status_code == 201
    assert (
        api(cast["c1"])
        .post(f"/api/join-requests/{join.json()['id']}/answer/", {"accept": True}, format="json")
        .status_code
        == 200
    )
    listed = {t["id"]: t for t in api(cast["outsider"]).get(f"{url}/teams/").json()}
    assert len(listed[teams["A"]]["members"]) == 2
    assert len({m["team"] for m in listed[teams["A"]]["members"]}) == 2  # cross-team

    # Building: every team submits before the deadline.
    move_to(event, Phase.BUILDING)
    for key, lead in (("A", "a1"), ("B", "b1"), ("C", "c1")):
        response = api(cast[lead]).put(
            f"/api/teams/{teams[key]}/submission/",
            {"title": f"Project {key}", "summary": "We built it.", "submit": True},
            format="json",
        )
        assert response.status_code == 200, response.json()
    submissions = {
        key: api(cast["outsider"]).get(f"/api/teams/{teams[key]}/submission/").json()["id"]
        for key in teams
    }

    # Scores stay hidden before judging and results: not a judge → 404.
    assert api(cast["a1"]).get(f"{url}/scores/").status_code == 404

    # Judging: the deadline has passed; a late change is refused with the reason.
    move_to(event, Phase.JUDGING)
    late = api(cast["b1"]).put(
        f"/api/teams/{teams['B']}/submission/", {"title": "Too late"}, format="json"
    )
    assert late.status_code == 400 and "deadline" in late.json()
    criteria = {c["name"]: c["id"] for c in api(staff).get(f"{url}/").json()["criteria"]}
    for judge, given in SCORES.items():
        for key, (impact, craft) in given.items():
            for name, value in (("Impact", impact), ("Craft", craft)):
                response = api(cast[judge]).post(
                    f"{url}/scores/",
                    {"submission": submissions[key], "criterion": criteria[name], "value": value},
                    format="json",
                )
                assert response.status_code == 201, response.json()
    own_team = api(cast["h"]).post(
        f"{url}/scores/",
        {"submission": submissions["C"], "criterion": criteria["Impact"], "value": 1},
        format="json",
    )
    assert own_team.status_code == 404

    # Results are hidden until the organisers publish them, from everyone.
    for who in ("a1", "j1", "outsider"):
        assert api(cast[who]).get(f"{url}/results/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert api(staff).post(f"{url}/publish/").status_code == 200

    event.refresh_from_db()
    assert event.phase == Phase.RESULTS
    results = api(cast["outsider"]).get(f"{url}/results/").json()
    assert [(r["title"], r["rank"], r["tied"]) for r in results] == [
        ("Project A", 1, False),
        ("Project C", 2, False),
        ("Project B", 3, False),
    ]
    assert [r["total"] for r in results] == pytest.approx([7 / 9, 1 / 3, -7 / 9], abs=1e-6)
    assert results[0]["by_criterion"] == pytest.approx({"Impact": 1.0, "Craft": 1 / 3})

    # Publishing added hackathon_project evidence for every member of every project's skill.
    evidence = Evidence.objects.filter(kind=EvidenceKind.HACKATHON_PROJECT, skill__slug="telemetry")
    assert {e.person.user.username for e in evidence} == {"a1", "a2", "b1", "c1", "h"}
    assert "Results of Telemetry hack" in {m.subject for m in mail.outbox}
