"""Reads for hackathons. Who may see a row is decided by the `visible_to(user)` queryset methods
(hackathons.querysets); the functions here add the 404s, who organises and judges, duplicate
detection, team coverage, judging progress, the ranking and the showcase."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse

from core.models import Person
from core.selectors import person_of
from core.skills.models import Level, Skill
from core.skills.selectors import latest_reviewer_levels
from hackathons import ranking, similarity
from hackathons.models import (
    Attachment,
    Event,
    Idea,
    JoinRequest,
    Membership,
    Phase,
    Score,
    Submission,
    Team,
)

COVERED = Level.INDEPENDENT  # a member at this level or more covers a needed skill
MAX_SUGGESTED_PEOPLE = 5

# --- Roles ----------------------------------------------------------------------------------


def may_organise(*, person: Person | None, event: Event) -> bool:
    if person is None:
        return False
    return person.user.is_staff or event.organisers.filter(pk=person.pk).exists()


def may_create_event(*, user: AbstractBaseUser) -> bool:
    """Staff create hackathons; everyone else finds no such page (404)."""
    return user.is_authenticated and user.is_active and user.is_staff


def is_judge(*, person: Person | None, event: Event) -> bool:
    return person is not None and event.judges.filter(pk=person.pk).exists()


def may_merge(*, person: Person | None, ideas: list[Idea]) -> bool:
    """Staff; the organisers of the ideas' events; for backlog ideas, any event's organisers."""
    if person is None:
        return False
    if person.user.is_staff:
        return True
    events = {idea.event_id for idea in ideas if idea.event_id}
    organised = set(Event.objects.filter(organisers=person).values_list("pk", flat=True))
    return bool(organised) and events <= organised


# --- Events ---------------------------------------------------------------------------------


def event_list_visible(*, user: AbstractBaseUser) -> QuerySet[Event]:
    # Ordered explicitly: an aggregate drops Meta.ordering, and the API pages through this.
    return (
        Event.objects.visible_to(user)
        .annotate(
            team_count=Count("teams", distinct=True), idea_count=Count("ideas", distinct=True)
        )
        .order_by(*Event._meta.ordering)
    )


def event_get_visible(*, user: AbstractBaseUser, slug: str) -> Event:
    event = Event.objects.visible_to(user).filter(slug=slug).first()
    if event is None:
        raise Http404("No such hackathon.")
    return event


def event_get_organised(*, user: AbstractBaseUser, slug: str) -> Event:
    event = Event.objects.organised_by(user).filter(slug=slug).first()
    if event is None:
        raise Http404("No such hackathon.")
    return event


def event_get_judged(*, user: AbstractBaseUser, slug: str) -> Event:
    """Judging pages: the event's judges only (others, organisers included, get a 404)."""
    event = Event.objects.judged_by(user).filter(slug=slug).first()
    if event is None:
        raise Http404("No such hackathon.")
    return event


def event_get_published(*, user: AbstractBaseUser, slug: str) -> Event:
    """Results exist for nobody until the organisers publish them."""
    event = event_get_visible(user=user, slug=slug)
    if event.results_published_at is None:
        raise Http404("The results are not published yet.")
    return event


def events_by_phase(*, user: AbstractBaseUser) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = {"running": [], "upcoming": [], "past": []}
    for event in event_list_visible(user=user):
        phase = event.phase
        key = {Phase.UPCOMING: "upcoming", Phase.RESULTS: "past"}.get(phase, "running")
        grouped[key].append(event)
    return grouped


# --- Ideas ----------------------------------------------------------------------------------


def idea_list_visible(
    *, user: AbstractBaseUser, event: Event | None = None, backlog: bool = False
) -> QuerySet[Idea]:
    ideas = (
        Idea.objects.visible_to(user)
        .live()
        .select_related("proposer__user", "event")
        .prefetch_related("skills")
        .annotate(vote_count=Count("votes", distinct=True))
    )
    if event is not None:
        ideas = ideas.filter(event=event)
    elif backlog:
        ideas = ideas.filter(event__isnull=True)
    return ideas.order_by("-vote_count", "-created_at", "-pk")


