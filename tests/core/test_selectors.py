import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404

from core import selectors
from core.access import _person_rules, register_person_visibility
from core.models import Person
from tests.factories import PersonFactory, UserFactory


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("user__username", flat=True))


def test_engineers_see_only_themselves(org):
    assert usernames(Person.objects.visible_to(org.engineer.user)) == {"engineer"}


def test_managers_see_their_reports(org):
    assert usernames(Person.objects.visible_to(org.manager.user)) == {
        "manager",
        "engineer",
        "peer",
    }


def test_reporting_lines_are_transitive(org):
    assert usernames(Person.objects.visible_to(org.director.user)) == {
        "director",
        "manager",
        "engineer",
        "peer",
    }


def test_staff_see_everyone(org):
    assert Person.objects.visible_to(org.staff.user).count() == Person.objects.count()


def test_anonymous_and_inactive_users_see_nobody(org):
    org.engineer.user.is_active = False
    org.engineer.user.save()

    assert not Person.objects.visible_to(AnonymousUser()).exists()
    assert not Person.objects.visible_to(org.engineer.user).exists()


def test_an_account_without_a_person_sees_nobody(db):
    assert not Person.objects.visible_to(UserFactory()).exists()


def test_outsiders_get_404_not_403(org):
    with pytest.raises(Http404):
        selectors.person_get_visible(user=org.outsider.user, pk=org.engineer.pk)


def test_apps_can_widen_visibility_through_the_registry(org):
    from django.db.models import Q

    def outsider_sees_engineer(person):
        return Q(pk=org.engineer.pk) if person.pk == org.outsider.pk else Q(pk__in=[])

    register_person_visibility(outsider_sees_engineer)
    try:
        assert "engineer" in usernames(Person.objects.visible_to(org.outsider.user))
        assert "engineer" not in usernames(Person.objects.visible_to(org.peer.user))
    finally:
        _person_rules.remove(outsider_sees_engineer)


def test_a_reporting_loop_is_refused(org):
    org.director.manager = org.engineer

    with pytest.raises(ValidationError, match="loop"):
        org.director.full_clean()


def test_nobody_manages_themselves(org):
    org.engineer.manager = org.engineer

    with pytest.raises(ValidationError, match="own manager"):
        org.engineer.full_clean()


def test_directory_lists_everyone_active_and_searches(org):
    leaver = PersonFactory(user__username="leaver", user__is_active=False)

    everyone = usernames(selectors.directory_search(user=org.engineer.user))
    found = usernames(selectors.directory_search(user=org.engineer.user, query="outs"))

    assert "outsider" in everyone and leaver.user.username not in everyone
    assert found == {"outsider"}
