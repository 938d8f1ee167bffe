"""Ties show as ties: equal normalised weighted scores share a rank, and the next rank skips.

Criteria Impact ×2 and Craft ×1. Each judge gives A and B different raw scores with the same
weighted sum (2·5 + 2 = 2·4 + 4 = 12); normalising a judge's scores is a linear change, so A
and B stay equal for both judges, and C, scored lowest by both, comes third: 1, 1, 3.
"""

from django.test import Client

from hackathons import services
from hackathons.models import Phase
from tests.hackathons.helpers import make_event, make_submission, make_team, move_to

SCORES = {  # judge → project → (Impact, Craft)
    "director": {"A": (5, 2), "B": (4, 4), "C": (1, 1)},
    "manager": {"A": (4, 4), "B": (5, 2), "C": (2, 2)},
}


def test_equal_scores_share_a_rank_and_the_next_rank_skips(org, api):
    event = make_event(Phase.BUILDING, organisers=[org.staff], judges=[org.director, org.manager])
    projects = {
        key: make_submission(make_team(event, lead, name=f"Team {key}"), title=f"Project {key}")
        for key, lead in (("A", org.engineer), ("B", org.peer), ("C", org.outsider))
    }
    move_to(event, Phase.JUDGING)
    impact, craft = event.criteria.all()
    for judge, given in SCORES.items():
        for key, values in given.items():
            for criterion, value in zip((impact, craft), values, strict=True):
                services.score_save(
                    judge=getattr(org, judge),
                    submission=projects[key],
                    criterion=criterion,
                    value=value,
                )
    assert api(org.staff).post(f"/api/hackathons/{event.slug}/publish/").status_code == 200

    results = api(org.outsider).get(f"/api/hackathons/{event.slug}/results/").json()

    assert sorted((r["rank"], r["tied"], r["title"]) for r in results) == [
        (1, True, "Project A"),
        (1, True, "Project B"),
        (3, False, "Project C"),
    ]
    assert results[0]["total"] == results[1]["total"] > results[2]["total"]

    client = Client()
    client.force_login(org.outsider.user)
    page = client.get(f"/hackathons/events/{event.slug}/results/").content.decode()
    ranks = [cell.split("</td>")[0] for cell in page.split("<td data-rank>")[1:]]
    assert ranks == ["=1", "=1", "3"]
    assert page.count("(tie)") == 2