def idea_get_visible(*, user: AbstractBaseUser, pk: int) -> Idea:
    """Merged ideas too: their page redirects to the idea they were merged into."""
    idea = (
        Idea.objects.visible_to(user)
        .select_related("proposer__user", "event", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if idea is None:
        raise Http404("No such idea.")
    return idea


def has_voted(*, idea: Idea, person: Person | None) -> bool:
    return person is not None and idea.votes.filter(person=person).exists()


# --- Duplicate-effort detection -------------------------------------------------------------


def similar_for_text(
    *, text: str, exclude_idea_ids: list[int] | None = None, limit: int = similarity.DEFAULT_LIMIT
) -> list[dict]:
    """The live ideas and submitted projects most like `text`, best first:
    `{id, title, score, kind: "idea"|"project", url}`."""
    exclude = set(exclude_idea_ids or [])
    candidates = [
        similarity.Candidate(key=("idea", idea.pk, idea.title, idea.get_absolute_url()),
                             text=idea.text)
        for idea in Idea.objects.live().exclude(pk__in=exclude).only(
            "pk", "title", "problem", "approach")
    ]  # fmt: skip
    projects = (
        Submission.objects.submitted()
        .exclude(team__idea_id__in=exclude)
        .select_related("team__idea")
        .only("pk", "title", "summary", "team__idea__problem", "team__idea__approach")
    )
    for project in projects:
        text_of = f"{project.title}\n{project.summary}\n{project.team.idea.problem}"
        key = ("project", project.pk, project.title, project.get_absolute_url())
        candidates.append(similarity.Candidate(key=key, text=text_of))
    found = similarity.most_similar(text, candidates, limit=limit)
    return [
        {"id": c.key[1], "title": c.key[2], "score": score, "kind": c.key[0], "url": c.key[3]}
        for c, score in found
    ]


def similar_to_idea(*, idea: Idea, limit: int = similarity.DEFAULT_LIMIT) -> list[dict]:
    """Never the idea itself, nor the ideas merged into it, nor its own teams' projects."""
    exclude = [idea.pk, *idea.merged_ideas.values_list("pk", flat=True)]
    return similar_for_text(text=idea.text, exclude_idea_ids=exclude, limit=limit)


# --- Teams ----------------------------------------------------------------------------------


def team_list_visible(*, user: AbstractBaseUser, event: Event) -> QuerySet[Team]:
    return (
        Team.objects.visible_to(user)
        .filter(event=event)
        .select_related("idea", "lead__user")
        .prefetch_related("memberships__person__user", "memberships__person__team")
        .annotate(
            member_count=Count("memberships", distinct=True),
            org_team_count=Count("memberships__person__team", distinct=True),
        )
    )


def team_get_visible(*, user: AbstractBaseUser, pk: int) -> Team:
    team = (
        Team.objects.visible_to(user)
        .select_related("event", "idea", "lead__user")
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise Http404("No such team.")
    return team


def team_of(*, person: Person | None, event: Event) -> Team | None:
    if person is None:
        return None
    membership = Membership.objects.filter(event=event, person=person).select_related("team")
    found = membership.first()
    return found.team if found else None


def is_member(*, team: Team, person: Person | None) -> bool:
    return person is not None and team.memberships.filter(person=person).exists()


@dataclass
class CoverageRow:
    skill: Skill
    best_level: int
    best_member: Person | None
    covered: bool


@dataclass
class TeamOverview:
    members: list[Person]
    org_teams: list[str]
    coverage: list[CoverageRow]
    suggestions: list[tuple[Person, list[Skill]]] = field(default_factory=list)

    @property
    def gaps(self) -> list[Skill]:
        return [row.skill for row in self.coverage if not row.covered]


def team_overview(*, team: Team) -> TeamOverview:
    """How many org teams the members come from, how their current levels cover the idea's
    needed skills (a gap: nobody at level 2 or more), and people from other org teams, in no
    team of this event yet, who have the missing skills."""
    members = [m.person for m in team.memberships.select_related("person__user", "person__team")]
    levels = latest_reviewer_levels(people_ids=[p.pk for p in members])
    coverage = []
    for skill in team.idea.skills.filter(retired=False):
        best = max(members, key=lambda p: levels.get((p.pk, skill.pk), 0), default=None)
        level = levels.get((best.pk, skill.pk), 0) if best else 0
        coverage.append(CoverageRow(skill, level, best if level else None, level >= COVERED))
    org_teams = sorted({p.team.name for p in members if p.team})
    overview = TeamOverview(members=members, org_teams=org_teams, coverage=coverage)
    overview.suggestions = _people_for_gaps(team=team, members=members, gaps=overview.gaps)
    return overview


def _people_for_gaps(*, team: Team, members: list[Person], gaps: list[Skill]):
    if not gaps:
        return []
    member_teams = {p.team_id for p in members if p.team_id}
    candidates = list(
        Person.objects.filter(user__is_active=True)
        .exclude(hackathon_memberships__event=team.event)
        .exclude(team_id__in=member_teams)
        .select_related("user", "team")
    )
    levels = latest_reviewer_levels(people_ids=[p.pk for p in candidates])
    found = []
    for person in candidates:
        skills = [s for s in gaps if levels.get((person.pk, s.pk), 0) >= COVERED]
        if skills:
            found.append((person, skills))
    found.sort(key=lambda pair: (-len(pair[1]), pair[0].display_name))
    return found[:MAX_SUGGESTED_PEOPLE]


def pending_for_team(*, team: Team) -> QuerySet[JoinRequest]:
    return team.join_requests.filter(status=JoinRequest.Status.PENDING).select_related(
        "person__user", "created_by__user"
    )


def invitations_for(*, person: Person | None) -> QuerySet[JoinRequest]:
    if person is None:
        return JoinRequest.objects.none()
    return JoinRequest.objects.filter(
        person=person, kind=JoinRequest.Kind.INVITATION, status=JoinRequest.Status.PENDING
    ).select_related("team__event", "created_by__user")


def join_request_get_answerable(*, user: AbstractBaseUser, pk: int) -> JoinRequest:
    """Invitations by the person invited; join requests by the team's members; else 404."""
    person = person_of(user)
    join = JoinRequest.objects.select_related("team__event").filter(pk=pk).first()
    if join is None or person is None:
        raise Http404("No such request.")
    if join.kind == JoinRequest.Kind.INVITATION and join.person_id == person.pk:
        return join
    if join.kind == JoinRequest.Kind.REQUEST and is_member(team=join.team, person=person):
        return join
    raise Http404("No such request.")


# --- Submissions ----------------------------------------------------------------------------


def submission_get_visible(*, user: AbstractBaseUser, pk: int) -> Submission:
    submission = (
        Submission.objects.visible_to(user)
        .select_related("team__event", "team__idea")
        .prefetch_related("skills", "attachments", "awards")
        .filter(pk=pk)
        .distinct()
        .first()
    )
    if submission is None:
        raise Http404("No such project.")
    return submission


def attachment_get_visible(*, user: AbstractBaseUser, pk: int) -> Attachment:
    visible = Submission.objects.visible_to(user).values("pk")
    attachment = Attachment.objects.filter(pk=pk, submission__in=visible).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


# --- Judging --------------------------------------------------------------------------------


def submissions_to_judge(*, event: Event, judge: Person) -> QuerySet[Submission]:
    """Submitted projects of the event except the judge's own team's."""
    return (
        Submission.objects.submitted()
        .filter(team__event=event)
        .exclude(team__memberships__person=judge)
        .select_related("team")
    )


def submission_get_judgeable(*, event: Event, judge: Person, pk: int) -> Submission:
    """A judge's own team's submission does not exist for them: 404."""
    submission = submissions_to_judge(event=event, judge=judge).filter(pk=pk).first()
    if submission is None:
        raise Http404("No such project to judge.")
    return submission


def scoring_started(*, event: Event) -> bool:
    """Any judge has scored any project of the event: its criteria no longer change."""
    return Score.objects.filter(criterion__event=event).exists()


def scores_by(*, event: Event, judge: Person) -> dict[tuple[int, int], Score]:
    rows = Score.objects.filter(submission__team__event=event, judge=judge)
    return {(s.submission_id, s.criterion_id): s for s in rows}


@dataclass
class JudgeProgress:
    judge: Person
    scored: int
    expected: int
    submissions_done: int
    submissions_total: int

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.scored >= self.expected


def judging_progress(*, event: Event) -> list[JudgeProgress]:
    """Per judge: how many (project, criterion) scores they gave of those they owe, and how
    many projects they have scored completely."""
    criteria = list(event.criteria.values_list("pk", flat=True))
    rows = []
    for judge in event.judges.select_related("user"):
        todo = list(submissions_to_judge(event=event, judge=judge).values_list("pk", flat=True))
        given = scores_by(event=event, judge=judge)
        per_submission = defaultdict(int)
        for submission_id, _ in given:
            if submission_id in todo:
                per_submission[submission_id] += 1
        rows.append(
            JudgeProgress(
                judge=judge,
                scored=sum(per_submission.values()),
                expected=len(todo) * len(criteria),
                submissions_done=sum(1 for n in per_submission.values() if n >= len(criteria)),
                submissions_total=len(todo),
            )
        )
    return rows


def event_ranking(*, event: Event) -> list[ranking.Ranked]:
    """The z-normalised weighted ranking; its `submission`s are Submission rows. Submitted
    projects nobody scored come last, unranked (rank 0)."""
    criteria = {c.pk: c.weight for c in event.criteria.all()}
    submissions = {
        s.pk: s
        for s in Submission.objects.submitted()
        .filter(team__event=event)
        .select_related("team")
        .prefetch_related("awards", "team__memberships__person__user")
    }
    scores = [
        ranking.RawScore(judge=j, submission=s, criterion=c, value=v)
        for j, s, c, v in Score.objects.filter(
            submission_id__in=submissions, criterion_id__in=criteria
        ).values_list("judge_id", "submission_id", "criterion_id", "value")
    ]
    ranked = ranking.rank(scores, criteria)
    for row in ranked:
        row.submission = submissions[row.submission]
    scored = {row.submission.pk for row in ranked}
    ranked += [ranking.Ranked(submission=s, total=0.0) for pk, s in submissions.items()
               if pk not in scored]  # fmt: skip
    return ranked


# --- Showcase -------------------------------------------------------------------------------


def showcase(*, user: AbstractBaseUser, text: str = "", skill: str = "") -> QuerySet[Submission]:
    """Projects of events whose results are published, searchable by text and skill."""
    projects = (
        Submission.objects.visible_to(user)
        .submitted()
        .filter(team__event__results_published_at__isnull=False)
        .select_related("team__event", "team__idea")
        .prefetch_related("skills", "awards", "team__memberships__person__user", "attachments")
        .distinct()
        .order_by("-team__event__results_published_at", "title")
    )
    for word in text.split()[:8]:
        projects = projects.filter(
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(team__name__icontains=word)
            | Q(team__idea__problem__icontains=word)
        )
    if skill:
        projects = projects.filter(skills__slug=skill)
    return projects


# --- Dashboard ------------------------------------------------------------------------------


def hackathons_panel_context(request: HttpRequest) -> dict | None:
    """An engineer's hackathon activity: the running and coming events with their team in
    each, invitations waiting for them, and the ideas they proposed with their votes."""
    person = person_of(request.user)
    if person is None:
        return None
    grouped = events_by_phase(user=request.user)
    current = grouped["running"] + grouped["upcoming"]
    teams = {
        m.event_id: m.team
        for m in Membership.objects.filter(
            person=person, event__in=[e.pk for e in current]
        ).select_related("team")
    }
    ideas = (
        Idea.objects.live()
        .filter(proposer=person)
        .select_related("event")
        .annotate(vote_count=Count("votes", distinct=True))
        .order_by("-created_at", "-pk")
    )
    return {
        "events": [(e, teams.get(e.pk)) for e in current],
        "past": len(grouped["past"]),
        "invitations": invitations_for(person=person).count(),
        "ideas": list(ideas[:3]),
        "idea_count": ideas.count(),
        "showcase_url": reverse("hackathons:showcase"),
    }


def hackathons_staff_panel_context(request: HttpRequest) -> dict | None:
    """Staff: the idea backlog (ideas not tied to an event, the most voted first) and the
    events, with their phase, teams and ideas."""
    if not request.user.is_staff:
        return None
    backlog = idea_list_visible(user=request.user, backlog=True)
    grouped = events_by_phase(user=request.user)
    return {
        "backlog": list(backlog[:3]),
        "backlog_count": backlog.count(),
        "events": grouped["running"] + grouped["upcoming"],
        "past": grouped["past"][:2],
        "past_count": len(grouped["past"]),
    }


# --- Activities for learning paths (core.activities) ----------------------------------------


def first_idea_proposed_at(people_ids: list[int]) -> dict:
    """When each of these people first proposed a hackathon idea (merged ideas count too)."""
    from django.db.models import Min

    rows = (
        Idea.objects.filter(proposer_id__in=people_ids)
        .values("proposer_id")
        .annotate(first=Min("created_at"))
    )
    return {row["proposer_id"]: row["first"] for row in rows}


# --- Person page section (core.person_sections) ---------------------------------------------


@dataclass(frozen=True)
class PersonTeam:
    team: Team
    project: Submission | None  # None: no project yet, or a draft the viewer may not see


def person_hackathons_section(*, viewer: AbstractBaseUser, person: Person) -> dict:
    """The hackathon teams the person is in, the latest event first, each with its project
    where the viewer may see it (`Submission.objects.visible_to`: a draft is for its team
    only), and how many ideas they proposed. Three queries."""
    teams = list(
        Team.objects.visible_to(viewer)
        .filter(memberships__person=person)
        .select_related("event", "idea")
        .order_by("-event__building_starts_at", "pk")
    )
    projects = {
        project.team_id: project
        for project in Submission.objects.visible_to(viewer)
        .filter(team__in=[team.pk for team in teams])
        .only("team_id", "title", "submitted_at")
        .distinct()
    }
    return {
        "teams": [PersonTeam(team, projects.get(team.pk)) for team in teams],
        "ideas": Idea.objects.visible_to(viewer).filter(proposer=person).count(),
    }
