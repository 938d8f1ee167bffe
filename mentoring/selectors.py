"""Reads for mentoring. Who may see a row is decided by the `visible_to(user)` queryset methods
(mentoring.querysets); the functions here add the rest: 404s, matching facts, dashboards."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.models import CareerStage, Person
from core.selectors import person_of
from core.skills.models import Skill
from core.skills.selectors import (
    EXPERT,
    heatmap_for,
    latest_reviewer_levels,
    managers_of,
    person_matrix,
    team_levels_over_time,
)
from mentoring import matching
from mentoring.models import (
    ActionItem,
    Answer,
    FeedbackNote,
    FeedbackRequest,
    LearningEntry,
    MentorProfile,
    Mentorship,
    PrivateNote,
    Question,
    Session,
)

# --- Availability ---------------------------------------------------------------------------


def mentor_profile_of(person: Person) -> MentorProfile:
    """The person's availability; an unsaved, closed one when they never set it."""
    profile = MentorProfile.objects.filter(person=person).first()
    return profile or MentorProfile(person=person)


def offerable_skills(*, person: Person) -> QuerySet[Skill]:
    """Skills `person` may offer: their current (reviewer) level is 3 or more."""
    levels = latest_reviewer_levels(people_ids=[person.pk])
    ids = [skill_id for (_, skill_id), level in levels.items() if level >= EXPERT]
    return Skill.objects.active().filter(pk__in=ids)


def active_mentee_count(*, mentor: Person) -> int:
    return Mentorship.objects.active().filter(mentor=mentor).count()


# --- Mentorships ----------------------------------------------------------------------------


def mentorship_list_visible(*, user: AbstractBaseUser) -> QuerySet[Mentorship]:
    return Mentorship.objects.visible_to(user).select_related(
        "mentor__user", "mentee__user", "proposed_by__user"
    )


def mentorship_get_visible(*, user: AbstractBaseUser, pk: int) -> Mentorship:
    mentorship = mentorship_list_visible(user=user).filter(pk=pk).first()
    if mentorship is None:
        raise Http404("No such mentorship.")
    return mentorship


def mentorships_of(*, person: Person) -> QuerySet[Mentorship]:
    return (
        Mentorship.objects.filter(Q(mentor=person) | Q(mentee=person))
        .exclude(status=Mentorship.Status.DECLINED)
        .select_related("mentor__user", "mentee__user")
    )


