"""Writes for mentoring. Keyword-only, typed, validated with full_clean().

Expected user errors are `ValidationError`s naming the field (pages show them on the form, the
API answers 400); acting on something you may not touch is `PermissionDenied`.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Person
from core.notifications.models import NotificationKind
from core.notifications.services import notification_create
from core.services import enqueue_on_commit, mail_safely
from core.skills.models import Skill
from core.skills.selectors import is_manager_of, managers_of
from mentoring import selectors
from mentoring.models import (
    ActionItem,
    Answer,
    Cadence,
    FeedbackNote,
    FeedbackRequest,
    FeedbackVisibility,
    LearningEntry,
    MentorProfile,
    Mentorship,
    PrivateNote,
    Question,
    Session,
)

logger = logging.getLogger(__name__)

# --- Availability ---------------------------------------------------------------------------


@transaction.atomic
def mentor_profile_update(
    *, person: Person, open_to_mentoring: bool, capacity: int, skills: list[Skill]
) -> MentorProfile:
    offerable = set(selectors.offerable_skills(person=person).values_list("pk", flat=True))
    too_low = [skill.name for skill in skills if skill.pk not in offerable]
    if too_low:
        raise ValidationError(
            {
                "skills_offered": "You can offer skills at level 3 or more only: "
                + ", ".join(too_low)
                + "."
            }
        )
    profile, _ = MentorProfile.objects.get_or_create(person=person)
    profile.open_to_mentoring = open_to_mentoring
    profile.capacity = capacity
    profile.full_clean()
    profile.save()
    profile.skills_offered.set(skills)
    return profile


# --- Mentorships ----------------------------------------------------------------------------


def _may_propose_for(proposer: Person, mentee: Person) -> bool:
    return proposer.user.is_staff or is_manager_of(manager=proposer, subject=mentee)


def _check_mentor_for(*, mentor: Person, mentee: Person, asked_by_mentee: bool = False) -> None:
    """The rules a mentor keeps however a pair is proposed: from outside the mentee's reporting
    line, open to mentoring, with a place left. Worded for whoever asks."""
    if mentor.pk in {manager.pk for manager in managers_of(mentee)}:
        raise ValidationError(
            {
                "mentor": f"{mentor.display_name} is in your reporting line: a mentor comes "
                "from outside it, so ask someone else."
                if asked_by_mentee
                else "A mentor cannot be the mentee's manager or anyone in their reporting line."
            }
        )
    profile = MentorProfile.objects.filter(person=mentor).first()
    if (
        profile is None
        or not profile.open_to_mentoring
        or profile.capacity < 1
        or not mentor.user.is_active
    ):
        raise ValidationError({"mentor": f"{mentor} is not open to mentoring (capacity 0)."})
    if selectors.active_mentee_count(mentor=mentor) >= profile.capacity:
        raise ValidationError({"mentor": f"{mentor} has no mentoring capacity left."})


@transaction.atomic
def mentorship_propose(
    *,
    proposed_by: Person,
    mentor: Person,
    mentee: Person,
    cadence: str = Cadence.FORTNIGHTLY,
    goals: str = "",
    goal_skills: list[Skill] | None = None,
    breakdown: dict | None = None,
) -> Mentorship:
    """Managers (of the mentee) or staff propose; the mentor and the mentee then accept."""
    if not _may_propose_for(proposed_by, mentee):
        raise PermissionDenied("Only the mentee's managers or staff propose a mentorship.")
    _check_mentor_for(mentor=mentor, mentee=mentee)
    mentorship = Mentorship(
        mentor=mentor,
        mentee=mentee,
        proposed_by=proposed_by,
        cadence=cadence,
        goals=goals,
        match_breakdown=breakdown or {},
    )
    mentorship.full_clean()
    mentorship.save()
    if goal_skills:
        mentorship.goal_skills.set(goal_skills)
    from mentoring.tasks import notify_mentorship_proposed

    enqueue_on_commit(notify_mentorship_proposed, mentorship.pk)
    return mentorship


MAX_OPEN_REQUESTS = 3  # requests a mentee has waiting for a mentor's answer at one time


@transaction.atomic
def mentorship_request(
    *,
    mentee: Person,
    mentor: Person,
    goals: str = "",
    goal_skills: list[Skill] | None = None,
    cadence: str = Cadence.FORTNIGHTLY,
) -> Mentorship:
    """A mentee asks a mentor directly. Asking is their acceptance, so the pair starts once the
    mentor accepts. The mentor rules are those of a manager's proposal; on top, one request or
    mentorship per pair (either way round) and at most MAX_OPEN_REQUESTS waiting at a time.

    The mentee's row is locked first, so two requests sent at once are counted one after the
    other and cannot both slip under the limit."""
    Person.objects.select_for_update().filter(pk=mentee.pk).first()
    if mentor.pk == mentee.pk:
        raise ValidationError({"mentor": "You cannot be your own mentor: ask someone else."})
    _check_mentor_for(mentor=mentor, mentee=mentee, asked_by_mentee=True)
    open_pairs = Mentorship.objects.open()
    if open_pairs.filter(mentor=mentor, mentee=mentee).exists():
        raise ValidationError(
            {
                "mentor": f"You already have a request or a mentorship with "
                f"{mentor.display_name}: see it under Mentoring."
            }
        )
    if open_pairs.filter(mentor=mentee, mentee=mentor).exists():
        raise ValidationError(
            {
                "mentor": f"You mentor {mentor.display_name}: two people do not mentor each "
                "other at the same time, so ask someone else."
            }
        )
    if selectors.open_request_count(mentee=mentee) >= MAX_OPEN_REQUESTS:
        raise ValidationError(
            {
                "mentor": f"You already have {MAX_OPEN_REQUESTS} requests waiting for an answer, "
                "the most at one time. Ask someone else once a mentor answers, or stop a "
                "request on its page."
            }
        )
    mentorship = Mentorship(
        mentor=mentor,
        mentee=mentee,
        proposed_by=mentee,
        cadence=cadence,
        goals=goals,
        match_breakdown=selectors.match_breakdown_for(mentee=mentee, mentor=mentor),
        mentee_accepted_at=timezone.now(),
    )
    mentorship.full_clean()
    try:
        with transaction.atomic():
            mentorship.save()
    except IntegrityError as error:  # a manager proposed the same pair at the same moment
        raise ValidationError(
            {"mentor": f"You already have a request or a mentorship with {mentor.display_name}."}
        ) from error
    if goal_skills:
        mentorship.goal_skills.set(goal_skills)
    from mentoring.tasks import notify_mentorship_proposed

    enqueue_on_commit(notify_mentorship_proposed, mentorship.pk)
    return mentorship


def mentorship_respond(
    *, mentorship_id: int, person: Person, accept: bool, reason: str = ""
) -> Mentorship:
    """The mentor or the mentee accepts or declines (with an optional reason, shown to the
    other one on the mentorship's page). When both have accepted the pair becomes active,
    unless the mentor's last place went meanwhile.

    The mentor's row is locked first, so two acceptances competing for the last place run one
    after the other and the second sees the first's active pair."""
    with transaction.atomic():
        mentor_id = Mentorship.objects.values_list("mentor_id", flat=True).get(pk=mentorship_id)
        Person.objects.select_for_update().filter(pk=mentor_id).first()
        mentorship = Mentorship.objects.select_for_update().get(pk=mentorship_id)
        party = mentorship.party(person)
        if not party:
            raise PermissionDenied("Only the mentor and the mentee answer a proposal.")
        if mentorship.status != Mentorship.Status.PROPOSED:
            raise ValidationError({"status": "This mentorship is no longer waiting for answers."})
        if not accept:
            mentorship.status = Mentorship.Status.DECLINED
            mentorship.end_reason = reason.strip()
            mentorship.save(update_fields=["status", "end_reason"])
            return mentorship
        setattr(mentorship, f"{party}_accepted_at", timezone.now())
        if mentorship.mentor_accepted_at and mentorship.mentee_accepted_at:
            _activate(mentorship)
            from mentoring.tasks import notify_mentorship_accepted

            enqueue_on_commit(notify_mentorship_accepted, mentorship.pk)
        mentorship.save()
        return mentorship


def _activate(mentorship: Mentorship) -> None:
    profile = MentorProfile.objects.filter(person_id=mentorship.mentor_id).first()
    capacity = profile.capacity if profile and profile.open_to_mentoring else 0
    if selectors.active_mentee_count(mentor=mentorship.mentor) >= capacity:
        raise ValidationError(
            {
                "status": f"{mentorship.mentor} has no mentoring capacity left; "
                "ask for another match."
            }
        )
    mentorship.status = Mentorship.Status.ACTIVE
    mentorship.start_date = timezone.localdate()


@transaction.atomic
def mentorship_end(
    *, mentorship: Mentorship, person: Person, completed: bool, reason: str = ""
) -> Mentorship:
    """Completed (the goals are met) or ended early, with a reason."""
    if not (mentorship.party(person) or _may_propose_for(person, mentorship.mentee)):
        raise PermissionDenied("Only the two of them, the mentee's managers or staff end it.")
    if mentorship.status not in (Mentorship.Status.PROPOSED, Mentorship.Status.ACTIVE):
        raise ValidationError({"status": "This mentorship has already ended."})
    if not completed and not reason.strip():
        raise ValidationError({"end_reason": "Say why the mentorship ends."})
    mentorship.status = Mentorship.Status.COMPLETED if completed else Mentorship.Status.ENDED
    mentorship.end_reason = reason
    mentorship.end_date = timezone.localdate()
    mentorship.full_clean()
    mentorship.save()
    return mentorship


# --- Sessions -------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    mentorship: Mentorship,
    author: Person,
    date: datetime.date,
    agenda: str = "",
    notes: str = "",
    action_items: list[str] | None = None,
) -> Session:
    if not mentorship.party(author):
        raise PermissionDenied("Only the mentor and the mentee log sessions.")
    if mentorship.status != Mentorship.Status.ACTIVE:
        raise ValidationError({"date": "Sessions are logged for active mentorships."})
    session = Session(
        mentorship=mentorship, date=date, agenda=agenda, notes=notes, created_by=author
    )
    session.full_clean()
    session.save()
    for text in action_items or []:
        if text.strip():
            item = ActionItem(mentorship=mentorship, session=session, text=text.strip())
            item.full_clean()
            item.save()
    return session


