from django.core.management import call_command

from core import demo
from core.skills import selectors
from core.skills.models import Assessment, AssessorRole, Evidence, ReviewRequest, Skill


def counts():
    return Assessment.objects.count(), Evidence.objects.count(), ReviewRequest.objects.count()


def test_seed_demo_adds_skill_history_evidence_and_requests_idempotently(db, capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    people = len(demo.PEOPLE)
    skills = Skill.objects.count()
    assert Assessment.objects.filter(assessor_role=AssessorRole.SELF).count() == people * skills
    reviewed = Assessment.objects.by_reviewers().values("subject").distinct().count()
    assert reviewed == people  # everyone has a manager, or staff for the director
    assert Evidence.objects.count() >= people
    assert ReviewRequest.objects.filter(status="open").count() >= 3


def test_the_demo_shows_trends_gaps_and_thin_skills(db):
    call_command("seed_demo")
    from core.models import Person

    amara = Person.objects.get(user__username="amara")
    matrix = selectors.person_matrix(person=amara)
    _, coverage = selectors.coverage()

    assert any(row.trend for row in matrix.rows)  # some skills have moved since last review
    assert matrix.gaps()  # and some are below target
    assert any(row.experts == 0 for row in coverage)
    assert any(row.experts == 1 for row in coverage)


def test_tomas_has_review_requests_on_his_dashboard(client, db):
    call_command("seed_demo")
    client.post("/accounts/login/", {"login": "tomas", "password": demo.DEMO_PASSWORD})

    html = client.get("/").content.decode()

    assert "Reviews asked of you" in html
    assert "Your biggest gap" in html  # one gap or several
