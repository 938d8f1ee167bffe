import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import PersonFactory, staff_person
from tests.worker import WorkerProcess


def real_services_required() -> bool:
    """CI sets this: a missing browser or service must fail the run, never skip silently."""
    return os.environ.get("CULTIVATE_REQUIRE_REAL_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if real_services_required():
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.2 s a user by design; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_tasks(settings):
    """Tasks run in the test's process when enqueued (after commit), e-mail kept in memory.
    The real worker path is the same thin task; the worker tests cover the broker."""
    from core.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits live in the cache; one test's failed sign-ins must not lock out the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    """A small organisation: a director, a manager under her, two engineers, an outsider, staff.

    director
      └─ manager
           ├─ engineer
           └─ peer
    outsider (another team, no line to the others), staff (admin, TOTP set up)
    """
    director = PersonFactory(user__username="director", career_stage="principal")
    manager = PersonFactory(user__username="manager", manager=director, career_stage="staff")
    engineer = PersonFactory(user__username="engineer", manager=manager, team=manager.team)
    peer = PersonFactory(user__username="peer", manager=manager, team=manager.team)
    outsider = PersonFactory(user__username="outsider", career_stage="senior")
    staff = staff_person(user__username="staff")
    return type(
        "Org",
        (),
        {
            "director": director,
            "manager": manager,
            "engineer": engineer,
            "peer": peer,
            "outsider": outsider,
            "staff": staff,
        },
    )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        skip_or_fail("Chromium is not installed (Debian package `chromium`).")
    return path


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = Path(__file__).resolve().parent.parent / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, artifacts_dir):
    """One real worker for the whole session, on the test database and the real broker."""
    from core.celery import app

    with django_db_blocker.unblock():
        app.control.purge()  # leftovers from an earlier, interrupted run
        worker = WorkerProcess(artifacts_dir.parent / "test-worker.log").start()
    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _shipped_labs_validated_once(monkeypatch):
    # seed_demo imports every lab under curriculum/labs/, and validating one runs the sandbox
    # four times: with ten labs, every test that seeds the demo would spend minutes there. Each
    # shipped lab is validated once per test session instead (tests/curriculum shares the cache
    # and checks the reports), and stored as the import would store it.
    from curriculum import content
    from labs.format import load_lab
    from labs.services import lab_store
    from tests.labs.conftest import validated

    def import_validated_once(*, path, **_):
        spec, report = validated(Path(path))
        report = {**report, "source_hash": load_lab(Path(path)).content_hash()}
        return lab_store(spec=spec, report=report)

    monkeypatch.setattr(content, "lab_import", import_validated_once)