def action_item_complete(*, item: ActionItem, person: Person) -> ActionItem:
    if not item.mentorship.party(person):
        raise PermissionDenied("Only the mentor and the mentee tick off action items.")
    if item.done_at is None:
        item.done_at = timezone.now()
        item.done_in = item.mentorship.sessions.order_by("-date", "-pk").first()
        item.save(update_fields=["done_at", "done_in"])
    return item


def private_note_save(*, session: Session, author: Person, body: str) -> PrivateNote:
    """Write or replace your own private note on a session: only you will ever read it."""
    if not session.mentorship.party(author):
        raise PermissionDenied("Only the mentor and the mentee keep notes on a session.")
    note = PrivateNote.objects.filter(session=session, author=author).first()
    note = note or PrivateNote(session=session, author=author)
    note.body = body
    note.updated_at = timezone.now()
    note.full_clean()
    note.save()
    return note


# --- Feedback -------------------------------------------------------------------------------


@transaction.atomic
def feedback_note_create(
    *,
    author: Person,
    recipient: Person,
    category: str,
    kind: str,
    body: str,
    visibility: str = FeedbackVisibility.PRIVATE,
    request: FeedbackRequest | None = None,
) -> FeedbackNote:
    if request is not None and (
        request.asked_id != author.pk
        or request.requester_id != recipient.pk
        or request.status != FeedbackRequest.Status.OPEN
    ):
        raise ValidationError({"request": "That request is not an open one addressed to you."})
    note = FeedbackNote(
        author=author,
        recipient=recipient,
        category=category,
        kind=kind,
        body=body,
        visibility=visibility,
        request=request,
    )
    note.full_clean()
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError as error:  # the database's own check, if clean() was bypassed
        raise ValidationError({"recipient": "Feedback is for someone else."}) from error
    if request is not None:
        request.status = FeedbackRequest.Status.ANSWERED
        request.save(update_fields=["status"])
    if note.visibility != FeedbackVisibility.MANAGERS_ONLY:  # the recipient may read it
        from mentoring.tasks import notify_feedback_received

        enqueue_on_commit(notify_feedback_received, note.pk)
    return note


