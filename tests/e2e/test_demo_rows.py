"""The browser tests share one seeded demo: after a test that changed it, and the flush that
ends every browser test, it comes back whole, under the same ids."""

from django.core.management import call_command

from core.models import Person
from tests.e2e.conftest import table_rows, table_rows_restore


def test_the_demo_comes_back_whole_after_a_test_changed_it(demo, _demo_seeded):
    amara = Person.objects.get(user__username="amara")
    amara.skill_assessments.all().delete()
    Person.objects.filter(pk=amara.pk).update(title="Changed", manager=None)
    call_command("flush", verbosity=0, interactive=False)  # as at the end of a browser test

    table_rows_restore(_demo_seeded["rows"])

    assert table_rows() == _demo_seeded["rows"]
    amara = Person.objects.get(user__username="amara")
    assert amara.manager.user.username == "tomas"
    assert amara.skill_assessments.exists()
