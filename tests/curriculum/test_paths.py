"""Learning paths: the shipped files load (and bad ones are refused, naming the file), progress
follows from events (a lab passed, evidence recorded, an activity done), enrolment rules, who
sees whose progress, a manager's team page in a fixed number of queries, the API, the growth
plan's suggestions and the demo."""

import datetime
from pathlib import Path as FilePath

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.activities import activity_done_by, activity_keys
from core.models import Person
from core.skills.models import Evidence, EvidenceKind, Skill
from curriculum import content, selectors, services
from curriculum.loader import PathFileError, shipped_lab_slugs
from curriculum.models import Enrolment, Module, Path, Step, StepKind
from hackathons.models import Idea
from labs.format import load_lab
from labs.models import Lab, Submission, SubmissionStatus
from labs.services import lab_store
from mentoring.models import Mentorship, Session
from tests.curriculum.conftest import LABS
from tests.factories import PersonFactory

# --- helpers --------------------------------------------------------------------------------


def shipped_lab(slug: str) -> Lab:
    """A shipped lab stored without its sandbox validation: these tests are about paths."""
    return lab_store(spec=load_lab(LABS[slug]), report={}).lab


def graded(lab: Lab, person: Person, *, percent: float, status=SubmissionStatus.GRADED):
    attempt = lab.submissions.filter(person=person).count() + 1
    return Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=person,
        attempt=attempt,
        answers={},
        status=status,
        score=percent,
        max_score=100,
        graded_at=timezone.now(),
    )


def progress(person: Person, slug: str) -> selectors.PathProgress:
    return selectors.path_progress(person=person, path=selectors.path_get(slug=slug))


def module_titled(p: selectors.PathProgress, title: str) -> selectors.ModuleProgress:
    return next(m for m in p.modules if m.module.title == title)


def step_of(p: selectors.PathProgress, **match) -> selectors.StepProgress:
    return next(
        s
        for m in p.modules
        for s in m.steps
        if all(getattr(s.step, k) == v for k, v in match.items())
    )


def write(folder: FilePath, name: str, text: str) -> FilePath:
    file = folder / name
    file.write_text(text)
    return file


GOOD = """
slug = "tiny"
title = "Tiny"
audience = "senior"
summary = "A path for tests."

[[modules]]
title = "One"
skills = ["testing"]
reading = "Read this."

[[modules.steps]]
lab = "data-drift"

[[modules.steps]]
evidence = "testing"
"""


@pytest.fixture
def paths(db):
    return {path.slug: path for path in services.paths_load()}


# --- Loading the files ----------------------------------------------------------------------


def test_the_shipped_paths_load_and_loading_again_changes_nothing(db):
    first = services.paths_load()
    ids = sorted(Step.objects.values_list("pk", flat=True))
    second = services.paths_load()

    assert [p.slug for p in first] == [p.slug for p in second]
    assert sorted(Step.objects.values_list("pk", flat=True)) == ids
    assert {p.slug: p.audience for p in Path.objects.all()} == {
        "foundations": "early_career",
        "production-ml": "senior",
        "leading-ml-teams": "manager",
    }
    used_labs = set(Step.objects.filter(kind=StepKind.LAB).values_list("lab_slug", flat=True))
    assert used_labs <= shipped_lab_slugs()
    assert len(used_labs) >= 10  # the paths put the shipped labs to use
    production = Step.objects.filter(module__path__slug="production-ml", kind=StepKind.ACTIVITY)
    assert set(production.values_list("activity", flat=True)) == {
        "mentoring.mentor-someone",
        "hackathons.propose-idea",
    }
    leading = Step.objects.filter(module__path__slug="leading-ml-teams")
    assert {"lab", "activity"} <= set(leading.values_list("kind", flat=True))
    assert all(m.reading.strip() for m in Module.objects.all())
    assert all(m.skills.exists() for m in Module.objects.all())


