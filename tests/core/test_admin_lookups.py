"""The admin is no oracle on what it hides.

Staff may not learn who asked an anonymous question, nor read a private note or a feedback
body, by guessing in a changelist's query string (`?author=7`, `?body__contains=…`) and
watching whether a row comes back. Every changelist filters only by its declared filters: any
other lookup answers an error page (or the unfiltered list), the same for a right guess as for a
wrong one. The lookups tried are generated from each model's fields, so a new model or field is
covered without touching this file.
"""

import datetime
import json

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.admin_base import StrictAdminMixin, StrictModelAdmin
from core.models import Person, WorkerHeartbeat
from core.skills.models import Assessment, Skill
from labs.format import load_lab
from labs.models import Submission
from labs.services import lab_store
from mentoring.models import (
    ActionItem,
    Answer,
    FeedbackNote,
    FeedbackRequest,
    LearningEntry,
    MentorProfile,
    Mentorship,
    PrivateNote,
    Question,
    Session,
)
from tests.factories import AssessmentFactory, EvidenceFactory, ReviewRequestFactory
from tests.labs.conftest import REFERENCE_LAB

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)

# Text that only hidden (or at least never listed) fields hold.
SECRETS = {
    "question": "SECRET-question-body",
    "private_note": "SECRET-private-note",
    "feedback": "SECRET-feedback-body",
    "request": "SECRET-feedback-request",
    "goals": "SECRET-mentorship-goals",
    "agenda": "SECRET-session-agenda",
    "notes": "SECRET-session-notes",
    "action": "SECRET-action-item",
    "assessment": "SECRET-assessment-note",
    "evidence": "SECRET-evidence-note",
    "review": "SECRET-review-message",
    "learning": "SECRET-learning-what",
    "code": "SECRET-submitted-code",
}
# What no changelist shows, so no search may reach it either.
NEVER_SHOWN = [
    SECRETS[key]
    for key in ("private_note", "feedback", "goals", "agenda", "notes", "assessment", "code")
]

# Lookups tried on every field of a model, and on the fields of what a relation points to.
TEXT_LOOKUPS = ["", "__iexact", "__contains", "__icontains", "__startswith", "__regex", "__isnull"]
VALUE_LOOKUPS = ["", "__exact", "__gte", "__in", "__isnull"]
RELATION_LOOKUPS = ["", "__id__exact", "__in", "__isnull"]


@pytest.fixture
def world(org):
    """One or more rows of every model the admin lists, holding the secrets above. The engineer
    asks an anonymous question; the peer asks one under her name."""
    coding = Skill.objects.get(slug="coding")
    lab = lab_store(spec=load_lab(REFERENCE_LAB), report={}).lab
    profile = MentorProfile.objects.create(person=org.outsider, open_to_mentoring=True, capacity=2)
    profile.skills_offered.add(coding)
    mentorship = Mentorship.objects.create(
        mentor=org.outsider,
        mentee=org.engineer,
        proposed_by=org.manager,
        status=Mentorship.Status.ACTIVE,
        goals=SECRETS["goals"],
        match_breakdown={"skills": 0.5},
        start_date=datetime.date(2026, 1, 5),
    )
    session = Session.objects.create(
        mentorship=mentorship,
        date=datetime.date(2026, 1, 12),
        agenda=SECRETS["agenda"],
        notes=SECRETS["notes"],
        created_by=org.outsider,
    )
    session.action_items.create(mentorship=mentorship, text=SECRETS["action"])
    PrivateNote.objects.create(session=session, author=org.engineer, body=SECRETS["private_note"])
    request = FeedbackRequest.objects.create(
        requester=org.engineer, asked=org.manager, about=SECRETS["request"]
    )
    FeedbackNote.objects.create(
        author=org.manager,
        recipient=org.engineer,
        category="coding",
        kind="praise",
        body=SECRETS["feedback"],
        visibility="private",
        request=request,
        acknowledged_at=timezone.now(),
    )
    anonymous = Question.objects.create(
        author=org.engineer, anonymous=True, title="How do I?", body=SECRETS["question"]
    )
    anonymous.skills.add(coding)
    named = Question.objects.create(author=org.peer, title="Why does it?", body="Public.")
    answer = Answer.objects.create(question=anonymous, author=org.peer, body="Like this.")
    anonymous.accepted_answer = answer
    anonymous.save()
    Answer.objects.create(question=named, author=org.outsider, body="Because.")
    LearningEntry.objects.create(
        person=org.engineer,
        date=datetime.date(2026, 1, 13),
        minutes=30,
        what=SECRETS["learning"],
        skill=coding,
        lab=lab,
    )
    AssessmentFactory(subject=org.engineer, note=SECRETS["assessment"])
    EvidenceFactory(person=org.engineer, note=SECRETS["evidence"])
    ReviewRequestFactory(requester=org.engineer, reviewer=org.manager, message=SECRETS["review"])
    Submission.objects.create(
        lab=lab,
        version=lab.current_version,
        person=org.engineer,
        attempt=1,
        answers={"mean_of": SECRETS["code"]},
        error=SECRETS["code"],
    )
    WorkerHeartbeat.objects.create(hostname="worker-1", seen_at=timezone.now())
    Token.objects.create(user=org.engineer.user)
    return org


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff.user)
    return client


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def listed(client, model, params) -> object:
    """The rows the changelist shows for `params` (their pks), or "error" for an error page."""
    response = client.get(changelist_url(model), params)
    if response.status_code == 200:
        return sorted(row.pk for row in response.context["cl"].result_list)
    if response.status_code == 302:
        assert response.url.endswith("?e=1"), response.url  # Django's "invalid lookup" page
        return "error"
    assert response.status_code == 400, (params, response.status_code)
    return "error"


