"""Acceptance 3: merging, judging your own team, late and bad submissions, votes, one team."""

import datetime
import json

import nbformat
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.skills.models import Evidence
from hackathons import services
from hackathons.models import Attachment, Comment, Idea, Membership, Phase, Vote
from tests.hackathons.helpers import make_event, make_submission, make_team, move_to


def notebook_bytes() -> bytes:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Drift check\n<script>alert(1)</script>"),
        nbformat.v4.new_code_cell("print('psi', 0.12)"),
    ]
    return nbformat.writes(notebook).encode()


# --- Merging --------------------------------------------------------------------------------


def test_merging_keeps_one_vote_per_person_and_every_comment(org, api):
    event = make_event(Phase.IDEAS, organisers=[org.manager])
    kept = Idea.objects.create(
        title="Drift alerts", problem="p", proposer=org.engineer, event=event
    )
    dupe = Idea.objects.create(title="Alert on drift", problem="p", proposer=org.peer, event=event)
    for voter in (org.engineer, org.peer):
        Vote.objects.create(idea=kept, person=voter)
    for voter in (org.peer, org.outsider):  # peer voted for both: counted once after merging
        Vote.objects.create(idea=dupe, person=voter)
    Comment.objects.create(idea=kept, author=org.peer, body="Yes please")
    Comment.objects.create(idea=dupe, author=org.outsider, body="We need this **now**")

    refused = api(org.engineer).post(f"/api/ideas/{dupe.pk}/merge/", {"into": kept.pk})
    assert refused.status_code == 404  # not an organiser
    response = api(org.manager).post(f"/api/ideas/{dupe.pk}/merge/", {"into": kept.pk})

    assert response.status_code == 200
    assert response.json()["votes"] == 3
    assert sorted(kept.votes.values_list("person__user__username", flat=True)) == [
        "engineer", "outsider", "peer",
    ]  # fmt: skip
    assert list(kept.comments.values_list("body", flat=True)) == [
        "Yes please", "We need this **now**",
    ]  # fmt: skip
    # The merged idea's page redirects to the one it was merged into.
    client = api(org.engineer)
    client.force_login(org.engineer.user)
    page = client.get(dupe.get_absolute_url())
    assert page.status_code == 302 and page["Location"] == kept.get_absolute_url()
    assert api(org.engineer).get(f"/api/ideas/{dupe.pk}/").json()["merged_into"] == kept.pk


# --- Votes ----------------------------------------------------------------------------------


def test_a_second_vote_changes_nothing(org, api):
    idea = Idea.objects.create(title="Feature store docs", problem="p", proposer=org.peer)
    first = api(org.engineer).post(f"/api/ideas/{idea.pk}/vote/")
    second = api(org.engineer).post(f"/api/ideas/{idea.pk}/vote/")

    assert first.json() == {"voted": True, "changed": True, "votes": 1}
    assert second.status_code == 200
    assert second.json() == {"voted": True, "changed": False, "votes": 1}
    assert idea.votes.count() == 1


# --- Teams ----------------------------------------------------------------------------------


def test_a_person_cannot_join_two_teams_of_one_event(org, api):
    event = make_event(Phase.TEAMS)
    first = make_team(event, org.peer)
    second = make_team(event, org.outsider)
    make_team(make_event(Phase.TEAMS, slug="other"), org.engineer)  # another event: fine

    assert api(org.engineer).post(f"/api/hackathon-teams/{first.pk}/join/").status_code == 201
    join = first.join_requests.get()
    services.join_request_answer(join_request=join, by=org.peer, accept=True)

    again = api(org.engineer).post(f"/api/hackathon-teams/{second.pk}/join/")
    assert again.status_code == 400
    assert "already in a team" in json.dumps(again.json())
    with pytest.raises(ValidationError, match="already in a team"):
        services.invitation_create(team=second, by=org.outsider, person=org.engineer)
    assert Membership.objects.filter(event=event, person=org.engineer).count() == 1