def test_an_unknown_lab_skill_or_activity_is_refused_naming_the_file(db, tmp_path):
    bad = GOOD.replace('lab = "data-drift"', 'lab = "no-such-lab"')
    bad = bad.replace('skills = ["testing"]', 'skills = ["juggling"]')
    bad += '\n[[modules.steps]]\nactivity = "knitting"\n'
    write(tmp_path, "broken.toml", bad)

    with pytest.raises(PathFileError) as raised:
        services.paths_load(folder=tmp_path)

    message = str(raised.value)
    assert message.startswith("broken.toml: ")
    assert "unknown lab 'no-such-lab'" in message
    assert "unknown skill 'juggling'" in message
    assert "unknown activity 'knitting'" in message and "mentoring.mentor-someone" in message
    assert not Path.objects.exists()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('lab = "data-drift"', 'lab = "data-drift"\nactivity = "hackathons.propose-idea"'),
         "exactly one of lab, evidence or activity"),
        (('audience = "senior"', 'audience = "everyone"'), "audience must be one of"),
        (('evidence = "testing"', 'evidence = "testing"\nevidence_kind = "rumour"'),
         "evidence_kind must be one of"),
        (('title = "One"', 'title = "One"\ncolour = "blue"'), "unknown keys: colour"),
        (('slug = "tiny"', 'slug = '), "not valid TOML"),
    ],
)  # fmt: skip
def test_other_mistakes_are_named(db, tmp_path, change, problem):
    write(tmp_path, "tiny.toml", GOOD.replace(*change))

    with pytest.raises(PathFileError, match=problem):
        services.paths_load(folder=tmp_path)


def test_one_bad_file_loads_nothing_and_the_command_says_which(db, tmp_path):
    write(tmp_path, "a-good.toml", GOOD)
    write(tmp_path, "b-bad.toml", GOOD.replace("tiny", "other").replace("data-drift", "nope"))

    with pytest.raises(CommandError, match=r"Nothing was loaded\. b-bad\.toml: .*'nope'"):
        call_command("load_curriculum", folder=tmp_path)

    assert not Path.objects.exists()


def test_the_command_loads_the_shipped_paths(db, capsys):
    call_command("load_curriculum")

    assert "3 learning paths loaded" in capsys.readouterr().out
    assert Path.objects.count() == 3


def test_a_step_removed_from_the_file_goes_and_the_others_keep_their_ids(db, tmp_path):
    write(tmp_path, "tiny.toml", GOOD)
    services.paths_load(folder=tmp_path)
    lab_step = Step.objects.get(kind=StepKind.LAB)

    write(tmp_path, "tiny.toml", GOOD.split("[[modules.steps]]\nevidence")[0])
    services.paths_load(folder=tmp_path)

    assert list(Step.objects.values_list("pk", flat=True)) == [lab_step.pk]


# --- Progress follows from events -----------------------------------------------------------


def test_passing_the_lab_completes_its_module(paths, org):
    lab = shipped_lab("ds-process")  # the one step of Foundations' first module
    services.enrolment_create(
        person=org.engineer, path=paths["foundations"], enrolled_by=org.engineer
    )
    first = "How a model earns its place"
    assert not module_titled(progress(org.engineer, "foundations"), first).done

    graded(lab, org.engineer, percent=60)  # below the lab's passing score
    graded(lab, org.engineer, percent=100, status=SubmissionStatus.NEEDS_REVIEW)  # not signed off
    graded(lab, org.peer, percent=100)  # somebody else's pass
    assert not module_titled(progress(org.engineer, "foundations"), first).done

    passed = graded(lab, org.engineer, percent=90)
    after = progress(org.engineer, "foundations")

    assert module_titled(after, first).done
    assert step_of(after, lab_slug="ds-process").done_at == passed.graded_at
    assert (after.steps_done, after.modules_done) == (1, 1)
    assert after.steps_total == Step.objects.filter(module__path__slug="foundations").count()
    assert step_of(after, lab_slug="ds-process").url == reverse("labs:detail", args=["ds-process"])


def test_a_lab_not_imported_yet_is_a_step_without_a_link(paths, org):
    step = step_of(progress(org.engineer, "foundations"), lab_slug="data-drift")

    assert step.url == "" and not step.done
    assert "data-drift" in step.title