def feedback_note_acknowledge(*, note: FeedbackNote, person: Person) -> FeedbackNote:
    if note.recipient_id != person.pk or note.visibility == FeedbackVisibility.MANAGERS_ONLY:
        raise PermissionDenied("Only the recipient acknowledges feedback.")
    if note.acknowledged_at is None:
        note.acknowledged_at = timezone.now()
        note.save(update_fields=["acknowledged_at"])
    return note


def feedback_request_create(*, requester: Person, asked: Person, about: str) -> FeedbackRequest:
    request = FeedbackRequest(requester=requester, asked=asked, about=about)
    request.full_clean()
    request.save()
    return request


# --- Cadence: the weekly digest and reminders -----------------------------------------------


def digests_send(*, now: datetime.datetime) -> dict[str, int]:
    """E-mail every manager the cadence of their reports (with warnings first) and every mentor
    of an overdue mentorship a reminder. `now` is passed in so tests control the clock; the
    periodic task passes `timezone.now()`."""
    sent = {"digests": 0, "reminders": 0}
    managers = Person.objects.filter(reports__isnull=False, user__is_active=True).distinct()
    for manager in managers.select_related("user"):
        reports = Person.objects.reports_of(manager).filter(user__is_active=True)
        rows = selectors.cadence_for(people=reports.select_related("user"), now=now)
        if manager.user.email and _mail(
            manager, "Your team's feedback and mentoring cadence", _digest_text(rows)
        ):
            sent["digests"] += 1
    for mentorship, days in selectors.overdue_mentorships(now=now):
        mentor = mentorship.mentor
        text = (
            f"You and {mentorship.mentee.display_name} have not logged a session for {days} days "
            f"(your cadence is {mentorship.get_cadence_display().lower()}). "
            "Time for a check-in?\n\n"
            f"{settings.SITE_URL.rstrip('/')}{mentorship.get_absolute_url()}\n"
        )
        if mentor.user.email and _mail(
            mentor, f"Check in with {mentorship.mentee.display_name}", text
        ):
            sent["reminders"] += 1
    return sent


