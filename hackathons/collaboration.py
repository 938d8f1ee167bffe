"""Hackathons' links between teams (core.collaboration): two people of different teams in
one hackathon team make a link, dated by when building started."""

from collections import defaultdict
from datetime import date
from itertools import combinations

from core.collaboration import Link, LinkSource
from hackathons.models import Membership


def hackathon_links(since: date) -> list[Link]:
    rows = Membership.objects.filter(
        event__building_starts_at__date__gte=since, person__team__isnull=False
    ).values_list("team_id", "person__team_id", "event__building_starts_at")
    teams_of = defaultdict(set)
    started = {}
    for hackathon_team, team, starts_at in rows:
        teams_of[hackathon_team].add(team)
        started[hackathon_team] = starts_at.date()
    return [
        Link("hackathon", a, b, started[hackathon_team])
        for hackathon_team, teams in teams_of.items()
        for a, b in combinations(sorted(teams), 2)
    ]


SOURCES = (LinkSource("hackathon", "shared hackathon teams", hackathon_links),)