def test_accepting_an_invitation_after_joining_elsewhere_is_refused(org):
    event = make_event(Phase.TEAMS)
    first, second = make_team(event, org.peer), make_team(event, org.outsider)
    invitation = services.invitation_create(team=second, by=org.outsider, person=org.engineer)
    services.join_request_answer(
        join_request=services.join_request_create(team=first, person=org.engineer),
        by=org.peer,
        accept=True,
    )
    invitation.refresh_from_db()
    assert invitation.status == "declined"  # closed when they joined the other team
    with pytest.raises(ValidationError):
        services.join_request_answer(join_request=invitation, by=org.engineer, accept=True)


def test_a_team_is_never_larger_than_the_events_maximum(org):
    event = make_event(Phase.TEAMS, max_team_size=2)
    team = make_team(event, org.peer, org.outsider)
    with pytest.raises(ValidationError, match="full"):
        services.join_request_create(team=team, person=org.engineer)


# --- Judging --------------------------------------------------------------------------------


def test_a_judge_cannot_score_their_own_team(org, api):
    event = make_event(Phase.JUDGING, judges=[org.outsider, org.manager])
    own = make_submission(make_team(event, org.peer, org.outsider))
    other = make_submission(make_team(event, org.engineer))
    impact = event.criteria.get(name="Impact")
    url = f"/api/hackathons/{event.slug}/scores/"

    mine = api(org.outsider).post(url, {"submission": own.pk, "criterion": impact.pk, "value": 5})
    theirs = api(org.outsider).post(
        url, {"submission": other.pk, "criterion": impact.pk, "value": 5}
    )

    assert mine.status_code == 404
    assert theirs.status_code == 201
    client = api(None)
    client.force_login(org.outsider.user)
    page = client.get(f"/hackathons/events/{event.slug}/judging/{own.pk}/")
    assert page.status_code == 404
    listing = client.get(f"/hackathons/events/{event.slug}/judging/").content.decode()
    assert other.title in listing and own.title not in listing


def test_scores_outside_one_to_five_are_refused(org, api):
    event = make_event(Phase.JUDGING, judges=[org.manager])
    submission = make_submission(make_team(event, org.engineer))
    impact = event.criteria.get(name="Impact")
    response = api(org.manager).post(
        f"/api/hackathons/{event.slug}/scores/",
        {"submission": submission.pk, "criterion": impact.pk, "value": 6},
    )
    assert response.status_code == 400 and "value" in response.json()


def test_participants_see_no_scores_before_the_results(org, api):
    event = make_event(Phase.JUDGING, judges=[org.manager], organisers=[org.director])
    submission = make_submission(make_team(event, org.engineer))
    services.score_save(
        judge=org.manager, submission=submission, criterion=event.criteria.first(), value=4
    )
    assert api(org.engineer).get(f"/api/hackathons/{event.slug}/scores/").status_code == 404
    assert api(org.engineer).get(f"/api/hackathons/{event.slug}/results/").status_code == 404
    assert api(org.director).get(f"/api/hackathons/{event.slug}/results/").status_code == 404
    assert len(api(org.manager).get(f"/api/hackathons/{event.slug}/scores/").json()) == 1


# --- Submissions ----------------------------------------------------------------------------


def test_a_late_submission_is_refused_with_the_reason_unless_extended(org, api):
    event = make_event(Phase.JUDGING, organisers=[org.manager])
    team = make_team(event, org.engineer)
    url = f"/api/teams/{team.pk}/submission/"

    late = api(org.engineer).put(url, {"title": "Our project", "submit": True})
    assert late.status_code == 400
    assert "deadline" in late.json() and "passed" in late.json()["deadline"][0]

    services.deadline_extend(
        event=event, by=org.manager, new_deadline=timezone.now() + datetime.timedelta(hours=2)
    )
    assert event.extensions.count() == 1  # recorded
    on_time = api(org.engineer).put(url, {"title": "Our project", "submit": True})
    assert on_time.status_code == 200 and on_time.json()["draft"] is False