def _digest_text(rows) -> str:
    def days(value):
        return "never" if value is None else f"{value} days ago"

    rows = sorted(rows, key=lambda row: (not row.warnings, row.person.display_name))
    lines = ["Feedback and mentoring cadence of the people who report to you:", ""]
    for row in rows:
        lines.append(
            f"- {row.person.display_name}: last feedback {days(row.days_since_feedback)}, "
            f"last mentoring session {days(row.days_since_session)}"
        )
        lines.extend(f"    ! {warning}" for warning in row.warnings)
    lines += ["", f"{settings.SITE_URL.rstrip('/')}{reverse('mentoring:cadence')}"]
    return "\n".join(lines) + "\n"


def _mail(person: Person, subject: str, body: str) -> bool:
    """A mail server that is down is logged; the digest is tried again next week."""
    return mail_safely(
        to=[person.user.email], subject=subject, body=body, what=f"person {person.pk}"
    )


# --- Questions board ------------------------------------------------------------------------

RERAISE_AFTER = datetime.timedelta(hours=48)
MENTORING_SKILL_SLUG = "mentoring"


def _clean_question_fields(*, title: str, skills: list[Skill]) -> None:
    if not title.strip():
        raise ValidationError({"title": "Say what your question is."})
    retired = [skill.name for skill in skills if skill.retired]
    if retired:
        raise ValidationError({"skills": "Retired skills: " + ", ".join(retired) + "."})


@transaction.atomic
def question_create(
    *, author: Person, title: str, body: str = "", skills: list[Skill], anonymous: bool = False
) -> Question:
    """Ask a question; after commit, the experts (level >= 3) in its skills get an e-mail."""
    _clean_question_fields(title=title, skills=skills)
    question = Question(author=author, title=title.strip(), body=body, anonymous=anonymous)
    question.full_clean()
    question.save()
    question.skills.set(skills)
    from mentoring.tasks import notify_question_experts

    enqueue_on_commit(notify_question_experts, question.pk)
    return question


