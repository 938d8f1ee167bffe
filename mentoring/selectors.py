"""Reads for mentoring. Who may see a row is decided by the `visible_to(user)` queryset methods
(mentoring.querysets); the functions here add the rest: 404s, matching facts, dashboards."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.models import CareerStage, Person
from core.selectors import person_of
from core.skills.models import Skill
from core.skills.selectors import EXPERT, latest_reviewer_levels, managers_of, person_matrix
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


# --- Dashboard ------------------------------------------------------------------------------


def mentoring_panel_context(request: HttpRequest) -> dict | None:
    person = person_of(request.user)
    if person is None:
        return None
    mentorships = mentorships_of(person=person).filter(
        status__in=[Mentorship.Status.PROPOSED, Mentorship.Status.ACTIVE]
    )
    unread = (
        feedback_list_visible(user=request.user)
        .filter(recipient=person, acknowledged_at__isnull=True)
        .count()
    )
    return {"person": person, "mentorships": mentorships[:5], "unacknowledged": unread}


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
        .annotate(last_session=Max("sessions__date"))
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
        Q(mentorship__mentee_id__in=ids) | Q(mentorship__mentor_id__in=ids)
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
