"""Notifications (issue 14, acceptance 2): each kind is produced by its real event, after the
commit (never inside the request), once however often its task is delivered, for the right
people only, and each person switches each kind off in the app and by e-mail separately."""

import dataclasses

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core.notifications import selectors
from core.notifications.models import Notification, NotificationKind, NotificationPreference
from core.notifications.services import (
    notification_create,
    notification_preferences_update,
)
from core.skills.models import Skill
from core.skills.services import review_request_create
from hackathons.models import Phase
from hackathons.services import results_publish
from labs.models import Submission, SubmissionStatus
from labs.services import lab_store, submission_grade
from mentoring import services as mentoring
from mentoring.models import Question
from tests.hackathons.helpers import make_event, make_submission, make_team
from tests.labs.conftest import CORRECT, REFERENCE_LAB, validated
from tests.mentoring.conftest import open_mentor

pytestmark = pytest.mark.django_db

Kind = NotificationKind


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def lab_version(review_policy: str = "none"):
    """The reference lab (validated once per session), with the review policy asked for."""
    spec, report = validated(REFERENCE_LAB)
    spec = dataclasses.replace(
        spec, settings=dataclasses.replace(spec.settings, review_policy=review_policy)
    )
    return lab_store(spec=spec, report=report)


def graded(person, version) -> Submission:
    submission = Submission.objects.create(
        lab=version.lab,
        version=version,
        person=person,
        attempt=1,
        answers={k: {"cell_type": "code", "source": v} for k, v in CORRECT.items()},
        max_score=4,
    )
    return submission_grade(submission_id=submission.pk)


def waiting(person) -> Submission:
    version = lab_version()
    return Submission.objects.create(
        lab=version.lab,
        version=version,
        person=person,
        attempt=1,
        answers={},
        status=SubmissionStatus.NEEDS_REVIEW,
        score=4,
        max_score=4,
    )


# --- The events: each runs as the product runs it (a request, or a worker grading), inside
# `capture`, and returns who should be told. Rows they need come first, outside the capture.


