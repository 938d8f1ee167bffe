"""Collaboration across teams: which teams work with which, and which with none.

A link is one thing two people of different teams did together: a mentoring pair, a hackathon
team, a question answered. The apps that hold those things register a source of links
(`register_link_source`, from their AppConfig.ready()); core never imports them (DESIGN.md).
Everything here is counted per team and per quarter: no person's name or question appears, and
anonymous questions are left out by their source (a team-sized count could name the asker).
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from core.models import Team

QUARTERS = 4  # the current quarter and the three before it


@dataclass(frozen=True)
class Link:
    kind: str  # the source's key: "mentoring", "hackathon", "questions"
    team_a: int  # Team ids, two different teams
    team_b: int
    on: date


@dataclass(frozen=True)
class LinkSource:
    kind: str
    label: str  # "mentoring pairs"
    links_since: Callable[[date], Iterable[Link]]  # every link on or after that day


_sources: dict[str, LinkSource] = {}


def register_link_source(source: LinkSource) -> None:
    _sources[source.kind] = source


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    def before(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)


@dataclass
class TeamRow:
    team: Team
    per_quarter: list[int]  # links in each quarter, oldest first
    per_kind: dict[str, int]  # links of the whole period by kind
    partners: list[Team]  # the teams it has links with, most links first

    @property
    def total(self) -> int:
        return sum(self.per_quarter)

    @property
    def isolated_now(self) -> bool:
        return self.per_quarter[-1] == 0


@dataclass(frozen=True)
class Edge:
    team_a: Team
    team_b: Team
    count: int
    x1: str = ""
    y1: str = ""
    x2: str = ""
    y2: str = ""
    width: str = "1"


@dataclass(frozen=True)
class Node:
    team: Team
    x: str
    y: str
    label_x: str
    label_y: str
    anchor: str
    links: int


@dataclass
class Collaboration:
    quarters: list[Quarter]
    kinds: list[LinkSource]
    rows: list[TeamRow]  # every team, most links first
    edges: list[Edge]  # team pairs, most links first
    nodes: list[Node] = field(default_factory=list)
    size: int = 0  # the picture's width and height, in its own units

    @property
    def isolated(self) -> list[Team]:
        """Teams with people and no link with another team this quarter."""
        return [row.team for row in self.rows if row.isolated_now]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def period(self) -> str:
        return f"{self.quarters[0].label} to {self.quarters[-1].label}"


def collaboration(*, today: date) -> Collaboration:
    """The links between teams in the last QUARTERS quarters, per team and per pair."""
    quarters = [Quarter.of(today)]
    while len(quarters) < QUARTERS:
        quarters.insert(0, quarters[0].before())
    # Teams with people only: an empty team (a department heading) cannot collaborate.
    with_people = Team.objects.filter(members__isnull=False).distinct().order_by("name")
    teams = {team.pk: team for team in with_people}
    per_quarter = {pk: [0] * QUARTERS for pk in teams}
    per_kind = {pk: Counter() for pk in teams}
    pairs: Counter = Counter()
    partners = defaultdict(Counter)
    index = {quarter: i for i, quarter in enumerate(quarters)}
    kinds = [_sources[kind] for kind in sorted(_sources)]
    for source in kinds:
        for link in source.links_since(quarters[0].start):
            at = index.get(Quarter.of(link.on))
            if at is None or link.team_a == link.team_b:
                continue
            if link.team_a not in teams or link.team_b not in teams:
                continue
            for one, other in ((link.team_a, link.team_b), (link.team_b, link.team_a)):
                per_quarter[one][at] += 1
                per_kind[one][link.kind] += 1
                partners[one][other] += 1
            pairs[tuple(sorted((link.team_a, link.team_b)))] += 1
    rows = [
        TeamRow(
            team=team,
            per_quarter=per_quarter[pk],
            per_kind={source.kind: per_kind[pk][source.kind] for source in kinds},
            partners=[teams[other] for other, _ in partners[pk].most_common()],
        )
        for pk, team in teams.items()
    ]
    rows.sort(key=lambda row: (-row.total, row.team.name))
    edges = [
        Edge(teams[a], teams[b], count)
        for (a, b), count in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    ]
    result = Collaboration(quarters=quarters, kinds=kinds, rows=rows, edges=edges)
    _lay_out(result)
    return result


def _lay_out(result: Collaboration) -> None:
    """Teams on a circle (alphabetical, so that a team keeps its place from one visit to the
    next), a line for each pair of teams with links, thicker for more links."""
    teams = sorted((row.team for row in result.rows), key=lambda t: t.name)
    if not teams:
        return
    radius, margin = 140, 175  # room for the labels left and right
    size = 2 * (radius + margin)
    centre = size / 2
    totals = {row.team.pk: row.total for row in result.rows}
    places = {}
    nodes = []
    for i, team in enumerate(teams):
        angle = 2 * math.pi * i / len(teams) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        places[team.pk] = (x, y)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        label_x = centre + (radius + 12) * cos
        label_y = centre + (radius + 12) * math.sin(angle) + 4
        nodes.append(
            Node(team, _n(x), _n(y), _n(label_x), _n(label_y), anchor, totals.get(team.pk, 0))
        )
    most = max((edge.count for edge in result.edges), default=1)
    result.edges = [
        Edge(
            edge.team_a, edge.team_b, edge.count,
            *map(_n, (*places[edge.team_a.pk], *places[edge.team_b.pk])),
            width=_n(1 + 5 * edge.count / most),
        )
        for edge in result.edges
    ]  # fmt: skip
    result.nodes = nodes
    result.size = int(size)


def _n(value: float) -> str:
    return f"{value:.1f}"
