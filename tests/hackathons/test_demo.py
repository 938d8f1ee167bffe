from django.core.management import call_command
from django.test import Client

from core.models import Person
from core.skills.models import Evidence
from hackathons.models import Event, Idea, Phase
from hackathons.selectors import similar_to_idea


def test_seed_demo_gives_every_hackathon_page_something_to_show(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    counts = (Event.objects.count(), Idea.objects.count(), Evidence.objects.count())
    call_command("seed_demo")
    assert (Event.objects.count(), Idea.objects.count(), Evidence.objects.count()) == counts

    finished, running = Event.objects.get(slug="winter-2025"), Event.objects.get(slug="spring-2026")
    assert finished.phase == Phase.RESULTS and running.phase == Phase.BUILDING
    drift = Idea.objects.get(title="Nightly feature drift alerts")
    assert similar_to_idea(idea=drift)[0]["title"] == "Alert on data drift every night"
    lea = Person.objects.get(user__username="lea")
    assert Evidence.objects.filter(person=lea, kind="hackathon_project").exists()

    client = Client()
    client.force_login(Person.objects.get(user__username="ben").user)
    results = client.get("/hackathons/events/winter-2025/results/").content.decode()
    # The harsh judge (noah) does not decide: Prompt CI and Retrain on drift lead.
    assert results.index("Prompt CI") < results.index("Label queue")
    for url in ("/hackathons/", "/hackathons/showcase/", "/hackathons/ideas/", "/"):
        assert client.get(url).status_code == 200, url
