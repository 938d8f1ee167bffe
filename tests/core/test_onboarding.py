"""Onboarding: a newcomer's first sign-in asks where they work, for a first self-assessment and
what to learn first (core/onboarding.py, the `onboarding*` views, curriculum's path suggester)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import demo
from core.models import CareerStage, Person
from core.services import person_onboard
from core.skills.models import Assessment, AssessorRole, Skill
from curriculum.models import Audience, Enrolment
from tests.factories import (
    PASSWORD,
    AssessmentFactory,
    NewcomerFactory,
    PathFactory,
    PersonFactory,
    TeamFactory,
    staff_person,
)

LOGIN = "/accounts/login/"
WELCOME = "/welcome/"
ASSESS = "/welcome/skills/"
LEARN = "/welcome/learning/"
FINISH = "/welcome/finish/"


@pytest.fixture
def newcomer(db):
    return NewcomerFactory(user__username="newbie", user__first_name="Nia", user__last_name="New")


@pytest.fixture
def signed_in(client, newcomer):
    client.force_login(newcomer.user)
    return client


def refreshed(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


# --- Where sign-in lands ----------------------------------------------------------------------


def test_the_urls_are_named():
    assert reverse("onboarding") == WELCOME
    assert reverse("onboarding-assess") == ASSESS
    assert reverse("onboarding-learn") == LEARN
    assert reverse("onboarding-finish") == FINISH


def test_a_newcomers_first_sign_in_lands_on_onboarding(client, newcomer):
    response = client.post(LOGIN, {"login": "newbie", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == WELCOME


def test_a_newcomer_sent_to_sign_in_from_home_lands_on_onboarding(client, newcomer):
    """Opening the site signed out asks to sign in with next=/; the start is onboarding."""
    asked = client.get("/")
    assert asked.status_code == 302 and asked.url.startswith(LOGIN)

    response = client.post(f"{LOGIN}?next=/", {"login": "newbie", "password": PASSWORD})

    assert response.url == WELCOME


def test_a_newcomer_following_a_link_to_another_page_gets_that_page(client, newcomer):
    response = client.post(f"{LOGIN}?next=/people/", {"login": "newbie", "password": PASSWORD})

    assert response.url == "/people/"


def test_an_onboarded_persons_sign_in_goes_home(client, db):
    PersonFactory(user__username="old-hand")

    response = client.post(LOGIN, {"login": "old-hand", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"


def test_sign_up_lands_on_onboarding(client, db, settings):
    settings.SIGNUP_POLICY = "open"
    form = {"password1": "a-good-long-password-1", "password2": "a-good-long-password-1"}

    response = client.post("/accounts/signup/", {"email": "fresh@example.com", **form})

    assert response.status_code == 302
    assert response.url == WELCOME
    assert Person.objects.get(user__email="fresh@example.com").onboarded_at is None


@pytest.mark.parametrize("url", [WELCOME, ASSESS, LEARN])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_anonymous_cannot_finish(client, db):
    response = client.post(FINISH)

    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_home_asks_a_newcomer_to_finish_setting_up(signed_in):
    page = signed_in.get("/").content.decode()

    assert 'data-testid="finish-setting-up"' in page
    assert f'href="{WELCOME}"' in page


def test_home_has_no_notice_for_onboarded_people(client, db):
    client.force_login(PersonFactory().user)

    assert 'data-testid="finish-setting-up"' not in client.get("/").content.decode()


# --- Step 1: where you work -------------------------------------------------------------------


def test_step_one_saves_team_manager_and_stage(signed_in, newcomer):
    team = TeamFactory(name="Search")
    boss = PersonFactory(team=team, career_stage=CareerStage.STAFF)

    response = signed_in.post(
        WELCOME, {"team": team.slug, "manager": boss.pk, "career_stage": CareerStage.SENIOR}
    )

    assert response.status_code == 302
    assert response.url == ASSESS
    newcomer = refreshed(newcomer)
    assert (newcomer.team, newcomer.manager, newcomer.career_stage) == (
        team,
        boss,
        CareerStage.SENIOR,
    )
    assert newcomer.onboarded_at is None  # finishing is step 3


def test_the_chosen_manager_then_sees_the_newcomer(signed_in, newcomer):
    boss = PersonFactory()
    assert not Person.objects.visible_to(boss.user).filter(pk=newcomer.pk).exists()

    signed_in.post(WELCOME, {"team": "", "manager": boss.pk, "career_stage": "early_career"})

    assert Person.objects.visible_to(boss.user).filter(pk=newcomer.pk).exists()


def test_step_one_offers_teams_people_of_the_team_first_and_a_sentence_per_stage(
    signed_in, newcomer
):
    team = TeamFactory(name="Search")
    newcomer.team = team
    newcomer.save()
    colleague = PersonFactory(team=team, user__first_name="Cora", user__last_name="Colleague")
    PersonFactory(user__first_name="Otto", user__last_name="Other")
    gone = PersonFactory(user__first_name="Gone", user__last_name="Away", user__is_active=False)

    page = signed_in.get(WELCOME).content.decode()

    assert '<optgroup label="In Search">' in page
    assert page.index("Cora Colleague") < page.index("Everyone else") < page.index("Otto Other")
    assert f'value="{colleague.pk}"' in page
    assert f'value="{gone.pk}"' not in page  # inactive people are not offered
    assert f'<option value="{newcomer.pk}"' not in page  # nor yourself
    assert "I don’t know yet" in page
    assert "help others around you grow" in page  # the senior stage's sentence
    assert "Where you work" in page and "What happens next" in page


def test_the_manager_list_can_be_searched_without_javascript(signed_in):
    PersonFactory(user__first_name="Findable", user__last_name="Fran")
    PersonFactory(user__first_name="Hidden", user__last_name="Hugo")

    page = signed_in.get(WELCOME, {"q": "findable"}).content.decode()

    assert "Findable Fran" in page
    assert "Hidden Hugo" not in page


def test_you_cannot_be_your_own_manager(signed_in, newcomer):
    response = signed_in.post(
        WELCOME, {"team": "", "manager": newcomer.pk, "career_stage": "early_career"}
    )

    assert response.status_code == 200
    assert "You cannot be your own manager." in response.content.decode()
    assert refreshed(newcomer).manager is None


def test_someone_who_reports_to_you_cannot_be_your_manager(signed_in, newcomer):
    report = PersonFactory(manager=newcomer)

    response = signed_in.post(
        WELCOME, {"team": "", "manager": report.pk, "career_stage": "early_career"}
    )

    assert response.status_code == 200
    assert "reports to you, so they cannot be your manager" in response.content.decode()
    assert refreshed(newcomer).manager is None


def test_people_who_left_cannot_be_chosen(signed_in, newcomer):
    gone = PersonFactory(user__is_active=False)

    response = signed_in.post(
        WELCOME, {"team": "", "manager": gone.pk, "career_stage": "early_career"}
    )

    assert response.status_code == 200
    assert "not in the directory (they may have left)" in response.content.decode()
    assert refreshed(newcomer).manager is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"team": "no-such-team", "manager": ""}, "There is no such team."),
        ({"team": "", "manager": "nonsense"}, "Choose your manager from the list."),
        ({"team": "", "manager": "999999"}, "not in the directory"),
        ({"team": "", "manager": "", "career_stage": "wizard"}, "Select a valid choice."),
    ],
)
def test_made_up_values_are_refused_with_a_clear_message(signed_in, newcomer, data, message):
    response = signed_in.post(WELCOME, {"career_stage": "early_career", **data})

    assert response.status_code == 200
    assert message in response.content.decode()
    newcomer = refreshed(newcomer)
    assert (newcomer.team, newcomer.manager, newcomer.career_stage) == (None, None, "early_career")


def test_values_an_admin_set_are_read_only_and_a_crafted_post_changes_nothing(client, db):
    team, other_team = TeamFactory(name="Platform"), TeamFactory(name="Elsewhere")
    boss, other_boss = PersonFactory(team=team), PersonFactory(team=other_team)
    person = NewcomerFactory(team=team, manager=boss, career_stage=CareerStage.SENIOR)
    client.force_login(person.user)

    page = client.get(WELCOME).content.decode()
    response = client.post(
        WELCOME,
        {"team": other_team.slug, "manager": other_boss.pk, "career_stage": "principal"},
    )

    assert "Set by your admin" in page
    assert 'name="team"' not in page and 'name="manager"' not in page
    assert 'name="career_stage"' not in page
    assert response.status_code == 302
    person = refreshed(person)
    assert (person.team, person.manager, person.career_stage) == (team, boss, "senior")


def test_an_admin_set_team_stays_while_the_open_manager_is_saved(client, db):
    team, other_team = TeamFactory(), TeamFactory()
    boss = PersonFactory(team=team)
    person = NewcomerFactory(team=team)
    client.force_login(person.user)

    client.post(
        WELCOME, {"team": other_team.slug, "manager": boss.pk, "career_stage": "early_career"}
    )

    person = refreshed(person)
    assert (person.team, person.manager) == (team, boss)


def test_the_service_refuses_to_overwrite_what_an_admin_set(db):
    team = TeamFactory()
    person = NewcomerFactory(team=team, career_stage=CareerStage.STAFF)

    with pytest.raises(ValidationError, match="set by your admin"):
        person_onboard(person=person, team=TeamFactory(), manager=None, career_stage=None)
    with pytest.raises(ValidationError, match="set by your admin"):
        person_onboard(person=person, team=None, manager=None, career_stage="principal")

    person = refreshed(person)
    assert (person.team, person.career_stage) == (team, "staff")


def test_i_dont_know_yet_says_which_admin_will_set_them(signed_in, newcomer):
    staff_person(user__first_name="Ada", user__last_name="Admin")

    form_page = signed_in.get(WELCOME).content.decode()
    response = signed_in.post(
        WELCOME, {"team": "", "manager": "", "career_stage": "early_career"}, follow=True
    )

    assert "Ada Admin" in form_page
    assert response.redirect_chain[-1][0] == ASSESS
    page = response.content.decode()
    assert "Your team and manager are" in page and "not set yet" in page
    assert "Ada Admin" in page and "will set them for you" in page
    newcomer = refreshed(newcomer)
    assert (newcomer.team, newcomer.manager) == (None, None)


def test_i_dont_know_yet_names_an_admin_when_there_is_no_staff(signed_in):
    response = signed_in.post(
        WELCOME, {"team": "", "manager": "", "career_stage": "early_career"}, follow=True
    )

    assert "An admin" in response.content.decode()


def test_step_one_queries_do_not_grow_with_teams_and_people(signed_in):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert signed_in.get(WELCOME).status_code == 200
        return len(context)

    PersonFactory.create_batch(2)
    queries()  # the first request of a session fills caches (the site, content types)
    few = queries()
    PersonFactory.create_batch(12)  # each with a team of their own

    assert queries() == few


# --- Step 2: where you are --------------------------------------------------------------------


def test_step_two_offers_the_rating_form_and_is_skippable(signed_in):
    page = signed_in.get(ASSESS).content.decode()

    assert "Rate yourself in" in page
    assert 'name="level"' in page
    assert "Skip for now" in page and f'href="{LEARN}"' in page
    assert 'data-testid="assess-done"' not in page


def test_step_two_is_done_after_a_self_assessment(signed_in, newcomer):
    skill = Skill.objects.get(slug="coding")

    response = signed_in.post(ASSESS, {"skill": "coding", "level": 2, "note": "Python daily."})

    assert response.status_code == 302 and response.url == ASSESS
    rating = Assessment.objects.get(subject=newcomer)
    assert (rating.skill, rating.level, rating.assessor_role) == (skill, 2, AssessorRole.SELF)
    page = signed_in.get(ASSESS).content.decode()
    assert 'data-testid="assess-done"' in page


def test_step_two_counts_a_rating_made_on_the_skill_matrix(signed_in, newcomer):
    AssessmentFactory(subject=newcomer)

    assert 'data-testid="assess-done"' in signed_in.get(ASSESS).content.decode()


def test_step_two_shows_the_chosen_skill(signed_in):
    skill = Skill.objects.active().last()

    page = signed_in.get(ASSESS, {"skill": skill.slug}).content.decode()

    assert f'name="skill" value="{skill.slug}"' in page


def test_step_two_refuses_a_missing_level(signed_in, newcomer):
    response = signed_in.post(ASSESS, {"skill": "coding", "note": ""})

    assert response.status_code == 200
    assert "Choose a level from 0 to 4." in response.content.decode()
    assert not Assessment.objects.filter(subject=newcomer).exists()


# --- Step 3: what to learn first --------------------------------------------------------------


def test_step_three_suggests_the_paths_of_the_persons_stage(signed_in):
    PathFactory(title="Foundations for new engineers", audience=Audience.EARLY_CAREER)
    PathFactory(title="Leading ML systems", audience=Audience.SENIOR)
    PathFactory(title="Managing ML teams", audience=Audience.MANAGER)

    page = signed_in.get(LEARN).content.decode()

    assert "Foundations for new engineers" in page
    assert "Leading ML systems" not in page
    assert "Managing ML teams" not in page


def test_step_three_follows_the_stage_chosen_in_step_one(signed_in):
    PathFactory(title="Foundations for new engineers", audience=Audience.EARLY_CAREER)
    PathFactory(title="Leading ML systems", audience=Audience.SENIOR)
    signed_in.post(WELCOME, {"team": "", "manager": "", "career_stage": CareerStage.SENIOR})

    page = signed_in.get(LEARN).content.decode()

    assert "Leading ML systems" in page
    assert "Foundations for new engineers" not in page


def test_enrolling_from_step_three_works_in_one_click(signed_in, newcomer):
    path = PathFactory(title="Foundations for new engineers")
    page = signed_in.get(LEARN).content.decode()
    enrol_url = reverse("curriculum:enrol", kwargs={"slug": path.slug})
    assert f'action="{enrol_url}"' in page

    response = signed_in.post(enrol_url, {"next": LEARN})

    assert response.status_code == 302 and response.url == LEARN
    assert Enrolment.objects.filter(person=newcomer, path=path).exists()
    assert "You are enrolled" in signed_in.get(LEARN).content.decode()


def test_step_three_says_so_when_no_path_fits(signed_in):
    PathFactory(audience=Audience.SENIOR)

    assert "No learning path for your stage yet" in signed_in.get(LEARN).content.decode()


def test_step_three_queries_do_not_grow_with_paths(signed_in, newcomer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert signed_in.get(LEARN).status_code == 200
        return len(context)

    PathFactory()
    queries()  # the first request of a session fills caches (the site, content types)
    few = queries()
    for path in PathFactory.create_batch(8):
        Enrolment.objects.create(person=newcomer, path=path, enrolled_by=newcomer)

    assert queries() == few


# --- Finishing --------------------------------------------------------------------------------


def test_finishing_sets_onboarded_at_and_lands_home(signed_in, newcomer):
    response = signed_in.post(FINISH)

    assert response.status_code == 302 and response.url == "/"
    assert refreshed(newcomer).onboarded_at is not None
    assert 'data-testid="finish-setting-up"' not in signed_in.get("/").content.decode()


def test_finishing_again_keeps_the_first_time(signed_in, newcomer):
    signed_in.post(FINISH)
    first = refreshed(newcomer).onboarded_at

    signed_in.post(FINISH)

    assert refreshed(newcomer).onboarded_at == first


def test_finishing_needs_a_post(signed_in, newcomer):
    assert signed_in.get(FINISH).status_code == 405
    assert refreshed(newcomer).onboarded_at is None


def test_after_finishing_the_next_sign_in_goes_home(client, newcomer):
    client.force_login(newcomer.user)
    client.post(FINISH)
    client.logout()

    response = client.post(LOGIN, {"login": "newbie", "password": PASSWORD})

    assert response.url == "/"


# --- People who were there before -------------------------------------------------------------


def test_the_migration_marks_everyone_already_there_as_onboarded(db):
    before = [NewcomerFactory(), NewcomerFactory()]
    migration = importlib.import_module("core.migrations.0007_person_onboarded_at")

    migration.mark_everyone_onboarded(django_apps, None)

    assert all(refreshed(person).onboarded_at is not None for person in before)


def test_the_demo_seed_leaves_demo_people_onboarded(db):
    demo_person = NewcomerFactory(user__username=demo.PEOPLE[0][0])
    stranger = NewcomerFactory(user__username="not-in-the-demo")

    demo.seed_onboarded()

    assert refreshed(demo_person).onboarded_at is not None
    assert refreshed(stranger).onboarded_at is None
    assert demo.seed_onboarded in demo.seeders()