@transaction.atomic
def question_update(
    *, question: Question, person: Person, title: str, body: str, skills: list[Skill]
) -> Question:
    """Only the author edits a question (anonymous or not)."""
    if not question.is_asked_by(person):
        raise PermissionDenied("Only the author edits a question.")
    _clean_question_fields(title=title, skills=skills)
    question.title = title.strip()
    question.body = body
    question.updated_at = timezone.now()
    question.full_clean()
    question.save()
    question.skills.set(skills)
    return question


@transaction.atomic
def answer_create(*, question: Question, author: Person, body: str) -> Answer:
    if question.is_asked_by(author):
        # Answering your own question under your name would reveal an anonymous asker.
        raise ValidationError({"body": "Edit your question to add to it; answers are for others."})
    if not body.strip():
        raise ValidationError({"body": "Write an answer."})
    answer = Answer(question=question, author=author, body=body)
    answer.full_clean()
    answer.save()
    from mentoring.tasks import notify_question_answered

    enqueue_on_commit(notify_question_answered, answer.pk)
    return answer


@transaction.atomic
def answer_accept(*, question: Question, answer: Answer, person: Person) -> Question:
    """The asker accepts one answer: evidence of the answerer's mentoring skill."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_asked_by(person):
        raise PermissionDenied("Only the asker accepts an answer.")
    if answer.question_id != question.pk:
        raise ValidationError({"answer": "That answer belongs to another question."})
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])
    from core.skills.models import EvidenceKind
    from core.skills.services import evidence_record

    evidence_record(
        person=answer.author,
        skill=Skill.objects.get(slug=MENTORING_SKILL_SLUG),
        kind=EvidenceKind.ANSWERED_QUESTION,
        title=f"Accepted answer: {question.title}"[:200],
        url=answer.get_absolute_url(),
        source=f"mentoring.answer:{answer.pk}",
    )
    return question


def question_notify_experts(*, question_id: int, again: bool = False) -> int:
    """E-mail the experts in the question's skills (never the asker). The asker of an
    anonymous question is not named."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return 0
    experts = selectors.question_experts(question=question)
    asker = question.shown_author
    who = asker.display_name if asker else "Someone"
    subject = ("Still unanswered: " if again else "A question for you: ") + question.title
    body = (
        f"{who} asked a question in a skill you are strong in"
        f"{' and nobody has answered it for 48 hours' if again else ''}:\n\n"
        f"{question.title}\n\n"
        f"{settings.SITE_URL.rstrip('/')}{question.get_absolute_url()}\n"
    )
    return sum(1 for expert in experts if expert.user.email and _mail(expert, subject, body))


def questions_reraise(*, now: datetime.datetime) -> int:
    """Questions unanswered for 48 hours go to the same experts once more (once)."""
    due = Question.objects.unanswered().filter(
        reraised_at__isnull=True, created_at__lte=now - RERAISE_AFTER
    )
    count = 0
    for question_id in list(due.values_list("pk", flat=True)):
        marked = Question.objects.filter(pk=question_id, reraised_at__isnull=True).update(
            reraised_at=now
        )
        if marked:  # another worker did not get there first
            question_notify_experts(question_id=question_id, again=True)
            count += 1
    return count


# --- Notifications (called by the tasks in mentoring.tasks, after commit) --------------------


def feedback_received_notify(*, note_id: int) -> bool:
    """Tell the recipient of a feedback note they may read; the note itself stays in Cultivate
    (an e-mail would carry private feedback out of it)."""
    note = (
        FeedbackNote.objects.select_related("author__user", "recipient__user")
        .filter(pk=note_id)
        .first()
    )
    if note is None or note.visibility == FeedbackVisibility.MANAGERS_ONLY:
        return False
    told = notification_create(
        recipient=note.recipient,
        kind=NotificationKind.FEEDBACK_RECEIVED,
        title=f"{note.author.display_name} wrote you feedback",
        body=f"{note.get_kind_display()} about {note.get_category_display().lower()}.",
        link=note.get_absolute_url(),
        dedupe_key=f"mentoring.feedback:{note.pk}",
        actor=note.author,
    )
    return told is not None


