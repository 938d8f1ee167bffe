"""Organising an event: creating it on a page, its organisers and judges, its judging criteria
and its awards, on the pages, through the services and through the API."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hackathons import services
from hackathons.models import Award, Criterion, Event, Phase, Score
from hackathons.services import AwardInput, CriterionInput
from tests.hackathons.helpers import make_event, make_submission, make_team, phase_dates


@pytest.fixture
def browser_of(client):
    def signed_in(person):
        client.force_login(person.user)
        return client

    return signed_in


def as_inputs(event) -> list[CriterionInput]:
    return [
        CriterionInput(
            id=c.pk, name=c.name, description=c.description, weight=c.weight, position=c.position
        )
        for c in event.criteria.all()
    ]


def names(rows) -> list[str]:
    return [row.name for row in rows]


def score_one(event, judge, author) -> Score:
    """`judge` scores a project of `author`'s team on the event's first criterion."""
    submission = make_submission(make_team(event, author))
    return Score.objects.create(
        submission=submission, judge=judge, criterion=event.criteria.first(), value=3
    )


def publish(event) -> None:
    event.results_published_at = timezone.now()
    event.save()


def formset_post(prefix: str, rows: list[dict]) -> dict:
    """A formset as the browser posts it: the rows that exist (with `id`) first."""
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": sum(1 for row in rows if "id" in row),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def criteria_rows(event) -> list[dict]:
    return [
        {"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight,
         "position": c.position}
        for c in event.criteria.all()
    ]  # fmt: skip


def page_dates(phase: str) -> dict:
    return {
        name: timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        for name, value in phase_dates(phase).items()
    }


# --- Who may organise -----------------------------------------------------------------------

CHANGES = {
    "people": lambda event, by: services.event_people_set(
        event=event, by=by, organisers=list(event.organisers.all()) + [by], judges=[]
    ),
    "criteria": lambda event, by: services.event_criteria_set(
        event=event, by=by, criteria=[CriterionInput(name="Overall", weight=Decimal(1))]
    ),
    "awards": lambda event, by: services.event_awards_set(
        event=event, by=by, awards=[AwardInput(name="Best demo")]
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_engineer_or_a_judge_who_does_not_organise_changes_nothing(org, change):
    event = make_event(Phase.BUILDING, organisers=[org.manager], judges=[org.peer])
    for outsider in (org.engineer, org.peer):  # an engineer; a judge of the event
        with pytest.raises(PermissionDenied):
            CHANGES[change](event, outsider)
    assert names(event.criteria.all()) == ["Impact", "Craft"]
    assert not event.awards.exists()
    assert list(event.organisers.all()) == [org.manager]
    assert list(event.judges.all()) == [org.peer]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_organisers_and_staff_organise(org, change):
    for by in (org.manager, org.staff):
        event = make_event(Phase.BUILDING, slug=f"ev-{by.pk}", organisers=[org.manager])
        CHANGES[change](event, by)


# --- Organisers and judges -----------------------------------------------------------------


def test_an_event_keeps_at_least_one_organiser(org):
    event = make_event(organisers=[org.manager], judges=[org.peer])

    with pytest.raises(ValidationError) as refused:
        services.event_people_set(event=event, by=org.manager, organisers=[], judges=[])

    assert "at least one organiser" in refused.value.message_dict["organisers"][0]
    assert list(event.organisers.all()) == [org.manager]
    assert list(event.judges.all()) == [org.peer]  # nothing saved, the judges neither


def test_an_organiser_steps_down_when_another_remains(org):
    event = make_event(organisers=[org.manager])

    services.event_people_set(
        event=event, by=org.manager, organisers=[org.director], judges=[org.peer]
    )

    assert list(event.organisers.all()) == [org.director]
    assert list(event.judges.all()) == [org.peer]


def test_new_judges_are_told_by_email_after_commit(
    org, eager_tasks, django_capture_on_commit_callbacks
):
    event = make_event(organisers=[org.manager], judges=[org.peer])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.event_people_set(
            event=event, by=org.manager, organisers=[org.manager], judges=[org.peer, org.outsider]
        )
    assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1  # the judge already there is not told again
    callbacks[0]()

    assert [m.to for m in mail.outbox] == [[org.outsider.user.email]]
    assert mail.outbox[0].subject == f"You judge {event.title}"


def test_judges_stay_once_the_results_are_published(org):
    event = make_event(Phase.JUDGING, organisers=[org.manager], judges=[org.peer])
    publish(event)

    with pytest.raises(ValidationError) as refused:
        services.event_people_set(
            event=event, by=org.manager, organisers=[org.manager], judges=[org.outsider]
        )
    assert refused.value.message_dict["judges"] == [services.JUDGES_FIXED]
    assert list(event.judges.all()) == [org.peer]

    # The organisers still change; the same judges are no change.
    services.event_people_set(
        event=event, by=org.manager, organisers=[org.director], judges=[org.peer]
    )
    assert list(event.organisers.all()) == [org.director]


# --- Criteria -------------------------------------------------------------------------------


def test_criteria_are_added_changed_and_removed(org):
    event = make_event(organisers=[org.manager])
    impact, craft = event.criteria.all()

    services.event_criteria_set(
        event=event,
        by=org.manager,
        criteria=[
            CriterionInput(id=impact.pk, name="Impact", weight=Decimal(3), position=1),
            CriterionInput(name="Demo", description="It runs", weight=Decimal("0.5"), position=0),
        ],
    )

    assert [(c.name, c.weight, c.position) for c in event.criteria.all()] == [
        ("Demo", Decimal("0.50"), 0),
        ("Impact", Decimal("3.00"), 1),
    ]
    assert not Criterion.objects.filter(pk=craft.pk).exists()
    assert event.criteria.get(name="Impact").pk == impact.pk  # changed in place


def test_two_criteria_swap_names(org):
    event = make_event(organisers=[org.manager])
    impact, craft = event.criteria.all()

    services.event_criteria_set(
        event=event,
        by=org.manager,
        criteria=[
            CriterionInput(id=impact.pk, name="Craft", weight=impact.weight),
            CriterionInput(id=craft.pk, name="Impact", weight=craft.weight, position=1),
        ],
    )

    assert Criterion.objects.get(pk=impact.pk).name == "Craft"
    assert Criterion.objects.get(pk=craft.pk).name == "Impact"


def test_criteria_do_not_change_once_a_judge_has_scored(org):
    event = make_event(Phase.JUDGING, organisers=[org.manager], judges=[org.peer])
    score_one(event, org.peer, org.engineer)
    changed = as_inputs(event)[:1]

    with pytest.raises(ValidationError) as refused:
        services.event_criteria_set(event=event, by=org.manager, criteria=changed)

    assert refused.value.message_dict["criteria"] == [services.SCORING_STARTED]
    assert refused.value.messages[0].startswith(
        "Judges have started scoring against these criteria; "
    )
    assert names(event.criteria.all()) == ["Impact", "Craft"]
    # Saving them as they are is no change, and no error.
    services.event_criteria_set(event=event, by=org.manager, criteria=as_inputs(event))


def test_an_event_keeps_at_least_one_criterion(org):
    event = make_event(organisers=[org.manager])

    with pytest.raises(ValidationError) as refused:
        services.event_criteria_set(event=event, by=org.manager, criteria=[])

    assert "at least one criterion" in refused.value.messages[0]
    assert event.criteria.count() == 2


def test_criterion_names_are_unique_per_event(org):
    event = make_event(organisers=[org.manager])
    impact = event.criteria.get(name="Impact")

    with pytest.raises(ValidationError) as refused:
        services.event_criteria_set(
            event=event,
            by=org.manager,
            criteria=[
                CriterionInput(id=impact.pk, name="Impact", weight=Decimal(2)),
                CriterionInput(name="impact ", weight=Decimal(1)),
            ],
        )

    assert "name" in refused.value.message_dict
    assert names(event.criteria.all()) == ["Impact", "Craft"]
    other = make_event(slug="other")  # another event may use the same names
    services.event_criteria_set(
        event=other, by=org.staff, criteria=[CriterionInput(name="Impact", weight=Decimal(1))]
    )


def test_a_weight_is_more_than_zero_and_rows_are_the_events_own(org):
    event = make_event(organisers=[org.manager])
    other = make_event(slug="other")

    with pytest.raises(ValidationError) as zero:
        services.event_criteria_set(
            event=event, by=org.manager, criteria=[CriterionInput(name="Zero", weight=Decimal(0))]
        )
    assert "Zero:" in zero.value.messages[0]
    with pytest.raises(ValidationError):
        services.event_criteria_set(event=event, by=org.manager, criteria=as_inputs(other))
    assert names(event.criteria.all()) == ["Impact", "Craft"]
    assert names(other.criteria.all()) == ["Impact", "Craft"]


# --- Awards ---------------------------------------------------------------------------------


def test_awards_are_added_renamed_and_removed(org):
    event = make_event(organisers=[org.manager])
    demo = Award.objects.create(event=event, name="Demo")
    gone = Award.objects.create(event=event, name="Gone")

    services.event_awards_set(
        event=event,
        by=org.manager,
        awards=[AwardInput(id=demo.pk, name="Best demo"), AwardInput(name="Best data")],
    )

    assert names(event.awards.all()) == ["Best demo", "Best data"]
    assert event.awards.get(name="Best demo").pk == demo.pk
    assert not Award.objects.filter(pk=gone.pk).exists()


def test_an_award_given_in_published_results_stays(org):
    event = make_event(Phase.JUDGING, organisers=[org.manager])
    project = make_submission(make_team(event, org.engineer))
    Award.objects.create(event=event, name="Early", submission=project)

    # Before the results are published, a given award may still go.
    services.event_awards_set(event=event, by=org.manager, awards=[])
    assert not event.awards.exists()

    given = Award.objects.create(event=event, name="Best demo", submission=project)
    not_given = Award.objects.create(event=event, name="Best data")
    publish(event)
    with pytest.raises(ValidationError) as refused:
        services.event_awards_set(event=event, by=org.manager, awards=[])
    assert "Best demo" in refused.value.messages[0] and project.title in refused.value.messages[0]
    assert event.awards.count() == 2

    # Renaming it is fine, and so is removing an award nobody was given.
    services.event_awards_set(
        event=event, by=org.manager, awards=[AwardInput(id=given.pk, name="Best live demo")]
    )
    assert names(event.awards.all()) == ["Best live demo"]
    assert not Award.objects.filter(pk=not_given.pk).exists()
    assert event.awards.get().submission == project


# --- Creating an event on a page ------------------------------------------------------------


def test_staff_create_an_event_on_a_page(org, browser_of):
    client = browser_of(org.staff)
    assert 'href="/hackathons/events/new/"' in client.get("/hackathons/").content.decode()
    assert client.get("/hackathons/events/new/").status_code == 200

    response = client.post(
        "/hackathons/events/new/",
        {"slug": "autumn", "title": "Autumn hack", "theme": "Evaluation", "description": "*Go*",
         "max_team_size": 4, "judges": [org.peer.pk], **page_dates(Phase.UPCOMING)},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == "/hackathons/events/autumn/organise/"
    event = Event.objects.get(slug="autumn")
    assert (event.title, event.max_team_size, event.phase) == ("Autumn hack", 4, Phase.UPCOMING)
    assert list(event.organisers.all()) == [org.staff]  # the creator, by default
    assert list(event.judges.all()) == [org.peer]
    assert names(event.criteria.all()) == ["Overall"]


def test_only_staff_find_the_new_event_page(org, browser_of):
    client = browser_of(org.manager)
    assert "/hackathons/events/new/" not in client.get("/hackathons/").content.decode()
    assert client.get("/hackathons/events/new/").status_code == 404
    posted = client.post("/hackathons/events/new/", {"slug": "x", "title": "X"})
    assert posted.status_code == 404
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"teams_open_at": "2020-01-01T10:00"}, "teams_open_at", "follow one another in time"),
        ({"slug": "taken"}, "slug", "Another hackathon has this address already"),
        ({"slug": "new"}, "slug", "is reserved"),
    ],
)
def test_a_new_event_page_with_errors_saves_nothing(org, browser_of, change, field, words):
    make_event(slug="taken")
    data = {"slug": "winter", "title": "Winter hack", "max_team_size": 5,
            **page_dates(Phase.UPCOMING), **change}  # fmt: skip

    response = browser_of(org.staff).post("/hackathons/events/new/", data)

    assert response.status_code == 400
    assert words in str(response.context["form"].errors[field])
    assert words in response.content.decode()
    assert list(Event.objects.values_list("slug", flat=True)) == ["taken"]


# --- The organise page ----------------------------------------------------------------------


def test_the_organise_page_shows_people_criteria_and_awards(org, browser_of):
    event = make_event(organisers=[org.manager], judges=[org.peer])
    client = browser_of(org.manager)

    assert (
        'href="/hackathons/events/spring/organise/"'
        in client.get(event.get_absolute_url()).content.decode()
    )
    page = client.get("/hackathons/events/spring/organise/").content.decode()

    assert f'href="{org.peer.get_absolute_url()}"' in page  # names link to people
    assert f'href="{org.manager.get_absolute_url()}"' in page
    assert 'value="Impact"' in page and 'value="Craft"' in page
    assert "No awards yet" in page
    # Engineers who do not organise it find nothing.
    assert browser_of(org.engineer).get("/hackathons/events/spring/organise/").status_code == 404


def test_people_are_saved_on_the_page(
    org, browser_of, eager_tasks, django_capture_on_commit_callbacks
):
    event = make_event(organisers=[org.manager])
    client = browser_of(org.manager)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/hackathons/events/spring/organise/people/",
            {"organisers": [org.manager.pk, org.director.pk], "judges": [org.peer.pk]},
        )

    assert response.status_code == 302
    assert response["Location"] == "/hackathons/events/spring/organise/#people"
    assert set(event.organisers.all()) == {org.manager, org.director}
    assert list(event.judges.all()) == [org.peer]
    assert [m.to for m in mail.outbox] == [[org.peer.user.email]]


def test_the_last_organiser_stays_on_the_page(org, browser_of):
    event = make_event(organisers=[org.manager], judges=[org.peer])

    response = browser_of(org.manager).post(
        "/hackathons/events/spring/organise/people/", {"judges": [org.outsider.pk]}
    )

    assert response.status_code == 400
    assert "An event keeps at least one organiser." in response.content.decode()
    assert list(event.organisers.all()) == [org.manager]
    assert list(event.judges.all()) == [org.peer]


def test_an_organiser_who_steps_down_goes_back_to_the_event(org, browser_of):
    event = make_event(organisers=[org.manager, org.director])

    response = browser_of(org.manager).post(
        "/hackathons/events/spring/organise/people/", {"organisers": [org.director.pk]}
    )

    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert list(event.organisers.all()) == [org.director]


def test_criteria_are_edited_added_and_removed_on_the_page(org, browser_of):
    event = make_event(organisers=[org.manager])
    impact, craft = criteria_rows(event)
    impact["weight"] = "3"
    craft["DELETE"] = "on"
    new = {"name": "Demo", "description": "It runs", "weight": "1", "position": "2"}

    response = browser_of(org.manager).post(
        "/hackathons/events/spring/organise/criteria/",
        formset_post("criteria", [impact, craft, new]),
    )

    assert response.status_code == 302
    assert [(c.name, c.weight) for c in event.criteria.all()] == [
        ("Impact", Decimal("3.00")),
        ("Demo", Decimal("1.00")),
    ]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({1: {"name": "impact"}}, "Another criterion of this event has this name."),
        ({0: {"DELETE": "on"}, 1: {"DELETE": "on"}}, "at least one criterion"),
        ({0: {"weight": "0"}}, "A weight is more than 0."),
        ({1: {"name": ""}}, "This field is required."),
    ],
)
def test_criteria_errors_on_the_page_save_nothing(org, browser_of, change, words):
    event = make_event(organisers=[org.manager])
    rows = criteria_rows(event)
    for index, fields in change.items():
        rows[index].update(fields)

    response = browser_of(org.manager).post(
        "/hackathons/events/spring/organise/criteria/", formset_post("criteria", rows)
    )

    assert response.status_code == 400
    assert words in response.content.decode()
    assert [(c.name, c.weight) for c in event.criteria.all()] == [
        ("Impact", Decimal("2.00")),
        ("Craft", Decimal("1.00")),
    ]


def test_criteria_once_scoring_started_on_the_page(org, browser_of):
    event = make_event(Phase.JUDGING, organisers=[org.manager], judges=[org.peer])
    score_one(event, org.peer, org.engineer)
    client = browser_of(org.manager)
    rows = criteria_rows(event)
    rows[0]["weight"] = "5"

    page = client.get("/hackathons/events/spring/organise/").content.decode()
    response = client.post(
        "/hackathons/events/spring/organise/criteria/", formset_post("criteria", rows)
    )

    assert "Judges have started scoring against these criteria" in page
    assert "Save the criteria" not in page  # shown, not offered for editing
    assert response.status_code == 400
    assert "Judges have started scoring against these criteria" in response.content.decode()
    assert event.criteria.get(name="Impact").weight == 2


def test_awards_on_the_page(org, browser_of):
    event = make_event(Phase.JUDGING, organisers=[org.manager])
    project = make_submission(make_team(event, org.engineer))
    given = Award.objects.create(event=event, name="Best demo", submission=project)
    client = browser_of(org.manager)

    added = client.post(
        "/hackathons/events/spring/organise/awards/",
        formset_post("awards", [{"id": given.pk, "name": "Best demo"}, {"name": "Best data"}]),
    )
    assert added.status_code == 302
    assert names(event.awards.all()) == ["Best demo", "Best data"]
    page = client.get("/hackathons/events/spring/organise/").content.decode()
    assert f'Given to <a href="{project.get_absolute_url()}">' in page

    publish(event)
    rows = [{"id": a.pk, "name": a.name, "DELETE": "on"} for a in event.awards.all()]
    refused = client.post(
        "/hackathons/events/spring/organise/awards/", formset_post("awards", rows)
    )
    assert refused.status_code == 400
    assert "stays" in refused.content.decode()
    assert names(event.awards.all()) == ["Best demo", "Best data"]


# --- The API --------------------------------------------------------------------------------


def test_the_api_changes_organisers_and_judges(
    org, api, eager_tasks, django_capture_on_commit_callbacks
):
    event = make_event(organisers=[org.manager])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = api(org.manager).patch(
            "/api/hackathons/spring/",
            {"title": "Spring hack 2", "organisers": [org.manager.pk, org.director.pk],
             "judges": [org.peer.pk]},
            format="json",
        )  # fmt: skip

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Spring hack 2"
    assert {p["id"] for p in body["organisers"]} == {org.manager.pk, org.director.pk}
    assert body["judges"] == [{"id": org.peer.pk, "name": org.peer.display_name}]
    assert [m.to for m in mail.outbox] == [[org.peer.user.email]]
    # Leaving a list out leaves it as it is.
    kept = api(org.manager).patch("/api/hackathons/spring/", {"theme": "Drift"}, format="json")
    assert kept.status_code == 200 and len(kept.json()["organisers"]) == 2
    assert list(event.judges.all()) == [org.peer]


def test_the_api_refuses_what_the_pages_refuse(org, api):
    event = make_event(Phase.JUDGING, organisers=[org.manager], judges=[org.peer])
    url = "/api/hackathons/spring/"

    no_organiser = api(org.manager).patch(url, {"organisers": []}, format="json")
    unknown = api(org.manager).patch(url, {"judges": [987654]}, format="json")
    not_theirs = api(org.engineer).patch(url, {"judges": [org.engineer.pk]}, format="json")
    publish(event)
    published = api(org.manager).patch(url, {"judges": [org.outsider.pk]}, format="json")

    assert no_organiser.status_code == 400 and "organisers" in no_organiser.json()
    assert unknown.status_code == 400 and "judges" in unknown.json()
    assert not_theirs.status_code == 404
    assert published.status_code == 400
    assert published.json()["judges"] == [services.JUDGES_FIXED]
    assert list(event.organisers.all()) == [org.manager]
    assert list(event.judges.all()) == [org.peer]