def session_get_visible(*, user: AbstractBaseUser, pk: int) -> Session:
    session = (
        Session.objects.visible_to(user)
        .select_related("mentorship__mentor__user", "mentorship__mentee__user")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def open_action_items(*, mentorship: Mentorship) -> QuerySet[ActionItem]:
    """What carries over to the next session: every item not yet done."""
    return mentorship.action_items.filter(done_at__isnull=True).select_related("session")


def carried_over_action_items(*, session: Session) -> QuerySet[ActionItem]:
    """Items still open from the sessions before `session` (by date, then id) of its
    mentorship; the session's own items are listed as its own, never a second time."""
    earlier = Q(session__date__lt=session.date) | Q(
        session__date=session.date, session__pk__lt=session.pk
    )
    return (
        open_action_items(mentorship=session.mentorship)
        .filter(earlier)
        .order_by("session__date", "session__pk", "pk")
    )


def private_note_of(*, user: AbstractBaseUser, session: Session) -> PrivateNote | None:
    return PrivateNote.objects.visible_to(user).filter(session=session).first()


# Mentorship requests: a mentee asking a mentor directly (services.mentorship_request).

RECENT_DECLINED = 5


def open_request_count(*, mentee: Person) -> int:
    """The mentee's own requests still waiting for the mentor's answer."""
    return Mentorship.objects.filter(
        mentee=mentee, proposed_by=mentee, status=Mentorship.Status.PROPOSED
    ).count()


def open_mentorships_as_mentee(*, mentee: Person) -> QuerySet[Mentorship]:
    """The mentee's proposed and active mentorships, however they were proposed."""
    return (
        Mentorship.objects.open()
        .filter(mentee=mentee)
        .select_related("mentor__user", "proposed_by__user")
        .order_by("status", "-created_at", "-pk")
    )


def declined_requests_of(*, mentee: Person) -> QuerySet[Mentorship]:
    """The mentee's own latest requests that a mentor declined, with the reason they gave."""
    return (
        Mentorship.objects.filter(
            mentee=mentee, proposed_by=mentee, status=Mentorship.Status.DECLINED
        )
        .select_related("mentor__user")
        .order_by("-created_at", "-pk")[:RECENT_DECLINED]
    )


def team_mentorship_requests(*, user: AbstractBaseUser) -> QuerySet[Mentorship]:
    """Proposed mentorships of the people who report to `user` (transitively), whoever asked:
    what a manager may want to follow or stop."""
    person = person_of(user)
    if person is None:
        return Mentorship.objects.none()
    return (
        mentorship_list_visible(user=user)
        .filter(
            status=Mentorship.Status.PROPOSED,
            mentee__in=Person.objects.reports_of(person).values("pk"),
        )
        .order_by("-created_at", "-pk")
    )


# --- Feedback -------------------------------------------------------------------------------


def feedback_list_visible(*, user: AbstractBaseUser) -> QuerySet[FeedbackNote]:
    return FeedbackNote.objects.visible_to(user).select_related("author__user", "recipient__user")


def feedback_get_visible(*, user: AbstractBaseUser, pk: int) -> FeedbackNote:
    note = feedback_list_visible(user=user).filter(pk=pk).first()
    if note is None:
        raise Http404("No such feedback note.")
    return note


def feedback_requests_visible(*, user: AbstractBaseUser) -> QuerySet[FeedbackRequest]:
    return FeedbackRequest.objects.visible_to(user).select_related("requester__user", "asked__user")


# --- Matching -------------------------------------------------------------------------------


def matchable_mentees(*, user: AbstractBaseUser) -> QuerySet[Person]:
    """Whom `user` may propose a mentor for: staff anyone, managers their reports."""
    people = Person.objects.filter(user__is_active=True).select_related("user", "team")
    if user.is_staff:
        return people
    person = person_of(user)
    if person is None:
        return people.none()
    return people.filter(pk__in=Person.objects.reports_of(person).values("pk"))


def may_propose(*, user: AbstractBaseUser) -> bool:
    return user.is_staff or matchable_mentees(user=user).exists()


def mentee_facts(person: Person) -> matching.MenteeFacts:
    gap_rows = person_matrix(person=person).gaps()
    excluded = {manager.pk for manager in managers_of(person)}
    # An open pair either way round: their mentor again, or someone they mentor (who would
    # then mentor them back).
    open_pairs = Mentorship.objects.open()
    excluded |= set(open_pairs.filter(mentee=person).values_list("mentor_id", flat=True))
    excluded |= set(open_pairs.filter(mentor=person).values_list("mentee_id", flat=True))
    return matching.MenteeFacts(
        pk=person.pk,
        name=person.display_name,
        team_id=person.team_id,
        career_stage=person.career_stage,
        timezone=person.timezone,
        gaps={row.skill.pk: row.gap for row in gap_rows},
        excluded_mentors=frozenset(excluded),
        gap_names={row.skill.pk: row.skill.name for row in gap_rows},
    )


def mentor_facts() -> list[matching.MentorFacts]:
    """Everybody open to mentoring, with the levels of the skills they offer (a few queries)."""
    profiles = list(
        MentorProfile.objects.filter(
            open_to_mentoring=True, capacity__gt=0, person__user__is_active=True
        )
        .select_related("person__user")
        .prefetch_related("skills_offered")
        .annotate(
            active_count=Count(
                "person__mentorships_as_mentor",
                filter=Q(person__mentorships_as_mentor__status=Mentorship.Status.ACTIVE),
            )
        )
    )
    levels = latest_reviewer_levels(people_ids=[p.person_id for p in profiles])
    facts = []
    for profile in profiles:
        person = profile.person
        offered = {}
        for skill in profile.skills_offered.all():
            level = levels.get((person.pk, skill.pk), 0)
            if level >= EXPERT:  # a level that dropped since opting in no longer counts
                offered[skill.pk] = level
        facts.append(
            matching.MentorFacts(
                pk=person.pk,
                name=person.display_name,
                team_id=person.team_id,
                career_stage=person.career_stage,
                timezone=person.timezone,
                capacity=profile.capacity,
                active_count=profile.active_count,
                levels=offered,
            )
        )
    return facts


def match_suggestions(*, mentee: Person, when: datetime.datetime | None = None):
    return matching.suggestions(mentee_facts(mentee), mentor_facts(), when or timezone.now())


def match_breakdown_for(*, mentee: Person, mentor: Person) -> dict:
    """What a mentorship keeps of its match: the points per criterion, their total, and the
    reasons in words (a mentor proposed outside the suggestions keeps nothing)."""
    for found in match_suggestions(mentee=mentee):
        if found.mentor.pk == mentor.pk:
            return {**found.breakdown, "total": found.score, "reasons": found.reasons}
    return {}


def cohort_matches(*, mentees, when: datetime.datetime | None = None):
    """The optimal assignment for the people without an open mentorship among `mentees`."""
    busy = set(Mentorship.objects.open().values_list("mentee_id", flat=True))
    facts = [mentee_facts(p) for p in mentees if p.pk not in busy]
    return matching.assign_cohort(facts, mentor_facts(), when or timezone.now())


def match_person_urls(*, user: AbstractBaseUser, matches) -> dict[int, str]:
    """Where each name on the match page links: the person's page when `user` may see it, else
    the directory narrowed to them (names, titles and teams are known to every member)."""
    pks = {m.mentee.pk for m in matches} | {m.mentor.pk for m in matches}
    visible = set(Person.objects.visible_to(user).filter(pk__in=pks).values_list("pk", flat=True))
    people = Person.objects.filter(pk__in=pks).select_related("user", "team")
    return {
        person.pk: person.get_absolute_url() if person.pk in visible else _directory_url(person)
        for person in people
    }


def _directory_url(person: Person) -> str:
    query = {"q": person.user.username, **({"team": person.team.slug} if person.team else {})}
    return f"{reverse('people-directory')}?{urlencode(query)}"


FIND_SUGGESTIONS = 10  # what "Find a mentor" lists, best first


@dataclass
class MentorSuggestion:
    """One suggestion on "Find a mentor": the match (its reasons in words), the mentor, and the
    skills they offer now (level 3 or more)."""

    match: matching.Match
    mentor: Person
    skills: list[Skill]

    @property
    def covered_skills(self) -> list[Skill]:
        return [skill for skill in self.skills if skill.pk in self.match.covered]


def mentor_suggestions_for(
    *, mentee: Person, when: datetime.datetime | None = None
) -> list[MentorSuggestion]:
    """The mentee's own best suggestions, from the same matching as the managers' match page:
    nobody from their reporting line, nobody they already have an open pair with."""
    found = match_suggestions(mentee=mentee, when=when)[:FIND_SUGGESTIONS]
    mentors = Person.objects.select_related("user", "team").in_bulk([m.mentor.pk for m in found])
    skill_ids = {skill for m in found for skill in m.mentor.levels}
    skills = list(Skill.objects.filter(pk__in=skill_ids).order_by("position", "name"))
    return [
        MentorSuggestion(
            match=m,
            mentor=mentors[m.mentor.pk],
            skills=[skill for skill in skills if skill.pk in m.mentor.levels],
        )
        for m in found
        if m.mentor.pk in mentors
    ]


# --- Dashboard ------------------------------------------------------------------------------


def mentoring_panel_context(request: HttpRequest) -> dict | None:
    """An engineer's mentors with the next session (see the home panels at the end of this
    module), their proposed mentees (active ones are in the mentor's own panel), and the
    proposals waiting for their answer."""
    person = person_of(request.user)
    if person is None:
        return None
    glances = mentorship_glances(
        mentorships=mentorships_of(person=person).open(),
        person=person,
        today=timezone.localdate(),
    )
    mentees = [g for g in glances if g.role == "mentor"]
    active = [g for g in mentees if g.mentorship.status == Mentorship.Status.ACTIVE]
    return {
        "person": person,
        "mentors": [g for g in glances if g.role == "mentee"],
        "proposed_mentees": [g for g in mentees if g not in active],
        "active_mentees": len(active),
        "to_answer": [g for g in glances if g.waits_for_answer],
    }


# --- Cadence --------------------------------------------------------------------------------


@dataclass
class CadenceRow:
    person: Person
    days_since_feedback: int | None
    days_since_session: int | None
    warnings: list[str] = field(default_factory=list)


def _days(now: datetime.datetime, then) -> int | None:
    if then is None:
        return None
    if isinstance(then, datetime.datetime):
        then = then.date()
    return (now.date() - then).days


def overdue_mentorships(*, now: datetime.datetime, mentees=None) -> list[tuple[Mentorship, int]]:
    """Active mentorships without a session for twice their cadence, with the days since the
    last session (or since the start, when there was none)."""
    mentorships = (
        Mentorship.objects.active()
        .select_related("mentor__user", "mentee__user")
        # A session dated later than today is planned, not held.
        .annotate(last_session=Max("sessions__date", filter=Q(sessions__date__lte=now.date())))
    )
    if mentees is not None:
        mentorships = mentorships.filter(mentee__in=mentees)
    overdue = []
    for mentorship in mentorships:
        since = mentorship.last_session or mentorship.start_date or mentorship.created_at
        days = _days(now, since)
        if days is not None and days > 2 * mentorship.cadence_days:
            overdue.append((mentorship, days))
    return overdue


def cadence_for(*, people, now: datetime.datetime) -> list[CadenceRow]:
    """Days since the last feedback and the last session of each person, with warnings.

    Every feedback note counts, whatever its visibility: a manager learns *that* feedback
    happened and when, never what it says."""
    people = list(people)
    ids = [p.pk for p in people]
    last_feedback = dict(
        FeedbackNote.objects.filter(recipient_id__in=ids)
        .values("recipient_id")
        .annotate(last=Max("created_at"))
        .values_list("recipient_id", "last")
    )
    sessions = Session.objects.filter(
        Q(mentorship__mentee_id__in=ids) | Q(mentorship__mentor_id__in=ids),
        date__lte=now.date(),  # a later one is planned, not held
    ).values_list("mentorship__mentee_id", "mentorship__mentor_id", "date")
    last_session: dict[int, datetime.date] = {}
    for mentee_id, mentor_id, date in sessions:
        for pk in (mentee_id, mentor_id):
            if pk in ids and (pk not in last_session or date > last_session[pk]):
                last_session[pk] = date
    overdue = overdue_mentorships(now=now, mentees=ids)
    limit = settings.MENTORING_FEEDBACK_WARNING_DAYS
    rows = []
    for person in people:
        row = CadenceRow(
            person=person,
            days_since_feedback=_days(now, last_feedback.get(person.pk)),
            days_since_session=_days(now, last_session.get(person.pk)),
        )
        if person.career_stage == CareerStage.EARLY_CAREER and (
            row.days_since_feedback is None or row.days_since_feedback > limit
        ):
            row.warnings.append(f"No feedback for more than {limit} days.")
        for mentorship, days in overdue:
            if mentorship.mentee_id == person.pk:
                row.warnings.append(
                    f"No session with {mentorship.mentor.display_name} for {days} days "
                    f"({mentorship.get_cadence_display().lower()} cadence)."
                )
        rows.append(row)
    return rows


def cadence_people(*, user: AbstractBaseUser) -> QuerySet[Person]:
    """Whose cadence `user` follows: a manager's reports (transitively); staff everyone."""
    return matchable_mentees(user=user).select_related("user", "team")


# --- Questions board ------------------------------------------------------------------------


def question_list_visible(*, user: AbstractBaseUser) -> QuerySet[Question]:
    """Questions with their skills. `author` is not joined: show `shown_author` only."""
    return (
        Question.objects.visible_to(user)
        .annotate(answer_count=Count("answers"))
        .prefetch_related("skills")
        .order_by("-created_at", "-pk")
    )


def question_get_visible(*, user: AbstractBaseUser, pk: int) -> Question:
    question = question_list_visible(user=user).filter(pk=pk).first()
    if question is None:
        raise Http404("No such question.")
    return question


def question_get_own(*, user: AbstractBaseUser, pk: int) -> Question:
    """A question `user` asked (to edit it); anyone else gets 404."""
    person = person_of(user)
    question = question_get_visible(user=user, pk=pk)
    if not question.is_asked_by(person):
        raise Http404("No such question.")
    return question


def answers_of(*, question: Question, user: AbstractBaseUser) -> QuerySet[Answer]:
    return Answer.objects.visible_to(user).filter(question=question).select_related("author__user")


def question_experts(*, question: Question) -> list[Person]:
    """Active people at level >= 3 in any of the question's skills, never the asker."""
    skill_ids = list(question.skills.values_list("pk", flat=True))
    if not skill_ids:
        return []
    candidates = Person.objects.filter(user__is_active=True).exclude(pk=question.author_id or 0)
    levels = latest_reviewer_levels(people_ids=candidates.values_list("pk", flat=True))
    ids = {
        pk for (pk, skill_id), level in levels.items() if skill_id in skill_ids and level >= EXPERT
    }
    return list(candidates.filter(pk__in=ids).select_related("user").order_by("pk"))


def questions_panel_counts(*, user: AbstractBaseUser) -> dict[str, int]:
    visible = Question.objects.visible_to(user)
    return {
        "open_questions": visible.filter(accepted_answer__isnull=True).count(),
        "unanswered_questions": visible.unanswered().count(),
    }


# --- Learning time --------------------------------------------------------------------------

LEARNING_WEEKS = 8
TEAM_LEARNING_WEEKS = 4


@dataclass
class LearningWeek:
    start: datetime.date
    minutes: int
    goal: int

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def percent(self) -> int:
        return round(100 * self.minutes / self.goal) if self.goal else 0

    @property
    def met(self) -> bool:
        return self.minutes >= self.goal


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def recent_week_starts(*, today: datetime.date, weeks: int) -> list[datetime.date]:
    """The Mondays of the last `weeks` weeks, this week first."""
    monday = week_start(today)
    return [monday - datetime.timedelta(weeks=n) for n in range(weeks)]


def learning_weeks(
    *, person: Person, today: datetime.date, weeks: int = LEARNING_WEEKS
) -> list[LearningWeek]:
    return team_learning(people=[person], today=today, weeks=weeks)[0][1] if person else []


def team_learning(
    *, people, today: datetime.date, weeks: int = TEAM_LEARNING_WEEKS
) -> list[tuple[Person, list[LearningWeek]]]:
    """Minutes per person and week (this week first) against the goal, in one query."""
    people = list(people)
    starts = recent_week_starts(today=today, weeks=weeks)
    goal = settings.MENTORING_LEARNING_GOAL_MINUTES
    totals: dict[tuple[int, datetime.date], int] = {}
    rows = (
        LearningEntry.objects.filter(
            person__in=[p.pk for p in people],
            date__gte=starts[-1],
            date__lte=starts[0] + datetime.timedelta(days=6),
        )
        .values("person_id", "date")
        .annotate(total=Sum("minutes"))
    )
    for row in rows:
        key = (row["person_id"], week_start(row["date"]))
        totals[key] = totals.get(key, 0) + row["total"]
    return [
        (person, [LearningWeek(start, totals.get((person.pk, start), 0), goal) for start in starts])
        for person in people
    ]


def learning_entries_visible(*, user: AbstractBaseUser) -> QuerySet[LearningEntry]:
    return LearningEntry.objects.visible_to(user).select_related("skill", "lab", "person__user")


def learning_team_of(*, user: AbstractBaseUser) -> QuerySet[Person]:
    """The people who report to `user` (transitively) and whom they may see."""
    person = person_of(user)
    if person is None:
        return Person.objects.none()
    return (
        Person.objects.visible_to(user)
        .filter(pk__in=Person.objects.reports_of(person).values("pk"), user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "pk")
    )


# --- Activities for learning paths (core.activities) ----------------------------------------


def first_mentored_on(people_ids: list[int]) -> dict[int, datetime.date]:
    """When each of these people first mentored someone: the start of their first mentorship
    as a mentor that became active (it may have ended since)."""
    from django.db.models import Min

    rows = (
        Mentorship.objects.filter(mentor_id__in=people_ids, start_date__isnull=False)
        .values("mentor_id")
        .annotate(first=Min("start_date"))
    )
    return {row["mentor_id"]: row["first"] for row in rows}


def first_mentor_conversation_on(people_ids: list[int]) -> dict[int, datetime.date]:
    """When each of these people first had a session with a mentor of theirs."""
    from django.db.models import Min

    rows = (
        Session.objects.filter(mentorship__mentee_id__in=people_ids)
        .values("mentorship__mentee_id")
        .annotate(first=Min("date"))
    )
    return {row["mentorship__mentee_id"]: row["first"] for row in rows}


# --- Home panels (core.dashboard) -----------------------------------------------------------

HOME_ROWS = 5  # what a home panel lists before it points to the full page
TREND_QUARTERS = 4


@dataclass
class MentorshipGlance:
    """An open mentorship seen by one of its two people: the other one, the last session, the
    next (one on the calendar, or when the cadence asks for one), the open action items."""

    mentorship: Mentorship
    role: str  # the viewer's side: "mentor" or "mentee"
    other: Person
    last_session: datetime.date | None
    planned_session: datetime.date | None
    open_items: int
    today: datetime.date
    gaps: list = field(default_factory=list)  # the mentee's biggest gaps, for their mentor

    @property
    def next_session(self) -> datetime.date | None:
        """The planned session, else the day the cadence asks for the next one (None before
        the mentorship starts)."""
        if self.planned_session is not None:
            return self.planned_session
        if self.mentorship.status != Mentorship.Status.ACTIVE:
            return None
        since = self.last_session or self.mentorship.start_date or self.today
        return since + datetime.timedelta(days=self.mentorship.cadence_days)

    @property
    def overdue(self) -> bool:
        return self.planned_session is None and (self.next_session or self.today) < self.today

    @property
    def waits_for_answer(self) -> bool:
        """A proposal the viewer has not accepted yet."""
        if self.mentorship.status != Mentorship.Status.PROPOSED:
            return False
        accepted = getattr(self.mentorship, f"{self.role}_accepted_at")
        return accepted is None


def mentorship_glances(
    *, mentorships: QuerySet[Mentorship], person: Person, today: datetime.date
) -> list[MentorshipGlance]:
    """`mentorships` of `person` with their session dates and open action items: one query."""
    rows = mentorships.select_related("mentor__user", "mentee__user").annotate(
        last_session=Max("sessions__date", filter=Q(sessions__date__lte=today)),
        planned_session=Min("sessions__date", filter=Q(sessions__date__gt=today)),
        open_items=Count(
            "action_items", filter=Q(action_items__done_at__isnull=True), distinct=True
        ),
    )
    return [
        MentorshipGlance(
            mentorship=m,
            role="mentor" if m.mentor_id == person.pk else "mentee",
            other=m.mentee if m.mentor_id == person.pk else m.mentor,
            last_session=m.last_session,
            planned_session=m.planned_session,
            open_items=m.open_items,
            today=today,
        )
        for m in rows
    ]


def mentees_panel_context(request: HttpRequest) -> dict | None:
    """A mentor's active mentees: each one's biggest gaps, last and next session and open
    action items. None for someone who mentors nobody."""
    person = person_of(request.user)
    if person is None:
        return None
    glances = mentorship_glances(
        mentorships=Mentorship.objects.active().filter(mentor=person),
        person=person,
        today=timezone.localdate(),
    )
    if not glances:
        return None
    heat = heatmap_for(people=[g.other for g in glances])
    gaps = {
        row.person.pk: sorted((c for c in row.cells if (c.gap or 0) > 0), key=lambda c: -c.gap)
        for row in heat.rows
    }
    for glance in glances:
        glance.gaps = gaps[glance.other.pk][:3]
    return {"mentees": glances, "open_items": sum(g.open_items for g in glances)}


def feedback_panel_context(request: HttpRequest) -> dict | None:
    """The latest feedback notes the person received and may read (never a note for their
    managers only), the unread ones marked, and the requests for feedback addressed to them."""
    person = person_of(request.user)
    if person is None:
        return None
    received = feedback_list_visible(user=request.user).filter(recipient=person)
    recent = list(received[:HOME_ROWS])
    return {
        "recent": recent,
        "total": received.count(),
        "unread": received.filter(acknowledged_at__isnull=True).count(),
        "requests": FeedbackRequest.objects.filter(
            asked=person, status=FeedbackRequest.Status.OPEN
        ).count(),
    }


def learning_panel_context(request: HttpRequest) -> dict | None:
    """This week's learning time against the goal, and the three weeks before it."""
    person = person_of(request.user)
    if person is None:
        return None
    weeks = learning_weeks(person=person, today=timezone.localdate(), weeks=TEAM_LEARNING_WEEKS)
    return {
        "this_week": weeks[0],
        "left": max(weeks[0].goal - weeks[0].minutes, 0),
        "earlier": weeks[1:],
    }


def _open_questions(*, user: AbstractBaseUser, person: Person, skill_ids) -> QuerySet[Question]:
    """Open questions (no accepted answer) tagged with any of the skills, not asked by
    `person`, the least answered first."""
    tagged = Question.objects.filter(skills__in=list(skill_ids)).values("pk")
    return (
        question_list_visible(user=user)
        .filter(pk__in=tagged, accepted_answer__isnull=True)
        .exclude(author=person)
        .select_related("author__user")
        .order_by("answer_count", "-created_at", "-pk")
    )


def questions_panel_context(request: HttpRequest) -> dict | None:
    """Open questions in the skills the person is building (current level 1 or 2: experts see
    theirs under "Questions you could answer"), and their own questions still open."""
    person = person_of(request.user)
    if person is None:
        return None
    levels = latest_reviewer_levels(people_ids=[person.pk])
    building = [skill for (_, skill), level in levels.items() if 1 <= level < EXPERT]
    questions = _open_questions(user=request.user, person=person, skill_ids=building)
    mine = (
        question_list_visible(user=request.user)
        .filter(author=person, accepted_answer__isnull=True)
        .select_related("author__user")
    )
    shown = list(questions[:HOME_ROWS])
    return {
        "questions": shown,
        "count": questions.count(),
        "mine": list(mine[:HOME_ROWS]),
    }


def answerable_questions_panel_context(request: HttpRequest) -> dict | None:
    """Open questions in the skills the person is an expert in (level 3 or more): the people
    the board e-mails about them. None for someone expert in nothing."""
    person = person_of(request.user)
    if person is None:
        return None
    levels = latest_reviewer_levels(people_ids=[person.pk])
    strong = [skill for (_, skill), level in levels.items() if level >= EXPERT]
    if not strong:
        return None
    questions = _open_questions(user=request.user, person=person, skill_ids=strong)
    shown = list(questions[:HOME_ROWS])
    return {
        "questions": shown,
        "count": questions.count(),
        "unanswered": questions.filter(answer_count=0).count(),
        "skills": list(Skill.objects.filter(pk__in=strong).order_by("position", "name")),
    }


def team_care_panel_context(request: HttpRequest) -> dict | None:
    """A manager's team: who has had no feedback or no mentoring session recently
    (MENTORING_FEEDBACK_WARNING_DAYS), and the early-career engineers without a mentor."""
    team = list(learning_team_of(user=request.user).select_related("team"))
    if not team:
        return None
    days = settings.MENTORING_FEEDBACK_WARNING_DAYS
    rows = cadence_for(people=team, now=timezone.now())
    mentored = set(
        Mentorship.objects.open()
        .filter(mentee__in=[p.pk for p in team])
        .values_list("mentee_id", flat=True)
    )
    no_feedback = [r for r in rows if r.days_since_feedback is None or r.days_since_feedback > days]
    no_session = [r for r in rows if r.days_since_session is None or r.days_since_session > days]
    no_mentor = [
        p for p in team if p.career_stage == CareerStage.EARLY_CAREER and p.pk not in mentored
    ]
    return {
        "people": len(team),
        "days": days,
        "no_feedback": no_feedback[:HOME_ROWS],
        "no_feedback_count": len(no_feedback),
        "no_session": no_session[:HOME_ROWS],
        "no_session_count": len(no_session),
        "no_mentor": no_mentor[:HOME_ROWS],
        "no_mentor_count": len(no_mentor),
        "early_career": sum(1 for p in team if p.career_stage == CareerStage.EARLY_CAREER),
    }


def team_learning_panel_context(request: HttpRequest) -> dict | None:
    """A manager's team's learning time this week against the goal, and over four weeks."""
    team = list(learning_team_of(user=request.user))
    if not team:
        return None
    rows = team_learning(people=team, today=timezone.localdate(), weeks=TEAM_LEARNING_WEEKS)
    goal = settings.MENTORING_LEARNING_GOAL_MINUTES
    this_week = sorted(((p, weeks[0]) for p, weeks in rows), key=lambda r: r[1].minutes)
    minutes = sum(week.minutes for _, weeks in rows for week in weeks)
    return {
        "people": len(team),
        "goal": goal,
        "week": rows[0][1][0],  # its dates
        "met": sum(1 for _, week in this_week if week.met),
        "minutes": sum(week.minutes for _, week in this_week),
        "team_goal": goal * len(team),
        "weekly_average": round(minutes / (len(team) * TEAM_LEARNING_WEEKS)),
        "weeks": TEAM_LEARNING_WEEKS,
        "least": [(p, week) for p, week in this_week if not week.met][:HOME_ROWS],
    }


@dataclass
class Quarter:
    start: datetime.date
    end: datetime.date  # the last day

    @property
    def short_label(self) -> str:
        return f"Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        return f"{self.short_label} {self.start.year}"


def last_quarters(*, today: datetime.date, count: int = TREND_QUARTERS) -> list[Quarter]:
    """The calendar quarters up to and including today's, oldest first."""
    year, index = today.year, (today.month - 1) // 3
    quarters = []
    for _ in range(count):
        start = datetime.date(year, 3 * index + 1, 1)
        following = datetime.date(year + (index == 3), 3 * ((index + 1) % 4) + 1, 1)
        quarters.append(Quarter(start, following - datetime.timedelta(days=1)))
        year, index = (year - 1, 3) if index == 0 else (year, index - 1)
    return quarters[::-1]


@dataclass
class TrendRow:
    quarter: Quarter
    average_level: float | None  # the team's mean reviewer level at the quarter's end (or now)
    below_target: int  # (person, skill) pairs below target then
    feedback_notes: int  # notes the team received in the quarter, whatever their visibility
    people_with_feedback: int


def team_trends_panel_context(request: HttpRequest) -> dict | None:
    """A manager's team over the last quarters: skill levels (from the assessment history) and
    feedback cadence (how many notes, to how many people; never what they say)."""
    team = list(learning_team_of(user=request.user))
    if not team:
        return None
    now = timezone.now()
    quarters = last_quarters(today=timezone.localdate(now))
    ends = [
        min(now, timezone.make_aware(datetime.datetime.combine(q.end, datetime.time.max)))
        for q in quarters
    ]
    levels = team_levels_over_time(people=team, moments=ends)
    notes = FeedbackNote.objects.filter(
        recipient__in=[p.pk for p in team], created_at__date__gte=quarters[0].start
    ).values_list("created_at", "recipient_id")
    per_quarter: dict[int, list[int]] = {i: [] for i in range(len(quarters))}
    for created_at, recipient_id in notes:
        day = timezone.localdate(created_at)
        for i, quarter in enumerate(quarters):
            if quarter.start <= day <= quarter.end:
                per_quarter[i].append(recipient_id)
    rows = [
        TrendRow(
            quarter=quarter,
            average_level=at.average,
            below_target=at.below_target,
            feedback_notes=len(per_quarter[i]),
            people_with_feedback=len(set(per_quarter[i])),
        )
        for i, (quarter, at) in enumerate(zip(quarters, levels, strict=True))
    ]
    return {
        "people": len(team),
        "rows": rows,
        "most_notes": max((row.feedback_notes for row in rows), default=0) or 1,
    }


# --- Person page sections (core.person_sections) --------------------------------------------

PERSON_PAGE_NOTES = 5


def person_mentoring_section(*, viewer: AbstractBaseUser, person: Person) -> dict:
    """The person's mentors and mentees (proposed or active mentorships the viewer may see),
    each with the last and the next session: one query."""
    mentorships = (
        Mentorship.objects.visible_to(viewer).filter(Q(mentor=person) | Q(mentee=person)).open()
    )
    glances = mentorship_glances(mentorships=mentorships, person=person, today=timezone.localdate())
    return {
        "mentors": [g for g in glances if g.role == "mentee"],
        "mentees": [g for g in glances if g.role == "mentor"],
    }


def person_feedback_section(*, viewer: AbstractBaseUser, person: Person) -> dict:
    """The latest feedback notes the person received that the viewer may read
    (`FeedbackNote.objects.visible_to`): never more, whoever the viewer is. Two queries."""
    notes = feedback_list_visible(user=viewer).filter(recipient=person)
    return {"notes": list(notes[:PERSON_PAGE_NOTES]), "count": notes.count()}


def person_learning_section(*, viewer: AbstractBaseUser, person: Person) -> dict | None:
    """The person's learning time this week and this quarter against the goal. Learning time
    is for the person and their managers (`LearningEntry.objects.visible_to`): None for anyone
    else, mentors and staff included. Three queries."""
    own = person.user_id == viewer.pk
    if not own and not learning_team_of(user=viewer).filter(pk=person.pk).exists():
        return None
    today = timezone.localdate()
    quarter = last_quarters(today=today, count=1)[0]
    weeks = (week_start(today) - week_start(quarter.start)).days // 7 + 1
    minutes = (
        LearningEntry.objects.visible_to(viewer)
        .filter(person=person, date__gte=quarter.start, date__lte=today)
        .aggregate(total=Sum("minutes"))["total"]
    )
    goal = settings.MENTORING_LEARNING_GOAL_MINUTES * weeks
    return {
        "week": learning_weeks(person=person, today=today, weeks=1)[0],
        "quarter": quarter,
        "quarter_weeks": weeks,
        "quarter_minutes": minutes or 0,
        "quarter_goal": goal,
        "quarter_percent": round(100 * (minutes or 0) / goal) if goal else 0,
        "url": reverse("mentoring:learning" if own else "mentoring:learning-team"),
    }