def _mentorship(mentorship_id: int) -> Mentorship | None:
    return (
        Mentorship.objects.select_related("mentor__user", "mentee__user", "proposed_by__user")
        .filter(pk=mentorship_id)
        .first()
    )


def mentorship_proposed_notify(*, mentorship_id: int) -> int:
    """Ask the mentor and the mentee (not whoever of them proposed it) for their answer."""
    mentorship = _mentorship(mentorship_id)
    if mentorship is None or mentorship.status != Mentorship.Status.PROPOSED:
        return 0
    mentor, mentee, by = mentorship.mentor, mentorship.mentee, mentorship.proposed_by
    who = by.display_name if by else "Someone"
    titles = {
        mentor: f"{who} proposes that you mentor {mentee.display_name}",
        mentee: f"{who} proposes {mentor.display_name} as your mentor",
    }
    body = "Accept or decline on the mentorship's page; it starts once you both accept."
    if by is not None and by.pk == mentee.pk:  # the mentee asked: only the mentor answers
        titles = {mentor: f"{mentee.display_name} asked you to mentor them"}
        body = (
            "Read why you were matched and their message on the mentorship's page, then "
            "accept or decline; it starts once you accept."
        )
    told = [
        notification_create(
            recipient=person,
            kind=NotificationKind.MENTORSHIP_PROPOSED,
            title=title,
            body=body,
            link=mentorship.get_absolute_url(),
            dedupe_key=f"mentoring.mentorship:{mentorship.pk}:proposed",
            actor=by,
        )
        for person, title in titles.items()
        if by is None or person.pk != by.pk
    ]
    return sum(1 for notification in told if notification)


def mentorship_accepted_notify(*, mentorship_id: int) -> int:
    """Both accepted: the mentor, the mentee and whoever proposed it hear that it starts."""
    mentorship = _mentorship(mentorship_id)
    if mentorship is None or mentorship.start_date is None:
        return 0
    mentor, mentee = mentorship.mentor, mentorship.mentee
    told_about = {
        mentor.pk: (mentor, f"Your mentorship of {mentee.display_name} starts", mentee),
        mentee.pk: (mentee, f"Your mentorship with {mentor.display_name} starts", mentor),
    }
    by = mentorship.proposed_by
    if by is not None and by.pk not in told_about:
        title = f"{mentee.display_name} and {mentor.display_name} accepted your proposal"
        told_about[by.pk] = (by, title, mentee)
    told = [
        notification_create(
            recipient=person,
            kind=NotificationKind.MENTORSHIP_ACCEPTED,
            title=title,
            body=f"Both accepted; the cadence is {mentorship.get_cadence_display().lower()}.",
            link=mentorship.get_absolute_url(),
            dedupe_key=f"mentoring.mentorship:{mentorship.pk}:accepted",
            actor=actor,
        )
        for person, title, actor in told_about.values()
    ]
    return sum(1 for notification in told if notification)


def question_answered_notify(*, answer_id: int) -> bool:
    """Tell the asker, anonymous or not. Only they receive it, and the admin leaves these out
    (core/notifications/admin.py), so nobody learns from it who asked."""
    answer = (
        Answer.objects.select_related("question__author__user", "author__user")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None or answer.question.author is None:
        return False
    question = answer.question
    told = notification_create(
        recipient=question.author,
        kind=NotificationKind.QUESTION_ANSWERED,
        title=f"{answer.author.display_name} answered “{question.title}”",
        body="Read the answer; accept it if it solves your problem.",
        link=answer.get_absolute_url(),
        dedupe_key=f"mentoring.answer:{answer.pk}",
        actor=answer.author,
    )
    return told is not None


# --- Learning time --------------------------------------------------------------------------


def learning_entry_create(
    *,
    person: Person,
    date: datetime.date,
    minutes: int,
    what: str,
    skill: Skill | None = None,
    lab=None,
) -> LearningEntry:
    if date > timezone.localdate():
        raise ValidationError({"date": "Log learning time for today or earlier."})
    entry = LearningEntry(
        person=person, date=date, minutes=minutes, what=what.strip(), skill=skill, lab=lab
    )
    entry.full_clean()
    entry.save()
    return entry
