"""Permission-matrix rows for mentoring's pages and API.

The mentor mentors the subject (an active mentorship proposed by the subject's manager), logged
a session with a shared agenda and a private note, and wrote the subject a feedback note their
managers may read; the teammate wrote the subject's managers a note the subject never sees. A
teammate, an outsider or another branch's manager sees none of it (404); the manager sees the
mentorship and the note but not the session (shared notes are for the two of them); staff see
the mentorship, but neither the session nor the notes (a note's visibility is its author's
choice). The subject asked an anonymous question: nobody else, staff included, learns who.
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
from tests.url_matrix import REDIRECT, Case, Secret, api, only, signed_in


def mentorship_of(org) -> Mentorship:
    if not hasattr(org, "mentorship"):
        MentorProfile.objects.create(person=org.mentor, open_to_mentoring=True, capacity=2)
        org.mentorship = Mentorship.objects.create(
            mentor=org.mentor,
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
            mentorship=mentorship,
            date=datetime.date(2026, 1, 12),
            created_by=org.mentor,
            agenda=SHARED_AGENDA,
        )
        PrivateNote.objects.create(session=org.session, author=org.mentor, body=PRIVATE_NOTE)
        org.action_item = org.session.action_items.create(mentorship=mentorship, text="Read")
    return org.session


def note_of(org) -> FeedbackNote:
    if not hasattr(org, "note"):
        org.note = FeedbackNote.objects.create(
            author=org.mentor,
            recipient=org.peer,
            category="coding",
            kind="praise",
            body="Nice tests.",
            visibility="with_managers",
        )
        org.managers_note = FeedbackNote.objects.create(
            author=org.teammate,
            recipient=org.peer,
            category="collaboration",
            kind="constructive",
            body=MANAGERS_ONLY,
            visibility="managers_only",
        )
    return org.note


def question_of(org) -> Question:
    """An anonymous question asked by `peer`: everyone reads it, only peer edits it."""
    if not hasattr(org, "question"):
        org.question = Question.objects.create(author=org.peer, anonymous=True, title="How?")
        org.answer = org.question.answers.create(author=org.teammate, body="Like this.")
    return org.question


SHARED_AGENDA = "Agenda-for-the-two-of-them-7431"
PRIVATE_NOTE = "Mentor-private-note-5529"
MANAGERS_ONLY = "Managers-only-feedback-8812"


def asker_name(org) -> str:
    return org.subject.user.get_full_name()


QUESTION_URLS = {
    "mentoring:question",
    "mentoring:questions",
    "api:question-detail",
    "api:question-list",
    "api:question-answers",
}
SECRETS = [
    Secret("a session's shared agenda", lambda org: SHARED_AGENDA, {"subject", "mentor"}),
    Secret("a mentor's private note", lambda org: PRIVATE_NOTE, {"mentor"}),
    Secret("managers-only feedback", lambda org: MANAGERS_ONLY, {"teammate", "manager"}),
    Secret("who asked an anonymous question", asker_name, {"subject"}, where=QUESTION_URLS),
]


def proposal_of(org) -> Mentorship:
    """The manager proposed the mentor for the teammate too: the two are yet to answer."""
    if not hasattr(org, "proposal"):
        mentorship_of(org)
        org.proposal = Mentorship.objects.create(
            mentor=org.mentor,
            mentee=org.teammate,
            proposed_by=org.manager,
            status=Mentorship.Status.PROPOSED,
        )
    return org.proposal


def open_mentor(org):
    """The judge, open to mentoring with room and outside the teammate's line: a mentor their
    manager may propose (being open is no relationship to anyone)."""
    MentorProfile.objects.get_or_create(
        person=org.judge, defaults={"open_to_mentoring": True, "capacity": 1}
    )
    return org.judge


QUESTION = {"pk": lambda org: question_of(org).pk}
PROPOSAL = {"pk": lambda org: proposal_of(org).pk}
MENTORSHIP = {"pk": lambda org: mentorship_of(org).pk}
SESSION = {"pk": lambda org: session_of(org).pk}
ACTION_ITEM = {"pk": lambda org: (session_of(org), org.action_item.pk)[1]}
NOTE = {"pk": lambda org: note_of(org).pk}

MENTEES_PAGE = only("subject", "mentor", "manager", "staff")
MENTEES_API = api(MENTEES_PAGE)
TEAM_PAGE = only("manager", "other_manager")  # managers of someone
TEAM_API = api(TEAM_PAGE)
TWO_ONLY_PAGE = only("subject", "mentor")
TWO_ONLY_API = api(TWO_ONLY_PAGE)
NOTE_PAGE = only("subject", "mentor", "manager")
NOTE_API = api(NOTE_PAGE)
MATCHERS_PAGE = only("manager", "other_manager", "staff")  # managers (of someone) and staff
MATCHERS_API = api(MATCHERS_PAGE)
AUTHOR_ONLY_PAGE = only("subject")


def pk_of(name):
    return lambda org: getattr(org, name).pk


def feedback_body(org) -> dict:
    return {
        "recipient": org.subject.pk,
        "category": "coding",
        "kind": "praise",
        "visibility": "private",
        "body": "Clear tests.",
    }


def accept_body(org) -> dict:
    question_of(org)
    return {"answer": org.answer.pk}


SESSION_BODY = {"date": "2026-01-19", "agenda": "Review the drift job.", "notes": ""}
LEARNING_BODY = {"date": "2026-11-30", "minutes": 30, "what": "Read about drift tests"}
QUESTION_BODY = {"title": "How do I profile a data loader?", "body": ""}
# Writes anyone signed in may make, each about themselves (their availability, their learning
# time, a question, an answer, a request for feedback).
OWN_FORM = signed_in(REDIRECT)
ENDERS_PAGE = only("subject", "mentor", "manager", "staff", outcome=REDIRECT)
OWN_API = signed_in(201, anonymous=401)
POST_ONLY = signed_in(405)
POST_ONLY_API = signed_in(405, anonymous=401)

URLS: dict[str, Case | list[Case]] = {
    # --- pages ---------------------------------------------------------------------------
    "mentoring:index": Case(signed_in(200)),
    "mentoring:availability": [
        Case(signed_in(200)),
        Case(OWN_FORM, method="post", data={"open_to_mentoring": "on", "capacity": 2}),
    ],
    "mentoring:match": Case(MATCHERS_PAGE),
    "mentoring:find": [
        Case(signed_in(200)),
        # Asking the mentor: the subject has them, the teammate a proposal (the form again: 400).
        Case(
            {**signed_in(REDIRECT), "subject": 400, "mentor": 400, "teammate": 400},
            method="post",
            data=lambda org: {"mentor": org.mentor.pk, "goals": "Testing", "cadence": "weekly"},
        ),
    ],
    # Proposing a pair is for a manager of the mentee (and staff).
    "mentoring:propose": [
        Case(POST_ONLY),
        Case(
            only("manager", "staff", outcome=REDIRECT),
            method="post",
            setup=open_mentor,
            data=lambda org: {
                "mentor": open_mentor(org).pk,
                "mentee": org.teammate.pk,
                "cadence": "fortnightly",
            },
        ),
    ],
    "mentoring:mentorship": Case(MENTEES_PAGE, kwargs=MENTORSHIP),
    # The pair answer a proposal; the pair, the mentee's managers and staff end a mentorship.
    "mentoring:mentorship-respond": [
        Case(POST_ONLY, kwargs=MENTORSHIP),
        Case(
            only("subject", "mentor", outcome=REDIRECT),
            kwargs=MENTORSHIP,
            method="post",
            data={"answer": "accept"},
        ),
    ],
    "mentoring:mentorship-end": [
        Case(POST_ONLY, kwargs=MENTORSHIP),
        Case(ENDERS_PAGE, kwargs=MENTORSHIP, method="post", data={"outcome": "completed"}),
    ],
    "mentoring:session-create": [
        Case(POST_ONLY, kwargs=MENTORSHIP),
        Case(
            only("subject", "mentor", outcome=REDIRECT),
            kwargs=MENTORSHIP,
            method="post",
            data=SESSION_BODY,
        ),
    ],
    "mentoring:session": [
        Case(TWO_ONLY_PAGE, kwargs=SESSION),
        Case(
            only("subject", "mentor", outcome=REDIRECT),
            kwargs=SESSION,
            method="post",
            data={"body": "What I noticed."},
        ),
    ],
    "mentoring:action-item-done": [
        Case(POST_ONLY, kwargs=ACTION_ITEM),
        Case(only("subject", "mentor", outcome=REDIRECT), kwargs=ACTION_ITEM, method="post"),
    ],
    "mentoring:feedback": [
        Case(signed_in(200)),
        Case({**OWN_FORM, "subject": 400}, method="post", data=feedback_body),  # not to oneself
    ],
    # Acknowledging a note is its recipient's alone.
    "mentoring:feedback-note": [
        Case(NOTE_PAGE, kwargs=NOTE),
        Case(only("subject", outcome=REDIRECT), kwargs=NOTE, method="post"),
    ],
    "mentoring:feedback-requests": [
        Case(signed_in(200)),
        Case(
            {**OWN_FORM, "mentor": 400},
            method="post",  # not of oneself
            data=lambda org: {"asked": org.mentor.pk, "about": "My review of the drift PR"},
        ),
    ],
    "mentoring:cadence": Case(MATCHERS_PAGE),
    "mentoring:questions": Case(signed_in(200)),
    "mentoring:question-ask": [
        Case(signed_in(200)),
        Case(OWN_FORM, method="post", data=QUESTION_BODY),
    ],
    "mentoring:question": [
        Case(signed_in(200), kwargs=QUESTION),
        # Not to one's own question (the form again, 400: edit the question instead).
        Case(
            {**OWN_FORM, "subject": 400},
            kwargs=QUESTION,
            method="post",
            data={"body": "Use py-spy."},
        ),
    ],
    "mentoring:question-edit": [
        Case(AUTHOR_ONLY_PAGE, kwargs=QUESTION),
        Case(only("subject", outcome=REDIRECT), kwargs=QUESTION, method="post", data=QUESTION_BODY),
    ],
    "mentoring:question-accept": [
        Case(POST_ONLY, kwargs=QUESTION),
        Case(only("subject", outcome=REDIRECT), kwargs=QUESTION, method="post", data=accept_body),
    ],
    "mentoring:learning": [
        Case(signed_in(200)),
        Case(OWN_FORM, method="post", data=LEARNING_BODY),
    ],
    "mentoring:learning-team": Case(TEAM_PAGE),  # managers of someone
    # --- API -------------------------------------------------------------------------------
    "api:mentor-availability": [
        Case(signed_in(200, anonymous=401)),
        Case(
            signed_in(200, anonymous=401),
            method="put",
            json=True,
            data={"open_to_mentoring": True, "capacity": 2, "skills_offered": []},
        ),
    ],
    "api:mentor-matches": Case(MATCHERS_API),
    "api:mentoring-cadence": Case(MATCHERS_API),
    "api:mentorship-list": [
        Case(signed_in(200, anonymous=401)),
        Case(
            api(only("manager", "staff", outcome=201)),
            method="post",
            setup=open_mentor,
            json=True,
            data=lambda org: {"mentor": open_mentor(org).pk, "mentee": org.teammate.pk},
        ),
    ],
    "api:mentorship-detail": Case(MENTEES_API, kwargs=MENTORSHIP),
    # A proposal the mentor and the teammate are to answer.
    # A proposal the mentor and the teammate are yet to answer.
    "api:mentorship-respond": [
        Case(POST_ONLY_API, kwargs=PROPOSAL),
        Case(
            api(only("mentor", "teammate")),
            kwargs=PROPOSAL,
            method="post",
            json=True,
            data={"accept": True},
        ),
    ],
    "api:mentorship-request": [
        Case(POST_ONLY_API),
        Case(
            {**OWN_API, "subject": 400, "mentor": 400, "teammate": 400},
            method="post",
            json=True,
            data=lambda org: {"mentor": org.mentor.pk, "goals": "Testing"},
        ),
    ],
    "api:mentorship-end": [
        Case(POST_ONLY_API, kwargs=MENTORSHIP),
        Case(
            api(only("subject", "mentor", "manager", "staff")),
            kwargs=MENTORSHIP,
            method="post",
            json=True,
            data={"completed": True},
        ),
    ],
    "api:mentorship-sessions": [
        Case(TWO_ONLY_API, kwargs=MENTORSHIP),
        Case(
            api(only("subject", "mentor", outcome=201)),
            kwargs=MENTORSHIP,
            method="post",
            json=True,
            data=SESSION_BODY,
        ),
    ],
    "api:mentoring-session-list": Case(signed_in(200, anonymous=401)),
    "api:mentoring-session-detail": Case(TWO_ONLY_API, kwargs=SESSION),
    # One's own private note: only the mentor wrote one (the subject finds none: 404).
    "api:mentoring-session-private-note": [
        Case(api(only("mentor")), kwargs=SESSION),
        Case(
            api(only("subject", "mentor")),
            kwargs=SESSION,
            method="put",
            json=True,
            data={"body": "What I noticed."},
        ),
    ],
    "api:feedback-note-list": [
        Case(signed_in(200, anonymous=401)),
        Case({**OWN_API, "subject": 400}, method="post", json=True, data=feedback_body),
    ],
    "api:feedback-note-detail": Case(NOTE_API, kwargs=NOTE),
    "api:feedback-note-acknowledge": [
        Case(POST_ONLY_API, kwargs=NOTE),
        Case(api(only("subject")), kwargs=NOTE, method="post"),
    ],
    "api:feedback-request-list": [
        Case(signed_in(200, anonymous=401)),
        Case(
            {**OWN_API, "mentor": 400},
            method="post",
            json=True,
            data=lambda org: {"asked": org.mentor.pk, "about": "My review"},
        ),
    ],
    "api:question-list": [
        Case(signed_in(200, anonymous=401)),
        Case(OWN_API, method="post", json=True, data=QUESTION_BODY),
    ],
    "api:question-detail": [
        Case(signed_in(200, anonymous=401), kwargs=QUESTION),
        Case(
            api(only("subject")),
            kwargs=QUESTION,
            method="patch",
            json=True,
            data=QUESTION_BODY,
            idor=False,
        ),  # open to read: a stranger's edit is refused
    ],
    "api:question-answers": [
        Case(signed_in(200, anonymous=401), kwargs=QUESTION),
        Case(
            {**OWN_API, "subject": 400},
            kwargs=QUESTION,
            method="post",
            json=True,
            data={"body": "Use py-spy."},
        ),
    ],
    "api:question-accept": [
        Case(POST_ONLY_API, kwargs=QUESTION),
        Case(
            api(only("subject")),
            kwargs=QUESTION,
            method="post",
            json=True,
            data=accept_body,
            idor=False,
        ),
    ],
    "api:learning-entry-list": [
        Case(signed_in(200, anonymous=401)),
        Case(OWN_API, method="post", json=True, data=LEARNING_BODY),
    ],
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


# The burn-down of issue 15 (tests/test_permissions.py): methods these views accept that no
# row tries yet, and rows nobody gets through yet for want of a real body. Only ever shrinks.
NOT_YET_TRIED: dict[str, set[str]] = {}
NO_REAL_BODY_YET: set[str] = set()