def test_evidence_steps_follow_the_matrix_and_the_kind_they_ask_for(paths, org):
    testing = Skill.objects.get(slug="testing")
    review = Skill.objects.get(slug="code-review")

    def evidence(skill, kind):
        Evidence.objects.create(
            person=org.engineer, skill=skill, kind=kind, title="Shown", url="https://example.com/"
        )

    evidence(testing, EvidenceKind.FEEDBACK_NOTE)  # the step asks for a link
    before = progress(org.engineer, "foundations")
    assert not step_of(before, skill=testing).done

    evidence(testing, EvidenceKind.EXTERNAL_LINK)
    evidence(review, EvidenceKind.FEEDBACK_NOTE)  # any kind will do here
    after = progress(org.engineer, "foundations")

    assert step_of(after, skill=testing).done
    assert step_of(after, skill=review).done
    assert step_of(after, skill=review).url == reverse(
        "skills:person-skill", kwargs={"pk": org.engineer.pk, "slug": "code-review"}
    )


def test_activities_come_from_mentoring_and_hackathons(paths, org):
    senior = org.outsider
    assert {
        "mentoring.mentor-someone",
        "mentoring.mentor-conversation",
        "hackathons.propose-idea",
    } <= set(activity_keys())
    before = progress(senior, "production-ml")
    assert not step_of(before, activity="mentoring.mentor-someone").done

    mentorship = Mentorship.objects.create(
        mentor=senior,
        mentee=org.peer,
        status=Mentorship.Status.ACTIVE,
        start_date=datetime.date(2026, 3, 2),
    )
    Mentorship.objects.create(mentor=senior, mentee=org.engineer)  # only proposed: no start
    Session.objects.create(mentorship=mentorship, date=datetime.date(2026, 3, 9))
    Idea.objects.create(proposer=senior, title="Shared golden sets", problem="Every team…")
    after = progress(senior, "production-ml")

    assert step_of(after, activity="mentoring.mentor-someone").done_at.date() == datetime.date(
        2026, 3, 2
    )
    assert step_of(after, activity="hackathons.propose-idea").done
    assert module_titled(after, "Multiply yourself").done
    assert step_of(after, activity="mentoring.mentor-someone").url == reverse("mentoring:index")
    # the mentee had a conversation with a mentor; the mentor did not (as a mentee)
    assert activity_done_by("mentoring.mentor-conversation", person=org.peer).date() == (
        datetime.date(2026, 3, 9)
    )
    assert activity_done_by("mentoring.mentor-conversation", person=senior) is None


# --- Enrolment rules ------------------------------------------------------------------------


def test_you_enrol_yourself_once(paths, org):
    enrolment = services.enrolment_create(
        person=org.engineer, path=paths["foundations"], enrolled_by=org.engineer
    )

    assert enrolment.enrolled_by == org.engineer
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrolment_create(
            person=org.engineer, path=paths["foundations"], enrolled_by=org.engineer
        )


def test_managers_up_the_line_enrol_reports_and_nobody_else_does(paths, org):
    path = paths["foundations"]
    services.enrolment_create(person=org.engineer, path=path, enrolled_by=org.manager)
    services.enrolment_create(person=org.peer, path=path, enrolled_by=org.director)
    mentor = PersonFactory()
    Mentorship.objects.create(
        mentor=mentor, mentee=org.manager, status="active", start_date=datetime.date(2026, 1, 5)
    )

    for by, person in [
        (org.peer, org.engineer),
        (org.engineer, org.manager),
        (mentor, org.manager),
    ]:
        with pytest.raises(PermissionDenied):
            services.enrolment_create(person=person, path=path, enrolled_by=by)
    assert Enrolment.objects.filter(path=path).count() == 2
    assert Enrolment.objects.get(person=org.peer).enrolled_by == org.director


def test_leaving_keeps_what_was_done(paths, org):
    lab = shipped_lab("ds-process")
    graded(lab, org.engineer, percent=100)
    enrolment = services.enrolment_create(
        person=org.engineer, path=paths["foundations"], enrolled_by=org.manager
    )
    with pytest.raises(PermissionDenied):
        services.enrolment_delete(enrolment=enrolment, by=org.peer)

    services.enrolment_delete(enrolment=enrolment, by=org.engineer)

    after = progress(org.engineer, "foundations")
    assert not after.enrolled and after.steps_done == 1


# --- Pages ----------------------------------------------------------------------------------


