"""Permission-matrix rows for mentoring's pages and API.

`outsider` mentors `peer` (an active mentorship proposed by peer's manager), logged a session
with a private note, and wrote `peer` a feedback note their managers may read. The engineer (a
colleague) sees none of it (404); the manager sees the mentorship and the note but not the
session (shared notes are for the two of them); staff see the mentorship, but neither the
session nor the note (a note's visibility is its author's choice).
"""

import datetime

from mentoring.models import (
    FeedbackNote,
    MentorProfile,
    Mentorship,
    PrivateNote,
    Question,
    Session,
)
from tests.url_matrix import LOGIN, Case, signed_in


def mentorship_of(org) -> Mentorship:
    if not hasattr(org, "mentorship"):
        MentorProfile.objects.create(person=org.outsider, open_to_mentoring=True, capacity=2)
        org.mentorship = Mentorship.objects.create(
            mentor=org.outsider,
            mentee=org.peer,
            proposed_by=org.manager,
            status=Mentorship.Status.ACTIVE,
            start_date=datetime.date(2026, 1, 5),
        )
    return org.mentorship


def session_of(org) -> Session:
    if not hasattr(org, "session"):
        mentorship = mentorship_of(org)
        org.session = Session.objects.create(
            mentorship=mentorship, date=datetime.date(2026, 1, 12), created_by=org.outsider
        )
        PrivateNote.objects.create(session=org.session, author=org.outsider, body="mine only")
        org.action_item = org.session.action_items.create(mentorship=mentorship, text="Read")
    return org.session


def note_of(org) -> FeedbackNote:
    if not hasattr(org, "note"):
        org.note = FeedbackNote.objects.create(
            author=org.outsider,
            recipient=org.peer,
            category="coding",
            kind="praise",
            body="Nice tests.",
            visibility="with_managers",
        )
    return org.note


def question_of(org) -> Question:
    """An anonymous question asked by `peer`: everyone reads it, only peer edits it."""
    if not hasattr(org, "question"):
        org.question = Question.objects.create(author=org.peer, anonymous=True, title="How?")
    return org.question


QUESTION = {"pk": lambda org: question_of(org).pk}
MENTORSHIP = {"pk": lambda org: mentorship_of(org).pk}
SESSION = {"pk": lambda org: session_of(org).pk}
ACTION_ITEM = {"pk": lambda org: (session_of(org), org.action_item.pk)[1]}
NOTE = {"pk": lambda org: note_of(org).pk}

MENTEES_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 200}
MENTEES_API = {**MENTEES_PAGE, "anonymous": 401}
TEAM_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 404}
TEAM_API = {**TEAM_PAGE, "anonymous": 401}
TWO_ONLY_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 404, "staff": 404}
TWO_ONLY_API = {**TWO_ONLY_PAGE, "anonymous": 401}
NOTE_PAGE = {"anonymous": LOGIN, "engineer": 404, "manager": 200, "staff": 404}
NOTE_API = {**NOTE_PAGE, "anonymous": 401}
MATCHERS_PAGE = MENTEES_PAGE  # managers (of someone) and staff
MATCHERS_API = MENTEES_API

URLS: dict[str, Case] = {
    # --- pages ---------------------------------------------------------------------------
    "mentoring:index": Case(signed_in(200)),
    "mentoring:availability": Case(signed_in(200)),
    "mentoring:match": Case(MATCHERS_PAGE),
    "mentoring:find": Case(signed_in(200)),
    "mentoring:propose": Case(signed_in(405)),  # POST only: tests/mentoring/test_views.py
    "mentoring:mentorship": Case(MENTEES_PAGE, kwargs=MENTORSHIP),
    "mentoring:mentorship-respond": Case(signed_in(405), kwargs=MENTORSHIP),
    "mentoring:mentorship-end": Case(signed_in(405), kwargs=MENTORSHIP),
    "mentoring:session-create": Case(signed_in(405), kwargs=MENTORSHIP),
    "mentoring:session": Case(TWO_ONLY_PAGE, kwargs=SESSION),
    "mentoring:action-item-done": Case(signed_in(405), kwargs=ACTION_ITEM),
    "mentoring:feedback": Case(signed_in(200)),
    "mentoring:feedback-note": Case(NOTE_PAGE, kwargs=NOTE),
    "mentoring:feedback-requests": Case(signed_in(200)),
    "mentoring:cadence": Case(MATCHERS_PAGE),
    "mentoring:questions": Case(signed_in(200)),
    "mentoring:question-ask": Case(signed_in(200)),
    "mentoring:question": Case(signed_in(200), kwargs=QUESTION),
    "mentoring:question-edit": Case(TWO_ONLY_PAGE, kwargs=QUESTION),  # the author only
    "mentoring:question-accept": Case(signed_in(405), kwargs=QUESTION),
    "mentoring:learning": Case(signed_in(200)),
    "mentoring:learning-team": Case(TEAM_PAGE),  # managers of someone
    # --- API -------------------------------------------------------------------------------
    "api:mentor-availability": Case(signed_in(200, anonymous=401)),
    "api:mentor-matches": Case(MATCHERS_API),
    "api:mentoring-cadence": Case(MATCHERS_API),
    "api:mentorship-list": Case(signed_in(200, anonymous=401)),
    "api:mentorship-detail": Case(MENTEES_API, kwargs=MENTORSHIP),
    "api:mentorship-respond": Case(signed_in(405, anonymous=401), kwargs=MENTORSHIP),
    # POST only: asking is tested in tests/mentoring/test_self_service.py
    "api:mentorship-request": Case(signed_in(405, anonymous=401)),
    "api:mentorship-end": Case(signed_in(405, anonymous=401), kwargs=MENTORSHIP),
    "api:mentorship-sessions": Case(TWO_ONLY_API, kwargs=MENTORSHIP),
    "api:mentoring-session-list": Case(signed_in(200, anonymous=401)),
    "api:mentoring-session-detail": Case(TWO_ONLY_API, kwargs=SESSION),
    "api:mentoring-session-private-note": Case(TWO_ONLY_API, kwargs=SESSION),
    "api:feedback-note-list": Case(signed_in(200, anonymous=401)),
    "api:feedback-note-detail": Case(NOTE_API, kwargs=NOTE),
    "api:feedback-note-acknowledge": Case(signed_in(405, anonymous=401), kwargs=NOTE),
    "api:feedback-request-list": Case(signed_in(200, anonymous=401)),
    "api:question-list": Case(signed_in(200, anonymous=401)),
    "api:question-detail": Case(signed_in(200, anonymous=401), kwargs=QUESTION),
    "api:question-answers": Case(signed_in(200, anonymous=401), kwargs=QUESTION),
    "api:question-accept": Case(signed_in(405, anonymous=401), kwargs=QUESTION),
    "api:learning-entry-list": Case(signed_in(200, anonymous=401)),
    "api:learning-weeks": Case(signed_in(200, anonymous=401)),
    "api:learning-team": Case(TEAM_API),
}

# Private session notes and feedback notes are never written or read through the admin.
ADMIN_FORBIDDEN_TO_STAFF = {
    "admin:mentoring_privatenote_add": 403,
    "admin:mentoring_feedbacknote_add": 403,
    "admin:mentoring_question_add": 403,  # asked on the board, so that it has an author
    # A pair's own words: staff see that they exist, never what they say (issue 15).
    "admin:mentoring_session_add": 403,
    "admin:mentoring_actionitem_add": 403,
    "admin:mentoring_answer_add": 403,
}