def declared_parameters(client, model) -> set[str]:
    """What the page's own filters and date drill-down send: those may filter, by design."""
    changelist = client.get(changelist_url(model)).context["cl"]
    declared = {p for spec in changelist.filter_specs for p in spec.expected_parameters()}
    if changelist.date_hierarchy:
        declared |= {f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    return declared


def as_text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def miss_for(value) -> str:
    """A value of the same kind that no row holds."""
    if isinstance(value, bool):
        return str(not value)
    if isinstance(value, int | float):
        return "987654"
    if isinstance(value, datetime.datetime):
        return "1990-01-01 00:00:00"
    if isinstance(value, datetime.date):
        return "1990-01-01"
    return "zz-nobody-wrote-this"


def guess_for(lookup: str, value) -> str:
    text = as_text(value)
    if lookup.endswith(("__contains", "__icontains", "__startswith", "__regex")):
        return text[: max(1, len(text) // 2)]
    return text


def some_value(model, path: str):
    """A value some row holds at `path` (a field, or a field of what a relation points to)."""
    rows = model._default_manager.exclude(**{f"{path}__isnull": True})
    return rows.values_list(path, flat=True).order_by().first()


def plain_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.is_relation]


def is_text(field) -> bool:
    return isinstance(field, models.CharField | models.TextField)


def text_fields(model) -> list[models.Field]:
    return [f for f in plain_fields(model) if is_text(f)]


def guesses(model):
    """(lookup, value a row holds, value no row holds) for every field and relation, and for
    the fields behind each relation (two steps through one-to-one, e.g. `author__user__email`)."""
    for field in plain_fields(model):
        for lookup in TEXT_LOOKUPS if is_text(field) else VALUE_LOOKUPS:
            yield from _guess(model, field.name, lookup)
    for relation in (f for f in model._meta.get_fields() if f.is_relation):
        name = relation.name
        for lookup in RELATION_LOOKUPS:
            yield from _guess(model, name, lookup)
        if getattr(relation, "attname", name) != name:
            yield from _guess(model, name, "", alias=relation.attname)  # author_id
        target = relation.related_model
        if target is None:  # a generic relation: no table to step into
            continue
        for field in text_fields(target):
            yield from _guess(model, f"{name}__{field.name}", "")
        for step in (f for f in target._meta.concrete_fields if f.one_to_one):
            for field in text_fields(step.related_model):
                yield from _guess(model, f"{name}__{step.name}__{field.name}", "")


def _guess(model, path: str, lookup: str, alias: str = ""):
    value = some_value(model, path)
    if value is None or value == "":
        return
    if lookup == "__isnull":
        yield f"{path}{lookup}", "False", "True"
    else:
        yield f"{alias or path}{lookup}", guess_for(lookup, value), miss_for(value)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_undeclared_lookup_filters_a_changelist(staff_client, model):
    everything = listed(staff_client, model, {})
    declared = declared_parameters(staff_client, model)

    tried = 0
    for lookup, hit, miss in guesses(model):
        if lookup in declared:
            continue
        tried += 1
        right_guess = listed(staff_client, model, {lookup: hit})
        if right_guess == "error":
            continue  # refused by its name, whatever the value (Django's `lookup_allowed`)
        wrong_guess = listed(staff_client, model, {lookup: miss})
        assert right_guess == wrong_guess, f"?{lookup}= tells {hit!r} from {miss!r}"
        assert right_guess == everything, f"?{lookup}={hit} filters the list"
    if everything:
        assert tried, "no row to guess at: give the world fixture a row of this model"


QUESTION_GUESSES = [
    "author",
    "author_id",
    "author__id__exact",
    "author__pk",
    "author__in",
    "author__user__username",
    "author__user__email",
    "author__isnull",
]


@pytest.mark.parametrize("lookup", QUESTION_GUESSES)
def test_the_question_list_does_not_tell_who_asked(staff_client, world, lookup):
    asker = world.engineer
    value = {"author__user__username": "engineer", "author__user__email": asker.user.email}.get(
        lookup, "False" if lookup.endswith("isnull") else str(asker.pk)
    )

    response = staff_client.get(changelist_url(Question), {lookup: value})

    assert response.status_code == 400


def test_the_person_list_does_not_tell_who_asked(staff_client, world):
    anonymous = Question.objects.get(anonymous=True)

    for lookup in ("questions_asked", "questions_asked__id__exact", "questions_asked__title"):
        value = anonymous.title if lookup.endswith("title") else anonymous.pk
        response = staff_client.get(changelist_url(Person), {lookup: value})
        assert response.status_code == 400, lookup


@pytest.mark.parametrize(
    "model,lookup,secret",
    [
        (PrivateNote, "body__contains", SECRETS["private_note"]),
        (PrivateNote, "body__icontains", SECRETS["private_note"].lower()),
        (PrivateNote, "body__startswith", "SECRET"),
        (FeedbackNote, "body__contains", SECRETS["feedback"]),
        (FeedbackNote, "body", SECRETS["feedback"]),
        (Session, "notes__contains", "SECRET"),
        (Session, "agenda__icontains", "secret"),
        (Mentorship, "goals__startswith", "SECRET"),
        (Submission, "answers__icontains", "SECRET"),
        (Submission, "error__contains", "SECRET"),
    ],
)
def test_hidden_text_is_no_filter(staff_client, world, model, lookup, secret):
    right_guess = staff_client.get(changelist_url(model), {lookup: secret})
    wrong_guess = staff_client.get(changelist_url(model), {lookup: "nothing like it"})

    assert right_guess.status_code == wrong_guess.status_code == 400


def test_declared_filters_still_filter(staff_client, world):
    named = listed(staff_client, Question, {"anonymous__exact": "0"})
    praise = listed(staff_client, FeedbackNote, {"kind__exact": "praise"})
    this_year = listed(staff_client, Assessment, {"created_at__year": str(timezone.now().year)})
    team = listed(staff_client, Person, {"team__id__exact": str(world.manager.team.pk)})

    assert named == [Question.objects.get(anonymous=False).pk]
    assert praise == [FeedbackNote.objects.get().pk]
    assert this_year == [Assessment.objects.get().pk]
    assert team == sorted(p.pk for p in (world.manager, world.engineer, world.peer))


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_searching_never_reaches_hidden_text(staff_client, model):
    wrong_guess = listed(staff_client, model, {SEARCH_VAR: "zz-nobody-wrote-this"})

    for secret in NEVER_SHOWN:
        right_guess = listed(staff_client, model, {SEARCH_VAR: secret})
        assert right_guess == wrong_guess, f"?q={secret} finds rows in {model._meta.label}"


def test_searching_questions_never_reaches_the_asker(staff_client, world):
    asker = world.engineer.user

    for term in (asker.username, asker.email, asker.first_name, asker.last_name):
        assert listed(staff_client, Question, {SEARCH_VAR: term}) == [], term


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_sorting_uses_only_sortable_columns(staff_client, model):
    """`?o=<n>` sorts by the n-th listed column, and only if that column may be sorted: never
    by a column the page does not show, which would leak its order."""
    model_admin = admin.site._registry[model]
    declared_order = [*model._meta.ordering, *(model_admin.ordering or [])]
    default_order = {name.lstrip("-") for name in declared_order} | {"pk", "id"}
    everything = listed(staff_client, model, {})

    for index in range(len(model_admin.list_display) + 2):
        response = staff_client.get(changelist_url(model), {ORDER_VAR: f"-{index}"})
        changelist = response.context["cl"]
        sortable = changelist.sortable_by
        sortable = changelist.list_display if sortable is None else sortable
        allowed = {changelist.get_ordering_field(column) for column in sortable}
        used = {o.lstrip("-") for o in changelist.queryset.query.order_by if isinstance(o, str)}

        assert sorted(row.pk for row in changelist.result_list) == everything
        assert used <= allowed | default_order, (index, used)


def test_every_admin_is_strict():
    loose = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, StrictAdminMixin)
    ]

    assert loose == []


def test_a_column_left_out_of_sortable_by_does_not_sort(rf, world):
    class ActionItemsByText(StrictModelAdmin):
        list_display = ["text", "done_at"]
        sortable_by = ["text"]

    request = rf.get("/", {ORDER_VAR: "1"})
    request.user = world.staff.user
    changelist = ActionItemsByText(ActionItem, admin.site).get_changelist_instance(request)

    assert "done_at" not in str(changelist.queryset.query.order_by)