def test_enrol_and_leave_from_the_path_page(client, paths, org):
    client.force_login(org.engineer.user)
    url = reverse("curriculum:path", args=["foundations"])
    assert "You are not enrolled yet" in client.get(url).content.decode()

    response = client.post(reverse("curriculum:enrol", args=["foundations"]))

    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()
    assert "Your progress" in html and "0 of 8 steps done" in html and "Leave" in html
    client.post(reverse("curriculum:leave", args=["foundations"]))
    assert not Enrolment.objects.exists()


def test_a_manager_enrols_a_report_and_a_colleague_cannot(client, paths, org):
    enrol = reverse("curriculum:enrol", args=["foundations"])
    client.force_login(org.engineer.user)
    assert client.post(enrol, {"person": org.peer.pk}).status_code == 404
    assert client.post(enrol, {"person": org.outsider.pk}).status_code == 404

    client.force_login(org.manager.user)
    page = client.get(reverse("curriculum:path", args=["foundations"])).content.decode()
    assert "Enrol someone who reports to you" in page
    response = client.post(enrol, {"person": org.peer.pk, "next": "/paths/team/"})

    assert response["Location"] == "/paths/team/"
    assert Enrolment.objects.get().enrolled_by == org.manager
    team = client.get(reverse("curriculum:team")).content.decode()
    assert f'href="{org.peer.get_absolute_url()}"' in team
    assert "0 of 8 steps" in team and "Not enrolled" in team


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("peer", 200),
        ("manager", 200),
        ("director", 200),
        ("mentor", 200),
        ("staff", 200),
        ("engineer", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_a_persons_progress(client, paths, org, viewer, status):
    org.mentor = PersonFactory()
    Mentorship.objects.create(
        mentor=org.mentor, mentee=org.peer, status="active", start_date=datetime.date(2026, 1, 5)
    )
    services.enrolment_create(person=org.peer, path=paths["foundations"], enrolled_by=org.peer)
    client.force_login(getattr(org, viewer).user)

    page = client.get(reverse("curriculum:person", args=[org.peer.pk]))
    api = client.get(reverse("api:path-progress", args=[org.peer.pk]))

    assert (page.status_code, api.status_code) == (status, status)
    if status == 200:
        assert "Foundations" in page.content.decode()
        assert api.json()[0]["path"] == "foundations"


def test_the_team_page_is_for_managers(client, paths, org):
    client.force_login(org.engineer.user)
    assert client.get(reverse("curriculum:team")).status_code == 404
    client.force_login(org.director.user)
    html = client.get(reverse("curriculum:team")).content.decode()
    assert "Foundations" in html and org.engineer.display_name in html  # reports of reports too


def test_the_team_page_costs_the_same_for_twenty_reports(
    client, paths, org, django_assert_max_num_queries
):
    lab = shipped_lab("ds-process")
    coding = Skill.objects.get(slug="testing")
    for n in range(20):
        report = PersonFactory(manager=org.manager, career_stage="early_career")
        services.enrolment_create(person=report, path=paths["foundations"], enrolled_by=org.manager)
        services.enrolment_create(
            person=report, path=paths["production-ml"], enrolled_by=org.manager
        )
        graded(lab, report, percent=100 if n % 2 else 10)
        Evidence.objects.create(
            person=report, skill=coding, kind="external_link", title="PR", url="https://e.com/"
        )
        Idea.objects.create(proposer=report, title=f"Idea {n}", problem="…")
    client.force_login(org.manager.user)

    with django_assert_max_num_queries(14):
        paths_shown, rows = selectors.team_progress(user=org.manager.user)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("curriculum:team"))

    assert len(rows) == 22 and len(paths_shown) == 3
    assert sum(row.cells[0].steps_done for row in rows) == 10 + 20  # ten labs passed, 20 links
    assert response.content.decode().count("Not enrolled") == 2 * 3 + 20  # engineer, peer


# --- API ------------------------------------------------------------------------------------