def test_bad_attachments_are_refused_before_anything_is_stored(org, api, settings):
    settings.HACKATHONS_MAX_ATTACHMENT_BYTES = 1000
    event = make_event(Phase.BUILDING)
    team = make_team(event, org.engineer)
    make_submission(team, submitted=False)
    url = f"/api/teams/{team.pk}/submission/attachments/"

    too_big = api(org.engineer).post(
        url, {"file": SimpleUploadedFile("notes.txt", b"x" * 1001)}, format="multipart"
    )
    wrong_type = api(org.engineer).post(
        url, {"file": SimpleUploadedFile("run.exe", b"MZ")}, format="multipart"
    )
    fake_pdf = api(org.engineer).post(
        url, {"file": SimpleUploadedFile("slides.pdf", b"<html>")}, format="multipart"
    )
    broken_notebook = api(org.engineer).post(
        url, {"file": SimpleUploadedFile("a.ipynb", b'{"cells": 1}')}, format="multipart"
    )

    assert too_big.status_code == 400 and "limit" in too_big.json()["file"][0]
    assert wrong_type.status_code == 400 and "not an accepted type" in wrong_type.json()["file"][0]
    assert fake_pdf.status_code == 400 and "not a PDF" in fake_pdf.json()["file"][0]
    assert broken_notebook.status_code == 400
    assert Attachment.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "hackathons").exists()


def test_a_notebook_is_stored_and_rendered_sanitised(org, api, settings):
    event = make_event(Phase.BUILDING)
    team = make_team(event, org.engineer)
    submission = make_submission(team)
    response = api(org.engineer).post(
        f"/api/teams/{team.pk}/submission/attachments/",
        {"file": SimpleUploadedFile("drift.ipynb", notebook_bytes())},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["is_notebook"] is True

    client = api(None)
    client.force_login(org.outsider.user)
    attachment = submission.attachments.get()
    rendered = client.get(f"/hackathons/attachments/{attachment.pk}/notebook/")
    assert rendered.status_code == 200
    assert "sandbox" in rendered["Content-Security-Policy"]
    html = rendered.content.decode()
    assert "Drift check" in html and "psi" in html
    assert "<script>alert(1)</script>" not in html


def test_other_peoples_drafts_are_not_found(org, api):
    event = make_event(Phase.BUILDING)
    team = make_team(event, org.engineer)
    draft = make_submission(team, submitted=False)
    client = api(None)
    client.force_login(org.peer.user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert api(org.peer).get(f"/api/teams/{team.pk}/submission/").status_code == 404
    assert api(org.engineer).get(f"/api/teams/{team.pk}/submission/").json()["draft"] is True


# --- Evidence -------------------------------------------------------------------------------


def test_proposing_and_leading_to_a_submission_are_innovation_evidence(org):
    event = make_event(Phase.TEAMS)
    idea = services.idea_create(proposer=org.peer, title="Label noise finder", problem="p")
    team = services.team_create(event=event, idea=idea, lead=org.peer)
    move_to(event, Phase.BUILDING)
    services.submission_save(team=team, by=org.peer, title="Label noise finder", submit=True)
    services.submission_save(team=team, by=org.peer, title="Label noise finder v2", submit=True)

    titles = list(
        Evidence.objects.filter(person=org.peer, skill__slug="driving-innovation")
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == [
        "Proposed the hackathon idea “Label noise finder”",
        f"Led the team {team.name} to a hackathon submission",
    ]


def test_outsiders_of_a_phase_are_told_why(org):
    event = make_event(Phase.BUILDING)
    with pytest.raises(ValidationError, match="Building"):
        services.idea_create(proposer=org.peer, title="Late idea", problem="p", event=event)
