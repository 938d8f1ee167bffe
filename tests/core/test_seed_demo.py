from django.contrib.auth import get_user_model
from django.core.management import call_command

from core import demo
from core.models import CareerStage, Person, Team


def test_seed_demo_builds_the_organisation_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    people = Person.objects.all()
    stages = set(people.values_list("career_stage", flat=True))

    assert Team.objects.count() >= 3
    assert people.count() == len(demo.PEOPLE) + 1 >= 15
    assert get_user_model().objects.count() == people.count()
    assert {CareerStage.EARLY_CAREER, CareerStage.SENIOR} <= stages
    assert people.filter(reports__isnull=False).distinct().count() >= 3
    assert Person.objects.get(user__username="admin").user.is_staff
    assert demo.DEMO_PASSWORD in output
    assert Team.objects.get(slug="search-relevance").parent.slug == "applied-ml"


def test_demo_users_can_sign_in(client, db):
    call_command("seed_demo")

    response = client.post("/accounts/login/", {"login": "amara", "password": demo.DEMO_PASSWORD})

    assert response.status_code == 302