def test_the_api_reads_paths_and_modules(client, paths, org):
    client.force_login(org.engineer.user)

    listed = client.get(reverse("api:learning-path-list")).json()["results"]
    one = client.get(reverse("api:learning-path-detail", args=["production-ml"])).json()

    assert [p["slug"] for p in listed] == ["foundations", "production-ml", "leading-ml-teams"]
    assert one["audience"] == "senior" and "<p>" in one["summary_html"]
    module = one["modules"][0]
    assert module["position"] == 1 and module["skills"] == ["training-pipelines"]
    assert module["steps"][0] == {
        "id": module["steps"][0]["id"],
        "position": 1,
        "kind": "lab",
        "title": "",
        "lab": "training-pipelines",
        "skill": None,
        "evidence_kind": "",
        "activity": "",
    }


def test_the_api_enrols_and_shows_my_progress(client, paths, org):
    url = reverse("api:path-enrolments")
    client.force_login(org.engineer.user)
    assert client.get(url).json() == []

    created = client.post(url, {"path": "foundations"}, content_type="application/json")
    again = client.post(url, {"path": "foundations"}, content_type="application/json")
    other = client.post(
        url, {"path": "foundations", "person": org.peer.pk}, content_type="application/json"
    )

    assert created.status_code == 201
    body = created.json()
    assert body["enrolled"] and body["steps_done"] == 0 and body["steps_total"] == 8
    assert body["person"]["id"] == org.engineer.pk
    assert again.status_code == 400 and "already enrolled" in str(again.json())
    assert other.status_code == 404
    mine = client.get(url).json()
    assert [p["path"] for p in mine] == ["foundations"]
    assert mine[0]["modules"][0]["steps"][0]["done"] is False


def test_a_manager_enrols_a_report_through_the_api(client, paths, org):
    client.force_login(org.manager.user)

    response = client.post(
        reverse("api:path-enrolments"),
        {"path": "leading-ml-teams", "person": org.engineer.pk},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["enrolled_by"]["id"] == org.manager.pk


# --- Suggestions and the demo ---------------------------------------------------------------


@pytest.fixture
def quick_labs(monkeypatch):
    """seed_demo stores the shipped labs without validating them in the sandbox."""
    monkeypatch.setattr(
        content, "lab_import", lambda *, path, **_: lab_store(spec=load_lab(path), report={})
    )


def test_a_demo_engineer_with_a_gap_is_suggested_the_lab_that_trains_it(client, db, quick_labs):
    from core.skills.selectors import growth_plan, person_matrix

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    amara = Person.objects.get(user__username="amara")
    trained = {skill for lab in Lab.objects.all() for skill in lab.skills}

    plan = growth_plan(matrix=person_matrix(person=amara))
    item = next(i for i in plan if i.row.skill.slug in trained)
    lab = next(lab for lab in Lab.objects.order_by("title") if item.row.skill.slug in lab.skills)

    urls = [s.url for s in item.suggestions]
    assert lab.get_absolute_url() in urls
    module = Module.objects.filter(skills=item.row.skill).order_by("path__position", "position")[0]
    assert module.get_absolute_url() in urls
    client.force_login(amara.user)
    page = client.get(reverse("skills:index")).content.decode()
    assert escape(lab.title) in page and f'href="{lab.get_absolute_url()}"' in page


def test_the_demo_enrols_people_in_the_path_for_them_idempotently(db, quick_labs):
    devnull = open("/dev/null", "w")  # noqa: SIM115
    call_command("seed_demo", stdout=devnull)
    first = sorted(Enrolment.objects.values_list("person__user__username", "path__slug"))
    call_command("seed_demo", stdout=devnull)

    assert sorted(Enrolment.objects.values_list("person__user__username", "path__slug")) == first
    by_person = {}
    for username, slug in first:
        by_person.setdefault(username, set()).add(slug)
    assert by_person["amara"] == {"foundations"}
    assert by_person["priya"] == {"production-ml"}
    assert by_person["tomas"] == {"leading-ml-teams"}
    assert by_person["noah"] == {"production-ml", "leading-ml-teams"}  # a senior who manages
    assert "admin" not in by_person
    amara = Enrolment.objects.get(person__user__username="amara")
    assert amara.enrolled_by.user.username == "tomas"  # her manager enrolled her
    assert Enrolment.objects.get(person__user__username="priya").enrolled_by.user.username == (
        "priya"
    )
    # the demo's labs are released, so the path pages link to them
    step = step_of(progress(amara.person, "foundations"), lab_slug="ds-process")
    assert step.url == reverse("labs:detail", args=["ds-process"])
