"""The pages, as a member uses them: propose, vote, comment, team up, submit, judge, publish."""

import nbformat
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.skills.models import Skill
from hackathons.models import Idea, Membership, Phase, Score
from tests.hackathons.helpers import make_event, make_submission, make_team, move_to, rate


@pytest.fixture
def browser_of(client):
    def signed_in(person):
        client.force_login(person.user)
        return client

    return signed_in


def test_proposing_an_idea_voting_and_commenting(org, browser_of):
    client = browser_of(org.engineer)
    response = client.post(
        "/hackathons/ideas/new/",
        {"title": "Model cards", "problem": "Nobody knows a model's limits.", "skills": [
            Skill.objects.get(slug="evaluation").pk]},
    )  # fmt: skip
    idea = Idea.objects.get(title="Model cards")
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()

    client.post(f"/hackathons/ideas/{idea.pk}/vote/")
    client.post(f"/hackathons/ideas/{idea.pk}/vote/")
    client.post(idea.get_absolute_url(), {"body": "I can help with **evaluation**"})
    page = client.get(idea.get_absolute_url()).content.decode()

    assert idea.votes.count() == 1
    assert "1 vote" in page and "<strong>evaluation</strong>" in page
    assert f'href="{org.engineer.get_absolute_url()}"' in page  # names link to people


def test_a_team_page_shows_cross_team_figures_gaps_and_suggestions(org, browser_of):
    event = make_event(Phase.TEAMS)
    idea = Idea.objects.create(title="Eval", problem="p", proposer=org.engineer, event=event)
    idea.skills.set(Skill.objects.filter(slug__in=["evaluation", "telemetry"]))
    team = make_team(event, org.engineer, org.outsider, idea=idea)
    rate(org.engineer, "evaluation", 3)
    rate(org.director, "telemetry", 3)  # another org team, in no team of the event

    page = browser_of(org.engineer).get(team.get_absolute_url()).content.decode()

    assert "<strong>2</strong> org teams" in page
    assert 'badge--danger">gap' in page and "covered" in page
    assert org.director.display_name in page.split("missing skills")[1]


def test_join_request_accepted_through_the_pages(org, browser_of):
    event = make_event(Phase.TEAMS)
    team = make_team(event, org.peer)
    browser_of(org.engineer).post(f"/hackathons/teams/{team.pk}/join/", {"message": "Hi"})
    join = team.join_requests.get()
    browser_of(org.peer).post(f"/hackathons/requests/{join.pk}/answer/", {"answer": "accept"})
    assert Membership.objects.filter(team=team, person=org.engineer).exists()


def test_submitting_with_a_notebook_then_judging_and_publishing(org, browser_of):
    event = make_event(Phase.BUILDING, organisers=[org.director], judges=[org.manager])
    team = make_team(event, org.engineer)
    notebook = nbformat.writes(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Findings")])).encode()  # fmt: skip
    client = browser_of(org.engineer)
    response = client.post(
        f"/hackathons/teams/{team.pk}/submission/",
        {"title": "Eval kit", "summary": "It *works*", "submit": "1",
         "attachment": SimpleUploadedFile("findings.ipynb", notebook)},
    )  # fmt: skip
    assert response.status_code == 302
    project = client.get(response["Location"]).content.decode()
    assert "Eval kit" in project and "<em>works</em>" in project and "iframe" in project

    move_to(event, Phase.JUDGING)
    submission = team.submission
    judge = browser_of(org.manager)
    criteria = list(event.criteria.all())
    form = {f"value_{c.pk}": "4" for c in criteria}
    assert (
        judge.post(f"/hackathons/events/{event.slug}/judging/{submission.pk}/", form).status_code
        == 302
    )
    assert Score.objects.filter(judge=org.manager).count() == len(criteria)

    organiser = browser_of(org.director)
    assert organiser.get(f"/hackathons/events/{event.slug}/results/").status_code == 404
    organiser.post(f"/hackathons/events/{event.slug}/publish/")
    results = organiser.get(f"/hackathons/events/{event.slug}/results/").content.decode()
    assert "Eval kit" in results
    showcase = organiser.get("/hackathons/showcase/?q=eval&skill=").content.decode()
    assert "Eval kit" in showcase


def test_a_late_page_submission_shows_the_reason(org, browser_of):
    event = make_event(Phase.JUDGING)
    team = make_team(event, org.engineer)
    response = browser_of(org.engineer).post(
        f"/hackathons/teams/{team.pk}/submission/", {"title": "Late", "submit": "1"}
    )
    assert response.status_code == 400 and "deadline" in response.content.decode()


def test_the_showcase_filters_by_skill(org, browser_of):
    event = make_event(Phase.JUDGING)
    first = make_submission(make_team(event, org.engineer), title="Telemetry board")
    first.skills.set(Skill.objects.filter(slug="telemetry"))
    make_submission(make_team(event, org.peer), title="Search tuning")
    event.results_published_at = event.submission_deadline
    event.save()
    page = browser_of(org.outsider).get("/hackathons/showcase/?skill=telemetry").content.decode()
    assert "Telemetry board" in page and "Search tuning" not in page