def feedback_written(org, capture):
    with capture() as callbacks:
        response = api(org.peer).post(
            reverse("api:feedback-note-list"),
            {"recipient": org.engineer.pk, "category": "coding", "kind": "praise", "body": "Nice"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    return callbacks, [org.engineer]


def mentorship_proposed(org, capture):
    open_mentor(org.outsider)
    with capture() as callbacks:
        mentoring.mentorship_propose(proposed_by=org.manager, mentor=org.outsider, mentee=org.peer)
    return callbacks, [org.outsider, org.peer]


def mentorship_accepted(org, capture):
    open_mentor(org.outsider)
    proposal = mentoring.mentorship_propose(
        proposed_by=org.manager, mentor=org.outsider, mentee=org.peer
    )
    mentoring.mentorship_respond(mentorship_id=proposal.pk, person=org.outsider, accept=True)
    with capture() as callbacks:
        response = api(org.peer).post(
            reverse("api:mentorship-respond", args=[proposal.pk]), {"accept": True}, format="json"
        )
    assert response.json()["status"] == "active"
    return callbacks, [org.outsider, org.peer, org.manager]


def review_requested(org, capture):
    with capture() as callbacks:
        review_request_create(
            requester=org.engineer, reviewer=org.manager, skill=Skill.objects.get(slug="coding")
        )
    return callbacks, [org.manager]


def lab_graded(org, capture):
    version = lab_version()
    with capture() as callbacks:
        assert graded(org.engineer, version).status == SubmissionStatus.GRADED
    return callbacks, [org.engineer]


def grade_signed_off(org, capture):
    submission = waiting(org.engineer)
    with capture() as callbacks:
        response = api(org.manager).post(
            reverse("api:submission-approve", args=[submission.pk]), {}, format="json"
        )
    assert response.status_code == 200, response.json()
    return callbacks, [org.engineer]


def grade_waits_for_sign_off(org, capture):
    version = lab_version("always")
    with capture() as callbacks:
        assert graded(org.engineer, version).status == SubmissionStatus.NEEDS_REVIEW
    return callbacks, [org.manager]  # the nearest reviewer, not the director above him


def question_answered(org, capture):
    question = Question.objects.create(author=org.engineer, anonymous=True, title="Why drift?")
    with capture() as callbacks:
        response = api(org.outsider).post(
            reverse("api:question-answers", args=[question.pk]), {"body": "Because."}, format="json"
        )
    assert response.status_code == 201, response.json()
    return callbacks, [org.engineer]


def team_invitation(org, capture):
    event = make_event(phase=Phase.TEAMS)
    team = make_team(event, org.outsider)
    with capture() as callbacks:
        response = api(org.outsider).post(
            f"/api/hackathon-teams/{team.pk}/invite/", {"person": org.engineer.pk}, format="json"
        )
    assert response.status_code == 201, response.json()
    return callbacks, [org.engineer]


def results_published(org, capture):
    event = make_event(phase=Phase.JUDGING, organisers=[org.director])
    make_submission(make_team(event, org.engineer, org.peer))
    with capture() as callbacks:
        results_publish(event=event, by=org.director)
    return callbacks, [org.engineer, org.peer]


EVENTS = [
    (Kind.FEEDBACK_RECEIVED, feedback_written),
    (Kind.MENTORSHIP_PROPOSED, mentorship_proposed),
    (Kind.MENTORSHIP_ACCEPTED, mentorship_accepted),
    (Kind.REVIEW_REQUESTED, review_requested),
    (Kind.SUBMISSION_GRADED, lab_graded),
    (Kind.SUBMISSION_GRADED, grade_signed_off),
    (Kind.SUBMISSION_WAITING_SIGNOFF, grade_waits_for_sign_off),
    (Kind.QUESTION_ANSWERED, question_answered),
    (Kind.TEAM_INVITATION, team_invitation),
    (Kind.RESULTS_PUBLISHED, results_published),
]
EVENT_IDS = [event.__name__ for _, event in EVENTS]


def deliver(callbacks, times: int = 1) -> None:
    """The after-commit callbacks, as a broker would deliver them (eager tasks)."""
    for _ in range(times):
        for callback in callbacks:
            callback()


def shown_to(person, kind) -> list[Notification]:
    return list(Notification.objects.visible_to(person.user).filter(kind=kind))


def mails_to(person, notifications) -> list:
    subjects = {n.title for n in notifications}
    return [m for m in mail.outbox if m.to == [person.user.email] and m.subject in subjects]


@pytest.mark.parametrize(("kind", "event"), EVENTS, ids=EVENT_IDS)
def test_each_event_tells_the_right_people_once_after_commit(
    kind, event, org, eager_tasks, django_capture_on_commit_callbacks
):
    callbacks, recipients = event(org, django_capture_on_commit_callbacks)

    # Inside the request (or the grading transaction) nobody is told or e-mailed yet.
    assert mail.outbox == []
    assert not Notification.objects.exists()

    deliver(callbacks, times=2)  # a task delivered twice tells once

    told = Notification.objects.filter(kind=kind)
    assert sorted(n.recipient_id for n in told) == sorted(p.pk for p in recipients)
    for person in recipients:
        [notification] = shown_to(person, kind)
        assert notification.unread and notification.emailed_at is not None
        [sent] = mails_to(person, [notification])
        assert notification.link in sent.body
        assert reverse("notifications:preferences") in sent.body
    others = {org.engineer, org.peer, org.manager, org.director, org.outsider, org.staff}
    for person in others - set(recipients):
        assert not Notification.objects.filter(recipient=person, kind=kind).exists()
        assert mails_to(person, told) == []


@pytest.mark.parametrize("channel", ["in_app", "email"])
@pytest.mark.parametrize(("kind", "event"), EVENTS, ids=EVENT_IDS)
def test_each_person_switches_each_kind_off_in_the_app_and_by_email(
    kind, event, channel, org, eager_tasks, django_capture_on_commit_callbacks
):
    # Everyone who might be told switches this one channel off for this one kind, and only
    # for it: the other channel, and the other kinds, keep their defaults.
    for person in (org.engineer, org.peer, org.manager, org.outsider):
        notification_preferences_update(
            person=person, preferences={kind: (channel != "in_app", channel != "email")}
        )

    callbacks, recipients = event(org, django_capture_on_commit_callbacks)
    deliver(callbacks, times=2)

    for person in recipients:
        shown = shown_to(person, kind)
        hidden = Notification.objects.filter(recipient=person, kind=kind, shown=False)
        if channel == "in_app":
            assert shown == [] and selectors.unread_count(person=person) == 0
            assert len(mails_to(person, hidden)) == 1  # the e-mail still goes, once
        else:
            assert len(shown) == 1 and shown[0].emailed_at is None
            assert mails_to(person, shown) == []


def test_both_switched_off_tells_nothing(org, eager_tasks, django_capture_on_commit_callbacks):
    notification_preferences_update(
        person=org.manager, preferences={Kind.REVIEW_REQUESTED: (False, False)}
    )

    callbacks, _ = review_requested(org, django_capture_on_commit_callbacks)
    deliver(callbacks)

    assert not Notification.objects.exists() and mail.outbox == []


def test_feedback_for_managers_only_does_not_tell_its_subject(
    org, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mentoring.feedback_note_create(
            author=org.peer,
            recipient=org.engineer,
            category="coding",
            kind="constructive",
            body="Between us managers.",
            visibility="managers_only",
        )

    assert not Notification.objects.exists() and mail.outbox == []


def test_an_anonymous_asker_is_told_and_nobody_learns_who_asked(
    org, client, eager_tasks, django_capture_on_commit_callbacks
):
    callbacks, _ = question_answered(org, django_capture_on_commit_callbacks)
    deliver(callbacks)

    [told] = Notification.objects.all()
    assert told.recipient == org.engineer and org.engineer.display_name not in told.title
    assert api(org.outsider).get(reverse("api:notification-list")).json()["results"] == []
    client.force_login(org.staff.user)
    admin_list = client.get(reverse("admin:core_notification_changelist")).content.decode()
    assert told.title not in admin_list and org.engineer.user.username not in admin_list


def test_an_inactive_person_is_not_told(org):
    org.engineer.user.is_active = False
    org.engineer.user.save()

    assert notify(org.engineer) is None
    assert not Notification.objects.exists()


def test_a_link_elsewhere_is_refused(org):
    with pytest.raises(ValidationError):
        notify(org.engineer, link="https://elsewhere.example/")
    with pytest.raises(ValidationError):
        notify(org.engineer, link="//elsewhere.example/")


def test_a_mail_server_that_is_down_keeps_the_notification(org, settings, monkeypatch, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def broken(**kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr("core.services.send_mail", broken)

    told = notify(org.engineer)

    assert told.shown and told.emailed_at is None
    assert "Could not e-mail feedback for you to person" in caplog.text


# --- Pages ----------------------------------------------------------------------------------


def notify(person, *, key="k1", title="Ada wrote you feedback", link="/mentoring/", **kwargs):
    return notification_create(
        recipient=person,
        kind=kwargs.pop("kind", Kind.FEEDBACK_RECEIVED),
        title=title,
        body=kwargs.pop("body", ""),
        link=link,
        dedupe_key=key,
        **kwargs,
    )


def test_the_navigation_counts_unread_notifications_in_words(org, client):
    notify(org.engineer, key="a")
    notify(org.engineer, key="b")
    notify(org.peer, key="a")
    client.force_login(org.engineer.user)

    page = client.get(reverse("home")).content.decode()

    assert 'aria-label="Notifications, 2 unread"' in page
    assert '<span class="badge badge--warning">2</span></a>' in page
    Notification.objects.filter(recipient=org.engineer).update(read_at="2026-01-01T00:00Z")
    page = client.get(reverse("home")).content.decode()
    assert 'aria-label="Notifications, none unread"' in page


def test_the_unread_count_is_one_query(org, django_assert_num_queries):
    notify(org.engineer)
    with django_assert_num_queries(1):
        assert selectors.unread_count(person=org.engineer) == 1


def test_the_list_marks_unread_ones_and_opening_one_reads_it(org, client):
    actor = org.engineer
    first = notify(org.manager, key="a", title="Read me <script>", body="Line one\n<b>two</b>")
    notify(org.manager, key="b", title="Another one", actor=actor)
    client.force_login(org.manager.user)

    page = client.get(reverse("notifications:list")).content.decode()

    assert page.count(">New<") == 2
    assert "Read me &lt;script&gt;" in page and "Line one<br>&lt;b&gt;two&lt;/b&gt;" in page
    # The manager may open their report's page: the name links to it.
    assert f'<a href="{actor.get_absolute_url()}">{actor.display_name}</a>' in page

    response = client.get(reverse("notifications:open", args=[first.pk]))

    assert response.status_code == 302 and response["Location"] == "/mentoring/"
    first.refresh_from_db()
    assert not first.unread
    unread = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert "Another one" in unread and "Read me" not in unread


def test_names_of_people_you_may_not_see_are_not_links(org, client):
    notify(org.engineer, actor=org.outsider)
    client.force_login(org.engineer.user)

    page = client.get(reverse("notifications:list")).content.decode()

    assert org.outsider.display_name in page
    assert org.outsider.get_absolute_url() not in page


def test_marking_one_and_all_read(org, client):
    one = notify(org.engineer, key="a")
    notify(org.engineer, key="b")
    theirs = notify(org.peer, key="a")
    client.force_login(org.engineer.user)

    response = client.post(reverse("notifications:read", args=[one.pk]))
    assert response.status_code == 302
    assert selectors.unread_count(person=org.engineer) == 1

    response = client.post(reverse("notifications:read-all"), follow=True)
    assert "1 notification marked read." in response.content.decode()
    assert selectors.unread_count(person=org.engineer) == 0
    theirs.refresh_from_db()
    assert theirs.unread  # only your own


@pytest.mark.parametrize("viewer", ["peer", "manager", "staff"])
def test_nobody_else_opens_or_reads_your_notification(org, client, viewer):
    mine = notify(org.engineer)
    person = getattr(org, viewer)
    client.force_login(person.user)

    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 404
    listed = client.get(reverse("notifications:list")).content.decode()
    assert "Ada wrote you feedback" not in listed
    caller = api(person)
    assert caller.post(reverse("api:notification-read", args=[mine.pk])).status_code == 404
    assert caller.get(reverse("api:notification-list")).json()["results"] == []
    caller.post(reverse("api:notification-read-all"))
    mine.refresh_from_db()
    assert mine.unread


def test_the_preferences_page_saves_each_kind_and_channel(org, client):
    client.force_login(org.engineer.user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert page.count('type="checkbox"') == 2 * len(Kind.values)
    assert "checked" in page  # the defaults: everything on

    on = {f"{k}__in_app": "on" for k in Kind.values} | {f"{k}__email": "on" for k in Kind.values}
    del on["team_invitation__email"], on["feedback_received__in_app"]
    response = client.post(reverse("notifications:preferences"), on, follow=True)

    assert "Your notification settings are saved." in response.content.decode()
    assert selectors.channels_for(person=org.engineer, kind=Kind.TEAM_INVITATION) == (True, False)
    assert selectors.channels_for(person=org.engineer, kind=Kind.FEEDBACK_RECEIVED) == (
        False,
        True,
    )
    assert selectors.channels_for(person=org.peer, kind=Kind.TEAM_INVITATION) == (True, True)


# --- API ------------------------------------------------------------------------------------


def test_the_api_lists_reads_and_marks_your_own(org):
    first = notify(org.engineer, key="a", title="First")
    notify(org.engineer, key="b", title="Second")
    notify(org.peer, key="a", title="Not yours")
    caller = api(org.engineer)

    listed = caller.get(reverse("api:notification-list")).json()["results"]
    assert [n["title"] for n in listed] == ["Second", "First"]
    assert listed[0]["unread"] is True and listed[0]["link"] == "/mentoring/"

    read = caller.post(reverse("api:notification-read", args=[first.pk])).json()
    assert read["unread"] is False and read["read_at"]
    unread = caller.get(reverse("api:notification-list") + "?unread=1").json()["results"]
    assert [n["title"] for n in unread] == ["Second"]
    assert caller.post(reverse("api:notification-read-all")).json() == {"marked": 1}


def test_the_api_reads_and_sets_preferences(org):
    caller = api(org.engineer)
    url = reverse("api:notification-preferences")

    rows = caller.get(url).json()
    assert [r["kind"] for r in rows] == Kind.values
    assert all(r["in_app"] and r["email"] for r in rows)

    response = caller.put(
        url,
        {"preferences": [{"kind": "results_published", "in_app": True, "email": False}]},
        format="json",
    )

    assert response.status_code == 200
    by_kind = {r["kind"]: r for r in response.json()}
    assert by_kind["results_published"]["email"] is False
    assert by_kind["team_invitation"]["email"] is True  # left out: unchanged
    assert NotificationPreference.objects.get(person=org.engineer).kind == "results_published"
    bad = caller.put(
        url, {"preferences": [{"kind": "gossip", "in_app": True, "email": True}]}, format="json"
    )
    assert bad.status_code == 400
    twice = [{"kind": "results_published", "in_app": True, "email": True}] * 2
    assert caller.put(url, {"preferences": twice}, format="json").status_code == 400
